/* test_ofs_compat.c: images made by earlier builds (kept in
 * tests/images/orionfs-vN.img, one per format version) still open, read
 * back exactly, check clean and take writes.  `test_ofs_compat --make
 * PATH` wrote the newest; run that only when the format version changes,
 * and keep the old images.  Also: which format version and checksum
 * mkfs records for each hash choice. */
#include "orionfs/orionfs.h"

#include <check.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* The saved images, oldest first: version 1 (BLAKE2b-128 checksums),
 * version 2 (Poly1305 checksums under the image's key), version 3 (sector
 * overlays: /docs/big has one, in its second block), version 4 (each
 * sector's digest just before it). */
static const char *const golden[] = {"tests/images/orionfs-v1.img", "tests/images/orionfs-v2.img",
				     "tests/images/orionfs-v3.img", "tests/images/orionfs-v4.img"};

/* byte: the content of /docs/big at offset i. */
static unsigned char byte(uint64_t i)
{
	return (unsigned char)(i * 31 + (i >> 9));
}

/* make: write the golden image at path. */
static int make(const char *path)
{
	struct ofs_mkfs_opts o = {.root_uid = 0, .root_gid = 0, .force = 1};
	struct ofs_attr d, f, a;
	ofs *fs;
	static unsigned char big[150000];
	if (ofs_mkfs(path, &o) || ofs_open(&fs, path, 0))
		return 1;
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = byte(i);
	int rc = ofs_mkdir(fs, OFS_ROOT_INO, "docs", 0750, 1000, 100, &d) ||
		 ofs_mknod(fs, d.ino, "big", S_IFREG | 0640, 0, 1000, 100, &f) ||
		 ofs_write(fs, f.ino, big, sizeof big, 0) != (ssize_t)sizeof big ||
		 /* the same bytes again, as a sector overlay from version 3 on */
		 ofs_write(fs, f.ino, big + 73728, 4096, 73728) != 4096 ||
		 ofs_write(fs, f.ino, "tail", 4, 5000000) != 4 ||
		 ofs_link(fs, f.ino, OFS_ROOT_INO, "big.link", &a) ||
		 ofs_setxattr(fs, f.ino, "user.origin", "golden", 6, 0) ||
		 ofs_symlink(fs, OFS_ROOT_INO, "sym", "docs/big", 1000, 100, &a) ||
		 ofs_mknod(fs, d.ino, "fifo", S_IFIFO | 0600, 0, 0, 0, &a) ||
		 ofs_mknod(fs, d.ino, "empty", S_IFREG | 0600, 0, 0, 0, &a);
	ofs_close(fs);
	return rc;
}

static char dir[64], img[96];

/* setup: a scratch directory; img is a path inside it. */
static void setup(void)
{
	strcpy(dir, "/tmp/ofs-compat.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof img, "%s/img.fs", dir);
}

/* copy_golden: img becomes a private copy of saved image i. */
static void copy_golden(int i)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "cp %s %s", golden[i], img);
	ck_assert_int_eq(system(cmd), 0);
}

/* super_val: the super value of key in the (closed) image at path, or
 * size 0 when it is absent; a copy stays valid in buf (len bytes). */
static size_t super_val(const char *path, const char *key, void *buf, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi super;
	MDB_val k = {strlen(key), (void *)key}, v = {0, NULL};
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 8), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_RDONLY | MDB_NOLOCK, 0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "super", 0, &super), 0);
	if (mdb_get(txn, super, &k, &v) == 0 && v.mv_size <= len)
		memcpy(buf, v.mv_data, v.mv_size);
	mdb_txn_abort(txn);
	mdb_env_close(env);
	return v.mv_size;
}

/* super_set: set (or with val NULL, delete) super key in the closed image. */
static void super_set(const char *path, const char *key, const void *val, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi super;
	MDB_val k = {strlen(key), (void *)key}, v = {len, (void *)val};
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 8), 0);
	ck_assert_int_eq(mdb_env_open(env, path, MDB_NOSUBDIR, 0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "super", 0, &super), 0);
	ck_assert_int_eq(val ? mdb_put(txn, super, &k, &v, 0) : mdb_del(txn, super, &k, NULL), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* le32: a little-endian u32 from 4 bytes. */
static uint32_t le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* teardown: remove the copy. */
static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(golden_image_reads_back)
{
	struct ofs_fsck_report r;
	struct ofs_attr d, f, a;
	char buf[64];
	static unsigned char data[150000];
	ofs *fs;
	copy_golden(_i);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_RDONLY), 0);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "docs", &d), 0);
	ck_assert_uint_eq(d.mode, S_IFDIR | 0750);
	ck_assert_uint_eq(d.uid, 1000);
	ck_assert_int_eq(ofs_lookup(fs, d.ino, "big", &f), 0);
	ck_assert_uint_eq(f.size, 5000004);
	ck_assert_uint_eq(f.nlink, 2);
	ck_assert_int_eq(ofs_read(fs, f.ino, data, sizeof data, 0), (ssize_t)sizeof data);
	for (size_t i = 0; i < sizeof data; i++)
		ck_assert_uint_eq(data[i], byte(i));
	ck_assert_int_eq(ofs_read(fs, f.ino, buf, 8, 4999998), 6);
	ck_assert_int_eq(memcmp(buf, "\0\0tail", 6), 0);
	ck_assert_int_eq(ofs_getxattr(fs, f.ino, "user.origin", buf, sizeof buf), 6);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "big.link", &a), 0);
	ck_assert_uint_eq(a.ino, f.ino);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "sym", &a), 0);
	ck_assert_int_eq(ofs_readlink(fs, a.ino, buf, sizeof buf), 8);
	ck_assert_str_eq(buf, "docs/big");
	ck_assert_int_eq(ofs_lookup(fs, d.ino, "fifo", &a), 0);
	ck_assert(S_ISFIFO(a.mode));
	ofs_close(fs);
	/* and it takes writes */
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(ofs_mknod(fs, d.ino, "new", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_uint_gt(a.ino, f.ino);
	ck_assert_int_eq(ofs_write(fs, a.ino, "fresh", 5, 0), 5);
	ck_assert_int_eq(ofs_write(fs, f.ino, "edit", 4, 70000), 4); /* re-seals a sector */
	ofs_close(fs);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	/* writes keep the image's format: an old build can still open it */
	unsigned char v[4];
	ck_assert_uint_eq(super_val(img, "version", v, sizeof v), 4);
	ck_assert_uint_eq(le32(v), (uint32_t)_i + 1);
}
END_TEST

START_TEST(mkfs_records_the_hash)
{
	unsigned char v[4], key[64];
	ofs *fs;
	/* the default: Poly1305 with a 32-byte key, the newest format */
	ck_assert_int_eq(ofs_mkfs(img, NULL), 0);
	ck_assert_uint_eq(super_val(img, "version", v, sizeof v), 4);
	ck_assert_uint_eq(le32(v), OFS_FORMAT_VERSION);
	ck_assert_uint_eq(super_val(img, "hash", v, sizeof v), 4);
	ck_assert_uint_eq(le32(v), OFS_HASH_POLY1305);
	ck_assert_uint_eq(super_val(img, "hash_key", key, sizeof key), 32);
	/* BLAKE2b-128: a version 1 image, no key */
	struct ofs_mkfs_opts o = {.force = 1, .hash = OFS_HASH_BLAKE2B128};
	ck_assert_int_eq(ofs_mkfs(img, &o), 0);
	ck_assert_uint_eq(super_val(img, "version", v, sizeof v), 4);
	ck_assert_uint_eq(le32(v), 1);
	ck_assert_uint_eq(super_val(img, "hash", v, sizeof v), 4);
	ck_assert_uint_eq(le32(v), OFS_HASH_BLAKE2B128);
	ck_assert_uint_eq(super_val(img, "hash_key", key, sizeof key), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ofs_close(fs);
	o.hash = 3;
	ck_assert_int_eq(ofs_mkfs(img, &o), -EINVAL);
}
END_TEST

START_TEST(bad_hash_fields_refused)
{
	unsigned char v[4] = {1, 0, 0, 0};
	ofs *fs;
	/* Poly1305 needs format version 2 and its key */
	ck_assert_int_eq(ofs_mkfs(img, NULL), 0);
	super_set(img, "version", v, 4);
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_EVERSION);
	ck_assert_int_eq(ofs_mkfs(img, &(struct ofs_mkfs_opts){.force = 1}), 0);
	super_set(img, "hash_key", NULL, 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_EBADIMAGE);
	ck_assert_int_eq(ofs_mkfs(img, &(struct ofs_mkfs_opts){.force = 1}), 0);
	super_set(img, "hash_key", "short", 5);
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_EBADIMAGE);
	/* an unknown hash is a newer format */
	ck_assert_int_eq(ofs_mkfs(img, &(struct ofs_mkfs_opts){.force = 1}), 0);
	v[0] = 9;
	super_set(img, "hash", v, 4);
	ck_assert_int_eq(ofs_open(&fs, img, 0), -ORION_EVERSION);
}
END_TEST

START_TEST(digests_depend_on_the_key)
{
	struct ofs_fsck_report r;
	struct ofs_attr a;
	unsigned char key[32], buf[8];
	ofs *fs;
	ck_assert_int_eq(ofs_mkfs(img, NULL), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "f", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_write(fs, a.ino, "checksum", 8, 0), 8);
	ofs_close(fs);
	ck_assert_uint_eq(super_val(img, "hash_key", key, sizeof key), 32);
	key[7] ^= 1;
	super_set(img, "hash_key", key, sizeof key);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_RDONLY), 0);
	ck_assert_int_eq(ofs_read(fs, a.ino, buf, sizeof buf, 0), -ORION_ECHECKSUM);
	ofs_close(fs);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 1);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--make") == 0)
		return make(argv[2]);
	Suite *s = suite_create("ofs_compat");
	TCase *t = tcase_create("compat");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_loop_test(t, golden_image_reads_back, 0, (int)(sizeof golden / sizeof golden[0]));
	tcase_add_test(t, mkfs_records_the_hash);
	tcase_add_test(t, bad_hash_fields_refused);
	tcase_add_test(t, digests_depend_on_the_key);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
