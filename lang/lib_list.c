/*
 * lib_list.c: the list, map and math modules.
 *
 * Functions that call back into OrionLang (sort with a comparator, map,
 * filter, reduce) keep every value they hold in stack slots (lang_push),
 * because the collector may run during the callback.
 */
#include <math.h>
#include <stdlib.h>

#include "lang/internal.h"

#define LIST(i, fn) lang_arg_list(L, fn, argc, a, i)
#define MAPA(i, fn) lang_arg_map(L, fn, argc, a, i)

/* ---- list ---- */

static int l_push(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.push");
	lang_arg_count(L, "list.push", argc, 2, -1);
	for (int i = 1; i < argc; i++)
		lang_list_append(L, l, a[i]);
	(void)ret;
	return 0;
}

static int l_pop(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.pop");
	if (!l->len)
		lang_rt_error(L, "list.pop: empty list");
	*ret = l->items[--l->len];
	return 0;
}

static size_t list_pos(lang_state *L, const char *fn, int64_t i, size_t len,
		       bool end_ok)
{
	int64_t j = i < 0 ? i + (int64_t)len : i;
	if (j < 0 || (uint64_t)j > len || (!end_ok && (uint64_t)j == len))
		lang_rt_error(L, "%s: index %lld out of range (length %zu)", fn,
			      (long long)i, len);
	return (size_t)j;
}

static int l_insert(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.insert");
	lang_arg_count(L, "list.insert", argc, 3, 3);
	size_t i = list_pos(L, "list.insert",
			    lang_arg_int(L, "list.insert", argc, a, 1), l->len, true);
	lang_list_append(L, l, V_NIL);
	memmove(l->items + i + 1, l->items + i, (l->len - 1 - i) * sizeof(Value));
	l->items[i] = a[2];
	(void)ret;
	return 0;
}

static int l_remove(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.remove");
	size_t i = list_pos(L, "list.remove",
			    lang_arg_int(L, "list.remove", argc, a, 1), l->len, false);
	*ret = l->items[i];
	memmove(l->items + i, l->items + i + 1, (l->len - 1 - i) * sizeof(Value));
	l->len--;
	return 0;
}

typedef struct SortCtx {
	lang_state *L;
	Value cmp;   /* nil: natural order */
	int kind;    /* 0 generic, 1 all ints, 2 all strings */
} SortCtx;

static bool sort_less(SortCtx *c, Value x, Value y)
{
	if (c->kind == 1)
		return x.u.i < y.u.i;
	if (c->cmp.tag == T_NIL)
		return lang_less(c->L, x, y);
	Value args[2] = { x, y };
	Value r = lang_vm_callv(c->L, c->cmp, 2, args);
	if (r.tag == T_BOOL)
		return r.u.b;
	if (r.tag == T_INT)
		return r.u.i < 0;
	if (r.tag == T_FLOAT)
		return r.u.f < 0;
	lang_rt_error(c->L, "list.sort: the comparator must return a bool or a number, not %s",
		      lang_type_name(r));
}

/* Stable merge sort of v[0..n-1] using tmp (n slots). */
static void merge_sort(SortCtx *c, Value *v, Value *tmp, size_t n)
{
	const size_t RUN = 16;
	for (size_t s = 0; s < n; s += RUN) {
		size_t e = s + RUN < n ? s + RUN : n;
		for (size_t i = s + 1; i < e; i++) {
			Value x = v[i];
			size_t j = i;
			while (j > s && sort_less(c, x, v[j - 1])) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	}
	for (size_t w = RUN; w < n; w *= 2) {
		for (size_t lo = 0; lo + w < n; lo += 2 * w) {
			size_t mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
			if (!sort_less(c, v[mid], v[mid - 1]))
				continue; /* already in order */
			memcpy(tmp + lo, v + lo, (mid - lo) * sizeof(Value));
			size_t i = lo, j = mid, o = lo;
			while (i < mid && j < hi) {
				if (sort_less(c, v[j], tmp[i]))
					v[o++] = v[j++];
				else
					v[o++] = tmp[i++];
			}
			while (i < mid)
				v[o++] = tmp[i++];
		}
	}
}

static int l_sort(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.sort");
	SortCtx c = { L, V_NIL, 0 };
	if (argc > 1 && a[1].tag != T_NIL) {
		lang_arg_func(L, "list.sort", argc, a, 1);
		c.cmp = a[1];
	}
	size_t n = l->len;
	*ret = a[0];
	if (n < 2)
		return 0;
	if (c.cmp.tag == T_NIL) {
		bool ints = true;
		for (size_t i = 0; i < n && ints; i++)
			ints = l->items[i].tag == T_INT;
		if (ints)
			c.kind = 1;
	}
	/* Sort a rooted copy: the comparator may run the collector or
	 * even change the list. */
	List *work = lang_list_alloc(L, n);
	lang_push(L, v_obj(T_LIST, work));
	List *tmp = lang_list_alloc(L, n);
	lang_push(L, v_obj(T_LIST, tmp));
	memcpy(work->items, l->items, n * sizeof(Value));
	work->len = n;
	for (size_t i = 0; i < n; i++)
		tmp->items[i] = V_NIL;
	tmp->len = n;
	merge_sort(&c, work->items, tmp->items, n);
	if (l->len != n)
		lang_rt_error(L, "list.sort: list changed during sort");
	memcpy(l->items, work->items, n * sizeof(Value));
	return 0;
}

static int l_map(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.map");
	lang_arg_func(L, "list.map", argc, a, 1);
	List *r = lang_list_alloc(L, l->len);
	lang_push(L, v_obj(T_LIST, r));
	for (size_t i = 0; i < l->len; i++) {
		Value x = lang_vm_callv(L, a[1], 1, &l->items[i]);
		lang_list_append(L, r, x);
	}
	*ret = v_obj(T_LIST, r);
	return 0;
}

static int l_filter(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.filter");
	lang_arg_func(L, "list.filter", argc, a, 1);
	List *r = lang_list_alloc(L, 0);
	lang_push(L, v_obj(T_LIST, r));
	for (size_t i = 0; i < l->len; i++) {
		Value x = l->items[i];
		Value keep = lang_vm_callv(L, a[1], 1, &x);
		if (TRUTHY(keep))
			lang_list_append(L, r, x);
	}
	*ret = v_obj(T_LIST, r);
	return 0;
}

static int l_reduce(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.reduce");
	lang_arg_func(L, "list.reduce", argc, a, 1);
	size_t i = 0;
	Value *acc = lang_push(L, V_NIL);
	if (argc > 2) {
		*acc = a[2];
	} else {
		if (!l->len)
			lang_rt_error(L, "list.reduce: empty list and no initial value");
		*acc = l->items[0];
		i = 1;
	}
	for (; i < l->len; i++) {
		Value args[2] = { *acc, l->items[i] };
		*acc = lang_vm_callv(L, a[1], 2, args);
	}
	*ret = *acc;
	return 0;
}

static int l_each(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.each");
	lang_arg_func(L, "list.each", argc, a, 1);
	for (size_t i = 0; i < l->len; i++)
		lang_vm_callv(L, a[1], 1, &l->items[i]);
	(void)ret;
	return 0;
}

static int l_reverse(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.reverse");
	for (size_t i = 0, j = l->len; i + 1 < j; i++, j--) {
		Value t = l->items[i];
		l->items[i] = l->items[j - 1];
		l->items[j - 1] = t;
	}
	*ret = a[0];
	return 0;
}

static int l_index_of(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.index_of");
	lang_arg_count(L, "list.index_of", argc, 2, 2);
	*ret = v_int(-1);
	for (size_t i = 0; i < l->len; i++)
		if (lang_values_equal(l->items[i], a[1])) {
			*ret = v_int((int64_t)i);
			break;
		}
	return 0;
}

static int l_contains(lang_state *L, int argc, const Value *a, Value *ret)
{
	l_index_of(L, argc, a, ret);
	*ret = v_bool(ret->u.i >= 0);
	return 0;
}

static int l_slice(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.slice");
	int64_t n = (int64_t)l->len;
	int64_t i = argc > 1 && a[1].tag != T_NIL ? lang_arg_int(L, "list.slice", argc, a, 1) : 0;
	int64_t j = argc > 2 && a[2].tag != T_NIL ? lang_arg_int(L, "list.slice", argc, a, 2) : n;
	if (i < 0)
		i += n;
	if (j < 0)
		j += n;
	i = i < 0 ? 0 : i > n ? n : i;
	j = j < i ? i : j > n ? n : j;
	List *r = lang_list_alloc(L, (size_t)(j - i));
	if (j > i)
		memcpy(r->items, l->items + i, (size_t)(j - i) * sizeof(Value));
	r->len = (size_t)(j - i);
	*ret = v_obj(T_LIST, r);
	return 0;
}

static int l_join(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.join");
	String *sep = argc > 1 ? lang_arg_str(L, "list.join", argc, a, 1) : NULL;
	Buf b;
	lang_buf_init(&b, L);
	for (size_t i = 0; i < l->len; i++) {
		if (i && sep)
			lang_buf_add(&b, sep->data, sep->len);
		lang_fmt_value(&b, l->items[i], false, 0);
	}
	*ret = v_obj(T_STR, lang_buf_tostr(&b));
	return 0;
}

static int l_len(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_int((int64_t)LIST(0, "list.len")->len);
	return 0;
}

static int l_copy(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.copy");
	List *r = lang_list_alloc(L, l->len);
	if (l->len)
		memcpy(r->items, l->items, l->len * sizeof(Value));
	r->len = l->len;
	*ret = v_obj(T_LIST, r);
	return 0;
}

static int l_extend(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "list.extend"), *o = LIST(1, "list.extend");
	size_t n = o->len;
	lang_list_reserve(L, l, l->len + n);
	memmove(l->items + l->len, o->items, n * sizeof(Value));
	l->len += n;
	(void)ret;
	return 0;
}

static int l_clear(lang_state *L, int argc, const Value *a, Value *ret)
{
	LIST(0, "list.clear")->len = 0;
	(void)ret;
	return 0;
}

static const struct lang_reg list_funcs[] = {
	{ "push", l_push }, { "pop", l_pop }, { "insert", l_insert },
	{ "remove", l_remove }, { "sort", l_sort }, { "map", l_map },
	{ "filter", l_filter }, { "reduce", l_reduce }, { "each", l_each },
	{ "reverse", l_reverse }, { "contains", l_contains },
	{ "index_of", l_index_of }, { "slice", l_slice }, { "join", l_join },
	{ "len", l_len }, { "copy", l_copy }, { "extend", l_extend },
	{ "clear", l_clear }, { NULL, NULL }
};

void lang_lib_open_list(lang_state *L)
{
	Map *m = lang_lib_module(L, "list");
	lang_lib_reg(L, m, list_funcs);
	L->mod_list = m;
}

/* ---- map ---- */

static int m_keys(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.keys");
	List *r = lang_list_alloc(L, m->count);
	uint32_t it = 0;
	MapEntry *e;
	while ((e = lang_map_iter(m, &it)))
		r->items[r->len++] = e->key;
	*ret = v_obj(T_LIST, r);
	return 0;
}

static int m_values(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.values");
	List *r = lang_list_alloc(L, m->count);
	uint32_t it = 0;
	MapEntry *e;
	while ((e = lang_map_iter(m, &it)))
		r->items[r->len++] = e->val;
	*ret = v_obj(T_LIST, r);
	return 0;
}

static int m_items(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.items");
	List *r = lang_list_alloc(L, m->count);
	*ret = v_obj(T_LIST, r);
	uint32_t it = 0;
	MapEntry *e;
	while ((e = lang_map_iter(m, &it))) {
		List *p = lang_list_alloc(L, 2);
		p->items[0] = e->key;
		p->items[1] = e->val;
		p->len = 2;
		r->items[r->len++] = v_obj(T_LIST, p);
	}
	return 0;
}

static Value key_arg(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i >= argc)
		lang_rt_error(L, "%s: missing key argument", fn);
	Value k = a[i];
	if (IS_OBJ(k) && k.tag != T_STR)
		lang_rt_error(L, "%s: %s cannot be a map key", fn, lang_type_name(k));
	return k;
}

static int m_has(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.has");
	*ret = v_bool(lang_map_find(m, key_arg(L, "map.has", argc, a, 1)) != NULL);
	return 0;
}

static int m_get(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.get");
	Value *v = lang_map_find(m, key_arg(L, "map.get", argc, a, 1));
	*ret = v ? *v : argc > 2 ? a[2] : V_NIL;
	return 0;
}

static int m_delete(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.delete");
	*ret = v_bool(lang_map_del(L, m, key_arg(L, "map.delete", argc, a, 1)));
	return 0;
}

static int m_len(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_int(MAPA(0, "map.len")->count);
	return 0;
}

static int m_copy(lang_state *L, int argc, const Value *a, Value *ret)
{
	Map *m = MAPA(0, "map.copy");
	Map *r = lang_map_alloc(L, m->count);
	uint32_t it = 0;
	MapEntry *e;
	while ((e = lang_map_iter(m, &it)))
		lang_map_put(L, r, e->key, e->val);
	*ret = v_obj(T_MAP, r);
	return 0;
}

static const struct lang_reg map_funcs[] = {
	{ "keys", m_keys }, { "values", m_values }, { "items", m_items },
	{ "has", m_has }, { "get", m_get }, { "delete", m_delete },
	{ "len", m_len }, { "copy", m_copy }, { NULL, NULL }
};

void lang_lib_open_map(lang_state *L)
{
	Map *m = lang_lib_module(L, "map");
	lang_lib_reg(L, m, map_funcs);
	L->mod_map = m;
}

/* ---- math ---- */

#define NUM(i, fn) lang_arg_num(L, fn, argc, a, i)

/* An integral double as an int when it fits, else the float. */
static Value int_or_float(double d)
{
	if (d >= -9.2233720368547758e18 && d < 9.2233720368547758e18)
		return v_int((int64_t)d);
	return v_float(d);
}

static int x_floor(lang_state *L, int argc, const Value *a, Value *ret)
{
	if (argc > 0 && a[0].tag == T_INT) {
		*ret = a[0];
		return 0;
	}
	*ret = int_or_float(floor(NUM(0, "math.floor")));
	return 0;
}

static int x_ceil(lang_state *L, int argc, const Value *a, Value *ret)
{
	if (argc > 0 && a[0].tag == T_INT) {
		*ret = a[0];
		return 0;
	}
	*ret = int_or_float(ceil(NUM(0, "math.ceil")));
	return 0;
}

static int x_round(lang_state *L, int argc, const Value *a, Value *ret)
{
	if (argc > 0 && a[0].tag == T_INT) {
		*ret = a[0];
		return 0;
	}
	double d = NUM(0, "math.round");
	if (argc > 1) {
		int64_t nd = lang_arg_int(L, "math.round", argc, a, 1);
		if (nd > 15)
			nd = 15;
		if (nd < -15)
			nd = -15;
		double p = pow(10.0, (double)nd);
		*ret = v_float(round(d * p) / p);
		return 0;
	}
	*ret = int_or_float(round(d));
	return 0;
}

static int x_trunc(lang_state *L, int argc, const Value *a, Value *ret)
{
	if (argc > 0 && a[0].tag == T_INT) {
		*ret = a[0];
		return 0;
	}
	*ret = int_or_float(trunc(NUM(0, "math.trunc")));
	return 0;
}

static int x_abs(lang_state *L, int argc, const Value *a, Value *ret)
{
	if (argc > 0 && a[0].tag == T_INT) {
		if (a[0].u.i == INT64_MIN)
			lang_rt_error(L, "integer overflow");
		*ret = v_int(a[0].u.i < 0 ? -a[0].u.i : a[0].u.i);
		return 0;
	}
	*ret = v_float(fabs(NUM(0, "math.abs")));
	return 0;
}

static int minmax(lang_state *L, int argc, const Value *a, Value *ret, bool max,
		  const char *fn)
{
	const Value *v = a;
	size_t n = (size_t)argc;
	if (argc == 1 && a[0].tag == T_LIST) {
		v = AS_LIST(a[0])->items;
		n = AS_LIST(a[0])->len;
	}
	if (!n)
		lang_rt_error(L, "%s: no values", fn);
	Value best = v[0];
	for (size_t i = 0; i < n; i++) {
		if (v[i].tag != T_INT && v[i].tag != T_FLOAT && v[i].tag != T_STR)
			lang_rt_error(L, "%s: cannot compare %s", fn, lang_type_name(v[i]));
		if (max ? lang_less(L, best, v[i]) : lang_less(L, v[i], best))
			best = v[i];
	}
	*ret = best;
	return 0;
}

static int x_min(lang_state *L, int argc, const Value *a, Value *ret)
{
	return minmax(L, argc, a, ret, false, "math.min");
}

static int x_max(lang_state *L, int argc, const Value *a, Value *ret)
{
	return minmax(L, argc, a, ret, true, "math.max");
}

static int x_pow(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_float(pow(NUM(0, "math.pow"), NUM(1, "math.pow")));
	return 0;
}

static int x_log(lang_state *L, int argc, const Value *a, Value *ret)
{
	double x = NUM(0, "math.log");
	if (argc > 1)
		*ret = v_float(log(x) / log(NUM(1, "math.log")));
	else
		*ret = v_float(log(x));
	return 0;
}

static int x_atan2(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_float(atan2(NUM(0, "math.atan2"), NUM(1, "math.atan2")));
	return 0;
}

static int x_is_nan(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_bool(isnan(NUM(0, "math.is_nan")));
	return 0;
}

static int x_is_inf(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_bool(isinf(NUM(0, "math.is_inf")));
	return 0;
}

static int x_sum(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = LIST(0, "math.sum");
	Value acc = v_int(0);
	for (size_t i = 0; i < l->len; i++) {
		Value x = l->items[i];
		if (acc.tag == T_INT && x.tag == T_INT) {
			int64_t r;
			if (__builtin_add_overflow(acc.u.i, x.u.i, &r))
				lang_rt_error(L, "integer overflow");
			acc.u.i = r;
		} else if ((x.tag == T_INT || x.tag == T_FLOAT)) {
			double s = (acc.tag == T_INT ? (double)acc.u.i : acc.u.f) +
				   (x.tag == T_INT ? (double)x.u.i : x.u.f);
			acc = v_float(s);
		} else {
			lang_rt_error(L, "math.sum: cannot add %s", lang_type_name(x));
		}
	}
	*ret = acc;
	return 0;
}

#define MATH1(name, cfn) \
	static int x_##name(lang_state *L, int argc, const Value *a, Value *ret) \
	{ \
		*ret = v_float(cfn(NUM(0, "math." #name))); \
		return 0; \
	}
MATH1(sqrt, sqrt)
MATH1(exp, exp)
MATH1(log2, log2)
MATH1(log10, log10)
MATH1(sin, sin)
MATH1(cos, cos)
MATH1(tan, tan)
MATH1(asin, asin)
MATH1(acos, acos)
MATH1(atan, atan)

static const struct lang_reg math_funcs[] = {
	{ "floor", x_floor }, { "ceil", x_ceil }, { "round", x_round },
	{ "trunc", x_trunc }, { "abs", x_abs }, { "min", x_min },
	{ "max", x_max }, { "sqrt", x_sqrt }, { "pow", x_pow },
	{ "exp", x_exp }, { "log", x_log }, { "log2", x_log2 },
	{ "log10", x_log10 }, { "sin", x_sin }, { "cos", x_cos },
	{ "tan", x_tan }, { "asin", x_asin }, { "acos", x_acos },
	{ "atan", x_atan }, { "atan2", x_atan2 }, { "is_nan", x_is_nan },
	{ "is_inf", x_is_inf }, { "sum", x_sum }, { NULL, NULL }
};

void lang_lib_open_math(lang_state *L)
{
	Map *m = lang_lib_module(L, "math");
	lang_lib_reg(L, m, math_funcs);
	lang_lib_set(L, m, "pi", v_float(M_PI));
	lang_lib_set(L, m, "e", v_float(M_E));
	lang_lib_set(L, m, "inf", v_float(INFINITY));
	lang_lib_set(L, m, "huge", v_float(INFINITY));
	lang_lib_set(L, m, "nan", v_float(NAN));
	lang_lib_set(L, m, "maxint", v_int(INT64_MAX));
	lang_lib_set(L, m, "minint", v_int(INT64_MIN));
}
