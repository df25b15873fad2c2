/*
 * fuse_provider.c: the reserved root names and the synthetic trees behind
 * them.  Requests on synthetic inodes arrive here from fuse_ops.c and are
 * passed, in local numbers, to the provider that owns the slot (contract in
 * fuse_internal.h).
 */
#include "orionfs/fuse_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* The names the runtime keeps at the root (design section 2). */
static const char *const reserved[] = {"db", "ctl", "proc", "snapshots"};

/* ofs_fuse_reserved: whether name is a reserved root name. */
int ofs_fuse_reserved(const char *name)
{
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return 1;
	return 0;
}

/* ofs_fuse_is_synth: whether ino belongs to a provider. */
int ofs_fuse_is_synth(uint64_t ino)
{
	return (ino & OFS_FUSE_SYNTH) != 0;
}

/* ofs_fuse_synth_ino: the kernel's number for a provider's local one. */
uint64_t ofs_fuse_synth_ino(int slot, uint64_t local)
{
	return OFS_FUSE_SYNTH | (uint64_t)slot << OFS_FUSE_SLOT_SHIFT | (local & OFS_FUSE_LOCAL_MASK);
}

/* ofs_fuse_slot_of: the provider owning synthetic ino, and its local
 * number in *local (may be NULL); NULL if no provider has that slot. */
const struct ofs_fuse_slot *ofs_fuse_slot_of(struct ofs_fuse *srv, uint64_t ino,
					     uint64_t *local)
{
	int s = (int)((ino & ~OFS_FUSE_SYNTH) >> OFS_FUSE_SLOT_SHIFT);
	if (!ofs_fuse_is_synth(ino) || s >= srv->nslot)
		return NULL;
	if (local)
		*local = ino & OFS_FUSE_LOCAL_MASK;
	return &srv->slot[s];
}

/* ofs_fuse_slot_named: the slot of the provider owning root name, or -1. */
int ofs_fuse_slot_named(struct ofs_fuse *srv, const char *name)
{
	for (int i = 0; i < srv->nslot; i++)
		if (strcmp(srv->slot[i].p->name, name) == 0)
			return i;
	return -1;
}

/* caller: who sent req. */
static struct ofs_fuse_caller caller(fuse_req_t req)
{
	const struct fuse_ctx *c = fuse_req_ctx(req);
	return (struct ofs_fuse_caller){c->uid, c->gid, c->pid, req};
}

/* ofs_fuse_interrupted: whether the caller gave up (Ctrl-C). */
int ofs_fuse_interrupted(const struct ofs_fuse_caller *c)
{
	return c->req && fuse_req_interrupted(c->req);
}

/* provider: the provider owning synthetic ino, as ofs_fuse_slot_of, once
 * the open batch is committed: a provider writes the image in transactions
 * of its own, on this thread or on a job's, and reads what we wrote. */
static const struct ofs_fuse_slot *provider(fuse_req_t req, uint64_t ino, uint64_t *local)
{
	struct ofs_fuse *srv = fuse_req_userdata(req);
	ofs_fuse_commit(srv);
	return ofs_fuse_slot_of(srv, ino, local);
}

/* target: resolve synthetic ino to its slot and local number, or reply
 * ENOENT and return NULL. */
static const struct ofs_fuse_slot *target(fuse_req_t req, uint64_t ino, uint64_t *local)
{
	const struct ofs_fuse_slot *s = provider(req, ino, local);
	if (!s)
		fuse_reply_err(req, ENOENT);
	return s;
}

/* reply_entry: st (local numbers) as an entry of slot s. */
static void reply_entry(fuse_req_t req, const struct ofs_fuse_slot *s, struct stat *st)
{
	struct ofs_fuse *srv = fuse_req_userdata(req);
	struct fuse_entry_param e = {
		.attr_timeout = s->p->timeout,
		.entry_timeout = s->p->timeout,
	};
	st->st_ino = ofs_fuse_synth_ino((int)(s - srv->slot), st->st_ino);
	e.ino = st->st_ino;
	e.attr = *st;
	fuse_reply_entry(req, &e);
}

/* reply_open: fh and how as an open reply. */
static void reply_open(fuse_req_t req, struct fuse_file_info *fi, void *fh, unsigned how)
{
	fi->fh = (uint64_t)(uintptr_t)fh;
	fi->direct_io = !!(how & OFS_FUSE_DIRECT_IO);
	fi->nonseekable = !!(how & OFS_FUSE_NONSEEKABLE);
	fi->keep_cache = 0;
	fuse_reply_open(req, fi);
}

static void s_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ofs_fuse *srv = fuse_req_userdata(req);
	struct stat st = {0};
	const struct ofs_fuse_slot *s;
	uint64_t local;
	int rc;
	if (parent == OFS_ROOT_INO) { /* a reserved name */
		int i = ofs_fuse_slot_named(srv, name);
		if (i < 0) {
			struct fuse_entry_param e = {.entry_timeout = srv->timeout};
			fuse_reply_entry(req, &e); /* providers never come later */
			return;
		}
		ofs_fuse_commit(srv); /* the provider's getattr follows */
		s = &srv->slot[i];
		local = 1;
		if ((rc = s->p->getattr(s->arg, 1, &st)) == 0)
			st.st_ino = 1;
	} else {
		if (!(s = target(req, parent, &local)))
			return;
		rc = s->p->lookup ? s->p->lookup(s->arg, local, name, &st) : -ENOTDIR;
	}
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_entry(req, s, &st);
}

/* s_forget: no commit first, as for forget_multi: a forget only drops
 * the provider's own bookkeeping, and the kernel sends them at any time. */
static void s_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = ofs_fuse_slot_of(fuse_req_userdata(req), ino, &local);
	if (s && s->p->forget)
		s->p->forget(s->arg, local, nlookup);
	fuse_reply_none(req);
}

/* attr_of: the provider's attributes of synthetic ino into st (local
 * numbers); on failure the error is replied and NULL returned. */
static const struct ofs_fuse_slot *attr_of(fuse_req_t req, fuse_ino_t ino, struct stat *st)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	int rc = s ? s->p->getattr(s->arg, local, st) : 0;
	if (rc < 0) {
		ofs_fuse_reply_err(req, rc);
		return NULL;
	}
	return s;
}

static void s_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st = {0};
	const struct ofs_fuse_slot *s = attr_of(req, ino, &st);
	if (!s)
		return;
	st.st_ino = ino;
	ofs_fuse_reply_stat(req, &st, NULL, s->p->timeout);
}

/* s_lseek: SEEK_DATA/SEEK_HOLE on a provider's file, which is data
 * throughout: what the kernel answers by itself for a file system without
 * lseek (refusing with ENOSYS would turn lseek off for the whole mount). */
static void s_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		    struct fuse_file_info *fi)
{
	struct stat st = {0};
	if (!attr_of(req, ino, &st))
		return;
	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		fuse_reply_err(req, EINVAL);
	else if (off < 0 || off >= st.st_size)
		fuse_reply_err(req, ENXIO);
	else
		fuse_reply_lseek(req, whence == SEEK_DATA ? off : st.st_size);
}

static void s_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *in, int to_set,
		      struct fuse_file_info *fi)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	struct stat st = {0};
	int rc;
	if (!s)
		return;
	unsigned valid = (to_set & FUSE_SET_ATTR_MODE ? OFS_SET_MODE : 0) |
			 (to_set & FUSE_SET_ATTR_UID ? OFS_SET_UID : 0) |
			 (to_set & FUSE_SET_ATTR_GID ? OFS_SET_GID : 0) |
			 (to_set & FUSE_SET_ATTR_SIZE ? OFS_SET_SIZE : 0) |
			 (to_set & FUSE_SET_ATTR_ATIME ? OFS_SET_ATIME : 0) |
			 (to_set & FUSE_SET_ATTR_MTIME ? OFS_SET_MTIME : 0) |
			 (to_set & FUSE_SET_ATTR_ATIME_NOW ? OFS_SET_ATIME_NOW : 0) |
			 (to_set & FUSE_SET_ATTR_MTIME_NOW ? OFS_SET_MTIME_NOW : 0) |
			 (to_set & FUSE_SET_ATTR_CTIME ? OFS_SET_CTIME : 0);
	unsigned times = OFS_SET_ATIME | OFS_SET_MTIME | OFS_SET_ATIME_NOW | OFS_SET_MTIME_NOW |
			 OFS_SET_CTIME;
	if (s->p->setattr)
		rc = s->p->setattr(s->arg, local, in, valid, &st);
	else if ((valid & ~times) == 0 ||
		 ((valid & ~times) == OFS_SET_SIZE && in->st_size == 0))
		rc = s->p->getattr(s->arg, local, &st); /* touch, shell ">": harmless */
	else
		rc = -EPERM;
	if (rc < 0) {
		ofs_fuse_reply_err(req, rc);
		return;
	}
	st.st_ino = ino;
	fuse_reply_attr(req, &st, s->p->timeout);
}

static void s_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, parent, &local);
	struct ofs_fuse_caller c = caller(req);
	struct stat st = {0};
	if (!s)
		return;
	int rc = s->p->mkdir ? s->p->mkdir(s->arg, local, name, mode, &c, &st) : -EPERM;
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_entry(req, s, &st);
}

/* remove: unlink (dir 0) or rmdir (dir 1) through the provider. */
static void s_remove(fuse_req_t req, fuse_ino_t parent, const char *name, int dir)
{
	struct ofs_fuse *srv = fuse_req_userdata(req);
	if (parent == OFS_ROOT_INO) {
		/* a provider's root cannot go; an unprovided name is absent */
		fuse_reply_err(req, ofs_fuse_slot_named(srv, name) < 0 ? ENOENT : EPERM);
		return;
	}
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, parent, &local);
	struct ofs_fuse_caller c = caller(req);
	if (!s)
		return;
	int (*fn)(void *, uint64_t, const char *, const struct ofs_fuse_caller *) =
		dir ? s->p->rmdir : s->p->unlink;
	ofs_fuse_reply_err(req, fn ? fn(s->arg, local, name, &c) : -EPERM);
}

static void s_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	s_remove(req, parent, name, 0);
}

static void s_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	s_remove(req, parent, name, 1);
}

/* provider_create: have the provider under parent create name (st gets
 * its local attributes, *fh and *how its open handle); on failure the
 * error is replied and NULL returned. */
static const struct ofs_fuse_slot *provider_create(fuse_req_t req, fuse_ino_t parent,
						   const char *name, mode_t mode, int flags,
						   struct stat *st, void **fh, unsigned *how)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, parent, &local);
	struct ofs_fuse_caller c = caller(req);
	if (!s)
		return NULL;
	int rc = s->p->create ? s->p->create(s->arg, local, name, mode, flags, &c, st, fh, how)
			      : -EPERM;
	if (rc < 0) {
		ofs_fuse_reply_err(req, rc);
		return NULL;
	}
	return s;
}

static void s_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     struct fuse_file_info *fi)
{
	if (parent == OFS_ROOT_INO) {
		fuse_reply_err(req, EPERM); /* reserved names are not the user's */
		return;
	}
	struct stat st = {0};
	void *fh = NULL;
	unsigned how = 0;
	const struct ofs_fuse_slot *s =
		provider_create(req, parent, name, mode, fi->flags, &st, &fh, &how);
	if (!s)
		return;
	struct ofs_fuse *srv = fuse_req_userdata(req);
	struct fuse_entry_param e = {.attr_timeout = s->p->timeout,
				     .entry_timeout = s->p->timeout};
	st.st_ino = ofs_fuse_synth_ino((int)(s - srv->slot), st.st_ino);
	e.ino = st.st_ino;
	e.attr = st;
	fi->fh = (uint64_t)(uintptr_t)fh;
	fi->direct_io = !!(how & OFS_FUSE_DIRECT_IO);
	fi->nonseekable = !!(how & OFS_FUSE_NONSEEKABLE);
	if (fuse_reply_create(req, &e, fi) != 0 && s->p->release)
		s->p->release(s->arg, st.st_ino & OFS_FUSE_LOCAL_MASK, fh);
}

/* s_mknod: a regular file is made through the provider's create, and its
 * handle released at once (tar --xattrs makes files with mknod before it
 * opens them); fifos, sockets and devices have no place in a synthetic
 * tree. */
static void s_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		    dev_t rdev)
{
	if (parent == OFS_ROOT_INO || ((mode & S_IFMT) && !S_ISREG(mode))) {
		fuse_reply_err(req, EPERM);
		return;
	}
	struct stat st = {0};
	void *fh = NULL;
	unsigned how = 0;
	const struct ofs_fuse_slot *s =
		provider_create(req, parent, name, (mode & 07777) | S_IFREG,
				O_WRONLY | O_CREAT | O_EXCL, &st, &fh, &how);
	if (!s)
		return;
	if (s->p->release)
		s->p->release(s->arg, st.st_ino, fh);
	reply_entry(req, s, &st);
}

static void s_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	struct ofs_fuse_caller c = caller(req);
	void *fh = NULL;
	unsigned how = 0;
	if (!s)
		return;
	int acc = fi->flags & O_ACCMODE, rc = 0;
	if ((acc != O_WRONLY && !s->p->read) || (acc != O_RDONLY && !s->p->write))
		rc = -EACCES;
	else if (s->p->open)
		rc = s->p->open(s->arg, local, fi->flags, &c, &fh, &how);
	if (rc < 0) {
		ofs_fuse_reply_err(req, rc);
		return;
	}
	reply_open(req, fi, fh, how);
}

static void s_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct ofs_fuse *srv = fuse_req_userdata(req);
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	struct ofs_fuse_caller c = caller(req);
	if (!s)
		return;
	char *buf = ofs_fuse_buf(srv, size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	ssize_t n = s->p->read ? s->p->read(s->arg, local, (void *)(uintptr_t)fi->fh, buf, size,
					    off, &c)
			       : -EBADF;
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else
		fuse_reply_buf(req, buf, (size_t)n < size ? (size_t)n : size);
}

static void s_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	struct ofs_fuse_caller c = caller(req);
	if (!s)
		return;
	ssize_t n = s->p->write ? s->p->write(s->arg, local, (void *)(uintptr_t)fi->fh, buf,
					      size, off, &c)
				: -EBADF;
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
}

static void s_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = provider(req, ino, &local);
	if (s && s->p->release)
		s->p->release(s->arg, local, (void *)(uintptr_t)fi->fh);
	fuse_reply_err(req, 0);
}

/* flush_fh: the provider's flush of fi's handle (0 without one). */
static int flush_fh(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = provider(req, ino, &local);
	return s && s->p->flush && fi ? s->p->flush(s->arg, local, (void *)(uintptr_t)fi->fh) : 0;
}

static void s_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	ofs_fuse_reply_err(req, flush_fh(req, ino, fi));
}

/* s_fsync: the provider's flush, then the image made durable. */
static void s_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	int rc = flush_fh(req, ino, fi);
	ofs_fuse_reply_err(req, rc < 0 ? rc : ofs_sync(((struct ofs_fuse *)fuse_req_userdata(req))->fs));
}

static void s_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		     fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct ofs_fuse *srv = fuse_req_userdata(req);
	uint64_t from, to;
	const struct ofs_fuse_slot *s = provider(req, parent, &from);
	struct ofs_fuse_caller c = caller(req);
	if (!s || s != ofs_fuse_slot_of(srv, newparent, &to) || !s->p->rename) {
		fuse_reply_err(req, EXDEV);
		return;
	}
	ofs_fuse_reply_err(req, s->p->rename(s->arg, from, name, to, newname, flags, &c));
}

static void s_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		       size_t size, int flags)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	if (s)
		ofs_fuse_reply_err(req, s->p->setxattr ? s->p->setxattr(s->arg, local, name, value,
									 size, flags)
						       : -ENOTSUP);
}

/* reply_xattr: n bytes of buf, or the size asked for when size is 0. */
static void reply_xattr(fuse_req_t req, ssize_t n, const char *buf, size_t size)
{
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n < size ? (size_t)n : size);
}

static void s_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	if (!s)
		return;
	char *buf = size ? ofs_fuse_buf(fuse_req_userdata(req), size) : NULL;
	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_xattr(req, s->p->getxattr ? s->p->getxattr(s->arg, local, name, buf, size) : -ENODATA,
		    buf, size);
}

static void s_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	if (!s)
		return;
	char *buf = size ? ofs_fuse_buf(fuse_req_userdata(req), size) : NULL;
	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_xattr(req, s->p->listxattr ? s->p->listxattr(s->arg, local, buf, size) : 0, buf,
		    size);
}

static void s_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	uint64_t local;
	const struct ofs_fuse_slot *s = target(req, ino, &local);
	if (s)
		ofs_fuse_reply_err(req, s->p->removexattr ? s->p->removexattr(s->arg, local, name)
							  : -ENOTSUP);
}

/* The calls that may block (a "wait" file, a capsule start) run on a
 * thread of their own with copies of their arguments. */
static void j_open(struct ofs_fuse_job *j)
{
	s_open(j->req, j->ino, &j->fi);
}
static void j_read(struct ofs_fuse_job *j)
{
	s_read(j->req, j->ino, j->size, j->off, &j->fi);
}
static void j_write(struct ofs_fuse_job *j)
{
	s_write(j->req, j->ino, j->data, j->size, j->off, &j->fi);
}
static void j_release(struct ofs_fuse_job *j)
{
	s_release(j->req, j->ino, &j->fi);
}
static void j_flush(struct ofs_fuse_job *j)
{
	s_flush(j->req, j->ino, &j->fi);
}
static void j_fsync(struct ofs_fuse_job *j)
{
	s_fsync(j->req, j->ino, 0, &j->fi);
}
static void j_create(struct ofs_fuse_job *j)
{
	s_create(j->req, j->ino, j->name, j->mode, &j->fi);
}
static void j_mknod(struct ofs_fuse_job *j)
{
	s_mknod(j->req, j->ino, j->name, j->mode, 0);
}

/* job: a job running fn for req on ino with extra bytes of data, or NULL
 * when the provider of ino does not block (or no memory): then the caller
 * serves the request in place. */
static struct ofs_fuse_job *job(fuse_req_t req, void (*fn)(struct ofs_fuse_job *),
				fuse_ino_t ino, const struct fuse_file_info *fi, size_t extra)
{
	const struct ofs_fuse_slot *s = provider(req, ino, NULL);
	if (!s || !s->p->blocks)
		return NULL;
	struct ofs_fuse_job *j = ofs_fuse_job_new(req, extra);
	if (j) {
		j->run = fn;
		j->ino = ino;
		j->fi = *fi;
	}
	return j;
}

static void d_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = job(req, j_open, ino, fi, 0);
	if (j)
		ofs_fuse_defer(j);
	else
		s_open(req, ino, fi);
}

static void d_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = job(req, j_read, ino, fi, 0);
	if (!j) {
		s_read(req, ino, size, off, fi);
		return;
	}
	j->size = size;
	j->off = off;
	ofs_fuse_defer(j);
}

static void d_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = job(req, j_write, ino, fi, size);
	if (!j) {
		s_write(req, ino, buf, size, off, fi);
		return;
	}
	memcpy(j->data, buf, size);
	j->size = size;
	j->off = off;
	ofs_fuse_defer(j);
}

static void d_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = job(req, j_release, ino, fi, 0);
	if (j)
		ofs_fuse_defer(j);
	else
		s_release(req, ino, fi);
}

static void d_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = job(req, j_flush, ino, fi, 0);
	if (j)
		ofs_fuse_defer(j);
	else
		s_flush(req, ino, fi);
}

/* d_fsync: always on a thread of its own, as the disk flush may be slow. */
static void d_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = ofs_fuse_job_new(req, 0);
	if (!j) {
		s_fsync(req, ino, datasync, fi);
		return;
	}
	j->run = j_fsync;
	j->ino = ino;
	if (fi)
		j->fi = *fi;
	ofs_fuse_defer(j);
}

static void d_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     struct fuse_file_info *fi)
{
	struct ofs_fuse_job *j = job(req, j_create, parent, fi, strlen(name));
	if (!j) {
		s_create(req, parent, name, mode, fi);
		return;
	}
	memcpy(j->data, name, strlen(name) + 1);
	j->name = j->data;
	j->mode = mode;
	ofs_fuse_defer(j);
}

/* d_mknod: on a thread of its own where create would be (a regular file
 * goes through create). */
static void d_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		    dev_t rdev)
{
	struct fuse_file_info fi = {0};
	struct ofs_fuse_job *j = S_ISREG(mode) || !(mode & S_IFMT)
					 ? job(req, j_mknod, parent, &fi, strlen(name))
					 : NULL;
	if (!j) {
		s_mknod(req, parent, name, mode, rdev);
		return;
	}
	memcpy(j->data, name, strlen(name) + 1);
	j->name = j->data;
	j->mode = mode;
	ofs_fuse_defer(j);
}

const struct fuse_lowlevel_ops ofs_fuse_synth_ops = {
	.lookup = s_lookup,
	.forget = s_forget,
	.getattr = s_getattr,
	.setattr = s_setattr,
	.mkdir = s_mkdir,
	.unlink = s_unlink,
	.rmdir = s_rmdir,
	.create = d_create,
	.mknod = d_mknod,
	.open = d_open,
	.read = d_read,
	.write = d_write,
	.release = d_release,
	.flush = d_flush,
	.fsync = d_fsync,
	.rename = s_rename,
	.setxattr = s_setxattr,
	.getxattr = s_getxattr,
	.listxattr = s_listxattr,
	.removexattr = s_removexattr,
	.lseek = s_lseek,
};
