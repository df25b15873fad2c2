/*
 * format.c: growable byte buffers (counted by the allocator) and the
 * textual form of values (str, print, error messages).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lang/internal.h"

/* Decimal digits of i at the end of buf[0..31]; returns the start. */
static char *fmt_int(char buf[32], int64_t i)
{
	char *p = buf + 32;
	uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (i < 0)
		*--p = '-';
	return p;
}

/* The buffer's bytes live in an unreferenced String object of length
 * cap: if an error unwinds past the buffer, the collector frees it. */
void lang_buf_init(Buf *b, lang_state *L)
{
	b->L = L;
	b->s = NULL;
	b->p = NULL;
	b->len = b->cap = 0;
}

static void buf_grow(Buf *b, size_t need)
{
	size_t nc = b->cap ? b->cap : 64;
	while (nc < b->len + need + 1) {
		if (nc > ((size_t)1 << 40))
			lang_fatal(b->L, LANG_EMEM, "memory limit exceeded");
		nc *= 2;
	}
	String *s = lang_str_alloc(b->L, nc);
	if (b->len)
		memcpy(s->data, b->p, b->len);
	b->s = s;
	b->p = s->data;
	b->cap = nc;
}

void lang_buf_add(Buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void lang_buf_addc(Buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void lang_buf_adds(Buf *b, const char *s)
{
	lang_buf_add(b, s, strlen(s));
}

void lang_buf_printf(Buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		lang_buf_add(b, tmp, (size_t)n);
		return;
	}
	if (b->len + (size_t)n + 1 > b->cap)
		buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void lang_buf_free(Buf *b)
{
	/* The storage is garbage now; the collector reclaims it. */
	b->s = NULL;
	b->p = NULL;
	b->len = b->cap = 0;
}

String *lang_buf_tostr(Buf *b)
{
	String *s;
	if (b->len <= INTERN_MAX || !b->s) {
		s = lang_str_new(b->L, b->p ? b->p : "", b->len);
	} else {
		s = b->s;
		s->len = b->len;
		s->data[s->len] = 0;
		/* Shrink the block when it is the newest object (the usual
		 * case); else keep the slack, which s->alloc accounts for. */
		if (b->L->objects == &s->h && b->cap > b->len + 64) {
			size_t old = sizeof(String) + b->cap + 1;
			size_t nsz = sizeof(String) + b->len + 1;
			String *t = lang_mem_realloc(b->L, s, old, nsz);
			if (t) {
				b->L->objects = &t->h;
				s = t;
				s->alloc = b->len;
			}
		}
	}
	lang_buf_free(b);
	return s;
}

/* The shortest decimal that reads back exactly, written like Python's
 * repr: fixed notation (with ".0" when integral) for decimal exponents
 * -4..15, else d.ddde+XX. */
void lang_fmt_float(char *out, size_t n, double d)
{
	if (isnan(d)) {
		snprintf(out, n, "nan");
		return;
	}
	if (isinf(d)) {
		snprintf(out, n, d < 0 ? "-inf" : "inf");
		return;
	}
	/* Fast path: values with at most 3 decimals (prices, halves, ...).
	 * Below 1e12 two such decimals are farther apart than an ulp, so the
	 * one that reads back is the shortest once zeros are stripped. */
	double ad = fabs(d);
	if (ad < 1e12 && ad >= 1e-3) {
		static const double p10[] = { 1, 10, 100, 1000 };
		for (int k = 0; k <= 3; k++) {
			double m = d * p10[k];
			if (m != floor(m) || m / p10[k] != d)
				continue;
			uint64_t u = (uint64_t)fabs(m);
			uint64_t pk = (uint64_t)p10[k];
			char frac[8];
			int fl = 0;
			uint64_t r = u % pk;
			for (int j = k - 1; j >= 0; j--) {
				frac[j] = (char)('0' + r % 10);
				r /= 10;
			}
			fl = k;
			while (fl > 1 && frac[fl - 1] == '0')
				fl--;
			if (fl == 0)
				frac[fl++] = '0';
			snprintf(out, n, "%s%llu.%.*s", d < 0 ? "-" : "",
				 (unsigned long long)(u / pk), fl, frac);
			return;
		}
	}
	/* The 15-digit rounding is the shortest form whenever it reads back
	 * (doubles carry 15.95 digits); else 16, else 17 digits. */
	char e[48];
	/* subnormals carry fewer digits: search from 1 digit up */
	for (int prec = fabs(d) < 2.3e-308 ? 0 : 14; prec <= 16; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e is [-]D.DDDDe[+-]XX: strip the mantissa's trailing zeros */
	char *x = strchr(e, 'e');
	int exp = atoi(x + 1);
	char *m = x;
	while (m > e && m[-1] == '0')
		m--;
	if (m > e && m[-1] == '.')
		m--;
	const char *digits = e[0] == '-' ? e + 1 : e;
	int nd = 0;
	for (const char *q = digits; q < m; q++)
		if (*q >= '0' && *q <= '9')
			nd++;
	if (exp < -4 || exp >= 16) {
		snprintf(out, n, "%.*se%c%02d", (int)(m - e), e, exp < 0 ? '-' : '+',
			 exp < 0 ? -exp : exp);
		return;
	}
	int decimals = nd - 1 - exp;
	if (decimals < 0)
		decimals = 0;
	snprintf(out, n, "%.*f", decimals, d);
	if (!strchr(out, '.')) {
		size_t l = strlen(out);
		if (l + 3 <= n)
			memcpy(out + l, ".0", 3);
	}
}

static void fmt_quoted(Buf *b, const String *s)
{
	lang_buf_addc(b, '"');
	for (size_t i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->data[i];
		switch (c) {
		case '"': lang_buf_add(b, "\\\"", 2); break;
		case '\\': lang_buf_add(b, "\\\\", 2); break;
		case '\n': lang_buf_add(b, "\\n", 2); break;
		case '\t': lang_buf_add(b, "\\t", 2); break;
		case '\r': lang_buf_add(b, "\\r", 2); break;
		default:
			if (c < 0x20 || c == 0x7f)
				lang_buf_printf(b, "\\x%02x", c);
			else
				lang_buf_addc(b, (char)c);
		}
	}
	lang_buf_addc(b, '"');
}

#define FMT_DEPTH 64

/* anc[0..depth-1]: the containers being printed (cycle detection). */
static bool fmt_seen(const void **anc, int depth, const void *o)
{
	for (int i = 0; i < depth; i++)
		if (anc[i] == o)
			return true;
	return depth >= FMT_DEPTH;
}

static void fmt_value(Buf *b, Value v, bool quote, const void **anc,
		      int depth);

void lang_fmt_value(Buf *b, Value v, bool quote, int depth)
{
	const void *anc[FMT_DEPTH];
	(void)depth;
	fmt_value(b, v, quote, anc, 0);
}

static void fmt_value(Buf *b, Value v, bool quote, const void **anc,
		      int depth)
{
	char tmp[64];
	switch (v.tag) {
	case T_NIL:
		lang_buf_add(b, "nil", 3);
		break;
	case T_BOOL:
		lang_buf_adds(b, v.u.b ? "true" : "false");
		break;
	case T_INT: {
		char *p = fmt_int(tmp, v.u.i);
		lang_buf_add(b, p, (size_t)(tmp + 32 - p));
		break;
	}
	case T_FLOAT:
		lang_fmt_float(tmp, sizeof tmp, v.u.f);
		lang_buf_adds(b, tmp);
		break;
	case T_STR:
		if (quote)
			fmt_quoted(b, AS_STR(v));
		else
			lang_buf_add(b, AS_STR(v)->data, AS_STR(v)->len);
		break;
	case T_LIST: {
		List *l = AS_LIST(v);
		if (fmt_seen(anc, depth, l)) {
			lang_buf_adds(b, "[...]");
			break;
		}
		anc[depth] = l;
		lang_buf_addc(b, '[');
		for (size_t i = 0; i < l->len; i++) {
			if (i)
				lang_buf_add(b, ", ", 2);
			fmt_value(b, l->items[i], true, anc, depth + 1);
		}
		lang_buf_addc(b, ']');
		break;
	}
	case T_MAP: {
		Map *m = AS_MAP(v);
		if (fmt_seen(anc, depth, m)) {
			lang_buf_adds(b, "{...}");
			break;
		}
		anc[depth] = m;
		lang_buf_addc(b, '{');
		uint32_t it = 0;
		MapEntry *e;
		bool first = true;
		while ((e = lang_map_iter(m, &it))) {
			if (!first)
				lang_buf_add(b, ", ", 2);
			first = false;
			fmt_value(b, e->key, true, anc, depth + 1);
			lang_buf_add(b, ": ", 2);
			fmt_value(b, e->val, true, anc, depth + 1);
		}
		lang_buf_addc(b, '}');
		break;
	}
	case T_FUNC: {
		Proto *p = AS_CL(v)->p;
		lang_buf_adds(b, "<fn ");
		if (p->name)
			lang_buf_add(b, p->name->data, p->name->len);
		else
			lang_buf_adds(b, "<anonymous>");
		lang_buf_addc(b, '>');
		break;
	}
	case T_CFUNC:
		lang_buf_printf(b, "<fn %s>", AS_CF(v)->name);
		break;
	case T_HOST:
		lang_buf_printf(b, "<%s>", AS_HOST(v)->ty->name);
		break;
	default:
		lang_buf_adds(b, "<?>");
	}
}

String *lang_tostring(lang_state *L, Value v)
{
	char tmp[64];
	if (v.tag == T_STR)
		return AS_STR(v);
	if (v.tag == T_INT) {
		char *p = fmt_int(tmp, v.u.i);
		return lang_str_new(L, p, (size_t)(tmp + 32 - p));
	}
	if (v.tag == T_FLOAT) {
		lang_fmt_float(tmp, sizeof tmp, v.u.f);
		return lang_str_cstr(L, tmp);
	}
	Buf b;
	lang_buf_init(&b, L);
	lang_fmt_value(&b, v, false, 0);
	return lang_buf_tostr(&b);
}
