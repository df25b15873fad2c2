/*
 * orion_lang_db.c: orion-lang's `db` module on OrionDB (--db IMAGE).
 *
 * Values map one to one where the types meet: nil <-> null, bool, int,
 * float, list, map.  An OrionLang string is a byte string: it is stored as
 * an OrionDB string when it is UTF-8 and as a blob otherwise, and both read
 * back as strings.  Map keys that are not strings are stored as their str()
 * (as json.encode and the in-memory store do).  Functions, host objects,
 * NaN and infinities cannot be stored.
 *
 * Memory: the allocating liblang calls may unwind past a host function
 * when the memory cap fires, so every malloc'd thing a call converts from
 * or to (a db_value tree, a key list) is parked in `g` and freed by the
 * next call or at close, never left to leak.
 */
#include "lang/orion_lang_db.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/orion.h"
#include "db/db.h"
#include "orionfs/orionfs.h"

/* The open image: one per process, as lang_cfunc has no user data. */
static struct {
	ofs *fs;
	db *d;
	int rdonly;
	db_value *pending; /* a tree being converted (see Memory above) */
	char **keys;       /* db.keys' result being converted */
	size_t nkeys, capkeys;
} g;

/* drop_pending: free what the previous call left parked. */
static void drop_pending(void)
{
	db_value_free(g.pending);
	g.pending = NULL;
	for (size_t i = 0; i < g.nkeys; i++)
		free(g.keys[i]);
	free(g.keys);
	g.keys = NULL;
	g.nkeys = g.capkeys = 0;
}

/* fail: raise "FN: why" for OrionDB's failure rc. */
static int fail(lang_state *L, const char *fn, int rc)
{
	if (rc == -EACCES && g.rdonly)
		return lang_error(L, "%s: the image is mounted read-only, so --db opened it "
				  "read-only", fn);
	const char *m = db_errmsg();
	return lang_error(L, "%s: %s", fn, *m ? m : orion_strerror(rc));
}

/* not_string: raise as liblang does for a first argument that is not a
 * string. */
static int not_string(lang_state *L, const char *fn, int argc, const lang_value *a)
{
	if (argc < 1)
		return lang_error(L, "%s: missing first argument (a string)", fn);
	return lang_error(L, "%s: first argument must be a string, not %s", fn,
			  lang_typename(a[0]));
}

/* arg_key: argument 0 as a valid OrionDB key in *key; else raises. */
static int arg_key(lang_state *L, const char *fn, int argc, const lang_value *a,
		   const char **key)
{
	size_t n;
	*key = argc > 0 ? lang_to_string(a[0], &n) : NULL;
	if (!*key)
		return not_string(L, fn, argc, a);
	int rc = db_key_check(*key, n);
	return rc < 0 ? lang_error(L, "%s: %s", fn, db_errmsg()) : 0;
}

/* ---- OrionLang -> OrionDB ---- */

/* new_node: the db_value for v: the scalar itself, or an empty list or
 * map for fill() to complete.  NULL with *why set when v cannot be stored,
 * NULL alone when out of memory. */
static db_value *new_node(lang_value v, const char **why)
{
	static char msg[80];
	size_t n;
	const char *s;
	int64_t i;
	double f;
	switch (lang_typeof(v)) {
	case LANG_NIL:
		return db_value_null();
	case LANG_BOOL:
		return db_value_bool(lang_truthy(v));
	case LANG_INT:
		lang_to_int(v, &i);
		return db_value_int(i);
	case LANG_FLOAT:
		lang_to_float(v, &f);
		if (isfinite(f))
			return db_value_float(f);
		*why = "cannot store a float that is not finite";
		return NULL;
	case LANG_STRING:
		s = lang_to_string(v, &n);
		return orion_utf8_ok(s, n) ? db_value_string(s, n) : db_value_blob(s, n);
	case LANG_LIST:
		return db_value_list();
	case LANG_MAP:
		return db_value_map();
	default:
		snprintf(msg, sizeof msg, "cannot store a %s", lang_typename(v));
		*why = msg;
		return NULL;
	}
}

static const char *fill(lang_state *L, db_value *dst, lang_value v, int depth);

/* add: item converted and attached to dst (a list, or a map under key k
 * of kn bytes), then filled: attached first so that dst owns it whatever
 * happens next.  NULL, or why it failed. */
static const char *add(lang_state *L, db_value *dst, const char *k, size_t kn,
		       lang_value item, int depth)
{
	const char *why = NULL;
	db_value *node = new_node(item, &why);
	if (!node)
		return why ? why : "out of memory";
	int rc = k ? db_map_set(dst, k, kn, node) : db_list_append(dst, node);
	if (rc < 0)
		return "out of memory";
	int ty = lang_typeof(item);
	return ty == LANG_LIST || ty == LANG_MAP ? fill(L, node, item, depth + 1) : NULL;
}

/* fill: the items of list or map v into dst, a container at nesting
 * depth; NULL, or why v cannot be stored. */
static const char *fill(lang_state *L, db_value *dst, lang_value v, int depth)
{
	const char *why = NULL;
	if (depth > DB_DEPTH_MAX)
		return "value nested too deeply (more than 64 levels, or it contains itself)";
	if (lang_typeof(v) == LANG_LIST) {
		for (size_t i = 0; !why && i < lang_list_len(v); i++)
			why = add(L, dst, NULL, 0, lang_list_get(v, i), depth);
		return why;
	}
	size_t it = 0, kn;
	lang_value k, item;
	while (!why && lang_map_next(v, &it, &k, &item)) {
		const char *ks = lang_to_string(k, &kn);
		if (!ks) /* may not return (memory cap): the tree is parked */
			ks = lang_to_string(lang_tostr(L, k), &kn);
		if (!orion_utf8_ok(ks, kn))
			return "map keys must be UTF-8 text";
		why = add(L, dst, ks, kn, item, depth);
	}
	return why;
}

/* ---- OrionDB -> OrionLang ---- */

/* to_lang: dv as an OrionLang value.  The collector does not run inside a
 * host function, so the partly built containers need no anchoring. */
static lang_value to_lang(lang_state *L, const db_value *dv)
{
	size_t n;
	const char *s;
	lang_value c;
	switch (db_value_type(dv)) {
	case DB_BOOL:
		return lang_bool(db_value_get_bool(dv));
	case DB_INT:
		return lang_int(db_value_get_int(dv));
	case DB_FLOAT:
		return lang_float(db_value_get_float(dv));
	case DB_STRING:
	case DB_BLOB:
		s = db_value_get_bytes(dv, &n);
		return lang_string(L, s ? s : "", n);
	case DB_LIST:
		c = lang_list_new(L);
		for (size_t i = 0; i < db_value_count(dv); i++)
			lang_list_push(L, c, to_lang(L, db_list_at(dv, i)));
		return c;
	case DB_MAP:
		c = lang_map_new(L);
		for (size_t i = 0; i < db_value_count(dv); i++) {
			const db_value *item = db_map_at(dv, i, &s, &n);
			lang_value k = lang_string(L, s, n);
			lang_map_set(L, c, k, to_lang(L, item));
		}
		return c;
	default:
		return lang_nil();
	}
}

/* ---- the module ---- */

static int d_get(lang_state *L, int argc, const lang_value *a, lang_value *ret)
{
	const char *key;
	drop_pending();
	int rc = arg_key(L, "db.get", argc, a, &key);
	if (rc)
		return rc;
	if ((rc = db_get(g.d, NULL, key, &g.pending)) == -ENOENT) {
		*ret = argc > 1 ? a[1] : lang_nil();
		return 0;
	}
	if (rc < 0)
		return fail(L, "db.get", rc);
	*ret = to_lang(L, g.pending);
	drop_pending();
	return 0;
}

static int d_put(lang_state *L, int argc, const lang_value *a, lang_value *ret)
{
	const char *key, *why = NULL;
	drop_pending();
	int rc = arg_key(L, "db.put", argc, a, &key);
	if (rc)
		return rc;
	if (argc != 2) /* worded as lang_arg_count words it for the in-memory db */
		return lang_error(L, "db.put: expected 2 arguments, got %d", argc);
	if (!(g.pending = new_node(a[1], &why)))
		return lang_error(L, "db.put: %s", why ? why : "out of memory");
	int ty = lang_typeof(a[1]);
	if ((ty == LANG_LIST || ty == LANG_MAP) && (why = fill(L, g.pending, a[1], 1))) {
		drop_pending();
		return lang_error(L, "db.put: %s", why);
	}
	rc = db_put(g.d, NULL, key, g.pending);
	drop_pending();
	return rc < 0 ? fail(L, "db.put", rc) : 0;
}

static int d_delete(lang_state *L, int argc, const lang_value *a, lang_value *ret)
{
	const char *key;
	drop_pending();
	int rc = arg_key(L, "db.delete", argc, a, &key);
	if (rc)
		return rc;
	rc = db_delete(g.d, NULL, key);
	if (rc < 0 && rc != -ENOENT)
		return fail(L, "db.delete", rc);
	*ret = lang_bool(rc == 0);
	return 0;
}

static int d_has(lang_state *L, int argc, const lang_value *a, lang_value *ret)
{
	const char *key;
	struct db_stat st;
	drop_pending();
	int rc = arg_key(L, "db.has", argc, a, &key);
	if (rc)
		return rc;
	rc = db_stat(g.d, NULL, key, &st);
	if (rc < 0 && rc != -ENOENT)
		return fail(L, "db.has", rc);
	*ret = lang_bool(rc == 0 && st.has_value);
	return 0;
}

/* The string prefix db.keys filters with. */
struct keys_arg {
	const char *pre;
	size_t len;
};

/* collect: keep e's key in g.keys when it starts with the prefix. */
static int collect(void *arg, const struct db_entry *e)
{
	const struct keys_arg *ka = arg;
	if (e->keylen < ka->len || memcmp(e->key, ka->pre, ka->len) != 0)
		return 0;
	if (g.nkeys == g.capkeys) {
		size_t cap = g.capkeys ? 2 * g.capkeys : 64;
		char **nk = realloc(g.keys, cap * sizeof *nk);
		if (!nk)
			return -ENOMEM;
		g.keys = nk;
		g.capkeys = cap;
	}
	if (!(g.keys[g.nkeys] = strdup(e->key)))
		return -ENOMEM;
	g.nkeys++;
	return 0;
}

static int cmp_keys(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y); /* bytewise */
}

/* d_keys: keys that start with the prefix as a string ("app/c" finds
 * "app/config"), sorted bytewise, as the in-memory store gives them.  The
 * scan covers the prefix's last whole segment boundary (OrionDB prefixes
 * are directory-like), or the whole database when there is none. */
static int d_keys(lang_state *L, int argc, const lang_value *a, lang_value *ret)
{
	struct keys_arg ka = {"", 0};
	char dir[DB_KEY_MAX + 1] = "";
	drop_pending();
	if (argc > 0 && !(ka.pre = lang_to_string(a[0], &ka.len)))
		return not_string(L, "db.keys", argc, a);
	const char *slash = ka.len ? memrchr(ka.pre, '/', ka.len) : NULL;
	if (slash && (size_t)(slash - ka.pre) < sizeof dir) {
		memcpy(dir, ka.pre, (size_t)(slash - ka.pre));
		dir[slash - ka.pre] = 0;
		if (db_key_check(dir, strlen(dir)) < 0)
			dir[0] = 0; /* a prefix no key has: the full scan finds none */
	}
	int rc = db_scan(g.d, NULL, dir, NULL, collect, &ka);
	if (rc < 0)
		return fail(L, "db.keys", rc);
	if (g.nkeys > 1)
		qsort(g.keys, g.nkeys, sizeof *g.keys, cmp_keys);
	*ret = lang_list_new(L);
	for (size_t i = 0; i < g.nkeys; i++)
		lang_list_push(L, *ret, lang_cstring(L, g.keys[i]));
	drop_pending();
	return 0;
}

/* olang_db_open: a read-write open takes the image's exclusive lock, so a
 * mounted image is refused; a read-only mount shares with a read-only
 * open. */
int olang_db_open(const char *path, int *rdonly)
{
	*rdonly = 0;
	int rc = ofs_open(&g.fs, path, 0);
	if (rc == -ORION_EMOUNTED && ofs_open(&g.fs, path, OFS_OPEN_RDONLY) == 0) {
		*rdonly = 1;
		rc = 0;
	}
	if (rc < 0)
		return rc;
	if ((rc = db_open_env(&g.d, ofs_env(g.fs), *rdonly ? DB_OPEN_RDONLY : 0)) < 0) {
		ofs_close(g.fs);
		g.fs = NULL;
		return rc;
	}
	g.rdonly = *rdonly;
	return 0;
}

/* olang_db_bind: the module's functions, as lang_open_memory_db names
 * them. */
int olang_db_bind(lang_state *L)
{
	static const struct lang_reg f[] = {
		{ "get", d_get }, { "put", d_put }, { "delete", d_delete },
		{ "has", d_has }, { "keys", d_keys }, { NULL, NULL }
	};
	return lang_bind_module(L, "db", f);
}

/* olang_db_close: ofs_close makes every committed put durable. */
void olang_db_close(void)
{
	drop_pending();
	db_close(g.d);
	ofs_close(g.fs);
	g.d = NULL;
	g.fs = NULL;
}
