/*
 * fuse_selftest.c: a tiny provider that exercises the provider dispatch
 * end to end, for the tests (tests/integration/mount_reserved.sh) and as a
 * worked example for the subsystems that plug in for real.  It is
 * registered only when the environment variable ORION_FUSE_SELFTEST names
 * a reserved root name no real provider took.
 *
 * Its tree: NAME/ with
 *   info  read-only status file ("key value" lines), generated at open
 *   echo  transaction file: write "upper TEXT" (or "lower TEXT"), then read
 *         the reply on the same fd; anything else fails with EINVAL and
 *         the error text is readable on the fd.
 */
#include "orionfs/fuse_internal.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CMD_MAX 4096

enum { L_ROOT = 1, L_INFO, L_ECHO };

static const struct {
	const char *name;
	uint64_t ino;
	mode_t mode;
} files[] = {
	{"info", L_INFO, S_IFREG | 0444},
	{"echo", L_ECHO, S_IFREG | 0600},
};

/* Per-open state: the generated text or the last reply, and where the
 * next read continues in it (transaction replies ignore the file offset,
 * which the write moved). */
struct fh {
	char buf[CMD_MAX + 64];
	size_t len, rpos;
};

static struct timespec born;

/* st_getattr: attributes of a local inode. */
static int st_getattr(void *arg, uint64_t ino, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_ino = ino;
	st->st_atim = st->st_mtim = st->st_ctim = born;
	if (ino == L_ROOT) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (files[i].ino == ino) {
			st->st_mode = files[i].mode;
			st->st_nlink = 1;
			return 0; /* size 0: generated, read with direct_io */
		}
	}
	return -ENOENT;
}

static int st_lookup(void *arg, uint64_t parent, const char *name, struct stat *st)
{
	if (parent != L_ROOT)
		return -ENOTDIR;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		if (strcmp(files[i].name, name) == 0)
			return st_getattr(arg, files[i].ino, st);
	return -ENOENT;
}

static int st_readdir(void *arg, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn, void *fa)
{
	if (ino != L_ROOT)
		return -ENOTDIR;
	for (size_t i = cookie; i < sizeof files / sizeof files[0]; i++) {
		struct ofs_dirent d = {files[i].ino, DT_REG, i + 1, files[i].name,
				       strlen(files[i].name)};
		int rc = fn(fa, &d);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

static int st_open(void *arg, uint64_t ino, int flags, const struct ofs_fuse_caller *c,
		   void **fhp, unsigned *how)
{
	if (ino == L_ROOT)
		return -EISDIR;
	struct fh *fh = calloc(1, sizeof *fh);
	if (!fh)
		return -ENOMEM;
	if (ino == L_INFO)
		fh->len = (size_t)snprintf(fh->buf, sizeof fh->buf,
					   "provider %s\nstate running\nuid %u\npid %d\n",
					   (const char *)arg, (unsigned)c->uid, (int)getpid());
	*fhp = fh;
	*how = OFS_FUSE_DIRECT_IO;
	return 0;
}

static ssize_t st_read(void *arg, uint64_t ino, void *vfh, char *buf, size_t size, off_t off,
		       const struct ofs_fuse_caller *c)
{
	struct fh *fh = vfh;
	size_t from = ino == L_ECHO ? fh->rpos : (size_t)off;
	if (from >= fh->len)
		return 0;
	size_t n = fh->len - from < size ? fh->len - from : size;
	memcpy(buf, fh->buf + from, n);
	if (ino == L_ECHO)
		fh->rpos += n;
	return (ssize_t)n;
}

/* reply: set fh's reply text (and rewind its reader). */
static void reply(struct fh *fh, const char *fmt, const char *a, size_t alen)
{
	fh->len = (size_t)snprintf(fh->buf, sizeof fh->buf, fmt, (int)alen, a);
	if (fh->len >= sizeof fh->buf)
		fh->len = sizeof fh->buf - 1;
	fh->rpos = 0;
}

static ssize_t st_write(void *arg, uint64_t ino, void *vfh, const char *buf, size_t size,
			off_t off, const struct ofs_fuse_caller *c)
{
	struct fh *fh = vfh;
	if (ino != L_ECHO)
		return -EBADF;
	if (size > CMD_MAX)
		return -EFBIG;
	size_t n = size;
	if (n && buf[n - 1] == '\n')
		n--;
	const char *sp = memchr(buf, ' ', n);
	size_t vlen = sp ? (size_t)(sp - buf) : n;
	int up = vlen == 5 && !memcmp(buf, "upper", 5);
	if (!sp || (!up && !(vlen == 5 && !memcmp(buf, "lower", 5)))) {
		reply(fh, "error EINVAL unknown command \"%.*s\"\n", buf, n);
		return -EINVAL;
	}
	reply(fh, "%.*s\n", sp + 1, n - vlen - 1);
	for (size_t i = 0; i + 1 < fh->len; i++)
		fh->buf[i] = (char)(up ? toupper((unsigned char)fh->buf[i])
				       : tolower((unsigned char)fh->buf[i]));
	return (ssize_t)size;
}

static void st_release(void *arg, uint64_t ino, void *fh)
{
	free(fh);
}

static const struct ofs_fuse_provider selftest = {
	.timeout = 0, /* generated: always ask */
	.blocks = 1,  /* exercises the deferred path */
	.getattr = st_getattr,
	.lookup = st_lookup,
	.readdir = st_readdir,
	.open = st_open,
	.read = st_read,
	.write = st_write,
	.release = st_release,
};

/* ofs_fuse_selftest: register the test provider under $ORION_FUSE_SELFTEST
 * if that is a free reserved name; 0 when not asked for. */
int ofs_fuse_selftest(struct ofs_fuse *srv)
{
	static struct ofs_fuse_provider p;
	const char *name = getenv("ORION_FUSE_SELFTEST");
	if (!name || !*name)
		return 0;
	if (!ofs_fuse_reserved(name))
		return -EINVAL;
	if (ofs_fuse_slot_named(srv, name) >= 0)
		return 0; /* the real one wins */
	clock_gettime(CLOCK_REALTIME, &born);
	p = selftest;
	p.name = name;
	return ofs_fuse_register(srv, &p, (void *)name);
}
