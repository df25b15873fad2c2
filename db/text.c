/*
 * text.c: the text forms of values: plain text (what /db/KEY reads as),
 * JSON out, and reading both back.
 *
 * JSON mapping: null, true/false, integers (int), numbers with a fraction
 * or exponent (float), strings, arrays (list), objects (map, in order),
 * and {"$blob":"BASE64"} for a blob (standard alphabet, padded).
 */
#include "db/internal.h"

#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output buffer ---- */

void db_buf_put(struct db_buf *b, const void *p, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->err = -ENOMEM;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void db_buf_putc(struct db_buf *b, char c) { db_buf_put(b, &c, 1); }

/* finish: hand b's text to the caller, or fail with its error. */
static int finish(struct db_buf *b, int rc, char **out, size_t *len)
{
	if (rc == 0 && b->err)
		rc = db_set_err(b->err, "out of memory");
	if (rc == 0 && !b->p)
		db_buf_put(b, "", 0), rc = b->err;
	if (rc < 0) {
		free(b->p);
		*out = NULL;
		return rc;
	}
	*out = b->p;
	if (len)
		*len = b->len;
	return 0;
}

/* Numbers are read and written in the "C" locale whatever the program
 * set (a ',' decimal point would break JSON and the text form). */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* use_c_locale: switch this thread to "C"; returns what to switch back to. */
static locale_t use_c_locale(void)
{
	pthread_once(&c_locale_once, make_c_locale);
	return c_locale ? uselocale(c_locale) : (locale_t)0;
}

static void restore_locale(locale_t old)
{
	if (old)
		uselocale(old);
}

/* db_float_text: shortest text that reads back as exactly f. */
int db_float_text(double f, char *out, size_t cap)
{
	int n = 0;
	locale_t old = use_c_locale();
	for (int prec = 1; prec <= 17; prec++) {
		n = snprintf(out, cap, "%.*g", prec, f);
		if (strtod(out, NULL) == f)
			break;
	}
	restore_locale(old);
	if (!strpbrk(out, ".eEn") && (size_t)n + 2 < cap) { /* "1" -> "1.0" */
		memcpy(out + n, ".0", 3);
		n += 2;
	}
	return n;
}

/* ---- base64 for blobs inside JSON ---- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void put_base64(struct db_buf *b, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		uint32_t x = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			x |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			x |= p[i + 2];
		char q[4] = {b64[x >> 18], b64[x >> 12 & 63], i + 1 < n ? b64[x >> 6 & 63] : '=',
			     i + 2 < n ? b64[x & 63] : '='};
		db_buf_put(b, q, 4);
	}
}

/* unbase64: decode padded base64 s (n bytes) into b; -EINVAL if malformed. */
static int unbase64(struct db_buf *b, const char *s, size_t n)
{
	if (n % 4)
		return -EINVAL;
	for (size_t i = 0; i < n; i += 4) {
		uint32_t x = 0;
		int pad = 0;
		for (int j = 0; j < 4; j++) {
			const char *c = s[i + j] ? strchr(b64, s[i + j]) : NULL;
			if (s[i + j] == '=' && i + 4 == n && j >= 2 && (j == 3 || s[i + 3] == '='))
				pad++, c = b64;
			else if (!c || pad)
				return -EINVAL;
			x = x << 6 | (uint32_t)(c - b64);
		}
		unsigned char q[3] = {(unsigned char)(x >> 16), (unsigned char)(x >> 8), (unsigned char)x};
		if ((pad == 2 && (x & 0xffff)) || (pad == 1 && (x & 0xff)))
			return -EINVAL; /* non-zero unused bits: not canonical */
		db_buf_put(b, q, (size_t)(3 - pad));
	}
	return 0;
}

/* ---- JSON out ---- */

static void put_json_string(struct db_buf *b, const char *s, size_t n)
{
	db_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\', esc[1] = (char)c;
			db_buf_put(b, esc, 2);
		} else if (c == '\n') {
			db_buf_put(b, "\\n", 2);
		} else if (c == '\t') {
			db_buf_put(b, "\\t", 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			db_buf_put(b, esc, 6);
		} else {
			db_buf_putc(b, (char)c);
		}
	}
	db_buf_putc(b, '"');
}

/* put_scalar: null, bool, int or float as text; 0 if v was none of those. */
static int put_scalar(struct db_buf *b, const db_value *v)
{
	char num[40];
	switch (v->type) {
	case DB_NULL:
		db_buf_put(b, "null", 4);
		return 1;
	case DB_BOOL:
		db_buf_put(b, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
		return 1;
	case DB_INT:
		db_buf_put(b, num, (size_t)snprintf(num, sizeof num, "%" PRId64, v->u.i));
		return 1;
	case DB_FLOAT:
		db_buf_put(b, num, (size_t)db_float_text(v->u.f, num, sizeof num));
		return 1;
	}
	return 0;
}

/* put_json: v as JSON into b. */
static int put_json(struct db_buf *b, const db_value *v, int depth)
{
	if (v->type == DB_FLOAT && !isfinite(v->u.f))
		return db_set_err(-EINVAL, "float value is not finite");
	if (put_scalar(b, v))
		return 0;
	if (v->type == DB_STRING) {
		put_json_string(b, v->bytes, v->u.s.len);
		return 0;
	}
	if (v->type == DB_BLOB) {
		db_buf_put(b, "{\"$blob\":\"", 10);
		put_base64(b, (const unsigned char *)v->bytes, v->u.s.len);
		db_buf_put(b, "\"}", 2);
		return 0;
	}
	if (depth >= DB_DEPTH_MAX)
		return db_set_err(-EINVAL, "value nested deeper than %d", DB_DEPTH_MAX);
	db_buf_putc(b, v->type == DB_LIST ? '[' : '{');
	for (size_t i = 0; i < v->u.c.n; i++) {
		if (i)
			db_buf_putc(b, ',');
		const db_value *item = v->u.c.items ? v->u.c.items[i] : NULL;
		if (v->type == DB_MAP) {
			put_json_string(b, v->u.c.ents[i].key, v->u.c.ents[i].klen);
			db_buf_putc(b, ':');
			item = v->u.c.ents[i].val;
		}
		int rc = put_json(b, item, depth + 1);
		if (rc < 0)
			return rc;
	}
	db_buf_putc(b, v->type == DB_LIST ? ']' : '}');
	return 0;
}

/* db_value_json: v as JSON. */
int db_value_json(const db_value *v, char **out, size_t *len)
{
	struct db_buf b = {0};
	return finish(&b, put_json(&b, v, 0), out, len);
}

/* db_value_text: v's text form. */
int db_value_text(const db_value *v, char **out, size_t *len)
{
	struct db_buf b = {0};
	int rc = 0;
	if (v->type == DB_STRING || v->type == DB_BLOB)
		db_buf_put(&b, v->bytes, v->u.s.len);
	else if (v->type == DB_FLOAT && !isfinite(v->u.f))
		rc = db_set_err(-EINVAL, "float value is not finite");
	else if (!put_scalar(&b, v))
		rc = put_json(&b, v, 0);
	return finish(&b, rc, out, len);
}

/* ---- JSON in ---- */

struct json {
	const char *s, *p, *end;
};

/* jerr: the JSON error at the current offset. */
static int jerr(struct json *j, const char *what)
{
	return db_set_err(-EINVAL, "bad JSON at offset %td: %s", j->p - j->s, what);
}

static void skip_ws(struct json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* literal: whether the text at p starts with word (consumed if so). */
static int literal(struct json *j, const char *word)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return 0;
	j->p += n;
	return 1;
}

/* hex4: the 4 hex digits at p, or -1. */
static long hex4(struct json *j)
{
	if (j->end - j->p < 4)
		return -1;
	long x = 0;
	for (int i = 0; i < 4; i++) {
		char c = *j->p++;
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		x = x << 4 | d;
	}
	return x;
}

static void put_utf8(struct db_buf *b, unsigned long cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80)
		u[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63)), n = 2;
	else if (cp < 0x10000)
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 63)),
		u[2] = (char)(0x80 | (cp & 63)), n = 3;
	else
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 63)),
		u[2] = (char)(0x80 | (cp >> 6 & 63)), u[3] = (char)(0x80 | (cp & 63)), n = 4;
	db_buf_put(b, u, n);
}

/* escape: one backslash escape (after the '\\') into b. */
static int escape(struct json *j, struct db_buf *b)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	if (j->p >= j->end)
		return jerr(j, "unterminated string");
	const char *e = strchr(from, *j->p);
	if (*j->p && e) {
		j->p++;
		db_buf_putc(b, to[e - from]);
		return 0;
	}
	if (*j->p++ != 'u')
		return jerr(j, "unknown escape");
	long cp = hex4(j);
	if (cp < 0)
		return jerr(j, "bad \\u escape");
	if (cp >= 0xd800 && cp <= 0xdbff) { /* a surrogate pair */
		long lo = literal(j, "\\u") ? hex4(j) : -1;
		if (lo < 0xdc00 || lo > 0xdfff)
			return jerr(j, "lone surrogate");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return jerr(j, "lone surrogate");
	}
	put_utf8(b, (unsigned long)cp);
	return 0;
}

/* jstring: a JSON string (at the opening quote) into b. */
static int jstring(struct json *j, struct db_buf *b)
{
	j->p++;
	const char *start = j->p;
	while (j->p < j->end && *j->p != '"') {
		unsigned char c = (unsigned char)*j->p;
		int rc = 0;
		if (c < 0x20)
			return jerr(j, "control character in string");
		if (c == '\\')
			j->p++, rc = escape(j, b);
		else
			db_buf_putc(b, (char)c), j->p++;
		if (rc < 0)
			return rc;
	}
	if (j->p >= j->end)
		return jerr(j, "unterminated string");
	if (!orion_utf8_ok(start, (size_t)(j->p - start)))
		return jerr(j, "string is not valid UTF-8");
	j->p++;
	return b->err ? db_set_err(b->err, "out of memory") : 0;
}

/* jnumber: a JSON number: int when it has no fraction or exponent and
 * fits 64 bits, float otherwise. */
static int jnumber(struct json *j, db_value **out)
{
	const char *st = j->p;
	int isfloat = 0;
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p >= j->end || *j->p < '0' || *j->p > '9')
		return jerr(j, "bad number");
	if (*j->p == '0' && j->p + 1 < j->end && j->p[1] >= '0' && j->p[1] <= '9')
		return jerr(j, "leading zero");
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	if (j->p < j->end && *j->p == '.') {
		isfloat = 1;
		if (++j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jerr(j, "digit expected after '.'");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		isfloat = 1;
		if (++j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (j->p >= j->end || *j->p < '0' || *j->p > '9')
			return jerr(j, "digit expected in exponent");
		while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	char num[400];
	size_t n = (size_t)(j->p - st);
	if (n >= sizeof num)
		return jerr(j, "number too long");
	memcpy(num, st, n);
	num[n] = 0;
	errno = 0;
	if (!isfloat) {
		long long i = strtoll(num, NULL, 10);
		if (errno != ERANGE) {
			*out = db_value_int(i);
			return 0;
		}
	}
	locale_t old = use_c_locale();
	double f = strtod(num, NULL);
	restore_locale(old);
	if (!isfinite(f))
		return jerr(j, "number out of range");
	*out = db_value_float(f);
	return 0;
}

static int jvalue(struct json *j, db_value **out, int depth);

/* as_blob: turn map m into a blob if it is exactly {"$blob":"BASE64"}. */
static int as_blob(struct json *j, db_value **m)
{
	const db_value *s = db_map_get(*m, "$blob", 5);
	if (db_value_count(*m) != 1 || !s || s->type != DB_STRING)
		return 0;
	struct db_buf b = {0};
	if (unbase64(&b, s->bytes, s->u.s.len) < 0) {
		free(b.p);
		return jerr(j, "bad base64 in $blob");
	}
	db_value *blob = b.err ? NULL : db_value_blob(b.p, b.len);
	free(b.p);
	if (!blob)
		return db_set_err(-ENOMEM, "out of memory");
	db_value_free(*m);
	*m = blob;
	return 0;
}

/* jcontainer: an array or object (at its bracket). */
static int jcontainer(struct json *j, db_value **out, int depth)
{
	int obj = *j->p++ == '{';
	if (depth >= DB_DEPTH_MAX)
		return jerr(j, "nested too deep");
	db_value *v = obj ? db_value_map() : db_value_list();
	if (!(*out = v))
		return db_set_err(-ENOMEM, "out of memory");
	skip_ws(j);
	if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
		j->p++;
		return 0;
	}
	for (;;) {
		struct db_buf key = {0};
		db_value *item = NULL;
		int rc = 0;
		skip_ws(j);
		if (obj) {
			if (j->p >= j->end || *j->p != '"')
				rc = jerr(j, "object key expected");
			else if ((rc = jstring(j, &key)) == 0 && db_map_get(v, key.p ? key.p : "", key.len))
				rc = jerr(j, "duplicate object key");
			skip_ws(j);
			if (rc == 0 && !literal(j, ":"))
				rc = jerr(j, "':' expected");
		}
		if (rc == 0 && (rc = jvalue(j, &item, depth + 1)) == 0)
			rc = obj ? db_map_set(v, key.p ? key.p : "", key.len, item)
				 : db_list_append(v, item);
		free(key.p);
		if (rc < 0)
			return rc;
		skip_ws(j);
		if (literal(j, ","))
			continue;
		if (literal(j, obj ? "}" : "]"))
			return obj ? as_blob(j, out) : 0;
		return jerr(j, obj ? "',' or '}' expected" : "',' or ']' expected");
	}
}

/* jvalue: any JSON value at p (leading blanks skipped). */
static int jvalue(struct json *j, db_value **out, int depth)
{
	*out = NULL;
	skip_ws(j);
	if (j->p >= j->end)
		return jerr(j, "value expected");
	int rc = 0;
	char c = *j->p;
	if (c == '{' || c == '[') {
		rc = jcontainer(j, out, depth);
	} else if (c == '"') {
		struct db_buf b = {0};
		if ((rc = jstring(j, &b)) == 0)
			*out = db_value_string(b.p ? b.p : "", b.len);
		free(b.p);
	} else if (literal(j, "null")) {
		*out = db_value_null();
	} else if (literal(j, "true") || literal(j, "false")) {
		*out = db_value_bool(j->p[-1] == 'e' && j->p[-2] == 'u');
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		rc = jnumber(j, out);
	} else {
		rc = jerr(j, "value expected");
	}
	if (rc == 0 && !*out)
		rc = db_set_err(-ENOMEM, "out of memory");
	if (rc < 0) {
		db_value_free(*out);
		*out = NULL;
	}
	return rc;
}

/* db_value_from_json: any JSON text as a value. */
int db_value_from_json(const char *text, size_t len, db_value **out)
{
	struct json j = {text, text, text + len};
	int rc = jvalue(&j, out, 0);
	skip_ws(&j);
	if (rc == 0 && j.p != j.end) {
		db_value_free(*out);
		*out = NULL;
		rc = jerr(&j, "trailing characters");
	}
	return rc;
}

/* db_value_parse: text read as a value of the given type. */
int db_value_parse(int type, const char *text, size_t len, db_value **out)
{
	*out = NULL;
	if (type == DB_STRING && !orion_utf8_ok(text, len))
		return db_set_err(-EINVAL, "text is not valid UTF-8 (store it as a blob)");
	if (type == DB_STRING || type == DB_BLOB) {
		*out = type == DB_STRING ? db_value_string(text, len) : db_value_blob(text, len);
		return *out ? 0 : db_set_err(-ENOMEM, "out of memory");
	}
	if (!db_type_name(type))
		return db_set_err(-EINVAL, "unknown value type %d", type);
	int rc = db_value_from_json(text, len, out);
	if (rc == 0 && (*out)->type != type && !(type == DB_FLOAT && (*out)->type == DB_INT)) {
		db_value_free(*out);
		*out = NULL;
		return db_set_err(-EINVAL, "text does not read as %s", db_type_name(type));
	}
	if (rc == 0 && (*out)->type == DB_INT && type == DB_FLOAT) { /* "3" as a float */
		double f = (double)(*out)->u.i;
		db_value_free(*out);
		if (!(*out = db_value_float(f)))
			return db_set_err(-ENOMEM, "out of memory");
	}
	return rc;
}
