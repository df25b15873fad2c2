/*
 * api.c: the public API of lang.h (states, running code, values, errors)
 * and the proc module's always-present part (exit, stdout, stderr).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/internal.h"

/* ---- states ---- */

static void apply_limits(lang_state *L, const struct lang_limits *lim)
{
	L->steps_limit = lim ? lim->steps : 0;
	L->mem_cap = lim ? lim->mem_bytes : 0;
	L->deadline = lim && lim->deadline_ns ? lang_now_ns() + lim->deadline_ns : 0;
	L->steps_used = 0;
	L->tick = L->tick_start = 0;
	L->dead = 0;
	L->interrupted = 0;
	if (L->mem_cap && L->next_gc > L->bytes + (L->mem_cap > L->bytes
						   ? (L->mem_cap - L->bytes) / 2 : 0))
		L->next_gc = L->bytes + (L->mem_cap > L->bytes ? (L->mem_cap - L->bytes) / 2 : 0);
}

static void open_libs(lang_state *L, void *ud)
{
	(void)ud;
	L->globals = lang_map_alloc(L, 64);
	L->refs = lang_map_alloc(L, 0);
	lang_lib_open_base(L);
	lang_lib_open_string(L);
	lang_lib_open_list(L);
	lang_lib_open_map(L);
	lang_lib_open_math(L);
	lang_lib_open_json(L);
	lang_lib_open_proc(L);
	lang_lib_open_time(L);
}

lang_state *lang_new(const struct lang_limits *lim)
{
	lang_state *L = calloc(1, sizeof *L);
	if (!L)
		return NULL;
	L->stack = calloc(STACK_SLOTS, sizeof(Value));
	L->cis = calloc(LANG_MAX_DEPTH + 1, sizeof(CallInfo));
	if (!L->stack || !L->cis) {
		free(L->stack);
		free(L->cis);
		free(L);
		return NULL;
	}
	L->stack_end = L->stack + STACK_SLOTS;
	L->top = L->hwm = L->stack;
	L->ci = -1;
	L->next_gc = 1u << 20;
	L->errval = V_NIL;
	/* Setup allocations are not capped; the limits apply afterwards. */
	if (lang_vm_pcall(L, open_libs, NULL)) {
		lang_close(L);
		return NULL;
	}
	apply_limits(L, lim);
	return L;
}

void lang_close(lang_state *L)
{
	if (!L)
		return;
	lang_gc_free_all(L);
	free(L->strtab);
	free(L->stack);
	free(L->cis);
	free(L->handlers);
	free(L->errmsg);
	free(L->errreport);
	free(L);
}

/* Collect now if no run is active (a safe point: everything live is
 * reachable from the roots). */
static void idle_collect(lang_state *L, bool force)
{
	if (L->ci < 0 && !L->errjmp && (force || L->gc_wanted ||
					 L->bytes > L->next_gc)) {
		L->top = L->stack;
		lang_gc_collect(L);
	}
}

int lang_set_limits(lang_state *L, const struct lang_limits *lim)
{
	idle_collect(L, true);
	apply_limits(L, lim);
	return 0;
}

void lang_interrupt(lang_state *L)
{
	L->interrupted = 1;
	L->tick = 0; /* reach the slow path at the next step */
}

uint64_t lang_steps_used(const lang_state *L)
{
	return L->steps_used + (uint64_t)(L->tick_start - L->tick);
}

size_t lang_mem_used(const lang_state *L)
{
	return L->bytes;
}

/* ---- running ---- */

static void clear_error(lang_state *L)
{
	free(L->errmsg);
	free(L->errreport);
	L->errmsg = L->errreport = NULL;
	L->errval = V_NIL;
	L->status = 0;
}

static int load(lang_state *L, const char *chunk, const char *src, size_t len,
		bool repl, lang_value *fn)
{
	if (L->dead)
		return L->dead;
	clear_error(L);
	idle_collect(L, false);
	Proto *p = lang_compile(L, chunk, src, len, repl, NULL);
	if (!p) {
		int st = L->status ? L->status : LANG_ESYNTAX;
		if (st == LANG_EMEM)
			L->dead = 0; /* the state itself is fine */
		return st;
	}
	/* The closure of the main function has no upvalues: no allocation
	 * can fail between here and the caller rooting it. */
	Closure *c = lang_closure_new(L, p);
	*fn = v_obj(T_FUNC, c);
	return 0;
}

int lang_load(lang_state *L, const char *chunk, const char *src, size_t len,
	      lang_value *fn)
{
	return load(L, chunk, src, len, false, fn);
}

int lang_call(lang_state *L, lang_value fn, int argc, const lang_value *argv,
	      lang_value *ret)
{
	if (argc < 0 || argc > 250 || (argc && !argv))
		return -EINVAL;
	if (L->ci < 0)
		clear_error(L);
	return lang_vm_protected_call(L, fn, argc, argv, ret);
}

static int run_src(lang_state *L, const char *chunk, const char *src,
		   size_t len, bool repl, lang_value *result)
{
	lang_value fn;
	int st = load(L, chunk, src, len, repl, &fn);
	if (st)
		return st;
	int r = lang_ref(L, fn); /* rooted while it runs */
	st = lang_vm_protected_call(L, fn, 0, NULL, result);
	if (r >= 0)
		lang_unref(L, r);
	return st;
}

int lang_run(lang_state *L, const char *chunk, const char *src, size_t len,
	     lang_value *result)
{
	return run_src(L, chunk, src, len, false, result);
}

int lang_run_repl(lang_state *L, const char *chunk, const char *src,
		  size_t len, lang_value *result)
{
	return run_src(L, chunk, src, len, true, result);
}

int lang_incomplete(lang_state *L, const char *src, size_t len)
{
	bool inc = false;
	char *saved_msg = L->errmsg, *saved_rep = L->errreport;
	L->errmsg = L->errreport = NULL;
	Proto *p = lang_compile(L, "<input>", src, len, true, &inc);
	free(L->errmsg);
	free(L->errreport);
	L->errmsg = saved_msg;
	L->errreport = saved_rep;
	return !p && inc;
}

int lang_call_global(lang_state *L, const char *name, int argc,
		     const lang_value *argv, lang_value *ret)
{
	lang_value f = lang_get_global(L, name);
	if (f.tag == T_NIL)
		return -ENOENT;
	return lang_call(L, f, argc, argv, ret);
}

/* ---- errors ---- */

int lang_error(lang_state *L, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t cap = L->mem_cap;
	L->mem_cap = 0;
	L->errval = v_obj(T_STR, lang_str_cstr(L, msg));
	L->mem_cap = cap;
	L->err_located = false;
	/* Runtime errors from host functions get their location added by
	 * the VM, like error(msg) does. */
	L->status = LANG_ERUNTIME;
	return LANG_ERUNTIME;
}

int lang_raise(lang_state *L, lang_value v)
{
	L->errval = v;
	L->err_located = false;
	L->status = LANG_ERUNTIME;
	return LANG_ERUNTIME;
}

const char *lang_error_message(const lang_state *L)
{
	return L->errmsg ? L->errmsg : "";
}

const char *lang_error_report(const lang_state *L)
{
	return L->errreport ? L->errreport : "";
}

lang_value lang_error_value(const lang_state *L)
{
	return L->errval;
}

int lang_exit_code(const lang_state *L)
{
	return L->exit_code;
}

/* ---- globals and bindings ---- */

/* Run f protected when no run is active (so allocation failures are
 * caught); returns 0 or an error status. */
static int guard(lang_state *L, void (*f)(lang_state *, void *), void *ud)
{
	if (L->errjmp) {
		f(L, ud);
		return 0;
	}
	return lang_vm_pcall(L, f, ud);
}

struct set_args {
	const char *name;
	Value v;
	Map *m;
	const struct lang_reg *fns;
	lang_cfunc fn;
};

static void do_set_global(lang_state *L, void *ud)
{
	struct set_args *a = ud;
	lang_map_put(L, L->globals, v_obj(T_STR, lang_str_cstr(L, a->name)), a->v);
}

int lang_set_global(lang_state *L, const char *name, lang_value v)
{
	struct set_args a = { .name = name, .v = v };
	return guard(L, do_set_global, &a);
}

lang_value lang_get_global(lang_state *L, const char *name)
{
	size_t n = strlen(name);
	for (uint32_t i = 0; i < L->globals->nent; i++) {
		Value k = L->globals->ent[i].key;
		if (k.tag == T_STR && AS_STR(k)->len == n &&
		    !memcmp(AS_STR(k)->data, name, n))
			return L->globals->ent[i].val;
	}
	return V_NIL;
}

static void do_bind(lang_state *L, void *ud)
{
	struct set_args *a = ud;
	lang_map_put(L, L->globals, v_obj(T_STR, lang_str_cstr(L, a->name)),
		     v_obj(T_CFUNC, lang_cfunc_new(L, a->name, a->fn)));
}

int lang_bind(lang_state *L, const char *name, lang_cfunc fn)
{
	struct set_args a = { .name = name, .fn = fn };
	return guard(L, do_bind, &a);
}

static void do_bind_module(lang_state *L, void *ud)
{
	struct set_args *a = ud;
	lang_lib_reg(L, lang_lib_module(L, a->name), a->fns);
}

int lang_bind_module(lang_state *L, const char *name, const struct lang_reg *fns)
{
	struct set_args a = { .name = name, .fns = fns };
	return guard(L, do_bind_module, &a);
}


void lang_set_writer(lang_state *L, lang_writer w, void *ud)
{
	L->writer = w;
	L->writer_ud = ud;
}

/* ---- values ---- */

lang_value lang_nil(void) { return V_NIL; }
lang_value lang_bool(int b) { return v_bool(b); }
lang_value lang_int(int64_t i) { return v_int(i); }
lang_value lang_float(double f) { return v_float(f); }

struct mk_args {
	int kind;
	const char *s;
	size_t len;
	const struct lang_host_type *ty;
	void *ptr;
	lang_cfunc fn;
	Value a, b, c;
	Value out;
};

static void do_make(lang_state *L, void *ud)
{
	struct mk_args *m = ud;
	switch (m->kind) {
	case 0:
		m->out = v_obj(T_STR, lang_str_new(L, m->s, m->len));
		break;
	case 1:
		m->out = v_obj(T_LIST, lang_list_alloc(L, 0));
		break;
	case 2:
		m->out = v_obj(T_MAP, lang_map_alloc(L, 0));
		break;
	case 3: {
		Host *h = lang_gc_new(L, T_HOST, sizeof(Host));
		h->ty = m->ty;
		h->ptr = m->ptr;
		m->out = v_obj(T_HOST, h);
		break;
	}
	case 4:
		m->out = v_obj(T_STR, lang_tostring(L, m->a));
		break;
	case 5:
		lang_list_append(L, AS_LIST(m->a), m->b);
		break;
	case 6:
		lang_map_put(L, AS_MAP(m->a), m->b, m->c);
		break;
	case 7:
		m->out = v_obj(T_CFUNC, lang_cfunc_new(L, m->s, m->fn));
		break;
	}
}

/* Run one constructor, protected when no run is active; nil on failure. */
static Value make(lang_state *L, struct mk_args *m)
{
	m->out = V_NIL;
	if (guard(L, do_make, m))
		return V_NIL;
	return m->out;
}

lang_value lang_string(lang_state *L, const char *s, size_t len)
{
	struct mk_args m = { .kind = 0, .s = s, .len = len };
	return make(L, &m);
}

lang_value lang_function(lang_state *L, const char *name, lang_cfunc fn)
{
	struct mk_args m = { .kind = 7, .s = name, .fn = fn };
	return make(L, &m);
}

lang_value lang_cstring(lang_state *L, const char *s)
{
	return lang_string(L, s, strlen(s));
}

lang_value lang_list_new(lang_state *L)
{
	struct mk_args m = { .kind = 1 };
	return make(L, &m);
}

lang_value lang_map_new(lang_state *L)
{
	struct mk_args m = { .kind = 2 };
	return make(L, &m);
}

lang_value lang_host_new(lang_state *L, const struct lang_host_type *ty, void *ptr)
{
	struct mk_args m = { .kind = 3, .ty = ty, .ptr = ptr };
	return make(L, &m);
}

lang_type lang_typeof(lang_value v)
{
	return v.tag == T_CFUNC ? LANG_FUNCTION : (lang_type)v.tag;
}

const char *lang_typename(lang_value v)
{
	return lang_type_name(v);
}

int lang_truthy(lang_value v)
{
	return TRUTHY(v);
}

int lang_to_int(lang_value v, int64_t *out)
{
	if (v.tag == T_INT) {
		*out = v.u.i;
		return 0;
	}
	if (v.tag == T_FLOAT && v.u.f >= -9.2233720368547758e18 &&
	    v.u.f < 9.2233720368547758e18 && v.u.f == (double)(int64_t)v.u.f) {
		*out = (int64_t)v.u.f;
		return 0;
	}
	return -EINVAL;
}

int lang_to_float(lang_value v, double *out)
{
	if (v.tag == T_INT) {
		*out = (double)v.u.i;
		return 0;
	}
	if (v.tag == T_FLOAT) {
		*out = v.u.f;
		return 0;
	}
	return -EINVAL;
}

const char *lang_to_string(lang_value v, size_t *len)
{
	if (v.tag != T_STR)
		return NULL;
	if (len)
		*len = AS_STR(v)->len;
	return AS_STR(v)->data;
}

lang_value lang_tostr(lang_state *L, lang_value v)
{
	struct mk_args m = { .kind = 4, .a = v };
	return make(L, &m);
}

void *lang_host_ptr(lang_value v, const struct lang_host_type *ty)
{
	if (v.tag != T_HOST || AS_HOST(v)->ty != ty)
		return NULL;
	return AS_HOST(v)->ptr;
}

size_t lang_list_len(lang_value list)
{
	return list.tag == T_LIST ? AS_LIST(list)->len : 0;
}

lang_value lang_list_get(lang_value list, size_t i)
{
	if (list.tag != T_LIST || i >= AS_LIST(list)->len)
		return V_NIL;
	return AS_LIST(list)->items[i];
}

int lang_list_push(lang_state *L, lang_value list, lang_value v)
{
	if (list.tag != T_LIST)
		return -EINVAL;
	struct mk_args m = { .kind = 5, .a = list, .b = v };
	return guard(L, do_make, &m) ? -ENOMEM : 0;
}

int lang_map_set(lang_state *L, lang_value map, lang_value key, lang_value v)
{
	if (map.tag != T_MAP || !lang_valid_key(&key))
		return -EINVAL;
	struct mk_args m = { .kind = 6, .a = map, .b = key, .c = v };
	return guard(L, do_make, &m) ? -ENOMEM : 0;
}

int lang_map_setstr(lang_state *L, lang_value map, const char *key, lang_value v)
{
	return lang_map_set(L, map, lang_cstring(L, key), v);
}

int lang_map_get(lang_state *L, lang_value map, lang_value key, lang_value *out)
{
	(void)L;
	if (map.tag != T_MAP)
		return -EINVAL;
	Value *v = lang_map_find(AS_MAP(map), key);
	if (!v)
		return -ENOENT;
	*out = *v;
	return 0;
}

size_t lang_map_len(lang_value map)
{
	return map.tag == T_MAP ? AS_MAP(map)->count : 0;
}

int lang_map_next(lang_value map, size_t *iter, lang_value *key, lang_value *val)
{
	if (map.tag != T_MAP || *iter > UINT32_MAX)
		return 0;
	uint32_t i = (uint32_t)*iter;
	MapEntry *e = lang_map_iter(AS_MAP(map), &i);
	*iter = i;
	if (!e)
		return 0;
	*key = e->key;
	*val = e->val;
	return 1;
}

int lang_ref(lang_state *L, lang_value v)
{
	if (L->nextref >= INT32_MAX)
		return -ENOMEM;
	int r = L->nextref++;
	struct mk_args m = { .kind = 6, .a = v_obj(T_MAP, L->refs), .b = v_int(r), .c = v };
	return guard(L, do_make, &m) ? -ENOMEM : r;
}

lang_value lang_getref(lang_state *L, int ref)
{
	Value *v = lang_map_find(L->refs, v_int(ref));
	return v ? *v : V_NIL;
}

void lang_unref(lang_state *L, int ref)
{
	lang_map_del(L, L->refs, v_int(ref));
}

/* ---- proc (always present: exit, stdout, stderr) ---- */

static int p_exit(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	int64_t code = argc > 0 ? lang_arg_int(L, "proc.exit", argc, a, 0) : 0;
	L->exit_code = (int)(code & 0xff);
	L->dead = LANG_EEXIT;
	L->status = LANG_EEXIT;
	longjmp(L->errjmp->b, LANG_EEXIT);
}

static int write_stream(lang_state *L, int stream, int argc, const Value *a,
			const char *fn)
{
	for (int i = 0; i < argc; i++) {
		String *s = lang_tostring(L, a[i]);
		int st = lang_lib_write(L, stream, s->data, s->len);
		if (st)
			lang_rt_error(L, "%s: write failed: %s", fn, strerror(-st));
	}
	return 0;
}

static int p_out_write(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	return write_stream(L, 1, argc, a, "proc.stdout.write");
}

static int p_err_write(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	return write_stream(L, 2, argc, a, "proc.stderr.write");
}

static int p_env_denied(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)argc;
	(void)a;
	(void)ret;
	lang_rt_error(L, "proc.env: environment not granted");
}

/* proc.stdout(s) writes s; proc.stdout.write(s) works too (see
 * lang_method_lookup). */
void lang_lib_open_proc(lang_state *L)
{
	Map *p = lang_lib_module(L, "proc");
	static const struct lang_reg pf[] = {
		{ "exit", p_exit }, { "env", p_env_denied },
		{ "environ", p_env_denied }, { "stdout", p_out_write },
		{ "stderr", p_err_write }, { NULL, NULL }
	};
	lang_lib_reg(L, p, pf);
	lang_lib_set(L, p, "args", v_obj(T_LIST, lang_list_alloc(L, 0)));
}

bool lang_is_stream_writer(lang_cfunc f)
{
	return f == p_out_write || f == p_err_write;
}
