/*
 * lib_string.c: the string module. Indices and lengths count bytes;
 * chars() and iteration count UTF-8 code points.
 */
#include <ctype.h>
#include <stdlib.h>

#include "lang/internal.h"

#define STR(i, fn) lang_arg_str(L, fn, argc, a, i)

static Value sv(String *s)
{
	return v_obj(T_STR, s);
}

static int s_len(lang_state *L, int argc, const Value *a, Value *ret)
{
	*ret = v_int((int64_t)STR(0, "string.len")->len);
	return 0;
}

/* Clamp a possibly negative index into [0, len]. */
static size_t clamp_index(int64_t i, size_t len)
{
	if (i < 0)
		i += (int64_t)len;
	if (i < 0)
		return 0;
	if ((uint64_t)i > len)
		return len;
	return (size_t)i;
}

static int s_sub(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.sub");
	lang_arg_count(L, "string.sub", argc, 2, 3);
	size_t i = clamp_index(lang_arg_int(L, "string.sub", argc, a, 1), s->len);
	size_t j = s->len;
	if (argc > 2 && a[2].tag != T_NIL)
		j = clamp_index(lang_arg_int(L, "string.sub", argc, a, 2), s->len);
	if (j < i)
		j = i;
	*ret = sv(lang_str_new(L, s->data + i, j - i));
	return 0;
}

static const char *find_bytes(const char *h, size_t hn, const char *n, size_t nn)
{
	if (nn == 0)
		return h;
	if (nn > hn)
		return NULL;
	if (nn == 1)
		return memchr(h, n[0], hn);
	return memmem(h, hn, n, nn);
}

static int s_find(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.find"), *t = STR(1, "string.find");
	size_t start = 0;
	if (argc > 2)
		start = clamp_index(lang_arg_int(L, "string.find", argc, a, 2), s->len);
	const char *p = find_bytes(s->data + start, s->len - start, t->data, t->len);
	*ret = v_int(p ? (int64_t)(p - s->data) : -1);
	return 0;
}

static int s_contains(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.contains"), *t = STR(1, "string.contains");
	*ret = v_bool(find_bytes(s->data, s->len, t->data, t->len) != NULL);
	return 0;
}

static int s_count(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.count"), *t = STR(1, "string.count");
	if (!t->len)
		lang_rt_error(L, "string.count: empty substring");
	int64_t n = 0;
	const char *p = s->data, *end = s->data + s->len;
	while ((p = find_bytes(p, (size_t)(end - p), t->data, t->len))) {
		n++;
		p += t->len;
	}
	*ret = v_int(n);
	return 0;
}

static int s_split(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.split");
	List *l = lang_list_alloc(L, 0);
	*ret = v_obj(T_LIST, l); /* *ret is not rooted; no OrionLang runs here */
	if (argc < 2 || a[1].tag == T_NIL) {
		/* split on runs of whitespace, dropping empty parts */
		size_t i = 0;
		while (i < s->len) {
			while (i < s->len && isspace((unsigned char)s->data[i]))
				i++;
			size_t j = i;
			while (j < s->len && !isspace((unsigned char)s->data[j]))
				j++;
			if (j > i)
				lang_list_append(L, l, sv(lang_str_new(L, s->data + i, j - i)));
			i = j;
		}
		return 0;
	}
	String *sep = STR(1, "string.split");
	if (!sep->len)
		lang_rt_error(L, "string.split: empty separator");
	const char *p = s->data, *end = s->data + s->len;
	for (;;) {
		const char *q = find_bytes(p, (size_t)(end - p), sep->data, sep->len);
		if (!q) {
			lang_list_append(L, l, sv(lang_str_new(L, p, (size_t)(end - p))));
			break;
		}
		lang_list_append(L, l, sv(lang_str_new(L, p, (size_t)(q - p))));
		p = q + sep->len;
	}
	return 0;
}

static int s_lines(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.lines");
	List *l = lang_list_alloc(L, 0);
	*ret = v_obj(T_LIST, l);
	const char *p = s->data, *end = s->data + s->len;
	while (p < end) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		const char *e = q ? q : end;
		size_t n = (size_t)(e - p);
		if (n && p[n - 1] == '\r')
			n--;
		lang_list_append(L, l, sv(lang_str_new(L, p, n)));
		p = q ? q + 1 : end;
	}
	return 0;
}

static int s_join(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *sep = STR(0, "string.join");
	List *l = lang_arg_list(L, "string.join", argc, a, 1);
	Buf b;
	lang_buf_init(&b, L);
	for (size_t i = 0; i < l->len; i++) {
		if (i)
			lang_buf_add(&b, sep->data, sep->len);
		lang_fmt_value(&b, l->items[i], false, 0);
	}
	*ret = sv(lang_buf_tostr(&b));
	return 0;
}

static int s_replace(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.replace"), *old = STR(1, "string.replace"),
	       *rep = STR(2, "string.replace");
	int64_t max = argc > 3 ? lang_arg_int(L, "string.replace", argc, a, 3) : -1;
	if (!old->len)
		lang_rt_error(L, "string.replace: empty search string");
	Buf b;
	lang_buf_init(&b, L);
	const char *p = s->data, *end = s->data + s->len;
	while (max != 0) {
		const char *q = find_bytes(p, (size_t)(end - p), old->data, old->len);
		if (!q)
			break;
		lang_buf_add(&b, p, (size_t)(q - p));
		lang_buf_add(&b, rep->data, rep->len);
		p = q + old->len;
		if (max > 0)
			max--;
	}
	lang_buf_add(&b, p, (size_t)(end - p));
	*ret = sv(lang_buf_tostr(&b));
	return 0;
}

static int s_case(lang_state *L, int argc, const Value *a, Value *ret, bool up)
{
	String *s = STR(0, up ? "string.upper" : "string.lower");
	String *r = lang_str_alloc(L, s->len);
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->data[i];
		r->data[i] = (char)(up ? (c >= 'a' && c <= 'z' ? c - 32 : c)
				    : (c >= 'A' && c <= 'Z' ? c + 32 : c));
	}
	*ret = sv(lang_str_done(L, r));
	return 0;
}

static int s_upper(lang_state *L, int argc, const Value *a, Value *ret)
{
	return s_case(L, argc, a, ret, true);
}

static int s_lower(lang_state *L, int argc, const Value *a, Value *ret)
{
	return s_case(L, argc, a, ret, false);
}

static int s_trim_impl(lang_state *L, int argc, const Value *a, Value *ret,
		       bool left, bool right, const char *fn)
{
	String *s = STR(0, fn);
	size_t i = 0, j = s->len;
	while (left && i < j && isspace((unsigned char)s->data[i]))
		i++;
	while (right && j > i && isspace((unsigned char)s->data[j - 1]))
		j--;
	*ret = sv(lang_str_new(L, s->data + i, j - i));
	return 0;
}

static int s_trim(lang_state *L, int argc, const Value *a, Value *ret)
{
	return s_trim_impl(L, argc, a, ret, true, true, "string.trim");
}

static int s_trim_start(lang_state *L, int argc, const Value *a, Value *ret)
{
	return s_trim_impl(L, argc, a, ret, true, false, "string.trim_start");
}

static int s_trim_end(lang_state *L, int argc, const Value *a, Value *ret)
{
	return s_trim_impl(L, argc, a, ret, false, true, "string.trim_end");
}

static int s_starts_with(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.starts_with"), *t = STR(1, "string.starts_with");
	*ret = v_bool(t->len <= s->len && !memcmp(s->data, t->data, t->len));
	return 0;
}

static int s_ends_with(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.ends_with"), *t = STR(1, "string.ends_with");
	*ret = v_bool(t->len <= s->len &&
		      !memcmp(s->data + s->len - t->len, t->data, t->len));
	return 0;
}

static int s_repeat(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.repeat");
	int64_t n = lang_arg_int(L, "string.repeat", argc, a, 1);
	if (n <= 0 || !s->len) {
		*ret = sv(lang_str_new(L, "", 0));
		return 0;
	}
	if ((uint64_t)n > ((uint64_t)1 << 40) / s->len)
		lang_fatal(L, LANG_EMEM, "memory limit exceeded");
	String *r = lang_str_alloc(L, s->len * (size_t)n);
	for (int64_t i = 0; i < n; i++)
		memcpy(r->data + (size_t)i * s->len, s->data, s->len);
	*ret = sv(lang_str_done(L, r));
	return 0;
}

static int s_chars(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.chars");
	List *l = lang_list_alloc(L, 0);
	*ret = v_obj(T_LIST, l);
	for (size_t i = 0; i < s->len;) {
		size_t n = lang_utf8_len((const unsigned char *)s->data + i, s->len - i);
		lang_list_append(L, l, sv(lang_str_new(L, s->data + i, n)));
		i += n;
	}
	return 0;
}

static int s_bytes(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.bytes");
	List *l = lang_list_alloc(L, s->len);
	for (size_t i = 0; i < s->len; i++)
		l->items[i] = v_int((unsigned char)s->data[i]);
	l->len = s->len;
	*ret = v_obj(T_LIST, l);
	return 0;
}

static int s_from_bytes(lang_state *L, int argc, const Value *a, Value *ret)
{
	List *l = lang_arg_list(L, "string.from_bytes", argc, a, 0);
	String *r = lang_str_alloc(L, l->len);
	for (size_t i = 0; i < l->len; i++) {
		Value v = l->items[i];
		if (v.tag != T_INT || v.u.i < 0 || v.u.i > 255)
			lang_rt_error(L, "string.from_bytes: item %zu is not a byte", i);
		r->data[i] = (char)v.u.i;
	}
	*ret = sv(lang_str_done(L, r));
	return 0;
}

static int s_ord(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *s = STR(0, "string.ord");
	if (!s->len)
		lang_rt_error(L, "string.ord: empty string");
	const unsigned char *p = (const unsigned char *)s->data;
	size_t n = lang_utf8_len(p, s->len);
	uint32_t cp = p[0];
	if (n == 2)
		cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
	else if (n == 3)
		cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	else if (n == 4)
		cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
		     (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
	*ret = v_int(cp);
	return 0;
}

static int s_chr(lang_state *L, int argc, const Value *a, Value *ret)
{
	int64_t cp = lang_arg_int(L, "string.chr", argc, a, 0);
	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		lang_rt_error(L, "string.chr: %lld is not a code point", (long long)cp);
	char u[4];
	*ret = sv(lang_str_new(L, u, (size_t)lang_utf8_encode(u, (uint32_t)cp)));
	return 0;
}

static int s_format(lang_state *L, int argc, const Value *a, Value *ret)
{
	String *f = STR(0, "string.format");
	*ret = sv(lang_format(L, "string.format", f, argc - 1, a + 1));
	return 0;
}

static const struct lang_reg string_funcs[] = {
	{ "len", s_len }, { "sub", s_sub }, { "slice", s_sub },
	{ "find", s_find }, { "index_of", s_find }, { "contains", s_contains },
	{ "count", s_count }, { "split", s_split }, { "lines", s_lines },
	{ "join", s_join }, { "replace", s_replace }, { "upper", s_upper },
	{ "lower", s_lower }, { "trim", s_trim }, { "trim_start", s_trim_start },
	{ "trim_end", s_trim_end }, { "starts_with", s_starts_with },
	{ "ends_with", s_ends_with }, { "repeat", s_repeat },
	{ "chars", s_chars }, { "bytes", s_bytes },
	{ "from_bytes", s_from_bytes }, { "ord", s_ord }, { "chr", s_chr },
	{ "format", s_format }, { NULL, NULL }
};

void lang_lib_open_string(lang_state *L)
{
	Map *m = lang_lib_module(L, "string");
	lang_lib_reg(L, m, string_funcs);
	L->mod_string = m;
}
