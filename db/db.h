/*
 * db.h: OrionDB, the runtime's hierarchical key-value database.
 *
 * OrionDB lives in the image's LMDB environment, in the named table "kv"
 * (created by mkfs), beside the file tree: one image, one snapshot, one
 * backup for both.  docs/oriondb.md is the user's page; this header is the
 * C contract.
 *
 * Keys
 *  - A key is a path of segments separated by '/': "capsule/4f2a/config".
 *    Segments are 1..DB_SEG_MAX bytes, never "." or "..", and may hold any
 *    byte but NUL and '/' (binary, newlines, UTF-8 are all fine).  The
 *    whole key is 1..DB_KEY_MAX bytes.  No leading, trailing or double '/'.
 *  - A bad key fails with -EINVAL; db_errmsg() then names the key and the
 *    rule it broke.
 *  - Keys are C strings here; callers holding counted bytes (a control
 *    file, a FUSE name) check them with db_key_check() first, which also
 *    refuses an embedded NUL.
 *  - A "prefix" argument is a key, or "" for the whole database.  The
 *    prefix P covers the key P itself and every key below "P/", never
 *    "Pq": prefixes are directory-like.
 *  - Order: keys sort segment by segment, each segment bytewise (memcmp),
 *    a shorter segment first: "a" < "a/b" < "a/b/c" < "a/bc" < "a0".
 *
 * Values
 *  - Typed (enum db_type): null, bool, int (64-bit), float (double, finite),
 *    string (UTF-8 text), blob (any bytes), list and map (string keys,
 *    insertion order kept, no duplicate keys); lists and maps nest.
 *  - Stored in one canonical binary encoding (docs/oriondb.md): each value
 *    has exactly one encoding, so equal values have equal bytes.
 *  - A value lives in memory as a db_value tree: build it with the
 *    constructors, inspect it with the accessors, free it with
 *    db_value_free().
 *
 * Transactions
 *  - Every operation takes a db_txn *; NULL means "an implicit transaction
 *    of this one operation", except that when the calling thread has an
 *    explicit transaction open on the same db the operation joins its
 *    innermost one (so helpers written with NULL compose inside
 *    db_begin/db_commit; a write joining a read-only one fails -EACCES).
 *  - db_begin/db_commit/db_abort: all or nothing.  Readers (other threads,
 *    other processes) see the state before the commit or after it, never a
 *    part.  A db_begin while this thread has a write transaction open nests
 *    inside it: its commit folds into the parent, its abort undoes only it.
 *  - Commits are atomic; they are durable only with DB_SYNC (or a handle
 *    opened with DB_OPEN_SYNC), which returns after the data is on disk.
 *
 * Errors
 *  - Every function returns 0 (or a count) on success and a negative errno
 *    or negated enum orion_err code (common/orion.h) on failure:
 *      -EINVAL          bad key, bad argument, bad JSON or text
 *      -ENOENT          no such key (get, delete, rename_prefix source)
 *      -EEXIST          rename_prefix target taken with DB_NOREPLACE
 *      -ENOSPC          the image (LMDB map) is full; nothing was written
 *      -EACCES          a write through a read-only handle or transaction
 *      -ENOMEM          out of memory
 *      -ORION_EBADVALUE a stored value is not a canonical encoding
 *      -ORION_EBADIMAGE the file is not an orion image (no "kv" table)
 *      -ORION_ECORRUPT  LMDB found the image damaged
 *  - db_errmsg() gives this thread's text for the last failure.
 *
 * Caveats
 *  - Threads: a db handle may be shared by threads; a db_txn belongs to the
 *    thread that began it and must end (commit or abort) on that thread.
 *  - Never use a db (or its environment) in a forked child: close it before
 *    fork() and open a new one in the child (an LMDB rule).
 *  - Only one write transaction runs at a time per image, across threads
 *    and processes: keep explicit write transactions short.  A thread that
 *    holds one must not wait for another thread's write.
 *  - db_value accessors do not check types beyond returning a neutral value
 *    (0, NULL) for a mismatch: check db_value_type() first.
 *  - Maps look keys up linearly: fine for the small maps a record holds,
 *    slow for maps of many thousands of keys.
 *  - An encrypted image keeps OrionDB values sealed by the storage layer;
 *    db_open() on a raw path does not decrypt and is for plain images.
 */
#ifndef ORION_DB_H
#define ORION_DB_H

#include <stddef.h>
#include <stdint.h>

#include "common/orion.h"

#define DB_KEY_MAX 511 /* bytes in a whole key: LMDB's key limit */
#define DB_SEG_MAX 255 /* bytes in one segment, as a file name */
#define DB_DEPTH_MAX 64 /* nesting of lists and maps */

typedef struct db db;
typedef struct db_txn db_txn;
typedef struct db_value db_value;

/* ---- opening ---- */

/* db_open / db_open_env flags. */
enum {
	DB_OPEN_RDONLY = 1 << 0, /* refuse writes (-EACCES) */
	DB_OPEN_SYNC = 1 << 1,   /* every commit durable, as if DB_SYNC */
};

/* db_open: open the OrionDB of the image at path (its own LMDB
 * environment, MDB_NOSUBDIR); for tools, tests and benchmarks.  Other
 * processes may have the same image open (mounted) at the same time.
 * An image with a "super" table but no "kv" table yet gets one (unless
 * DB_OPEN_RDONLY); -ORION_EBADIMAGE if it has neither; -ENOENT if absent. */
int db_open(db **out, const char *path, unsigned flags);

/* db_open_env: use the already-open environment env (an MDB_env *, e.g.
 * ofs_env()); the db does not own it: close the db before the env.  The
 * "kv" table is found (or made) as for db_open.  Call it once per env, not
 * while other threads run transactions on it (an LMDB rule for opening
 * tables).  The env should have MDB_NOTLS (ofs's has), or a thread cannot
 * hold two read-only transactions at once. */
int db_open_env(db **out, void *env, unsigned flags);

/* db_close: end the handle (closing the environment if db_open made it).
 * Every transaction of the handle must have ended.  NULL is a no-op. */
void db_close(db *d);

/* db_errmsg: this thread's text for its last failing db_ call, naming the
 * key or position at fault; "" before any failure. */
const char *db_errmsg(void);

/* ---- keys ---- */

/* db_key_check: 0 if the len bytes at key form a valid key (see Keys),
 * else -EINVAL with db_errmsg() set. */
int db_key_check(const char *key, size_t len);

/* ---- transactions ---- */

enum {
	DB_TXN_RDONLY = 1 << 0, /* db_begin: a read-only snapshot */
	DB_SYNC = 1 << 1,       /* db_commit: durable before returning */
};

/* db_begin: start a transaction (flags: DB_TXN_RDONLY or 0); nests inside
 * this thread's open write transaction on d, if any (-EACCES for a write
 * one nested in a read-only one). */
int db_begin(db *d, unsigned flags, db_txn **out);

/* db_commit: make t's changes visible atomically (durable with DB_SYNC);
 * t is freed whatever the result; a failed commit changes nothing.
 * -EINVAL if t has a nested transaction still open. */
int db_commit(db_txn *t, unsigned flags);

/* db_abort: drop t and every change made in it.  NULL is a no-op. */
void db_abort(db_txn *t);

/* ---- operations (t may be NULL: see Transactions) ---- */

/* db_put: store v under key, replacing any value. */
int db_put(db *d, db_txn *t, const char *key, const db_value *v);

/* db_put_encoded: store an already encoded value (checked canonical first;
 * -ORION_EBADVALUE if not). */
int db_put_encoded(db *d, db_txn *t, const char *key, const void *enc, size_t len);

/* db_get: the value of key in *out (free with db_value_free); -ENOENT. */
int db_get(db *d, db_txn *t, const char *key, db_value **out);

/* db_get_encoded: copy the encoded value of key into buf (up to cap
 * bytes); returns its full length (call with cap 0 to size it); -ENOENT. */
int db_get_encoded(db *d, db_txn *t, const char *key, void *buf, size_t cap);

#define DB_TYPE_AUTO (-1) /* db_put_text: string if UTF-8, else blob */

/* db_put_text: store text (len bytes) read as a value of type (see
 * db_value_parse); DB_TYPE_AUTO stores a string when the bytes are UTF-8
 * and a blob otherwise (what a plain file write in /db/ stores). */
int db_put_text(db *d, db_txn *t, const char *key, int type, const char *text, size_t len);

/* db_get_text: the text form of key's value (db_value_text), malloc'd and
 * NUL-terminated in *out; its length in *len and its type in *type when
 * those are not NULL.  -ENOENT if absent. */
int db_get_text(db *d, db_txn *t, const char *key, char **out, size_t *len, int *type);

/* db_delete: remove key (not the keys below it); -ENOENT if absent. */
int db_delete(db *d, db_txn *t, const char *key);

/* One entry handed to a db_scan callback; valid during the call only.
 * key is NUL-terminated; enc is the value's canonical encoding (decode with
 * db_value_decode if needed; type is its first byte, as enum db_type). */
struct db_entry {
	const char *key;
	size_t keylen;
	const void *enc;
	size_t enclen;
	int type;
};

/* Scan callback: 0 to go on, 1 to stop, <0 to fail the scan with it. */
typedef int (*db_scan_fn)(void *arg, const struct db_entry *e);

/* db_scan: call fn for each key covered by prefix, in key order, starting
 * after the key `after` (NULL or "" = from the start).  To resume a scan,
 * pass the last key seen as after.  One snapshot per call.  Returns the
 * number of entries visited, or fn's negative result. */
int db_scan(db *d, db_txn *t, const char *prefix, const char *after,
	    db_scan_fn fn, void *arg);

/* One immediate child of a prefix, handed to a db_list callback. */
struct db_child {
	const char *name; /* the segment, NUL-terminated */
	size_t namelen;
	int has_value;    /* prefix/name is itself a key */
	int has_children; /* some key lies below prefix/name/ */
	int type;         /* enum db_type of the value when has_value */
};

/* Callback: 0 to go on, 1 to stop, <0 to fail with it. */
typedef int (*db_list_fn)(void *arg, const struct db_child *c);

/* db_list: the immediate children of prefix, in order, after the child
 * named after (NULL or "" = from the first); cost grows with the children,
 * not with the keys below them.  Returns the number listed. */
int db_list(db *d, db_txn *t, const char *prefix, const char *after,
	    db_list_fn fn, void *arg);

/* What a path is, for the /db/ tree's lookup and getattr. */
struct db_stat {
	int has_value;    /* key is itself a key: a file */
	int has_children; /* some key lies below key/: a directory */
	int type;         /* enum db_type of the value when has_value */
	size_t enclen;    /* bytes of its encoding when has_value */
};

/* db_stat: what key is, in one or two seeks; -ENOENT if it is neither a
 * key nor a prefix of one. */
int db_stat(db *d, db_txn *t, const char *key, struct db_stat *st);

/* db_delete_prefix: remove every key covered by prefix; returns the
 * number removed (0 if none). */
int db_delete_prefix(db *d, db_txn *t, const char *prefix);

enum {
	DB_NOREPLACE = 1 << 0, /* db_rename_prefix: -EEXIST if `to` is taken */
};

/* db_rename_prefix: atomically move every key covered by from to the same
 * place under to ("from/x" -> "to/x", "from" -> "to").  Keys already
 * covered by to are removed first (or -EEXIST with DB_NOREPLACE).
 * -ENOENT if from covers nothing; -EINVAL if one covers the other.
 * Returns the number of keys moved. */
int db_rename_prefix(db *d, db_txn *t, const char *from, const char *to,
		     unsigned flags);

/* ---- values ---- */

/* Value types; the numbers are the type bytes of the encoding. */
enum db_type {
	DB_NULL = 0,
	DB_BOOL = 1,
	DB_INT = 2,
	DB_FLOAT = 3,
	DB_STRING = 4,
	DB_BLOB = 5,
	DB_LIST = 6,
	DB_MAP = 7,
};

/* db_type_name: "null", "bool", "int", "float", "string", "blob", "list",
 * "map"; NULL for anything else. */
const char *db_type_name(int type);

/* db_type_from_name: the type called name (len bytes), or -EINVAL. */
int db_type_from_name(const char *name, size_t len);

/* Constructors: a new value, or NULL when out of memory.  Strings and
 * floats are not checked here: db_value_encode (so db_put) refuses a
 * string that is not UTF-8 and a float that is not finite. */
db_value *db_value_null(void);
db_value *db_value_bool(int b);
db_value *db_value_int(int64_t i);
db_value *db_value_float(double f);
db_value *db_value_string(const char *s, size_t len);
db_value *db_value_blob(const void *p, size_t len);
db_value *db_value_list(void);
db_value *db_value_map(void);

/* db_list_append: add item (owned by list from now, even on failure) at
 * the end; -ENOMEM if item is NULL (a failed constructor) or on no memory;
 * -EINVAL if list is not a list. */
int db_list_append(db_value *list, db_value *item);

/* db_map_set: set key (len bytes) to item, replacing an equal key in place
 * or appending a new one; item is owned by the map, even on failure. */
int db_map_set(db_value *map, const char *key, size_t len, db_value *item);

/* db_value_free: free v and everything in it.  NULL is a no-op. */
void db_value_free(db_value *v);

/* Accessors. */
int db_value_type(const db_value *v);
int db_value_get_bool(const db_value *v);
int64_t db_value_get_int(const db_value *v);
double db_value_get_float(const db_value *v);
/* bytes of a string (NUL-terminated) or blob; *len its length */
const char *db_value_get_bytes(const db_value *v, size_t *len);
/* number of items of a list or map */
size_t db_value_count(const db_value *v);
/* item i of a list, or NULL */
const db_value *db_list_at(const db_value *v, size_t i);
/* entry i of a map: its value, and its key in *key / *len; or NULL */
const db_value *db_map_at(const db_value *v, size_t i, const char **key, size_t *len);
/* the value of key (len bytes) in a map, or NULL */
const db_value *db_map_get(const db_value *v, const char *key, size_t len);

/* db_value_equal: 1 if a and b are the same value (same type, same items
 * in the same order; floats compared bitwise), else 0. */
int db_value_equal(const db_value *a, const db_value *b);

/* db_value_encode: the canonical encoding of v into buf (up to cap bytes);
 * returns its full length (call with cap 0 to size it); -EINVAL if v
 * cannot be stored (string not UTF-8, float not finite, nesting deeper
 * than DB_DEPTH_MAX, duplicate map key). */
int db_value_encode(const db_value *v, void *buf, size_t cap);

/* db_value_decode: the value encoded in the len bytes at enc;
 * -ORION_EBADVALUE unless they are exactly one canonical encoding. */
int db_value_decode(const void *enc, size_t len, db_value **out);

/* db_value_text: v's text form, malloc'd and NUL-terminated in *out, its
 * length in *len: decimal numbers, true/false, null, strings and blobs as
 * their raw bytes, lists and maps as JSON (docs/oriondb.md). */
int db_value_text(const db_value *v, char **out, size_t *len);

/* db_value_json: v as JSON (strings quoted, blobs as {"$blob":"BASE64"}). */
int db_value_json(const db_value *v, char **out, size_t *len);

/* db_value_parse: the inverse of db_value_text for the given type: text
 * (len bytes) read as a value of that type.  For null, bool, int, float,
 * list and map surrounding blanks and newlines are ignored; strings and
 * blobs take the bytes as they are (a string must be UTF-8).  -EINVAL with
 * db_errmsg() set when the text does not read as that type. */
int db_value_parse(int type, const char *text, size_t len, db_value **out);

/* db_value_from_json: any JSON text (len bytes) as a value: null, true,
 * false, integers that fit 64 bits as int, other numbers as float,
 * strings, arrays as lists, objects as maps (in order; a duplicate key is
 * an error), {"$blob":"BASE64"} as a blob.  -EINVAL with db_errmsg()
 * naming the offset on bad JSON. */
int db_value_from_json(const char *text, size_t len, db_value **out);

#endif
