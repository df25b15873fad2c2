/* dir.c: checks of the name space: directories, readdir, links, rename. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/posix/posix.h"

/* touch: create an empty file. */
static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	return fd < 0 ? -1 : close(fd);
}

/* put: create path holding the string s. */
static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	int r = write_all(fd, s, strlen(s));
	return close(fd) < 0 || r < 0 ? -1 : 0;
}

/* holds: whether path holds exactly the string s. */
static int holds(const char *path, const char *s)
{
	char buf[256];
	return read_small(path, buf, sizeof buf) >= 0 && !strcmp(buf, s);
}

/* nlink_of: link count of path, or -1. */
static long nlink_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) < 0 ? -1 : (long)st.st_nlink;
}

/* ino_of: inode number of path, or 0. */
static ino_t ino_of(const char *path)
{
	struct stat st;
	return lstat(path, &st) < 0 ? 0 : st.st_ino;
}

/* mkdir, rmdir and their errors. */
static int c_mkdir_rmdir(void)
{
	SYS(mkdir("d", 0755));
	ERR(mkdir("d", 0755), EEXIST);
	SYS(touch("f"));
	ERR(mkdir("f", 0755), EEXIST);
	ERR(mkdir("f/x", 0755), ENOTDIR);
	ERR(mkdir("none/x", 0755), ENOENT);
	SYS(touch("d/x"));
	ERR2(rmdir("d"), ENOTEMPTY, EEXIST);
	ERR(rmdir("f"), ENOTDIR);
	ERR(rmdir("none"), ENOENT);
	ERR(rmdir("d/."), EINVAL);
	ERR(unlink("d"), EISDIR);
	SYS(unlink("d/x"));
	SYS(rmdir("d"));
	struct stat st;
	ERR(stat("d", &st), ENOENT);
	SYS(mkdir("d", 0700)); /* the name is reusable */
	SYS(stat("d", &st));
	EXPECT(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700, "recreated dir mode %o",
	       st.st_mode);
	return 0;
}

/* Directory link counts: 2 + number of subdirectories. */
static int c_dir_nlink(void)
{
	SYS(mkdir("d", 0755));
	SYS(mkdir("e", 0755));
	EXPECT(nlink_of("d") == 2, "new dir nlink %ld", nlink_of("d"));
	long top = nlink_of(".");
	SYS(mkdir("d/a", 0755));
	SYS(mkdir("d/b", 0755));
	SYS(touch("d/file"));
	EXPECT(nlink_of("d") == 4, "dir with 2 subdirs: nlink %ld", nlink_of("d"));
	SYS(rmdir("d/a"));
	EXPECT(nlink_of("d") == 3, "after rmdir: nlink %ld", nlink_of("d"));
	SYS(rename("d/b", "e/b"));
	EXPECT(nlink_of("d") == 2 && nlink_of("e") == 3, "after moving a subdir: %ld, %ld",
	       nlink_of("d"), nlink_of("e"));
	EXPECT(nlink_of(".") == top, "parent nlink moved from %ld to %ld", top, nlink_of("."));
	SYS(mkdir("d/c", 0755));
	SYS(mkdir("e/empty", 0755));
	SYS(rename("d/c", "e/empty")); /* a dir over an empty dir */
	EXPECT(nlink_of("d") == 2 && nlink_of("e") == 4, "after dir over empty dir: %ld, %ld",
	       nlink_of("d"), nlink_of("e"));
	return 0;
}

/* names_seen: readdir dir into a bitmap of "f%d" names (0..n-1); counts
 * other entries into *other; fails on a duplicate. */
static int names_seen(DIR *d, unsigned char *seen, int n, int *other)
{
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		int i;
		char tail;
		if (sscanf(e->d_name, "f%d%c", &i, &tail) == 1 && i >= 0 && i < n) {
			EXPECT(!seen[i], "entry %s listed twice", e->d_name);
			seen[i] = 1;
		} else {
			(*other)++;
		}
	}
	EXPECT(errno == 0, "readdir: %s", errname(errno));
	return 0;
}

/* readdir lists every entry once, with the right d_type and d_ino; a
 * directory's st_blksize asks for big listing buffers. */
static int c_readdir_all(void)
{
	enum { N = 1000 };
	char name[32];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "f%d", i);
		SYS(touch(name));
	}
	SYS(mkdir("sub", 0755));
	SYS(symlink("f0", "link"));
	SYS(mkfifo("fifo", 0644));
	DIR *d = opendir(".");
	EXPECT(d, "opendir: %s", errname(errno));
	unsigned char seen[N] = {0};
	int dot = 0, dotdot = 0, sub = 0, link = 0, fifo = 0, n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		n++;
		const char *s = e->d_name;
		int i;
		char tail;
		if (!strcmp(s, "."))
			dot++;
		else if (!strcmp(s, ".."))
			dotdot++;
		else if (!strcmp(s, "sub") || !strcmp(s, "link") || !strcmp(s, "fifo")) {
			int want = s[0] == 's' ? DT_DIR : s[0] == 'l' ? DT_LNK : DT_FIFO;
			EXPECT(e->d_type == want || e->d_type == DT_UNKNOWN, "%s d_type %d", s,
			       e->d_type);
			sub += s[0] == 's', link += s[0] == 'l', fifo += s[0] == 'f';
		}
		else if (sscanf(s, "f%d%c", &i, &tail) == 1 && i >= 0 && i < N) {
			EXPECT(!seen[i], "%s listed twice", s);
			seen[i] = 1;
			EXPECT(e->d_type == DT_REG || e->d_type == DT_UNKNOWN, "%s d_type %d", s,
			       e->d_type);
		} else
			FAIL("unexpected entry '%s'", s);
		if (strcmp(s, ".."))
			EXPECT(e->d_ino == ino_of(s), "%s: d_ino %llu, st_ino %llu", s,
			       (unsigned long long)e->d_ino, (unsigned long long)ino_of(s));
	}
	closedir(d);
	/* glibc takes a directory's st_blksize as its getdents buffer: 1 MiB
	 * asks for 32,000 entries a call, not 1,000 */
	struct stat st;
	SYS(stat(".", &st));
	EXPECT(st.st_blksize == 1 << 20, "a directory's st_blksize is %ld", (long)st.st_blksize);
	EXPECT(dot == 1 && dotdot == 1, "'.' seen %d times, '..' %d times", dot, dotdot);
	EXPECT(sub == 1 && link == 1 && fifo == 1, "sub/link/fifo seen %d/%d/%d", sub, link,
	       fifo);
	for (int i = 0; i < N; i++)
		EXPECT(seen[i], "f%d never listed (%d entries)", i, n);
	return 0;
}

/* rm -rf style: one readdir pass that unlinks each entry as it is read
 * removes all 5,000 entries. */
static int c_readdir_unlink(void)
{
	enum { N = 5000 };
	char name[32];
	SYS(mkdir("d", 0755));
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "d/f%d", i);
		SYS(touch(name));
	}
	DIR *d = opendir("d");
	EXPECT(d, "opendir: %s", errname(errno));
	int fd = dirfd(d), removed = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		SYS(unlinkat(fd, e->d_name, 0));
		removed++;
	}
	EXPECT(errno == 0, "readdir: %s", errname(errno));
	closedir(d);
	EXPECT(removed == N, "one readdir+unlink pass removed %d of %d", removed, N);
	SYS(rmdir("d"));
	return 0;
}

/* Entries created and removed during a listing never make a surviving
 * entry vanish or repeat. */
static int c_readdir_stable(void)
{
	enum { N = 2000 };
	char name[32];
	SYS(mkdir("d", 0755));
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "d/f%d", i);
		SYS(touch(name));
	}
	DIR *d = opendir("d");
	EXPECT(d, "opendir: %s", errname(errno));
	unsigned char seen[N] = {0};
	int k = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		int i;
		char tail;
		if (sscanf(e->d_name, "f%d%c", &i, &tail) == 1 && i >= 0 && i < N) {
			EXPECT(!seen[i], "%s listed twice", e->d_name);
			seen[i] = 1;
		}
		/* churn: add a new name and remove an earlier extra */
		snprintf(name, sizeof name, "d/x%d", k);
		SYS(touch(name));
		if (k >= 3) {
			snprintf(name, sizeof name, "d/x%d", k - 3);
			SYS(unlink(name));
		}
		k++;
	}
	closedir(d);
	for (int i = 0; i < N; i++)
		EXPECT(seen[i], "f%d skipped during a changing listing", i);
	return 0;
}

/* f_names: the "f%d" names (0..n-1) in getdents64 records buf[0..len)
 * into seen (1 if listed twice), counted into *n. */
static int f_names(const char *buf, long len, unsigned char *seen, int n, int *count)
{
	for (long at = 0; at < len;) {
		const char *name = buf + at + 19; /* d_ino, d_off, d_reclen, d_type */
		unsigned short reclen;
		memcpy(&reclen, buf + at + 16, sizeof reclen);
		int i;
		char tail;
		if (sscanf(name, "f%d%c", &i, &tail) == 1 && i >= 0 && i < n) {
			EXPECT(!seen[i], "f%d listed twice", i);
			seen[i] = 1;
			(*count)++;
		}
		at += reclen;
	}
	return 0;
}

/* A name removed before the listing reaches it is never listed, though
 * the server builds each reply ahead of its request: the names changed,
 * so the reply built ahead is dropped. */
static int c_readdir_fresh(void)
{
	enum { N = 5000 };
	static char buf[32768];
	static unsigned char seen[N];
	char name[32];
	int dfd, first = 0, later = 0;
	SYS(mkdir("d", 0755));
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "d/f%d", i);
		SYS(touch(name));
	}
	SYS(dfd = open("d", O_RDONLY | O_DIRECTORY));
	long got = syscall(SYS_getdents64, dfd, buf, sizeof buf);
	EXPECT(got > 0, "getdents64: %s", errname(errno));
	if (f_names(buf, got, seen, N, &first))
		return -1;
	EXPECT(first > 0 && first < N, "%d names in the first reply", first);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "d/f%d", i);
		if (!seen[i])
			SYS(unlink(name));
	}
	while ((got = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0)
		if (f_names(buf, got, seen, N, &later))
			return -1;
	EXPECT(got == 0, "getdents64: %s", errname(errno));
	close(dfd);
	EXPECT(later == 0, "%d names listed after their removal", later);
	return 0;
}

/* telldir/seekdir resume at the same place. */
static int c_readdir_seek(void)
{
	enum { N = 300 };
	char name[32], first[N][256];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "f%d", i);
		SYS(touch(name));
	}
	DIR *d = opendir(".");
	EXPECT(d, "opendir: %s", errname(errno));
	struct dirent *e;
	for (int i = 0; i < 150; i++)
		EXPECT(readdir(d), "short listing");
	long pos = telldir(d);
	int n = 0;
	while ((e = readdir(d)) && n < N)
		snprintf(first[n++], 256, "%s", e->d_name);
	seekdir(d, pos);
	for (int i = 0; i < n; i++) {
		e = readdir(d);
		EXPECT(e && !strcmp(e->d_name, first[i]), "after seekdir entry %d is %s, want %s",
		       i, e ? e->d_name : "(end)", first[i]);
	}
	EXPECT(!readdir(d), "more entries after seekdir than before");
	rewinddir(d);
	int total = 0;
	while (readdir(d))
		total++;
	EXPECT(total == N + 2, "after rewinddir %d entries, want %d", total, N + 2);
	closedir(d);
	return 0;
}

/* 100,000 entries in one directory: create, look up at random, list. */
static int c_bigdir(void)
{
	enum { N = 100000 };
	char name[32];
	int dfd;
	SYS(mkdir("d", 0755));
	SYS(dfd = open("d", O_RDONLY | O_DIRECTORY));
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "f%d", i);
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
		SYS(fd);
		close(fd);
	}
	uint64_t rs = 99;
	struct stat st;
	for (int k = 0; k < 2000; k++) {
		int i = (int)(xrand(&rs) % N);
		snprintf(name, sizeof name, "f%d", i);
		SYS(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW));
		EXPECT(S_ISREG(st.st_mode), "%s is not a file", name);
		snprintf(name, sizeof name, "f%d", N + i);
		ERR(fstatat(dfd, name, &st, 0), ENOENT);
	}
	unsigned char *seen = calloc(N, 1);
	DIR *d = opendir("d");
	EXPECT(seen && d, "opendir: %s", errname(errno));
	int other = 0;
	if (names_seen(d, seen, N, &other))
		return -1;
	closedir(d);
	EXPECT(other == 2, "%d unexpected entries", other - 2);
	for (int i = 0; i < N; i++)
		EXPECT(seen[i], "f%d missing from the listing", i);
	free(seen);
	close(dfd);
	return 0;
}

/* Symlinks: readlink, lstat, dangling, loops, O_NOFOLLOW. */
static int c_symlink(void)
{
	char buf[PATH_MAX];
	SYS(put("target", "content"));
	SYS(symlink("target", "l"));
	ssize_t n = readlink("l", buf, sizeof buf);
	EXPECT(n == 6 && !memcmp(buf, "target", 6), "readlink gave %zd", n);
	struct stat st, ls;
	SYS(lstat("l", &ls));
	EXPECT(S_ISLNK(ls.st_mode) && ls.st_size == 6, "lstat: mode %o size %lld", ls.st_mode,
	       (long long)ls.st_size);
	SYS(stat("l", &st));
	EXPECT(S_ISREG(st.st_mode) && st.st_ino == ino_of("target"), "stat does not follow");
	EXPECT(holds("l", "content"), "reading through the link");
	SYS(symlink("missing", "dangle"));
	ERR(stat("dangle", &st), ENOENT);
	SYS(lstat("dangle", &st));
	ERR(symlink("x", "l"), EEXIST);
	ERR(readlink("target", buf, sizeof buf), EINVAL);
	SYS(symlink("loop2", "loop1"));
	SYS(symlink("loop1", "loop2"));
	ERR(stat("loop1", &st), ELOOP);
	ERR(open("l", O_RDONLY | O_NOFOLLOW), ELOOP);
	SYS(mkdir("sub", 0755));
	SYS(symlink("../target", "sub/up"));
	EXPECT(holds("sub/up", "content"), "relative link resolved wrong");
	memset(buf, 'p', 1000);
	buf[1000] = 0;
	SYS(symlink(buf, "long"));
	char back[PATH_MAX];
	n = readlink("long", back, sizeof back);
	EXPECT(n == 1000 && !memcmp(back, buf, 1000), "1000-byte target: readlink %zd", n);
	SYS(symlink("/etc/hostname", "abs"));
	n = readlink("abs", back, sizeof back);
	EXPECT(n == 13 && !memcmp(back, "/etc/hostname", 13), "absolute target lost");
	return 0;
}

/* Hard links: shared inode, nlink counts, survival of the data. */
static int c_hardlink(void)
{
	SYS(put("f", "shared"));
	struct stat a, b;
	SYS(stat("f", &a));
	tick_past(a.st_ctim);
	SYS(mkdir("d", 0755));
	SYS(link("f", "g"));
	SYS(link("f", "d/h"));
	SYS(stat("g", &b));
	EXPECT(b.st_ino == a.st_ino, "link has another inode");
	EXPECT(b.st_nlink == 3 && nlink_of("f") == 3 && nlink_of("d/h") == 3,
	       "nlink %lu, want 3", (unsigned long)b.st_nlink);
	EXPECT(ts_cmp(b.st_ctim, a.st_ctim) > 0, "link did not update ctime");
	ERR(link("f", "g"), EEXIST);
	ERR(link("d", "dl"), EPERM);
	ERR(link("none", "x"), ENOENT);
	SYS(unlink("f"));
	EXPECT(nlink_of("g") == 2, "after unlink nlink %ld", nlink_of("g"));
	EXPECT(holds("g", "shared") && holds("d/h", "shared"), "data lost with one name");
	SYS(put("d/h", "changed"));
	EXPECT(holds("g", "changed"), "write through one name not seen by the other");
	SYS(rename("g", "d/h")); /* same inode: a no-op that keeps both */
	EXPECT(nlink_of("g") == 2 && nlink_of("d/h") == 2, "rename onto a sibling link");
	SYS(unlink("g"));
	EXPECT(nlink_of("d/h") == 1, "last name nlink %ld", nlink_of("d/h"));
	return 0;
}

/* rename of files: to a new name, over a file, across directories; type
 * mismatches fail. */
static int c_rename_file(void)
{
	SYS(put("a", "A"));
	SYS(put("b", "B"));
	ino_t ia = ino_of("a");
	SYS(rename("a", "c"));
	struct stat st;
	ERR(stat("a", &st), ENOENT);
	EXPECT(ino_of("c") == ia && holds("c", "A"), "renamed file changed");
	int fd;
	SYS(fd = open("b", O_RDONLY)); /* the replaced file stays readable */
	SYS(rename("c", "b"));
	EXPECT(ino_of("b") == ia && holds("b", "A"), "rename over a file");
	char buf[4] = {0};
	EXPECT(pread(fd, buf, 3, 0) == 1 && buf[0] == 'B', "replaced file's data lost");
	close(fd);
	SYS(mkdir("d", 0755));
	SYS(rename("b", "d/moved"));
	EXPECT(holds("d/moved", "A"), "rename across directories");
	SYS(mkdir("e", 0755));
	SYS(put("f", "F"));
	ERR(rename("f", "e"), EISDIR);
	ERR(rename("e", "f"), ENOTDIR);
	ERR(rename("none", "x"), ENOENT);
	ERR(rename("f", "none/x"), ENOENT);
	EXPECT(holds("f", "F"), "failed rename changed the source");
	return 0;
}

/* rename of directories: over an empty one, not over a non-empty one, not
 * into its own subtree; ".." follows. */
static int c_rename_dir(void)
{
	SYS(mkdir("a", 0755));
	SYS(put("a/x", "X"));
	SYS(mkdir("a/sub", 0755));
	SYS(mkdir("empty", 0755));
	SYS(mkdir("full", 0755));
	SYS(put("full/y", "Y"));
	ino_t ia = ino_of("a");
	ERR2(rename("a", "full"), ENOTEMPTY, EEXIST);
	EXPECT(holds("full/y", "Y") && holds("a/x", "X"), "failed rename changed something");
	ERR(rename("a", "a/sub/inside"), EINVAL);
	ERR(rename("a", "a/sub"), EINVAL);
	SYS(rename("a", "empty"));
	EXPECT(ino_of("empty") == ia && holds("empty/x", "X"), "dir over empty dir");
	struct stat st;
	ERR(stat("a", &st), ENOENT);
	SYS(mkdir("p", 0755));
	SYS(rename("empty", "p/moved"));
	EXPECT(ino_of("p/moved/sub/..") == ia && ino_of("p/moved/..") == ino_of("p"),
	       "'..' not updated by rename");
	EXPECT(holds("p/moved/x", "X"), "content lost in the move");
	return 0;
}

/* RENAME_NOREPLACE refuses an existing target and leaves both alone. */
static int c_rename_noreplace(void)
{
	SYS(put("a", "A"));
	SYS(put("b", "B"));
	ERR(renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
	EXPECT(holds("a", "A") && holds("b", "B"), "NOREPLACE changed something");
	SYS(renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
	EXPECT(holds("c", "A"), "NOREPLACE to a free name");
	return 0;
}

/* RENAME_EXCHANGE swaps a file and a directory atomically. */
static int c_rename_exchange(void)
{
	SYS(put("f", "file"));
	SYS(mkdir("d", 0755));
	SYS(put("d/in", "in"));
	SYS(mkdir("p", 0755));
	ino_t fi = ino_of("f"), di = ino_of("d");
	SYS(renameat2(AT_FDCWD, "f", AT_FDCWD, "d", RENAME_EXCHANGE));
	struct stat st;
	SYS(lstat("f", &st));
	EXPECT(S_ISDIR(st.st_mode) && st.st_ino == di && holds("f/in", "in"), "f is not the dir");
	SYS(lstat("d", &st));
	EXPECT(S_ISREG(st.st_mode) && st.st_ino == fi && holds("d", "file"), "d is not the file");
	/* across directories: '..' of the swapped dir and both parents'
	 * link counts follow */
	SYS(put("p/g", "g"));
	long top = nlink_of("."), pn = nlink_of("p");
	SYS(renameat2(AT_FDCWD, "f", AT_FDCWD, "p/g", RENAME_EXCHANGE));
	EXPECT(ino_of("p/g") == di && ino_of("p/g/..") == ino_of("p") && holds("f", "g"),
	       "exchange across directories");
	EXPECT(nlink_of(".") == top - 1 && nlink_of("p") == pn + 1,
	       "parent nlink after exchanging a dir across: %ld->%ld, %ld->%ld", top,
	       nlink_of("."), pn, nlink_of("p"));
	ERR(renameat2(AT_FDCWD, "d", AT_FDCWD, "none", RENAME_EXCHANGE), ENOENT);
	return 0;
}

/* rename of a name to itself succeeds and changes nothing. */
static int c_rename_self(void)
{
	SYS(put("f", "F"));
	SYS(mkdir("d", 0755));
	ino_t fi = ino_of("f");
	SYS(rename("f", "f"));
	SYS(rename("d", "d"));
	EXPECT(ino_of("f") == fi && holds("f", "F") && nlink_of("f") == 1, "rename to itself");
	struct stat st;
	SYS(stat("d", &st));
	return 0;
}

/* ENOTDIR, EISDIR and O_DIRECTORY errors. */
static int c_dir_errors(void)
{
	SYS(put("f", "F"));
	SYS(mkdir("d", 0755));
	ERR(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	ERR(open("d", O_WRONLY), EISDIR);
	ERR(open("d", O_RDWR), EISDIR);
	ERR(open("f/x", O_RDONLY), ENOTDIR);
	ERR(open("f/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
	ERR(open("none", O_RDONLY), ENOENT);
	ERR(open("none/x", O_WRONLY | O_CREAT, 0644), ENOENT);
	int fd;
	SYS(fd = open("d", O_RDONLY | O_DIRECTORY));
	char c;
	ERR(read(fd, &c, 1), EISDIR);
	close(fd);
	EXPECT(!opendir("f") && errno == ENOTDIR, "opendir of a file");
	ERR(chdir("f"), ENOTDIR);
	return 0;
}

/* 255-byte names work everywhere, 256-byte names fail ENAMETOOLONG; odd
 * bytes in names round-trip through readdir. */
static int c_long_names(void)
{
	char n255[256], n256[257], other[256];
	memset(n255, 'a', 255), n255[255] = 0;
	memset(n256, 'b', 256), n256[256] = 0;
	memset(other, 'c', 255), other[255] = 0;
	SYS(put(n255, "long"));
	EXPECT(holds(n255, "long"), "255-byte name");
	SYS(rename(n255, other));
	SYS(mkdir(n255, 0755));
	SYS(symlink(other, n255 + 1));
	ERR(open(n256, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
	ERR(mkdir(n256, 0755), ENAMETOOLONG);
	ERR(symlink("x", n256), ENAMETOOLONG);
	ERR(link(other, n256), ENAMETOOLONG);
	ERR(rename(other, n256), ENAMETOOLONG);
	struct stat st;
	ERR(stat(n256, &st), ENAMETOOLONG);
	const char *odd[] = {"sp ace", "new\nline", "tab\t", "\xc3\xa9t\xc3\xa9", "*?[",
			     "back\\slash", "-dash", ".hidden", "..dots", "\x01\x7f\xff"};
	size_t nodd = sizeof odd / sizeof *odd;
	for (size_t i = 0; i < nodd; i++)
		SYS(put(odd[i], odd[i]));
	DIR *d = opendir(".");
	EXPECT(d, "opendir");
	int found = 0, longs = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		for (size_t i = 0; i < nodd; i++)
			found += !strcmp(e->d_name, odd[i]);
		longs += strlen(e->d_name) == 255 || strlen(e->d_name) == 254;
	}
	closedir(d);
	EXPECT(found == (int)nodd, "%d of %zu odd names listed", found, nodd);
	EXPECT(longs == 3, "%d long names listed, want 3", longs);
	for (size_t i = 0; i < nodd; i++)
		EXPECT(holds(odd[i], odd[i]), "odd name %zu", i);
	return 0;
}

/* Paging through a listing of 2,000 maximal names returns each once. */
static int c_readdir_longnames(void)
{
	enum { N = 2000 };
	char name[256];
	memset(name, 'n', 255);
	name[255] = 0;
	for (int i = 0; i < N; i++) {
		snprintf(name, 16, "%06d", i);
		name[6] = 'n';
		SYS(touch(name));
	}
	unsigned char seen[N] = {0};
	DIR *d = opendir(".");
	EXPECT(d, "opendir");
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		int i = atoi(e->d_name);
		EXPECT(strlen(e->d_name) == 255 && i >= 0 && i < N && !seen[i], "bad or repeated %.10s",
		       e->d_name);
		seen[i] = 1, n++;
	}
	closedir(d);
	EXPECT(n == N, "%d of %d long names listed", n, N);
	return 0;
}

/* A removed directory that is still open and some process's cwd keeps
 * its inode (fstat works, nlink 0) but lists nothing (Linux: ENOENT) and
 * refuses new entries. */
static int c_rmdir_cwd(void)
{
	SYS(mkdir("d", 0755));
	int dfd;
	SYS(dfd = open("d", O_RDONLY | O_DIRECTORY));
	SYS(chdir("d"));
	SYS(rmdir("../d"));
	ERR(open("x", O_WRONLY | O_CREAT, 0644), ENOENT);
	ERR(mkdir("x", 0755), ENOENT);
	char dbuf[4096];
	long got = syscall(SYS_getdents64, dfd, dbuf, sizeof dbuf);
	EXPECT(got == 0 || (got == -1 && errno == ENOENT), "getdents of a removed dir: %ld (%s)",
	       got, got < 0 ? errname(errno) : "entries");
	struct stat st;
	SYS(fstat(dfd, &st));
	EXPECT(S_ISDIR(st.st_mode) && st.st_nlink == 0, "removed dir: mode %o nlink %lu",
	       st.st_mode, (unsigned long)st.st_nlink);
	close(dfd);
	SYS(chdir(".."));
	return 0;
}

/* rename over one name of a hard-linked file drops its link count. */
static int c_rename_over_link(void)
{
	SYS(put("a", "A"));
	SYS(put("b", "B"));
	SYS(link("b", "c"));
	SYS(rename("a", "b"));
	EXPECT(nlink_of("c") == 1 && holds("c", "B"), "replaced link: nlink %ld", nlink_of("c"));
	EXPECT(nlink_of("b") == 1 && holds("b", "A"), "new b");
	return 0;
}

/* conc_child: worker w of c_concurrency: unique files, atomic replaces of
 * a shared name, its own stripes of a shared file; exit status 0 if ok. */
static int conc_child(int w)
{
	char name[64], tmp[64], buf[4096];
	int shared = open("shared", O_WRONLY);
	if (shared < 0)
		return 1;
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "w%d-%d", w, i);
		snprintf(buf, sizeof buf, "%s", name);
		if (put(name, buf) < 0)
			return 2;
		snprintf(tmp, sizeof tmp, "tmp%d", w);
		memset(buf, 'a' + w, 1000);
		buf[1000] = 0;
		if (put(tmp, buf) < 0 || rename(tmp, "target") < 0)
			return 3;
		if (i % 3 == 0) {
			snprintf(name, sizeof name, "w%d-%d", w, i / 3);
			snprintf(tmp, sizeof tmp, "r%d-%d", w, i / 3);
			if (rename(name, tmp) < 0)
				return 4;
		}
		pattern_fill(buf, 4096, (uint64_t)w, 0);
		if (pwrite_all(shared, buf, 4096, (off_t)(i * 4 + w) * 4096) < 0)
			return 5;
	}
	return close(shared) < 0 ? 6 : 0;
}

/* Four processes create, rename and write in one directory at once; the
 * result is exactly what each of them did. */
static int c_concurrency(void)
{
	enum { W = 4 };
	int fd;
	SYS(fd = open("shared", O_WRONLY | O_CREAT, 0644));
	close(fd);
	pid_t pids[W];
	for (int w = 0; w < W; w++)
		if ((pids[w] = fork()) == 0)
			_exit(conc_child(w));
	for (int w = 0; w < W; w++) {
		int st;
		SYS(waitpid(pids[w], &st, 0));
		EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d failed at step %d", w,
		       WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	char name[64], want[64], buf[4096];
	int files = 0;
	for (int w = 0; w < W; w++)
		for (int i = 0; i < 300; i++) {
			int moved = i < 100;
			snprintf(name, sizeof name, moved ? "r%d-%d" : "w%d-%d", w, i);
			snprintf(want, sizeof want, "w%d-%d", w, i);
			EXPECT(holds(name, want), "%s lost or wrong", name);
			files++;
		}
	SYS(read_small("target", buf, sizeof buf));
	EXPECT(strlen(buf) == 1000 && strspn(buf, buf[0] == 'a' ? "a" : buf[0] == 'b' ? "b" :
						 buf[0] == 'c' ? "c" : "d") == 1000,
	       "target is not one whole version");
	SYS(fd = open("shared", O_RDONLY));
	for (int k = 0; k < 300 * W; k++) {
		SYS(pread_all(fd, buf, 4096, (off_t)k * 4096));
		EXPECT(pattern_check(buf, 4096, (uint64_t)(k % W), 0) < 0, "stripe %d wrong", k);
	}
	close(fd);
	DIR *d = opendir(".");
	EXPECT(d, "opendir");
	int n = 0;
	while (readdir(d))
		n++;
	closedir(d);
	EXPECT(n == files + 4, "%d entries listed, want %d", n, files + 4);
	return 0;
}

const struct check dir_checks[] = {
	{"mkdir_rmdir", c_mkdir_rmdir, 0, "mkdir/rmdir and EEXIST, ENOTEMPTY ..."},
	{"dir_nlink", c_dir_nlink, 0, "directory link counts"},
	{"readdir_all", c_readdir_all, 0, "readdir lists all, d_type, d_ino, st_blksize"},
	{"readdir_unlink", c_readdir_unlink, 0, "readdir+unlink pass over 5,000 entries"},
	{"readdir_stable", c_readdir_stable, 0, "listing stable under churn"},
	{"readdir_seek", c_readdir_seek, 0, "telldir/seekdir/rewinddir"},
	{"readdir_fresh", c_readdir_fresh, 0, "no name listed after its removal"},
	{"readdir_longnames", c_readdir_longnames, 0, "listing of 2,000 255-byte names"},
	{"rmdir_cwd", c_rmdir_cwd, 0, "a removed cwd is empty and closed"},
	{"rename_over_link", c_rename_over_link, 0, "rename over a hard link"},
	{"concurrency", c_concurrency, 0, "4 processes creating, renaming, writing"},
	{"bigdir", c_bigdir, SLOW, "100,000 entries: create, lookup, list"},
	{"symlink", c_symlink, 0, "symlinks, dangling, loops"},
	{"hardlink", c_hardlink, 0, "hard links and nlink"},
	{"rename_file", c_rename_file, 0, "rename of files"},
	{"rename_dir", c_rename_dir, 0, "rename of directories"},
	{"rename_noreplace", c_rename_noreplace, 0, "RENAME_NOREPLACE"},
	{"rename_exchange", c_rename_exchange, 0, "RENAME_EXCHANGE file/dir"},
	{"rename_self", c_rename_self, 0, "rename to itself"},
	{"dir_errors", c_dir_errors, 0, "ENOTDIR/EISDIR/O_DIRECTORY"},
	{"long_names", c_long_names, 0, "255/256-byte and odd names"},
	{0},
};
