/*
 * vm.c: the bytecode interpreter, calls, errors and limits.
 *
 * OrionLang calls do not recurse on the C stack: a call pushes a CallInfo
 * and the same dispatch loop continues. Only C functions that call back
 * into OrionLang (list.sort, list.map, lang_call...) nest the loop, and
 * that nesting is bounded (MAX_CDEPTH). Errors unwind with longjmp to the
 * innermost loop (or protected call), which resumes at a try handler of
 * its own level or passes the error outwards.
 *
 * Steps: one per call and per backward jump, counted down in L->tick;
 * the slow path (lang_vm_slow_tick) accounts them, runs the collector when
 * asked to, and checks the step budget and the deadline.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lang/internal.h"
#include "lang/opcodes.h"

#define TICK_CHUNK 4096

uint64_t lang_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- error construction ---- */

/* Location of the running instruction of frame ci. */
static bool frame_loc(lang_state *L, int ci, int *line, int *col)
{
	if (ci < 0 || !L->cis[ci].cl)
		return false;
	Proto *p = L->cis[ci].cl->p;
	long i = (long)(L->cis[ci].pc - p->code) - 1;
	if (i < 0)
		i = 0;
	if (i >= p->ncode)
		i = p->ncode - 1;
	if (i < 0)
		return false;
	*line = p->lines[i].line;
	*col = p->lines[i].col;
	return true;
}

/* Append the source line `line` of p and a caret at col to b. */
static void add_caret(Buf *b, String *src, int line, int col)
{
	if (!src)
		return;
	const char *s = src->data, *end = src->data + src->len;
	for (int ln = 1; ln < line; ln++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			return;
		s = nl + 1;
	}
	const char *e = s;
	while (e < end && *e != '\n')
		e++;
	if (e - s > 500)
		return; /* too long to be useful */
	lang_buf_add(b, "  ", 2);
	lang_buf_add(b, s, (size_t)(e - s));
	lang_buf_add(b, "\n  ", 3);
	for (int i = 1; i < col; i++)
		lang_buf_addc(b, s + i - 1 < e && s[i - 1] == '\t' ? '\t' : ' ');
	lang_buf_add(b, "^\n", 2);
}

static char *dup_cstr(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

/* Fill errmsg and errreport for an uncaught error with text msg (already
 * located when located). Cap checks are off while this runs. */
static void build_report(lang_state *L, const char *msg, size_t mlen,
			 bool located)
{
	Buf b;
	lang_buf_init(&b, L);
	int line = 0, col = 0;
	bool has = frame_loc(L, L->ci, &line, &col);
	Proto *p = has ? L->cis[L->ci].cl->p : NULL;
	if (has && !located)
		lang_buf_printf(&b, "%s:%d:%d: ", p->chunk->data, line, col);
	lang_buf_add(&b, msg, mlen);
	free(L->errmsg);
	L->errmsg = dup_cstr(b.p, b.len);
	lang_buf_addc(&b, '\n');
	if (has)
		add_caret(&b, p->source, line, col);
	for (int i = L->ci; i >= 0; i--) {
		if (!L->cis[i].cl)
			continue;
		/* Long traces keep the 10 innermost and 10 outermost frames. */
		if (L->ci > 20 && i == L->ci - 10) {
			lang_buf_printf(&b, "  ... %d more frames\n", L->ci - 20);
			i = 10;
		}
		Proto *q = L->cis[i].cl->p;
		int ln, cl;
		frame_loc(L, i, &ln, &cl);
		lang_buf_printf(&b, "  at %s (%s:%d:%d)\n",
				q->name ? q->name->data : "<anonymous>",
				q->chunk->data, ln, cl);
	}
	free(L->errreport);
	L->errreport = dup_cstr(b.p, b.len);
	lang_buf_free(&b);
}

static bool will_catch(lang_state *L)
{
	return !L->dead && L->nhandlers > L->handler_floor;
}

static _Noreturn void throw_now(lang_state *L, int status)
{
	L->status = status;
	if (!L->errjmp) {
		/* Unreachable: runs are protected and so are the API functions
		 * that can raise (see api.c guard). */
		__builtin_trap();
	}
	longjmp(L->errjmp->b, status);
}

void lang_rt_error(lang_state *L, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t cap = L->mem_cap;
	L->mem_cap = 0;
	int line, col;
	char full[1200];
	if (frame_loc(L, L->ci, &line, &col))
		snprintf(full, sizeof full, "%s:%d:%d: %s",
			 L->cis[L->ci].cl->p->chunk->data, line, col, msg);
	else
		snprintf(full, sizeof full, "%s", msg);
	L->errval = v_obj(T_STR, lang_str_cstr(L, full));
	L->err_located = true;
	if (!will_catch(L))
		build_report(L, full, strlen(full), true);
	L->mem_cap = cap;
	throw_now(L, LANG_ERUNTIME);
}

/* Raise v; located: v is a message that already has its location. */
static _Noreturn void throw_value(lang_state *L, Value v, bool located)
{
	size_t cap = L->mem_cap;
	L->mem_cap = 0;
	L->errval = v;
	L->err_located = located;
	if (!will_catch(L)) {
		String *s = lang_tostring(L, v);
		L->errval = v;
		build_report(L, s->data, s->len, located);
	}
	L->mem_cap = cap;
	throw_now(L, LANG_ERUNTIME);
}

void lang_throw_value(lang_state *L, Value v)
{
	throw_value(L, v, false);
}

void lang_fatal(lang_state *L, int status, const char *msg)
{
	if (L->dead == 0)
		L->dead = status;
	size_t cap = L->mem_cap;
	L->mem_cap = 0;
	L->gc_running = false;
	build_report(L, msg, strlen(msg), false);
	L->errval = v_obj(T_STR, lang_str_cstr(L, L->errmsg ? L->errmsg : msg));
	L->err_located = true;
	L->mem_cap = cap;
	throw_now(L, status);
}

/* ---- upvalues ---- */

static UpVal *find_upval(lang_state *L, Value *slot)
{
	UpVal **pp = &L->open_up;
	UpVal *u;
	while ((u = *pp) && u->v >= slot) {
		if (u->v == slot)
			return u;
		pp = &u->open_next;
	}
	UpVal *n = lang_gc_new(L, T_UPVAL, sizeof(UpVal));
	n->v = slot;
	n->closed = V_NIL;
	n->open_next = u;
	*pp = n;
	return n;
}

static void close_upvals(lang_state *L, Value *level)
{
	UpVal *u;
	while ((u = L->open_up) && u->v >= level) {
		u->closed = *u->v;
		u->v = &u->closed;
		L->open_up = u->open_next;
	}
}

/* ---- protected calls ---- */

int lang_vm_pcall(lang_state *L, void (*f)(lang_state *, void *), void *ud)
{
	ErrJmp ej;
	int saved_ci = L->ci, saved_cdepth = L->cdepth;
	int saved_h = L->nhandlers, saved_floor = L->handler_floor;
	Value *saved_top = L->top;
	ej.prev = L->errjmp;
	L->errjmp = &ej;
	L->handler_floor = L->nhandlers;
	int st = _setjmp(ej.b);
	if (st == 0)
		f(L, ud);
	L->errjmp = ej.prev;
	if (st) {
		close_upvals(L, saved_top);
		L->ci = saved_ci;
		L->cdepth = saved_cdepth;
		L->top = saved_top;
	}
	if (saved_ci < 0) {
		/* Outermost run: drop what the finished frames left on the
		 * stack so the collector does not keep it alive. */
		for (Value *v = saved_top; v < L->hwm; v++)
			*v = V_NIL;
		L->hwm = saved_top;
	}
	L->nhandlers = saved_h;
	L->handler_floor = saved_floor;
	return st;
}

/* ---- limits ---- */

void lang_vm_slow_tick(lang_state *L)
{
	L->steps_used += (uint64_t)(L->tick_start - L->tick);
	L->tick = L->tick_start = 0;
	if (L->gc_wanted) {
		if (L->ci >= 0 && L->cis[L->ci].cl) {
			Value *t = L->cis[L->ci].base + L->cis[L->ci].cl->p->maxregs;
			if (t > L->top)
				L->top = t;
		}
		if (L->top > L->hwm)
			L->hwm = L->top;
		lang_gc_collect(L);
	}
	if (L->dead)
		lang_fatal(L, L->dead, L->dead == LANG_ESTEPS
			   ? "step budget exhausted"
			   : L->dead == LANG_EDEADLINE ? "deadline exceeded"
			   : L->dead == LANG_EINTR ? "interrupted"
			   : "memory limit exceeded");
	if (L->interrupted) {
		L->interrupted = 0;
		lang_fatal(L, LANG_EINTR, "interrupted");
	}
	if (L->steps_limit && L->steps_used >= L->steps_limit)
		lang_fatal(L, LANG_ESTEPS, "step budget exhausted");
	if (L->deadline && lang_now_ns() >= L->deadline)
		lang_fatal(L, LANG_EDEADLINE, "deadline exceeded");
	int64_t t = TICK_CHUNK;
	if (L->steps_limit && L->steps_limit - L->steps_used < (uint64_t)t)
		t = (int64_t)(L->steps_limit - L->steps_used);
	L->tick = L->tick_start = t;
}

/* ---- arithmetic helpers (slow paths) ---- */

static const char *const arith_verb[] = {
	"add", "subtract", "multiply", "divide", "floor-divide", "take the modulo of",
	"raise", "apply & to", "apply | to", "apply ^ to", "shift", "shift"
};

static _Noreturn void arith_error(lang_state *L, int op, Value a, Value b)
{
	if (op >= OP_BAND && op <= OP_SHR)
		lang_rt_error(L, "bitwise operation on %s and %s (ints needed)",
			      lang_type_name(a), lang_type_name(b));
	lang_rt_error(L, "cannot %s %s and %s", arith_verb[op - OP_ADD],
		      lang_type_name(a), lang_type_name(b));
}

static int64_t ipow(lang_state *L, int64_t b, int64_t e)
{
	int64_t r = 1;
	while (e > 0) {
		if (e & 1)
			if (__builtin_mul_overflow(r, b, &r))
				lang_rt_error(L, "integer overflow");
		e >>= 1;
		if (e && __builtin_mul_overflow(b, b, &b))
			lang_rt_error(L, "integer overflow");
	}
	return r;
}

static int64_t shift_left(int64_t a, int64_t n)
{
	if (n <= -64 || n >= 64)
		return n < 0 && a < 0 ? -1 : 0;
	if (n >= 0)
		return (int64_t)((uint64_t)a << n);
	return a >> -n;
}

static Value concat(lang_state *L, Value a, Value b)
{
	if (a.tag == T_STR) {
		String *x = AS_STR(a), *y = AS_STR(b);
		if (x->len + y->len <= INTERN_MAX) {
			/* short: look the result up before allocating */
			char tmp[INTERN_MAX];
			memcpy(tmp, x->data, x->len);
			memcpy(tmp + x->len, y->data, y->len);
			return v_obj(T_STR, lang_str_new(L, tmp, x->len + y->len));
		}
		if (x->len + y->len < x->len)
			lang_fatal(L, LANG_EMEM, "memory limit exceeded");
		String *s = lang_str_alloc(L, x->len + y->len);
		memcpy(s->data, x->data, x->len);
		memcpy(s->data + x->len, y->data, y->len);
		return v_obj(T_STR, lang_str_done(L, s));
	}
	List *x = AS_LIST(a), *y = AS_LIST(b);
	List *l = lang_list_alloc(L, x->len + y->len);
	if (x->len)
		memcpy(l->items, x->items, x->len * sizeof(Value));
	if (y->len)
		memcpy(l->items + x->len, y->items, y->len * sizeof(Value));
	l->len = x->len + y->len;
	return v_obj(T_LIST, l);
}

static Value arith(lang_state *L, int op, Value a, Value b)
{
	if (a.tag == T_INT && b.tag == T_INT) {
		int64_t x = a.u.i, y = b.u.i, r;
		switch (op) {
		case OP_ADD:
			if (__builtin_add_overflow(x, y, &r))
				lang_rt_error(L, "integer overflow");
			return v_int(r);
		case OP_SUB:
			if (__builtin_sub_overflow(x, y, &r))
				lang_rt_error(L, "integer overflow");
			return v_int(r);
		case OP_MUL:
			if (__builtin_mul_overflow(x, y, &r))
				lang_rt_error(L, "integer overflow");
			return v_int(r);
		case OP_DIV:
			return v_float((double)x / (double)y);
		case OP_IDIV:
			if (y == 0)
				lang_rt_error(L, "division by zero");
			if (x == INT64_MIN && y == -1)
				lang_rt_error(L, "integer overflow");
			r = x / y;
			if ((x % y != 0) && ((x < 0) != (y < 0)))
				r--;
			return v_int(r);
		case OP_MOD:
			if (y == 0)
				lang_rt_error(L, "division by zero");
			if (y == -1)
				return v_int(0);
			r = x % y;
			if (r != 0 && ((r < 0) != (y < 0)))
				r += y;
			return v_int(r);
		case OP_POW:
			if (y >= 0)
				return v_int(ipow(L, x, y));
			return v_float(pow((double)x, (double)y));
		case OP_BAND: return v_int(x & y);
		case OP_BOR: return v_int(x | y);
		case OP_BXOR: return v_int(x ^ y);
		case OP_SHL: return v_int(shift_left(x, y));
		case OP_SHR:
			return v_int(y == INT64_MIN ? 0 : shift_left(x, -y));
		}
	}
	if ((a.tag == T_INT || a.tag == T_FLOAT) &&
	    (b.tag == T_INT || b.tag == T_FLOAT) && op < OP_BAND) {
		double x = a.tag == T_INT ? (double)a.u.i : a.u.f;
		double y = b.tag == T_INT ? (double)b.u.i : b.u.f;
		switch (op) {
		case OP_ADD: return v_float(x + y);
		case OP_SUB: return v_float(x - y);
		case OP_MUL: return v_float(x * y);
		case OP_DIV: return v_float(x / y);
		case OP_IDIV: return v_float(floor(x / y));
		case OP_MOD: {
			double m = fmod(x, y);
			if (m != 0 && ((m < 0) != (y < 0)))
				m += y;
			return v_float(m);
		}
		case OP_POW: return v_float(pow(x, y));
		}
	}
	if (op == OP_ADD && a.tag == b.tag && (a.tag == T_STR || a.tag == T_LIST))
		return concat(L, a, b);
	arith_error(L, op, a, b);
}

/* Exact i < f and i <= f (no rounding of the int); false for NaN. */
static bool int_lt_float(int64_t i, double f)
{
	if (isnan(f))
		return false;
	if (f >= 9.2233720368547758e18)
		return true;
	if (f < -9.2233720368547758e18)
		return false;
	double fl = floor(f);
	return fl == f ? i < (int64_t)fl : i <= (int64_t)fl;
}

static bool int_le_float(int64_t i, double f)
{
	if (isnan(f))
		return false;
	if (f >= 9.2233720368547758e18)
		return true;
	if (f < -9.2233720368547758e18)
		return false;
	return i <= (int64_t)floor(f);
}

/* a < b (le: a <= b); numbers or strings. */
static bool less(lang_state *L, Value a, Value b, bool le, bool swapped)
{
	if (a.tag == T_INT && b.tag == T_INT)
		return le ? a.u.i <= b.u.i : a.u.i < b.u.i;
	if (a.tag == T_FLOAT && b.tag == T_FLOAT)
		return le ? a.u.f <= b.u.f : a.u.f < b.u.f;
	if (a.tag == T_INT && b.tag == T_FLOAT)
		return le ? int_le_float(a.u.i, b.u.f) : int_lt_float(a.u.i, b.u.f);
	if (a.tag == T_FLOAT && b.tag == T_INT) {
		if (isnan(a.u.f))
			return false;
		/* f < i  <=>  not (i <= f);  f <= i  <=>  not (i < f) */
		return le ? !int_lt_float(b.u.i, a.u.f) : !int_le_float(b.u.i, a.u.f);
	}
	if (a.tag == T_STR && b.tag == T_STR) {
		String *x = AS_STR(a), *y = AS_STR(b);
		size_t n = x->len < y->len ? x->len : y->len;
		int c = memcmp(x->data, y->data, n);
		if (c == 0)
			c = x->len < y->len ? -1 : x->len > y->len;
		return le ? c <= 0 : c < 0;
	}
	if (swapped)
		lang_rt_error(L, "cannot compare %s and %s", lang_type_name(b),
			      lang_type_name(a));
	lang_rt_error(L, "cannot compare %s and %s", lang_type_name(a),
		      lang_type_name(b));
}

bool lang_less(lang_state *L, Value a, Value b)
{
	return less(L, a, b, false, false);
}

/* ---- indexing ---- */

static int64_t norm_index(lang_state *L, Value k, size_t len, const char *what)
{
	int64_t i;
	if (k.tag == T_INT)
		i = k.u.i;
	else if (k.tag == T_FLOAT && k.u.f == floor(k.u.f) && fabs(k.u.f) < 9e18)
		i = (int64_t)k.u.f;
	else
		lang_rt_error(L, "%s index must be an int, not %s", what,
			      lang_type_name(k));
	int64_t j = i < 0 ? i + (int64_t)len : i;
	if (j < 0 || (uint64_t)j >= len)
		lang_rt_error(L, "%s index %lld out of range (length %zu)", what,
			      (long long)i, len);
	return j;
}

static Value get_index(lang_state *L, Value o, Value k)
{
	switch (o.tag) {
	case T_LIST: {
		List *l = AS_LIST(o);
		return l->items[norm_index(L, k, l->len, "list")];
	}
	case T_MAP: {
		if (!IS_OBJ(k) || k.tag == T_STR) {
			Value *v = lang_map_find(AS_MAP(o), k);
			return v ? *v : V_NIL;
		}
		lang_rt_error(L, "%s cannot be a map key", lang_type_name(k));
	}
	case T_STR: {
		String *s = AS_STR(o);
		int64_t i = norm_index(L, k, s->len, "string");
		return v_obj(T_STR, lang_str_new(L, s->data + i, 1));
	}
	default:
		lang_rt_error(L, "cannot index %s", lang_type_name(o));
	}
}

static void set_index(lang_state *L, Value o, Value k, Value v)
{
	switch (o.tag) {
	case T_LIST: {
		List *l = AS_LIST(o);
		l->items[norm_index(L, k, l->len, "list")] = v;
		return;
	}
	case T_MAP:
		lang_map_put(L, AS_MAP(o), k, v);
		return;
	case T_STR:
		lang_rt_error(L, "strings are immutable");
	default:
		lang_rt_error(L, "cannot assign an index of %s", lang_type_name(o));
	}
}

static Value get_field(lang_state *L, Value o, String *name)
{
	if (o.tag == T_MAP) {
		Value *v = lang_map_findstr(AS_MAP(o), name);
		return v ? *v : V_NIL;
	}
	lang_rt_error(L, "cannot read field '%s' of %s", name->data,
		      lang_type_name(o));
}

static int64_t slice_bound(lang_state *L, Value v, int64_t len, int64_t dflt)
{
	if (v.tag == T_NIL)
		return dflt;
	int64_t i;
	if (v.tag == T_INT)
		i = v.u.i;
	else if (v.tag == T_FLOAT && v.u.f == floor(v.u.f) && fabs(v.u.f) < 9e18)
		i = (int64_t)v.u.f;
	else
		lang_rt_error(L, "slice index must be an int, not %s",
			      lang_type_name(v));
	if (i < 0)
		i += len;
	if (i < 0)
		i = 0;
	if (i > len)
		i = len;
	return i;
}

static Value slice(lang_state *L, Value o, Value lo, Value hi)
{
	if (o.tag == T_STR) {
		String *s = AS_STR(o);
		int64_t a = slice_bound(L, lo, (int64_t)s->len, 0);
		int64_t b = slice_bound(L, hi, (int64_t)s->len, (int64_t)s->len);
		if (b < a)
			b = a;
		return v_obj(T_STR, lang_str_new(L, s->data + a, (size_t)(b - a)));
	}
	if (o.tag == T_LIST) {
		List *l = AS_LIST(o);
		int64_t a = slice_bound(L, lo, (int64_t)l->len, 0);
		int64_t b = slice_bound(L, hi, (int64_t)l->len, (int64_t)l->len);
		if (b < a)
			b = a;
		List *r = lang_list_alloc(L, (size_t)(b - a));
		if (b > a)
			memcpy(r->items, l->items + a, (size_t)(b - a) * sizeof(Value));
		r->len = (size_t)(b - a);
		return v_obj(T_LIST, r);
	}
	lang_rt_error(L, "cannot slice %s", lang_type_name(o));
}

/* ---- method lookup ---- */

Value lang_method_lookup(lang_state *L, Value recv, String *name, bool *pass_self)
{
	Value *f = NULL;
	*pass_self = true;
	switch (recv.tag) {
	case T_STR:
		f = lang_map_findstr(L->mod_string, name);
		break;
	case T_LIST:
		f = lang_map_findstr(L->mod_list, name);
		break;
	case T_MAP:
		*pass_self = false;
		f = lang_map_findstr(AS_MAP(recv), name);
		if (!f || f->tag == T_NIL)
			lang_rt_error(L, "map has no function '%s'", name->data);
		return *f;
	case T_CFUNC:
		if (lang_is_stream_writer(AS_CF(recv)->fn) &&
		    strcmp(name->data, "write") == 0) {
			*pass_self = false;
			return recv;
		}
		break;
	case T_HOST: {
		const struct lang_reg *r = AS_HOST(recv)->ty->methods;
		for (; r && r->name; r++)
			if (strcmp(r->name, name->data) == 0)
				return v_obj(T_CFUNC, lang_cfunc_new(L, r->name, r->fn));
		break;
	}
	default:
		break;
	}
	if (!f)
		lang_rt_error(L, "%s has no method '%s'", lang_type_name(recv),
			      name->data);
	return *f;
}

Value *lang_push(lang_state *L, Value v)
{
	if (L->top >= L->stack_end)
		lang_rt_error(L, "stack overflow");
	*L->top = v;
	Value *p = L->top++;
	if (L->top > L->hwm)
		L->hwm = L->top;
	return p;
}

/* ---- calls ---- */

static void handle_cfunc_status(lang_state *L, int st)
{
	if (st == LANG_ESTEPS || st == LANG_EMEM || st == LANG_EDEADLINE ||
	    st == LANG_EEXIT || st == LANG_EINTR) {
		if (st == LANG_EEXIT) {
			L->dead = LANG_EEXIT;
			throw_now(L, LANG_EEXIT);
		}
		lang_fatal(L, st, st == LANG_ESTEPS ? "step budget exhausted"
			   : st == LANG_EMEM ? "memory limit exceeded"
			   : st == LANG_EINTR ? "interrupted"
			   : "deadline exceeded");
	}
	throw_value(L, L->errval, L->err_located);
}

static inline void call_c(lang_state *L, Value *fslot, int nargs)
{
	CFunc *f = AS_CF(*fslot);
	Value ret = V_NIL;
	Value *saved = L->top;
	L->top = fslot + 1 + nargs;
	if (L->top > L->hwm)
		L->hwm = L->top;
	L->status = 0;
	int st = f->fn(L, nargs, fslot + 1, &ret);
	L->top = saved;
	if (st)
		handle_cfunc_status(L, st);
	*fslot = ret;
}

/* Push a frame for closure *fslot; returns it. */
static inline __attribute__((always_inline)) CallInfo *
push_frame(lang_state *L, Value *fslot, int nargs)
{
	Closure *cl = AS_CL(*fslot);
	Proto *p = cl->p;
	Value *base = fslot + 1;
	if (L->ci + 1 >= LANG_MAX_DEPTH || base + p->maxregs > L->stack_end)
		lang_rt_error(L, "stack overflow");
	int np = p->nparams;
	if (p->vararg) {
		int fixed = np - 1;
		List *rest = lang_list_alloc(L, nargs > fixed ? (size_t)(nargs - fixed) : 0);
		for (int i = fixed; i < nargs; i++)
			rest->items[rest->len++] = base[i];
		for (int i = nargs; i < fixed; i++)
			base[i] = V_NIL;
		base[fixed] = v_obj(T_LIST, rest);
	} else {
		for (int i = nargs; i < np; i++)
			base[i] = V_NIL;
	}
	CallInfo *ci = &L->cis[++L->ci];
	ci->cl = cl;
	ci->base = base;
	ci->pc = p->code;
	if (base + p->maxregs > L->hwm)
		L->hwm = base + p->maxregs;
	return ci;
}

static void run(lang_state *L, int entry);

/* Run frames from L->ci until frame `entry` returns, catching errors
 * for try handlers of this C level. */
static void execute(lang_state *L, int entry)
{
	ErrJmp ej;
	if (L->cdepth >= MAX_CDEPTH)
		lang_rt_error(L, "stack overflow (nested calls from builtins)");
	int my = ++L->cdepth;
	ej.prev = L->errjmp;
	L->errjmp = &ej;
	for (;;) {
		int st = _setjmp(ej.b);
		if (st == 0) {
			run(L, entry);
			break;
		}
		/* An error: resume at a try handler of this level, if any. */
		L->cdepth = my;
		if (st == LANG_ERUNTIME && will_catch(L) &&
		    L->handlers[L->nhandlers - 1].cdepth == my &&
		    L->handlers[L->nhandlers - 1].ci >= entry) {
			Handler *h = &L->handlers[--L->nhandlers];
			L->ci = h->ci;
			CallInfo *ci = &L->cis[h->ci];
			close_upvals(L, ci->base + h->reg);
			ci->base[h->reg] = L->errval;
			ci->pc = h->pc;
			L->top = ci->base + ci->cl->p->maxregs;
			continue;
		}
		L->errjmp = ej.prev;
		L->cdepth = my - 1;
		longjmp(ej.prev->b, st);
	}
	L->errjmp = ej.prev;
	L->cdepth = my - 1;
}

void lang_vm_call(lang_state *L, Value *fslot, int nargs)
{
	if (--L->tick <= 0)
		lang_vm_slow_tick(L);
	if (fslot->tag == T_CFUNC) {
		call_c(L, fslot, nargs);
		return;
	}
	if (fslot->tag != T_FUNC)
		lang_rt_error(L, "cannot call %s", lang_type_name(*fslot));
	Value *saved = L->top;
	push_frame(L, fslot, nargs);
	execute(L, L->ci);
	L->top = saved;
}

Value lang_vm_callv(lang_state *L, Value f, int nargs, const Value *args)
{
	Value *saved = L->top;
	if (L->top + nargs + 1 >= L->stack_end)
		lang_rt_error(L, "stack overflow");
	Value *slot = L->top;
	slot[0] = f;
	for (int i = 0; i < nargs; i++)
		slot[1 + i] = args[i];
	L->top = slot + 1 + nargs;
	if (L->top > L->hwm)
		L->hwm = L->top;
	lang_vm_call(L, slot, nargs);
	Value r = *slot;
	L->top = saved;
	return r;
}

/* ---- iteration ---- */

static void iter_prep(lang_state *L, Value *ra)
{
	if (ra->tag != T_LIST && ra->tag != T_MAP && ra->tag != T_STR)
		lang_rt_error(L, "cannot iterate over %s", lang_type_name(*ra));
	ra[1] = v_int(0);
	ra[2] = v_int(ra->tag == T_MAP ? AS_MAP(*ra)->epoch : 0);
}

/* Next item into ra[3] (and ra[4]); false at the end. */
static bool iter_next(lang_state *L, Value *ra, int nvars)
{
	switch (ra->tag) {
	case T_LIST: {
		List *l = AS_LIST(*ra);
		int64_t i = ra[1].u.i;
		if ((uint64_t)i >= l->len)
			return false;
		ra[1].u.i = i + 1;
		if (nvars == 2) {
			ra[3] = v_int(i);
			ra[4] = l->items[i];
		} else {
			ra[3] = l->items[i];
		}
		return true;
	}
	case T_MAP: {
		Map *m = AS_MAP(*ra);
		uint32_t ep = (uint32_t)ra[2].u.i;
		uint32_t i = lang_map_iter_fix(m, (uint32_t)ra[1].u.i, &ep);
		ra[2].u.i = ep;
		MapEntry *e = lang_map_iter(m, &i);
		if (!e)
			return false;
		ra[1].u.i = i;
		ra[3] = e->key;
		if (nvars == 2)
			ra[4] = e->val;
		return true;
	}
	default: {
		String *s = AS_STR(*ra);
		int64_t i = ra[1].u.i;
		if ((uint64_t)i >= s->len)
			return false;
		size_t n = lang_utf8_len((const unsigned char *)s->data + i,
					 s->len - (size_t)i);
		Value c = v_obj(T_STR, lang_str_new(L, s->data + i, n));
		ra[1].u.i = i + (int64_t)n;
		if (nvars == 2) {
			ra[3] = ra[2];
			ra[4] = c;
			ra[2].u.i++;
		} else {
			ra[3] = c;
		}
		return true;
	}
	}
}

/* On return: close the frame's upvalues and drop its try handlers. */
static void frame_cleanup(lang_state *L, Value *base)
{
	if (L->open_up && L->open_up->v >= base)
		close_upvals(L, base);
	while (L->nhandlers > L->handler_floor &&
	       L->handlers[L->nhandlers - 1].ci == L->ci)
		L->nhandlers--;
}

static void push_handler(lang_state *L, const uint32_t *pc, int reg)
{
	if (L->nhandlers == L->caphandlers) {
		int nc = L->caphandlers ? L->caphandlers * 2 : 16;
		if (nc > 100000)
			lang_rt_error(L, "too many nested try blocks");
		Handler *h = realloc(L->handlers, (size_t)nc * sizeof *h);
		if (!h)
			lang_fatal(L, LANG_EMEM, "memory limit exceeded");
		L->handlers = h;
		L->caphandlers = nc;
	}
	Handler *h = &L->handlers[L->nhandlers++];
	h->ci = L->ci;
	h->cdepth = L->cdepth;
	h->pc = pc;
	h->reg = reg;
}

/* A range bound: an int, or a float with an integral value. */
static bool to_range_int(Value v, int64_t *out)
{
	if (v.tag == T_INT) {
		*out = v.u.i;
		return true;
	}
	if (v.tag == T_FLOAT && v.u.f == floor(v.u.f) &&
	    v.u.f >= -9.2233720368547758e18 && v.u.f < 9.2233720368547758e18) {
		*out = (int64_t)v.u.f;
		return true;
	}
	return false;
}

/* ---- the dispatch loop ---- */

#define IS_NUM(v) (((v).tag & ~1) == T_INT) /* T_INT or T_FLOAT */
#define NUM_D(v) ((v).tag == T_INT ? (double)(v).u.i : (v).u.f)

#if defined(__GNUC__) && !defined(LANG_NO_COMPUTED_GOTO)
#define USE_GOTO 1
#endif

static void run(lang_state *L, int entry)
{
	CallInfo *ci;
	Closure *cl;
	const Value *k;
	Value *base;
	const uint32_t *pc;
	uint32_t ins;
	Value *fsl;
	int nargs;

#define LOAD_FRAME() do { \
		ci = &L->cis[L->ci]; \
		cl = ci->cl; \
		k = cl->p->k; \
		base = ci->base; \
		pc = ci->pc; \
	} while (0)
#define SAVE() (ci->pc = pc)
#define RA (base + GET_A(ins))
#define RB (base + GET_B(ins))
#define RC (base + GET_C(ins))
#define KB (k + GET_B(ins))
#define KC (k + GET_C(ins))
#define TICK() do { if (--L->tick <= 0) { SAVE(); lang_vm_slow_tick(L); } } while (0)

	LOAD_FRAME();

#ifdef USE_GOTO
#define OPLABEL(name) &&L_##name,
	static const void *const labels[] = { OPCODES(OPLABEL) };
#undef OPLABEL
#define DISPATCH() do { ins = *pc++; goto *labels[GET_OP(ins)]; } while (0)
#define CASE(name) L_##name:
#define NEXT DISPATCH()
	DISPATCH();
#else
#define CASE(name) case OP_##name:
#define NEXT break
	for (;;) {
		ins = *pc++;
		switch (GET_OP(ins)) {
#endif

	CASE(MOVE) {
		*RA = *RB;
		NEXT;
	}
	CASE(LOADK) {
		*RA = k[GET_BX(ins)];
		NEXT;
	}
	CASE(LOADI) {
		*RA = v_int(GET_SBX(ins));
		NEXT;
	}
	CASE(LOADNIL) {
		*RA = V_NIL;
		NEXT;
	}
	CASE(LOADBOOL) {
		*RA = v_bool(GET_B(ins));
		if (GET_C(ins))
			pc++;
		NEXT;
	}
	CASE(GETUP) {
		*RA = *cl->up[GET_B(ins)]->v;
		NEXT;
	}
	CASE(SETUP) {
		*cl->up[GET_B(ins)]->v = *RA;
		NEXT;
	}
	CASE(GETG) {
		String *name = AS_STR(k[GET_BX(ins)]);
		Value *v = lang_map_findstr(L->globals, name);
		if (!v) {
			SAVE();
			lang_rt_error(L, "undefined variable %s", name->data);
		}
		*RA = *v;
		NEXT;
	}
	CASE(SETG) {
		String *name = AS_STR(k[GET_BX(ins)]);
		Value *v = lang_map_findstr(L->globals, name);
		if (!v) {
			SAVE();
			lang_rt_error(L, "undefined variable %s", name->data);
		}
		*v = *RA;
		NEXT;
	}
	CASE(DEFG) {
		SAVE();
		lang_map_put(L, L->globals, k[GET_BX(ins)], *RA);
		NEXT;
	}
	CASE(GETIDX) {
		Value *o = RB, *key = RC;
		if (o->tag == T_LIST && key->tag == T_INT) {
			List *l = AS_LIST(*o);
			if ((uint64_t)key->u.i < l->len) {
				*RA = l->items[key->u.i];
				NEXT;
			}
		} else if (o->tag == T_MAP && (key->tag == T_STR || key->tag == T_INT)) {
			Value *v = lang_map_find(AS_MAP(*o), *key);
			*RA = v ? *v : V_NIL;
			NEXT;
		}
		SAVE();
		*RA = get_index(L, *o, *key);
		NEXT;
	}
	CASE(GETFIELD) {
		Value *o = RB;
		if (o->tag == T_MAP) {
			Value *v = lang_map_findstr(AS_MAP(*o), AS_STR(*KC));
			*RA = v ? *v : V_NIL;
			NEXT;
		}
		SAVE();
		*RA = get_field(L, *o, AS_STR(*KC));
		NEXT;
	}
	CASE(GETIDXK) {
		Value *o = RB;
		if (o->tag == T_MAP) {
			Value *v = lang_map_findstr(AS_MAP(*o), AS_STR(*KC));
			*RA = v ? *v : V_NIL;
			NEXT;
		}
		SAVE();
		*RA = get_index(L, *o, *KC);
		NEXT;
	}
	CASE(SETIDX) {
		Value *o = RA, *key = RB;
		if (o->tag == T_LIST && key->tag == T_INT) {
			List *l = AS_LIST(*o);
			if ((uint64_t)key->u.i < l->len) {
				l->items[key->u.i] = *RC;
				NEXT;
			}
		}
		SAVE();
		set_index(L, *o, *key, *RC);
		NEXT;
	}
	CASE(SETFIELD) {
		Value *o = RA;
		SAVE();
		if (o->tag != T_MAP)
			lang_rt_error(L, "cannot set field '%s' of %s",
				      AS_STR(*KB)->data, lang_type_name(*o));
		Value *v = lang_map_findstr(AS_MAP(*o), AS_STR(*KB));
		if (v)
			*v = *RC;
		else
			lang_map_put(L, AS_MAP(*o), *KB, *RC);
		NEXT;
	}
	CASE(NEWLIST) {
		SAVE();
		*RA = v_obj(T_LIST, lang_list_alloc(L, (size_t)GET_B(ins)));
		NEXT;
	}
	CASE(LISTPUSH) {
		SAVE();
		lang_list_append(L, AS_LIST(*RA), *RB);
		NEXT;
	}
	CASE(NEWMAP) {
		SAVE();
		*RA = v_obj(T_MAP, lang_map_alloc(L, (uint32_t)GET_B(ins)));
		NEXT;
	}
	CASE(MAPSET) {
		SAVE();
		lang_map_put(L, AS_MAP(*RA), *RB, *RC);
		NEXT;
	}

#define ARITH_INT(name, OPNAME, expr_int, expr_flt, rhs) \
	CASE(name) { \
		const Value *a = RB, *b = rhs; \
		if (a->tag == T_INT && b->tag == T_INT) { \
			int64_t x = a->u.i, y = b->u.i, r; \
			if (!(expr_int)) { \
				RA->tag = T_INT; RA->u.i = r; \
				NEXT; \
			} \
		} else if (IS_NUM(*a) && IS_NUM(*b)) { \
			double x = NUM_D(*a), y = NUM_D(*b); \
			*RA = v_float(expr_flt); \
			NEXT; \
		} \
		SAVE(); \
		*RA = arith(L, OP_##OPNAME, *a, *b); \
		NEXT; \
	}

	ARITH_INT(ADD, ADD, __builtin_add_overflow(x, y, &r), x + y, RC)
	ARITH_INT(SUB, SUB, __builtin_sub_overflow(x, y, &r), x - y, RC)
	ARITH_INT(MUL, MUL, __builtin_mul_overflow(x, y, &r), x * y, RC)
	ARITH_INT(ADDK, ADD, __builtin_add_overflow(x, y, &r), x + y, KC)
	ARITH_INT(SUBK, SUB, __builtin_sub_overflow(x, y, &r), x - y, KC)
	ARITH_INT(MULK, MUL, __builtin_mul_overflow(x, y, &r), x * y, KC)

#define ARITH_SLOW(name, OPNAME, rhs) \
	CASE(name) { \
		SAVE(); \
		*RA = arith(L, OP_##OPNAME, *RB, *rhs); \
		NEXT; \
	}
	CASE(DIV) {
		Value *a = RB, *b = RC;
		if (IS_NUM(*a) && IS_NUM(*b)) {
			*RA = v_float(NUM_D(*a) / NUM_D(*b));
			NEXT;
		}
		SAVE();
		*RA = arith(L, OP_DIV, *a, *b);
		NEXT;
	}
	CASE(MOD) {
		Value *a = RB, *b = RC;
		if (a->tag == T_INT && b->tag == T_INT && b->u.i > 0) {
			int64_t r = a->u.i % b->u.i;
			if (r < 0)
				r += b->u.i;
			*RA = v_int(r);
			NEXT;
		}
		SAVE();
		*RA = arith(L, OP_MOD, *a, *b);
		NEXT;
	}
	CASE(MODK) {
		const Value *a = RB, *b = KC;
		if (a->tag == T_INT && b->tag == T_INT && b->u.i > 0) {
			int64_t r = a->u.i % b->u.i;
			if (r < 0)
				r += b->u.i;
			*RA = v_int(r);
			NEXT;
		}
		SAVE();
		*RA = arith(L, OP_MOD, *a, *b);
		NEXT;
	}
#define BITWISE(name, OPNAME, op, rhs) \
	CASE(name) { \
		const Value *a = RB, *b = rhs; \
		if (a->tag == T_INT && b->tag == T_INT) { \
			*RA = v_int(a->u.i op b->u.i); \
			NEXT; \
		} \
		SAVE(); \
		*RA = arith(L, OP_##OPNAME, *a, *b); \
		NEXT; \
	}
	ARITH_SLOW(IDIV, IDIV, RC)
	ARITH_SLOW(POW, POW, RC)
	BITWISE(BAND, BAND, &, RC)
	BITWISE(BOR, BOR, |, RC)
	BITWISE(BXOR, BXOR, ^, RC)
	ARITH_SLOW(SHL, SHL, RC)
	ARITH_SLOW(SHR, SHR, RC)
	CASE(DIVK) {
		const Value *a = RB, *b = KC;
		if (IS_NUM(*a) && IS_NUM(*b)) {
			*RA = v_float(NUM_D(*a) / NUM_D(*b));
			NEXT;
		}
		SAVE();
		*RA = arith(L, OP_DIV, *a, *b);
		NEXT;
	}
	ARITH_SLOW(IDIVK, IDIV, KC)
	ARITH_SLOW(POWK, POW, KC)
	BITWISE(BANDK, BAND, &, KC)
	BITWISE(BORK, BOR, |, KC)
	BITWISE(BXORK, BXOR, ^, KC)
	ARITH_SLOW(SHLK, SHL, KC)
	ARITH_SLOW(SHRK, SHR, KC)

	CASE(NEG) {
		Value *a = RB;
		if (a->tag == T_INT) {
			if (a->u.i == INT64_MIN) {
				SAVE();
				lang_rt_error(L, "integer overflow");
			}
			*RA = v_int(-a->u.i);
		} else if (a->tag == T_FLOAT) {
			*RA = v_float(-a->u.f);
		} else {
			SAVE();
			lang_rt_error(L, "cannot negate %s", lang_type_name(*a));
		}
		NEXT;
	}
	CASE(BNOT) {
		Value *a = RB;
		if (a->tag != T_INT) {
			SAVE();
			lang_rt_error(L, "bitwise operation on %s (int needed)",
				      lang_type_name(*a));
		}
		*RA = v_int(~a->u.i);
		NEXT;
	}
	CASE(NOT) {
		*RA = v_bool(!TRUTHY(*RB));
		NEXT;
	}
	CASE(EQ) {
		Value *a = RA, *b = RB;
		bool eq;
		if (a->tag == T_INT && b->tag == T_INT)
			eq = a->u.i == b->u.i;
		else
			eq = lang_values_equal(*a, *b);
		if (eq != (GET_C(ins) & 1))
			pc++;
		NEXT;
	}
	CASE(LT) {
		Value *a = RA, *b = RB;
		bool r;
		if (a->tag == T_INT && b->tag == T_INT) {
			r = a->u.i < b->u.i;
		} else {
			SAVE();
			r = less(L, *a, *b, false, GET_C(ins) & 2);
		}
		if (r != (GET_C(ins) & 1))
			pc++;
		NEXT;
	}
	CASE(LE) {
		Value *a = RA, *b = RB;
		bool r;
		if (a->tag == T_INT && b->tag == T_INT) {
			r = a->u.i <= b->u.i;
		} else {
			SAVE();
			r = less(L, *a, *b, true, GET_C(ins) & 2);
		}
		if (r != (GET_C(ins) & 1))
			pc++;
		NEXT;
	}
	CASE(EQK) {
		const Value *a = RA, *b = KB;
		bool eq;
		if (a->tag == T_INT && b->tag == T_INT)
			eq = a->u.i == b->u.i;
		else
			eq = lang_values_equal(*a, *b);
		if (eq != GET_C(ins))
			pc++;
		NEXT;
	}
#define CMPK(name, iop, le, swap) \
	CASE(name) { \
		const Value *a = RA, *b = KB; \
		bool r; \
		if (a->tag == T_INT && b->tag == T_INT) { \
			r = a->u.i iop b->u.i; \
		} else { \
			SAVE(); \
			r = swap ? less(L, *b, *a, le, true) : less(L, *a, *b, le, false); \
		} \
		if (r != GET_C(ins)) \
			pc++; \
		NEXT; \
	}
	CMPK(LTK, <, false, false)
	CMPK(LEK, <=, true, false)
	CMPK(GTK, >, false, true)
	CMPK(GEK, >=, true, true)
	CASE(TEST) {
		if (TRUTHY(*RA) != GET_C(ins))
			pc++;
		NEXT;
	}
	CASE(JMP) {
		pc += GET_SJ(ins);
		NEXT;
	}
	CASE(LOOP) {
		TICK(); /* located at the loop statement */
		pc += GET_SJ(ins);
		NEXT;
	}
	CASE(SLICE) {
		SAVE();
		Value *c = RC;
		*RA = slice(L, *RB, c[0], c[1]);
		NEXT;
	}
	CASE(CLOSURE) {
		Proto *p = cl->p->protos[GET_BX(ins)];
		SAVE();
		Closure *c = lang_closure_new(L, p);
		*RA = v_obj(T_FUNC, c); /* rooted before the upvalues allocate */
		for (int i = 0; i < p->nup; i++) {
			if (p->updesc[i].instack)
				c->up[i] = find_upval(L, base + p->updesc[i].idx);
			else
				c->up[i] = cl->up[p->updesc[i].idx];
		}
		NEXT;
	}
	CASE(CALL) {
		fsl = RA;
		nargs = GET_B(ins);
		SAVE();
		TICK();
	do_call:
		if (fsl->tag == T_FUNC) {
			ci = push_frame(L, fsl, nargs);
			cl = ci->cl;
			k = cl->p->k;
			base = ci->base;
			pc = ci->pc;
			NEXT;
		}
		if (fsl->tag == T_CFUNC) {
			call_c(L, fsl, nargs);
			NEXT;
		}
		lang_rt_error(L, "cannot call %s", lang_type_name(*fsl));
	}
	CASE(CALLM) {
		fsl = RA;
		nargs = GET_B(ins);
		String *name = AS_STR(k[*pc++]);
		SAVE();
		TICK();
		bool self;
		Value f = lang_method_lookup(L, fsl[1], name, &self);
		if (self)
			nargs++;
		else
			memmove(fsl + 1, fsl + 2, (size_t)nargs * sizeof(Value));
		*fsl = f;
		goto do_call;
	}
	CASE(RET) {
		Value v = *RA;
		if (cl->p->needs_close)
			frame_cleanup(L, base);
		base[-1] = v;
		if (L->ci-- == entry)
			return;
		LOAD_FRAME();
		NEXT;
	}
	CASE(RET0) {
		if (cl->p->needs_close)
			frame_cleanup(L, base);
		base[-1] = V_NIL;
		if (L->ci-- == entry)
			return;
		LOAD_FRAME();
		NEXT;
	}
	CASE(TRY) {
		SAVE();
		push_handler(L, pc + GET_SBX(ins), GET_A(ins));
		NEXT;
	}
	CASE(ENDTRY) {
		L->nhandlers -= GET_A(ins);
		NEXT;
	}
	CASE(CLOSE) {
		close_upvals(L, RA);
		NEXT;
	}
	CASE(FORPREP) {
		Value *ra = RA;
		int64_t a, b, s;
		SAVE();
		if (!to_range_int(ra[0], &a) || !to_range_int(ra[1], &b) ||
		    !to_range_int(ra[2], &s))
			lang_rt_error(L, "range() needs ints");
		ra[0] = v_int(a); /* FORLOOP works on ints */
		ra[1] = v_int(b);
		ra[2] = v_int(s);
		if (s == 0)
			lang_rt_error(L, "range() step must not be zero");
		if (s > 0 ? a >= b : a <= b) {
			pc += GET_SBX(ins);
			NEXT;
		}
		ra[3] = ra[0];
		NEXT;
	}
	CASE(FORLOOP) {
		Value *ra = RA;
		int64_t i;
		int64_t s = ra[2].u.i;
		if (!__builtin_add_overflow(ra[0].u.i, s, &i) &&
		    (s > 0 ? i < ra[1].u.i : i > ra[1].u.i)) {
			ra[0].u.i = i;
			ra[3] = v_int(i);
			TICK();
			pc += GET_SBX(ins);
		}
		NEXT;
	}
	CASE(ITERPREP) {
		SAVE();
		iter_prep(L, RA);
		NEXT;
	}
	CASE(ITERNEXT) {
		Value *ra = RA;
		if (ra->tag == T_LIST) {
			List *l = AS_LIST(*ra);
			int64_t i = ra[1].u.i;
			if ((uint64_t)i < l->len) {
				ra[1].u.i = i + 1;
				if (GET_B(ins) == 2) {
					ra[3] = v_int(i);
					ra[4] = l->items[i];
				} else {
					ra[3] = l->items[i];
				}
				pc++;
			}
			NEXT;
		}
		SAVE();
		if (iter_next(L, ra, GET_B(ins)))
			pc++;
		NEXT;
	}

#ifndef USE_GOTO
		default:
			SAVE();
			lang_rt_error(L, "bad opcode %d", GET_OP(ins));
		}
	}
#endif
}

/* Call fn (a closure or C function at L->top) protected, for the API. */
struct call_args {
	Value fn;
	int argc;
	const Value *argv;
	Value ret;
};

static void do_call(lang_state *L, void *ud)
{
	struct call_args *a = ud;
	a->ret = lang_vm_callv(L, a->fn, a->argc, a->argv);
}

int lang_vm_protected_call(lang_state *L, Value fn, int argc,
			   const Value *argv, Value *ret)
{
	struct call_args a = { fn, argc, argv, V_NIL };
	if (L->dead)
		return L->dead;
	int st = lang_vm_pcall(L, do_call, &a);
	if (ret)
		*ret = st ? V_NIL : a.ret;
	if (st && st != LANG_ERUNTIME && !L->dead)
		L->dead = st;
	return st;
}
