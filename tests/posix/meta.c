/* meta.c: checks of metadata (modes, owners, times, xattrs), locks and
 * special files. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tests/posix/posix.h"

/* mk: create an empty file with mode 0644. */
static int mk(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	return fd < 0 ? -1 : close(fd);
}

/* st_of: lstat that returns a zeroed struct on failure. */
static struct stat st_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		memset(&st, 0, sizeof st);
	return st;
}

/* chmod and fchmod set every permission bit; ctime moves, mtime not. */
static int c_chmod(void)
{
	SYS(mk("f"));
	SYS(mkdir("d", 0755));
	struct stat a = st_of("f"), b;
	tick_past(a.st_ctim);
	const mode_t modes[] = {0600, 0000, 04755, 02711, 0777, 0444};
	for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
		SYS(chmod("f", modes[i]));
		b = st_of("f");
		EXPECT((b.st_mode & 07777) == modes[i], "chmod %04o gave %04o", modes[i],
		       b.st_mode & 07777);
		EXPECT(S_ISREG(b.st_mode), "chmod changed the type");
	}
	EXPECT(ts_cmp(b.st_ctim, a.st_ctim) > 0, "chmod did not update ctime");
	EXPECT(ts_cmp(b.st_mtim, a.st_mtim) == 0, "chmod changed mtime");
	SYS(chmod("d", 01777));
	EXPECT((st_of("d").st_mode & 07777) == 01777, "sticky dir mode");
	int fd;
	SYS(chmod("f", 0644));
	SYS(fd = open("f", O_RDONLY));
	SYS(fchmod(fd, 0640));
	close(fd);
	EXPECT((st_of("f").st_mode & 07777) == 0640, "fchmod");
	return 0;
}

/* chown/fchown/lchown as root; chown clears set-user-ID. */
static int c_chown(void)
{
	SYS(mk("f"));
	SYS(symlink("f", "l"));
	struct stat a = st_of("f"), b;
	tick_past(a.st_ctim);
	SYS(chown("f", 1234, 5678));
	b = st_of("f");
	EXPECT(b.st_uid == 1234 && b.st_gid == 5678, "chown gave %u:%u", b.st_uid, b.st_gid);
	EXPECT(ts_cmp(b.st_ctim, a.st_ctim) > 0, "chown did not update ctime");
	SYS(chown("f", (uid_t)-1, 42));
	b = st_of("f");
	EXPECT(b.st_uid == 1234 && b.st_gid == 42, "chown -1 changed the uid");
	SYS(lchown("l", 777, 888));
	b = st_of("l");
	EXPECT(b.st_uid == 777 && b.st_gid == 888, "lchown of the link gave %u:%u", b.st_uid,
	       b.st_gid);
	EXPECT(st_of("f").st_uid == 1234, "lchown followed the link");
	int fd;
	SYS(fd = open("f", O_RDONLY));
	SYS(fchown(fd, 4000000000u, 4000000001u)); /* ids above 2^31 */
	close(fd);
	b = st_of("f");
	EXPECT(b.st_uid == 4000000000u && b.st_gid == 4000000001u, "large ids: %u:%u", b.st_uid,
	       b.st_gid);
	SYS(chown("f", 0, 0));
	SYS(chmod("f", 04755));
	SYS(chown("f", 1, 1));
	EXPECT(!(st_of("f").st_mode & S_ISUID), "chown kept the set-user-ID bit");
	SYS(chmod("f", 06755));
	SYS(chown("f", (uid_t)-1, (gid_t)-1)); /* no id changes; the bits go all the same */
	EXPECT((st_of("f").st_mode & 07777) == 0755, "chown(-1, -1) left mode %04o",
	       st_of("f").st_mode & 07777);
	return 0;
}

/* has_cap: whether path has a security.capability xattr. */
static int has_cap(const char *path)
{
	return getxattr(path, "security.capability", NULL, 0) >= 0;
}

/* Privileges go as on a local file system: a file capability on any
 * write, truncate or chown; suid not on root's own write (CAP_FSETID). */
static int c_killpriv(void)
{
	/* a version 2 capability set (magic 0x02000000, no bits) */
	static const unsigned char cap[20] = {0, 0, 0, 2};
	int fd;
	SYS(mk("f"));
	SYS(chmod("f", 04755));
	SYS(fd = open("f", O_WRONLY | O_APPEND));
	SYS(write_all(fd, "x", 1));
	close(fd);
	EXPECT((st_of("f").st_mode & 07777) == 04755, "root's write changed mode to %04o",
	       st_of("f").st_mode & 07777);
	SYS(setxattr("f", "security.capability", cap, sizeof cap, 0));
	SYS(fd = open("f", O_WRONLY | O_APPEND));
	SYS(write_all(fd, "y", 1));
	close(fd);
	EXPECT(!has_cap("f"), "a write kept security.capability");
	SYS(setxattr("f", "security.capability", cap, sizeof cap, 0));
	SYS(truncate("f", 1));
	EXPECT(!has_cap("f"), "a truncate kept security.capability");
	SYS(setxattr("f", "security.capability", cap, sizeof cap, 0));
	SYS(chown("f", 7, 7));
	EXPECT(!has_cap("f"), "a chown kept security.capability");
	return 0;
}

/* A set-group-ID directory hands its group (and the bit, to subdirs) down. */
static int c_setgid_dir(void)
{
	SYS(mkdir("d", 0755));
	SYS(chown("d", 0, 4321));
	SYS(chmod("d", 02775));
	SYS(mk("d/f"));
	SYS(mkdir("d/sub", 0755));
	struct stat f = st_of("d/f"), s = st_of("d/sub");
	EXPECT(f.st_gid == 4321, "file in setgid dir has gid %u", f.st_gid);
	EXPECT(s.st_gid == 4321 && (s.st_mode & S_ISGID), "subdir gid %u mode %o", s.st_gid,
	       s.st_mode);
	return 0;
}

/* utimensat stores nanoseconds exactly, including times past 2038. */
static int c_utimens(void)
{
	SYS(mk("f"));
	SYS(mkdir("d", 0755));
	SYS(symlink("f", "l"));
	const struct timespec sets[][2] = {
		{{1234567890, 123456789}, {1500000000, 987654321}},
		{{4102444800, 1}, {4102444801, 999999999}}, /* 2100 */
		{{0, 0}, {1, 500}},
	};
	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++) {
		const char *paths[] = {"f", "d"};
		for (int p = 0; p < 2; p++) {
			SYS(utimensat(AT_FDCWD, paths[p], sets[i], 0));
			struct stat st = st_of(paths[p]);
			EXPECT(!ts_cmp(st.st_atim, sets[i][0]) && !ts_cmp(st.st_mtim, sets[i][1]),
			       "%s set %lld.%09ld/%lld.%09ld got %lld.%09ld/%lld.%09ld", paths[p],
			       (long long)sets[i][0].tv_sec, sets[i][0].tv_nsec,
			       (long long)sets[i][1].tv_sec, sets[i][1].tv_nsec,
			       (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
			       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		}
	}
	SYS(utimensat(AT_FDCWD, "l", sets[0], AT_SYMLINK_NOFOLLOW));
	struct stat ls = st_of("l");
	EXPECT(!ts_cmp(ls.st_mtim, sets[0][1]), "symlink mtime not set");
	EXPECT(!ts_cmp(st_of("f").st_mtim, sets[2][1]), "NOFOLLOW touched the target");
	int fd;
	SYS(fd = open("f", O_RDONLY));
	SYS(futimens(fd, sets[1]));
	close(fd);
	EXPECT(!ts_cmp(st_of("f").st_mtim, sets[1][1]), "futimens");
	return 0;
}

/* within: t lies in [lo - 1 s, hi + 1 s] (coarse clocks lag a little). */
static int within(struct timespec t, struct timespec lo, struct timespec hi)
{
	return t.tv_sec >= lo.tv_sec - 1 && t.tv_sec <= hi.tv_sec + 1;
}

/* UTIME_NOW takes the current time, UTIME_OMIT leaves a time alone, and
 * either one moves ctime. */
static int c_utime_now_omit(void)
{
	SYS(mk("f"));
	const struct timespec old[2] = {{1000000000, 111}, {1000000000, 222}};
	SYS(utimensat(AT_FDCWD, "f", old, 0));
	struct stat a = st_of("f");
	tick_past(a.st_ctim);
	struct timespec lo = now_ts();
	const struct timespec t1[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	SYS(utimensat(AT_FDCWD, "f", t1, 0));
	struct timespec hi = now_ts();
	struct stat b = st_of("f");
	EXPECT(within(b.st_atim, lo, hi), "UTIME_NOW atime %lld", (long long)b.st_atim.tv_sec);
	EXPECT(!ts_cmp(b.st_mtim, old[1]), "UTIME_OMIT changed mtime");
	EXPECT(ts_cmp(b.st_ctim, a.st_ctim) > 0, "utimensat did not update ctime");
	const struct timespec t2[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
	SYS(utimensat(AT_FDCWD, "f", t2, 0));
	struct stat c = st_of("f");
	EXPECT(!ts_cmp(c.st_atim, b.st_atim), "UTIME_OMIT changed atime");
	EXPECT(within(c.st_mtim, lo, now_ts()), "UTIME_NOW mtime");
	SYS(utimensat(AT_FDCWD, "f", NULL, 0)); /* both now */
	c = st_of("f");
	EXPECT(within(c.st_atim, lo, now_ts()) && within(c.st_mtim, lo, now_ts()),
	       "utimensat(NULL)");
	return 0;
}

/* read_one: read a byte of path through a fresh descriptor. */
static int read_one(const char *path)
{
	char c;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t r = read(fd, &c, 1);
	close(fd);
	return r == 1 ? 0 : -1;
}

/* relatime: a read updates atime when it is not newer than mtime (or a
 * day old), and not on every read otherwise. */
static int c_atime(void)
{
	int fd;
	SYS(fd = open("f", O_WRONLY | O_CREAT, 0644));
	SYS(write_all(fd, "atime", 5));
	close(fd);
	struct timespec now = now_ts();
	const struct timespec older[2] = {{now.tv_sec - 3600, 0}, {now.tv_sec - 60, 0}};
	SYS(utimensat(AT_FDCWD, "f", older, 0));
	tick_past(st_of("f").st_ctim); /* so the new atime is after ctime */
	SYS(read_one("f"));
	struct stat a = st_of("f");
	EXPECT(a.st_atim.tv_sec >= now.tv_sec - 1,
	       "atime older than mtime not updated by a read (atime %lld, now %lld)",
	       (long long)a.st_atim.tv_sec, (long long)now.tv_sec);
	tick_past(a.st_atim);
	SYS(read_one("f"));
	struct stat b = st_of("f");
	EXPECT(!ts_cmp(b.st_atim, a.st_atim), "atime updated on every read (relatime expected)");
	const struct timespec stale[2] = {{now.tv_sec - 3 * 86400, 0}, {now.tv_sec - 4 * 86400, 0}};
	SYS(utimensat(AT_FDCWD, "f", stale, 0));
	SYS(read_one("f"));
	b = st_of("f");
	EXPECT(b.st_atim.tv_sec >= now.tv_sec - 1, "day-old atime not updated by a read");
	EXPECT(b.st_mtim.tv_sec == now.tv_sec - 4 * 86400, "a read changed mtime");
	return 0;
}

/* list_all: read every entry of directory path; 0 or -1. */
static int list_all(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return -1;
	while (readdir(d))
		;
	closedir(d);
	return 0;
}

/* relatime for what is read without being opened to be read: a
 * directory's listing and a symbolic link's target move a stale atime
 * (as a local file system's readdir and readlink do), and only a stale
 * one. */
static int c_atime_dir(void)
{
	char buf[16];
	SYS(mkdir("d", 0755));
	SYS(symlink("target", "l"));
	struct timespec now = now_ts();
	const struct timespec older[2] = {{now.tv_sec - 3600, 0}, {now.tv_sec - 60, 0}};
	SYS(utimensat(AT_FDCWD, "d", older, 0));
	SYS(utimensat(AT_FDCWD, "l", older, AT_SYMLINK_NOFOLLOW));
	tick_past(st_of("l").st_ctim); /* so the new atimes are after ctime */
	SYS(list_all("d"));
	SYS(readlink("l", buf, sizeof buf));
	struct stat d = st_of("d"), l = st_of("l");
	EXPECT(d.st_atim.tv_sec >= now.tv_sec - 1, "a listing left a stale atime (%lld, now %lld)",
	       (long long)d.st_atim.tv_sec, (long long)now.tv_sec);
	EXPECT(l.st_atim.tv_sec >= now.tv_sec - 1, "a readlink left a stale atime (%lld, now %lld)",
	       (long long)l.st_atim.tv_sec, (long long)now.tv_sec);
	EXPECT(d.st_mtim.tv_sec == now.tv_sec - 60, "a listing changed mtime");
	tick_past(d.st_atim);
	SYS(list_all("d"));
	EXPECT(!ts_cmp(st_of("d").st_atim, d.st_atim), "atime moved on every listing (relatime expected)");
	return 0;
}

/* btime_of: path's birth time by statx(2), or {-1, 0} if none is told. */
static struct timespec btime_of(const char *path)
{
	struct statx x;
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &x) || !(x.stx_mask & STATX_BTIME))
		return (struct timespec){-1, 0};
	return (struct timespec){x.stx_btime.tv_sec, x.stx_btime.tv_nsec};
}

/* statx tells a birth time: a file's and a directory's are their
 * creation's, and no later change moves them. */
static int c_btime(void)
{
	struct timespec t0 = now_ts();
	int fd;
	SYS(fd = open("f", O_WRONLY | O_CREAT, 0644));
	SYS(mkdir("d", 0755));
	struct timespec f = btime_of("f"), d = btime_of("d");
	EXPECT(f.tv_sec != -1 && d.tv_sec != -1, "no birth time told");
	EXPECT(f.tv_sec >= t0.tv_sec - 1 && f.tv_sec <= now_ts().tv_sec + 1,
	       "birth time %lld, created at %lld", (long long)f.tv_sec, (long long)t0.tv_sec);
	EXPECT(!ts_cmp(f, st_of("f").st_ctim), "a new file's birth time is not its ctime");
	tick_past(st_of("d").st_ctim);
	SYS(write_all(fd, "born", 4));
	close(fd);
	const struct timespec old[2] = {{1000, 0}, {1000, 0}};
	SYS(utimensat(AT_FDCWD, "f", old, 0));
	SYS(chmod("f", 0600));
	SYS(rename("f", "d/g"));
	SYS(mkdir("d/sub", 0755));
	EXPECT(!ts_cmp(btime_of("d/g"), f), "a write, utimens, chmod or rename moved the birth time");
	EXPECT(!ts_cmp(btime_of("d"), d), "a change inside a directory moved its birth time");
	return 0;
}

/* mtime/ctime of a file on write, truncate, chmod, link; of directories on
 * create, unlink and rename (POSIX). */
static int c_times(void)
{
	int fd;
	SYS(mkdir("d", 0755));
	SYS(mkdir("e", 0755));
	SYS(fd = open("d/f", O_WRONLY | O_CREAT, 0644));
	struct stat f0 = st_of("d/f"), d0 = st_of("d"), e0 = st_of("e");
	tick_past(f0.st_ctim);
	SYS(write_all(fd, "data", 4));
	SYS(fsync(fd));
	struct stat f1 = st_of("d/f");
	EXPECT(ts_cmp(f1.st_mtim, f0.st_mtim) > 0 && ts_cmp(f1.st_ctim, f0.st_ctim) > 0,
	       "write did not update mtime and ctime");
	close(fd);
	tick_past(f1.st_ctim);
	SYS(setxattr("d/f", "user.t", "v", 1, 0));
	struct stat f2 = st_of("d/f");
	EXPECT(ts_cmp(f2.st_ctim, f1.st_ctim) > 0, "setxattr did not update ctime");
	EXPECT(!ts_cmp(f2.st_mtim, f1.st_mtim), "setxattr changed mtime");
	SYS(mk("d/g"));
	struct stat d1 = st_of("d");
	EXPECT(ts_cmp(d1.st_mtim, d0.st_mtim) > 0 && ts_cmp(d1.st_ctim, d0.st_ctim) > 0,
	       "create did not update the directory's mtime/ctime");
	tick_past(d1.st_ctim);
	SYS(rename("d/g", "e/g"));
	struct stat d2 = st_of("d"), e2 = st_of("e");
	EXPECT(ts_cmp(d2.st_mtim, d1.st_mtim) > 0 && ts_cmp(d2.st_ctim, d1.st_ctim) > 0,
	       "rename did not update the source directory");
	EXPECT(ts_cmp(e2.st_mtim, e0.st_mtim) > 0 && ts_cmp(e2.st_ctim, e0.st_ctim) > 0,
	       "rename did not update the target directory");
	tick_past(e2.st_ctim);
	SYS(unlink("e/g"));
	struct stat e3 = st_of("e");
	EXPECT(ts_cmp(e3.st_mtim, e2.st_mtim) > 0, "unlink did not update the directory");
	struct stat f3 = st_of("d/f");
	tick_past(f3.st_ctim);
	SYS(link("d/f", "e/h"));
	struct stat f4 = st_of("d/f");
	EXPECT(ts_cmp(f4.st_ctim, f3.st_ctim) > 0, "link did not update the file's ctime");
	tick_past(f4.st_ctim);
	SYS(unlink("e/h"));
	EXPECT(ts_cmp(st_of("d/f").st_ctim, f4.st_ctim) > 0, "unlink did not update ctime");
	return 0;
}

/* ctime where a call reaches a file through another of its names or
 * moves it, and nowhere for a call that fails: as on a local file
 * system. */
static int c_ctime_links(void)
{
	SYS(mk("a"));
	SYS(mk("b"));
	SYS(link("b", "b2"));
	SYS(mk("u"));
	SYS(link("u", "u2"));
	SYS(mkdir("d", 0755));
	SYS(mk("d/x"));
	SYS(mk("e1"));
	SYS(mk("e2"));
	struct stat a = st_of("a"), b2 = st_of("b2"), u2 = st_of("u2"), d = st_of("d");
	struct stat e1 = st_of("e1"), e2 = st_of("e2");
	tick_past(e2.st_ctim); /* the last made: every stamp from now on is later */
	ERR(rmdir("d"), ENOTEMPTY);
	ERR(setxattr("e1", "user.none", "v", 1, XATTR_REPLACE), ENODATA);
	ERR(removexattr("e1", "user.none"), ENODATA);
	ERR(renameat2(AT_FDCWD, "e1", AT_FDCWD, "e2", RENAME_NOREPLACE), EEXIST);
	ERR(link("e1", "e2"), EEXIST);
	EXPECT(!ts_cmp(st_of("d").st_ctim, d.st_ctim), "a failed rmdir moved the directory's ctime");
	EXPECT(!ts_cmp(st_of("e1").st_ctim, e1.st_ctim) && !ts_cmp(st_of("e2").st_ctim, e2.st_ctim),
	       "a failed call moved a file's ctime");
	SYS(rename("a", "b")); /* b's file keeps only its name b2 */
	SYS(unlink("u"));      /* u's keeps only u2 */
	EXPECT(ts_cmp(st_of("b").st_ctim, a.st_ctim) > 0, "rename did not move the moved file's ctime");
	EXPECT(ts_cmp(st_of("b2").st_ctim, b2.st_ctim) > 0,
	       "rename over a name did not move the ctime of the file it replaced");
	EXPECT(ts_cmp(st_of("u2").st_ctim, u2.st_ctim) > 0,
	       "unlink did not move the ctime of the file's other name");
	SYS(renameat2(AT_FDCWD, "e1", AT_FDCWD, "e2", RENAME_EXCHANGE));
	EXPECT(ts_cmp(st_of("e1").st_ctim, e2.st_ctim) > 0 && ts_cmp(st_of("e2").st_ctim, e1.st_ctim) > 0,
	       "an exchange did not move both files' ctime");
	return 0;
}

/* has_name: whether the xattr name list holds name. */
static int has_name(const char *list, ssize_t len, const char *name)
{
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return 1;
	return 0;
}

/* xattrs: set, get, list, remove, on files and directories. */
static int c_xattr(void)
{
	char buf[256], list[4096];
	SYS(mk("f"));
	SYS(mkdir("d", 0755));
	SYS(setxattr("f", "user.a", "value-a", 7, 0));
	SYS(setxattr("f", "user.b", "", 0, 0));
	SYS(setxattr("f", "user.bin", "\0\1\2\0", 4, 0));
	SYS(setxattr("d", "user.dir", "D", 1, 0));
	ssize_t n = getxattr("f", "user.a", buf, sizeof buf);
	EXPECT(n == 7 && !memcmp(buf, "value-a", 7), "get user.a gave %zd", n);
	EXPECT(getxattr("f", "user.a", NULL, 0) == 7, "size query");
	EXPECT(getxattr("f", "user.b", buf, sizeof buf) == 0, "empty value");
	n = getxattr("f", "user.bin", buf, sizeof buf);
	EXPECT(n == 4 && !memcmp(buf, "\0\1\2\0", 4), "binary value");
	EXPECT(getxattr("d", "user.dir", buf, sizeof buf) == 1 && buf[0] == 'D', "dir xattr");
	n = listxattr("f", list, sizeof list);
	EXPECT(n > 0 && has_name(list, n, "user.a") && has_name(list, n, "user.b") &&
	       has_name(list, n, "user.bin"), "listxattr misses a name");
	EXPECT(listxattr("f", NULL, 0) >= n, "list size query");
	SYS(setxattr("f", "user.a", "new", 3, 0));
	n = getxattr("f", "user.a", buf, sizeof buf);
	EXPECT(n == 3 && !memcmp(buf, "new", 3), "overwrite");
	SYS(removexattr("f", "user.a"));
	ERR(getxattr("f", "user.a", buf, sizeof buf), ENODATA);
	n = listxattr("f", list, sizeof list);
	EXPECT(!has_name(list, n, "user.a") && has_name(list, n, "user.b"), "list after remove");
	int fd;
	SYS(fd = open("f", O_RDONLY));
	SYS(fsetxattr(fd, "user.fd", "x", 1, 0));
	EXPECT(fgetxattr(fd, "user.fd", buf, sizeof buf) == 1, "fgetxattr");
	close(fd);
	for (int i = 0; i < 100; i++) { /* many names on one inode */
		snprintf(buf, sizeof buf, "user.many%03d", i);
		SYS(setxattr("d", buf, buf, strlen(buf), 0));
	}
	n = listxattr("d", list, sizeof list);
	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof buf, "user.many%03d", i);
		EXPECT(has_name(list, n, buf), "%s not listed", buf);
	}
	return 0;
}

/* XATTR_CREATE/REPLACE, ENODATA and ERANGE. */
static int c_xattr_errors(void)
{
	char buf[16], list[16];
	SYS(mk("f"));
	SYS(setxattr("f", "user.x", "0123456789", 10, XATTR_CREATE));
	ERR(setxattr("f", "user.x", "v", 1, XATTR_CREATE), EEXIST);
	ERR(setxattr("f", "user.y", "v", 1, XATTR_REPLACE), ENODATA);
	SYS(setxattr("f", "user.x", "r", 1, XATTR_REPLACE));
	ERR(getxattr("f", "user.none", buf, sizeof buf), ENODATA);
	ERR(removexattr("f", "user.none"), ENODATA);
	SYS(setxattr("f", "user.x", "0123456789", 10, 0));
	ERR(getxattr("f", "user.x", buf, 5), ERANGE);
	SYS(setxattr("f", "user.a-long-attribute-name", "v", 1, 0));
	ERR(listxattr("f", list, 8), ERANGE);
	char longname[300];
	memset(longname, 'n', sizeof longname);
	memcpy(longname, "user.", 5);
	longname[299] = 0;
	ERR(setxattr("f", longname, "v", 1, 0), ERANGE);
	ERR(getxattr("none", "user.x", buf, sizeof buf), ENOENT);
	return 0;
}

/* xattr_value: set and read back one value of n bytes. */
static int xattr_value(const char *path, const char *name, size_t n)
{
	char *v = malloc(n), *r = malloc(n + 1);
	EXPECT(v && r, "out of memory");
	pattern_fill(v, n, n, 0);
	SYS(setxattr(path, name, v, n, 0));
	EXPECT(getxattr(path, name, NULL, 0) == (ssize_t)n, "size query for %zu bytes", n);
	ssize_t got = getxattr(path, name, r, n + 1);
	EXPECT(got == (ssize_t)n && !memcmp(v, r, n), "%zu-byte value read back %zd bytes", n,
	       got);
	free(v), free(r);
	return 0;
}

/* Values above 4 KiB, and the Linux maximum of 64 KiB. */
static int c_xattr_large(void)
{
	SYS(mk("f"));
	if (xattr_value("f", "user.big", 5000) || xattr_value("f", "user.big", 4096) ||
	    xattr_value("f", "user.max", 65536))
		return -1;
	return 0;
}

/* acl_entry: append one POSIX ACL xattr entry (little-endian on disk). */
static size_t acl_entry(unsigned char *p, size_t at, unsigned tag, unsigned perm)
{
	unsigned char e[8] = {tag & 0xff, tag >> 8, perm & 0xff, perm >> 8, 0xff, 0xff, 0xff, 0xff};
	memcpy(p + at, e, 8);
	return at + 8;
}

/* system.posix_acl_access (what cp -a and setfacl use for modes): either
 * refused with EOPNOTSUPP, or honoured, i.e. the mode follows the ACL. */
static int c_acl_mode(void)
{
	unsigned char acl[4 + 3 * 8] = {2, 0, 0, 0}; /* version 2 */
	size_t n = acl_entry(acl, 4, 0x01, 7);   /* user::rwx */
	n = acl_entry(acl, n, 0x04, 5);          /* group::r-x */
	n = acl_entry(acl, n, 0x20, 5);          /* other::r-x */
	for (int i = 0; i < 40; i++) { /* several: a stale cache shows only now and then */
		char p[16];
		snprintf(p, sizeof p, "%c%d", i & 1 ? 'f' : 'd', i);
		int fd = -1;
		if (i & 1)
			SYS(fd = open(p, O_WRONLY | O_CREAT, 0600));
		else
			SYS(mkdir(p, 0700));
		if (fd >= 0)
			close(fd);
		if (setxattr(p, "system.posix_acl_access", acl, n, 0) < 0) {
			EXPECT(errno == EOPNOTSUPP, "setting an ACL: %s", errname(errno));
			notef("POSIX ACLs not supported (EOPNOTSUPP)");
			continue;
		}
		/* statx asking for the mode only, as `stat -c %a` does, so a stale
		 * cached mode cannot hide behind a refresh for other fields */
		struct statx sx;
		SYS(statx(AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, STATX_MODE, &sx));
		EXPECT((sx.stx_mode & 07777) == 0755,
		       "%s: ACL u::rwx,g::r-x,o::r-x accepted but statx(STATX_MODE) gives %04o", p,
		       sx.stx_mode & 07777);
		mode_t m = st_of(p).st_mode & 07777;
		EXPECT(m == 0755, "%s: ACL u::rwx,g::r-x,o::r-x accepted but mode is %04o", p, m);
	}
	return 0;
}

/* pipe_wait / pipe_go: one-byte handshakes between parent and child. */
static int pipe_wait(int fd)
{
	char c;
	return read(fd, &c, 1) == 1 ? 0 : -1;
}
static int pipe_go(int fd)
{
	return write(fd, "g", 1) == 1 ? 0 : -1;
}

/* flock_child: in a forked child, take the lock through its own open
 * file: must fail now, succeed after the parent's unlock. */
static int flock_child(int to_parent, int from_parent)
{
	int fd = open("f", O_RDWR);
	if (fd < 0)
		return 10;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		return 11;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		return 12;
	if (pipe_go(to_parent) || pipe_wait(from_parent))
		return 13;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return 14;
	return 0;
}

/* flock: LOCK_EX conflicts with another open file in another process. */
static int c_flock(void)
{
	int fd, up[2], down[2];
	SYS(mk("f"));
	SYS(fd = open("f", O_RDWR));
	SYS(flock(fd, LOCK_EX));
	SYS(pipe(up));
	SYS(pipe(down));
	pid_t pid = fork();
	if (pid == 0)
		_exit(flock_child(up[1], down[0]));
	SYS(pipe_wait(up[0]));
	SYS(flock(fd, LOCK_UN));
	SYS(pipe_go(down[1]));
	int st;
	SYS(waitpid(pid, &st, 0));
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child step %d failed",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(fd);
	return 0;
}

/* lk: fill a struct flock. */
static struct flock lk(short type, off_t start, off_t len)
{
	struct flock l;
	memset(&l, 0, sizeof l);
	l.l_type = type, l.l_whence = SEEK_SET, l.l_start = start, l.l_len = len;
	return l;
}

/* fcntl_child: F_SETLK conflicts and F_GETLK reports the holder. */
static int fcntl_child(pid_t holder)
{
	int fd = open("f", O_RDWR);
	if (fd < 0)
		return 10;
	struct flock l = lk(F_WRLCK, 50, 10);
	if (fcntl(fd, F_SETLK, &l) == 0 || (errno != EAGAIN && errno != EACCES))
		return 11;
	l = lk(F_RDLCK, 0, 1);
	if (fcntl(fd, F_SETLK, &l) == 0)
		return 12;
	l = lk(F_WRLCK, 200, 100);
	if (fcntl(fd, F_SETLK, &l) < 0)
		return 13;
	l = lk(F_WRLCK, 0, 10);
	if (fcntl(fd, F_GETLK, &l) < 0 || l.l_type != F_WRLCK || l.l_pid != holder)
		return 14;
	return 0;
}

/* fcntl byte-range locks conflict across processes. */
static int c_fcntl_lock(void)
{
	int fd;
	SYS(mk("f"));
	SYS(fd = open("f", O_RDWR));
	struct flock l = lk(F_WRLCK, 0, 100);
	SYS(fcntl(fd, F_SETLK, &l));
	pid_t pid = fork();
	if (pid == 0)
		_exit(fcntl_child(getppid()));
	int st;
	SYS(waitpid(pid, &st, 0));
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child step %d failed",
	       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	close(fd);
	return 0;
}

/* A fifo carries data between two processes. */
static int c_fifo(void)
{
	SYS(mkfifo("p", 0640));
	struct stat st = st_of("p");
	EXPECT(S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0640, "fifo mode %o", st.st_mode);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("p", O_WRONLY);
		_exit(fd < 0 || write_all(fd, "through the fifo", 16) < 0 ? 1 : 0);
	}
	int fd;
	SYS(fd = open("p", O_RDONLY));
	char buf[32] = {0};
	size_t len = 0;
	ssize_t r;
	while ((r = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)r;
	close(fd);
	int ws;
	SYS(waitpid(pid, &ws, 0));
	EXPECT(len == 16 && !strcmp(buf, "through the fifo"), "fifo carried '%s'", buf);
	EXPECT(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "fifo writer failed");
	EXPECT(st_of("p").st_size == 0, "fifo has a size");
	return 0;
}

/* Device nodes keep their type and rdev (big majors and minors too). */
static int c_mknod(void)
{
	umask(0);
	SYS(mknod("null", S_IFCHR | 0666, makedev(1, 3)));
	SYS(mknod("blk", S_IFBLK | 0600, makedev(8, 1)));
	SYS(mknod("big", S_IFCHR | 0600, makedev(4000, 1048575)));
	struct stat a = st_of("null"), b = st_of("blk"), c = st_of("big");
	EXPECT(S_ISCHR(a.st_mode) && a.st_rdev == makedev(1, 3), "char dev rdev %llx",
	       (unsigned long long)a.st_rdev);
	EXPECT((a.st_mode & 0777) == 0666, "char dev mode %o", a.st_mode);
	EXPECT(S_ISBLK(b.st_mode) && b.st_rdev == makedev(8, 1), "block dev rdev %llx",
	       (unsigned long long)b.st_rdev);
	EXPECT(S_ISCHR(c.st_mode) && major(c.st_rdev) == 4000 && minor(c.st_rdev) == 1048575,
	       "large dev numbers %u:%u", major(c.st_rdev), minor(c.st_rdev));
	SYS(mknod("reg", S_IFREG | 0640, 0));
	EXPECT(S_ISREG(st_of("reg").st_mode), "mknod S_IFREG");
	return 0;
}

/* A unix socket can be bound, seen as a socket, and connected to. */
static int c_unix_socket(void)
{
	struct sockaddr_un a;
	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	char cwd[200];
	EXPECT(getcwd(cwd, sizeof cwd), "cwd too long for a socket path");
	int s, c;
	snprintf(a.sun_path, sizeof a.sun_path, "sock");
	SYS(s = socket(AF_UNIX, SOCK_STREAM, 0));
	SYS(bind(s, (struct sockaddr *)&a, sizeof a));
	SYS(listen(s, 1));
	EXPECT(S_ISSOCK(st_of("sock").st_mode), "bound name is not a socket");
	SYS(c = socket(AF_UNIX, SOCK_STREAM, 0));
	SYS(connect(c, (struct sockaddr *)&a, sizeof a));
	close(c), close(s);
	SYS(unlink("sock"));
	return 0;
}

/* stat_diff: describe how fresh differs from cached in the fields a cache
 * must keep equal to the filesystem's (into buf); 0 if they agree. */
static int stat_diff(const struct stat *a, const struct stat *b, char *buf, size_t n)
{
	if (a->st_ino != b->st_ino || a->st_mode != b->st_mode || a->st_nlink != b->st_nlink ||
	    a->st_uid != b->st_uid || a->st_gid != b->st_gid || a->st_size != b->st_size ||
	    a->st_rdev != b->st_rdev)
		snprintf(buf, n, "mode %o/%o nlink %lu/%lu size %lld/%lld uid %u/%u", a->st_mode,
			 b->st_mode, (unsigned long)a->st_nlink, (unsigned long)b->st_nlink,
			 (long long)a->st_size, (long long)b->st_size, a->st_uid, b->st_uid);
	else if (ts_cmp(a->st_mtim, b->st_mtim))
		snprintf(buf, n, "mtime %lld.%09ld/%lld.%09ld", (long long)a->st_mtim.tv_sec,
			 a->st_mtim.tv_nsec, (long long)b->st_mtim.tv_sec, b->st_mtim.tv_nsec);
	else if (ts_cmp(a->st_ctim, b->st_ctim))
		snprintf(buf, n, "ctime %lld.%09ld/%lld.%09ld", (long long)a->st_ctim.tv_sec,
			 a->st_ctim.tv_nsec, (long long)b->st_ctim.tv_sec, b->st_ctim.tv_nsec);
	else
		return 0;
	return 1;
}

/* drop_caches: make the kernel forget cached inodes and dentries, so the
 * next stat asks the filesystem itself. */
static int drop_caches(void)
{
	sync();
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return -1;
	int r = write(fd, "2", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

/* with_data: create path holding n bytes; returns an open O_RDWR fd. */
static int with_data(const char *path, size_t n)
{
	static char buf[70000];
	memset(buf, 'w', sizeof buf);
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd >= 0 && write_all(fd, buf, n < sizeof buf ? n : sizeof buf) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* cache_setup: one object per kind of change, named as in c_cache_coherent. */
static int cache_setup(void)
{
	int fd;
	SYS(fd = with_data("written", 70000));
	close(fd);
	SYS(fd = open("appended", O_WRONLY | O_CREAT | O_APPEND, 0644));
	SYS(write_all(fd, "0123456789", 10));
	close(fd);
	SYS(fd = with_data("ftruncated", 9000));
	SYS(ftruncate(fd, 123));
	close(fd);
	SYS(fd = with_data("truncated", 9000));
	close(fd);
	SYS(truncate("truncated", 100000));
	SYS(fd = with_data("otrunc", 5000));
	close(fd);
	SYS(fd = open("otrunc", O_WRONLY | O_TRUNC));
	close(fd);
	SYS(fd = with_data("falloc", 10));
	SYS(fallocate(fd, 0, 0, 1 << 20));
	close(fd);
	SYS(fd = with_data("punched", 65536));
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 8192) < 0 &&
	    errno != EOPNOTSUPP)
		FAIL("punch: %s", errname(errno));
	close(fd);
	int in;
	SYS(in = with_data("copysrc", 30000));
	SYS(fd = open("copied", O_WRONLY | O_CREAT, 0644));
	SYS(copy_file_range(in, &(off_t){0}, fd, NULL, 30000, 0));
	close(fd), close(in);
	SYS(mk("chmodded"));
	SYS(chmod("chmodded", 04710));
	SYS(mk("chowned"));
	SYS(chmod("chowned", 06755));
	SYS(chown("chowned", 1, 1));
	SYS(mk("linked"));
	SYS(link("linked", "link2"));
	SYS(mk("unlinked"));
	SYS(link("unlinked", "gone"));
	SYS(unlink("gone"));
	SYS(mk("xattred"));
	SYS(setxattr("xattred", "user.x", "v", 1, 0));
	SYS(removexattr("xattred", "user.x"));
	SYS(mk("timed"));
	const struct timespec t[2] = {{1000, 1}, {2000, 2}};
	SYS(utimensat(AT_FDCWD, "timed", t, 0));
	SYS(mk("timenow"));
	SYS(utimensat(AT_FDCWD, "timenow", NULL, 0));
	SYS(mk("torename"));
	SYS(rename("torename", "renamed"));
	SYS(mk("replaced"));
	SYS(mk("replacer"));
	SYS(rename("replacer", "replaced"));
	SYS(fd = open("mapped", O_RDWR | O_CREAT, 0644));
	SYS(ftruncate(fd, 8192));
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap");
	m[100] = 'm';
	SYS(msync(m, 8192, MS_SYNC));
	munmap(m, 8192);
	close(fd);
	SYS(mkdir("d", 0755));
	SYS(mkdir("d/sub", 0755));
	SYS(mkdir("d/gone", 0755));
	SYS(rmdir("d/gone"));
	SYS(symlink("written", "l"));
	SYS(mkfifo("fifo", 0600));
	return 0;
}

/* What stat shows from the kernel's caches after assorted changes equals
 * what the filesystem reports once those caches are dropped. */
static int c_cache_coherent(void)
{
	static const char *names[] = {
		"written", "appended", "ftruncated", "truncated", "otrunc", "falloc", "punched",
		"copied", "chmodded", "chowned", "linked", "unlinked", "xattred", "timed",
		"timenow", "renamed", "replaced", "mapped", "d", "l", "fifo", "."};
	enum { N = sizeof names / sizeof *names };
	if (cache_setup())
		return -1;
	struct stat before[N], after;
	for (int i = 0; i < N; i++)
		SYS(lstat(names[i], &before[i]));
	SYS(drop_caches());
	char all[800] = "", one[160];
	int bad = 0;
	for (int i = 0; i < N; i++) {
		SYS(lstat(names[i], &after));
		if (stat_diff(&before[i], &after, one, sizeof one)) {
			size_t l = strlen(all);
			snprintf(all + l, sizeof all - l, "%s%s: %s", bad++ ? "; " : "", names[i], one);
		}
	}
	EXPECT(!bad, "cached/fresh differ for %d: %s", bad, all);
	return 0;
}

/* Writes through a shared mapping update mtime by the time msync returns. */
static int c_mmap_mtime(void)
{
	int fd;
	SYS(fd = open("f", O_RDWR | O_CREAT, 0644));
	SYS(ftruncate(fd, 4096));
	struct stat a;
	SYS(fstat(fd, &a));
	tick_past(a.st_mtim);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap");
	m[0] = 'x';
	SYS(msync(m, 4096, MS_SYNC));
	struct stat b;
	SYS(fstat(fd, &b));
	EXPECT(ts_cmp(b.st_mtim, a.st_mtim) > 0, "mtime unchanged after a mapped write and msync");
	munmap(m, 4096);
	close(fd);
	return 0;
}

const struct check meta_checks[] = {
	{"chmod", c_chmod, 0, "chmod/fchmod, ctime"},
	{"chown", c_chown, NEED_ROOT, "chown/lchown/fchown, large ids, suid clear"},
	{"killpriv", c_killpriv, NEED_ROOT, "write/truncate/chown drop capabilities, suid"},
	{"setgid_dir", c_setgid_dir, NEED_ROOT, "set-group-ID directory inheritance"},
	{"utimens", c_utimens, 0, "utimensat at nanosecond precision"},
	{"utime_now_omit", c_utime_now_omit, 0, "UTIME_NOW and UTIME_OMIT"},
	{"atime", c_atime, 0, "relatime-like atime policy"},
	{"atime_dir", c_atime_dir, 0, "relatime for listings and readlink"},
	{"btime", c_btime, 0, "statx birth time, kept by later changes"},
	{"times", c_times, 0, "mtime/ctime on write, xattr, create, rename, link"},
	{"ctime_links", c_ctime_links, 0, "ctime through other names, and not on failure"},
	{"xattr", c_xattr, 0, "set/get/list/remove xattrs"},
	{"xattr_errors", c_xattr_errors, 0, "XATTR_CREATE/REPLACE, ENODATA, ERANGE"},
	{"xattr_large", c_xattr_large, 0, "xattr values of 5000 and 65536 bytes"},
	{"acl_mode", c_acl_mode, 0, "an access ACL sets the mode or is refused"},
	{"cache_coherent", c_cache_coherent, NEED_ROOT, "cached attributes equal fresh ones"},
	{"mmap_mtime", c_mmap_mtime, 0, "msync of a mapped write updates mtime"},
	{"flock", c_flock, 0, "flock conflicts across processes"},
	{"fcntl_lock", c_fcntl_lock, 0, "fcntl F_SETLK/F_GETLK conflicts"},
	{"fifo", c_fifo, 0, "mkfifo and data through it"},
	{"mknod", c_mknod, NEED_ROOT, "char/block devices keep rdev"},
	{"unix_socket", c_unix_socket, 0, "bind/connect a unix socket"},
	{0},
};
