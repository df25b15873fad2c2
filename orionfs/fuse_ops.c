/*
 * fuse_ops.c: the low-level request handlers for real inodes.  Each one
 * makes one ofs_ call (one LMDB transaction) and one reply; requests on
 * synthetic inodes (top bit set) go to ofs_fuse_synth_ops, and so do the
 * reserved names at the root.
 */
#include "orionfs/fuse_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#define SRV(req) ((struct ofs_fuse *)fuse_req_userdata(req))

/* Directory offsets: "." and ".." and the provider names at the root come
 * first with small offsets; a storage cookie c is sent as c + OFF_BASE.
 * ofs cookies (name slots + 1) stay below 2^63 - 512, so the sum is still
 * a positive off_t that seekdir accepts. */
#define OFF_DOT 1
#define OFF_DOTDOT 2
#define OFF_PROV 3
#define OFF_BASE 16

/* ofs_fuse_reply_err: reply with the errno closest to rc (<= 0). */
void ofs_fuse_reply_err(fuse_req_t req, int rc)
{
	int e = -orion_errno(rc);
	fuse_reply_err(req, e > 0 ? e : (rc == 0 ? 0 : EIO));
}

/* ofs_fuse_stat: an ofs_attr as struct stat. */
void ofs_fuse_stat(const struct ofs_attr *a, struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_ino = a->ino;
	st->st_mode = a->mode;
	st->st_nlink = a->nlink;
	st->st_uid = a->uid;
	st->st_gid = a->gid;
	st->st_size = (off_t)a->size;
	st->st_rdev = a->rdev;
	st->st_blocks = (blkcnt_t)a->blocks;
	/* a directory's is the buffer a lister asks for with getdents (glibc
	 * takes it, from 32 KiB up to 1 MiB): one round trip per 32,000
	 * entries, not per 1,000 */
	st->st_blksize = S_ISDIR(a->mode) ? OFS_FUSE_MAX_WRITE : 4096;
	st->st_atim = a->atime;
	st->st_mtim = a->mtime;
	st->st_ctim = a->ctime;
}

/* entry_param: the kernel's entry for a, as lookups and listings alike
 * hand it over (the kernel takes an inode whose generation changes for
 * one whose number was reused, and fails what still holds it with EIO). */
static struct fuse_entry_param entry_param(const struct ofs_fuse *srv, const struct ofs_attr *a)
{
	struct fuse_entry_param e = {
		.ino = a->ino,
		.generation = a->generation,
		.attr_timeout = srv->timeout,
		.entry_timeout = srv->timeout,
	};
	ofs_fuse_stat(a, &e.attr);
	return e;
}

/* entry_of: entry_param, counting the reference the kernel takes. */
static struct fuse_entry_param entry_of(struct ofs_fuse *srv, const struct ofs_attr *a)
{
	ofs_fuse_ref(srv, a->ino);
	return entry_param(srv, a);
}

/* reply_entry: hand a to the kernel, counting the reference it takes. */
static void reply_entry(struct ofs_fuse *srv, fuse_req_t req, const struct ofs_attr *a)
{
	struct fuse_entry_param e = entry_of(srv, a);
	if (fuse_reply_entry(req, &e) != 0)
		ofs_fuse_unref(srv, a->ino, 1); /* interrupted: the kernel took none */
}

/* reply_attr: a's attributes (and birth time, to a STATX), cacheable
 * for the server's timeout. */
static void reply_attr(struct ofs_fuse *srv, fuse_req_t req, const struct ofs_attr *a)
{
	struct stat st;
	ofs_fuse_stat(a, &st);
	ofs_fuse_reply_stat(req, &st, &a->btime, srv->timeout);
}

/* reserved_at: whether (parent, name) is one of the runtime's root names. */
static int reserved_at(fuse_ino_t parent, const char *name)
{
	return parent == OFS_ROOT_INO && ofs_fuse_reserved(name);
}

/* umask_of: the umask of req's caller, which the kernel leaves to us
 * (FUSE_CAP_DONT_MASK) so that a default ACL can take its place. */
static uint32_t umask_of(fuse_req_t req)
{
	return SRV(req)->dont_mask ? fuse_req_ctx(req)->umask & 0777u : 0;
}

/* make: create parent/name of mode (S_IFMT included) for req's caller,
 * as its owner; ofs_create does the rest (set-gid directories, default
 * ACLs, the umask).  Fills a. */
static int make(fuse_req_t req, fuse_ino_t parent, const char *name, uint32_t mode, dev_t rdev,
		struct ofs_attr *a)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	return ofs_create(SRV(req)->fs, parent, name, mode, rdev, umask_of(req), ctx->uid, ctx->gid,
			  a);
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ofs_fuse *srv = SRV(req);
	ofs_fuse_tune(srv);
	if (ofs_fuse_is_synth(parent) || reserved_at(parent, name)) {
		ofs_fuse_synth_ops.lookup(req, parent, name);
		return;
	}
	struct ofs_attr a;
	int rc = ofs_lookup(srv->fs, parent, name, &a);
	if (rc == -ENOENT) {
		/* a cached negative entry saves the lookup before each create */
		struct fuse_entry_param e = {.entry_timeout = srv->timeout};
		fuse_reply_entry(req, &e);
	} else if (rc < 0) {
		ofs_fuse_reply_err(req, rc);
	} else {
		reply_entry(srv, req, &a);
	}
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.forget(req, ino, nlookup);
		return;
	}
	ofs_fuse_unref(SRV(req), ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	struct ofs_fuse *srv = SRV(req);
	for (size_t i = 0; i < count; i++) {
		uint64_t local;
		const struct ofs_fuse_slot *s;
		if (!ofs_fuse_is_synth(f[i].ino))
			ofs_fuse_unref(srv, f[i].ino, f[i].nlookup);
		else if ((s = ofs_fuse_slot_of(srv, f[i].ino, &local)) && s->p->forget)
			s->p->forget(s->arg, local, f[i].nlookup);
	}
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	ofs_fuse_tune(SRV(req));
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.getattr(req, ino, fi);
		return;
	}
	struct ofs_fuse *srv = SRV(req);
	struct ofs_attr a;
	int rc = ofs_getattr(srv->fs, ino, &a);
	if (rc == -ENOENT)
		rc = ofs_fuse_dead_attr(srv, ino, &a);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_attr(srv, req, &a);
}

/* setattr_mask: FUSE_SET_ATTR_* bits as OFS_SET_* bits, filling in. */
static unsigned setattr_mask(int to_set, const struct stat *st, struct ofs_attr *in)
{
	static const struct {
		int fuse;
		unsigned ofs;
	} tab[] = {
		{FUSE_SET_ATTR_MODE, OFS_SET_MODE},
		{FUSE_SET_ATTR_UID, OFS_SET_UID},
		{FUSE_SET_ATTR_GID, OFS_SET_GID},
		{FUSE_SET_ATTR_SIZE, OFS_SET_SIZE},
		{FUSE_SET_ATTR_ATIME, OFS_SET_ATIME},
		{FUSE_SET_ATTR_MTIME, OFS_SET_MTIME},
		{FUSE_SET_ATTR_ATIME_NOW, OFS_SET_ATIME_NOW},
		{FUSE_SET_ATTR_MTIME_NOW, OFS_SET_MTIME_NOW},
		{FUSE_SET_ATTR_CTIME, OFS_SET_CTIME},
	};
	unsigned valid = 0;
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
		if (to_set & tab[i].fuse)
			valid |= tab[i].ofs;
	/* "now" wins over an explicit time sent along with it */
	if (valid & OFS_SET_ATIME_NOW)
		valid &= ~(unsigned)OFS_SET_ATIME;
	if (valid & OFS_SET_MTIME_NOW)
		valid &= ~(unsigned)OFS_SET_MTIME;
	memset(in, 0, sizeof *in);
	in->mode = st->st_mode;
	in->uid = st->st_uid;
	in->gid = st->st_gid;
	in->size = (uint64_t)st->st_size;
	in->atime = st->st_atim;
	in->mtime = st->st_mtim;
	in->ctime = st->st_ctim;
	return valid;
}

/* A request's caller as an ofs_member; capable: uid 0 may act as a
 * member of any group (the kernel's flag to drop privileges, when set,
 * says the caller lacks CAP_FSETID, root or not). */
struct caller {
	struct ofs_member m;
	fuse_req_t req;
	int capable;
};

enum { CALLER_GROUPS = 64 }; /* groups looked at without an allocation */

/* caller_in: whether the caller's fsgid or one of its supplementary
 * groups is gid (libfuse reads them from /proc: only asked when a
 * set-group-ID bit without group-execute is at stake).  Groups that
 * cannot be read count as none, so the bit is dropped. */
static int caller_in(const struct ofs_member *m, uint32_t gid)
{
	const struct caller *c = (const struct caller *)m;
	const struct fuse_ctx *ctx = fuse_req_ctx(c->req);
	if ((c->capable && ctx->uid == 0) || ctx->gid == gid)
		return 1;
	gid_t small[CALLER_GROUPS], *g = small;
	int n = fuse_req_getgroups(c->req, CALLER_GROUPS, small), in = 0;
	if (n > CALLER_GROUPS) { /* more than fit: ask again with room for all */
		int room = n;
		g = malloc((size_t)room * sizeof *g);
		n = g ? fuse_req_getgroups(c->req, room, g) : -ENOMEM;
		n = n > room ? room : n;
	}
	for (int i = 0; i < n; i++)
		in |= g[i] == gid;
	if (g != small)
		free(g);
	return in;
}

/* caller_of: req's caller; kill: the kernel flagged the request. */
static struct caller caller_of(fuse_req_t req, int kill)
{
	return (struct caller){{caller_in}, req, !kill};
}

/* kill_suidgid: add to the setattr (in, *valid) the mode that drops
 * ino's suid/sgid, as a write, truncate or chown by req's caller must
 * when the kernel leaves that to us (HANDLE_KILLPRIV_V2; the kernel still
 * drops security.capability itself).  With owner_only, a change is for
 * the file's owner or root to make (-EPERM).  Returns 1 if the mode
 * changes, 0 if it stays, or a negative errno. */
static int kill_suidgid(struct ofs_fuse *srv, fuse_req_t req, uint64_t ino, struct ofs_attr *in,
			unsigned *valid, int owner_only)
{
	struct ofs_attr a;
	struct caller c = caller_of(req, srv->kill);
	int rc = ofs_getattr(srv->fs, ino, &a);
	if (rc < 0 || S_ISDIR(a.mode)) /* a directory's set-group-ID is for inheritance */
		return rc;
	uint32_t mode = ofs_kill_for(a.mode, a.gid, &c.m);
	if (mode == a.mode)
		return 0;
	uint32_t uid = fuse_req_ctx(req)->uid;
	if (owner_only && uid != 0 && uid != a.uid)
		return -EPERM;
	in->mode = mode;
	*valid |= OFS_SET_MODE;
	return 1;
}

/* setattr_inval: ofs_setattr for a request whose reply carries no
 * attributes; when killed says the mode changed, the kernel's copy of
 * the attributes is dropped (offset -1: attributes only, as the caller
 * may hold ino's pages). */
static int setattr_inval(struct ofs_fuse *srv, uint64_t ino, const struct ofs_attr *in,
			 unsigned valid, int killed)
{
	struct ofs_attr out;
	int rc = ofs_setattr(srv->fs, ino, in, valid, &out);
	if (rc == 0 && killed > 0)
		fuse_lowlevel_notify_inval_inode(srv->se, ino, -1, 0);
	return rc;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *st, int to_set,
		       struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.setattr(req, ino, st, to_set, fi);
		return;
	}
	struct ofs_fuse *srv = SRV(req);
	struct ofs_attr in, out;
	unsigned valid = setattr_mask(to_set, st, &in);
	/* a chown drops suid/sgid whoever asks; a truncate when the kernel's
	 * flag says so.  The reply carries the new mode.  chown(f, -1, -1)
	 * comes with no field set, or with the write-back cache on with ctime
	 * alone (and an empty request then drops a writer's privileges, as
	 * the write's own flag does too: left be); its drop is a mode change
	 * the VFS lets only the owner or root make, and it moves ctime
	 * (ofs_setattr stamps it). */
	int none = to_set == (srv->writeback ? FUSE_SET_ATTR_CTIME : 0), rc = 0;
	if (srv->killpriv && !(valid & OFS_SET_MODE) &&
	    ((valid & (OFS_SET_UID | OFS_SET_GID)) || none || ((valid & OFS_SET_SIZE) && srv->kill)))
		rc = kill_suidgid(srv, req, ino, &in, &valid, none);
	if (rc >= 0)
		rc = valid || none ? ofs_setattr(srv->fs, ino, &in, valid, &out)
				   : ofs_getattr(srv->fs, ino, &out);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_attr(srv, req, &out);
}

/* accessed: ofs_opened for ino being read (a file opened to be read, a
 * directory opened to be listed): the relatime rule applied then, since
 * the reads the kernel's caches serve never reach us.  When atime moves,
 * the kernel's copy of the attributes is stale: it is dropped (offset -1:
 * attributes only) before the caller replies, or a stat right after may
 * still see the old atime.  ctime stays. */
static void accessed(struct ofs_fuse *srv, uint64_t ino)
{
	if (ofs_opened(srv->fs, ino) == 1)
		fuse_lowlevel_notify_inval_inode(srv->se, ino, -1, 0);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	if (ofs_fuse_is_synth(ino)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	char buf[PATH_MAX + 1];
	int rc = ofs_readlink(SRV(req)->fs, ino, buf, sizeof buf);
	if (rc < 0) {
		ofs_fuse_reply_err(req, rc);
		return;
	}
	/* ofs_readlink saw to atime (the kernel keeps the target,
	 * CACHE_SYMLINKS, and drops its copy of atime after a readlink) */
	buf[(size_t)rc < sizeof buf ? (size_t)rc : sizeof buf - 1] = '\0';
	fuse_reply_readlink(req, buf);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(parent)) {
		ofs_fuse_synth_ops.mknod(req, parent, name, mode & ~umask_of(req), rdev);
		return;
	}
	if (reserved_at(parent, name)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	struct ofs_attr a;
	int rc = S_ISDIR(mode) ? -EINVAL : make(req, parent, name, mode, rdev, &a);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_entry(srv, req, &a);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(parent)) {
		ofs_fuse_synth_ops.mkdir(req, parent, name, mode & ~umask_of(req));
		return;
	}
	if (reserved_at(parent, name)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	struct ofs_attr a;
	int rc = make(req, parent, name, (mode & 07777) | S_IFDIR, 0, &a);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_entry(srv, req, &a);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(parent) || reserved_at(parent, name)) {
		ofs_fuse_synth_ops.unlink(req, parent, name);
		return;
	}
	uint64_t orphan = 0;
	int rc = ofs_unlink(srv->fs, parent, name, &orphan);
	if (rc == 0 && orphan)
		ofs_fuse_orphaned(srv, orphan);
	ofs_fuse_reply_err(req, rc);
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	if (ofs_fuse_is_synth(parent) || reserved_at(parent, name)) {
		ofs_fuse_synth_ops.rmdir(req, parent, name);
		return;
	}
	struct ofs_fuse *srv = SRV(req);
	struct ofs_attr a;
	int known = ofs_lookup(srv->fs, parent, name, &a) == 0;
	int rc = ofs_rmdir(srv->fs, parent, name);
	if (rc == 0 && known)
		ofs_fuse_bury(srv, &a);
	ofs_fuse_reply_err(req, rc);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(parent) || reserved_at(parent, name)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct ofs_attr a;
	int rc = ofs_symlink(srv->fs, parent, name, link, ctx->uid, ctx->gid, &a);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_entry(srv, req, &a);
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct ofs_fuse *srv = SRV(req);
	if (reserved_at(parent, name) || reserved_at(newparent, newname)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	if (ofs_fuse_is_synth(parent) || ofs_fuse_is_synth(newparent)) {
		ofs_fuse_synth_ops.rename(req, parent, name, newparent, newname, flags);
		return;
	}
	if (flags & ~(unsigned)(OFS_RENAME_NOREPLACE | OFS_RENAME_EXCHANGE)) {
		fuse_reply_err(req, EINVAL); /* RENAME_WHITEOUT: overlayfs only */
		return;
	}
	uint64_t orphan = 0;
	int rc = ofs_rename(srv->fs, parent, name, newparent, newname, flags, &orphan);
	if (rc == 0 && orphan)
		ofs_fuse_orphaned(srv, orphan);
	ofs_fuse_reply_err(req, rc);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(ino) || ofs_fuse_is_synth(newparent)) {
		fuse_reply_err(req, EXDEV);
		return;
	}
	if (reserved_at(newparent, newname)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	struct ofs_attr a;
	int rc = ofs_link(srv->fs, ino, newparent, newname, &a);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_entry(srv, req, &a);
}

/* kernel_times: OFS_KEEP_TIMES under the kernel's write-back cache, which
 * stamps a regular file's mtime and ctime itself on a write, a truncating
 * open or a growing fallocate, sends them when it writes the file back,
 * and never reads ours while it holds the file; else 0. */
static unsigned kernel_times(const struct ofs_fuse *srv)
{
	return srv->writeback ? OFS_KEEP_TIMES : 0;
}

/* truncate_open: O_TRUNC of req's caller arrives with the open
 * (atomic_o_trunc). */
static int truncate_open(struct ofs_fuse *srv, fuse_req_t req, uint64_t ino)
{
	struct ofs_attr in = {0};
	unsigned valid = OFS_SET_SIZE | (kernel_times(srv) ? OFS_KEEP_TIMES : OFS_SET_MTIME_NOW);
	int killed = srv->kill ? kill_suidgid(srv, req, ino, &in, &valid, 0) : 0;
	return killed < 0 ? killed : setattr_inval(srv, ino, &in, valid, killed);
}

/* open_handle: the file_info of a handle to real file ino; one that may
 * write is counted, under the write-back cache, for op_lseek. */
static void open_handle(struct ofs_fuse *srv, uint64_t ino, struct fuse_file_info *fi)
{
	fi->keep_cache = 1;
	/* nothing to do at close: spare the round trip (the kernel sends it
	 * all the same under its write-back cache, after writing back) */
	fi->noflush = 1;
	fi->fh = 0;
	/* A write-only handle (cp, tar, dd of=, a compiler's output) writes
	 * around the page cache: the kernel hands us the writer's own pages
	 * instead of copying them into new page-cache pages first, which on
	 * a virtual machine cost more than the rest of a large write (1 GiB:
	 * 30% more throughput).  The kernel drops any cached copy of the
	 * range before each such write, so other handles stay coherent; it
	 * leaves dropping security.capability to us (op_write). */
	if (!srv->writeback && (fi->flags & O_ACCMODE) == O_WRONLY) {
		fi->direct_io = 1;
		fi->fh = OFS_FUSE_FH_DIRECT;
	}
	if (srv->writeback && (fi->flags & O_ACCMODE) != O_RDONLY) {
		ofs_fuse_writer(srv, ino, 1);
		fi->fh = OFS_FUSE_FH_WRITER;
	}
}

/* release_handle: undo what open_handle counted. */
static void release_handle(struct ofs_fuse *srv, uint64_t ino, const struct fuse_file_info *fi)
{
	if (fi->fh & OFS_FUSE_FH_WRITER)
		ofs_fuse_writer(srv, ino, -1);
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.open(req, ino, fi);
		return;
	}
	struct ofs_fuse *srv = SRV(req);
	if ((fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY) {
		int rc = truncate_open(srv, req, ino);
		if (rc < 0) {
			ofs_fuse_reply_err(req, rc);
			return;
		}
	}
	if ((fi->flags & O_ACCMODE) != O_WRONLY)
		accessed(srv, ino);
	open_handle(srv, ino, fi);
	fuse_reply_open(req, fi);
}

/* reply_created: hand the new file a, opened by fi, to the kernel;
 * unnamed (O_TMPFILE), it goes when the kernel forgets it. */
static void reply_created(struct ofs_fuse *srv, fuse_req_t req, const struct ofs_attr *a,
			  struct fuse_file_info *fi, int unnamed)
{
	struct fuse_entry_param e = entry_of(srv, a);
	if (unnamed)
		ofs_fuse_orphaned(srv, a->ino);
	open_handle(srv, a->ino, fi);
	if (fuse_reply_create(req, &e, fi) != 0) {
		release_handle(srv, a->ino, fi);
		ofs_fuse_unref(srv, a->ino, 1);
	}
}

/* create_unnamed: O_TMPFILE in parent (a CREATE to libfuse, see wire_read). */
static void create_unnamed(fuse_req_t req, fuse_ino_t parent, mode_t mode,
			   struct fuse_file_info *fi)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(parent)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct ofs_attr a;
	int rc = ofs_tmpfile(srv->fs, parent, mode, umask_of(req), ctx->uid, ctx->gid, &a);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_created(srv, req, &a, fi, 1);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct ofs_fuse *srv = SRV(req);
	if (srv->tmpfile) {
		create_unnamed(req, parent, mode, fi);
		return;
	}
	if (ofs_fuse_is_synth(parent) || reserved_at(parent, name)) {
		ofs_fuse_synth_ops.create(req, parent, name, mode & ~umask_of(req), fi);
		return;
	}
	struct ofs_attr a;
	int rc = make(req, parent, name, (mode & 07777) | S_IFREG, 0, &a);
	if (rc == -EEXIST && !(fi->flags & O_EXCL)) {
		/* lost a race with another creator: open theirs, as open(2) does */
		rc = ofs_lookup(srv->fs, parent, name, &a);
		if (rc == 0 && S_ISDIR(a.mode))
			rc = -EISDIR;
		if (rc == 0 && (fi->flags & O_TRUNC) && (rc = truncate_open(srv, req, a.ino)) == 0)
			rc = ofs_getattr(srv->fs, a.ino, &a);
	}
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		reply_created(srv, req, &a, fi, 0);
}

/* reply_read: answer a read of n bytes (or an error) from buf. */
static void reply_read(fuse_req_t req, const char *buf, ssize_t n)
{
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else /* atime was seen to at open (accessed), or by the read itself */
		fuse_reply_buf(req, buf, (size_t)n);
}

/* j_read: on a reader thread, the read op_read put off (its relatime
 * rule applied already). */
static void j_read(struct ofs_fuse_job *j)
{
	char *buf = ofs_fuse_buf(j->srv, j->size);
	reply_read(j->req, buf,
		   buf ? ofs_read_ex(j->srv->fs, j->ino, buf, j->size, j->off, OFS_READ_NOATIME)
		       : -ENOMEM);
}

/* read_later: hand the read to a reader thread; 0 if no memory. */
static int read_later(struct ofs_fuse *srv, fuse_req_t req, fuse_ino_t ino, size_t size,
		      off_t off)
{
	struct ofs_fuse_job *j = ofs_fuse_job_new(req, 0);
	if (!j)
		return 0;
	j->run = j_read;
	j->ino = ino;
	j->size = size;
	j->off = off;
	srv->deferred = 1;
	ofs_fuse_queue(j);
	return 1;
}

/* op_read: a read that must wait for the disk waits on a reader thread,
 * so that the loop serves others meanwhile (a read from the open batch,
 * which only this thread sees, is served here); the rest here. */
static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.read(req, ino, size, off, fi);
		return;
	}
	struct ofs_fuse *srv = SRV(req);
	char *buf = ofs_fuse_buf(srv, size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	struct ofs_batch_info bi;
	ofs_batch_info(srv->fs, &bi);
	unsigned how = bi.open ? 0 : OFS_READ_NOWAIT;
	ssize_t n = ofs_read_ex(srv->fs, ino, buf, size, off, how);
	if (n == -EAGAIN && how) {
		if (size <= OFS_FUSE_LATER_MAX && ofs_fuse_pending(srv) &&
		    read_later(srv, req, ino, size, off))
			return;
		n = ofs_read_ex(srv->fs, ino, buf, size, off, OFS_READ_NOATIME);
	}
	reply_read(req, buf, n);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
		     off_t off, struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.write(req, ino, buf, size, off, fi);
		return;
	}
	struct ofs_fuse *srv = SRV(req);
	/* the kernel's flag: set for every write by a caller without
	 * CAP_FSETID, whatever the mode, so the mode is dropped in the
	 * write's own commit rather than read first (a write's hot path) */
	int killed = 0;
	unsigned how = kernel_times(srv);
	/* a write(2) through a direct handle; not one of the pages a shared
	 * mapping dirtied, which may come through any handle */
	if ((fi->fh & OFS_FUSE_FH_DIRECT) && !fi->writepage)
		how |= OFS_KILL_CAP;
	struct caller c = caller_of(req, 1);
	ssize_t n = ofs_write_kill(srv->fs, ino, buf, size, off, how, &c.m, srv->kill ? &killed : NULL);
	if (n >= 0 && killed) /* attributes only: the kernel holds the pages */
		fuse_lowlevel_notify_inval_inode(srv->se, ino, -1, 0);
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
	srv->stream = size >= OFS_FUSE_STREAM_MIN;
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.release(req, ino, fi);
		return;
	}
	release_handle(SRV(req), ino, fi);
	fuse_reply_err(req, 0);
}

/* op_flush: every close(2).  Real files have nothing to do (the kernel
 * wrote their pages back already); a provider's files may store here, so
 * that close reports the error (the /db tree's one put per write). */
static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.flush(req, ino, fi);
		return;
	}
	fuse_reply_err(req, 0);
}

/* fsync and fsyncdir: durable means every commit so far is on disk: the
 * batch is committed (which flushes its pages) and then the meta page is
 * flushed.  Both on this thread: the commit must be, and a thread of its
 * own for the second flush cost more than it saved (30% more 4 KiB
 * random writes with an fsync every 32 done here). */
static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) { /* the provider's flush first */
		ofs_fuse_synth_ops.fsync(req, ino, datasync, fi);
		return;
	}
	int rc = ofs_fuse_commit(SRV(req));
	ofs_fuse_reply_err(req, rc < 0 ? rc : ofs_sync(SRV(req)->fs));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fi->fh = 0;
	/* the kernel's listing cache spares later listings every round
	 * trip; but it is filled an entry at a time in the lister's own
	 * time, 9 ms of CPU for 100,000 entries, more than a large
	 * directory's first listing takes without it, and its later ones
	 * take little more from replies built ahead (see RD_FIRST).  Every
	 * change passes through the kernel, which drops the cached listing
	 * itself when the directory changes. */
	if (!ofs_fuse_is_synth(ino)) {
		if (ofs_dir_large(SRV(req)->fs, ino)) {
			fi->fh = OFS_FUSE_FH_LARGE;
		} else {
			fi->cache_readdir = 1;
			fi->keep_cache = 1;
		}
		accessed(SRV(req), ino);
	}
	fuse_reply_open(req, fi);
}

/* Listing replies.  A large directory's listings (no kernel cache, see
 * op_opendir) all come here, so replies are built one ahead: after a
 * plain reply that did not reach the end, the next is built at once,
 * while the lister works through the one it has, and sent as soon as it
 * is asked for (ofs_names_version tells whether it is still true).  The
 * loop thread builds it, so another request may wait for it (1.3 ms for
 * 32,000 entries in memory), and a listing that another process's
 * changes to the directory spoil pays for one reply twice.  A listing's plain
 * replies start at RD_FIRST bytes and double up to what the kernel asks
 * for, so the lister starts early and the leaves read ahead meanwhile.
 * At its start the kernel asks for entries with attributes whatever the
 * lister wants, and goes on asking only if the lister uses them; for a
 * large directory that first reply is kept small, as a lister that wants
 * none (ls -f) waits for the disk to read each inode in it, while a small
 * one's holds them all for ls -l. */
enum {
	RD_FIRST = 32768,  /* bytes of a listing's first plain reply */
	RD_STEPS = 5,      /* doublings up to 1 MiB */
	RD_PLUS = 32768,   /* bytes of a reply with attributes */
	RD_PLUS_FIRST = 4096, /* ... at a large listing's start (25 entries) */
	RD_PLUS_MIN = 160, /* bytes of one with a name of 1 to 8 bytes */
};

/* One readdir reply being filled. */
struct dirfill {
	fuse_req_t req;    /* NULL for a reply built ahead */
	struct ofs_fuse *srv;
	char *buf;
	size_t size, len;
	int plus;          /* READDIRPLUS: with the entries' attributes */
	int slot;          /* provider slot of the directory, -1 for a real one */
	uint64_t dir;
	off_t end;         /* the offset after the last entry added */
	int full;          /* an entry did not fit */
};

/* add_as: one entry e (e.attr its attributes, e.attr.st_ino global)
 * with resume offset off, in READDIRPLUS form without its attributes
 * unless attrs (the kernel then takes the name alone); 1 when it did not
 * fit. */
static int add_as(struct dirfill *df, const char *name, struct fuse_entry_param e, off_t off,
		  int attrs)
{
	size_t room = df->size - df->len, need;
	char *p = df->buf + df->len;
	if (df->plus) {
		uint64_t ino = e.attr.st_ino;
		if (!attrs)
			e.ino = 0;
		need = fuse_add_direntry_plus(df->req, p, room, name, &e, off);
		if (need > room)
			return df->full = 1;
		int dots = name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
		if (!ofs_fuse_is_synth(ino) && !dots && attrs)
			ofs_fuse_ref(df->srv, ino); /* the kernel keeps a reference */
	} else {
		need = fuse_add_direntry(df->req, p, room, name, &e.attr, off);
		if (need > room)
			return df->full = 1;
	}
	df->len += need;
	df->end = off;
	return 0;
}

/* add: add_as of the dots and synthetic nodes, attributes st, with the
 * timeout of the tree they are in (generation 0, as their lookups say). */
static int add(struct dirfill *df, const char *name, const struct stat *st, off_t off)
{
	struct fuse_entry_param e = {.ino = st->st_ino, .attr = *st};
	double t = df->srv->timeout;
	if (ofs_fuse_is_synth(st->st_ino)) {
		const struct ofs_fuse_slot *s = ofs_fuse_slot_of(df->srv, st->st_ino, NULL);
		t = s ? s->p->timeout : 0;
	}
	e.attr_timeout = e.entry_timeout = t;
	return add_as(df, name, e, off, df->plus);
}

/* add_ofs: ofs_readdir callback for a real directory. */
static int add_ofs(void *arg, const struct ofs_dirent *d)
{
	struct dirfill *df = arg;
	char name[OFS_NAME_MAX + 1];
	size_t n = d->namelen < OFS_NAME_MAX ? d->namelen : OFS_NAME_MAX;
	memcpy(name, d->name, n);
	name[n] = '\0';
	if (df->dir == OFS_ROOT_INO && ofs_fuse_reserved(name))
		return 0; /* hidden: the name belongs to the runtime */
	/* what the kernel holds it has the attributes of (a second ls -l
	 * took twice as long with them) */
	int attrs = df->plus && !ofs_fuse_known(df->srv, d->ino);
	struct fuse_entry_param e = {.attr = {.st_ino = d->ino, .st_mode = d->type << 12}};
	if (attrs) { /* the entry a lookup of it would give */
		struct ofs_attr a;
		int rc = ofs_getattr(df->srv->fs, d->ino, &a);
		if (rc == -ENOENT)
			return 0; /* went away meanwhile */
		if (rc < 0)
			return rc;
		e = entry_param(df->srv, &a);
	} /* else the name and its type (DT_* is S_IFMT >> 12) */
	return add_as(df, name, e, (off_t)(d->cookie + OFF_BASE), attrs);
}

/* add_synth: provider readdir callback (local numbers). */
static int add_synth(void *arg, const struct ofs_dirent *d)
{
	struct dirfill *df = arg;
	const struct ofs_fuse_slot *s = &df->srv->slot[df->slot];
	char name[OFS_NAME_MAX + 1];
	struct stat st = {0};
	size_t n = d->namelen < OFS_NAME_MAX ? d->namelen : OFS_NAME_MAX;
	memcpy(name, d->name, n);
	name[n] = '\0';
	if (df->plus) {
		int rc = s->p->getattr(s->arg, d->ino, &st);
		if (rc == -ENOENT)
			return 0;
		if (rc < 0)
			return rc;
	} else {
		st.st_mode = d->type << 12;
	}
	st.st_ino = ofs_fuse_synth_ino(df->slot, d->ino);
	return add(df, name, &st, (off_t)(d->cookie + OFF_BASE));
}

/* dots: "." and ".." (and the provider roots in /) from offset off;
 * returns 1 when the reply is full. */
static int dots(struct dirfill *df, uint64_t ino, off_t off)
{
	struct stat st = {.st_mode = S_IFDIR};
	st.st_ino = ino;
	if (off < OFF_DOT && add(df, ".", &st, OFF_DOT))
		return 1;
	/* the parent is known for / and a provider's root only; elsewhere
	 * the directory stands in for it, as nothing reads d_ino of ".." */
	int top = ino == OFS_ROOT_INO || (df->slot >= 0 && (ino & OFS_FUSE_LOCAL_MASK) == 1);
	st.st_ino = top ? OFS_ROOT_INO : ino;
	if (off < OFF_DOTDOT && add(df, "..", &st, OFF_DOTDOT))
		return 1;
	if (ino != OFS_ROOT_INO)
		return 0;
	for (int i = 0; i < df->srv->nslot; i++) {
		const struct ofs_fuse_slot *s = &df->srv->slot[i];
		if (off >= OFF_PROV + i + 1)
			continue;
		struct stat ps = {0};
		if (df->plus && s->p->getattr(s->arg, 1, &ps) < 0)
			continue;
		ps.st_ino = ofs_fuse_synth_ino(i, 1);
		ps.st_mode = ps.st_mode ? ps.st_mode : S_IFDIR | 0555;
		if (add(df, s->p->name, &ps, OFF_PROV + i + 1))
			return 1;
	}
	return 0;
}

/* fill: the entries of directory df->dir (provider slot s, local number
 * local, or a real one when s is NULL) from offset off into df: 1 if the
 * reply is full, 0 at the listing's end, or a negative errno. */
static int fill(struct dirfill *df, const struct ofs_fuse_slot *s, uint64_t local, off_t off)
{
	if (off < OFF_BASE && dots(df, df->dir, off))
		return 1;
	uint64_t cookie = off >= OFF_BASE ? (uint64_t)off - OFF_BASE : 0;
	int rc = s ? s->p->readdir(s->arg, local, cookie, add_synth, df)
		   : ofs_readdir_ex(df->srv->fs, df->dir, cookie,
				    df->plus ? df->size / RD_PLUS_MIN + 1 : 0, add_ofs, df);
	return rc < 0 ? rc : df->full;
}

/* reply_dir: send what df holds, or the error rc if it holds nothing. */
static void reply_dir(fuse_req_t req, const struct dirfill *df, int rc)
{
	if (rc < 0 && df->len == 0)
		ofs_fuse_reply_err(req, rc);
	else
		fuse_reply_buf(req, df->buf, df->len);
}

/* readdir_synth: readdir and readdirplus of a provider's directory. */
static void readdir_synth(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus)
{
	struct ofs_fuse *srv = SRV(req);
	uint64_t local = 0;
	const struct ofs_fuse_slot *s = ofs_fuse_slot_of(srv, ino, &local);
	if (!s || !s->p->readdir) {
		fuse_reply_err(req, s ? ENOTDIR : ENOENT);
		return;
	}
	struct dirfill df = {.req = req, .srv = srv, .buf = ofs_fuse_buf(srv, size), .size = size,
			     .plus = plus, .slot = (int)(s - srv->slot), .dir = ino};
	if (!df.buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_dir(req, &df, fill(&df, s, local, off));
}

/* rd_size: bytes of the plain reply at step of a listing, at most max. */
static size_t rd_size(unsigned step, size_t max)
{
	size_t n = (size_t)RD_FIRST << (step < RD_STEPS ? step : RD_STEPS);
	return n < max ? n : max;
}

/* build_next: the plain reply of directory ino from offset off, at step
 * of its listing and at most max bytes, built now into srv->next. */
static void build_next(struct ofs_fuse *srv, uint64_t ino, off_t off, unsigned step, size_t max)
{
	struct ofs_fuse_next *nx = &srv->next;
	nx->ino = 0;
	if (!nx->buf) {
		if (!(nx->buf = malloc(OFS_FUSE_MAX_WRITE)))
			return;
		orion_populate(nx->buf, OFS_FUSE_MAX_WRITE); /* not 256 faults, one by one */
	}
	nx->names = ofs_names_version(srv->fs, ino);
	struct dirfill df = {.srv = srv, .buf = nx->buf, .slot = -1, .dir = ino,
			     .size = rd_size(step, max < OFS_FUSE_MAX_WRITE ? max : OFS_FUSE_MAX_WRITE)};
	if (fill(&df, NULL, 0, off) < 0 || df.len == 0)
		return;
	*nx = (struct ofs_fuse_next){ino, off, df.end, step, nx->names, df.len, nx->buf};
}

/* take_next: the reply built ahead answers a plain request for ino from
 * off of size bytes: sent, with its step in *step and end in *end. */
static int take_next(fuse_req_t req, uint64_t ino, size_t size, off_t off, unsigned *step,
		     off_t *end)
{
	struct ofs_fuse *srv = SRV(req);
	struct ofs_fuse_next *nx = &srv->next;
	if (nx->ino != ino || nx->off != off || nx->len > size ||
	    nx->names != ofs_names_version(srv->fs, ino))
		return 0;
	fuse_reply_buf(req, nx->buf, nx->len);
	nx->ino = 0;
	*step = nx->step;
	*end = nx->end;
	return 1;
}

/* readdir_real: readdir and readdirplus of a real directory, large or
 * not (see op_opendir). */
static void readdir_real(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus,
			 int large)
{
	struct ofs_fuse *srv = SRV(req);
	unsigned step = 0;
	off_t end;
	if (!plus && take_next(req, ino, size, off, &step, &end)) {
		build_next(srv, ino, end, step + 1, size);
		return;
	}
	int start = off == 0;
	size_t max = plus ? (start && large ? RD_PLUS_FIRST : RD_PLUS)
			  : rd_size(start ? 0 : RD_STEPS, size);
	struct dirfill df = {.req = req, .srv = srv, .plus = plus, .slot = -1, .dir = ino,
			     .size = max < size ? max : size};
	if (!(df.buf = ofs_fuse_buf(srv, df.size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	int rc = fill(&df, NULL, 0, off);
	reply_dir(req, &df, rc);
	if (rc == 1 && (!plus || start))
		build_next(srv, ino, df.end, start ? 1 : RD_STEPS, size);
}

/* readdir_any: readdir and readdirplus through handle fi. */
static void readdir_any(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, int plus,
			const struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino))
		readdir_synth(req, ino, size, off, plus);
	else
		readdir_real(req, ino, size, off, plus, fi->fh == OFS_FUSE_FH_LARGE);
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	readdir_any(req, ino, size, off, 0, fi);
}

static void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	readdir_any(req, ino, size, off, 1, fi);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;
	ofs_fuse_tune(SRV(req));
	int rc = ofs_statfs(SRV(req)->fs, &sv);
	if (rc < 0)
		ofs_fuse_reply_err(req, rc);
	else
		fuse_reply_statfs(req, &sv);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.setxattr(req, ino, name, value, size, flags);
		return;
	}
	if (strncmp(name, "system.posix_acl_", 17) == 0 && !SRV(req)->posix_acl) {
		/* an ACL the kernel would not enforce: refusing it (as cp and
		 * rsync expect) beats storing rights nobody checks */
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	/* kill: the kernel's verdict on set-group-ID (SETXATTR_EXT) */
	ofs_fuse_reply_err(req, ofs_setxattr_kill(SRV(req)->fs, ino, name, value, size, flags,
						  SRV(req)->kill));
}

/* reply_xattr: the size asked for (size 0) or the bytes. */
static void reply_xattr(fuse_req_t req, ssize_t n, const char *buf, size_t size)
{
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.getxattr(req, ino, name, size);
		return;
	}
	char *buf = size ? ofs_fuse_buf(srv, size) : NULL;
	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_xattr(req, ofs_getxattr(srv->fs, ino, name, buf, size), buf, size);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.listxattr(req, ino, size);
		return;
	}
	char *buf = size ? ofs_fuse_buf(srv, size) : NULL;
	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_xattr(req, ofs_listxattr(srv->fs, ino, buf, size), buf, size);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.removexattr(req, ino, name);
		return;
	}
	ofs_fuse_reply_err(req, ofs_removexattr(SRV(req)->fs, ino, name));
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	ofs_fuse_reply_err(req, ofs_fallocate_ex(SRV(req)->fs, ino, mode, off, len,
						 kernel_times(SRV(req))));
}

/* op_lseek: SEEK_DATA and SEEK_HOLE (the kernel answers the others).  The
 * kernel asks without writing its dirty pages back first: under its
 * write-back cache, while a handle that may write the file is open, we
 * could call data still in its cache a hole, or place the end short of
 * its size.  Then the answer is EOPNOTSUPP, which makes cp(1) and its
 * kind read the file whole; once the last writer is closed the holes are
 * ours to tell.  (ENOSYS would do it for the whole mount, for good.) */
static void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	if (ofs_fuse_is_synth(ino)) {
		ofs_fuse_synth_ops.lseek(req, ino, off, whence, fi);
		return;
	}
	if (SRV(req)->writeback && ofs_fuse_may_be_dirty(SRV(req), ino)) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	off_t r = ofs_seek(SRV(req)->fs, ino, off, whence);
	if (r < 0)
		ofs_fuse_reply_err(req, (int)r);
	else
		fuse_reply_lseek(req, r);
}

/* op_copy_file_range: copy_file_range(2) between two files of the image,
 * done here, so the bytes never cross into the kernel and back (the
 * kernel wrote back both ranges, dropped privileges, and drops its pages
 * of the copy's range itself).  A synthetic file answers EOPNOTSUPP,
 * which makes the kernel copy through read and write (ENOSYS would do
 * that for every later copy too). */
static void op_copy_file_range(fuse_req_t req, fuse_ino_t in, off_t off_in,
			       struct fuse_file_info *fi_in, fuse_ino_t out, off_t off_out,
			       struct fuse_file_info *fi_out, size_t len, int flags)
{
	struct ofs_fuse *srv = SRV(req);
	if (ofs_fuse_is_synth(in) || ofs_fuse_is_synth(out) || flags) {
		fuse_reply_err(req, flags ? EINVAL : EOPNOTSUPP);
		return;
	}
	ssize_t n = ofs_copy_range(srv->fs, in, off_in, out, off_out, len, kernel_times(srv));
	if (n < 0)
		ofs_fuse_reply_err(req, (int)n);
	else
		fuse_reply_write(req, (size_t)n);
}

/* ops_init: ask the kernel for every cache that saves a round trip. */
static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct ofs_fuse *srv = userdata;
	unsigned want = FUSE_CAP_ASYNC_READ | FUSE_CAP_ATOMIC_O_TRUNC | FUSE_CAP_READDIRPLUS |
			FUSE_CAP_READDIRPLUS_AUTO | FUSE_CAP_PARALLEL_DIROPS |
			FUSE_CAP_CACHE_SYMLINKS | FUSE_CAP_EXPLICIT_INVAL_DATA;
	/* off by default although faster (see ARCHITECTURE.md): under it a
	 * full disk fails the write-back, not the write(2), and the kernel
	 * keeps a /db value's size as written, not as stored */
	if ((srv->flags & OFS_FUSE_WRITEBACK) && !(srv->flags & OFS_FUSE_SYNC))
		want |= FUSE_CAP_WRITEBACK_CACHE;
	/* POSIX ACLs: the kernel checks access against them; we keep them
	 * and the mode in step, and apply the umask only where no default
	 * ACL rules (so the kernel must pass it on: DONT_MASK) */
	if ((conn->capable & (FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK)) ==
	    (FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK))
		want |= FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
	conn->want |= want & conn->capable;
	srv->writeback = (conn->want & FUSE_CAP_WRITEBACK_CACHE) != 0;
	srv->posix_acl = (conn->want & FUSE_CAP_POSIX_ACL) != 0;
	srv->dont_mask = (conn->want & FUSE_CAP_DONT_MASK) != 0;
	/* the kernel's local locks are what we want; privileges we drop
	 * ourselves with HANDLE_KILLPRIV_V2 (the wire hooks of fuse_server.c
	 * ask for it: libfuse 3.14 cannot), not with the first version, which
	 * would still cost a round trip per write; cached data is only
	 * invalidated when we say so */
	conn->want &= ~(unsigned)(FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS |
				  FUSE_CAP_HANDLE_KILLPRIV | FUSE_CAP_AUTO_INVAL_DATA);
	conn->max_write = OFS_FUSE_MAX_WRITE;
	conn->max_background = 64;
	conn->congestion_threshold = 48;
	conn->time_gran = 1;
}

static void op_destroy(void *userdata)
{
	struct ofs_fuse *srv = userdata;
	ofs_sync(srv->fs);
}

const struct fuse_lowlevel_ops ofs_fuse_ops = {
	.init = op_init,
	.destroy = op_destroy,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.symlink = op_symlink,
	.rename = op_rename,
	.link = op_link,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.write = op_write,
	.release = op_release,
	.fsync = op_fsync,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.readdirplus = op_readdirplus,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsync,
	.statfs = op_statfs,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
	.fallocate = op_fallocate,
	.lseek = op_lseek,
	.copy_file_range = op_copy_file_range,
	.flush = op_flush,
	/* access, locks: unimplemented on purpose.  default_permissions does
	 * access; without getlk/setlk/flock the kernel keeps locks locally. */
};
