/* test_db_ofs.c: OrionDB inside a real orion image (ofs_mkfs), sharing the
 * file tree's environment, and the same image opened again by path. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "orionfs/orionfs.h"
#include "tests/unit/unit.h"

static char dir[64], img[128];

static void setup(void)
{
	strcpy(dir, "/tmp/orion-dbofs.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof img, "%s/image", dir);
	ck_assert_int_eq(ofs_mkfs(img, NULL), 0);
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(shared_env)
{
	ofs *fs;
	db *d;
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_msg(db_open_env(&d, ofs_env(fs), 0) == 0, "%s", db_errmsg());
	/* the file tree and the database side by side in one environment */
	struct ofs_attr a;
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "f", 0100644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(db_put_text(d, NULL, "cfg/theme", DB_TYPE_AUTO, "dark", 4), 0);
	db_txn *t;
	ck_assert_int_eq(db_begin(d, 0, &t), 0);
	ck_assert_int_eq(db_put_text(d, t, "cfg/size", DB_INT, "12", 2), 0);
	ck_assert_int_eq(db_commit(t, DB_SYNC), 0);
	db_close(d);
	ofs_close(fs);
	/* by path, read-only: both keys are there, and the file too */
	ck_assert_int_eq(db_open(&d, img, DB_OPEN_RDONLY), 0);
	char *s;
	int type;
	ck_assert_int_eq(db_get_text(d, NULL, "cfg/size", &s, NULL, &type), 0);
	ck_assert_str_eq(s, "12");
	ck_assert_int_eq(type, DB_INT);
	free(s);
	ck_assert_int_eq(db_get_text(d, NULL, "cfg/theme", &s, NULL, &type), 0);
	ck_assert_str_eq(s, "dark");
	free(s);
	db_close(d);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_RDONLY), 0);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "f", &a), 0);
	ofs_close(fs);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("db_ofs");
	TCase *tc = tcase_create("image");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, shared_env);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
