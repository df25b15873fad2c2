/*
 * parse.c: recursive-descent parser from tokens to the AST. Each function
 * is named after the grammar rule it parses (see docs/lang.md); nesting is
 * bounded so hostile input cannot exhaust the C stack.
 */
#include <stdlib.h>

#include "lang/ast.h"

#define MAX_NESTING 200

static Node *p_expr(Compile *C);
static Node *p_block(Compile *C);
static Node *p_statement(Compile *C);
static Node *p_unary(Compile *C);

/* ---- helpers ---- */

static Node *node(Compile *C, int kind, int line, int col)
{
	Node *n = lang_arena_alloc(C, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = (uint8_t)kind;
	n->line = line;
	n->col = col;
	return n;
}

static _Noreturn void error_at_tok(Compile *C, const char *what)
{
	const Token *t = &C->tok;
	char one[4];
	if (t->kind == TK_EOF)
		*C->incomplete = true;
	if (t->kind == TK_NAME)
		lang_compile_error(C, t->line, t->col, "%s, got '%s'", what,
				   t->s->data);
	if (t->kind == TK_EOF || t->kind == TK_INT || t->kind == TK_FLOAT ||
	    t->kind == TK_STRING)
		lang_compile_error(C, t->line, t->col, "%s, got %s", what,
				   lang_lex_name(t->kind, one));
	lang_compile_error(C, t->line, t->col, "%s, got '%s'", what,
			   lang_lex_name(t->kind, one));
}

static void expect(Compile *C, int kind, const char *what)
{
	if (C->tok.kind != kind)
		error_at_tok(C, what);
	lang_lex_next(C);
}

static bool accept(Compile *C, int kind)
{
	if (C->tok.kind != kind)
		return false;
	lang_lex_next(C);
	return true;
}

static String *p_name(Compile *C, const char *what)
{
	if (C->tok.kind != TK_NAME)
		error_at_tok(C, what);
	String *s = C->tok.s;
	lang_lex_next(C);
	return s;
}

static void enter(Compile *C)
{
	if (++C->depth > MAX_NESTING)
		lang_compile_error(C, C->tok.line, C->tok.col,
				   "nesting too deep");
}

/* A growable array of node pointers in the arena. */
typedef struct NodeVec {
	Node **v;
	int n, cap;
} NodeVec;

static void vec_push(Compile *C, NodeVec *nv, Node *x)
{
	if (nv->n == nv->cap) {
		int nc = nv->cap ? nv->cap * 2 : 8;
		Node **a = lang_arena_alloc(C, (size_t)nc * sizeof *a);
		if (nv->n)
			memcpy(a, nv->v, (size_t)nv->n * sizeof *a);
		nv->v = a;
		nv->cap = nc;
	}
	nv->v[nv->n++] = x;
}

/* ---- expressions ---- */

/* params := [NAME {',' NAME}] [',' '...' NAME] */
static void p_params(Compile *C, FuncNode *f)
{
	String *names[256];
	int n = 0;
	expect(C, '(', "expected '(' before parameters");
	if (C->tok.kind != ')') {
		do {
			if (accept(C, TK_ELLIPSIS)) {
				names[n++] = p_name(C, "expected a name after '...'");
				f->vararg = true;
				break;
			}
			if (n >= 200)
				lang_compile_error(C, C->tok.line, C->tok.col,
						   "too many parameters");
			names[n++] = p_name(C, "expected a parameter name");
		} while (accept(C, ','));
	}
	expect(C, ')', "expected ')' after parameters");
	f->nparams = n;
	f->params = lang_arena_alloc(C, (size_t)(n ? n : 1) * sizeof *f->params);
	memcpy(f->params, names, (size_t)n * sizeof *names);
}

/* funcbody := params block */
static FuncNode *p_funcbody(Compile *C, String *name, int line, int col)
{
	FuncNode *f = lang_arena_alloc(C, sizeof *f);
	memset(f, 0, sizeof *f);
	f->name = name;
	f->line = line;
	f->col = col;
	p_params(C, f);
	f->body = p_block(C);
	return f;
}

/* list := '[' [expr {',' expr} [',']] ']' */
static Node *p_list(Compile *C)
{
	Node *n = node(C, N_LIST, C->tok.line, C->tok.col);
	NodeVec items = {0};
	lang_lex_next(C);
	while (C->tok.kind != ']') {
		vec_push(C, &items, p_expr(C));
		if (!accept(C, ','))
			break;
	}
	expect(C, ']', "expected ']' to close the list");
	n->list = items.v;
	n->n = items.n;
	return n;
}

/* map := '{' [entry {',' entry} [',']] '}'
 * entry := (NAME | STRING | number | '[' expr ']') ':' expr */
static Node *p_map(Compile *C)
{
	Node *n = node(C, N_MAP, C->tok.line, C->tok.col);
	NodeVec kv = {0};
	lang_lex_next(C);
	while (C->tok.kind != '}') {
		Node *k;
		const Token *t = &C->tok;
		if (t->kind == TK_NAME || t->kind == TK_STRING) {
			k = node(C, N_STR, t->line, t->col);
			k->s = t->s;
			lang_lex_next(C);
		} else if (t->kind == TK_INT || t->kind == TK_FLOAT ||
			   t->kind == '-') {
			k = p_unary(C);
		} else if (t->kind == '[') {
			lang_lex_next(C);
			k = p_expr(C);
			expect(C, ']', "expected ']' after the key");
		} else if (t->kind == TK_TRUE || t->kind == TK_FALSE) {
			k = node(C, t->kind == TK_TRUE ? N_TRUE : N_FALSE,
				 t->line, t->col);
			lang_lex_next(C);
		} else {
			error_at_tok(C, "expected a map key");
		}
		expect(C, ':', "expected ':' after the map key");
		vec_push(C, &kv, k);
		vec_push(C, &kv, p_expr(C));
		if (!accept(C, ','))
			break;
	}
	expect(C, '}', "expected '}' to close the map");
	n->list = kv.v;
	n->n = kv.n;
	return n;
}

/* primary := literal | NAME | '(' expr ')' | list | map | 'fn' funcbody */
static Node *p_primary(Compile *C)
{
	const Token *t = &C->tok;
	Node *n;
	switch (t->kind) {
	case TK_INT:
		n = node(C, N_INT, t->line, t->col);
		n->i = t->i;
		break;
	case TK_FLOAT:
		n = node(C, N_FLOAT, t->line, t->col);
		n->f = t->f;
		break;
	case TK_STRING:
		n = node(C, N_STR, t->line, t->col);
		n->s = t->s;
		break;
	case TK_NAME:
		n = node(C, N_NAME, t->line, t->col);
		n->s = t->s;
		break;
	case TK_NIL:
		n = node(C, N_NIL, t->line, t->col);
		break;
	case TK_TRUE:
		n = node(C, N_TRUE, t->line, t->col);
		break;
	case TK_FALSE:
		n = node(C, N_FALSE, t->line, t->col);
		break;
	case '(':
		lang_lex_next(C);
		n = p_expr(C);
		expect(C, ')', "expected ')'");
		return n;
	case '[':
		return p_list(C);
	case '{':
		return p_map(C);
	case TK_FN: {
		int line = t->line, col = t->col;
		lang_lex_next(C);
		if (C->tok.kind == TK_NAME)
			lang_compile_error(C, C->tok.line, C->tok.col,
				"a function expression has no name "
				"(use 'fn NAME(...) {...}' as a statement)");
		n = node(C, N_FUNC, line, col);
		n->fn = p_funcbody(C, NULL, line, col);
		return n;
	}
	default:
		error_at_tok(C, "expected an expression");
	}
	lang_lex_next(C);
	return n;
}

/* args := '(' [expr {',' expr} [',']] ')' */
static void p_args(Compile *C, Node *call)
{
	NodeVec args = {0};
	lang_lex_next(C);
	while (C->tok.kind != ')') {
		vec_push(C, &args, p_expr(C));
		if (!accept(C, ','))
			break;
	}
	expect(C, ')', "expected ')' to close the arguments");
	if (args.n > 200)
		lang_compile_error(C, call->line, call->col,
				   "too many arguments");
	call->list = args.v;
	call->n = args.n;
}

/* postfix := primary { args | '[' expr ']' | '[' [expr] ':' [expr] ']'
 *                    | '.' NAME [args] } */
static Node *p_postfix(Compile *C)
{
	Node *e = p_primary(C);
	for (;;) {
		const Token *t = &C->tok;
		int line = t->line, col = t->col;
		if (t->kind == '(') {
			/* a call is located at the start of the callee */
			Node *c = node(C, N_CALL, e->line, e->col);
			c->a = e;
			p_args(C, c);
			e = c;
		} else if (t->kind == '[') {
			lang_lex_next(C);
			Node *lo = NULL, *hi = NULL;
			if (C->tok.kind != ':')
				lo = p_expr(C);
			if (accept(C, ':')) {
				if (C->tok.kind != ']')
					hi = p_expr(C);
				Node *s = node(C, N_SLICE, line, col);
				s->a = e;
				s->b = lo;
				s->c = hi;
				e = s;
			} else {
				Node *x = node(C, N_INDEX, line, col);
				x->a = e;
				x->b = lo;
				e = x;
			}
			expect(C, ']', "expected ']'");
		} else if (t->kind == '.') {
			lang_lex_next(C);
			int nl = C->tok.line, nc = C->tok.col;
			String *name = p_name(C, "expected a name after '.'");
			if (C->tok.kind == '(') {
				Node *m = node(C, N_METHOD, nl, nc);
				m->a = e;
				m->s = name;
				p_args(C, m);
				e = m;
			} else {
				Node *f = node(C, N_FIELD, nl, nc);
				f->a = e;
				f->s = name;
				e = f;
			}
		} else {
			return e;
		}
	}
}

/* power := postfix ['**' unary] */
static Node *p_power(Compile *C)
{
	Node *e = p_postfix(C);
	if (C->tok.kind == TK_POW) {
		Node *b = node(C, N_BIN, C->tok.line, C->tok.col);
		b->op = TK_POW;
		lang_lex_next(C);
		enter(C);
		b->a = e;
		b->b = p_unary(C);
		C->depth--;
		return b;
	}
	return e;
}

/* unary := ('-' | '~') unary | power */
static Node *p_unary(Compile *C)
{
	int k = C->tok.kind;
	if (k == '-' || k == '~') {
		Node *n = node(C, k == '-' ? N_NEG : N_BNOT, C->tok.line,
			       C->tok.col);
		lang_lex_next(C);
		enter(C);
		n->a = p_unary(C);
		C->depth--;
		/* Fold negative number literals (so -9223372036854775808
		 * fails only as an overflow, and constants stay constants). */
		if (k == '-' && n->a->kind == N_FLOAT) {
			n->a->f = -n->a->f;
			n->a->line = n->line;
			n->a->col = n->col;
			return n->a;
		}
		if (k == '-' && n->a->kind == N_INT && n->a->i != INT64_MIN) {
			n->a->i = -n->a->i;
			n->a->line = n->line;
			n->a->col = n->col;
			return n->a;
		}
		return n;
	}
	return p_power(C);
}

/* Binary levels, loosest first: | ^ & (<< >>) (+ -) (* / // %). */
static int binlevel(int k)
{
	switch (k) {
	case '|': return 1;
	case '^': return 2;
	case '&': return 3;
	case TK_SHL: case TK_SHR: return 4;
	case '+': case '-': return 5;
	case '*': case '/': case TK_IDIV: case '%': return 6;
	default: return 0;
	}
}

/* binary(level) := binary(level+1) {op(level) binary(level+1)} */
static Node *p_binary(Compile *C, int level)
{
	if (level > 6)
		return p_unary(C);
	Node *e = p_binary(C, level + 1);
	while (binlevel(C->tok.kind) == level) {
		Node *b = node(C, N_BIN, C->tok.line, C->tok.col);
		b->op = (int16_t)C->tok.kind;
		lang_lex_next(C);
		b->a = e;
		b->b = p_binary(C, level + 1);
		e = b;
	}
	return e;
}

static bool is_cmp(int k)
{
	return k == TK_EQ || k == TK_NE || k == '<' || k == TK_LE ||
	       k == '>' || k == TK_GE;
}

/* comparison := binary(1) [cmpop binary(1)] */
static Node *p_comparison(Compile *C)
{
	Node *e = p_binary(C, 1);
	if (is_cmp(C->tok.kind)) {
		Node *b = node(C, N_CMP, C->tok.line, C->tok.col);
		b->op = (int16_t)C->tok.kind;
		lang_lex_next(C);
		b->a = e;
		b->b = p_binary(C, 1);
		if (is_cmp(C->tok.kind))
			lang_compile_error(C, C->tok.line, C->tok.col,
				"comparison operators do not chain");
		return b;
	}
	return e;
}

/* not_expr := 'not' not_expr | comparison */
static Node *p_not(Compile *C)
{
	if (C->tok.kind == TK_NOT) {
		Node *n = node(C, N_NOT, C->tok.line, C->tok.col);
		lang_lex_next(C);
		enter(C);
		n->a = p_not(C);
		C->depth--;
		return n;
	}
	return p_comparison(C);
}

/* and_expr := not_expr {'and' not_expr} */
static Node *p_and(Compile *C)
{
	Node *e = p_not(C);
	while (C->tok.kind == TK_AND) {
		Node *b = node(C, N_AND, C->tok.line, C->tok.col);
		lang_lex_next(C);
		b->a = e;
		b->b = p_not(C);
		e = b;
	}
	return e;
}

/* expr := and_expr {'or' and_expr} */
static Node *p_expr(Compile *C)
{
	enter(C);
	Node *e = p_and(C);
	while (C->tok.kind == TK_OR) {
		Node *b = node(C, N_OR, C->tok.line, C->tok.col);
		lang_lex_next(C);
		b->a = e;
		b->b = p_and(C);
		e = b;
	}
	C->depth--;
	return e;
}

/* ---- statements ---- */

/* block := '{' {statement} '}' */
static Node *p_block(Compile *C)
{
	Node *b = node(C, S_BLOCK, C->tok.line, C->tok.col);
	NodeVec st = {0};
	expect(C, '{', "expected '{'");
	enter(C);
	while (C->tok.kind != '}') {
		if (C->tok.kind == TK_EOF) {
			*C->incomplete = true;
			lang_compile_error(C, b->line, b->col,
					   "unclosed '{' (missing '}')");
		}
		Node *s = p_statement(C);
		if (s)
			vec_push(C, &st, s);
	}
	C->depth--;
	lang_lex_next(C);
	b->list = st.v;
	b->n = st.n;
	return b;
}

/* if := 'if' expr block ['else' (if | block)] */
static Node *p_if(Compile *C)
{
	Node *n = node(C, S_IF, C->tok.line, C->tok.col);
	lang_lex_next(C);
	n->a = p_expr(C);
	n->b = p_block(C);
	if (accept(C, TK_ELSE)) {
		if (C->tok.kind == TK_IF) {
			enter(C);
			n->c = p_if(C);
			C->depth--;
		} else {
			n->c = p_block(C);
		}
	}
	return n;
}

/* for := 'for' NAME [',' NAME] 'in' expr block */
static Node *p_for(Compile *C)
{
	Node *n = node(C, S_FOR, C->tok.line, C->tok.col);
	lang_lex_next(C);
	n->s = p_name(C, "expected a loop variable");
	if (accept(C, ','))
		n->s2 = p_name(C, "expected a second loop variable");
	expect(C, TK_IN, "expected 'in'");
	n->a = p_expr(C);
	n->b = p_block(C);
	return n;
}

static bool starts_expr(int k)
{
	switch (k) {
	case TK_NAME: case TK_INT: case TK_FLOAT: case TK_STRING:
	case TK_NIL: case TK_TRUE: case TK_FALSE: case TK_FN: case TK_NOT:
	case '(': case '[': case '{': case '-': case '~':
		return true;
	default:
		return false;
	}
}

static bool is_assign_op(int k)
{
	return k == '=' || k == TK_ADDEQ || k == TK_SUBEQ || k == TK_MULEQ ||
	       k == TK_DIVEQ;
}

/* statement := let | fn | if | while | for | try | break | continue
 *            | return | block | ';' | expr [assignop expr] */
static Node *p_statement(Compile *C)
{
	const Token *t = &C->tok;
	int line = t->line, col = t->col;
	Node *n;
	switch (t->kind) {
	case ';':
		lang_lex_next(C);
		return NULL;
	case TK_LET:
		/* let := 'let' NAME ['=' expr] */
		n = node(C, S_LET, line, col);
		lang_lex_next(C);
		n->line = C->tok.line;
		n->col = C->tok.col;
		n->s = p_name(C, "expected a name after 'let'");
		if (accept(C, '='))
			n->a = p_expr(C);
		return n;
	case TK_FN:
		if (lang_lex_peek(C)->kind != TK_NAME)
			break; /* an anonymous function expression */
		/* fn := 'fn' NAME funcbody */
		n = node(C, S_FN, line, col);
		lang_lex_next(C);
		n->s = C->tok.s;
		lang_lex_next(C);
		n->fn = p_funcbody(C, n->s, line, col);
		return n;
	case TK_IF:
		return p_if(C);
	case TK_WHILE:
		/* while := 'while' expr block */
		n = node(C, S_WHILE, line, col);
		lang_lex_next(C);
		n->a = p_expr(C);
		n->b = p_block(C);
		return n;
	case TK_FOR:
		return p_for(C);
	case TK_TRY:
		/* try := 'try' block 'catch' [NAME] block */
		n = node(C, S_TRY, line, col);
		lang_lex_next(C);
		n->a = p_block(C);
		expect(C, TK_CATCH, "expected 'catch' after the try block");
		if (C->tok.kind == TK_NAME)
			n->s = p_name(C, "expected a name");
		n->b = p_block(C);
		return n;
	case TK_BREAK:
	case TK_CONTINUE:
		n = node(C, t->kind == TK_BREAK ? S_BREAK : S_CONTINUE, line, col);
		lang_lex_next(C);
		return n;
	case TK_RETURN:
		n = node(C, S_RETURN, line, col);
		lang_lex_next(C);
		if (starts_expr(C->tok.kind))
			n->a = p_expr(C);
		return n;
	case '{':
		return p_block(C);
	default:
		break;
	}
	Node *e = p_expr(C);
	if (is_assign_op(C->tok.kind)) {
		n = node(C, S_ASSIGN, C->tok.line, C->tok.col);
		n->op = (int16_t)C->tok.kind;
		if (e->kind != N_NAME && e->kind != N_INDEX &&
		    e->kind != N_FIELD)
			lang_compile_error(C, e->line, e->col,
					   "cannot assign to this expression");
		lang_lex_next(C);
		n->a = e;
		n->b = p_expr(C);
		return n;
	}
	n = node(C, S_EXPR, e->line, e->col);
	n->a = e;
	return n;
}

FuncNode *lang_parse_chunk(Compile *C)
{
	FuncNode *f = lang_arena_alloc(C, sizeof *f);
	memset(f, 0, sizeof *f);
	f->line = 1;
	f->col = 1;
	Node *b = node(C, S_BLOCK, 1, 1);
	NodeVec st = {0};
	lang_lex_next(C);
	while (C->tok.kind != TK_EOF) {
		if (C->tok.kind == '}')
			lang_compile_error(C, C->tok.line, C->tok.col,
					   "unexpected '}'");
		Node *s = p_statement(C);
		if (s)
			vec_push(C, &st, s);
	}
	b->list = st.v;
	b->n = st.n;
	f->body = b;
	return f;
}
