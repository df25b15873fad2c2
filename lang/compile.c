/*
 * compile.c: AST to register bytecode (one Proto per function).
 *
 * Registers are allocated like a stack (freereg); locals live in fixed
 * registers, temporaries above them. Expressions compile into a given
 * destination register; conditions compile into jumps. Closures capture
 * locals as upvalues, closed (CLOSE) when their block ends.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/ast.h"
#include "lang/opcodes.h"

#define MAX_REGS 250
#define NO_JUMP (-1)

/* ---- arena ---- */

struct Arena {
	Arena *next;
	size_t used, size;
	_Alignas(16) char data[];
};

void *lang_arena_alloc(Compile *C, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	Arena *a = C->arena;
	if (!a || a->used + n > a->size) {
		size_t sz = n > 32768 ? n : 32768;
		Arena *na = lang_mem_realloc(C->L, NULL, 0, sizeof(Arena) + sz);
		if (!na)
			lang_fatal(C->L, LANG_EMEM, "memory limit exceeded");
		na->next = a;
		na->used = 0;
		na->size = sz;
		C->arena = na;
		a = na;
	}
	void *p = a->data + a->used;
	a->used += n;
	return p;
}

static void arena_free(Compile *C)
{
	Arena *a = C->arena;
	while (a) {
		Arena *n = a->next;
		MEM_FREE(C->L, a, sizeof(Arena) + a->size);
		a = n;
	}
	C->arena = NULL;
}

/* ---- function state ---- */

typedef struct LocalVar {
	String *name;
	int reg;
	bool captured;
} LocalVar;

typedef struct Scope {
	struct Scope *prev;
	int nlocals;      /* locals active at entry */
	int freereg;      /* freereg at entry */
	bool loop;
	int breaks;       /* jump list */
	int continues;    /* jump list */
	int trydepth;
	int ncaptured;
} Scope;

typedef struct FS {
	Compile *C;
	struct FS *parent;
	FuncNode *f;
	uint32_t *code;
	LineInfo *lines;
	int ncode, capcode;
	Value *k;
	int nk, capk;
	Map *kmap;         /* int/string constant -> index */
	Proto **protos;
	int nprotos, capprotos;
	UpvalDesc up[256];
	String *upname[256];
	int nup;
	LocalVar locals[MAX_REGS];
	int nlocals;
	int freereg, maxregs;
	Scope *scope;
	int trydepth;
	int ncaptured;
	bool has_try;
	bool toplevel_globals; /* REPL: top-level let/fn define globals */
	int line, col;         /* location for emitted instructions */
} FS;

static void stmt(FS *fs, Node *s);
static void expr(FS *fs, Node *e, int dst);
static int expr_reg(FS *fs, Node *e);
static void block(FS *fs, Node *b, bool new_scope);

static _Noreturn void error_node(FS *fs, Node *n, const char *msg)
{
	lang_compile_error(fs->C, n->line, n->col, "%s", msg);
}

static void at(FS *fs, Node *n)
{
	fs->line = n->line;
	fs->col = n->col;
}

static int emit(FS *fs, uint32_t ins)
{
	if (fs->ncode == fs->capcode) {
		int nc = fs->capcode ? fs->capcode * 2 : 64;
		if (nc > (1 << 22))
			lang_compile_error(fs->C, fs->line, fs->col,
					   "function too large");
		uint32_t *c = lang_arena_alloc(fs->C, (size_t)nc * sizeof *c);
		LineInfo *l = lang_arena_alloc(fs->C, (size_t)nc * sizeof *l);
		if (fs->ncode) {
			memcpy(c, fs->code, (size_t)fs->ncode * sizeof *c);
			memcpy(l, fs->lines, (size_t)fs->ncode * sizeof *l);
		}
		fs->code = c;
		fs->lines = l;
		fs->capcode = nc;
	}
	fs->code[fs->ncode] = ins;
	fs->lines[fs->ncode].line = fs->line;
	fs->lines[fs->ncode].col = fs->col;
	return fs->ncode++;
}

static int alloc_reg(FS *fs)
{
	if (fs->freereg >= MAX_REGS)
		lang_compile_error(fs->C, fs->line, fs->col,
				   "function or expression too complex "
				   "(too many registers)");
	int r = fs->freereg++;
	if (fs->freereg > fs->maxregs)
		fs->maxregs = fs->freereg;
	return r;
}

/* ---- constants ---- */

static int add_k(FS *fs, Value v)
{
	if (fs->nk == fs->capk) {
		int nc = fs->capk ? fs->capk * 2 : 16;
		if (nc > 65536) {
			if (fs->nk >= 65535)
				lang_compile_error(fs->C, fs->line, fs->col,
						   "too many constants");
			nc = 65535;
		}
		Value *k = lang_arena_alloc(fs->C, (size_t)nc * sizeof *k);
		if (fs->nk)
			memcpy(k, fs->k, (size_t)fs->nk * sizeof *k);
		fs->k = k;
		fs->capk = nc;
	}
	fs->k[fs->nk] = v;
	return fs->nk++;
}

static int const_index(FS *fs, Value v)
{
	if (v.tag == T_FLOAT) {
		for (int i = 0; i < fs->nk; i++)
			if (fs->k[i].tag == T_FLOAT &&
			    memcmp(&fs->k[i].u.f, &v.u.f, sizeof(double)) == 0)
				return i;
		return add_k(fs, v);
	}
	if (v.tag == T_NIL || v.tag == T_BOOL) {
		for (int i = 0; i < fs->nk; i++)
			if (fs->k[i].tag == v.tag && (v.tag == T_NIL ||
						      fs->k[i].u.b == v.u.b))
				return i;
		return add_k(fs, v);
	}
	Value *f = lang_map_find(fs->kmap, v);
	if (f)
		return (int)f->u.i;
	int i = add_k(fs, v);
	lang_map_put(fs->C->L, fs->kmap, v, v_int(i));
	return i;
}

static int str_k(FS *fs, String *s)
{
	return const_index(fs, v_obj(T_STR, s));
}

/* Constant index of a number literal node, or -1. */
static int num_k(FS *fs, Node *e)
{
	if (e->kind == N_INT)
		return const_index(fs, v_int(e->i));
	if (e->kind == N_FLOAT)
		return const_index(fs, v_float(e->f));
	return -1;
}

/* ---- jumps ---- */

static int emit_jump(FS *fs)
{
	return emit(fs, MK_SJ(OP_JMP, -1));
}

static int jump_next(FS *fs, int pc)
{
	int off = GET_SJ(fs->code[pc]);
	return off == -1 ? NO_JUMP : pc + 1 + off;
}

static void jump_set(FS *fs, int pc, int target)
{
	int off = target - (pc + 1);
	if (off < -SJ_BIAS || off >= SJ_BIAS)
		lang_compile_error(fs->C, fs->line, fs->col,
				   "function too large");
	fs->code[pc] = MK_SJ(GET_OP(fs->code[pc]), off);
}

static void concat_jumps(FS *fs, int *l1, int l2)
{
	if (l2 == NO_JUMP)
		return;
	if (*l1 == NO_JUMP) {
		*l1 = l2;
		return;
	}
	int l = *l1, n;
	while ((n = jump_next(fs, l)) != NO_JUMP)
		l = n;
	jump_set(fs, l, l2);
}

static void patch_to(FS *fs, int list, int target)
{
	while (list != NO_JUMP) {
		int next = jump_next(fs, list);
		jump_set(fs, list, target);
		list = next;
	}
}

static void patch_here(FS *fs, int list)
{
	patch_to(fs, list, fs->ncode);
}

static void emit_loop(FS *fs, int target)
{
	int pc = emit(fs, MK_SJ(OP_LOOP, 0));
	jump_set(fs, pc, target);
}

static void set_sbx(FS *fs, int pc, int target)
{
	int off = target - (pc + 1);
	if (off < -SBX_BIAS || off > SBX_BIAS)
		lang_compile_error(fs->C, fs->line, fs->col,
				   "loop or try block too large");
	uint32_t i = fs->code[pc];
	fs->code[pc] = MK_ABX(GET_OP(i), GET_A(i), off + SBX_BIAS);
}

/* ---- names ---- */

static int find_local(FS *fs, String *name)
{
	for (int i = fs->nlocals - 1; i >= 0; i--)
		if (lang_str_eq(fs->locals[i].name, name))
			return i;
	return -1;
}

static void add_local(FS *fs, String *name, int reg)
{
	if (fs->nlocals >= MAX_REGS)
		lang_compile_error(fs->C, fs->line, fs->col,
				   "too many local variables");
	fs->locals[fs->nlocals].name = name;
	fs->locals[fs->nlocals].reg = reg;
	fs->locals[fs->nlocals].captured = false;
	fs->nlocals++;
}

static int add_upval(FS *fs, String *name, bool instack, int idx)
{
	for (int i = 0; i < fs->nup; i++)
		if (lang_str_eq(fs->upname[i], name) && fs->up[i].instack == instack &&
		    fs->up[i].idx == idx)
			return i;
	if (fs->nup >= 255)
		lang_compile_error(fs->C, fs->line, fs->col,
				   "too many captured variables");
	fs->up[fs->nup].instack = instack;
	fs->up[fs->nup].idx = (uint8_t)idx;
	fs->upname[fs->nup] = name;
	return fs->nup++;
}

/* Upvalue index of name in fs, or -1 when it is a global. */
static int find_upval(FS *fs, String *name)
{
	for (int i = 0; i < fs->nup; i++)
		if (lang_str_eq(fs->upname[i], name))
			return i;
	if (!fs->parent)
		return -1;
	int l = find_local(fs->parent, name);
	if (l >= 0) {
		if (!fs->parent->locals[l].captured) {
			fs->parent->locals[l].captured = true;
			fs->parent->ncaptured++;
		}
		return add_upval(fs, name, true, fs->parent->locals[l].reg);
	}
	int u = find_upval(fs->parent, name);
	if (u < 0)
		return -1;
	return add_upval(fs, name, false, u);
}

enum { VAR_LOCAL, VAR_UP, VAR_GLOBAL };

static int resolve(FS *fs, String *name, int *idx)
{
	int l = find_local(fs, name);
	if (l >= 0) {
		*idx = fs->locals[l].reg;
		return VAR_LOCAL;
	}
	int u = find_upval(fs, name);
	if (u >= 0) {
		*idx = u;
		return VAR_UP;
	}
	*idx = str_k(fs, name);
	return VAR_GLOBAL;
}

/* ---- expressions ---- */

static int binop_code(int tok)
{
	switch (tok) {
	case '+': return OP_ADD;
	case '-': return OP_SUB;
	case '*': return OP_MUL;
	case '/': return OP_DIV;
	case TK_IDIV: return OP_IDIV;
	case '%': return OP_MOD;
	case TK_POW: return OP_POW;
	case '&': return OP_BAND;
	case '|': return OP_BOR;
	case '^': return OP_BXOR;
	case TK_SHL: return OP_SHL;
	case TK_SHR: return OP_SHR;
	case TK_ADDEQ: return OP_ADD;
	case TK_SUBEQ: return OP_SUB;
	case TK_MULEQ: return OP_MUL;
	case TK_DIVEQ: return OP_DIV;
	default: return OP_ADD;
	}
}

/* R[dst] = R[l] op rhs, using the K form for small number constants. */
static void emit_arith(FS *fs, int op, int dst, int l, Node *rhs)
{
	int k = num_k(fs, rhs);
	if (k >= 0 && k < 256) {
		emit(fs, MK_ABC(op - OP_ADD + OP_ADDK, dst, l, k));
		return;
	}
	int line = fs->line, col = fs->col;
	int r = expr_reg(fs, rhs);
	fs->line = line;
	fs->col = col;
	emit(fs, MK_ABC(op, dst, l, r));
}

static bool is_local_reg(FS *fs, int r)
{
	for (int i = 0; i < fs->nlocals; i++)
		if (fs->locals[i].reg == r)
			return true;
	return false;
}

static void expr_bin(FS *fs, Node *e, int dst)
{
	int save = fs->freereg;
	int l;
	if (!is_local_reg(fs, dst) && !(e->a->kind == N_NAME &&
					find_local(fs, e->a->s) >= 0)) {
		/* dst holds nothing live yet: use it for the left operand so
		 * long chains (a + b + c + ...) need no extra registers */
		expr(fs, e->a, dst);
		l = dst;
	} else {
		l = expr_reg(fs, e->a);
	}
	at(fs, e);
	emit_arith(fs, binop_code(e->op), dst, l, e->b);
	fs->freereg = save;
}

/* Emit code that jumps (list *jl) when truthy(e) == when. */
#define MAX_EXPR_DEPTH 1000

/* Bound the compiler's recursion (left-deep chains are not bounded by the
 * parser's nesting limit). */
static void enter_expr(FS *fs, Node *e)
{
	if (++fs->C->depth > MAX_EXPR_DEPTH)
		lang_compile_error(fs->C, e->line, e->col, "expression too complex");
}

static void cond_jump_in(FS *fs, Node *e, bool when, int *jl);

static void cond_jump(FS *fs, Node *e, bool when, int *jl)
{
	enter_expr(fs, e);
	cond_jump_in(fs, e, when, jl);
	fs->C->depth--;
}

static void cond_jump_in(FS *fs, Node *e, bool when, int *jl)
{
	int save = fs->freereg;
	switch (e->kind) {
	case N_NOT:
		cond_jump(fs, e->a, !when, jl);
		return;
	case N_AND:
	case N_OR: {
		bool is_and = e->kind == N_AND;
		if (is_and != when) {
			/* and/false or or/true: either side decides */
			cond_jump(fs, e->a, when, jl);
			cond_jump(fs, e->b, when, jl);
		} else {
			int skip = NO_JUMP;
			cond_jump(fs, e->a, !when, &skip);
			cond_jump(fs, e->b, when, jl);
			patch_here(fs, skip);
		}
		return;
	}
	case N_TRUE:
	case N_INT:
	case N_FLOAT:
	case N_STR:
		if (when)
			concat_jumps(fs, jl, emit_jump(fs));
		return;
	case N_NIL:
	case N_FALSE:
		if (!when)
			concat_jumps(fs, jl, emit_jump(fs));
		return;
	case N_CMP: {
		int l = expr_reg(fs, e->a);
		Node *b = e->b;
		int op = e->op;
		int k = (b->kind == N_INT || b->kind == N_FLOAT ||
			 b->kind == N_STR || b->kind == N_NIL ||
			 b->kind == N_TRUE || b->kind == N_FALSE)
			? -1 : -2;
		if (k == -1) {
			if (b->kind == N_STR)
				k = str_k(fs, b->s);
			else if (b->kind == N_NIL || b->kind == N_TRUE ||
				 b->kind == N_FALSE)
				k = (op == TK_EQ || op == TK_NE)
					? const_index(fs, b->kind == N_NIL ? V_NIL
						      : v_bool(b->kind == N_TRUE))
					: -2;
			else
				k = num_k(fs, b);
			if (k >= 256 || (b->kind == N_STR && op != TK_EQ &&
					 op != TK_NE))
				k = -2;
		}
		at(fs, e);
		if (k >= 0) {
			int code;
			bool w = when;
			switch (op) {
			case TK_EQ: code = OP_EQK; break;
			case TK_NE: code = OP_EQK; w = !when; break;
			case '<': code = OP_LTK; break;
			case TK_LE: code = OP_LEK; break;
			case '>': code = OP_GTK; break;
			default: code = OP_GEK; break;
			}
			emit(fs, MK_ABC(code, l, k, w));
		} else {
			int r = expr_reg(fs, b);
			at(fs, e);
			switch (op) {
			case TK_EQ: emit(fs, MK_ABC(OP_EQ, l, r, when)); break;
			case TK_NE: emit(fs, MK_ABC(OP_EQ, l, r, !when)); break;
			case '<': emit(fs, MK_ABC(OP_LT, l, r, when)); break;
			case TK_LE: emit(fs, MK_ABC(OP_LE, l, r, when)); break;
			case '>': emit(fs, MK_ABC(OP_LT, r, l, when | 2)); break;
			default: emit(fs, MK_ABC(OP_LE, r, l, when | 2)); break;
			}
		}
		concat_jumps(fs, jl, emit_jump(fs));
		fs->freereg = save;
		return;
	}
	default: {
		int r = expr_reg(fs, e);
		at(fs, e);
		emit(fs, MK_ABC(OP_TEST, r, 0, when));
		concat_jumps(fs, jl, emit_jump(fs));
		fs->freereg = save;
		return;
	}
	}
}

static bool is_range_call(FS *fs, Node *e)
{
	if (e->kind != N_CALL || e->a->kind != N_NAME || e->n < 1 || e->n > 3)
		return false;
	static const char r[] = "range";
	String *s = e->a->s;
	if (s->len != 5 || memcmp(s->data, r, 5) != 0)
		return false;
	/* Only the global range: a local or captured `range` is a value. */
	return find_local(fs, s) < 0 && find_upval(fs, s) < 0;
}

static bool is_local_reg(FS *fs, int r);

static void expr_call(FS *fs, Node *e, int dst)
{
	int save = fs->freereg;
	/* A call into the newest temporary runs in place (no MOVE). */
	int base = dst == fs->freereg - 1 && !is_local_reg(fs, dst)
		   ? dst : alloc_reg(fs);
	if (e->kind == N_METHOD) {
		int recv = alloc_reg(fs);
		expr(fs, e->a, recv);
	} else {
		expr(fs, e->a, base);
	}
	for (int i = 0; i < e->n; i++) {
		int r = alloc_reg(fs);
		expr(fs, e->list[i], r);
	}
	at(fs, e);
	if (e->kind == N_METHOD) {
		emit(fs, MK_ABC(OP_CALLM, base, e->n, 0));
		emit(fs, (uint32_t)str_k(fs, e->s));
	} else {
		emit(fs, MK_ABC(OP_CALL, base, e->n, 0));
	}
	if (dst != base)
		emit(fs, MK_ABC(OP_MOVE, dst, base, 0));
	fs->freereg = save;
}

static Proto *function(FS *parent, FuncNode *f);

static void expr(FS *fs, Node *e, int dst)
{
	int save = fs->freereg;
	enter_expr(fs, e);
	at(fs, e);
	switch (e->kind) {
	case N_NIL:
		emit(fs, MK_ABC(OP_LOADNIL, dst, 0, 0));
		break;
	case N_TRUE:
	case N_FALSE:
		emit(fs, MK_ABC(OP_LOADBOOL, dst, e->kind == N_TRUE, 0));
		break;
	case N_INT:
		if (e->i >= -SBX_BIAS && e->i <= SBX_BIAS)
			emit(fs, MK_ABX(OP_LOADI, dst, (int)e->i + SBX_BIAS));
		else
			emit(fs, MK_ABX(OP_LOADK, dst, const_index(fs, v_int(e->i))));
		break;
	case N_FLOAT:
		emit(fs, MK_ABX(OP_LOADK, dst, const_index(fs, v_float(e->f))));
		break;
	case N_STR:
		emit(fs, MK_ABX(OP_LOADK, dst, str_k(fs, e->s)));
		break;
	case N_NAME: {
		int idx;
		switch (resolve(fs, e->s, &idx)) {
		case VAR_LOCAL:
			if (idx != dst)
				emit(fs, MK_ABC(OP_MOVE, dst, idx, 0));
			break;
		case VAR_UP:
			emit(fs, MK_ABC(OP_GETUP, dst, idx, 0));
			break;
		default:
			emit(fs, MK_ABX(OP_GETG, dst, idx));
		}
		break;
	}
	case N_BIN:
		expr_bin(fs, e, dst);
		break;
	case N_AND:
	case N_OR:
		expr(fs, e->a, dst);
		at(fs, e);
		emit(fs, MK_ABC(OP_TEST, dst, 0, e->kind == N_OR));
		{
			int j = emit_jump(fs);
			expr(fs, e->b, dst);
			patch_here(fs, j);
		}
		break;
	case N_NOT:
	case N_NEG:
	case N_BNOT: {
		int r = expr_reg(fs, e->a);
		at(fs, e);
		int op = e->kind == N_NOT ? OP_NOT : e->kind == N_NEG ? OP_NEG : OP_BNOT;
		emit(fs, MK_ABC(op, dst, r, 0));
		break;
	}
	case N_CMP: {
		int jl = NO_JUMP;
		cond_jump(fs, e, true, &jl);
		emit(fs, MK_ABC(OP_LOADBOOL, dst, 0, 1));
		patch_here(fs, jl);
		emit(fs, MK_ABC(OP_LOADBOOL, dst, 1, 0));
		break;
	}
	case N_INDEX: {
		int o = expr_reg(fs, e->a);
		if (e->b->kind == N_STR) {
			int k = str_k(fs, e->b->s);
			if (k < 256) {
				at(fs, e);
				emit(fs, MK_ABC(OP_GETIDXK, dst, o, k));
				break;
			}
		}
		int k = expr_reg(fs, e->b);
		at(fs, e);
		emit(fs, MK_ABC(OP_GETIDX, dst, o, k));
		break;
	}
	case N_FIELD: {
		int o = expr_reg(fs, e->a);
		int k = str_k(fs, e->s);
		at(fs, e);
		if (k < 256) {
			emit(fs, MK_ABC(OP_GETFIELD, dst, o, k));
		} else {
			int r = alloc_reg(fs);
			emit(fs, MK_ABX(OP_LOADK, r, k));
			emit(fs, MK_ABC(OP_GETIDX, dst, o, r));
		}
		break;
	}
	case N_SLICE: {
		int o = expr_reg(fs, e->a);
		int lo = alloc_reg(fs);
		int hi = alloc_reg(fs);
		if (e->b)
			expr(fs, e->b, lo);
		else
			emit(fs, MK_ABC(OP_LOADNIL, lo, 0, 0));
		if (e->c)
			expr(fs, e->c, hi);
		else
			emit(fs, MK_ABC(OP_LOADNIL, hi, 0, 0));
		at(fs, e);
		emit(fs, MK_ABC(OP_SLICE, dst, o, lo));
		break;
	}
	case N_CALL:
	case N_METHOD:
		expr_call(fs, e, dst);
		break;
	case N_LIST:
		emit(fs, MK_ABC(OP_NEWLIST, dst, e->n > 255 ? 255 : e->n, 0));
		for (int i = 0; i < e->n; i++) {
			int r = expr_reg(fs, e->list[i]);
			at(fs, e->list[i]);
			emit(fs, MK_ABC(OP_LISTPUSH, dst, r, 0));
			fs->freereg = save;
		}
		break;
	case N_MAP:
		emit(fs, MK_ABC(OP_NEWMAP, dst, e->n / 2 > 255 ? 255 : e->n / 2, 0));
		for (int i = 0; i + 1 < e->n; i += 2) {
			int k = expr_reg(fs, e->list[i]);
			int v = expr_reg(fs, e->list[i + 1]);
			at(fs, e->list[i]);
			emit(fs, MK_ABC(OP_MAPSET, dst, k, v));
			fs->freereg = save;
		}
		break;
	case N_FUNC: {
		Proto *p = function(fs, e->fn);
		(void)p;
		at(fs, e);
		emit(fs, MK_ABX(OP_CLOSURE, dst, fs->nprotos - 1));
		break;
	}
	default:
		error_node(fs, e, "not an expression");
	}
	fs->freereg = save;
	fs->C->depth--;
}

/* The register holding e: a local's own register, or a new temporary. */
static int expr_reg(FS *fs, Node *e)
{
	if (e->kind == N_NAME) {
		int l = find_local(fs, e->s);
		if (l >= 0)
			return fs->locals[l].reg;
	}
	int r = alloc_reg(fs);
	expr(fs, e, r);
	return r;
}

/* Can e be compiled straight into a live local (reads all its inputs
 * before writing the destination)? */
static bool writes_last(Node *e)
{
	switch (e->kind) {
	case N_AND: case N_OR: case N_LIST: case N_MAP:
		return false;
	default:
		return true;
	}
}

/* ---- statements ---- */

static void store_var(FS *fs, Node *target, int src)
{
	int idx;
	switch (resolve(fs, target->s, &idx)) {
	case VAR_LOCAL:
		if (idx != src)
			emit(fs, MK_ABC(OP_MOVE, idx, src, 0));
		break;
	case VAR_UP:
		emit(fs, MK_ABC(OP_SETUP, src, idx, 0));
		break;
	default:
		if (!fs->toplevel_globals)
			lang_compile_error(fs->C, target->line, target->col,
				"undefined variable %s", target->s->data);
		emit(fs, MK_ABX(OP_SETG, src, idx));
	}
}

static void stmt_assign(FS *fs, Node *s)
{
	int save = fs->freereg;
	Node *t = s->a;
	bool compound = s->op != '=';
	int op = binop_code(s->op);
	if (t->kind == N_NAME) {
		int idx;
		int kind = resolve(fs, t->s, &idx);
		if (kind == VAR_GLOBAL && !fs->toplevel_globals)
			lang_compile_error(fs->C, t->line, t->col,
				"undefined variable %s", t->s->data);
		if (kind == VAR_LOCAL) {
			if (compound) {
				at(fs, s);
				emit_arith(fs, op, idx, idx, s->b);
			} else if (writes_last(s->b)) {
				expr(fs, s->b, idx);
			} else {
				int r = alloc_reg(fs);
				expr(fs, s->b, r);
				emit(fs, MK_ABC(OP_MOVE, idx, r, 0));
			}
		} else {
			int r = alloc_reg(fs);
			if (compound) {
				expr(fs, t, r);
				at(fs, s);
				emit_arith(fs, op, r, r, s->b);
			} else {
				expr(fs, s->b, r);
			}
			at(fs, s);
			store_var(fs, t, r);
		}
		fs->freereg = save;
		return;
	}
	int o = expr_reg(fs, t->a);
	int key;
	int fieldk = -1;
	if (t->kind == N_FIELD) {
		fieldk = str_k(fs, t->s);
		if (fieldk >= 256) {
			key = alloc_reg(fs);
			emit(fs, MK_ABX(OP_LOADK, key, fieldk));
			fieldk = -1;
		} else {
			key = 0;
		}
	} else {
		key = expr_reg(fs, t->b);
	}
	int v;
	if (compound) {
		v = alloc_reg(fs);
		at(fs, t);
		if (fieldk >= 0)
			emit(fs, MK_ABC(OP_GETFIELD, v, o, fieldk));
		else
			emit(fs, MK_ABC(OP_GETIDX, v, o, key));
		at(fs, s);
		emit_arith(fs, op, v, v, s->b);
	} else {
		v = expr_reg(fs, s->b);
	}
	at(fs, t);
	if (fieldk >= 0)
		emit(fs, MK_ABC(OP_SETFIELD, o, fieldk, v));
	else
		emit(fs, MK_ABC(OP_SETIDX, o, key, v));
	fs->freereg = save;
}

static Scope *enter_scope(FS *fs, bool loop)
{
	/* In the arena: an error may unwind while fs->scope points at it. */
	Scope *sc = lang_arena_alloc(fs->C, sizeof *sc);
	sc->prev = fs->scope;
	sc->nlocals = fs->nlocals;
	sc->freereg = fs->freereg;
	sc->loop = loop;
	sc->breaks = NO_JUMP;
	sc->continues = NO_JUMP;
	sc->trydepth = fs->trydepth;
	sc->ncaptured = fs->ncaptured;
	fs->scope = sc;
	return sc;
}

/* Close the scope: CLOSE when a local of it was captured. */
static void leave_scope(FS *fs, Scope *sc)
{
	bool captured = false;
	for (int i = sc->nlocals; i < fs->nlocals; i++)
		if (fs->locals[i].captured)
			captured = true;
	if (captured)
		emit(fs, MK_ABC(OP_CLOSE, sc->freereg, 0, 0));
	fs->nlocals = sc->nlocals;
	fs->freereg = sc->freereg;
	fs->scope = sc->prev;
}

static bool is_toplevel(FS *fs)
{
	return fs->toplevel_globals && !fs->parent && fs->scope &&
	       !fs->scope->prev;
}

static void stmt_let(FS *fs, Node *s)
{
	if (is_toplevel(fs)) {
		int save = fs->freereg;
		int r = alloc_reg(fs);
		if (s->a)
			expr(fs, s->a, r);
		else
			emit(fs, MK_ABC(OP_LOADNIL, r, 0, 0));
		at(fs, s);
		emit(fs, MK_ABX(OP_DEFG, r, str_k(fs, s->s)));
		fs->freereg = save;
		return;
	}
	int r = alloc_reg(fs);
	if (s->a)
		expr(fs, s->a, r);
	else
		emit(fs, MK_ABC(OP_LOADNIL, r, 0, 0));
	add_local(fs, s->s, r);
}

/* Loop bodies: the continue point closes captured locals then loops. */
static Scope *find_loop(FS *fs)
{
	for (Scope *sc = fs->scope; sc; sc = sc->prev)
		if (sc->loop)
			return sc;
	return NULL;
}

static void stmt_while(FS *fs, Node *s)
{
	Scope *loop = enter_scope(fs, true);
	int top = fs->ncode;
	int exit = NO_JUMP;
	cond_jump(fs, s->a, false, &exit);
	block(fs, s->b, true);
	patch_here(fs, loop->continues);
	at(fs, s);
	emit_loop(fs, top);
	patch_here(fs, exit);
	patch_here(fs, loop->breaks);
	if (fs->ncaptured != loop->ncaptured)
		emit(fs, MK_ABC(OP_CLOSE, loop->freereg, 0, 0));
	leave_scope(fs, loop);
}

static void stmt_for(FS *fs, Node *s)
{
	Scope *loop = enter_scope(fs, true);
	int base = alloc_reg(fs);
	alloc_reg(fs);
	alloc_reg(fs);
	if (is_range_call(fs, s->a)) {
		Node *c = s->a;
		if (s->s2)
			lang_compile_error(fs->C, s->line, s->col,
				"a range loop has one variable");
		if (c->n == 1) {
			emit(fs, MK_ABX(OP_LOADI, base, SBX_BIAS));
			expr(fs, c->list[0], base + 1);
			emit(fs, MK_ABX(OP_LOADI, base + 2, 1 + SBX_BIAS));
		} else {
			expr(fs, c->list[0], base);
			expr(fs, c->list[1], base + 1);
			if (c->n == 3)
				expr(fs, c->list[2], base + 2);
			else
				emit(fs, MK_ABX(OP_LOADI, base + 2, 1 + SBX_BIAS));
		}
		int var = alloc_reg(fs);
		at(fs, c);
		int prep = emit(fs, MK_ABX(OP_FORPREP, base, 0));
		Scope *body = enter_scope(fs, false);
		body->freereg = var; /* CLOSE covers the loop variable */
		add_local(fs, s->s, var);
		block(fs, s->b, false);
		leave_scope(fs, body);
		patch_here(fs, loop->continues);
		at(fs, s);
		int lp = emit(fs, MK_ABX(OP_FORLOOP, base, 0));
		set_sbx(fs, lp, prep + 1);
		set_sbx(fs, prep, fs->ncode);
	} else {
		expr(fs, s->a, base);
		int var = alloc_reg(fs);
		if (s->s2)
			alloc_reg(fs);
		at(fs, s->a);
		emit(fs, MK_ABC(OP_ITERPREP, base, 0, 0));
		int top = emit(fs, MK_ABC(OP_ITERNEXT, base, s->s2 ? 2 : 1, 0));
		int exit = emit_jump(fs);
		Scope *body = enter_scope(fs, false);
		body->freereg = var;
		add_local(fs, s->s, var);
		if (s->s2)
			add_local(fs, s->s2, var + 1);
		block(fs, s->b, false);
		leave_scope(fs, body);
		patch_here(fs, loop->continues);
		at(fs, s);
		emit_loop(fs, top);
		patch_here(fs, exit);
	}
	patch_here(fs, loop->breaks);
	if (fs->ncaptured != loop->ncaptured)
		emit(fs, MK_ABC(OP_CLOSE, loop->freereg, 0, 0));
	leave_scope(fs, loop);
}

static void stmt_try(FS *fs, Node *s)
{
	int save = fs->freereg;
	int reg = alloc_reg(fs);
	fs->freereg = reg; /* the body may use it; the handler writes it */
	at(fs, s);
	int t = emit(fs, MK_ABX(OP_TRY, reg, 0));
	fs->has_try = true;
	fs->trydepth++;
	block(fs, s->a, true);
	fs->trydepth--;
	emit(fs, MK_ABC(OP_ENDTRY, 1, 0, 0));
	int j = emit_jump(fs);
	set_sbx(fs, t, fs->ncode);
	Scope *sc = enter_scope(fs, false);
	fs->freereg = reg;
	alloc_reg(fs);
	if (s->s)
		add_local(fs, s->s, reg);
	block(fs, s->b, false);
	leave_scope(fs, sc);
	patch_here(fs, j);
	fs->freereg = save;
}

static void stmt(FS *fs, Node *s)
{
	int save = fs->freereg;
	at(fs, s);
	switch (s->kind) {
	case S_LET:
		stmt_let(fs, s);
		return; /* keeps its register */
	case S_FN: {
		function(fs, s->fn);
		at(fs, s);
		if (is_toplevel(fs)) {
			int r = alloc_reg(fs);
			emit(fs, MK_ABX(OP_CLOSURE, r, fs->nprotos - 1));
			emit(fs, MK_ABX(OP_DEFG, r, str_k(fs, s->s)));
		} else {
			emit(fs, MK_ABX(OP_CLOSURE, (int)s->i, fs->nprotos - 1));
		}
		break;
	}
	case S_ASSIGN:
		stmt_assign(fs, s);
		break;
	case S_EXPR:
		if (s->a->kind == N_CALL || s->a->kind == N_METHOD) {
			int r = alloc_reg(fs);
			expr(fs, s->a, r);
		} else {
			expr_reg(fs, s->a);
		}
		break;
	case S_IF: {
		int f = NO_JUMP;
		cond_jump(fs, s->a, false, &f);
		block(fs, s->b, true);
		if (s->c) {
			int end = emit_jump(fs);
			patch_here(fs, f);
			if (s->c->kind == S_IF)
				stmt(fs, s->c);
			else
				block(fs, s->c, true);
			patch_here(fs, end);
		} else {
			patch_here(fs, f);
		}
		break;
	}
	case S_WHILE:
		stmt_while(fs, s);
		break;
	case S_FOR:
		stmt_for(fs, s);
		break;
	case S_BREAK:
	case S_CONTINUE: {
		Scope *lp = find_loop(fs);
		if (!lp)
			error_node(fs, s, s->kind == S_BREAK
				   ? "break outside a loop"
				   : "continue outside a loop");
		/* The iteration ends: close the body's captured locals (the
		 * jump skips the CLOSE at the end of the body). */
		emit(fs, MK_ABC(OP_CLOSE, lp->freereg, 0, 0));
		if (fs->trydepth > lp->trydepth)
			emit(fs, MK_ABC(OP_ENDTRY, fs->trydepth - lp->trydepth, 0, 0));
		int j = emit_jump(fs);
		concat_jumps(fs, s->kind == S_BREAK ? &lp->breaks : &lp->continues, j);
		break;
	}
	case S_RETURN:
		if (s->a) {
			int r = expr_reg(fs, s->a);
			at(fs, s);
			emit(fs, MK_ABC(OP_RET, r, 0, 0));
		} else {
			emit(fs, MK_ABC(OP_RET0, 0, 0, 0));
		}
		break;
	case S_TRY:
		stmt_try(fs, s);
		break;
	case S_BLOCK:
		block(fs, s, true);
		break;
	default:
		error_node(fs, s, "not a statement");
	}
	fs->freereg = save;
}

/* Statements of a block; `fn` declarations are hoisted (declared at the
 * block start) so functions can call each other in any order. */
static void block(FS *fs, Node *b, bool new_scope)
{
	Scope *sc = NULL;
	if (new_scope)
		sc = enter_scope(fs, false);
	bool globals = fs->toplevel_globals && !fs->parent && fs->scope &&
		       !fs->scope->prev;
	if (!globals) {
		for (int i = 0; i < b->n; i++) {
			Node *s = b->list[i];
			if (s->kind != S_FN)
				continue;
			int r = alloc_reg(fs);
			at(fs, s);
			emit(fs, MK_ABC(OP_LOADNIL, r, 0, 0));
			add_local(fs, s->s, r);
			s->i = r;
		}
	}
	for (int i = 0; i < b->n; i++)
		stmt(fs, b->list[i]);
	if (new_scope)
		leave_scope(fs, sc);
}

/* Copy an arena array into a heap block owned by the Proto. */
static void *own(lang_state *L, const void *src, size_t n)
{
	if (!n)
		return NULL;
	void *p = lang_mem_realloc(L, NULL, 0, n);
	memcpy(p, src, n);
	return p;
}

static Proto *finish(FS *fs)
{
	lang_state *L = fs->C->L;
	FS *parent = fs->parent;
	Proto *p = lang_proto_new(L);
	/* Link into the parent before more allocation (keeps it reachable
	 * in the intended tree; no collection runs while compiling). */
	if (parent) {
		if (parent->nprotos == parent->capprotos) {
			int nc = parent->capprotos ? parent->capprotos * 2 : 8;
			if (nc > 65535)
				lang_compile_error(fs->C, fs->line, fs->col,
						   "too many functions");
			Proto **a = lang_arena_alloc(fs->C, (size_t)nc * sizeof *a);
			if (parent->nprotos)
				memcpy(a, parent->protos,
				       (size_t)parent->nprotos * sizeof *a);
			parent->protos = a;
			parent->capprotos = nc;
		}
		parent->protos[parent->nprotos++] = p;
	}
	p->code = own(L, fs->code, (size_t)fs->ncode * sizeof *fs->code);
	p->lines = own(L, fs->lines, (size_t)fs->ncode * sizeof *fs->lines);
	p->ncode = fs->ncode;
	p->k = own(L, fs->k, (size_t)fs->nk * sizeof *fs->k);
	p->nk = fs->nk;
	p->protos = own(L, fs->protos, (size_t)fs->nprotos * sizeof *fs->protos);
	p->nprotos = fs->nprotos;
	p->updesc = own(L, fs->up, (size_t)fs->nup * sizeof *fs->up);
	p->nup = fs->nup;
	p->name = fs->f->name;
	p->chunk = fs->C->chunk_s;
	p->source = fs->C->source_s;
	p->line = fs->f->line;
	p->col = fs->f->col;
	p->nparams = (uint8_t)fs->f->nparams;
	p->vararg = fs->f->vararg;
	p->maxregs = (uint8_t)(fs->maxregs + 1);
	p->needs_close = fs->ncaptured > 0 || fs->has_try;
	return p;
}

static Proto *function(FS *parent, FuncNode *f)
{
	Compile *C = parent ? parent->C : NULL;
	FS *fs = lang_arena_alloc(parent->C, sizeof *fs);
	memset(fs, 0, sizeof *fs);
	fs->C = C;
	fs->parent = parent;
	fs->f = f;
	fs->kmap = lang_map_alloc(C->L, 0);
	fs->line = f->line;
	fs->col = f->col;
	for (int i = 0; i < f->nparams; i++)
		add_local(fs, f->params[i], alloc_reg(fs));
	Scope *sc = enter_scope(fs, false);
	block(fs, f->body, false);
	fs->line = f->body->line;
	emit(fs, MK_ABC(OP_RET0, 0, 0, 0));
	leave_scope(fs, sc);
	return finish(fs);
}

Proto *lang_code_function(Compile *C, FuncNode *f)
{
	FS *fs = lang_arena_alloc(C, sizeof *fs);
	memset(fs, 0, sizeof *fs);
	fs->C = C;
	fs->f = f;
	fs->kmap = lang_map_alloc(C->L, 0);
	fs->toplevel_globals = C->repl;
	fs->line = fs->col = 1;
	f->name = lang_str_cstr(C->L, "<main>");
	Scope *sc = enter_scope(fs, false);
	Node *b = f->body;
	/* REPL: a lone expression is the chunk's value. */
	if (C->repl && b->n == 1 && b->list[0]->kind == S_EXPR) {
		int r = expr_reg(fs, b->list[0]->a);
		emit(fs, MK_ABC(OP_RET, r, 0, 0));
	} else {
		block(fs, b, false);
		emit(fs, MK_ABC(OP_RET0, 0, 0, 0));
	}
	leave_scope(fs, sc);
	return finish(fs);
}

/* ---- entry ---- */

_Noreturn void lang_compile_error(Compile *C, int line, int col,
				  const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	lang_state *L = C->L;
	/* Find the source line for the caret. */
	const char *s = C->src, *end = C->src + C->len;
	int ln = 1;
	while (s < end && ln < line) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl) {
			s = end;
			break;
		}
		s = nl + 1;
		ln++;
	}
	const char *e = s;
	while (e < end && *e != '\n')
		e++;
	size_t mlen = strlen(C->chunk) + strlen(msg) + 64;
	size_t rlen = mlen + (size_t)(e - s) * 2 + (size_t)col + 16;
	free(L->errmsg);
	free(L->errreport);
	L->errmsg = malloc(mlen);
	L->errreport = malloc(rlen);
	if (L->errmsg)
		snprintf(L->errmsg, mlen, "%s:%d:%d: %s", C->chunk, line, col, msg);
	if (L->errreport) {
		int n = snprintf(L->errreport, rlen, "%s:%d:%d: %s\n", C->chunk,
				 line, col, msg);
		if (ln == line && (s < e || col == 1) && e - s <= 500) {
			n += snprintf(L->errreport + n, rlen - (size_t)n, "  %.*s\n  ",
				      (int)(e - s), s);
			for (int i = 1; i < col && (size_t)n + 3 < rlen; i++)
				L->errreport[n++] = (s + i - 1 < e && s[i - 1] == '\t')
					? '\t' : ' ';
			snprintf(L->errreport + n, rlen - (size_t)n, "^\n");
		}
	}
	L->errval = V_NIL;
	L->status = LANG_ESYNTAX;
	longjmp(L->errjmp->b, LANG_ESYNTAX);
}

struct compile_args {
	Compile *C;
	Proto *p;
};

static void do_compile(lang_state *L, void *ud)
{
	struct compile_args *a = ud;
	Compile *C = a->C;
	C->chunk_s = lang_str_cstr(L, C->chunk);
	C->source_s = lang_str_new(L, C->src, C->len);
	lang_lex_init(C);
	FuncNode *f = lang_parse_chunk(C);
	a->p = lang_code_function(C, f);
}

Proto *lang_compile(lang_state *L, const char *chunk, const char *src,
		    size_t len, bool repl, bool *incomplete)
{
	bool inc = false;
	Compile C;
	memset(&C, 0, sizeof C);
	C.L = L;
	C.chunk = chunk;
	C.src = src;
	C.len = len;
	C.repl = repl;
	C.incomplete = &inc;
	struct compile_args a = { &C, NULL };
	int st = lang_vm_pcall(L, do_compile, &a);
	arena_free(&C);
	if (incomplete)
		*incomplete = inc;
	return st ? NULL : a.p;
}
