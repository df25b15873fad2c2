/*
 * fuse_ctl.c: the /ctl provider: the runtime's control files (design
 * section 3).  /ctl is a table of files; each row names the file, its
 * mode and what a write() does, so a new control file (run, snapshot ...)
 * is one row and one handler.
 *
 *  - One command (for /ctl/db: one batch) per write(), at most CTL_MAX
 *    bytes (EFBIG).  The work happens inside write(); a failing command
 *    fails the write with its errno.
 *  - The reply (result text, or "error ENAME reason "command"") is kept
 *    per open file and served to reads on the same fd from its start; each
 *    write replaces it.  A row may also generate text at open (a status
 *    file): reads before any write serve that.
 *  - Files are opened direct_io and report size 0.  The directory and the
 *    files belong to the mount's owner; the files are mode 0600 (the
 *    kernel checks modes: default_permissions).
 */
#include "ctlfs/ctl.h"
#include "orionfs/fuse_db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ctlfs;

/* One control file. */
struct ctl_file {
	const char *name;
	mode_t mode;
	/* a write: text (len bytes) in, reply out; 0 or a negative errno */
	int (*write)(struct ctlfs *c, const char *text, size_t len, struct ctl_reply *r);
	/* text at open (a status file), or NULL */
	int (*show)(struct ctlfs *c, struct ctl_reply *r);
};

struct ctlfs {
	struct ofs_fuse *srv;
	uid_t uid;
	gid_t gid;
	struct timespec born;
};

/* Per open file: the last reply and where reading it has got to. */
struct cfh {
	pthread_mutex_t lock;
	struct ctl_reply r;
	size_t rpos;
};

static struct ctlfs the_ctl;

/* changed_keys: tell /db which keys a successful batch touched (the second
 * field of each command), so the kernel drops what it cached of them. */
static void changed_keys(struct ctlfs *c, const char *text, size_t len)
{
	struct ctl_args *a = malloc(sizeof *a);
	if (!a)
		return;
	for (size_t off = 0; off < len;) {
		int n = ctl_split(text + off, len - off, a, NULL);
		if (n <= 0)
			break;
		if (a->argc >= 2)
			ofs_db_changed(c->srv, a->argv[1]);
		off += (size_t)n;
	}
	free(a);
}

/* db_write: /ctl/db: one batch of put/del lines, all or none. */
static int db_write(struct ctlfs *c, const char *text, size_t len, struct ctl_reply *r)
{
	db *d = ofs_db_handle(c->srv);
	if (!d) {
		r->len = 0;
		ctl_reason(r, -ENODEV, "no database is served");
		return ctl_fail(r, -ENODEV, "", 0);
	}
	int rc = ctl_db_batch(d, text, len, r);
	if (rc == 0)
		changed_keys(c, text, len);
	return rc < 0 ? rc : 0;
}

/* The control files; local number = row index + 2 (1 is /ctl). */
static const struct ctl_file files[] = {
	{"db", S_IFREG | 0600, db_write, NULL},
};
#define NFILES (sizeof files / sizeof files[0])

/* file_of: the row of local number ino, or NULL. */
static const struct ctl_file *file_of(uint64_t ino)
{
	return ino >= 2 && ino - 2 < NFILES ? &files[ino - 2] : NULL;
}

static int c_getattr(void *arg, uint64_t ino, struct stat *st)
{
	struct ctlfs *c = arg;
	const struct ctl_file *f = file_of(ino);
	if (ino != 1 && !f)
		return -ENOENT;
	memset(st, 0, sizeof *st);
	st->st_ino = ino;
	st->st_mode = f ? f->mode : S_IFDIR | 0755;
	st->st_nlink = f ? 1 : 2;
	st->st_uid = c->uid;
	st->st_gid = c->gid;
	st->st_blksize = 4096;
	st->st_atim = st->st_mtim = st->st_ctim = c->born;
	return 0; /* size 0: generated, read direct_io */
}

static int c_lookup(void *arg, uint64_t parent, const char *name, struct stat *st)
{
	if (parent != 1)
		return -ENOTDIR;
	for (size_t i = 0; i < NFILES; i++)
		if (strcmp(files[i].name, name) == 0)
			return c_getattr(arg, i + 2, st);
	return -ENOENT;
}

static int c_readdir(void *arg, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn, void *fa)
{
	if (ino != 1)
		return -ENOTDIR;
	for (size_t i = cookie; i < NFILES; i++) {
		struct ofs_dirent d = {i + 2, DT_REG, i + 1, files[i].name, strlen(files[i].name)};
		int rc = fn(fa, &d);
		if (rc)
			return rc < 0 ? rc : 0;
	}
	return 0;
}

static int c_open(void *arg, uint64_t ino, int flags, const struct ofs_fuse_caller *caller,
		  void **fhp, unsigned *how)
{
	const struct ctl_file *f = file_of(ino);
	if (!f)
		return ino == 1 ? -EISDIR : -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY && !f->write)
		return -EACCES;
	struct cfh *fh = calloc(1, sizeof *fh);
	if (!fh)
		return -ENOMEM;
	pthread_mutex_init(&fh->lock, NULL);
	int rc = f->show ? f->show(arg, &fh->r) : 0;
	if (rc < 0) {
		pthread_mutex_destroy(&fh->lock);
		free(fh);
		return rc;
	}
	*fhp = fh;
	*how = OFS_FUSE_DIRECT_IO | OFS_FUSE_NONSEEKABLE;
	return 0;
}

/* c_read: the reply from where the last read on the fd stopped (the file
 * offset is the writes' too, so it is not used). */
static ssize_t c_read(void *arg, uint64_t ino, void *vfh, char *buf, size_t size, off_t off,
		      const struct ofs_fuse_caller *caller)
{
	struct cfh *fh = vfh;
	pthread_mutex_lock(&fh->lock);
	size_t n = fh->r.len > fh->rpos ? fh->r.len - fh->rpos : 0;
	n = n < size ? n : size;
	memcpy(buf, fh->r.text + fh->rpos, n);
	fh->rpos += n;
	pthread_mutex_unlock(&fh->lock);
	return (ssize_t)n;
}

static ssize_t c_write(void *arg, uint64_t ino, void *vfh, const char *buf, size_t size,
		       off_t off, const struct ofs_fuse_caller *caller)
{
	const struct ctl_file *f = file_of(ino);
	struct cfh *fh = vfh;
	if (!f || !f->write)
		return -EBADF;
	pthread_mutex_lock(&fh->lock);
	int rc = f->write(arg, buf, size, &fh->r);
	fh->rpos = 0;
	pthread_mutex_unlock(&fh->lock);
	return rc < 0 ? rc : (ssize_t)size;
}

static void c_release(void *arg, uint64_t ino, void *vfh)
{
	struct cfh *fh = vfh;
	if (!fh)
		return;
	pthread_mutex_destroy(&fh->lock);
	free(fh);
}

static const struct ofs_fuse_provider provider = {
	.name = "ctl",
	.timeout = 86400, /* the table never changes while mounted */
	.blocks = 1, /* a write may wait (and tells /db what changed) */
	.getattr = c_getattr,
	.lookup = c_lookup,
	.readdir = c_readdir,
	.open = c_open,
	.read = c_read,
	.write = c_write,
	.release = c_release,
};

/* ofs_ctl_attach: serve the control files as /ctl. */
int ofs_ctl_attach(struct ofs_fuse *srv, ofs *fs)
{
	struct ctlfs *c = &the_ctl;
	c->srv = srv;
	c->uid = getuid();
	c->gid = getgid();
	clock_gettime(CLOCK_REALTIME, &c->born);
	return ofs_fuse_register(srv, &provider, c);
}
