/*
 * ofs_unit.h: the fixture the storage-layer unit tests share (header
 * only, so each test binary stays one source file): a fresh image in a
 * private temporary directory, open read-write as fs.
 */
#ifndef ORION_OFS_UNIT_H
#define ORION_OFS_UNIT_H

#include <stdio.h>

#include "orionfs/orionfs.h"
#include "tests/unit/unit.h"

static char dir[64], img[96];
static ofs *fs;

/* image_make: a fresh image at img made with o (NULL: the defaults) in a
 * new private directory, opened read-write as fs. */
static inline void image_make(const struct ofs_mkfs_opts *o)
{
	unit_tmpdir(dir);
	snprintf(img, sizeof img, "%s/img.fs", dir);
	ck_assert_int_eq(ofs_mkfs(img, o), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}

/* setup: a fresh default image at img, opened read-write as fs. */
static inline void setup(void)
{
	image_make(NULL);
}

/* teardown: close fs (if open) and remove everything setup made. */
static inline void teardown(void)
{
	ofs_close(fs);
	fs = NULL;
	unit_rmtree(dir);
}

/* clean: fsck finds nothing wrong with the image (fs, if open, is closed
 * for it), which is then opened read-write again as fs. */
static inline void clean(void)
{
	struct ofs_fsck_report r;
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}

#endif
