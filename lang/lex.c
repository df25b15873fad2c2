/*
 * lex.c: the lexer. Produces one token at a time with its line and column
 * (both 1-based; columns count bytes).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "lang/ast.h"

static const char *const kw[] = {
	"let", "fn", "if", "else", "while", "for", "in", "break", "continue",
	"return", "try", "catch", "and", "or", "not", "nil", "true", "false"
};

const char *lang_lex_name(int kind, char one[4])
{
	static const char *const ops[] = {
		"==", "!=", "<=", ">=", "<<", ">>", "**", "//", "+=", "-=",
		"*=", "/=", "..."
	};
	switch (kind) {
	case TK_EOF: return "end of input";
	case TK_NAME: return "name";
	case TK_INT:
	case TK_FLOAT: return "number";
	case TK_STRING: return "string";
	default: break;
	}
	if (kind >= TK_LET && kind <= TK_FALSE)
		return kw[kind - TK_LET];
	if (kind >= TK_EQ && kind <= TK_ELLIPSIS)
		return ops[kind - TK_EQ];
	one[0] = (char)kind;
	one[1] = 0;
	return one;
}

void lang_lex_init(Compile *C)
{
	C->pos = 0;
	C->line = 1;
	C->line_start = 0;
	C->has_ahead = false;
	C->prev_kind = 0;
	C->prev_line = 0;
	/* Skip a #! line so scripts can be executable. */
	if (C->len >= 2 && C->src[0] == '#' && C->src[1] == '!')
		while (C->pos < C->len && C->src[C->pos] != '\n')
			C->pos++;
}

static int cur(Compile *C)
{
	return C->pos < C->len ? (unsigned char)C->src[C->pos] : -1;
}

static int at(Compile *C, size_t off)
{
	return C->pos + off < C->len ? (unsigned char)C->src[C->pos + off] : -1;
}

static void newline(Compile *C)
{
	C->line++;
	C->line_start = C->pos;
}

static int colof(Compile *C, size_t pos)
{
	return (int)(pos - C->line_start) + 1;
}

/* Does the previous token end an operand (so `//` divides)? */
static bool prev_ends_operand(Compile *C)
{
	if (C->prev_line != C->line)
		return false;
	switch (C->prev_kind) {
	case TK_NAME: case TK_INT: case TK_FLOAT: case TK_STRING:
	case TK_NIL: case TK_TRUE: case TK_FALSE: case ')': case ']':
		return true;
	default:
		return false;
	}
}

/* Skip blanks and comments. */
static void skip_space(Compile *C)
{
	for (;;) {
		int c = cur(C);
		if (c == '\n') {
			C->pos++;
			newline(C);
		} else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
			   c == '\v') {
			C->pos++;
		} else if (c == '/' && at(C, 1) == '/' && !prev_ends_operand(C)) {
			while (C->pos < C->len && C->src[C->pos] != '\n')
				C->pos++;
		} else if (c == '/' && at(C, 1) == '*') {
			int line = C->line, col = colof(C, C->pos);
			C->pos += 2;
			for (;;) {
				if (C->pos >= C->len) {
					*C->incomplete = true;
					lang_compile_error(C, line, col,
						"unterminated comment");
				}
				if (C->src[C->pos] == '*' && at(C, 1) == '/') {
					C->pos += 2;
					break;
				}
				if (C->src[C->pos] == '\n') {
					C->pos++;
					newline(C);
				} else {
					C->pos++;
				}
			}
		} else {
			return;
		}
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void lex_number(Compile *C, Token *t)
{
	char buf[128];
	size_t n = 0;
	bool isfloat = false;
	size_t start = C->pos;
	if (cur(C) == '0' && (at(C, 1) == 'x' || at(C, 1) == 'X')) {
		C->pos += 2;
		uint64_t v = 0;
		int digits = 0;
		for (;;) {
			int c = cur(C);
			if (c == '_' && digits) {
				C->pos++;
				continue;
			}
			int h = hexval(c);
			if (h < 0)
				break;
			if (v >> 60)
				lang_compile_error(C, t->line, t->col,
					"number too large");
			v = v * 16 + (uint64_t)h;
			digits++;
			C->pos++;
		}
		if (!digits)
			lang_compile_error(C, t->line, t->col,
				"malformed number");
		if (v > INT64_MAX)
			lang_compile_error(C, t->line, t->col,
				"number too large");
		t->kind = TK_INT;
		t->i = (int64_t)v;
	} else {
		for (;;) {
			int c = cur(C);
			if (c >= '0' && c <= '9') {
				if (n < sizeof buf - 1)
					buf[n++] = (char)c;
				C->pos++;
			} else if (c == '_' && n && at(C, 1) >= '0' &&
				   at(C, 1) <= '9') {
				C->pos++;
			} else if (c == '.' && !isfloat && at(C, 1) >= '0' &&
				   at(C, 1) <= '9') {
				isfloat = true;
				if (n < sizeof buf - 1)
					buf[n++] = '.';
				C->pos++;
			} else if ((c == 'e' || c == 'E') &&
				   ((at(C, 1) >= '0' && at(C, 1) <= '9') ||
				    ((at(C, 1) == '+' || at(C, 1) == '-') &&
				     at(C, 2) >= '0' && at(C, 2) <= '9'))) {
				isfloat = true;
				if (n < sizeof buf - 2) {
					buf[n++] = 'e';
					buf[n++] = (char)at(C, 1);
				}
				C->pos += 2;
				while (cur(C) >= '0' && cur(C) <= '9') {
					if (n < sizeof buf - 1)
						buf[n++] = (char)cur(C);
					C->pos++;
				}
				break;
			} else {
				break;
			}
		}
		buf[n] = 0;
		if (n >= sizeof buf - 2)
			lang_compile_error(C, t->line, t->col,
				"number too long");
		if (isfloat) {
			t->kind = TK_FLOAT;
			t->f = strtod(buf, NULL);
		} else {
			errno = 0;
			unsigned long long v = strtoull(buf, NULL, 10);
			if (errno || v > INT64_MAX)
				lang_compile_error(C, t->line, t->col,
					"number too large");
			t->kind = TK_INT;
			t->i = (int64_t)v;
		}
	}
	int c = cur(C);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (c >= '0' && c <= '9'))
		lang_compile_error(C, t->line, t->col, "malformed number '%.*s'",
			(int)(C->pos - start + 1), C->src + start);
}

static void lex_string(Compile *C, Token *t, int q)
{
	Buf b;
	lang_buf_init(&b, C->L);
	C->pos++;
	for (;;) {
		int c = cur(C);
		if (c < 0) {
			*C->incomplete = true;
			lang_compile_error(C, t->line, t->col,
				"unterminated string");
		}
		if (c == q) {
			C->pos++;
			break;
		}
		if (c == '\n') {
			lang_buf_addc(&b, '\n');
			C->pos++;
			newline(C);
			continue;
		}
		if (c != '\\') {
			lang_buf_addc(&b, (char)c);
			C->pos++;
			continue;
		}
		int ecol = colof(C, C->pos);
		C->pos++;
		c = cur(C);
		C->pos++;
		switch (c) {
		case 'n': lang_buf_addc(&b, '\n'); break;
		case 't': lang_buf_addc(&b, '\t'); break;
		case 'r': lang_buf_addc(&b, '\r'); break;
		case '0': lang_buf_addc(&b, '\0'); break;
		case '\\': lang_buf_addc(&b, '\\'); break;
		case '"': lang_buf_addc(&b, '"'); break;
		case '\'': lang_buf_addc(&b, '\''); break;
		case 'x': {
			int h1 = hexval(cur(C)), h2 = hexval(at(C, 1));
			if (h1 < 0 || h2 < 0)
				lang_compile_error(C, C->line, ecol,
					"bad \\x escape");
			lang_buf_addc(&b, (char)(h1 * 16 + h2));
			C->pos += 2;
			break;
		}
		case 'u': {
			if (cur(C) != '{')
				lang_compile_error(C, C->line, ecol,
					"bad \\u escape (expected \\u{...})");
			C->pos++;
			uint32_t cp = 0;
			int digits = 0;
			while (hexval(cur(C)) >= 0 && digits < 8) {
				cp = cp * 16 + (uint32_t)hexval(cur(C));
				C->pos++;
				digits++;
			}
			if (cur(C) != '}' || !digits || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				lang_compile_error(C, C->line, ecol,
					"bad \\u escape");
			C->pos++;
			char u[4];
			lang_buf_add(&b, u, (size_t)lang_utf8_encode(u, cp));
			break;
		}
		case -1:
			*C->incomplete = true;
			lang_compile_error(C, t->line, t->col,
				"unterminated string");
		default:
			lang_compile_error(C, C->line, ecol,
				"unknown escape '\\%c'", c < 32 || c > 126 ? '?' : c);
		}
	}
	t->kind = TK_STRING;
	t->s = lang_buf_tostr(&b);
}

static int match2(Compile *C, int c2, int k2, int k1)
{
	if (at(C, 1) == c2) {
		C->pos += 2;
		return k2;
	}
	C->pos++;
	return k1;
}

static void lex_token(Compile *C, Token *t)
{
	skip_space(C);
	t->line = C->line;
	t->col = colof(C, C->pos);
	int c = cur(C);
	if (c < 0) {
		t->kind = TK_EOF;
		return;
	}
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
		size_t s = C->pos;
		while ((c = cur(C)) >= 0 &&
		       ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			c == '_' || (c >= '0' && c <= '9')))
			C->pos++;
		size_t n = C->pos - s;
		for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
			if (strlen(kw[i]) == n && !memcmp(kw[i], C->src + s, n)) {
				t->kind = TK_LET + (int)i;
				return;
			}
		t->kind = TK_NAME;
		t->s = lang_str_new(C->L, C->src + s, n);
		return;
	}
	if (c >= '0' && c <= '9') {
		lex_number(C, t);
		return;
	}
	if (c == '.' && at(C, 1) >= '0' && at(C, 1) <= '9')
		lang_compile_error(C, t->line, t->col,
			"malformed number (write 0.5, not .5)");
	switch (c) {
	case '"':
	case '\'':
		lex_string(C, t, c);
		return;
	case '=': t->kind = match2(C, '=', TK_EQ, '='); return;
	case '!':
		if (at(C, 1) == '=') {
			C->pos += 2;
			t->kind = TK_NE;
			return;
		}
		lang_compile_error(C, t->line, t->col,
			"unexpected '!' (use 'not')");
	case '<':
		if (at(C, 1) == '<') {
			C->pos += 2;
			t->kind = TK_SHL;
			return;
		}
		t->kind = match2(C, '=', TK_LE, '<');
		return;
	case '>':
		if (at(C, 1) == '>') {
			C->pos += 2;
			t->kind = TK_SHR;
			return;
		}
		t->kind = match2(C, '=', TK_GE, '>');
		return;
	case '*':
		if (at(C, 1) == '*') {
			C->pos += 2;
			t->kind = TK_POW;
			return;
		}
		t->kind = match2(C, '=', TK_MULEQ, '*');
		return;
	case '/':
		if (at(C, 1) == '/') {
			C->pos += 2;
			t->kind = TK_IDIV;
			return;
		}
		t->kind = match2(C, '=', TK_DIVEQ, '/');
		return;
	case '+': t->kind = match2(C, '=', TK_ADDEQ, '+'); return;
	case '-': t->kind = match2(C, '=', TK_SUBEQ, '-'); return;
	case '.':
		if (at(C, 1) == '.' && at(C, 2) == '.') {
			C->pos += 3;
			t->kind = TK_ELLIPSIS;
			return;
		}
		C->pos++;
		t->kind = '.';
		return;
	case '(': case ')': case '[': case ']': case '{': case '}':
	case ',': case ':': case ';': case '%': case '&': case '|':
	case '^': case '~':
		C->pos++;
		t->kind = c;
		return;
	default:
		if (c >= 32 && c < 127)
			lang_compile_error(C, t->line, t->col,
				"unexpected character '%c'", c);
		lang_compile_error(C, t->line, t->col,
			"unexpected byte 0x%02x", (unsigned)c);
	}
}

void lang_lex_next(Compile *C)
{
	C->prev_kind = C->tok.kind;
	C->prev_line = C->line;
	if (C->has_ahead) {
		C->tok = C->ahead;
		C->has_ahead = false;
		return;
	}
	lex_token(C, &C->tok);
}

const Token *lang_lex_peek(Compile *C)
{
	if (!C->has_ahead) {
		/* The `//` rule looks at the token before: here C->tok. */
		int pk = C->prev_kind, pl = C->prev_line;
		C->prev_kind = C->tok.kind;
		C->prev_line = C->line;
		lex_token(C, &C->ahead);
		C->prev_kind = pk;
		C->prev_line = pl;
		C->has_ahead = true;
	}
	return &C->ahead;
}
