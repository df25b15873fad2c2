/*
 * db.c: handles, transactions and the operations on the "kv" table.
 *
 * Every operation runs in an LMDB transaction: the caller's, the one this
 * thread has open on the same db (tls_top), or an implicit one of its own
 * that commits (or aborts on failure) before the call returns.
 */
#include "db/internal.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct db {
	MDB_env *env;
	MDB_dbi dbi;
	unsigned flags;  /* DB_OPEN_* */
	int own_env;     /* db_open made env: db_close closes it */
	int need_sync;   /* env commits are not durable by themselves */
};

struct db_txn {
	db *d;
	MDB_txn *txn;
	db_txn *prev;    /* this thread's previous innermost transaction */
	int rdonly;
	int nested;      /* has an LMDB parent: commit folds into it */
};

/* The innermost transaction this thread has open (any db). */
static _Thread_local db_txn *tls_top;

/* ---- LMDB errors ---- */

/* Table: LMDB's own codes -> ours. */
static const struct {
	int mdb, err;
	const char *what;
} mdb_errs[] = {
	{MDB_NOTFOUND, -ENOENT, "no such key"},
	{MDB_MAP_FULL, -ENOSPC, "image full (LMDB map size reached)"},
	{MDB_TXN_FULL, -ENOSPC, "transaction too large"},
	{MDB_READERS_FULL, -EAGAIN, "too many readers"},
	{MDB_CORRUPTED, -ORION_ECORRUPT, "image damaged"},
	{MDB_PAGE_NOTFOUND, -ORION_ECORRUPT, "image damaged (page not found)"},
	{MDB_INVALID, -ORION_EBADIMAGE, "not an LMDB file"},
	{MDB_VERSION_MISMATCH, -ORION_EBADIMAGE, "LMDB version mismatch"},
	{MDB_BAD_TXN, -EINVAL, "transaction already failed: abort it"},
	{MDB_BAD_VALSIZE, -EINVAL, "key or value size not allowed"},
	{MDB_BAD_DBI, -EINVAL, "table handle no longer valid"},
	{MDB_MAP_RESIZED, -EAGAIN, "image grown by another process"},
};

/* mdb_fail: map LMDB result rc to a negative errno and record the text. */
static int mdb_fail(int rc, const char *op, const char *key)
{
	char q[600] = "";
	if (rc < 0 && rc > MDB_LAST_ERRCODE) /* already ours, message set */
		return rc;
	if (key)
		db_quote(q, sizeof q, key, strlen(key));
	for (size_t i = 0; i < sizeof mdb_errs / sizeof mdb_errs[0]; i++)
		if (mdb_errs[i].mdb == rc)
			return db_set_err(mdb_errs[i].err, "%s %s: %s", op, q, mdb_errs[i].what);
	int err = rc > 0 ? -rc : -EIO;
	return db_set_err(err, "%s %s: %s", op, q, orion_strerror(err));
}

/* ---- opening ---- */

/* open_kv: find the "kv" table of d->env.  An image made before mkfs knew
 * about OrionDB has a "super" table but no "kv": on a writable env the
 * table is created then; with neither it is not an orion image. */
static int open_kv(db *d)
{
	MDB_txn *txn;
	MDB_dbi super;
	int ro = !!(d->flags & DB_OPEN_RDONLY);
	int rc = mdb_txn_begin(d->env, NULL, ro ? MDB_RDONLY : 0, &txn);
	if (rc)
		return mdb_fail(rc, "open", NULL);
	rc = mdb_dbi_open(txn, "kv", 0, &d->dbi);
	if (rc == MDB_NOTFOUND && !ro && mdb_dbi_open(txn, "super", 0, &super) == 0)
		rc = mdb_dbi_open(txn, "kv", MDB_CREATE, &d->dbi);
	if (rc) {
		mdb_txn_abort(txn);
		if (rc == MDB_NOTFOUND)
			return db_set_err(-ORION_EBADIMAGE, "no OrionDB table \"kv\": not an orion image");
		return mdb_fail(rc, "open", NULL);
	}
	rc = mdb_txn_commit(txn); /* makes the dbi handle usable by later txns */
	if (rc)
		return mdb_fail(rc, "open", NULL);
	unsigned ef = 0;
	mdb_env_get_flags(d->env, &ef);
	d->need_sync = !!(ef & (MDB_NOSYNC | MDB_NOMETASYNC | MDB_MAPASYNC));
	return 0;
}

/* db_open_env: a handle on the kv table of an open environment. */
int db_open_env(db **out, void *env, unsigned flags)
{
	*out = NULL;
	db *d = calloc(1, sizeof *d);
	if (!d)
		return db_set_err(-ENOMEM, "out of memory");
	d->env = env;
	d->flags = flags;
	unsigned ef = 0;
	mdb_env_get_flags(d->env, &ef);
	if (ef & MDB_RDONLY)
		d->flags |= DB_OPEN_RDONLY;
	int rc = open_kv(d);
	if (rc < 0) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

/* db_open: open the image at path with an environment of our own.
 * MDB_NOMETASYNC keeps every commit atomic across a crash at the cost of
 * one data flush, and DB_SYNC adds the meta flush that makes it durable;
 * MDB_NOTLS lets one thread hold several read transactions. */
int db_open(db **out, const char *path, unsigned flags)
{
	*out = NULL;
	struct stat st;
	if (stat(path, &st) < 0)
		return db_set_err(-errno, "open %s: %s", path, orion_strerror(-errno));
	if (S_ISDIR(st.st_mode))
		return db_set_err(-EISDIR, "open %s: is a directory", path);
	if (!S_ISREG(st.st_mode) || st.st_size < 2 * 4096) /* LMDB would format it */
		return db_set_err(-ORION_EBADIMAGE, "open %s: not an orion image", path);
	MDB_env *env;
	int rc = mdb_env_create(&env);
	if (rc)
		return mdb_fail(rc, "open", path);
	unsigned ef = MDB_NOSUBDIR | MDB_NOTLS;
	ef |= flags & DB_OPEN_RDONLY ? MDB_RDONLY : 0;
	ef |= flags & DB_OPEN_SYNC ? 0 : MDB_NOMETASYNC;
	mdb_env_set_maxdbs(env, 32);
	mdb_env_set_mapsize(env, 0); /* 0: the size recorded in the image */
	rc = mdb_env_open(env, path, ef, 0644);
	if (rc) {
		mdb_env_close(env);
		return mdb_fail(rc, "open", path);
	}
	if ((rc = db_open_env(out, env, flags)) < 0) {
		mdb_env_close(env);
		return rc;
	}
	(*out)->own_env = 1;
	return 0;
}

/* db_close: end the handle. */
void db_close(db *d)
{
	if (!d)
		return;
	if (d->own_env)
		mdb_env_close(d->env);
	free(d);
}

/* ---- transactions ---- */

/* txn_begin: an LMDB transaction, adopting a size another process gave
 * the map (MDB_MAP_RESIZED) once. */
static int txn_begin(db *d, MDB_txn *parent, unsigned flags, MDB_txn **out)
{
	int rc = mdb_txn_begin(d->env, parent, flags, out);
	if (rc == MDB_MAP_RESIZED && !parent) {
		mdb_env_set_mapsize(d->env, 0);
		rc = mdb_txn_begin(d->env, parent, flags, out);
	}
	return rc ? mdb_fail(rc, "begin", NULL) : 0;
}

/* env_sync: make committed data durable when the env does not already. */
static int env_sync(db *d)
{
	int rc = d->need_sync ? mdb_env_sync(d->env, 1) : 0;
	return rc ? mdb_fail(rc, "sync", NULL) : 0;
}

/* writable_lmdb: whether t is an LMDB write transaction (a nested one
 * always is, even when we refuse writes on it). */
static int writable_lmdb(const db_txn *t)
{
	return !t->rdonly || t->nested;
}

/* db_begin: start a transaction, nested in this thread's open write one. */
int db_begin(db *d, unsigned flags, db_txn **out)
{
	*out = NULL;
	int ro = !!(flags & DB_TXN_RDONLY);
	if (!ro && (d->flags & DB_OPEN_RDONLY))
		return db_set_err(-EACCES, "begin: database opened read-only");
	db_txn *parent = tls_top && tls_top->d == d && writable_lmdb(tls_top) ? tls_top : NULL;
	if (!ro && parent && parent->rdonly) /* a new top-level one would deadlock */
		return db_set_err(-EACCES, "begin: inside a read-only transaction");
	db_txn *t = calloc(1, sizeof *t);
	if (!t)
		return db_set_err(-ENOMEM, "out of memory");
	/* LMDB has no read-only child: a read-only nested one is a write child
	 * we refuse writes on, so it still sees its parent's changes. */
	int rc = txn_begin(d, parent ? parent->txn : NULL, ro && !parent ? MDB_RDONLY : 0, &t->txn);
	if (rc < 0) {
		free(t);
		return rc;
	}
	*t = (db_txn){d, t->txn, tls_top, ro, parent != NULL};
	tls_top = t;
	*out = t;
	return 0;
}

/* unwind: abort this thread's transactions above t (a caller that left
 * nested ones open); returns how many. */
static int unwind(db_txn *t)
{
	int n = 0;
	for (db_txn *p = tls_top; p && p != t; p = tls_top, n++)
		db_abort(p);
	return n;
}

/* db_commit: make t's changes visible atomically. */
int db_commit(db_txn *t, unsigned flags)
{
	if (unwind(t)) {
		db_abort(t);
		return db_set_err(-EINVAL, "commit: a nested transaction was still open (all aborted)");
	}
	db *d = t->d;
	int nested = t->nested;
	tls_top = t->prev;
	int rc = mdb_txn_commit(t->txn);
	free(t);
	if (rc)
		return mdb_fail(rc, "commit", NULL);
	if (!nested && ((flags & DB_SYNC) || (d->flags & DB_OPEN_SYNC)))
		return env_sync(d);
	return 0;
}

/* db_abort: drop t and its changes. */
void db_abort(db_txn *t)
{
	if (!t)
		return;
	unwind(t);
	tls_top = t->prev;
	mdb_txn_abort(t->txn);
	free(t);
}

/* ---- one operation's transaction ---- */

struct op {
	db *d;
	MDB_txn *txn;
	int implicit; /* ours: commit or abort at op_end */
	int write;
};

/* op_begin: the transaction an operation runs in (see top of file). */
static int op_begin(struct op *o, db *d, db_txn *t, int write)
{
	*o = (struct op){d, NULL, 0, write};
	if (!t && tls_top && tls_top->d == d)
		t = tls_top; /* join this thread's transaction (see db.h) */
	if (t) {
		if (t->d != d)
			return db_set_err(-EINVAL, "transaction belongs to another db handle");
		if (write && t->rdonly)
			return db_set_err(-EACCES, "write in a read-only transaction");
		o->txn = t->txn;
		return 0;
	}
	if (write && (d->flags & DB_OPEN_RDONLY))
		return db_set_err(-EACCES, "database opened read-only");
	o->implicit = 1;
	return txn_begin(d, NULL, write ? 0 : MDB_RDONLY, &o->txn);
}

/* op_end: finish an implicit transaction: commit if rc >= 0, else abort.
 * Returns rc, or the commit's error. */
static int op_end(struct op *o, int rc)
{
	if (!o->implicit)
		return rc;
	if (rc < 0 || !o->write) {
		mdb_txn_abort(o->txn);
		return rc;
	}
	int c = mdb_txn_commit(o->txn);
	if (c)
		return mdb_fail(c, "commit", NULL);
	if (o->d->flags & DB_OPEN_SYNC) {
		int s = env_sync(o->d);
		if (s < 0)
			return s;
	}
	return rc;
}

/* ---- ranges of stored keys ---- */

/* A prefix's stored form and the test for the keys it covers. */
struct range {
	char k[DB_KEY_MAX];
	size_t n;
};

/* range_init: stored form of prefix ("" = everything). */
static int range_init(struct range *r, const char *prefix)
{
	int rc = db_key_encode(prefix, strlen(prefix), r->k, 1);
	r->n = rc < 0 ? 0 : (size_t)rc;
	return rc < 0 ? rc : 0;
}

/* Word-at-a-time helpers for the per-key work of a scan: keys are short,
 * so a library call or a byte loop per key would cost as much as LMDB's
 * own step to the next key.  Both read only bytes inside [p, p+n). */

static inline uint64_t load64(const char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return x;
}

static inline uint32_t load32(const char *p)
{
	uint32_t x;
	memcpy(&x, p, 4);
	return x;
}

/* same_bytes: memcmp(a, b, n) == 0 in whole words, the last word
 * overlapping the one before; bytes only below 4. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8)
			if (load64(a + i) != load64(b + i))
				return 0;
		return load64(a + n - 8) == load64(b + n - 8);
	}
	if (n >= 4)
		return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

/* unzero: a word of stored key bytes with each 0 byte (a stored '/') made
 * '/': m has 0x80 in exactly the zero bytes (no borrow between bytes). */
static inline uint64_t unzero(uint64_t w)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
	uint64_t m = ~(((w & lo7) + lo7) | w | lo7);
	return w | (m >> 7) * '/';
}

/* put_unzeroed: the n (4..8) bytes at p, unzeroed, to out. */
static inline void put_unzeroed(const char *p, size_t n, char *out)
{
	uint64_t w = 0;
	memcpy(&w, p, n);
	w = unzero(w);
	memcpy(out, &w, n);
}

/* decode_tail: write the stored key bytes [from, len) of p into out as a
 * path, NUL-terminated, in words (overlapping at the end). */
static inline void decode_tail(const char *p, size_t from, size_t len, char *out)
{
	size_t m = len - from;
	if (m >= 8) {
		uint64_t w;
		for (size_t i = from; i + 8 < len; i += 8)
			w = unzero(load64(p + i)), memcpy(out + i, &w, 8);
		w = unzero(load64(p + len - 8)), memcpy(out + len - 8, &w, 8);
	} else if (m >= 4) {
		put_unzeroed(p + from, 4, out + from);
		put_unzeroed(p + len - 4, 4, out + len - 4);
	} else {
		for (size_t i = from; i < len; i++)
			out[i] = p[i] ? p[i] : '/';
	}
	out[len] = 0;
}

/* covers: whether stored key k lies in r: r itself or below "r/". */
static inline int covers(const struct range *r, const MDB_val *k)
{
	const char *p = k->mv_data;
	if (k->mv_size < r->n || !same_bytes(p, r->k, r->n))
		return 0;
	return r->n == 0 || k->mv_size == r->n || p[r->n] == 0;
}

/* seek: position c at the first key >= (p, n); MDB_NOTFOUND at the end. */
static int seek(MDB_cursor *c, const char *p, size_t n, MDB_val *k, MDB_val *v)
{
	*k = (MDB_val){n, (void *)p};
	if (n == 0)
		return mdb_cursor_get(c, k, v, MDB_FIRST);
	return mdb_cursor_get(c, k, v, MDB_SET_RANGE);
}

/* ---- single-key operations ---- */

/* key_val: check key and fill kv with its stored form in buf. */
static int key_val(const char *key, char *buf, MDB_val *kv)
{
	int rc = db_key_encode(key, strlen(key), buf, 0);
	*kv = (MDB_val){rc < 0 ? 0 : (size_t)rc, buf};
	return rc < 0 ? rc : 0;
}

/* put_bytes: store len encoded bytes under key, written by fill (so a
 * db_value encodes straight into LMDB's page). */
static int put_with(db *d, db_txn *t, const char *key, size_t len,
		    int (*fill)(const void *src, void *dst, size_t len), const void *src)
{
	char buf[DB_KEY_MAX];
	MDB_val k, v = {len, NULL};
	struct op o;
	int rc = key_val(key, buf, &k);
	if (rc < 0 || (rc = op_begin(&o, d, t, 1)) < 0)
		return rc;
	int m = mdb_put(o.txn, d->dbi, &k, &v, MDB_RESERVE);
	rc = m ? mdb_fail(m, "put", key) : fill(src, v.mv_data, len);
	return op_end(&o, rc);
}

static int fill_value(const void *src, void *dst, size_t len)
{
	int rc = db_value_encode(src, dst, len);
	return rc < 0 ? rc : 0;
}

static int fill_copy(const void *src, void *dst, size_t len)
{
	memcpy(dst, src, len);
	return 0;
}

/* db_put: store v under key. */
int db_put(db *d, db_txn *t, const char *key, const db_value *v)
{
	int len = db_value_encode(v, NULL, 0); /* checks v before any write */
	if (len < 0)
		return len;
	return put_with(d, t, key, (size_t)len, fill_value, v);
}

/* db_put_encoded: store an already encoded (and checked) value. */
int db_put_encoded(db *d, db_txn *t, const char *key, const void *enc, size_t len)
{
	db_value *v;
	int rc = db_value_decode(enc, len, &v);
	if (rc < 0)
		return rc;
	db_value_free(v);
	return put_with(d, t, key, len, fill_copy, enc);
}

/* get_raw: the stored bytes of key, valid while o's txn lives. */
static int get_raw(struct op *o, const char *key, MDB_val *v)
{
	char buf[DB_KEY_MAX];
	MDB_val k;
	int rc = key_val(key, buf, &k);
	if (rc < 0)
		return rc;
	rc = mdb_get(o->txn, o->d->dbi, &k, v);
	return rc ? mdb_fail(rc, "get", key) : 0;
}

/* db_get: the value of key. */
int db_get(db *d, db_txn *t, const char *key, db_value **out)
{
	struct op o;
	MDB_val v;
	*out = NULL;
	int rc = op_begin(&o, d, t, 0);
	if (rc < 0)
		return rc;
	if ((rc = get_raw(&o, key, &v)) == 0)
		rc = db_value_decode(v.mv_data, v.mv_size, out);
	return op_end(&o, rc);
}

/* db_get_encoded: copy key's encoded value into buf; returns its length. */
int db_get_encoded(db *d, db_txn *t, const char *key, void *buf, size_t cap)
{
	struct op o;
	MDB_val v;
	int rc = op_begin(&o, d, t, 0);
	if (rc < 0)
		return rc;
	if ((rc = get_raw(&o, key, &v)) == 0) {
		if (v.mv_size > INT32_MAX)
			rc = db_set_err(-EFBIG, "value too large for db_get_encoded");
		else
			rc = (int)v.mv_size;
		if (rc > 0 && buf)
			memcpy(buf, v.mv_data, v.mv_size < cap ? v.mv_size : cap);
	}
	return op_end(&o, rc);
}

/* db_put_text: store text read as type (DB_TYPE_AUTO: string or blob). */
int db_put_text(db *d, db_txn *t, const char *key, int type, const char *text, size_t len)
{
	if (type == DB_TYPE_AUTO)
		type = orion_utf8_ok(text, len) ? DB_STRING : DB_BLOB;
	db_value *v;
	int rc = db_value_parse(type, text, len, &v);
	if (rc < 0)
		return rc;
	rc = db_put(d, t, key, v);
	db_value_free(v);
	return rc;
}

/* db_get_text: key's value in its text form. */
int db_get_text(db *d, db_txn *t, const char *key, char **out, size_t *len, int *type)
{
	db_value *v;
	*out = NULL;
	int rc = db_get(d, t, key, &v);
	if (rc < 0)
		return rc;
	if (type)
		*type = v->type;
	rc = db_value_text(v, out, len);
	db_value_free(v);
	return rc;
}

/* db_delete: remove key. */
int db_delete(db *d, db_txn *t, const char *key)
{
	char buf[DB_KEY_MAX];
	MDB_val k;
	struct op o;
	int rc = key_val(key, buf, &k);
	if (rc < 0 || (rc = op_begin(&o, d, t, 1)) < 0)
		return rc;
	int m = mdb_del(o.txn, d->dbi, &k, NULL);
	return op_end(&o, m ? mdb_fail(m, "delete", key) : 0);
}

/* ---- scans ---- */

/* keycmp: LMDB's default order on stored keys. */
static int keycmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	return c ? c : (an > bn) - (an < bn);
}

/* scan_start: first key after `after` inside r (after's stored form). */
static int scan_start(MDB_cursor *c, const struct range *r, const char *after,
		      MDB_val *k, MDB_val *v)
{
	char a[DB_KEY_MAX];
	int n = after && *after ? db_key_encode(after, strlen(after), a, 0) : 0;
	if (n < 0)
		return n;
	if (n == 0 || keycmp(a, (size_t)n, r->k, r->n) < 0) /* before the range */
		return seek(c, r->k, r->n, k, v);
	int rc = seek(c, a, (size_t)n, k, v);
	if (rc == 0 && k->mv_size == (size_t)n && !memcmp(k->mv_data, a, (size_t)n))
		rc = mdb_cursor_get(c, k, v, MDB_NEXT);
	return rc;
}

/* db_scan: visit the keys prefix covers, in order, after `after`. */
int db_scan(db *d, db_txn *t, const char *prefix, const char *after,
	    db_scan_fn fn, void *arg)
{
	struct range r;
	struct op o;
	MDB_cursor *c;
	MDB_val k, v;
	char key[DB_KEY_MAX + 1];
	int rc = range_init(&r, prefix);
	if (rc < 0 || (rc = op_begin(&o, d, t, 0)) < 0)
		return rc;
	if ((rc = mdb_cursor_open(o.txn, d->dbi, &c)) != 0)
		return op_end(&o, mdb_fail(rc, "scan", prefix));
	int count = 0, ferr = 0, m = scan_start(c, &r, after, &k, &v);
	db_key_decode(r.k, r.n, key, 0); /* every key found starts so */
	for (; m == 0 && covers(&r, &k); m = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		decode_tail(k.mv_data, r.n, k.mv_size, key); /* the prefix is done */
		struct db_entry e = {key, k.mv_size, v.mv_data, v.mv_size,
				     v.mv_size ? *(const unsigned char *)v.mv_data : -1};
		int f = fn(arg, &e);
		count++;
		if (f != 0) {
			ferr = f < 0 ? f : 0;
			m = MDB_NOTFOUND;
			break;
		}
	}
	mdb_cursor_close(c);
	rc = ferr < 0 ? ferr : m == 0 || m == MDB_NOTFOUND ? count : mdb_fail(m, "scan", prefix);
	return op_end(&o, rc);
}

/* list_start: position c at the first child of base after child `after`. */
static int list_start(MDB_cursor *c, char *base, size_t bn, const char *after,
		      MDB_val *k, MDB_val *v)
{
	size_t an = after ? strlen(after) : 0;
	if (an == 0)
		return seek(c, base, bn, k, v);
	if (an > DB_SEG_MAX || memchr(after, '/', an))
		return db_set_err(-EINVAL, "bad child name to resume after");
	if (bn + an > DB_KEY_MAX) /* no such child can exist */
		return db_set_err(-EINVAL, "child name to resume after is too long");
	memcpy(base + bn, after, an);
	if (bn + an == DB_KEY_MAX) { /* no room for keys below it */
		int rc = seek(c, base, bn + an, k, v);
		if (rc == 0 && k->mv_size == bn + an && !memcmp(k->mv_data, base, bn + an))
			rc = mdb_cursor_get(c, k, v, MDB_NEXT);
		return rc;
	}
	/* base/after then 0x01: the first key past after's whole subtree */
	base[bn + an] = 1;
	return seek(c, base, bn + an + 1, k, v);
}

/* db_list: the immediate children of prefix. */
int db_list(db *d, db_txn *t, const char *prefix, const char *after,
	    db_list_fn fn, void *arg)
{
	struct range r;
	struct op o;
	MDB_cursor *c;
	MDB_val k, v;
	char base[DB_KEY_MAX + 1], name[DB_SEG_MAX + 1];
	int rc = range_init(&r, prefix);
	if (rc < 0 || (rc = op_begin(&o, d, t, 0)) < 0)
		return rc;
	size_t bn = r.n;
	memcpy(base, r.k, bn);
	if (bn)
		base[bn++] = 0; /* children live below "prefix/" */
	if ((rc = mdb_cursor_open(o.txn, d->dbi, &c)) != 0)
		return op_end(&o, mdb_fail(rc, "list", prefix));
	int count = 0, ferr = 0, m = list_start(c, base, bn, after, &k, &v);
	while (m == 0 && k.mv_size > bn && !memcmp(k.mv_data, base, bn)) {
		const char *s = (const char *)k.mv_data + bn;
		const char *z = memchr(s, 0, k.mv_size - bn);
		size_t nn = z ? (size_t)(z - s) : k.mv_size - bn;
		memcpy(name, s, nn);
		name[nn] = 0;
		struct db_child ch = {name, nn, !z, !!z, -1};
		if (!z) {
			ch.type = v.mv_size ? *(const unsigned char *)v.mv_data : -1;
			m = mdb_cursor_get(c, &k, &v, MDB_NEXT); /* a key below it? */
			ch.has_children = m == 0 && k.mv_size > bn + nn &&
					  !memcmp(k.mv_data, base, bn) &&
					  !memcmp((const char *)k.mv_data + bn, name, nn) &&
					  ((const char *)k.mv_data)[bn + nn] == 0;
		}
		int f = fn(arg, &ch);
		count++;
		if (f != 0) {
			ferr = f < 0 ? f : 0;
			m = MDB_NOTFOUND;
			break;
		}
		m = list_start(c, base, bn, name, &k, &v);
	}
	mdb_cursor_close(c);
	rc = ferr < 0 ? ferr : m == 0 || m == MDB_NOTFOUND ? count : mdb_fail(m, "list", prefix);
	return op_end(&o, rc);
}

/* db_stat: whether key holds a value, has keys below it, or neither. */
int db_stat(db *d, db_txn *t, const char *key, struct db_stat *st)
{
	struct range r;
	struct op o;
	MDB_cursor *c;
	MDB_val k, v;
	*st = (struct db_stat){0, 0, -1, 0};
	int rc = range_init(&r, key);
	if (rc == 0 && !*key)
		rc = db_set_err(-EINVAL, "db_stat: empty key");
	if (rc < 0 || (rc = op_begin(&o, d, t, 0)) < 0)
		return rc;
	if ((rc = mdb_cursor_open(o.txn, d->dbi, &c)) != 0)
		return op_end(&o, mdb_fail(rc, "stat", key));
	int m = seek(c, r.k, r.n, &k, &v);
	if (m == 0 && k.mv_size == r.n && covers(&r, &k)) { /* the key itself */
		st->has_value = 1;
		st->type = v.mv_size ? *(const unsigned char *)v.mv_data : -1;
		st->enclen = v.mv_size;
		m = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	st->has_children = m == 0 && covers(&r, &k); /* the next one is below */
	mdb_cursor_close(c);
	if (m != 0 && m != MDB_NOTFOUND)
		rc = mdb_fail(m, "stat", key);
	else if (!st->has_value && !st->has_children)
		rc = db_set_err(-ENOENT, "stat: nothing at \"%s\"", key);
	return op_end(&o, rc);
}

/* ---- prefix operations ---- */

/* delete_range: remove every key in r within txn; returns the count. */
static int delete_range(db *d, MDB_txn *txn, const struct range *r, const char *what)
{
	MDB_cursor *c;
	MDB_val k, v;
	int m = mdb_cursor_open(txn, d->dbi, &c), count = 0;
	if (m)
		return mdb_fail(m, "delete", what);
	/* re-seek after each delete: simple and immune to cursor fix-ups */
	while ((m = seek(c, r->k, r->n, &k, &v)) == 0 && covers(r, &k)) {
		if ((m = mdb_cursor_del(c, 0)) != 0)
			break;
		count++;
	}
	mdb_cursor_close(c);
	return m == 0 || m == MDB_NOTFOUND ? count : mdb_fail(m, "delete", what);
}

/* db_delete_prefix: remove every key prefix covers. */
int db_delete_prefix(db *d, db_txn *t, const char *prefix)
{
	struct range r;
	struct op o;
	int rc = range_init(&r, prefix);
	if (rc < 0 || (rc = op_begin(&o, d, t, 1)) < 0)
		return rc;
	return op_end(&o, delete_range(d, o.txn, &r, prefix));
}

/* range_longest: the longest stored key in r (-ENOENT if r is empty). */
static int range_longest(MDB_txn *txn, MDB_dbi dbi, const struct range *r)
{
	MDB_cursor *c;
	MDB_val k, v;
	int m = mdb_cursor_open(txn, dbi, &c), max = -ENOENT;
	if (m)
		return mdb_fail(m, "rename", NULL);
	for (m = seek(c, r->k, r->n, &k, &v); m == 0 && covers(r, &k);
	     m = mdb_cursor_get(c, &k, &v, MDB_NEXT))
		if ((int)k.mv_size > max)
			max = (int)k.mv_size;
	mdb_cursor_close(c);
	return m == 0 || m == MDB_NOTFOUND ? max : mdb_fail(m, "rename", NULL);
}

/* move_range: move every key of from to the same place under to. */
static int move_range(db *d, MDB_txn *txn, const struct range *from, const struct range *to)
{
	MDB_cursor *c;
	MDB_val k, v;
	char nk[DB_KEY_MAX];
	void *copy = NULL;
	int m = mdb_cursor_open(txn, d->dbi, &c), count = 0;
	if (m)
		return mdb_fail(m, "rename", NULL);
	memcpy(nk, to->k, to->n);
	while ((m = seek(c, from->k, from->n, &k, &v)) == 0 && covers(from, &k)) {
		size_t rest = k.mv_size - from->n;
		memcpy(nk + to->n, (char *)k.mv_data + from->n, rest);
		/* the value page may move when we write: copy it first */
		void *p = realloc(copy, v.mv_size ? v.mv_size : 1);
		if (!p) {
			m = ENOMEM;
			break;
		}
		copy = p;
		memcpy(copy, v.mv_data, v.mv_size);
		MDB_val nkv = {to->n + rest, nk}, nv = {v.mv_size, copy};
		if ((m = mdb_cursor_del(c, 0)) != 0 || (m = mdb_put(txn, d->dbi, &nkv, &nv, 0)) != 0)
			break;
		count++;
	}
	free(copy);
	mdb_cursor_close(c);
	return m == 0 || m == MDB_NOTFOUND ? count : mdb_fail(m, "rename", NULL);
}

/* check_rename: the ranges of from and to, refusing overlap. */
static int check_rename(struct range *rf, struct range *rt, const char *from, const char *to)
{
	char tmp[DB_KEY_MAX];
	int rc = db_key_encode(from, strlen(from), tmp, 0);
	if (rc < 0 || (rc = db_key_encode(to, strlen(to), tmp, 0)) < 0)
		return rc;
	range_init(rf, from);
	range_init(rt, to);
	MDB_val kf = {rf->n, rf->k}, kt = {rt->n, rt->k};
	if (rf->n != rt->n && (covers(rf, &kt) || covers(rt, &kf)))
		return db_set_err(-EINVAL, "rename \"%s\" to \"%s\": one lies inside the other", from, to);
	return 0;
}

/* range_any: 1 if r covers some key, 0 if none, or an error. */
static int range_any(MDB_txn *txn, MDB_dbi dbi, const struct range *r)
{
	MDB_cursor *c;
	MDB_val k, v;
	int m = mdb_cursor_open(txn, dbi, &c);
	if (m)
		return mdb_fail(m, "rename", NULL);
	m = seek(c, r->k, r->n, &k, &v);
	int any = m == 0 && covers(r, &k);
	mdb_cursor_close(c);
	return m == 0 || m == MDB_NOTFOUND ? any : mdb_fail(m, "rename", NULL);
}

/* rename_in: db_rename_prefix's work inside txn. */
static int rename_in(db *d, MDB_txn *txn, const struct range *rf, const struct range *rt,
		     const char *from, const char *to, unsigned flags)
{
	int longest = range_longest(txn, d->dbi, rf);
	if (longest == -ENOENT)
		return db_set_err(-ENOENT, "rename: nothing at \"%s\"", from);
	if (longest < 0)
		return longest;
	if (longest - (int)rf->n + (int)rt->n > DB_KEY_MAX) /* checked before any write */
		return db_set_err(-EINVAL, "rename to \"%s\": a key would exceed %d bytes", to, DB_KEY_MAX);
	if (rf->n == rt->n && !memcmp(rf->k, rt->k, rf->n))
		return 0; /* onto itself */
	int taken = range_any(txn, d->dbi, rt);
	if (taken > 0 && (flags & DB_NOREPLACE))
		return db_set_err(-EEXIST, "rename: \"%s\" exists", to);
	int rc = taken > 0 ? delete_range(d, txn, rt, to) : taken;
	return rc < 0 ? rc : move_range(d, txn, rf, rt);
}

/* db_rename_prefix: move from's keys under to, atomically. */
int db_rename_prefix(db *d, db_txn *t, const char *from, const char *to, unsigned flags)
{
	struct range rf, rt;
	struct op o;
	int rc = check_rename(&rf, &rt, from, to);
	if (rc < 0 || (rc = op_begin(&o, d, t, 1)) < 0)
		return rc;
	return op_end(&o, rename_in(d, o.txn, &rf, &rt, from, to, flags));
}
