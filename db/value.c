/*
 * value.c: typed values in memory and their canonical binary encoding.
 *
 * Encoding (docs/oriondb.md has the table):
 *   value  := type:u8 payload
 *   null   := (nothing)            bool  := 0x00 | 0x01
 *   int    := 8 bytes, two's complement, big-endian
 *   float  := 8 bytes, IEEE 754 binary64, big-endian, finite only
 *   string := uvarint(len) bytes   (UTF-8)
 *   blob   := uvarint(len) bytes
 *   list   := uvarint(count) value*
 *   map    := uvarint(count) (uvarint(klen) key value)*   (keys UTF-8, unique)
 * uvarint is LEB128 in its shortest form.  Big-endian numbers and a length
 * before every variable part make every encoding self-delimiting and
 * unique, so decode(encode(v)) == v and encode(decode(e)) == e.
 */
#include "db/internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- error text ---- */

static _Thread_local char errbuf[640];

/* db_set_err: record this thread's error text; returns err. */
int db_set_err(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof errbuf, fmt, ap);
	va_end(ap);
	return err;
}

/* db_errmsg: this thread's text for its last failing db_ call. */
const char *db_errmsg(void)
{
	return errbuf;
}

/* db_quote: key quoted for a message, non-printables as \xNN. */
void db_quote(char *out, size_t cap, const char *key, size_t len)
{
	size_t o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];
		if (o + 10 >= cap) { /* room for \xNN, "..." and the quote */
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = 0;
}

/* ---- type names (the table the xattr and the docs use) ---- */

static const char *const type_names[] = {
	[DB_NULL] = "null", [DB_BOOL] = "bool",     [DB_INT] = "int",
	[DB_FLOAT] = "float", [DB_STRING] = "string", [DB_BLOB] = "blob",
	[DB_LIST] = "list", [DB_MAP] = "map",
};
#define NTYPES ((int)(sizeof type_names / sizeof type_names[0]))

/* db_type_name: name of type, or NULL. */
const char *db_type_name(int type)
{
	return type >= 0 && type < NTYPES ? type_names[type] : NULL;
}

/* db_type_from_name: the type called name, or -EINVAL. */
int db_type_from_name(const char *name, size_t len)
{
	for (int t = 0; t < NTYPES; t++)
		if (strlen(type_names[t]) == len && !memcmp(type_names[t], name, len))
			return t;
	char q[300];
	db_quote(q, sizeof q, name, len);
	return db_set_err(-EINVAL, "unknown value type %s", q);
}

/* ---- constructors ---- */

/* new_value: a zeroed value of type with extra payload bytes. */
static db_value *new_value(int type, size_t extra)
{
	db_value *v = calloc(1, sizeof *v + extra);
	if (v)
		v->type = type;
	return v;
}

db_value *db_value_null(void) { return new_value(DB_NULL, 0); }
db_value *db_value_list(void) { return new_value(DB_LIST, 0); }
db_value *db_value_map(void) { return new_value(DB_MAP, 0); }

db_value *db_value_bool(int b)
{
	db_value *v = new_value(DB_BOOL, 0);
	if (v)
		v->u.b = !!b;
	return v;
}

db_value *db_value_int(int64_t i)
{
	db_value *v = new_value(DB_INT, 0);
	if (v)
		v->u.i = i;
	return v;
}

db_value *db_value_float(double f)
{
	db_value *v = new_value(DB_FLOAT, 0);
	if (v)
		v->u.f = f;
	return v;
}

/* bytes_value: a string or blob holding a copy of p (NUL-terminated). */
static db_value *bytes_value(int type, const void *p, size_t len)
{
	db_value *v = new_value(type, len + 1);
	if (v) {
		v->u.s.len = len;
		if (len)
			memcpy(v->bytes, p, len);
	}
	return v;
}

db_value *db_value_string(const char *s, size_t len) { return bytes_value(DB_STRING, s, len); }
db_value *db_value_blob(const void *p, size_t len) { return bytes_value(DB_BLOB, p, len); }

/* grow: make room for one more item in a list or map. */
static int grow(db_value *v)
{
	if (v->u.c.n < v->u.c.cap)
		return 0;
	size_t cap = v->u.c.cap ? v->u.c.cap * 2 : 4;
	if (v->type == DB_LIST) {
		db_value **p = realloc(v->u.c.items, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		v->u.c.items = p;
	} else {
		struct db_mapent *p = realloc(v->u.c.ents, cap * sizeof *p);
		if (!p)
			return -ENOMEM;
		v->u.c.ents = p;
	}
	v->u.c.cap = cap;
	return 0;
}

/* db_list_append: add item at the end of list (item owned by list). */
int db_list_append(db_value *list, db_value *item)
{
	if (!item)
		return db_set_err(-ENOMEM, "out of memory");
	int rc = !list || list->type != DB_LIST ? -EINVAL : grow(list);
	if (rc < 0) {
		db_value_free(item);
		return db_set_err(rc, "cannot append to list: %s", orion_strerror(rc));
	}
	list->u.c.items[list->u.c.n++] = item;
	return 0;
}

/* map_find: index of key in map, or -1. */
static long map_find(const db_value *m, const char *key, size_t len)
{
	for (size_t i = 0; i < m->u.c.n; i++)
		if (m->u.c.ents[i].klen == len && !memcmp(m->u.c.ents[i].key, key, len))
			return (long)i;
	return -1;
}

/* db_map_set: set key to item in map (item owned by map). */
int db_map_set(db_value *map, const char *key, size_t len, db_value *item)
{
	if (!item)
		return db_set_err(-ENOMEM, "out of memory");
	if (!map || map->type != DB_MAP) {
		db_value_free(item);
		return db_set_err(-EINVAL, "not a map");
	}
	long at = map_find(map, key, len);
	if (at >= 0) {
		db_value_free(map->u.c.ents[at].val);
		map->u.c.ents[at].val = item;
		return 0;
	}
	char *k = malloc(len + 1);
	if (!k || grow(map) < 0) {
		free(k);
		db_value_free(item);
		return db_set_err(-ENOMEM, "out of memory");
	}
	memcpy(k, key, len);
	k[len] = 0;
	map->u.c.ents[map->u.c.n++] = (struct db_mapent){k, len, item};
	return 0;
}

/* db_value_free: free v and its items. */
void db_value_free(db_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < (v->type == DB_LIST || v->type == DB_MAP ? v->u.c.n : 0); i++) {
		if (v->type == DB_LIST) {
			db_value_free(v->u.c.items[i]);
		} else {
			free(v->u.c.ents[i].key);
			db_value_free(v->u.c.ents[i].val);
		}
	}
	if (v->type == DB_LIST || v->type == DB_MAP) {
		free(v->u.c.items);
		free(v->u.c.ents);
	}
	free(v);
}

/* ---- accessors ---- */

int db_value_type(const db_value *v) { return v->type; }
int db_value_get_bool(const db_value *v) { return v->type == DB_BOOL ? v->u.b : 0; }
int64_t db_value_get_int(const db_value *v) { return v->type == DB_INT ? v->u.i : 0; }
double db_value_get_float(const db_value *v) { return v->type == DB_FLOAT ? v->u.f : 0; }

const char *db_value_get_bytes(const db_value *v, size_t *len)
{
	int ok = v->type == DB_STRING || v->type == DB_BLOB;
	if (len)
		*len = ok ? v->u.s.len : 0;
	return ok ? v->bytes : NULL;
}

size_t db_value_count(const db_value *v)
{
	return v->type == DB_LIST || v->type == DB_MAP ? v->u.c.n : 0;
}

const db_value *db_list_at(const db_value *v, size_t i)
{
	return v->type == DB_LIST && i < v->u.c.n ? v->u.c.items[i] : NULL;
}

const db_value *db_map_at(const db_value *v, size_t i, const char **key, size_t *len)
{
	if (v->type != DB_MAP || i >= v->u.c.n)
		return NULL;
	if (key)
		*key = v->u.c.ents[i].key;
	if (len)
		*len = v->u.c.ents[i].klen;
	return v->u.c.ents[i].val;
}

const db_value *db_map_get(const db_value *v, const char *key, size_t len)
{
	long at = v->type == DB_MAP ? map_find(v, key, len) : -1;
	return at >= 0 ? v->u.c.ents[at].val : NULL;
}

/* db_value_equal: same type and contents (floats bitwise). */
int db_value_equal(const db_value *a, const db_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case DB_NULL:
		return 1;
	case DB_BOOL:
		return a->u.b == b->u.b;
	case DB_INT:
		return a->u.i == b->u.i;
	case DB_FLOAT:
		return !memcmp(&a->u.f, &b->u.f, sizeof a->u.f);
	case DB_STRING:
	case DB_BLOB:
		return a->u.s.len == b->u.s.len && !memcmp(a->bytes, b->bytes, a->u.s.len);
	}
	if (a->u.c.n != b->u.c.n)
		return 0;
	for (size_t i = 0; i < a->u.c.n; i++) {
		if (a->type == DB_LIST) {
			if (!db_value_equal(a->u.c.items[i], b->u.c.items[i]))
				return 0;
			continue;
		}
		const struct db_mapent *x = &a->u.c.ents[i], *y = &b->u.c.ents[i];
		if (x->klen != y->klen || memcmp(x->key, y->key, x->klen) ||
		    !db_value_equal(x->val, y->val))
			return 0;
	}
	return 1;
}

/* ---- encoding ---- */

/* Output cursor: writes what fits, counts everything. */
struct out {
	unsigned char *p;
	size_t cap, len;
};

static void out_put(struct out *o, const void *p, size_t n)
{
	if (o->len < o->cap)
		memcpy(o->p + o->len, p, o->len + n <= o->cap ? n : o->cap - o->len);
	o->len += n;
}

static void out_byte(struct out *o, unsigned char c) { out_put(o, &c, 1); }

static void out_uvarint(struct out *o, uint64_t x)
{
	while (x >= 0x80) {
		out_byte(o, (unsigned char)(x | 0x80));
		x >>= 7;
	}
	out_byte(o, (unsigned char)x);
}

static void out_be64(struct out *o, uint64_t x)
{
	unsigned char b[8];
	for (int i = 7; i >= 0; i--, x >>= 8)
		b[i] = (unsigned char)x;
	out_put(o, b, 8);
}

/* encode: append v's encoding to o; -EINVAL if v cannot be stored. */
static int encode(const db_value *v, struct out *o, int depth)
{
	uint64_t bits;
	out_byte(o, (unsigned char)v->type);
	switch (v->type) {
	case DB_NULL:
		return 0;
	case DB_BOOL:
		out_byte(o, (unsigned char)v->u.b);
		return 0;
	case DB_INT:
		out_be64(o, (uint64_t)v->u.i);
		return 0;
	case DB_FLOAT:
		if (!isfinite(v->u.f))
			return db_set_err(-EINVAL, "float value is not finite");
		memcpy(&bits, &v->u.f, 8);
		out_be64(o, bits);
		return 0;
	case DB_STRING:
		if (!orion_utf8_ok(v->bytes, v->u.s.len))
			return db_set_err(-EINVAL, "string value is not valid UTF-8 (store it as a blob)");
		/* fall through */
	case DB_BLOB:
		out_uvarint(o, v->u.s.len);
		out_put(o, v->bytes, v->u.s.len);
		return 0;
	}
	if (depth >= DB_DEPTH_MAX)
		return db_set_err(-EINVAL, "value nested deeper than %d", DB_DEPTH_MAX);
	out_uvarint(o, v->u.c.n);
	for (size_t i = 0; i < v->u.c.n; i++) {
		const db_value *item = v->type == DB_LIST ? v->u.c.items[i] : v->u.c.ents[i].val;
		if (v->type == DB_MAP) {
			const struct db_mapent *e = &v->u.c.ents[i];
			if (!orion_utf8_ok(e->key, e->klen))
				return db_set_err(-EINVAL, "map key is not valid UTF-8");
			if (map_find(v, e->key, e->klen) != (long)i)
				return db_set_err(-EINVAL, "duplicate map key");
			out_uvarint(o, e->klen);
			out_put(o, e->key, e->klen);
		}
		int rc = encode(item, o, depth + 1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* db_value_encode: canonical encoding of v into buf; returns its length. */
int db_value_encode(const db_value *v, void *buf, size_t cap)
{
	struct out o = {buf, cap, 0};
	int rc = encode(v, &o, 0);
	if (rc < 0)
		return rc;
	if (o.len > INT32_MAX)
		return db_set_err(-EFBIG, "value of %zu bytes is too large", o.len);
	return (int)o.len;
}

/* ---- decoding ---- */

struct in {
	const unsigned char *p, *end;
};

#define BAD(what) db_set_err(-ORION_EBADVALUE, "bad value encoding: %s", what)

/* in_uvarint: read a shortest-form LEB128 number. */
static int in_uvarint(struct in *in, uint64_t *x)
{
	*x = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (in->p >= in->end)
			return BAD("truncated length");
		unsigned c = *in->p++;
		if (shift == 63 && c > 1)
			return BAD("length overflows");
		*x |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			if (c == 0 && shift)
				return BAD("length not in shortest form");
			return 0;
		}
	}
	return BAD("length overflows");
}

/* in_len: a uvarint length that the remaining input can hold. */
static int in_len(struct in *in, size_t *len)
{
	uint64_t x;
	int rc = in_uvarint(in, &x);
	if (rc < 0)
		return rc;
	if (x > (uint64_t)(in->end - in->p))
		return BAD("length beyond the end");
	*len = (size_t)x;
	return 0;
}

static uint64_t be64(const unsigned char *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | p[i];
	return x;
}

static int decode(struct in *in, db_value **out, int depth);

/* decode_items: count items of a list or map into v. */
static int decode_items(struct in *in, db_value *v, int depth)
{
	size_t n;
	int rc = in_len(in, &n); /* each item takes >= 1 byte: bounds n */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t klen = 0;
		const char *key = NULL;
		if (v->type == DB_MAP) {
			if ((rc = in_len(in, &klen)) < 0)
				break;
			key = (const char *)in->p;
			in->p += klen;
			if (!orion_utf8_ok(key, klen))
				return BAD("map key not UTF-8");
			if (map_find(v, key, klen) >= 0)
				return BAD("duplicate map key");
		}
		db_value *item;
		if ((rc = decode(in, &item, depth + 1)) < 0)
			break;
		rc = v->type == DB_LIST ? db_list_append(v, item) : db_map_set(v, key, klen, item);
	}
	return rc;
}

/* decode: read one value from in. */
static int decode(struct in *in, db_value **out, int depth)
{
	*out = NULL;
	if (in->p >= in->end)
		return BAD("truncated");
	int type = *in->p++;
	size_t len;
	int rc = 0;
	db_value *v = NULL;
	switch (type) {
	case DB_NULL:
		v = db_value_null();
		break;
	case DB_BOOL:
		if (in->p >= in->end || *in->p > 1)
			return BAD("bool is not 0 or 1");
		v = db_value_bool(*in->p++);
		break;
	case DB_INT:
	case DB_FLOAT:
		if (in->end - in->p < 8)
			return BAD("truncated number");
		uint64_t bits = be64(in->p);
		in->p += 8;
		if (type == DB_INT) {
			v = db_value_int((int64_t)bits);
			break;
		}
		double f;
		memcpy(&f, &bits, 8);
		if (!isfinite(f))
			return BAD("float not finite");
		v = db_value_float(f);
		break;
	case DB_STRING:
	case DB_BLOB:
		if ((rc = in_len(in, &len)) < 0)
			return rc;
		if (type == DB_STRING && !orion_utf8_ok((const char *)in->p, len))
			return BAD("string not UTF-8");
		v = bytes_value(type, in->p, len);
		in->p += len;
		break;
	case DB_LIST:
	case DB_MAP:
		if (depth >= DB_DEPTH_MAX)
			return BAD("nested too deep");
		if (!(v = new_value(type, 0)))
			break;
		if ((rc = decode_items(in, v, depth)) < 0) {
			db_value_free(v);
			return rc;
		}
		break;
	default:
		return BAD("unknown type byte");
	}
	if (!v)
		return db_set_err(-ENOMEM, "out of memory");
	*out = v;
	return 0;
}

/* db_value_decode: the one value encoded in enc. */
int db_value_decode(const void *enc, size_t len, db_value **out)
{
	struct in in = {enc, (const unsigned char *)enc + len};
	int rc = decode(&in, out, 0);
	if (rc == 0 && in.p != in.end) {
		db_value_free(*out);
		*out = NULL;
		rc = BAD("trailing bytes");
	}
	return rc;
}
