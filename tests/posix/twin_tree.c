/*
 * twin-tree: the same random namespace calls in two directories, one on
 * the file system under test and its twin on the host's, each call's
 * result (its errno too) required to be the same in both; then, or on
 * its own with CALLS 0, both trees compared node for node.
 *
 *   twin-tree DIR TWIN SEED CALLS
 *
 * The calls, over a few names in a few directories: create (with a few
 * bytes), mkdir, symlink, link, unlink, rmdir, rename (plain,
 * RENAME_NOREPLACE, RENAME_EXCHANGE), chmod (set-id and sticky bits
 * too), truncate, setting (plain, create-only, replace-only) and
 * removing user xattrs, lchown, utimensat (times to the nanosecond, or
 * now; of a symlink too) and mknod (fifos and character devices), each
 * as root or as one of two other users (setfsuid and setfsgid, which
 * also take root's file capabilities away), in roots open to all with
 * the sticky bit, as /tmp is.  The comparison: the same names, each of
 * the same type, mode, owner, link count, size (files), device number,
 * content, symlink target and xattrs, and a modification time within
 * MTIME_SLACK seconds of the twin's: exactly the same when it was set
 * (it is set years back, so a time that moved on one side only stands
 * out).  Needs root (chown, mknod).  Exit 0 when all agree, 1 with the
 * first difference otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "tests/posix/posix.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)
#endif

enum { NAMES = 4, DEPTH = 3 }; /* calls name paths DEPTH deep; renames nest them deeper */
enum { KINDS = 16 };
/* The two sides apply a call a few microseconds apart, so times they
 * set to now differ that little; one that moved on one side only moves
 * from years back. */
enum { MTIME_SLACK = 60 };

/* pick: a random path of up to DEPTH names below root into out. */
static void pick(uint64_t *s, const char *root, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s", root);
	for (int d = 1 + (int)(xrand(s) % DEPTH); d > 0; d--)
		n += snprintf(out + n, cap - (size_t)n, "/%c", (char)('a' + xrand(s) % NAMES));
}

/* One call: its kind, who makes it (an index into ids), its two paths
 * (relative, under either root), a number (mode, size, flags). */
struct call {
	unsigned kind, who;
	char a[64], b[64];
	uint64_t n;
};

/* draw: the next call of the sequence at *s. */
static struct call draw(uint64_t *s)
{
	struct call c = {.kind = (unsigned)(xrand(s) % KINDS), .who = (unsigned)(xrand(s) % 3)};
	pick(s, "", c.a, sizeof c.a);
	pick(s, "", c.b, sizeof c.b);
	c.n = xrand(s);
	return c;
}

/* set_times: utimensat of path with times drawn from n: each to a given
 * second and nanosecond years back, to now, or left (UTIME_OMIT); the
 * link itself when n says so. */
static int set_times(const char *path, uint64_t n)
{
	struct timespec t[2];
	for (int i = 0; i < 2; i++, n >>= 8) {
		unsigned k = (unsigned)(n % 4);
		t[i] = (struct timespec){1000000000 + (time_t)(n % 100000), (long)(n % 1000000000)};
		if (k == 2)
			t[i].tv_nsec = UTIME_NOW;
		else if (k == 3)
			t[i].tv_nsec = UTIME_OMIT;
	}
	return utimensat(AT_FDCWD, path, t, n & 1 ? AT_SYMLINK_NOFOLLOW : 0);
}

/* call: make call c under root; 0 or the errno it failed with. */
static int call(const char *root, const struct call *c)
{
	char a[300], b[300], xname[16]; /* xname: the user xattr kinds 11 and 12 use */
	snprintf(a, sizeof a, "%s%s", root, c->a);
	snprintf(b, sizeof b, "%s%s", root, c->b);
	snprintf(xname, sizeof xname, "user.k%u", (unsigned)(c->n % 3));
	int rc, fd;
	switch (c->kind) {
	case 0:
		rc = (fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644)) < 0 ? -1
		     : write_all(fd, c->b, strlen(c->b)) | close(fd);
		break;
	case 1: rc = mkdir(a, 0755); break;
	case 2: rc = symlink(c->b, a); break;
	case 3: rc = link(a, b); break;
	case 4: rc = unlink(a); break;
	case 5: rc = rmdir(a); break;
	case 6: case 7: case 8:
		rc = renameat2(AT_FDCWD, a, AT_FDCWD, b,
			       c->kind == 6 ? 0 : c->kind == 7 ? RENAME_NOREPLACE : RENAME_EXCHANGE);
		break;
	case 9: rc = chmod(a, (mode_t)(c->n % 010000)); break;
	case 10: rc = truncate(a, (off_t)(c->n % 70000)); break;
	case 11:
		rc = lsetxattr(a, xname, c->b, (c->n >> 8) % (strlen(c->b) + 1),
			       (int)((c->n >> 16) % 3)); /* 0, XATTR_CREATE, XATTR_REPLACE */
		break;
	case 12: rc = lremovexattr(a, xname); break;
	case 13: {
		static const int owners[] = {-1, 0, 1000, 65534};
		rc = lchown(a, (uid_t)owners[c->n % 4], (gid_t)owners[(c->n >> 4) % 4]);
		break;
	}
	case 14: rc = set_times(a, c->n); break;
	default:
		rc = mknod(a, (c->n & 1 ? S_IFCHR : S_IFIFO) | (mode_t)((c->n >> 1) % 01000),
			   makedev((unsigned)(c->n >> 12) % 300, (unsigned)(c->n >> 24) % 300));
	}
	return rc ? errno : 0;
}

/* The users calls are made as: root and two others. */
static const unsigned ids[] = {0, 1000, 65534};

/* as: make this thread's file-system calls as user and group id (root
 * again, with its capabilities, for 0). */
static void as(unsigned id)
{
	setfsgid(id);
	setfsuid(id);
}

/* apply: call c under root as its user; 0 or the errno it failed with. */
static int apply(const char *root, const struct call *c)
{
	as(ids[c->who]);
	int rc = call(root, c);
	as(0);
	return rc;
}

static int same_xattrs(const char *a, const char *b);

/* same: the nodes a and b (lstat'd as sa, sb) agree, and so do the trees
 * below them; 0 or -1 after saying where they differ. */
static int same(const char *a, const char *b);

/* same_mtime: modification times a and b agree: within MTIME_SLACK
 * seconds, to the nanosecond when either was set (years back). */
static int same_mtime(const struct timespec *a, const struct timespec *b)
{
	time_t recent = time(NULL) - 3600 * 24 * 365;
	if (a->tv_sec < recent || b->tv_sec < recent)
		return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
	return llabs((long long)(a->tv_sec - b->tv_sec)) <= MTIME_SLACK;
}

/* same_node: what lstat, a symlink's target and a file's bytes say. */
static int same_node(const char *a, const char *b, const struct stat *sa, const struct stat *sb)
{
	if ((sa->st_mode & S_IFMT) != (sb->st_mode & S_IFMT) || (sa->st_mode & 07777) != (sb->st_mode & 07777) ||
	    sa->st_nlink != sb->st_nlink || (!S_ISDIR(sa->st_mode) && sa->st_size != sb->st_size) ||
	    sa->st_uid != sb->st_uid || sa->st_gid != sb->st_gid || sa->st_rdev != sb->st_rdev) {
		fprintf(stderr, "twin-tree: %s: mode %o links %lu size %lld owner %u:%u device %#llx, "
			"twin mode %o links %lu size %lld owner %u:%u device %#llx\n",
			a, sa->st_mode, (unsigned long)sa->st_nlink, (long long)sa->st_size, sa->st_uid, sa->st_gid,
			(unsigned long long)sa->st_rdev, sb->st_mode, (unsigned long)sb->st_nlink,
			(long long)sb->st_size, sb->st_uid, sb->st_gid, (unsigned long long)sb->st_rdev);
		return -1;
	}
	if (!same_mtime(&sa->st_mtim, &sb->st_mtim)) {
		fprintf(stderr, "twin-tree: %s: modified %lld.%09ld, twin %lld.%09ld\n", a,
			(long long)sa->st_mtim.tv_sec, sa->st_mtim.tv_nsec, (long long)sb->st_mtim.tv_sec,
			sb->st_mtim.tv_nsec);
		return -1;
	}
	static char ta[70000], tb[70000]; /* used up before same() recurses */
	ssize_t na = S_ISLNK(sa->st_mode) ? readlink(a, ta, sizeof ta) : S_ISREG(sa->st_mode) ? read_small(a, ta, sizeof ta) : 0;
	ssize_t nb = S_ISLNK(sb->st_mode) ? readlink(b, tb, sizeof tb) : S_ISREG(sb->st_mode) ? read_small(b, tb, sizeof tb) : 0;
	if (na != nb || na < 0 || memcmp(ta, tb, (size_t)na)) {
		fprintf(stderr, "twin-tree: %s: its bytes or target differ from the twin's\n", a);
		return -1;
	}
	if (same_xattrs(a, b))
		return -1;
	return S_ISDIR(sa->st_mode) ? same(a, b) : 0;
}

/* by_name, by_name_ptr: qsort orders of names held in place and of
 * pointers to names. */
static int by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}
static int by_name_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* xattrs: node p's xattr names (sorted), each followed by its value,
 * into out (cap bytes); the length, or -1. */
static ssize_t xattrs(const char *p, char *out, size_t cap)
{
	char list[1024], *names[32];
	ssize_t n = llistxattr(p, list, sizeof list);
	size_t k = 0, len = 0;
	for (char *q = list; n > 0 && q < list + n && k < 32; q += strlen(q) + 1)
		names[k++] = q;
	if (n < 0)
		return errno == ENOTSUP ? 0 : -1;
	qsort(names, k, sizeof *names, by_name_ptr);
	for (size_t i = 0; i < k; i++) {
		size_t nl = strlen(names[i]) + 1;
		if (len + nl > cap)
			return -1;
		memcpy(out + len, names[i], nl);
		len += nl;
		ssize_t v = lgetxattr(p, names[i], out + len, cap - len);
		if (v < 0)
			return -1;
		len += (size_t)v;
	}
	return (ssize_t)len;
}

/* same_xattrs: nodes a and b hold the same xattrs; 0 or -1. */
static int same_xattrs(const char *a, const char *b)
{
	char xa[4096], xb[4096];
	ssize_t na = xattrs(a, xa, sizeof xa), nb = xattrs(b, xb, sizeof xb);
	if (na < 0 || na != nb || memcmp(xa, xb, (size_t)na)) {
		fprintf(stderr, "twin-tree: %s: its xattrs differ from the twin's\n", a);
		return -1;
	}
	return 0;
}

/* A directory's names: how many it holds (without . and ..), and the
 * first NAMES of them, sorted. */
struct listing {
	int n;
	char name[NAMES][NAME_MAX + 1];
};

/* names: directory d's names into l; 0 or -1. */
static int names(const char *d, struct listing *l)
{
	DIR *dp = opendir(d);
	struct dirent *e;
	l->n = 0;
	if (!dp)
		return -1;
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && l->n++ < NAMES)
			memcpy(l->name[l->n - 1], e->d_name, strlen(e->d_name) + 1);
	closedir(dp);
	qsort(l->name, (size_t)(l->n < NAMES ? l->n : NAMES), sizeof l->name[0], by_name);
	return 0;
}

/* child: dir/name into out (PATH_MAX bytes); 0, or -1 if too long. */
static int child(char *out, const char *dir, const char *name)
{
	return snprintf(out, PATH_MAX, "%s/%s", dir, name) < PATH_MAX ? 0 : -1;
}

static int same(const char *a, const char *b)
{
	struct listing *la = malloc(sizeof *la), *lb = malloc(sizeof *lb);
	char *pa = malloc(PATH_MAX), *pb = malloc(PATH_MAX);
	int rc = 0;
	if (!la || !lb || !pa || !pb || names(a, la) || names(b, lb)) {
		fprintf(stderr, "twin-tree: %s: cannot list it or its twin: %s\n", a, strerror(errno));
		rc = -1;
	} else if (la->n != lb->n || la->n > NAMES) {
		fprintf(stderr, "twin-tree: %s holds %d names, its twin %d\n", a, la->n, lb->n);
		rc = -1;
	}
	for (int i = 0; !rc && i < la->n; i++) {
		struct stat sa, sb;
		if (strcmp(la->name[i], lb->name[i]) || child(pa, a, la->name[i]) ||
		    child(pb, b, lb->name[i]) || lstat(pa, &sa) || lstat(pb, &sb)) {
			fprintf(stderr, "twin-tree: %s/%s: no twin in %s\n", a, la->name[i], b);
			rc = -1;
		} else {
			rc = same_node(pa, pb, &sa, &sb);
		}
	}
	free(la), free(lb), free(pa), free(pb);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: twin-tree DIR TWIN SEED CALLS\n");
		return 2;
	}
	uint64_t seed = strtoull(argv[3], NULL, 0) | 1;
	int calls = atoi(argv[4]);
	if (calls > 0 && (chmod(argv[1], 01777) || chmod(argv[2], 01777))) {
		perror("twin-tree: chmod");
		return 1;
	}
	for (int i = 0; i < calls; i++) {
		struct call c = draw(&seed);
		int ra = apply(argv[1], &c), rb = apply(argv[2], &c);
		if (ra != rb) {
			fprintf(stderr, "twin-tree: call %d (kind %u as %u, %s, %s): %s, twin %s\n", i, c.kind,
				ids[c.who], c.a, c.b,
				ra ? errname(ra) : "ok", rb ? errname(rb) : "ok");
			return 1;
		}
	}
	return same(argv[1], argv[2]) ? 1 : 0;
}
