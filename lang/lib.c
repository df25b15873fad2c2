/*
 * lib.c: the base library (print, str, int, float, type, len, range,
 * error, assert, format) and the argument helpers of all builtins.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/internal.h"

/* ---- helpers ---- */

static const char *ordinal(int i)
{
	static const char *const n[] = { "first", "second", "third", "fourth",
					 "fifth", "sixth" };
	return i < 6 ? n[i] : "an";
}

void lang_arg_count(lang_state *L, const char *fn, int argc, int min, int max)
{
	if (argc < min)
		lang_rt_error(L, "%s: expected %s%d argument%s, got %d", fn,
			      max == min ? "" : "at least ", min,
			      min == 1 ? "" : "s", argc);
	if (max >= 0 && argc > max)
		lang_rt_error(L, "%s: expected %s%d argument%s, got %d", fn,
			      max == min ? "" : "at most ", max,
			      max == 1 ? "" : "s", argc);
}

static _Noreturn void arg_error(lang_state *L, const char *fn, int argc,
				const Value *a, int i, const char *want)
{
	if (i >= argc)
		lang_rt_error(L, "%s: missing %s argument (%s)", fn, ordinal(i),
			      want);
	lang_rt_error(L, "%s: %s argument must be %s, not %s", fn, ordinal(i),
		      want, lang_type_name(a[i]));
}

int64_t lang_arg_int(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i < argc) {
		if (a[i].tag == T_INT)
			return a[i].u.i;
		if (a[i].tag == T_FLOAT && a[i].u.f == floor(a[i].u.f) &&
		    fabs(a[i].u.f) < 9.2e18)
			return (int64_t)a[i].u.f;
	}
	arg_error(L, fn, argc, a, i, "an int");
}

double lang_arg_num(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i < argc) {
		if (a[i].tag == T_INT)
			return (double)a[i].u.i;
		if (a[i].tag == T_FLOAT)
			return a[i].u.f;
	}
	arg_error(L, fn, argc, a, i, "a number");
}

String *lang_arg_str(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i < argc && a[i].tag == T_STR)
		return AS_STR(a[i]);
	arg_error(L, fn, argc, a, i, "a string");
}

List *lang_arg_list(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i < argc && a[i].tag == T_LIST)
		return AS_LIST(a[i]);
	arg_error(L, fn, argc, a, i, "a list");
}

Map *lang_arg_map(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i < argc && a[i].tag == T_MAP)
		return AS_MAP(a[i]);
	arg_error(L, fn, argc, a, i, "a map");
}

void lang_arg_func(lang_state *L, const char *fn, int argc, const Value *a, int i)
{
	if (i < argc && (a[i].tag == T_FUNC || a[i].tag == T_CFUNC))
		return;
	arg_error(L, fn, argc, a, i, "a function");
}

Map *lang_lib_module(lang_state *L, const char *name)
{
	String *s = lang_str_cstr(L, name);
	Value *v = lang_map_findstr(L->globals, s);
	if (v && v->tag == T_MAP)
		return AS_MAP(*v);
	Map *m = lang_map_alloc(L, 0);
	lang_map_put(L, L->globals, v_obj(T_STR, s), v_obj(T_MAP, m));
	return m;
}

void lang_lib_set(lang_state *L, Map *m, const char *name, Value v)
{
	lang_map_put(L, m, v_obj(T_STR, lang_str_cstr(L, name)), v);
}

void lang_lib_reg(lang_state *L, Map *m, const struct lang_reg *r)
{
	for (; r->name; r++)
		lang_lib_set(L, m, r->name,
			     v_obj(T_CFUNC, lang_cfunc_new(L, r->name, r->fn)));
}

int lang_lib_write(lang_state *L, int stream, const char *s, size_t n)
{
	if (L->writer)
		return L->writer(L->writer_ud, stream, s, n);
	FILE *f = stream == 2 ? stderr : stdout;
	if (n && fwrite(s, 1, n, f) != n)
		return -EIO;
	return 0;
}

/* ---- base functions ---- */

static int b_print(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	Buf b;
	lang_buf_init(&b, L);
	for (int i = 0; i < argc; i++) {
		if (i)
			lang_buf_addc(&b, ' ');
		lang_fmt_value(&b, a[i], false, 0);
	}
	lang_buf_addc(&b, '\n');
	int st = lang_lib_write(L, 1, b.p, b.len);
	lang_buf_free(&b);
	if (st)
		lang_rt_error(L, "print: write failed: %s", strerror(-st));
	return 0;
}

static int b_str(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "str", argc, 1, 1);
	*ret = v_obj(T_STR, lang_tostring(L, a[0]));
	return 0;
}

/* Parse a whole string as an int (decimal or 0x hex, optional sign and
 * surrounding blanks, _ between digits). */
static bool parse_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
			 s[n - 1] == '\r'))
		n--;
	bool neg = false;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	int base = 10;
	if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
		base = 16;
		i += 2;
	}
	if (i >= n)
		return false;
	uint64_t v = 0;
	bool digit = false;
	for (; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (c == '_' && digit && i + 1 < n && s[i + 1] != '_' &&
		    s[i - 1] != '_')
			continue;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
		digit = true;
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static int b_int(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "int", argc, 1, 1);
	switch (a[0].tag) {
	case T_INT:
		*ret = a[0];
		return 0;
	case T_FLOAT: {
		double d = trunc(a[0].u.f);
		if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18))
			lang_rt_error(L, "int: cannot convert %s to int",
				      isnan(d) ? "nan" : "a float this large");
		*ret = v_int((int64_t)d);
		return 0;
	}
	case T_STR: {
		int64_t v;
		String *s = AS_STR(a[0]);
		if (!parse_int(s->data, s->len, &v)) {
			Buf b;
			lang_buf_init(&b, L);
			lang_fmt_value(&b, a[0], true, 0);
			lang_rt_error(L, "int: cannot convert %.200s to int", b.p);
		}
		*ret = v_int(v);
		return 0;
	}
	default:
		lang_rt_error(L, "int: cannot convert %s to int",
			      lang_type_name(a[0]));
	}
}

static int b_float(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "float", argc, 1, 1);
	switch (a[0].tag) {
	case T_INT:
		*ret = v_float((double)a[0].u.i);
		return 0;
	case T_FLOAT:
		*ret = a[0];
		return 0;
	case T_STR: {
		String *s = AS_STR(a[0]);
		char *end;
		const char *p = s->data;
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		errno = 0;
		double d = strtod(p, &end);
		while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
			end++;
		if (end == p || end != s->data + s->len ||
		    (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))) {
			Buf b;
			lang_buf_init(&b, L);
			lang_fmt_value(&b, a[0], true, 0);
			lang_rt_error(L, "float: cannot convert %.200s to float", b.p);
		}
		*ret = v_float(d);
		return 0;
	}
	default:
		lang_rt_error(L, "float: cannot convert %s to float",
			      lang_type_name(a[0]));
	}
}

static int b_type(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "type", argc, 1, 1);
	*ret = v_obj(T_STR, lang_str_cstr(L, lang_type_name(a[0])));
	return 0;
}

static int b_len(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "len", argc, 1, 1);
	switch (a[0].tag) {
	case T_STR: *ret = v_int((int64_t)AS_STR(a[0])->len); return 0;
	case T_LIST: *ret = v_int((int64_t)AS_LIST(a[0])->len); return 0;
	case T_MAP: *ret = v_int(AS_MAP(a[0])->count); return 0;
	default:
		lang_rt_error(L, "len: expected a string, list or map, not %s",
			      lang_type_name(a[0]));
	}
}

static int b_range(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "range", argc, 1, 3);
	int64_t start = 0, stop, step = 1;
	if (argc == 1) {
		stop = lang_arg_int(L, "range", argc, a, 0);
	} else {
		start = lang_arg_int(L, "range", argc, a, 0);
		stop = lang_arg_int(L, "range", argc, a, 1);
		if (argc == 3)
			step = lang_arg_int(L, "range", argc, a, 2);
	}
	if (step == 0)
		lang_rt_error(L, "range: step must not be zero");
	uint64_t n = 0;
	if (step > 0 && start < stop)
		n = ((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1;
	else if (step < 0 && start > stop)
		n = ((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1;
	if (n > ((uint64_t)1 << 32))
		lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	List *l = lang_list_alloc(L, (size_t)n);
	for (uint64_t i = 0; i < n; i++)
		l->items[i] = v_int((int64_t)((uint64_t)start + i * (uint64_t)step));
	l->len = (size_t)n;
	*ret = v_obj(T_LIST, l);
	return 0;
}

static int b_error(lang_state *L, int argc, const Value *a, Value *ret)
{
	(void)ret;
	lang_throw_value(L, argc ? a[0] : V_NIL);
}

static int b_assert(lang_state *L, int argc, const Value *a, Value *ret)
{
	lang_arg_count(L, "assert", argc, 1, 2);
	if (TRUTHY(a[0])) {
		*ret = a[0];
		return 0;
	}
	if (argc > 1) {
		String *s = lang_tostring(L, a[1]);
		lang_rt_error(L, "%.500s", s->data);
	}
	lang_rt_error(L, "assertion failed");
}

/* ---- format ---- */

typedef struct Spec {
	char align; /* '<' '>' '^' or 0 */
	char fill;
	int width;
	int prec;   /* -1 none */
	char type;  /* 0 d f e g x X o b s */
} Spec;

static void pad_out(Buf *b, const Spec *sp, const char *s, size_t n, bool num)
{
	size_t w = sp->width > 0 ? (size_t)sp->width : 0;
	char align = sp->align ? sp->align : num ? '>' : '<';
	size_t padn = w > n ? w - n : 0;
	if (sp->fill == '0' && !sp->align && num && padn) {
		/* zero padding goes after the sign */
		if (n && (s[0] == '-' || s[0] == '+')) {
			lang_buf_addc(b, s[0]);
			s++;
			n--;
		}
		for (size_t i = 0; i < padn; i++)
			lang_buf_addc(b, '0');
		lang_buf_add(b, s, n);
		return;
	}
	char f = sp->fill && sp->fill != '0' ? sp->fill : ' ';
	if (sp->fill == '0' && sp->align)
		f = '0';
	size_t left = align == '>' ? padn : align == '^' ? padn / 2 : 0;
	for (size_t i = 0; i < left; i++)
		lang_buf_addc(b, f);
	lang_buf_add(b, s, n);
	for (size_t i = left; i < padn; i++)
		lang_buf_addc(b, f);
}

static void format_one(lang_state *L, const char *fn, Buf *b, const Spec *sp, Value v)
{
	char tmp[128];
	bool num = v.tag == T_INT || v.tag == T_FLOAT;
	switch (sp->type) {
	case 'f': case 'e': case 'g': {
		if (!num)
			lang_rt_error(L, "%s: {:%c} needs a number, not %s", fn,
				      sp->type, lang_type_name(v));
		double d = v.tag == T_INT ? (double)v.u.i : v.u.f;
		char f[8] = { '%', '.', '*', sp->type, 0 };
		snprintf(tmp, sizeof tmp, f, sp->prec >= 0 ? sp->prec : 6, d);
		pad_out(b, sp, tmp, strlen(tmp), true);
		return;
	}
	case 'x': case 'X': case 'o': case 'b': case 'd': {
		if (v.tag != T_INT)
			lang_rt_error(L, "%s: {:%c} needs an int, not %s", fn,
				      sp->type, lang_type_name(v));
		int64_t i = v.u.i;
		uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
		char digits[80];
		int n = 0;
		if (sp->type == 'd') {
			n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
		} else if (sp->type == 'b') {
			do {
				digits[n++] = (char)('0' + (u & 1));
				u >>= 1;
			} while (u);
			for (int x = 0; x < n / 2; x++) {
				char c = digits[x];
				digits[x] = digits[n - 1 - x];
				digits[n - 1 - x] = c;
			}
			digits[n] = 0;
		} else {
			const char *f = sp->type == 'x' ? "%llx" : sp->type == 'X' ? "%llX" : "%llo";
			n = snprintf(digits, sizeof digits, f, (unsigned long long)u);
		}
		snprintf(tmp, sizeof tmp, "%s%s", i < 0 ? "-" : "", digits);
		pad_out(b, sp, tmp, strlen(tmp), true);
		return;
	}
	default: {
		if (v.tag == T_FLOAT && sp->prec >= 0) {
			snprintf(tmp, sizeof tmp, "%.*f", sp->prec, v.u.f);
			pad_out(b, sp, tmp, strlen(tmp), true);
			return;
		}
		Buf t;
		lang_buf_init(&t, L);
		lang_fmt_value(&t, v, false, 0);
		size_t n = t.len;
		if (v.tag == T_STR && sp->prec >= 0 && (size_t)sp->prec < n)
			n = (size_t)sp->prec;
		pad_out(b, sp, t.p ? t.p : "", n, num);
		lang_buf_free(&t);
	}
	}
}

/* Parse the spec after ':' up to '}'; returns the position after '}'. */
static size_t parse_spec(lang_state *L, const char *fn, const char *s, size_t i,
			 size_t n, Spec *sp)
{
	sp->align = 0;
	sp->fill = 0;
	sp->width = 0;
	sp->prec = -1;
	sp->type = 0;
	if (i + 1 < n && (s[i + 1] == '<' || s[i + 1] == '>' || s[i + 1] == '^') &&
	    s[i] != '}') {
		sp->fill = s[i];
		sp->align = s[i + 1];
		i += 2;
	} else if (i < n && (s[i] == '<' || s[i] == '>' || s[i] == '^')) {
		sp->align = s[i++];
	}
	if (i < n && s[i] == '0') {
		sp->fill = '0';
		i++;
	}
	while (i < n && s[i] >= '0' && s[i] <= '9' && sp->width < 10000)
		sp->width = sp->width * 10 + (s[i++] - '0');
	if (i < n && s[i] == '.') {
		i++;
		sp->prec = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && sp->prec < 1000)
			sp->prec = sp->prec * 10 + (s[i++] - '0');
		if (sp->prec > 100)
			sp->prec = 100;
	}
	if (i < n && strchr("dfegxXobs", s[i]) && s[i])
		sp->type = s[i++];
	if (i >= n || s[i] != '}')
		lang_rt_error(L, "%s: bad placeholder in format string", fn);
	if (sp->width > 1000)
		sp->width = 1000;
	return i + 1;
}

String *lang_format(lang_state *L, const char *fn, String *fmt, int argc,
		    const Value *args)
{
	Buf b;
	lang_buf_init(&b, L);
	const char *s = fmt->data;
	size_t n = fmt->len;
	int next = 0;
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '{' && i + 1 < n && s[i + 1] == '{') {
			lang_buf_addc(&b, '{');
			i += 2;
		} else if (c == '}' && i + 1 < n && s[i + 1] == '}') {
			lang_buf_addc(&b, '}');
			i += 2;
		} else if (c == '{') {
			Spec sp = { 0, 0, 0, -1, 0 };
			i++;
			if (i < n && s[i] == ':')
				i = parse_spec(L, fn, s, i + 1, n, &sp);
			else if (i < n && s[i] == '}')
				i++;
			else
				lang_rt_error(L, "%s: bad placeholder in format string", fn);
			if (next >= argc)
				lang_rt_error(L, "%s: not enough arguments for the format string", fn);
			format_one(L, fn, &b, &sp, args[next++]);
		} else if (c == '}') {
			lang_rt_error(L, "%s: single '}' in format string (use '}}')", fn);
		} else {
			size_t j = i;
			while (j < n && s[j] != '{' && s[j] != '}')
				j++;
			lang_buf_add(&b, s + i, j - i);
			i = j;
		}
	}
	return lang_buf_tostr(&b);
}

static int b_format(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *f = lang_arg_str(L, "format", argc, a, 0);
	*ret = v_obj(T_STR, lang_format(L, "format", f, argc - 1, a + 1));
	return 0;
}

static const struct lang_reg base_funcs[] = {
	{ "print", b_print }, { "str", b_str }, { "int", b_int },
	{ "float", b_float }, { "type", b_type }, { "len", b_len },
	{ "range", b_range }, { "error", b_error }, { "assert", b_assert },
	{ "format", b_format }, { NULL, NULL }
};

void lang_lib_open_base(lang_state *L)
{
	lang_lib_reg(L, L->globals, base_funcs);
}
