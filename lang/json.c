/*
 * json.c: json.encode(v, indent?) and json.decode(s).
 *
 * encode: maps become objects with keys in insertion order (int, float and
 * bool keys are written as strings), lists arrays, nil null; functions,
 * NaN and infinities are errors. decode: objects become maps (insertion
 * order), integral numbers without '.' or exponent that fit become ints.
 * Both are bounded in nesting depth.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/internal.h"

#define JSON_DEPTH 200

static void enc_string(Buf *b, const char *s, size_t n)
{
	lang_buf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		/* copy runs of plain bytes at once */
		size_t j = i;
		while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' &&
		       s[j] != '\\' && s[j] != 0x7f)
			j++;
		if (j > i) {
			lang_buf_add(b, s + i, j - i);
			i = j - 1;
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': lang_buf_add(b, "\\\"", 2); break;
		case '\\': lang_buf_add(b, "\\\\", 2); break;
		case '\n': lang_buf_add(b, "\\n", 2); break;
		case '\r': lang_buf_add(b, "\\r", 2); break;
		case '\t': lang_buf_add(b, "\\t", 2); break;
		case '\b': lang_buf_add(b, "\\b", 2); break;
		case '\f': lang_buf_add(b, "\\f", 2); break;
		default:
			if (c < 0x20 || c == 0x7f)
				lang_buf_printf(b, "\\u%04x", c);
			else
				lang_buf_addc(b, (char)c);
		}
	}
	lang_buf_addc(b, '"');
}

static void newline_indent(Buf *b, const char *indent, int depth)
{
	lang_buf_addc(b, '\n');
	for (int i = 0; i < depth; i++)
		lang_buf_adds(b, indent);
}

int lang_json_encode(lang_state *L, Buf *b, Value v, const char *indent, int depth)
{
	char tmp[64];
	if (depth > JSON_DEPTH)
		lang_rt_error(L, "json.encode: nesting too deep (or a cycle)");
	switch (v.tag) {
	case T_NIL:
		lang_buf_add(b, "null", 4);
		break;
	case T_BOOL:
		lang_buf_adds(b, v.u.b ? "true" : "false");
		break;
	case T_INT:
		snprintf(tmp, sizeof tmp, "%lld", (long long)v.u.i);
		lang_buf_adds(b, tmp);
		break;
	case T_FLOAT:
		if (!isfinite(v.u.f))
			lang_rt_error(L, "json.encode: cannot encode %s",
				      isnan(v.u.f) ? "nan" : "inf");
		lang_fmt_float(tmp, sizeof tmp, v.u.f);
		lang_buf_adds(b, tmp);
		break;
	case T_STR:
		enc_string(b, AS_STR(v)->data, AS_STR(v)->len);
		break;
	case T_LIST: {
		List *l = AS_LIST(v);
		lang_buf_addc(b, '[');
		for (size_t i = 0; i < l->len; i++) {
			if (i)
				lang_buf_addc(b, ',');
			if (indent)
				newline_indent(b, indent, depth + 1);
			lang_json_encode(L, b, l->items[i], indent, depth + 1);
		}
		if (indent && l->len)
			newline_indent(b, indent, depth);
		lang_buf_addc(b, ']');
		break;
	}
	case T_MAP: {
		Map *m = AS_MAP(v);
		lang_buf_addc(b, '{');
		uint32_t it = 0;
		MapEntry *e;
		bool first = true;
		while ((e = lang_map_iter(m, &it))) {
			if (!first)
				lang_buf_addc(b, ',');
			first = false;
			if (indent)
				newline_indent(b, indent, depth + 1);
			if (e->key.tag == T_STR) {
				enc_string(b, AS_STR(e->key)->data, AS_STR(e->key)->len);
			} else {
				Buf k;
				lang_buf_init(&k, L);
				lang_fmt_value(&k, e->key, false, 0);
				enc_string(b, k.p, k.len);
				lang_buf_free(&k);
			}
			lang_buf_addc(b, ':');
			if (indent)
				lang_buf_addc(b, ' ');
			lang_json_encode(L, b, e->val, indent, depth + 1);
		}
		if (indent && !first)
			newline_indent(b, indent, depth);
		lang_buf_addc(b, '}');
		break;
	}
	default:
		lang_rt_error(L, "json.encode: cannot encode %s", lang_type_name(v));
	}
	return 0;
}

/* ---- decode ---- */

typedef struct Dec {
	lang_state *L;
	const char *s;
	size_t n, i;
	int depth;
} Dec;

static _Noreturn void dec_error(Dec *d, const char *what)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < d->i && i < d->n; i++) {
		if (d->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (d->i >= d->n)
		lang_rt_error(d->L, "json.decode: %s at end of input (line %zu, column %zu)",
			      what, line, col);
	unsigned char c = (unsigned char)d->s[d->i];
	if (c >= 32 && c < 127)
		lang_rt_error(d->L, "json.decode: %s at line %zu, column %zu (near '%c')",
			      what, line, col, c);
	lang_rt_error(d->L, "json.decode: %s at line %zu, column %zu", what, line, col);
}

static void skip_ws(Dec *d)
{
	while (d->i < d->n && (d->s[d->i] == ' ' || d->s[d->i] == '\t' ||
			       d->s[d->i] == '\n' || d->s[d->i] == '\r'))
		d->i++;
}

static int hex4(Dec *d)
{
	int v = 0;
	for (int k = 0; k < 4; k++) {
		if (d->i >= d->n)
			dec_error(d, "bad \\u escape");
		char c = d->s[d->i++];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else {
			d->i--;
			dec_error(d, "bad \\u escape");
		}
	}
	return v;
}

static String *dec_string(Dec *d)
{
	Buf b;
	lang_buf_init(&b, d->L);
	d->i++; /* opening quote */
	for (;;) {
		if (d->i >= d->n)
			dec_error(d, "unterminated string");
		unsigned char c = (unsigned char)d->s[d->i];
		if (c == '"') {
			d->i++;
			break;
		}
		if (c < 0x20)
			dec_error(d, "control character in string");
		if (c != '\\') {
			size_t j = d->i;
			while (j < d->n && d->s[j] != '"' && d->s[j] != '\\' &&
			       (unsigned char)d->s[j] >= 0x20)
				j++;
			lang_buf_add(&b, d->s + d->i, j - d->i);
			d->i = j;
			continue;
		}
		d->i++;
		if (d->i >= d->n)
			dec_error(d, "unterminated string");
		c = (unsigned char)d->s[d->i++];
		switch (c) {
		case '"': lang_buf_addc(&b, '"'); break;
		case '\\': lang_buf_addc(&b, '\\'); break;
		case '/': lang_buf_addc(&b, '/'); break;
		case 'b': lang_buf_addc(&b, '\b'); break;
		case 'f': lang_buf_addc(&b, '\f'); break;
		case 'n': lang_buf_addc(&b, '\n'); break;
		case 'r': lang_buf_addc(&b, '\r'); break;
		case 't': lang_buf_addc(&b, '\t'); break;
		case 'u': {
			uint32_t cp = (uint32_t)hex4(d);
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (d->i + 1 < d->n && d->s[d->i] == '\\' &&
				    d->s[d->i + 1] == 'u') {
					d->i += 2;
					uint32_t lo = (uint32_t)hex4(d);
					if (lo < 0xdc00 || lo > 0xdfff)
						dec_error(d, "bad surrogate pair");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				} else {
					cp = 0xfffd;
				}
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				cp = 0xfffd;
			}
			char u[4];
			lang_buf_add(&b, u, (size_t)lang_utf8_encode(u, cp));
			break;
		}
		default:
			d->i--;
			dec_error(d, "bad escape");
		}
	}
	return lang_buf_tostr(&b);
}

static Value dec_number(Dec *d)
{
	size_t st = d->i;
	bool isf = false;
	if (d->s[d->i] == '-')
		d->i++;
	if (d->i >= d->n || !(d->s[d->i] >= '0' && d->s[d->i] <= '9'))
		dec_error(d, "bad number");
	if (d->s[d->i] == '0' && d->i + 1 < d->n && d->s[d->i + 1] >= '0' &&
	    d->s[d->i + 1] <= '9')
		dec_error(d, "leading zero in number");
	while (d->i < d->n && d->s[d->i] >= '0' && d->s[d->i] <= '9')
		d->i++;
	if (d->i < d->n && d->s[d->i] == '.') {
		isf = true;
		d->i++;
		if (d->i >= d->n || !(d->s[d->i] >= '0' && d->s[d->i] <= '9'))
			dec_error(d, "bad number");
		while (d->i < d->n && d->s[d->i] >= '0' && d->s[d->i] <= '9')
			d->i++;
	}
	if (d->i < d->n && (d->s[d->i] == 'e' || d->s[d->i] == 'E')) {
		isf = true;
		d->i++;
		if (d->i < d->n && (d->s[d->i] == '+' || d->s[d->i] == '-'))
			d->i++;
		if (d->i >= d->n || !(d->s[d->i] >= '0' && d->s[d->i] <= '9'))
			dec_error(d, "bad number");
		while (d->i < d->n && d->s[d->i] >= '0' && d->s[d->i] <= '9')
			d->i++;
	}
	char buf[64];
	size_t len = d->i - st;
	if (len >= sizeof buf) {
		/* Long numbers: parse as a float from a heap copy. */
		Buf b;
		lang_buf_init(&b, d->L);
		lang_buf_add(&b, d->s + st, len);
		double v = strtod(b.p, NULL);
		lang_buf_free(&b);
		return v_float(v);
	}
	memcpy(buf, d->s + st, len);
	buf[len] = 0;
	if (!isf) {
		char *end;
		errno = 0;
		long long v = strtoll(buf, &end, 10);
		if (!errno)
			return v_int(v);
	}
	return v_float(strtod(buf, NULL));
}

static bool lit(Dec *d, const char *w)
{
	size_t n = strlen(w);
	if (d->i + n <= d->n && !memcmp(d->s + d->i, w, n)) {
		d->i += n;
		return true;
	}
	return false;
}

/* No OrionLang code runs while decoding, so no collection can free the
 * partly built values. */
static Value dec_value(Dec *d)
{
	skip_ws(d);
	if (d->i >= d->n)
		dec_error(d, "unexpected end of input");
	char c = d->s[d->i];
	if (c == '{' || c == '[') {
		if (++d->depth > JSON_DEPTH)
			dec_error(d, "nesting too deep");
	}
	switch (c) {
	case '{': {
		Map *m = lang_map_alloc(d->L, 0);
		Value mv = v_obj(T_MAP, m);
		d->i++;
		skip_ws(d);
		if (d->i < d->n && d->s[d->i] == '}') {
			d->i++;
			d->depth--;
			return mv;
		}
		for (;;) {
			skip_ws(d);
			if (d->i >= d->n || d->s[d->i] != '"')
				dec_error(d, "expected a string key");
			Value k = v_obj(T_STR, dec_string(d));
			skip_ws(d);
			if (d->i >= d->n || d->s[d->i] != ':')
				dec_error(d, "expected ':'");
			d->i++;
			Value v = dec_value(d);
			lang_map_put(d->L, m, k, v);
			skip_ws(d);
			if (d->i < d->n && d->s[d->i] == ',') {
				d->i++;
				continue;
			}
			if (d->i < d->n && d->s[d->i] == '}') {
				d->i++;
				break;
			}
			dec_error(d, "expected ',' or '}'");
		}
		d->depth--;
		return mv;
	}
	case '[': {
		List *l = lang_list_alloc(d->L, 0);
		Value lv = v_obj(T_LIST, l);
		d->i++;
		skip_ws(d);
		if (d->i < d->n && d->s[d->i] == ']') {
			d->i++;
			d->depth--;
			return lv;
		}
		for (;;) {
			Value v = dec_value(d);
			lang_list_append(d->L, l, v);
			skip_ws(d);
			if (d->i < d->n && d->s[d->i] == ',') {
				d->i++;
				continue;
			}
			if (d->i < d->n && d->s[d->i] == ']') {
				d->i++;
				break;
			}
			dec_error(d, "expected ',' or ']'");
		}
		d->depth--;
		return lv;
	}
	case '"':
		return v_obj(T_STR, dec_string(d));
	case 't':
		if (lit(d, "true"))
			return v_bool(1);
		break;
	case 'f':
		if (lit(d, "false"))
			return v_bool(0);
		break;
	case 'n':
		if (lit(d, "null"))
			return V_NIL;
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return dec_number(d);
	}
	dec_error(d, "unexpected character");
}

Value lang_json_decode(lang_state *L, const char *s, size_t n)
{
	Dec d = { L, s, n, 0, 0 };
	Value v = dec_value(&d);
	skip_ws(&d);
	if (d.i < d.n)
		dec_error(&d, "trailing characters");
	return v;
}

static int j_encode(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "json.encode", argc, 1, 2);
	char ind[64];
	const char *indent = NULL;
	if (argc > 1 && a[1].tag != T_NIL) {
		if (a[1].tag == T_INT) {
			int64_t n = a[1].u.i;
			if (n < 0 || n > 16)
				lang_rt_error(L, "json.encode: indent must be 0..16");
			memset(ind, ' ', (size_t)n);
			ind[n] = 0;
			indent = ind;
		} else if (a[1].tag == T_STR && AS_STR(a[1])->len < sizeof ind) {
			memcpy(ind, AS_STR(a[1])->data, AS_STR(a[1])->len + 1);
			indent = ind;
		} else {
			lang_rt_error(L, "json.encode: indent must be an int or a short string");
		}
	}
	Buf b;
	lang_buf_init(&b, L);
	lang_json_encode(L, &b, a[0], indent, 0);
	*ret = v_obj(T_STR, lang_buf_tostr(&b));
	return 0;
}

static int j_decode(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = lang_arg_str(L, "json.decode", argc, a, 0);
	*ret = lang_json_decode(L, s->data, s->len);
	return 0;
}

static const struct lang_reg json_funcs[] = {
	{ "encode", j_encode }, { "decode", j_decode }, { NULL, NULL }
};

void lang_lib_open_json(lang_state *L)
{
	lang_lib_reg(L, lang_lib_module(L, "json"), json_funcs);
}
