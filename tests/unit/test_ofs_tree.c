/* test_ofs_tree.c: the OrionFS storage layer's namespace and metadata,
 * driven directly (no FUSE) on real images in a temp directory. */
#include "orionfs/orionfs.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include "tests/unit/ofs_unit.h"

/* reopen: close and open the image again. */
static void reopen(unsigned flags)
{
	ofs_close(fs);
	ck_assert_int_eq(ofs_open(&fs, img, flags), 0);
}

/* mkfile: create parent/name as a regular file; its inode number. */
static uint64_t mkfile(uint64_t parent, const char *name)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_mknod(fs, parent, name, S_IFREG | 0644, 0, 1000, 1000, &a), 0);
	return a.ino;
}

/* mkd: create parent/name as a directory; its inode number. */
static uint64_t mkd(uint64_t parent, const char *name)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_mkdir(fs, parent, name, 0755, 0, 0, &a), 0);
	return a.ino;
}

/* nlink: the link count of ino. */
static uint32_t nlink(uint64_t ino)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, ino, &a), 0);
	return a.nlink;
}

/* lookup_ino: the inode parent/name names, 0 if none. */
static uint64_t lookup_ino(uint64_t parent, const char *name)
{
	struct ofs_attr a;
	return ofs_lookup(fs, parent, name, &a) == 0 ? a.ino : 0;
}

START_TEST(mkfs_refuses_and_open_rejects)
{
	struct ofs_mkfs_opts force = {.force = 1};
	char junk[128], empty[128], missing[128];
	ofs *other;
	ck_assert_int_eq(ofs_mkfs(img, NULL), -EEXIST);
	ck_assert_int_eq(ofs_mkfs(img, &force), -ORION_EMOUNTED); /* open above */
	ck_assert_int_eq(ofs_open(&other, img, 0), -ORION_EMOUNTED);
	ck_assert_int_eq(ofs_open(&other, img, OFS_OPEN_RDONLY), -ORION_EMOUNTED);
	snprintf(junk, sizeof junk, "%s/junk", dir);
	snprintf(empty, sizeof empty, "%s/empty", dir);
	snprintf(missing, sizeof missing, "%s/missing", dir);
	FILE *f = fopen(junk, "w");
	for (int i = 0; i < 20000; i++)
		fputc(i * 7 % 251, f);
	fclose(f);
	fclose(fopen(empty, "w"));
	ck_assert_int_eq(ofs_open(&other, junk, 0), -ORION_EBADIMAGE);
	ck_assert_int_eq(ofs_open(&other, empty, 0), -ORION_EBADIMAGE);
	ck_assert_int_eq(ofs_open(&other, missing, 0), -ENOENT);
	ck_assert_int_eq(access(missing, F_OK), -1); /* open never creates */
	ck_assert_int_eq(ofs_open(&other, dir, 0), -EISDIR);
	ofs_close(fs);
	ck_assert_int_eq(ofs_mkfs(img, &force), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}
END_TEST

START_TEST(create_lookup_and_errors)
{
	struct ofs_attr a, r;
	uint64_t d = mkd(OFS_ROOT_INO, "d"), f = mkfile(d, "f");
	ck_assert_uint_eq(lookup_ino(d, "f"), f);
	ck_assert_int_eq(ofs_lookup(fs, d, "g", &a), -ENOENT);
	ck_assert_int_eq(ofs_lookup(fs, f, "x", &a), -ENOTDIR);
	ck_assert_int_eq(ofs_mknod(fs, d, "f", S_IFREG | 0644, 0, 0, 0, &a), -EEXIST);
	ck_assert_int_eq(ofs_mkdir(fs, d, "f", 0755, 0, 0, &a), -EEXIST);
	ck_assert_int_eq(ofs_mknod(fs, f, "x", S_IFREG, 0, 0, 0, &a), -ENOTDIR);
	ck_assert_int_eq(ofs_mknod(fs, d, "a/b", S_IFREG, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(ofs_mknod(fs, d, "..", S_IFREG, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(ofs_mknod(fs, d, "", S_IFREG, 0, 0, 0, &a), -EINVAL);
	ck_assert_int_eq(ofs_mknod(fs, d, "x", S_IFDIR, 0, 0, 0, &a), -EINVAL);
	char longname[300];
	memset(longname, 'n', 256);
	longname[256] = '\0';
	ck_assert_int_eq(ofs_mknod(fs, d, longname, S_IFREG, 0, 0, 0, &a), -ENAMETOOLONG);
	longname[255] = '\0';
	ck_assert_int_eq(ofs_mknod(fs, d, longname, S_IFREG, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_mknod(fs, d, "fifo", S_IFIFO | 0600, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_mknod(fs, d, "null", S_IFCHR | 0666, makedev(1, 3), 0, 0, &a), 0);
	ck_assert_int_eq(ofs_lookup(fs, d, "null", &r), 0);
	ck_assert(S_ISCHR(r.mode) && r.rdev == makedev(1, 3));
	ck_assert_uint_eq(nlink(OFS_ROOT_INO), 3);
	ck_assert_uint_eq(nlink(d), 2);
	ck_assert_uint_lt(lookup_ino(OFS_ROOT_INO, "d"), lookup_ino(d, "null")); /* increasing */
	clean();
}
END_TEST

START_TEST(setgid_directory_passes_group)
{
	struct ofs_attr a = {.mode = 02775, .gid = 77};
	uint64_t d = mkd(OFS_ROOT_INO, "shared");
	ck_assert_int_eq(ofs_setattr(fs, d, &a, OFS_SET_MODE | OFS_SET_GID, NULL), 0);
	ck_assert_int_eq(ofs_mkdir(fs, d, "sub", 0755, 5, 5, &a), 0);
	ck_assert_uint_eq(a.gid, 77);
	ck_assert(a.mode & S_ISGID);
	ck_assert_int_eq(ofs_mknod(fs, d, "f", S_IFREG | 0644, 0, 5, 5, &a), 0);
	ck_assert_uint_eq(a.gid, 77);
	ck_assert(!(a.mode & S_ISGID));
}
END_TEST

START_TEST(symlinks)
{
	struct ofs_attr a;
	char buf[64];
	ck_assert_int_eq(ofs_symlink(fs, OFS_ROOT_INO, "l", "../target/x", 0, 0, &a), 0);
	ck_assert(S_ISLNK(a.mode));
	ck_assert_uint_eq(a.size, 11);
	ck_assert_int_eq(ofs_readlink(fs, a.ino, buf, sizeof buf), 11);
	ck_assert_str_eq(buf, "../target/x");
	ck_assert_int_eq(ofs_readlink(fs, a.ino, buf, 5), -ERANGE);
	ck_assert_int_eq(ofs_readlink(fs, OFS_ROOT_INO, buf, sizeof buf), -EINVAL);
	ck_assert_int_eq(ofs_symlink(fs, OFS_ROOT_INO, "e", "", 0, 0, &a), -ENOENT);
	clean();
}
END_TEST

START_TEST(hard_links_unlink_orphans)
{
	uint64_t orphan = 99, f = mkfile(OFS_ROOT_INO, "a");
	struct ofs_attr a;
	ck_assert_int_eq(ofs_link(fs, f, OFS_ROOT_INO, "b", &a), 0);
	ck_assert_uint_eq(a.nlink, 2);
	ck_assert_int_eq(ofs_link(fs, f, OFS_ROOT_INO, "b", &a), -EEXIST);
	ck_assert_int_eq(ofs_link(fs, OFS_ROOT_INO, OFS_ROOT_INO, "c", &a), -EPERM);
	ck_assert_int_eq(ofs_write(fs, f, "hello", 5, 0), 5);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "a", &orphan), 0);
	ck_assert_uint_eq(orphan, 0);
	ck_assert_uint_eq(nlink(f), 1);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "b", &orphan), 0);
	ck_assert_uint_eq(orphan, f);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "b", &orphan), -ENOENT);
	/* unlinked but open: data lives on */
	char buf[8];
	ck_assert_int_eq(ofs_read(fs, f, buf, sizeof buf, 0), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(ofs_link(fs, f, OFS_ROOT_INO, "back", &a), -ENOENT);
	clean(); /* an orphan on the orphan list is no problem */
	ck_assert_int_eq(ofs_getattr(fs, f, &a), -ENOENT); /* reclaimed at open */
	uint64_t g = mkfile(OFS_ROOT_INO, "g");
	ck_assert_uint_gt(g, f); /* numbers never reused */
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "g", &orphan), 0);
	ck_assert_int_eq(ofs_evict(fs, g), 0);
	ck_assert_int_eq(ofs_getattr(fs, g, &a), -ENOENT);
	ck_assert_int_eq(ofs_evict(fs, g), 0);
	uint64_t d = mkd(OFS_ROOT_INO, "d");
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "d", &orphan), -EISDIR);
	ck_assert_int_eq(ofs_evict(fs, d), 0); /* linked: kept */
	ck_assert_int_eq(ofs_getattr(fs, d, &a), 0);
	clean();
}
END_TEST

/* A file made with no name (O_TMPFILE) has no link, lives while its
 * maker holds it and goes after, unless a link names it first; a file
 * that lost its last name cannot be named again. */
START_TEST(tmpfile_lives_unnamed_until_linked)
{
	struct ofs_attr t, u, a;
	char buf[8];
	uint64_t d = mkd(OFS_ROOT_INO, "d"), f = mkfile(OFS_ROOT_INO, "f");
	ck_assert_int_eq(ofs_tmpfile(fs, f, 0600, 022, 1000, 1000, &t), -ENOTDIR);
	ck_assert_int_eq(ofs_tmpfile(fs, d, 0666, 022, 1000, 1000, &t), 0);
	ck_assert_uint_eq(t.nlink, 0);
	ck_assert_uint_eq(t.mode, S_IFREG | 0644);
	ck_assert_uint_eq(nlink(d), 2); /* a file's name is not there */
	ck_assert_int_eq(ofs_write(fs, t.ino, "tmp", 3, 0), 3);
	ck_assert_int_eq(ofs_tmpfile(fs, d, 0600, 0, 0, 0, &u), 0);
	ck_assert_int_eq(ofs_link(fs, t.ino, d, "named", &a), 0);
	ck_assert_uint_eq(a.nlink, 1);
	ck_assert_uint_eq(lookup_ino(d, "named"), t.ino);
	uint64_t orphan = 0;
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", &orphan), 0);
	ck_assert_uint_eq(orphan, f);
	ck_assert_int_eq(ofs_link(fs, f, OFS_ROOT_INO, "back", &a), -ENOENT);
	clean(); /* the unnamed one and the unlinked one are orphans */
	ck_assert_int_eq(ofs_getattr(fs, u.ino, &a), -ENOENT); /* reclaimed at open */
	ck_assert_int_eq(ofs_getattr(fs, f, &a), -ENOENT);
	ck_assert_int_eq(ofs_read(fs, t.ino, buf, sizeof buf, 0), 3);
	ck_assert_int_eq(memcmp(buf, "tmp", 3), 0);
	ck_assert_int_eq(ofs_tmpfile(fs, d, 0600, 0, 0, 0, &u), 0);
	ck_assert_int_eq(ofs_evict(fs, u.ino), 0);
	ck_assert_int_eq(ofs_getattr(fs, u.ino, &a), -ENOENT);
	clean();
}
END_TEST

START_TEST(rmdir_rules)
{
	uint64_t d = mkd(OFS_ROOT_INO, "d");
	mkfile(d, "f");
	ck_assert_int_eq(ofs_rmdir(fs, OFS_ROOT_INO, "d"), -ENOTEMPTY);
	ck_assert_int_eq(ofs_rmdir(fs, d, "f"), -ENOTDIR);
	ck_assert_int_eq(ofs_unlink(fs, d, "f", NULL), 0);
	ck_assert_uint_eq(nlink(OFS_ROOT_INO), 3);
	ck_assert_int_eq(ofs_rmdir(fs, OFS_ROOT_INO, "d"), 0);
	ck_assert_uint_eq(nlink(OFS_ROOT_INO), 2);
	ck_assert_int_eq(ofs_rmdir(fs, OFS_ROOT_INO, "d"), -ENOENT);
	clean();
}
END_TEST

START_TEST(rename_semantics)
{
	uint64_t orphan, a = mkd(OFS_ROOT_INO, "a"), b = mkd(OFS_ROOT_INO, "b");
	uint64_t x = mkfile(a, "x"), y = mkfile(b, "y"), sub = mkd(a, "sub");
	/* over an existing file: the target is orphaned */
	ck_assert_int_eq(ofs_rename(fs, a, "x", b, "y", 0, &orphan), 0);
	ck_assert_uint_eq(orphan, y);
	ck_assert_uint_eq(lookup_ino(b, "y"), x);
	ck_assert_uint_eq(lookup_ino(a, "x"), 0);
	/* noreplace and exchange */
	mkfile(a, "z");
	ck_assert_int_eq(ofs_rename(fs, a, "z", b, "y", OFS_RENAME_NOREPLACE, &orphan), -EEXIST);
	ck_assert_int_eq(ofs_rename(fs, a, "z", b, "y", OFS_RENAME_EXCHANGE, &orphan), 0);
	ck_assert_uint_eq(orphan, 0);
	ck_assert_uint_eq(lookup_ino(a, "z"), x);
	ck_assert_int_eq(ofs_rename(fs, a, "z", b, "nope", OFS_RENAME_EXCHANGE, NULL), -ENOENT);
	ck_assert_int_eq(ofs_rename(fs, a, "z", b, "y", 3, NULL), -EINVAL);
	/* directories: into own subtree, over non-empty, file vs dir */
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "a", sub, "a2", 0, NULL), -EINVAL);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "a", a, "self", 0, NULL), -EINVAL);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "b", OFS_ROOT_INO, "a", 0, NULL), -ENOTEMPTY);
	ck_assert_int_eq(ofs_rename(fs, a, "z", OFS_ROOT_INO, "b", 0, NULL), -EISDIR);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "b", a, "z", 0, NULL), -ENOTDIR);
	/* move a directory across parents: link counts and parent follow */
	ck_assert_uint_eq(nlink(a), 3);
	ck_assert_int_eq(ofs_rename(fs, a, "sub", b, "sub", 0, NULL), 0);
	ck_assert_uint_eq(nlink(a), 2);
	ck_assert_uint_eq(nlink(b), 3);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "a", sub, "a", 0, NULL), 0);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "b", a, "b", 0, NULL), -EINVAL);
	/* a directory over an empty directory */
	uint64_t e = mkd(OFS_ROOT_INO, "e");
	ck_assert_int_eq(ofs_rename(fs, sub, "a", OFS_ROOT_INO, "e", 0, &orphan), 0);
	ck_assert_uint_eq(lookup_ino(OFS_ROOT_INO, "e"), a);
	struct ofs_attr at;
	ck_assert_int_eq(ofs_getattr(fs, e, &at), -ENOENT);
	/* exchange a file and a directory in different parents */
	ck_assert_int_eq(ofs_rename(fs, a, "z", OFS_ROOT_INO, "b", OFS_RENAME_EXCHANGE, NULL), 0);
	ck_assert_uint_eq(lookup_ino(a, "z"), b);
	ck_assert_uint_eq(nlink(a), 3); /* b moved in */
	ck_assert_uint_eq(lookup_ino(OFS_ROOT_INO, "b"), x);
	/* same file under two names: nothing happens */
	ck_assert_int_eq(ofs_link(fs, x, OFS_ROOT_INO, "x2", NULL), 0);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "b", OFS_ROOT_INO, "x2", 0, &orphan), 0);
	ck_assert_uint_eq(lookup_ino(OFS_ROOT_INO, "b"), x);
	ck_assert_uint_eq(nlink(x), 2);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "b", OFS_ROOT_INO, "b", 0, NULL), 0);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "nope", OFS_ROOT_INO, "b", 0, NULL), -ENOENT);
	clean();
}
END_TEST

/* Collects readdir output. */
struct listing {
	int n, stop_after;
	uint64_t last_cookie;
	char names[64][32];
};

/* collect: an ofs_dirent_fn storing names until stop_after. */
static int collect(void *arg, const struct ofs_dirent *d)
{
	struct listing *l = arg;
	if (l->n == l->stop_after)
		return 1;
	ck_assert_uint_eq(strlen(d->name), d->namelen);
	snprintf(l->names[l->n++], 32, "%s", d->name);
	l->last_cookie = d->cookie;
	return 0;
}

START_TEST(readdir_cookies_survive_changes)
{
	char name[32];
	struct listing first = {.stop_after = 20}, rest = {.stop_after = 64};
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof name, "f%02d", i);
		mkfile(OFS_ROOT_INO, name);
	}
	ck_assert_int_eq(ofs_readdir(fs, OFS_ROOT_INO, 0, collect, &first), 0);
	ck_assert_int_eq(first.n, 20);
	/* remove every entry listed so far and some not yet listed */
	for (int i = 0; i < 20; i++)
		ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, first.names[i], NULL), 0);
	int removed_later = 0;
	for (int i = 0; i < 40 && removed_later < 5; i++) {
		snprintf(name, sizeof name, "f%02d", i);
		if (lookup_ino(OFS_ROOT_INO, name)) {
			ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, name, NULL), 0);
			removed_later++;
		}
	}
	ck_assert_int_eq(ofs_readdir(fs, OFS_ROOT_INO, first.last_cookie, collect, &rest), 0);
	ck_assert_int_eq(rest.n, 15); /* every survivor, once */
	for (int i = 0; i < rest.n; i++) {
		ck_assert_uint_ne(lookup_ino(OFS_ROOT_INO, rest.names[i]), 0);
		for (int j = 0; j < first.n; j++)
			ck_assert_str_ne(rest.names[i], first.names[j]);
	}
	ck_assert_int_eq(ofs_readdir(fs, mkfile(OFS_ROOT_INO, "file"), 0, collect, &rest), -ENOTDIR);
	clean();
}
END_TEST

START_TEST(big_directory)
{
	enum { N = 20000 };
	char name[32];
	struct ofs_attr a;
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "entry-%d", i);
		ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
	}
	struct listing l = {.stop_after = 64};
	int total = 0;
	uint64_t cookie = 0;
	do {
		l.n = 0;
		ck_assert_int_eq(ofs_readdir(fs, OFS_ROOT_INO, cookie, collect, &l), 0);
		for (int i = 0; i < l.n; i++) /* rm -rf style: delete as we list */
			ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, l.names[i], NULL), 0);
		total += l.n;
		cookie = l.last_cookie;
	} while (l.n);
	ck_assert_int_eq(total, N);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "entry-7", &a), -ENOENT);
	clean();
}
END_TEST

START_TEST(setattr_times_and_modes)
{
	uint64_t f = mkfile(OFS_ROOT_INO, "f");
	struct ofs_attr in = {0}, out, before;
	ck_assert_int_eq(ofs_getattr(fs, f, &before), 0);
	in.mode = S_IFDIR | 04711; /* type bits are ignored */
	in.uid = 7;
	in.gid = 8;
	in.atime = (struct timespec){1000, 123456789};
	in.mtime = (struct timespec){2000, 987654321};
	ck_assert_int_eq(ofs_setattr(fs, f, &in, OFS_SET_MODE | OFS_SET_UID | OFS_SET_GID |
					     OFS_SET_ATIME | OFS_SET_MTIME, &out), 0);
	ck_assert_uint_eq(out.mode, S_IFREG | 04711);
	ck_assert_uint_eq(out.uid, 7);
	ck_assert_uint_eq(out.gid, 8);
	reopen(0);
	ck_assert_int_eq(ofs_getattr(fs, f, &out), 0);
	ck_assert_int_eq(out.atime.tv_sec, 1000);
	ck_assert_int_eq(out.atime.tv_nsec, 123456789);
	ck_assert_int_eq(out.mtime.tv_nsec, 987654321);
	ck_assert(out.ctime.tv_sec >= before.ctime.tv_sec);
	in.atime.tv_nsec = 1000000000;
	ck_assert_int_eq(ofs_setattr(fs, f, &in, OFS_SET_ATIME, &out), -EINVAL);
	in.size = 10;
	ck_assert_int_eq(ofs_setattr(fs, OFS_ROOT_INO, &in, OFS_SET_SIZE, &out), -EISDIR);
	ck_assert_int_eq(ofs_setattr(fs, 12345, &in, OFS_SET_MODE, &out), -ENOENT);
}
END_TEST

START_TEST(xattrs)
{
	uint64_t f = mkfile(OFS_ROOT_INO, "f");
	char buf[256], big[70000];
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.a", "1", 1, 0), 0);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.b", "", 0, 0), 0);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.a", "22", 2, XATTR_CREATE), -EEXIST);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.c", "3", 1, XATTR_REPLACE), -ENODATA);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.a", "22", 2, XATTR_REPLACE), 0);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.a", NULL, 0), 2);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.a", buf, 1), -ERANGE);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.a", buf, sizeof buf), 2);
	ck_assert_int_eq(memcmp(buf, "22", 2), 0);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.b", buf, sizeof buf), 0);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.zz", buf, sizeof buf), -ENODATA);
	ck_assert_int_eq(ofs_getxattr(fs, 4242, "user.a", buf, sizeof buf), -ENOENT);
	ck_assert_int_eq(ofs_listxattr(fs, f, NULL, 0), 14);
	ck_assert_int_eq(ofs_listxattr(fs, f, buf, 5), -ERANGE);
	ck_assert_int_eq(ofs_listxattr(fs, f, buf, sizeof buf), 14);
	ck_assert(memcmp(buf, "user.a\0user.b\0", 14) == 0 || memcmp(buf, "user.b\0user.a\0", 14) == 0);
	memset(big, 'v', sizeof big);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.big", big, 65536, 0), 0);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.big", big, 65537, 0), -E2BIG);
	ck_assert_int_eq(ofs_setxattr(fs, f, "", big, 1, 0), -ERANGE);
	ck_assert_int_eq(ofs_removexattr(fs, f, "user.a"), 0);
	ck_assert_int_eq(ofs_removexattr(fs, f, "user.a"), -ENODATA);
	ck_assert_int_eq(ofs_setxattr(fs, OFS_ROOT_INO, "user.dir", "d", 1, 0), 0);
	reopen(0);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.big", big, sizeof big), 65536);
	ck_assert_int_eq(ofs_listxattr(fs, f, buf, sizeof buf), 16);
	clean();
}
END_TEST

START_TEST(access_acl_sets_the_mode)
{
	/* u::rw- g::r-- o::r-- : what cp -a writes instead of a chmod */
	static const unsigned char plain[] = {2, 0, 0, 0, 1, 0, 6, 0, 255, 255, 255, 255,
					       4, 0, 4, 0, 255, 255, 255, 255, 32, 0, 4, 0, 255, 255, 255, 255};
	/* u::rwx u:1000:r-- g::r-x m::r-- o::--- : an extended ACL */
	static const unsigned char ext[] = {2, 0, 0, 0, 1, 0, 7, 0, 255, 255, 255, 255,
					    2, 0, 4, 0, 232, 3, 0, 0, 4, 0, 5, 0, 255, 255, 255, 255,
					    16, 0, 4, 0, 255, 255, 255, 255, 32, 0, 0, 0, 255, 255, 255, 255};
	struct ofs_attr a;
	char buf[64];
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "f", S_IFREG | 0600, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_setxattr(fs, a.ino, "system.posix_acl_access", plain, sizeof plain, 0), 0);
	ck_assert_int_eq(ofs_getattr(fs, a.ino, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0644);
	ck_assert_int_eq(ofs_getxattr(fs, a.ino, "system.posix_acl_access", buf, sizeof buf), -ENODATA);
	ck_assert_int_eq(ofs_setxattr(fs, a.ino, "system.posix_acl_access", ext, sizeof ext, 0), 0);
	ck_assert_int_eq(ofs_getattr(fs, a.ino, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0740); /* group bits from the mask */
	ck_assert_int_eq(ofs_getxattr(fs, a.ino, "system.posix_acl_access", buf, sizeof buf), (int)sizeof ext);
	ck_assert_int_eq(ofs_setxattr(fs, a.ino, "system.posix_acl_access", ext, 10, 0), -EINVAL);
	/* set-group-ID goes with the ACL's commit when the kernel says so */
	struct ofs_attr sg = {.mode = 02740};
	ck_assert_int_eq(ofs_setattr(fs, a.ino, &sg, OFS_SET_MODE, NULL), 0);
	ck_assert_int_eq(ofs_setxattr_kill(fs, a.ino, "system.posix_acl_access", ext, sizeof ext, 0, 0), 0);
	ck_assert_int_eq(ofs_getattr(fs, a.ino, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 02740);
	ck_assert_int_eq(ofs_setxattr_kill(fs, a.ino, "system.posix_acl_access", ext, sizeof ext, 0, 1), 0);
	ck_assert_int_eq(ofs_getattr(fs, a.ino, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0740);
	clean();
}
END_TEST

/* An ACL in Linux's xattr encoding: version 2, then (tag, perm, id)
 * entries; acl_entry writes one at p. */
static unsigned char *acl_entry(unsigned char *p, unsigned tag, unsigned perm, uint32_t id)
{
	unsigned char e[8] = {tag & 255, tag >> 8, perm, 0, id & 255, id >> 8 & 255, id >> 16 & 255,
			      id >> 24};
	memcpy(p, e, 8);
	return p + 8;
}

/* acl_make: u::rwx u:1000:uperm g::r-x m::mask o::r-x into buf; its size. */
static size_t acl_make(unsigned char *buf, unsigned uperm, unsigned mask)
{
	unsigned char *p = buf + 4;
	memcpy(buf, "\2\0\0\0", 4);
	p = acl_entry(p, 1, 7, ~0u);
	p = acl_entry(p, 2, uperm, 1000);
	p = acl_entry(p, 4, 5, ~0u);
	p = acl_entry(p, 16, mask, ~0u);
	p = acl_entry(p, 32, 5, ~0u);
	return (size_t)(p - buf);
}

/* acl_perm: the permission bits of ino's access ACL entry tag (id for
 * named ones); -1 when it has no such entry or no ACL. */
static int acl_perm(uint64_t ino, const char *name, unsigned tag, uint32_t id)
{
	unsigned char buf[256];
	ssize_t n = ofs_getxattr(fs, ino, name, buf, sizeof buf);
	for (ssize_t i = 4; i + 8 <= n; i += 8) {
		uint32_t eid = buf[i + 4] | buf[i + 5] << 8 | buf[i + 6] << 16 | (uint32_t)buf[i + 7] << 24;
		if (buf[i] == tag && ((tag != 2 && tag != 8) || eid == id))
			return buf[i + 2];
	}
	return -1;
}

START_TEST(default_acl_passes_on)
{
	unsigned char acl[64];
	size_t n = acl_make(acl, 7, 7);
	struct ofs_attr a;
	uint64_t d = mkd(OFS_ROOT_INO, "d"), f = mkfile(OFS_ROOT_INO, "f");
	ck_assert_int_eq(ofs_setxattr(fs, f, "system.posix_acl_default", acl, n, 0), -EACCES);
	ck_assert_int_eq(ofs_setxattr(fs, d, "system.posix_acl_default", acl, n, 0), 0);
	/* the default ACL rules, not the umask (077 here): each class keeps
	 * what both it and the create mode grant */
	ck_assert_int_eq(ofs_create(fs, d, "f", S_IFREG | 0666, 0, 077, 0, 0, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0664);
	ck_assert_int_eq(acl_perm(a.ino, "system.posix_acl_access", 2, 1000), 7);
	ck_assert_int_eq(acl_perm(a.ino, "system.posix_acl_access", 16, 0), 6);
	ck_assert_int_eq(ofs_getxattr(fs, a.ino, "system.posix_acl_default", NULL, 0), -ENODATA);
	/* a directory inherits the default ACL itself */
	ck_assert_int_eq(ofs_create(fs, d, "sub", S_IFDIR | 0750, 0, 077, 0, 0, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFDIR | 0750);
	ck_assert_int_eq(ofs_getxattr(fs, a.ino, "system.posix_acl_default", NULL, 0), (int)n);
	ck_assert_int_eq(ofs_create(fs, a.ino, "deeper", S_IFREG | 0640, 0, 0, 0, 0, &a), 0);
	ck_assert_int_eq(acl_perm(a.ino, "system.posix_acl_access", 16, 0), 4);
	/* without one the umask trims the mode; a symlink keeps 0777 */
	ck_assert_int_eq(ofs_create(fs, OFS_ROOT_INO, "g", S_IFREG | 0666, 0, 027, 0, 0, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFREG | 0640);
	ck_assert_int_eq(ofs_getxattr(fs, a.ino, "system.posix_acl_access", NULL, 0), -ENODATA);
	ck_assert_int_eq(ofs_symlink(fs, d, "l", "f", 0, 0, &a), 0);
	ck_assert_uint_eq(a.mode, S_IFLNK | 0777);
	ck_assert_int_eq(ofs_getxattr(fs, a.ino, "system.posix_acl_access", NULL, 0), -ENODATA);
	clean();
}
END_TEST

START_TEST(chmod_follows_the_acl)
{
	unsigned char acl[64];
	size_t n = acl_make(acl, 6, 7);
	struct ofs_attr a = {.mode = 0604}, got;
	uint64_t f = mkfile(OFS_ROOT_INO, "f");
	ck_assert_int_eq(ofs_setxattr(fs, f, "system.posix_acl_access", acl, n, 0), 0);
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_MODE, &got), 0);
	ck_assert_uint_eq(got.mode, S_IFREG | 0604);
	ck_assert_int_eq(acl_perm(f, "system.posix_acl_access", 1, 0), 6);
	ck_assert_int_eq(acl_perm(f, "system.posix_acl_access", 16, 0), 0); /* the mask, not g:: */
	ck_assert_int_eq(acl_perm(f, "system.posix_acl_access", 4, 0), 5);
	ck_assert_int_eq(acl_perm(f, "system.posix_acl_access", 32, 0), 4);
	ck_assert_int_eq(acl_perm(f, "system.posix_acl_access", 2, 1000), 6); /* named: as set */
	clean();
}
END_TEST

START_TEST(malformed_acls_refused)
{
	unsigned char acl[64], bad[64];
	size_t n = acl_make(acl, 7, 7);
	uint64_t f = mkfile(OFS_ROOT_INO, "f");
	const char *name = "system.posix_acl_access";
	memcpy(bad, acl, n);
	bad[0] = 1; /* version */
	ck_assert_int_eq(ofs_setxattr(fs, f, name, bad, n, 0), -EINVAL);
	memcpy(bad, acl, n);
	bad[4 + 8 * 3 + 2] = 8; /* the mask's permission bits past rwx */
	ck_assert_int_eq(ofs_setxattr(fs, f, name, bad, n, 0), -EINVAL);
	ck_assert_int_eq(ofs_setxattr(fs, f, name, acl, n - 8, 0), -EINVAL); /* no OTHER */
	memcpy(bad, acl, n);
	memcpy(bad + 4 + 8 * 3, acl + 4 + 8 * 4, 8); /* OTHER where the mask was: */
	memcpy(bad + 4 + 8 * 4, acl + 4 + 8 * 3, 8); /* the order is wrong */
	ck_assert_int_eq(ofs_setxattr(fs, f, name, bad, n, 0), -EINVAL);
	memcpy(bad, acl, 4 + 8 * 3); /* u:1000 without a mask */
	memcpy(bad + 4 + 8 * 3, acl + 4 + 8 * 4, 8);
	ck_assert_int_eq(ofs_setxattr(fs, f, name, bad, n - 8, 0), -EINVAL);
	memcpy(bad, acl, n);
	bad[4] = 3; /* no such tag */
	ck_assert_int_eq(ofs_setxattr(fs, f, name, bad, n, 0), -EINVAL);
	ck_assert_int_eq(ofs_getxattr(fs, f, name, NULL, 0), -ENODATA);
	clean();
}
END_TEST

START_TEST(read_only_and_statfs)
{
	struct statvfs sv, sv2;
	struct ofs_attr a;
	uint64_t f = mkfile(OFS_ROOT_INO, "f");
	char data[200000];
	memset(data, 'x', sizeof data);
	ck_assert_int_eq(ofs_statfs(fs, &sv), 0);
	ck_assert_int_eq(ofs_write(fs, f, data, sizeof data, 0), (ssize_t)sizeof data);
	ck_assert_int_eq(ofs_statfs(fs, &sv2), 0);
	ck_assert_uint_gt(sv.f_bfree, sv2.f_bfree); /* the data took room */
	ck_assert_uint_ge((sv.f_bfree - sv2.f_bfree) * sv.f_frsize, sizeof data);
	ck_assert_uint_eq(sv2.f_namemax, 255);
	ck_assert_uint_eq(sv2.f_files - sv2.f_ffree, 2);
	char lock[128];
	snprintf(lock, sizeof lock, "%s-lock", img);
	ofs_close(fs);
	ck_assert_int_eq(unlink(lock), 0);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_RDONLY), 0);
	ck_assert_int_eq(access(lock, F_OK), -1); /* read-only: no lock file */
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "g", S_IFREG, 0, 0, 0, &a), -EROFS);
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, 0), -EROFS);
	ck_assert_int_eq(ofs_read(fs, f, data, 10, 199995), 5);
	ck_assert_int_eq(ofs_statfs(fs, &sv), 0);
	ck_assert(sv.f_flag & ST_RDONLY);
	ck_assert_int_eq(ofs_sync(fs), 0);
	ck_assert_ptr_nonnull(ofs_env(fs));
}
END_TEST

START_TEST(inode_numbers_persist)
{
	uint64_t d = mkd(OFS_ROOT_INO, "d"), f = mkfile(d, "f");
	reopen(0);
	ck_assert_uint_eq(lookup_ino(OFS_ROOT_INO, "d"), d);
	ck_assert_uint_eq(lookup_ino(d, "f"), f);
}
END_TEST

/* A model of the tree for random_tree_calls_match_a_model: its entries,
 * each a name in a directory for an inode, and whether that is a
 * directory (which has exactly one entry). */
enum { TM_MAX = 300, TM_NAMES = 4 };
struct tm_entry {
	uint64_t parent, ino;
	char name[2];
	int isdir;
};
static struct tm_entry tm[TM_MAX];
static size_t ntm;

/* tm_find: the model's entry parent/name, or -1. */
static int tm_find(uint64_t parent, const char *name)
{
	for (size_t i = 0; i < ntm; i++)
		if (tm[i].parent == parent && !strcmp(tm[i].name, name))
			return (int)i;
	return -1;
}

/* tm_add: parent/name names ino (a directory if dir). */
static void tm_add(uint64_t parent, const char *name, uint64_t ino, int isdir)
{
	ck_assert_uint_lt(ntm, TM_MAX);
	tm[ntm] = (struct tm_entry){parent, ino, {name[0], 0}, isdir};
	ntm++;
}

/* tm_drop: entry i gone. */
static void tm_drop(int i)
{
	tm[i] = tm[--ntm];
}

/* tm_links: ino's link count as the model has it. */
static uint32_t tm_links(uint64_t ino, int isdir)
{
	uint32_t n = isdir ? 2 : 0;
	for (size_t i = 0; i < ntm; i++)
		n += isdir ? tm[i].isdir && tm[i].parent == ino : tm[i].ino == ino;
	return n;
}

/* tm_empty: directory ino holds no entry. */
static int tm_empty(uint64_t ino)
{
	for (size_t i = 0; i < ntm; i++)
		if (tm[i].parent == ino)
			return 0;
	return 1;
}

/* tm_under: directory d is top or lies below it. */
static int tm_under(uint64_t d, uint64_t top)
{
	for (int hops = 0; d != OFS_ROOT_INO && hops <= TM_MAX; hops++) {
		if (d == top)
			return 1;
		size_t i = 0;
		while (i < ntm && !(tm[i].isdir && tm[i].ino == d))
			i++;
		ck_assert_uint_lt(i, ntm);
		d = tm[i].parent;
	}
	return d == top;
}

/* tm_dir: a directory of the model, at random. */
static uint64_t tm_dir(uint64_t *s)
{
	uint64_t dirs[TM_MAX + 1] = {OFS_ROOT_INO};
	size_t n = 1;
	for (size_t i = 0; i < ntm; i++)
		if (tm[i].isdir)
			dirs[n++] = tm[i].ino;
	return dirs[unit_rand(s) % n];
}

/* tm_seen: one real entry, which the model must hold: a readdir callback
 * counting them in *(size_t *)arg and walking into directories. */
static int tm_seen(void *arg, const struct ofs_dirent *d);

/* A directory tm_walk lists, and the count of entries seen so far. */
struct tm_walker {
	size_t *count;
	uint64_t at;
};

/* tm_walk: every entry of directory at, checked against the model. */
static void tm_walk(uint64_t at, size_t *count)
{
	struct tm_walker w = {count, at};
	ck_assert_int_eq(ofs_readdir(fs, at, 0, tm_seen, &w), 0);
}

static int tm_seen(void *arg, const struct ofs_dirent *d)
{
	struct tm_walker *w = arg;
	int i = tm_find(w->at, d->name);
	ck_assert_msg(i >= 0, "entry %s in %llu not in the model", d->name, (unsigned long long)w->at);
	ck_assert_uint_eq(tm[i].ino, d->ino);
	ck_assert_int_eq(d->type == DT_DIR, tm[i].isdir);
	(*w->count)++;
	if (tm[i].isdir)
		tm_walk(d->ino, w->count);
	return 0;
}

/* tm_check: the tree holds the model's entries and no more, and every
 * inode has the model's link count. */
static void tm_check(void)
{
	size_t count = 0;
	tm_walk(OFS_ROOT_INO, &count);
	ck_assert_uint_eq(count, ntm);
	for (size_t i = 0; i < ntm; i++)
		ck_assert_uint_eq(nlink(tm[i].ino), tm_links(tm[i].ino, tm[i].isdir));
	ck_assert_uint_eq(nlink(OFS_ROOT_INO), tm_links(OFS_ROOT_INO, 1));
}

/* tm_gone: the inode an unlink or rename let go of, if any, is dropped as
 * the kernel's forgetting it would. */
static void tm_gone(uint64_t orphaned)
{
	if (orphaned)
		ck_assert_int_eq(ofs_evict(fs, orphaned), 0);
}

/* tm_rename_ok: whether renaming entry i over parent/name with flags
 * must succeed (a target j, or -1). */
static int tm_rename_ok(int i, int j, uint64_t parent, unsigned flags)
{
	if (i < 0 || (flags == OFS_RENAME_EXCHANGE && j < 0) || (flags == OFS_RENAME_NOREPLACE && j >= 0))
		return 0;
	if (j == i || (j >= 0 && tm[j].ino == tm[i].ino))
		return 1; /* the same file: nothing happens */
	if ((tm[i].isdir && tm_under(parent, tm[i].ino)) ||
	    (flags == OFS_RENAME_EXCHANGE && tm[j].isdir && tm_under(tm[i].parent, tm[j].ino)))
		return 0;
	if (j < 0 || flags == OFS_RENAME_EXCHANGE)
		return 1;
	return tm[i].isdir == tm[j].isdir && (!tm[j].isdir || tm_empty(tm[j].ino));
}

/* tm_rename: a random rename, checked against the model and applied. */
static void tm_rename(uint64_t *s, uint64_t parent, const char *name)
{
	uint64_t to = tm_dir(s), orphaned = 0;
	char to_name[2] = {(char)('a' + unit_rand(s) % TM_NAMES), 0};
	unsigned flags = (unsigned)(unit_rand(s) % 3); /* 0, NOREPLACE, EXCHANGE */
	int i = tm_find(parent, name), j = tm_find(to, to_name);
	int ok = tm_rename_ok(i, j, to, flags);
	int rc = ofs_rename(fs, parent, name, to, to_name, flags, &orphaned);
	ck_assert_msg(ok ? rc == 0 : rc < 0, "rename %llu/%s -> %llu/%s (%u): %d",
		      (unsigned long long)parent, name, (unsigned long long)to, to_name, flags, rc);
	if (!ok || i == j || (j >= 0 && tm[j].ino == tm[i].ino))
		return;
	if (flags == OFS_RENAME_EXCHANGE) {
		struct tm_entry t = tm[i];
		tm[i].ino = tm[j].ino, tm[i].isdir = tm[j].isdir;
		tm[j].ino = t.ino, tm[j].isdir = t.isdir;
		return;
	}
	if (j >= 0) {
		tm_drop(j);
		i = tm_find(parent, name); /* tm_drop may have moved it */
	}
	tm[i].parent = to;
	tm[i].name[0] = to_name[0];
	tm_gone(orphaned);
}

/* tm_step: one random call on the tree, checked against the model. */
static void tm_step(uint64_t *s)
{
	uint64_t parent = tm_dir(s), orphaned = 0;
	char name[2] = {(char)('a' + unit_rand(s) % TM_NAMES), 0};
	int i = tm_find(parent, name), rc;
	struct ofs_attr a;
	switch (unit_rand(s) % 7) {
	case 0:
	case 1: /* a file or a directory */
		if (ntm == TM_MAX)
			return;
		int isdir = (int)(unit_rand(s) % 2);
		rc = isdir ? ofs_mkdir(fs, parent, name, 0755, 0, 0, &a)
			   : ofs_mknod(fs, parent, name, S_IFREG | 0644, 0, 0, 0, &a);
		ck_assert_int_eq(rc, i >= 0 ? -EEXIST : 0);
		if (!rc)
			tm_add(parent, name, a.ino, isdir);
		return;
	case 2: { /* a hard link to some file */
		size_t k = ntm ? (size_t)(unit_rand(s) % ntm) : 0;
		if (!ntm || tm[k].isdir || ntm == TM_MAX)
			return;
		ck_assert_int_eq(ofs_link(fs, tm[k].ino, parent, name, NULL), i >= 0 ? -EEXIST : 0);
		if (i < 0)
			tm_add(parent, name, tm[k].ino, 0);
		return;
	}
	case 3:
		rc = ofs_unlink(fs, parent, name, &orphaned);
		if (i < 0 || tm[i].isdir) {
			ck_assert_int_lt(rc, 0);
			return;
		}
		ck_assert_int_eq(rc, 0);
		tm_drop(i);
		tm_gone(orphaned);
		return;
	case 4:
		rc = ofs_rmdir(fs, parent, name);
		ck_assert_int_eq(rc, i < 0		 ? -ENOENT
				 : !tm[i].isdir		 ? -ENOTDIR
				 : !tm_empty(tm[i].ino) ? -ENOTEMPTY
							 : 0);
		if (!rc)
			tm_drop(i);
		return;
	default:
		tm_rename(s, parent, name);
	}
}

/* Random creates, hard links, unlinks, rmdirs and renames (plain,
 * no-replace, exchange) over a few names in a few directories, in and out
 * of group commit: after every few calls the tree is the model's, entry
 * for entry, with its link counts; every 150, fsck passes and a reopened
 * image is the model's still. */
START_TEST(random_tree_calls_match_a_model)
{
	uint64_t s = 7;
	ntm = 0;
	for (unsigned op = 0; op < 3000; op++) {
		if (op % 150 == 75)
			ck_assert_int_eq(ofs_batch(fs, 1), 0);
		tm_step(&s);
		if (op % 10 == 9)
			tm_check();
		if (op % 150 == 149) {
			ck_assert_int_eq(ofs_batch(fs, 0), 0);
			clean();
			tm_check();
		}
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ofs_tree");
	TCase *t = tcase_create("tree");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, mkfs_refuses_and_open_rejects);
	tcase_add_test(t, create_lookup_and_errors);
	tcase_add_test(t, setgid_directory_passes_group);
	tcase_add_test(t, symlinks);
	tcase_add_test(t, hard_links_unlink_orphans);
	tcase_add_test(t, tmpfile_lives_unnamed_until_linked);
	tcase_add_test(t, rmdir_rules);
	tcase_add_test(t, rename_semantics);
	tcase_add_test(t, random_tree_calls_match_a_model);
	tcase_add_test(t, readdir_cookies_survive_changes);
	tcase_add_test(t, big_directory);
	tcase_add_test(t, setattr_times_and_modes);
	tcase_add_test(t, xattrs);
	tcase_add_test(t, access_acl_sets_the_mode);
	tcase_add_test(t, default_acl_passes_on);
	tcase_add_test(t, chmod_follows_the_acl);
	tcase_add_test(t, malformed_acls_refused);
	tcase_add_test(t, read_only_and_statfs);
	tcase_add_test(t, inode_numbers_persist);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
