/* test_ofs_fsck.c: ofs_fsck finds each kind of damage, repairs what is
 * safe, and leaves an image that checks clean.  The damage is made with
 * raw LMDB calls on real images. */
#include "orionfs/internal.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "tests/unit/ofs_unit.h"

static MDB_txn *txn;

/* mk: create parent/name of mode; its inode number. */
static uint64_t mk(uint64_t parent, const char *name, uint32_t mode)
{
	struct ofs_attr a;
	if (S_ISDIR(mode))
		ck_assert_int_eq(ofs_mkdir(fs, parent, name, mode, 0, 0, &a), 0);
	else
		ck_assert_int_eq(ofs_mknod(fs, parent, name, mode, 0, 0, 0, &a), 0);
	return a.ino;
}

/* damage_begin / damage_end: a raw write transaction on the open image. */
static void damage_begin(void)
{
	ck_assert_int_eq(mdb_txn_begin(ofs_env(fs), NULL, 0, &txn), 0);
}
static void damage_end(void)
{
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	ofs_close(fs);
	fs = NULL;
}

/* edit_inode: change ino's stored record through fn. */
static void edit_inode(uint64_t ino, void (*fn)(struct ofs_inode *))
{
	struct ofs_inode in;
	ck_assert_int_eq(ofs_inode_get(fs, txn, ino, &in), 0);
	fn(&in);
	ck_assert_int_eq(ofs_inode_put(fs, txn, &in), 0);
}

/* del_entry: remove parent/name's entry without touching anything else. */
static void del_entry(uint64_t parent, const char *name)
{
	uint64_t slot;
	MDB_val v;
	struct ofs_key k;
	ck_assert_int_eq(ofs_name_probe(fs, txn, fs->dirent, parent, name, strlen(name),
					ofs_dirent_name, &slot, &v), 1);
	MDB_val key = ofs_key2(&k, parent, slot);
	ck_assert_int_eq(mdb_del(txn, fs->dirent, &key, NULL), 0);
}

/* del_key: remove one record by (hi, lo) or (hi) key. */
static void del_key(MDB_dbi dbi, uint64_t hi, uint64_t lo, int two)
{
	struct ofs_key k;
	MDB_val key = two ? ofs_key2(&k, hi, lo) : ofs_key1(&k, hi);
	ck_assert_int_eq(mdb_del(txn, dbi, &key, NULL), 0);
}

/* Collected fsck messages. */
static char msgs[4096];

/* note: an ofs_fsck_fn appending to msgs. */
static void note(void *arg, const char *msg)
{
	(void)arg;
	strncat(msgs, msg, sizeof msgs - strlen(msgs) - 2);
	strcat(msgs, "\n");
}

/* expect: -n finds exactly `found` problems (one mentioning `what`), -y
 * repairs `fixed` of them, and afterwards the image is clean except for
 * what could not be fixed; then the image is reopened. */
static void expect(unsigned long found, unsigned long fixed, const char *what)
{
	struct ofs_fsck_report r;
	msgs[0] = '\0';
	ck_assert_int_eq(ofs_fsck(img, 0, note, NULL, &r), 0);
	ck_assert_msg(r.problems == found, "found %lu problems, expected %lu:\n%s", r.problems, found, msgs);
	ck_assert_uint_eq(r.repaired, 0);
	ck_assert_msg(strstr(msgs, what), "no '%s' in:\n%s", what, msgs);
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.repaired, fixed);
	msgs[0] = '\0';
	ck_assert_int_eq(ofs_fsck(img, 0, note, NULL, &r), 0);
	ck_assert_msg(r.problems == found - fixed, "after repair %lu problems:\n%s", r.problems, msgs);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}

static void nlink5(struct ofs_inode *in) { in->a.nlink = 5; }
static void nlink0(struct ofs_inode *in) { in->a.nlink = 0; }
static void size1(struct ofs_inode *in) { in->a.size = 1; }
static void blocks9(struct ofs_inode *in) { in->a.blocks = 9; }
static void parent99(struct ofs_inode *in) { in->parent = 99; }

START_TEST(clean_image_is_clean)
{
	uint64_t d = mk(OFS_ROOT_INO, "d", S_IFDIR | 0755), f = mk(d, "f", S_IFREG | 0644);
	ck_assert_int_eq(ofs_write(fs, f, "abc", 3, 100000), 3);
	ck_assert_int_eq(ofs_link(fs, f, OFS_ROOT_INO, "f2", NULL), 0);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.x", "1", 1, 0), 0);
	ck_assert_int_eq(ofs_symlink(fs, d, "s", "f", 0, 0, NULL), 0);
	ofs_close(fs);
	struct ofs_fsck_report r;
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	ck_assert_uint_eq(r.inodes, 4);
	ck_assert_uint_eq(r.dirents, 4);
	ck_assert_uint_eq(r.blocks, 2);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), -ORION_EMOUNTED);
}
END_TEST

START_TEST(wrong_link_count)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	damage_begin();
	edit_inode(f, nlink5);
	edit_inode(OFS_ROOT_INO, nlink5);
	damage_end();
	expect(2, 2, "link count is 5, should be 1");
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", NULL), 0);
}
END_TEST

START_TEST(entry_to_missing_inode)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	damage_begin();
	del_key(fs->inode, f, 0, 0);
	damage_end();
	expect(1, 1, "names a missing inode");
	struct ofs_attr a;
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "f", &a), -ENOENT);
}
END_TEST

START_TEST(nameless_inodes_go_to_lost_found)
{
	uint64_t d = mk(OFS_ROOT_INO, "d", S_IFDIR | 0755), f = mk(d, "f", S_IFREG | 0644);
	mk(d, "sub", S_IFDIR | 0755);
	damage_begin();
	del_entry(d, "f");
	del_entry(OFS_ROOT_INO, "d");
	damage_end();
	/* d unnamed; root's count off by one; f is still named? no: unnamed */
	expect(3, 3, "has no name");
	struct ofs_attr lf, a;
	char name[32];
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "lost+found", &lf), 0);
	snprintf(name, sizeof name, "#%llu", (unsigned long long)d);
	ck_assert_int_eq(ofs_lookup(fs, lf.ino, name, &a), 0);
	ck_assert_uint_eq(a.nlink, 3);
	snprintf(name, sizeof name, "#%llu", (unsigned long long)f);
	ck_assert_int_eq(ofs_lookup(fs, lf.ino, name, &a), 0);
	ck_assert_uint_eq(a.nlink, 1);
}
END_TEST

START_TEST(unlinked_not_on_orphan_list)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	damage_begin();
	del_entry(OFS_ROOT_INO, "f");
	edit_inode(f, nlink0);
	damage_end();
	expect(1, 1, "not on the orphan list");
	struct ofs_attr a; /* the open above reclaimed it */
	ck_assert_int_eq(ofs_getattr(fs, f, &a), -ENOENT);
}
END_TEST

START_TEST(stale_orphan_entry)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	damage_begin();
	ck_assert_int_eq(ofs_orphan_add(fs, txn, f, 0), 0);
	ck_assert_int_eq(ofs_orphan_add(fs, txn, 777, 0), 0);
	damage_end();
	expect(2, 2, "orphan list");
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, f, &a), 0); /* kept: it is linked */
}
END_TEST

/* An orphan's value is empty or the byte 1 (a file made unnamed, which
 * may still be named); anything else is damage, repaired as empty. */
START_TEST(bad_orphan_value)
{
	struct ofs_attr t;
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	ck_assert_int_eq(ofs_tmpfile(fs, OFS_ROOT_INO, 0600, 0, 0, 0, &t), 0);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", NULL), 0);
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, f), val = {3, "bad"};
	damage_begin();
	ck_assert_int_eq(mdb_put(txn, fs->orphan, &key, &val, 0), 0);
	damage_end();
	expect(1, 1, "orphan list: inode");
}
END_TEST

/* A record of an unfinished call must name a live regular file. */
START_TEST(stray_pending_records)
{
	uint64_t d = mk(OFS_ROOT_INO, "d", S_IFDIR | 0755);
	unsigned char v[OFS_PENDING_VAL] = {OFS_PENDING_TRUNCATE};
	struct ofs_key k;
	MDB_val val = {sizeof v, v}, key = ofs_key1(&k, 777);
	damage_begin();
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	key = ofs_key1(&k, d);
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	damage_end();
	expect(2, 2, "unfinished call of inode");
}
END_TEST

START_TEST(size_block_count_and_parent)
{
	uint64_t d = mk(OFS_ROOT_INO, "d", S_IFDIR | 0755), f = mk(d, "f", S_IFREG | 0644);
	ck_assert_int_eq(ofs_write(fs, f, "0123456789", 10, 0), 10);
	damage_begin();
	edit_inode(f, size1);
	edit_inode(f, blocks9);
	edit_inode(d, parent99);
	damage_end();
	expect(3, 3, "size is 1, should be 10");
	char buf[16];
	ck_assert_int_eq(ofs_read(fs, f, buf, sizeof buf, 0), 10);
}
END_TEST

START_TEST(stray_records)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644), p = mk(OFS_ROOT_INO, "p", S_IFIFO | 0644);
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, 0), 1);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.k", "v", 1, 0), 0);
	damage_begin();
	struct ofs_key k, k2;
	MDB_val key = ofs_key2(&k, f, 0), v, key2;
	ck_assert_int_eq(mdb_get(txn, fs->data, &key, &v), 0);
	key2 = ofs_key2(&k2, 4444, 0); /* data of a missing inode */
	ck_assert_int_eq(mdb_put(txn, fs->data, &key2, &v, 0), 0);
	key2 = ofs_key2(&k2, p, 0); /* data of a fifo */
	ck_assert_int_eq(mdb_put(txn, fs->data, &key2, &v, 0), 0);
	key2 = ofs_key2(&k2, 4444, 5); /* an xattr of a missing inode */
	MDB_val xv = {3, "\001ab"};
	ck_assert_int_eq(mdb_put(txn, fs->xattr, &key2, &xv, 0), 0);
	damage_end();
	expect(3, 3, "no such file");
}
END_TEST

START_TEST(directory_cycle)
{
	uint64_t a = mk(OFS_ROOT_INO, "a", S_IFDIR | 0755), b = mk(a, "b", S_IFDIR | 0755);
	damage_begin();
	/* cut a from the root and hang it under b: a -> b -> a */
	del_entry(OFS_ROOT_INO, "a");
	ck_assert_int_eq(ofs_dirent_add(fs, txn, b, "a", 1, a, S_IFDIR), 0);
	damage_end();
	struct ofs_fsck_report r;
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_ge(r.problems, 2);
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, r.repaired);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	struct ofs_attr lf;
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "lost+found", &lf), 0);
	ck_assert_uint_eq(lf.nlink, 3);
}
END_TEST

/* A cycle above a directory is broken where it closes, not only below
 * it: x (scanned first) hangs under b, and a -> b -> a. */
START_TEST(cycle_above_a_subtree)
{
	uint64_t x = mk(OFS_ROOT_INO, "x", S_IFDIR | 0755), a = mk(OFS_ROOT_INO, "a", S_IFDIR | 0755);
	uint64_t b = mk(a, "b", S_IFDIR | 0755);
	damage_begin();
	del_entry(OFS_ROOT_INO, "x");
	ck_assert_int_eq(ofs_dirent_add(fs, txn, b, "x", 1, x, S_IFDIR), 0);
	del_entry(OFS_ROOT_INO, "a");
	ck_assert_int_eq(ofs_dirent_add(fs, txn, b, "a", 1, a, S_IFDIR), 0);
	damage_end();
	struct ofs_fsck_report r;
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, r.repaired);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
}
END_TEST

/* copy_entry: put a copy of parent/name's entry at slot, out of place. */
static void copy_entry(uint64_t parent, const char *name, uint64_t slot)
{
	unsigned char buf[512];
	uint64_t at;
	MDB_val v;
	struct ofs_key k;
	ck_assert_int_eq(ofs_name_probe(fs, txn, fs->dirent, parent, name, strlen(name),
					ofs_dirent_name, &at, &v), 1);
	ck_assert_uint_le(v.mv_size, sizeof buf);
	memcpy(buf, v.mv_data, v.mv_size);
	MDB_val key = ofs_key2(&k, parent, slot), copy = {v.mv_size, buf};
	ck_assert_int_eq(mdb_put(txn, fs->dirent, &key, &copy, 0), 0);
}

/* An entry out of its slot whose name is in place as well is a stray
 * copy: dropped (moving it into place would collide), counted nowhere. */
START_TEST(misplaced_duplicate_entry)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	mk(OFS_ROOT_INO, "d", S_IFDIR | 0755);
	damage_begin();
	copy_entry(OFS_ROOT_INO, "f", 0);
	copy_entry(OFS_ROOT_INO, "d", 1);
	damage_end();
	expect(2, 2, "duplicates another");
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, f, &a), 0);
	ck_assert_uint_eq(a.nlink, 1);
	/* two copies out of place and none in: one moves in, one goes */
	damage_begin();
	copy_entry(OFS_ROOT_INO, "f", 0);
	copy_entry(OFS_ROOT_INO, "f", 1);
	del_entry(OFS_ROOT_INO, "f");
	damage_end();
	expect(2, 2, "wrong slot");
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "f", &a), 0);
	ck_assert_uint_eq(a.nlink, 1);
}
END_TEST

START_TEST(bad_records_and_images)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644);
	damage_begin();
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, f), v = {5, "short"};
	ck_assert_int_eq(mdb_put(txn, fs->inode, &key, &v, 0), 0);
	damage_end();
	struct ofs_fsck_report r;
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &r), 0);
	ck_assert_uint_ge(r.problems, 1);
	ck_assert_uint_lt(r.repaired, r.problems); /* a damaged inode stays reported */
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	struct ofs_attr a;
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "f", &a), -ORION_ECORRUPT);
	/* a truncated copy is refused, never read past its end */
	char cut[128], cmd[300];
	snprintf(cut, sizeof cut, "%s/cut.fs", dir);
	snprintf(cmd, sizeof cmd, "head -c 12288 %s > %s", img, cut);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(ofs_fsck(cut, 0, NULL, NULL, &r), -ORION_ECORRUPT);
	/* a newer format version is refused as such */
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	damage_begin();
	unsigned char newer[4];
	ofs_put_le32(newer, OFS_FORMAT_VERSION + 1);
	MDB_val vk = {7, "version"}, vv = {4, newer};
	ck_assert_int_eq(mdb_put(txn, fs->super, &vk, &vv, 0), 0);
	damage_end();
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_EVERSION);
	MDB_env *env;
	ck_assert_int_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 8);
	ck_assert_int_eq(mdb_env_open(env, img, MDB_NOSUBDIR, 0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	MDB_dbi super;
	ck_assert_int_eq(mdb_dbi_open(txn, "super", 0, &super), 0);
	MDB_val mk_ = {5, "magic"}, mv = {8, "NotOrion"};
	ck_assert_int_eq(mdb_put(txn, super, &mk_, &mv, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_EBADIMAGE);
	ck_assert_int_eq(ofs_mkfs(img, &(struct ofs_mkfs_opts){.force = 1}), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}
END_TEST

/* free_run: the first page of the run of free pages that ends the
 * closed image at path (as its meta page counts them), and its last page
 * plus one in *end. */
static uint64_t free_run(const char *path, uint64_t *end)
{
	MDB_env *env;
	MDB_txn *t;
	MDB_cursor *c;
	MDB_envinfo info;
	MDB_val k, v;
	static unsigned char is_free[1 << 16];
	memset(is_free, 0, sizeof is_free);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK, 0644), 0);
	ck_assert_int_eq(mdb_env_info(env, &info), 0);
	*end = (uint64_t)info.me_last_pgno + 1;
	ck_assert_uint_lt(*end, sizeof is_free);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &t), 0);
	ck_assert_int_eq(mdb_cursor_open(t, 0, &c), 0);
	while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
		uint64_t n, pg;
		memcpy(&n, v.mv_data, sizeof n);
		for (uint64_t i = 1; i <= n; i++) {
			memcpy(&pg, (unsigned char *)v.mv_data + i * sizeof pg, sizeof pg);
			ck_assert_uint_lt(pg, *end);
			is_free[pg] = 1;
		}
	}
	mdb_cursor_close(c);
	mdb_txn_abort(t);
	mdb_env_close(env);
	uint64_t first = *end;
	while (first > 0 && is_free[first - 1])
		first--;
	return first;
}

/* cut_to: the image file made pages pages long. */
static void cut_to(uint64_t pages)
{
	ck_assert_int_eq(truncate(img, (off_t)(pages * 4096)), 0);
}

/* LMDB never writes a free page, and a commit may number pages it then
 * lets go of, so the file may end before the last pages its meta page
 * counts when they are all free: such an image opens (a read-write open
 * gives the file those pages back) and is clean.  A file that ends before
 * a page in use is a truncated image, refused. */
START_TEST(free_pages_past_the_end_are_no_damage)
{
	uint64_t f = mk(OFS_ROOT_INO, "f", S_IFREG | 0644), end;
	static unsigned char buf[2 << 20];
	memset(buf, 'x', sizeof buf);
	ck_assert_int_eq(ofs_write(fs, f, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	struct ofs_attr a = {.size = 0};
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	for (int i = 0; i < 4; i++) /* commits that copy what the last few wrote */
		ck_assert_int_eq(ofs_write(fs, f, "y", 1, i), 1);
	ofs_close(fs);
	fs = NULL;
	uint64_t first = free_run(img, &end);
	ck_assert_uint_lt(first + 8, end); /* the blocks' pages, let go of */
	cut_to(first);
	struct ofs_fsck_report r;
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0); /* read-only: as it is */
	ck_assert_uint_eq(r.problems, 0);
	struct stat st;
	ck_assert_int_eq(stat(img, &st), 0);
	ck_assert_uint_eq((uint64_t)st.st_size, first * 4096);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(stat(img, &st), 0);
	ck_assert_uint_eq((uint64_t)st.st_size, end * 4096);
	ck_assert_int_eq(ofs_write(fs, f, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	/* one page in use too few */
	first = free_run(img, &end);
	cut_to(first - 1);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_RDONLY), -ORION_ECORRUPT);
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_ECORRUPT);
	ck_assert_ptr_null(fs);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ofs_fsck");
	TCase *t = tcase_create("fsck");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, clean_image_is_clean);
	tcase_add_test(t, wrong_link_count);
	tcase_add_test(t, entry_to_missing_inode);
	tcase_add_test(t, nameless_inodes_go_to_lost_found);
	tcase_add_test(t, unlinked_not_on_orphan_list);
	tcase_add_test(t, stale_orphan_entry);
	tcase_add_test(t, bad_orphan_value);
	tcase_add_test(t, stray_pending_records);
	tcase_add_test(t, size_block_count_and_parent);
	tcase_add_test(t, stray_records);
	tcase_add_test(t, directory_cycle);
	tcase_add_test(t, cycle_above_a_subtree);
	tcase_add_test(t, misplaced_duplicate_entry);
	tcase_add_test(t, bad_records_and_images);
	tcase_add_test(t, free_pages_past_the_end_are_no_damage);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
