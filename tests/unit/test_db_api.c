/* test_db.c: the OrionDB API on real images: operations, transactions,
 * persistence, several processes, a full image. */
#include <check.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/db.h"
#include "tests/unit/unit.h"

static char dir[64], img[128];

/* mkimage: an image as mkfs lays it out for OrionDB: one LMDB environment
 * (MDB_NOSUBDIR) with a "kv" table, its map map_size bytes. */
static void mkimage(const char *path, size_t map_size)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	ck_assert_int_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 64);
	mdb_env_set_mapsize(env, map_size);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "super", MDB_CREATE, &dbi), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "kv", MDB_CREATE, &dbi), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void setup(void)
{
	strcpy(dir, "/tmp/orion-dbtest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof img, "%s/image", dir);
	mkimage(img, 64 << 20);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static db *open_db(void)
{
	db *d;
	ck_assert_msg(db_open(&d, img, 0) == 0, "%s", db_errmsg());
	return d;
}

/* put_str / get_str: string values by C string. */
static int put_str(db *d, db_txn *t, const char *key, const char *s)
{
	db_value *v = db_value_string(s, strlen(s));
	int rc = db_put(d, t, key, v);
	db_value_free(v);
	return rc;
}

/* has: 1 if key holds the string s, 0 if absent (fails on anything else). */
static int has(db *d, db_txn *t, const char *key, const char *s)
{
	db_value *v;
	int rc = db_get(d, t, key, &v);
	if (rc == -ENOENT)
		return 0;
	ck_assert_msg(rc == 0, "get %s: %s", key, db_errmsg());
	size_t n;
	const char *b = db_value_get_bytes(v, &n);
	ck_assert_uint_eq(n, strlen(s));
	ck_assert(!memcmp(b, s, n));
	db_value_free(v);
	return 1;
}

/* Collects scan results as "key," text. */
struct seen {
	char text[4096];
	int stop_after; /* stop (return 1) after this many; 0 = never */
	int n;
};

static int collect(void *arg, const struct db_entry *e)
{
	struct seen *s = arg;
	ck_assert_uint_eq(strlen(e->key), e->keylen);
	strcat(s->text, e->key);
	strcat(s->text, ",");
	return s->stop_after && ++s->n >= s->stop_after;
}

static const char *scan_text(db *d, const char *prefix, const char *after)
{
	static struct seen s;
	memset(&s, 0, sizeof s);
	int rc = db_scan(d, NULL, prefix, after, collect, &s);
	ck_assert_msg(rc >= 0, "%s", db_errmsg());
	return s.text;
}

static int collect_child(void *arg, const struct db_child *c)
{
	struct seen *s = arg;
	char one[300];
	snprintf(one, sizeof one, "%s%s%s,", c->name, c->has_value ? "=" : "", c->has_children ? "/" : "");
	strcat(s->text, one);
	return s->stop_after && ++s->n >= s->stop_after;
}

static const char *list_text(db *d, const char *prefix, const char *after, int stop)
{
	static struct seen s;
	memset(&s, 0, sizeof s);
	s.stop_after = stop;
	int rc = db_list(d, NULL, prefix, after, collect_child, &s);
	ck_assert_msg(rc >= 0, "%s", db_errmsg());
	return s.text;
}

static void put_all(db *d, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(put_str(d, NULL, keys[i], keys[i]), 0);
}

static const char *const tree[] = {"a0", "a/bc", "a/b/c", "a", "a/b", "b/x/y", "a/b/c/d", "ab"};

START_TEST(put_get_delete)
{
	db *d = open_db();
	ck_assert_int_eq(put_str(d, NULL, "capsule/4f2a/config/theme", "dark"), 0);
	ck_assert(has(d, NULL, "capsule/4f2a/config/theme", "dark"));
	ck_assert_int_eq(put_str(d, NULL, "capsule/4f2a/config/theme", "light"), 0);
	ck_assert(has(d, NULL, "capsule/4f2a/config/theme", "light"));
	db_value *v = db_value_int(7);
	ck_assert_int_eq(db_put(d, NULL, "n", v), 0);
	db_value_free(v);
	ck_assert_int_eq(db_get(d, NULL, "n", &v), 0);
	ck_assert_int_eq(db_value_type(v), DB_INT);
	ck_assert_int_eq(db_value_get_int(v), 7);
	db_value_free(v);
	ck_assert_int_eq(db_get(d, NULL, "nope", &v), -ENOENT);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(db_delete(d, NULL, "n"), 0);
	ck_assert_int_eq(db_delete(d, NULL, "n"), -ENOENT);
	ck_assert_int_eq(db_get(d, NULL, "n", &v), -ENOENT);
	/* deleting a key leaves the keys below it */
	ck_assert_int_eq(put_str(d, NULL, "capsule", "c"), 0);
	ck_assert_int_eq(db_delete(d, NULL, "capsule"), 0);
	ck_assert(has(d, NULL, "capsule/4f2a/config/theme", "light"));
	db_close(d);
}
END_TEST

START_TEST(bad_keys_in_ops)
{
	db *d = open_db();
	static const char *bad[] = {"", "/a", "a/", "a//b", ".", "a/..", "./x"};
	db_value *v = db_value_null(), *out;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(db_put(d, NULL, bad[i], v), -EINVAL);
		ck_assert_msg(strstr(db_errmsg(), "bad key"), "%s", db_errmsg());
		ck_assert_int_eq(db_get(d, NULL, bad[i], &out), -EINVAL);
		ck_assert_int_eq(db_delete(d, NULL, bad[i]), -EINVAL);
		if (*bad[i]) {
			ck_assert_int_eq(db_scan(d, NULL, bad[i], NULL, collect, NULL), -EINVAL);
			ck_assert_int_eq(db_delete_prefix(d, NULL, bad[i]), -EINVAL);
			ck_assert_int_eq(db_rename_prefix(d, NULL, "x", bad[i], 0), -EINVAL);
		}
	}
	char longkey[600];
	memset(longkey, 'k', sizeof longkey);
	for (int i = 200; i < 600; i += 201)
		longkey[i] = '/';
	longkey[512] = 0;
	ck_assert_int_eq(db_put(d, NULL, longkey, v), -EINVAL);
	ck_assert(strstr(db_errmsg(), "511"));
	longkey[511] = 0;
	ck_assert_int_eq(db_put(d, NULL, longkey, v), 0);
	ck_assert_int_eq(db_get(d, NULL, longkey, &out), 0);
	db_value_free(out);
	db_value_free(v);
	db_close(d);
}
END_TEST

START_TEST(scan_order_and_prefix)
{
	db *d = open_db();
	put_all(d, tree, sizeof tree / sizeof tree[0]);
	ck_assert_str_eq(scan_text(d, "", NULL), "a,a/b,a/b/c,a/b/c/d,a/bc,a0,ab,b/x/y,");
	ck_assert_str_eq(scan_text(d, "a", NULL), "a,a/b,a/b/c,a/b/c/d,a/bc,");
	ck_assert_str_eq(scan_text(d, "a/b", NULL), "a/b,a/b/c,a/b/c/d,");
	ck_assert_str_eq(scan_text(d, "b", NULL), "b/x/y,");
	ck_assert_str_eq(scan_text(d, "c", NULL), "");
	ck_assert_str_eq(scan_text(d, "a", "a/b/c"), "a/b/c/d,a/bc,");
	ck_assert_str_eq(scan_text(d, "a/b", "a"), "a/b,a/b/c,a/b/c/d,"); /* before the range */
	ck_assert_str_eq(scan_text(d, "a/b", "a/bc"), "");              /* past it */
	ck_assert_str_eq(scan_text(d, "a", "a/b/x"), "a/bc,");          /* a key that is not there */
	db_close(d);
}
END_TEST

START_TEST(scan_resumes)
{
	db *d = open_db();
	char key[32];
	for (int i = 0; i < 100; i++) {
		snprintf(key, sizeof key, "p/%03d", (i * 37) % 100);
		ck_assert_int_eq(put_str(d, NULL, key, key), 0);
	}
	struct seen s = {.stop_after = 7};
	char last[32] = "";
	int pages = 0, rc;
	/* each page resumes after the last key of the one before */
	while ((rc = db_scan(d, NULL, "p", last, collect, &s)) > 0) {
		pages++;
		char *c = s.text + strlen(s.text) - 1;
		*c = 0;
		char *lastcomma = strrchr(s.text, ',');
		strcpy(last, lastcomma ? lastcomma + 1 : s.text);
		*c = ',';
		s.n = 0;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(pages, 15);
	ck_assert_str_eq(s.text, scan_text(d, "p", NULL));
	db_close(d);
}
END_TEST

static int collect_count(void *arg, const struct db_entry *e)
{
	return 0;
}

static int fail_cb(void *arg, const struct db_entry *e)
{
	return -EIO;
}

START_TEST(list_children)
{
	db *d = open_db();
	put_all(d, tree, sizeof tree / sizeof tree[0]);
	ck_assert_str_eq(list_text(d, "", NULL, 0), "a=/,a0=,ab=,b/,");
	ck_assert_str_eq(list_text(d, "a", NULL, 0), "b=/,bc=,");
	ck_assert_str_eq(list_text(d, "a/b", NULL, 0), "c=/,");
	ck_assert_str_eq(list_text(d, "a/b/c/d", NULL, 0), "");
	ck_assert_str_eq(list_text(d, "", "a", 0), "a0=,ab=,b/,");
	ck_assert_str_eq(list_text(d, "", "a0", 2), "ab=,b/,");
	ck_assert_str_eq(list_text(d, "", NULL, 1), "a=/,");
	ck_assert_str_eq(list_text(d, "", "aa", 0), "ab=,b/,"); /* not a child */
	/* a child whose name sorts just past another's subtree */
	ck_assert_int_eq(put_str(d, NULL, "a/b\x01z", "q"), 0);
	ck_assert_str_eq(list_text(d, "a", "b", 0), "b\x01z=,bc=,");
	ck_assert_int_eq(db_scan(d, NULL, "", NULL, fail_cb, NULL), -EIO);
	db_close(d);
}
END_TEST

START_TEST(stat_paths)
{
	db *d = open_db();
	put_all(d, tree, sizeof tree / sizeof tree[0]);
	static const struct {
		const char *key;
		int rc, has_value, has_children;
	} t[] = {
		{"a", 0, 1, 1},     {"a/b/c/d", 0, 1, 0}, {"b", 0, 0, 1},  {"b/x", 0, 0, 1},
		{"a/bc", 0, 1, 0},  {"c", -ENOENT, 0, 0}, {"a/b/c/d/e", -ENOENT, 0, 0},
		{"b/x/y/z", -ENOENT, 0, 0}, {"a//", -EINVAL, 0, 0},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct db_stat st;
		ck_assert_msg(db_stat(d, NULL, t[i].key, &st) == t[i].rc, "%s", t[i].key);
		ck_assert_int_eq(st.has_value, t[i].has_value);
		ck_assert_int_eq(st.has_children, t[i].has_children);
		if (st.has_value) {
			ck_assert_int_eq(st.type, DB_STRING);
			ck_assert_uint_eq(st.enclen, 2 + strlen(t[i].key));
		}
	}
	db_close(d);
}
END_TEST

START_TEST(delete_prefix)
{
	db *d = open_db();
	put_all(d, tree, sizeof tree / sizeof tree[0]);
	ck_assert_int_eq(db_delete_prefix(d, NULL, "a/b"), 3);
	ck_assert_str_eq(scan_text(d, "", NULL), "a,a/bc,a0,ab,b/x/y,");
	ck_assert_int_eq(db_delete_prefix(d, NULL, "a/b"), 0);
	ck_assert_int_eq(db_delete_prefix(d, NULL, "a"), 2);
	ck_assert_int_eq(db_delete_prefix(d, NULL, ""), 3);
	ck_assert_str_eq(scan_text(d, "", NULL), "");
	db_close(d);
}
END_TEST

START_TEST(rename_prefix)
{
	db *d = open_db();
	put_all(d, tree, sizeof tree / sizeof tree[0]);
	ck_assert_int_eq(db_rename_prefix(d, NULL, "a/b", "z/q", 0), 3);
	ck_assert_str_eq(scan_text(d, "", NULL), "a,a/bc,a0,ab,b/x/y,z/q,z/q/c,z/q/c/d,");
	ck_assert(has(d, NULL, "z/q/c/d", "a/b/c/d"));
	ck_assert_int_eq(db_rename_prefix(d, NULL, "a/b", "z", 0), -ENOENT);
	ck_assert_int_eq(db_rename_prefix(d, NULL, "z", "z/q/r", 0), -EINVAL);
	ck_assert_int_eq(db_rename_prefix(d, NULL, "z/q", "z", 0), -EINVAL);
	ck_assert_int_eq(db_rename_prefix(d, NULL, "b", "ab", DB_NOREPLACE), -EEXIST);
	ck_assert_str_eq(scan_text(d, "", NULL), "a,a/bc,a0,ab,b/x/y,z/q,z/q/c,z/q/c/d,");
	/* without DB_NOREPLACE the target's old keys go */
	ck_assert_int_eq(db_rename_prefix(d, NULL, "z", "a", 0), 3);
	ck_assert_str_eq(scan_text(d, "", NULL), "a/q,a/q/c,a/q/c/d,a0,ab,b/x/y,");
	ck_assert_int_eq(db_rename_prefix(d, NULL, "ab", "ab", 0), 0);
	ck_assert(has(d, NULL, "ab", "ab"));
	/* a move that would make a key too long moves nothing */
	char lk[512] = "l/";
	memset(lk + 2, 'x', 250);
	lk[252] = '/';
	memset(lk + 253, 'y', 250);
	lk[503] = 0;
	ck_assert_int_eq(put_str(d, NULL, "l/short", "s"), 0);
	ck_assert_int_eq(put_str(d, NULL, lk, "long"), 0);
	ck_assert_int_eq(db_rename_prefix(d, NULL, "l", "longer/prefix", 0), -EINVAL);
	ck_assert(strstr(db_errmsg(), "511"));
	ck_assert(has(d, NULL, "l/short", "s"));
	ck_assert(has(d, NULL, lk, "long"));
	ck_assert_int_eq(db_rename_prefix(d, NULL, "l", "m", 0), 2);
	lk[0] = 'm';
	ck_assert(has(d, NULL, lk, "long"));
	db_close(d);
}
END_TEST

START_TEST(transactions)
{
	db *d = open_db();
	db_txn *t, *r, *inner;
	/* abort leaves nothing, including ops that joined implicitly */
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(put_str(d, t, "x/1", "a"), 0);
	ck_assert_int_eq(put_str(d, NULL, "x/2", "b"), 0);
	ck_assert(has(d, NULL, "x/2", "b")); /* joined: sees its own writes */
	ck_assert_int_eq(db_rename_prefix(d, t, "x", "y", 0), 2);
	db_abort(t);
	ck_assert_str_eq(scan_text(d, "", NULL), "");
	/* a snapshot reader never sees a later commit, nor half of one */
	ck_assert_int_eq(put_str(d, NULL, "acct/a", "100"), 0);
	ck_assert_int_eq(db_begin(d, DB_TXN_RDONLY, &r), 0);
	ck_assert_int_eq(put_str(d, r, "acct/b", "x"), -EACCES);
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(db_delete(d, t, "acct/a"), 0);
	ck_assert_int_eq(put_str(d, t, "acct/b", "100"), 0);
	ck_assert_int_eq(db_commit(t, DB_SYNC), 0);
	ck_assert(has(d, r, "acct/a", "100"));
	ck_assert(!has(d, r, "acct/b", "100"));
	db_abort(r);
	ck_assert(!has(d, NULL, "acct/a", ""));
	ck_assert(has(d, NULL, "acct/b", "100"));
	/* nested: the inner abort undoes only the inner changes */
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(put_str(d, NULL, "n/outer", "1"), 0);
	ck_assert_int_eq(db_begin(d, 0, &inner), 0);
	ck_assert_int_eq(put_str(d, NULL, "n/inner", "2"), 0);
	db_abort(inner);
	ck_assert_int_eq(db_begin(d, 0, &inner), 0);
	ck_assert_int_eq(put_str(d, NULL, "n/kept", "3"), 0);
	ck_assert_int_eq(db_commit(inner, 0), 0);
	ck_assert_int_eq(db_commit(t, 0), 0);
	ck_assert_str_eq(scan_text(d, "n", NULL), "n/kept,n/outer,");
	/* a read-only nested transaction sees its parent's writes, takes none */
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(put_str(d, t, "n/seen", "1"), 0);
	ck_assert_int_eq(db_begin(d, DB_TXN_RDONLY, &r), 0);
	ck_assert(has(d, NULL, "n/seen", "1"));
	ck_assert_int_eq(put_str(d, NULL, "n/no", "1"), -EACCES);
	ck_assert_int_eq(db_begin(d, 0, &inner), -EACCES); /* not a deadlock */
	db_abort(r);
	ck_assert_int_eq(db_commit(t, 0), 0);
	ck_assert_str_eq(scan_text(d, "n", NULL), "n/kept,n/outer,n/seen,");
	/* committing an outer with an inner open aborts both */
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(put_str(d, NULL, "n/lost", "1"), 0);
	ck_assert_int_eq(db_begin(d, 0, &inner), 0);
	ck_assert_int_eq(db_commit(t, 0), -EINVAL);
	ck_assert(!has(d, NULL, "n/lost", "1"));
	db_close(d);
}
END_TEST

START_TEST(text_values)
{
	db *d = open_db();
	static const struct {
		const char *key;
		int type; /* as written */
		const char *text;
		int stored; /* type stored */
		const char *reads;
	} t[] = {
		{"t/auto", DB_TYPE_AUTO, "hello\n", DB_STRING, "hello\n"},
		{"t/bin", DB_TYPE_AUTO, "\xff\x00", DB_BLOB, "\xff"},
		{"t/int", DB_INT, "42\n", DB_INT, "42"},
		{"t/list", DB_LIST, "[1, 2.5, \"x\"]", DB_LIST, "[1,2.5,\"x\"]"},
		{"t/map", DB_MAP, "{\"a\": {\"$blob\": \"AA==\"}}", DB_MAP, "{\"a\":{\"$blob\":\"AA==\"}}"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		size_t in = i == 1 ? 2 : strlen(t[i].text);
		ck_assert_msg(db_put_text(d, NULL, t[i].key, t[i].type, t[i].text, in) == 0, "%s", db_errmsg());
		char *out;
		size_t n;
		int type;
		ck_assert_int_eq(db_get_text(d, NULL, t[i].key, &out, &n, &type), 0);
		ck_assert_int_eq(type, t[i].stored);
		ck_assert_uint_eq(n, i == 1 ? 2 : strlen(t[i].reads));
		ck_assert(!memcmp(out, t[i].reads, strlen(t[i].reads)));
		free(out);
	}
	ck_assert_int_eq(db_put_text(d, NULL, "t/int", DB_INT, "4 2", 3), -EINVAL);
	ck_assert(strstr(db_errmsg(), "JSON"));
	char *out;
	ck_assert_int_eq(db_get_text(d, NULL, "t/int", &out, NULL, NULL), 0);
	ck_assert_str_eq(out, "42");
	free(out);
	ck_assert_int_eq(db_get_text(d, NULL, "t/none", &out, NULL, NULL), -ENOENT);
	db_close(d);
}
END_TEST

START_TEST(any_bytes)
{
	db *d = open_db();
	static const char *keys[] = {"bin/\x01\x02\xfe\xff", "nl/line\nbreak\r\n", "utf8/caf\xc3\xa9/\xe2\x82\xac",
				     "sp/with space/'q'\"", "dots/.../.x"};
	unsigned char blob[256];
	for (int i = 0; i < 256; i++)
		blob[i] = (unsigned char)i;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		db_value *v = db_value_blob(blob, sizeof blob - i);
		ck_assert_int_eq(db_put(d, NULL, keys[i], v), 0);
		db_value *w;
		ck_assert_int_eq(db_get(d, NULL, keys[i], &w), 0);
		ck_assert(db_value_equal(v, w));
		db_value_free(v), db_value_free(w);
		ck_assert_str_eq(scan_text(d, keys[i], NULL), (strcat(strcpy((char[600]){0}, keys[i]), ",")));
	}
	db_value *s = db_value_string("\xe2\x98\x83\n\t", 5), *w;
	ck_assert_int_eq(db_put(d, NULL, "utf8/snow", s), 0);
	ck_assert_int_eq(db_get(d, NULL, "utf8/snow", &w), 0);
	ck_assert(db_value_equal(s, w));
	db_value_free(s), db_value_free(w);
	/* a string that is not UTF-8 is refused, nothing stored */
	s = db_value_string("\xff", 1);
	ck_assert_int_eq(db_put(d, NULL, "bad", s), -EINVAL);
	ck_assert_int_eq(db_get(d, NULL, "bad", &w), -ENOENT);
	db_value_free(s);
	db_close(d);
}
END_TEST

/* check_key: the scanned key reads back (so it was decoded right). */
static int check_key(void *arg, const struct db_entry *e)
{
	db_value *v;
	ck_assert_msg(db_get(arg, NULL, e->key, &v) == 0, "%s", db_errmsg());
	ck_assert_uint_eq(e->keylen, strlen(e->key));
	db_value_free(v);
	return 0;
}

START_TEST(scan_decodes_any_bytes)
{
	/* keys of every length up to 40 whose bytes sit next to the
	 * separator in the stored form: 0x01, 0x7f, 0x80, 0xff */
	static const char alphabet[] = {'a', 0x01, 0x7f, (char)0x80, (char)0xff, '/'};
	db *d = open_db();
	uint32_t seed = 12345;
	int distinct = 0;
	db_value *v = db_value_null();
	for (int i = 0; i < 300; i++) {
		char key[48];
		size_t n = 1 + (size_t)i % 40;
		for (size_t j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			key[j] = alphabet[(seed >> 16) % sizeof alphabet];
			if (key[j] == '/' && (j == 0 || j == n - 1 || key[j - 1] == '/'))
				key[j] = 'b'; /* keep the key valid */
		}
		key[n] = 0;
		db_value *old;
		int had = db_get(d, NULL, key, &old) == 0;
		db_value_free(had ? old : NULL);
		distinct += !had;
		ck_assert_msg(db_put(d, NULL, key, v) == 0, "%s", db_errmsg());
	}
	db_value_free(v);
	ck_assert_int_eq(db_scan(d, NULL, "", NULL, check_key, d), distinct);
	ck_assert_int_ge(db_scan(d, NULL, "a", NULL, check_key, d), 1);
	db_close(d);
}
END_TEST

START_TEST(encoded_values)
{
	db *d = open_db();
	ck_assert_int_eq(db_put_encoded(d, NULL, "e", "\x02\0\0\0\0\0\0\0\x05", 9), 0);
	ck_assert_int_eq(db_put_encoded(d, NULL, "e", "\x01\x07", 2), -ORION_EBADVALUE);
	char buf[16];
	ck_assert_int_eq(db_get_encoded(d, NULL, "e", NULL, 0), 9);
	ck_assert_int_eq(db_get_encoded(d, NULL, "e", buf, 4), 9);
	ck_assert(!memcmp(buf, "\x02\0\0\0", 4));
	ck_assert_int_eq(db_get_encoded(d, NULL, "e", buf, sizeof buf), 9);
	ck_assert_int_eq(buf[8], 5);
	ck_assert_int_eq(db_get_encoded(d, NULL, "none", buf, sizeof buf), -ENOENT);
	db_close(d);
}
END_TEST

START_TEST(reopen_and_modes)
{
	db *d = open_db();
	db_value *m = db_value_map(), *w;
	db_map_set(m, "list", 4, db_value_list());
	db_list_append((db_value *)db_map_get(m, "list", 4), db_value_float(2.5));
	ck_assert_int_eq(db_put(d, NULL, "cfg", m), 0);
	db_close(d);
	ck_assert_int_eq(db_open(&d, img, DB_OPEN_RDONLY), 0);
	ck_assert_int_eq(db_get(d, NULL, "cfg", &w), 0);
	ck_assert(db_value_equal(m, w));
	db_value_free(w);
	ck_assert_int_eq(db_put(d, NULL, "cfg", m), -EACCES);
	ck_assert_int_eq(db_delete_prefix(d, NULL, ""), -EACCES);
	db_txn *t;
	ck_assert_int_eq(db_begin(d, 0, &t), -EACCES);
	db_close(d);
	ck_assert_int_eq(db_open(&d, img, DB_OPEN_SYNC), 0);
	ck_assert_int_eq(db_put(d, NULL, "cfg2", m), 0);
	db_close(d);
	db_value_free(m);
	/* not an image, no file */
	char other[160];
	snprintf(other, sizeof other, "%s/plain", dir);
	MDB_env *env;
	mdb_env_create(&env);
	ck_assert_int_eq(mdb_env_open(env, other, MDB_NOSUBDIR, 0644), 0);
	mdb_env_close(env);
	ck_assert_int_eq(db_open(&d, other, 0), -ORION_EBADIMAGE);
	ck_assert_ptr_null(d);
	/* an image from before "kv" existed: the table is made on open */
	MDB_txn *txn;
	MDB_dbi dbi;
	mdb_env_create(&env);
	mdb_env_set_maxdbs(env, 8);
	ck_assert_int_eq(mdb_env_open(env, other, MDB_NOSUBDIR, 0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "super", MDB_CREATE, &dbi), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(db_open(&d, other, DB_OPEN_RDONLY), -ORION_EBADIMAGE);
	ck_assert_int_eq(db_open(&d, other, 0), 0);
	ck_assert_int_eq(put_str(d, NULL, "k", "v"), 0);
	db_close(d);
	snprintf(other, sizeof other, "%s/missing", dir);
	ck_assert_int_eq(db_open(&d, other, 0), -ENOENT);
	ck_assert_int_eq(db_open(&d, dir, 0), -EISDIR);
	/* an empty file is refused, not formatted */
	snprintf(other, sizeof other, "%s/empty", dir);
	FILE *f = fopen(other, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(db_open(&d, other, 0), -ORION_EBADIMAGE);
	struct stat st;
	ck_assert_int_eq(stat(other, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
}
END_TEST

START_TEST(open_env_shared)
{
	MDB_env *env;
	mdb_env_create(&env);
	mdb_env_set_maxdbs(env, 64);
	ck_assert_int_eq(mdb_env_open(env, img, MDB_NOSUBDIR | MDB_NOSYNC, 0644), 0);
	db *d;
	ck_assert_int_eq(db_open_env(&d, env, 0), 0);
	ck_assert_int_eq(put_str(d, NULL, "k", "v"), 0);
	db_txn *t;
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(put_str(d, t, "k2", "v2"), 0);
	ck_assert_int_eq(db_commit(t, DB_SYNC), 0);
	db_close(d); /* leaves env open */
	ck_assert_int_eq(db_open_env(&d, env, 0), 0);
	ck_assert(has(d, NULL, "k2", "v2"));
	db_close(d);
	mdb_env_close(env);
}
END_TEST

/* get_int: the int at key (0 when absent). */
static int64_t get_int(db *d, db_txn *t, const char *key)
{
	db_value *v;
	int rc = db_get(d, t, key, &v);
	if (rc == -ENOENT)
		return 0;
	ck_assert_int_eq(rc, 0);
	int64_t i = db_value_get_int(v);
	db_value_free(v);
	return i;
}

static int put_int(db *d, db_txn *t, const char *key, int64_t i)
{
	db_value *v = db_value_int(i);
	int rc = db_put(d, t, key, v);
	db_value_free(v);
	return rc;
}

enum { NWRITERS = 4, NOPS = 150 };

/* writer: one child process moving units from acct/a to acct/b and
 * counting, each step one transaction. */
static int writer(int id)
{
	db *d;
	char key[32];
	if (db_open(&d, img, 0) < 0)
		return 1;
	for (int i = 0; i < NOPS; i++) {
		db_txn *t;
		if (db_begin(d, 0, &t) < 0)
			return 2;
		put_int(d, t, "acct/a", get_int(d, t, "acct/a") - 1);
		put_int(d, t, "acct/b", get_int(d, t, "acct/b") + 1);
		put_int(d, t, "count", get_int(d, t, "count") + 1);
		snprintf(key, sizeof key, "w/%d/%d", id, i);
		put_int(d, t, key, i);
		if (db_commit(t, 0) < 0)
			return 3;
	}
	db_close(d);
	return 0;
}

/* reader: checks in snapshots that a transfer is never seen half done. */
static int reader(void)
{
	db *d;
	if (db_open(&d, img, DB_OPEN_RDONLY) < 0)
		return 1;
	for (int i = 0; i < 400; i++) {
		db_txn *t;
		if (db_begin(d, DB_TXN_RDONLY, &t) < 0)
			return 2;
		int64_t a = get_int(d, t, "acct/a"), b = get_int(d, t, "acct/b");
		db_abort(t);
		if (a + b != 1000)
			return 3;
	}
	db_close(d);
	return 0;
}

START_TEST(processes)
{
	db *d = open_db();
	ck_assert_int_eq(put_int(d, NULL, "acct/a", 1000), 0);
	db_close(d); /* never carry an open env across fork */
	pid_t pids[NWRITERS + 1];
	for (int i = 0; i <= NWRITERS; i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0)
			_exit(i < NWRITERS ? writer(i) : reader());
	}
	for (int i = 0; i <= NWRITERS; i++) {
		int st;
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d status %d", i, st);
	}
	d = open_db();
	ck_assert_int_eq(get_int(d, NULL, "count"), NWRITERS * NOPS);
	ck_assert_int_eq(get_int(d, NULL, "acct/a"), 1000 - NWRITERS * NOPS);
	ck_assert_int_eq(get_int(d, NULL, "acct/b"), NWRITERS * NOPS);
	ck_assert_int_eq(db_scan(d, NULL, "w", NULL, collect_count, NULL), NWRITERS * NOPS);
	db_close(d);
}
END_TEST

START_TEST(full_image)
{
	snprintf(img, sizeof img, "%s/small", dir);
	mkimage(img, 1 << 20);
	db *d = open_db();
	ck_assert_int_eq(put_str(d, NULL, "keep", "me"), 0);
	size_t big = 2 << 20;
	char *p = calloc(1, big);
	db_value *v = db_value_blob(p, big);
	ck_assert_int_eq(db_put(d, NULL, "big", v), -ENOSPC);
	ck_assert(strstr(db_errmsg(), "full"));
	/* inside a transaction: the whole transaction fails, earlier writes too */
	db_txn *t;
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(put_str(d, t, "early", "x"), 0);
	ck_assert_int_eq(db_put(d, t, "big", v), -ENOSPC);
	ck_assert_int_lt(db_commit(t, 0), 0);
	ck_assert(!has(d, NULL, "early", "x"));
	db_value_free(v);
	free(p);
	/* still consistent and usable, now and after reopening */
	ck_assert(has(d, NULL, "keep", "me"));
	ck_assert_int_eq(put_str(d, NULL, "after", "ok"), 0);
	db_close(d);
	d = open_db();
	ck_assert(has(d, NULL, "keep", "me"));
	ck_assert(has(d, NULL, "after", "ok"));
	ck_assert_str_eq(scan_text(d, "", NULL), "after,keep,");
	db_close(d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("db");
	TCase *tc = tcase_create("api");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, put_get_delete);
	tcase_add_test(tc, bad_keys_in_ops);
	tcase_add_test(tc, scan_order_and_prefix);
	tcase_add_test(tc, scan_resumes);
	tcase_add_test(tc, list_children);
	tcase_add_test(tc, stat_paths);
	tcase_add_test(tc, delete_prefix);
	tcase_add_test(tc, rename_prefix);
	tcase_add_test(tc, transactions);
	tcase_add_test(tc, text_values);
	tcase_add_test(tc, any_bytes);
	tcase_add_test(tc, scan_decodes_any_bytes);
	tcase_add_test(tc, encoded_values);
	tcase_add_test(tc, reopen_and_modes);
	tcase_add_test(tc, open_env_shared);
	tcase_add_test(tc, processes);
	tcase_add_test(tc, full_image);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
