/* test_ofs_compat.c: an image made by format version 1 (kept in
 * tests/images/orionfs-v1.img) still opens, reads back exactly, checks
 * clean and takes writes.  `test_ofs_compat --make PATH` wrote it; run
 * that only when the format version changes, and keep the old image. */
#include "orionfs/orionfs.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define GOLDEN "tests/images/orionfs-v1.img"

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

/* setup: a private copy of the golden image. */
static void setup(void)
{
	char cmd[256];
	strcpy(dir, "/tmp/ofs-compat.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof img, "%s/v1.img", dir);
	snprintf(cmd, sizeof cmd, "cp %s %s", GOLDEN, img);
	ck_assert_int_eq(system(cmd), 0);
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
	ofs_close(fs);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--make") == 0)
		return make(argv[2]);
	Suite *s = suite_create("ofs_compat");
	TCase *t = tcase_create("compat");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, golden_image_reads_back);
	suite_add_tcase(s, t);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
