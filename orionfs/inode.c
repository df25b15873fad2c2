/* inode.c: inode records (ino -> 128 bytes), allocation, the orphan list,
 * getattr/setattr/evict. */
#include "orionfs/internal.h"

#include <errno.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Offsets of the fields of an inode record (docs/orionfs.5). */
enum {
	I_MODE = 0, I_NLINK = 4, I_UID = 8, I_GID = 12, I_SIZE = 16, I_RDEV = 24,
	I_BLOCKS = 32, I_GEN = 40, I_PARENT = 48, I_ATIME = 56, I_MTIME = 72,
	I_CTIME = 88, I_BTIME = 104, I_FLAGS = 120,
};

/* ofs_now: the current wall-clock time. */
void ofs_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

/* ofs_kill_mode: see orionfs.h. */
uint32_t ofs_kill_mode(uint32_t mode, int outside)
{
	return mode & ~(uint32_t)(S_ISUID | ((mode & S_IXGRP) || outside ? S_ISGID : 0));
}

/* ofs_kill_for: see orionfs.h. */
uint32_t ofs_kill_for(uint32_t mode, uint32_t gid, const struct ofs_member *m)
{
	int at_stake = (mode & S_ISGID) && !(mode & S_IXGRP);
	return ofs_kill_mode(mode, at_stake && m && !m->in_group(m, gid));
}

/* ofs_mode_valid: whether mode's S_IFMT is a file type we store. */
int ofs_mode_valid(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFIFO:
	case S_IFSOCK: case S_IFCHR: case S_IFBLK:
		return 1;
	}
	return 0;
}

/* ofs_dtype: the DT_* value for a mode. */
uint32_t ofs_dtype(uint32_t mode)
{
	return (mode & S_IFMT) >> 12;
}

/* put_time / get_time: a timespec as i64 seconds, u32 nanoseconds, 4 spare. */
static void put_time(unsigned char *p, const struct timespec *t)
{
	ofs_put_le64(p, (uint64_t)(int64_t)t->tv_sec);
	ofs_put_le32(p + 8, (uint32_t)t->tv_nsec);
	ofs_put_le32(p + 12, 0);
}
static int get_time(const unsigned char *p, struct timespec *t)
{
	t->tv_sec = (time_t)(int64_t)ofs_le64(p);
	t->tv_nsec = ofs_le32(p + 8);
	return t->tv_nsec < 1000000000L ? 0 : -ORION_ECORRUPT;
}

/* encode: the 128-byte record of in. */
static void encode(unsigned char *p, const struct ofs_inode *in)
{
	const struct ofs_attr *a = &in->a;
	memset(p, 0, OFS_INODE_SIZE);
	ofs_put_le32(p + I_MODE, a->mode);
	ofs_put_le32(p + I_NLINK, a->nlink);
	ofs_put_le32(p + I_UID, a->uid);
	ofs_put_le32(p + I_GID, a->gid);
	ofs_put_le64(p + I_SIZE, a->size);
	ofs_put_le64(p + I_RDEV, a->rdev);
	ofs_put_le64(p + I_BLOCKS, a->blocks);
	ofs_put_le64(p + I_GEN, a->generation);
	ofs_put_le64(p + I_PARENT, in->parent);
	put_time(p + I_ATIME, &a->atime);
	put_time(p + I_MTIME, &a->mtime);
	put_time(p + I_CTIME, &a->ctime);
	put_time(p + I_BTIME, &a->btime);
}

/* ofs_inode_decode: parse and validate the record v of inode ino. */
int ofs_inode_decode(const MDB_val *v, uint64_t ino, struct ofs_inode *out)
{
	const unsigned char *p = v->mv_data;
	struct ofs_attr *a = &out->a;
	if (v->mv_size != OFS_INODE_SIZE)
		return -ORION_ECORRUPT;
	a->ino = ino;
	a->mode = ofs_le32(p + I_MODE);
	a->nlink = ofs_le32(p + I_NLINK);
	a->uid = ofs_le32(p + I_UID);
	a->gid = ofs_le32(p + I_GID);
	a->size = ofs_le64(p + I_SIZE);
	a->rdev = ofs_le64(p + I_RDEV);
	a->blocks = ofs_le64(p + I_BLOCKS);
	a->generation = ofs_le64(p + I_GEN);
	out->parent = ofs_le64(p + I_PARENT);
	if (!ofs_mode_valid(a->mode) || a->size > OFS_MAX_SIZE || ofs_le64(p + I_FLAGS))
		return -ORION_ECORRUPT;
	if (get_time(p + I_ATIME, &a->atime) || get_time(p + I_MTIME, &a->mtime) ||
	    get_time(p + I_CTIME, &a->ctime) || get_time(p + I_BTIME, &a->btime))
		return -ORION_ECORRUPT;
	return 0;
}

/* ofs_inode_get: inode ino; -ENOENT if absent, -ORION_ECORRUPT if bad. */
int ofs_inode_get(ofs *fs, MDB_txn *txn, uint64_t ino, struct ofs_inode *out)
{
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, ino), v;
	int rc = mdb_get(txn, fs->inode, &key, &v);
	if (rc)
		return ofs_lmdb_err(rc);
	return ofs_inode_decode(&v, ino, out);
}

/* ofs_inode_put: store in (its a.ino names it). */
int ofs_inode_put(ofs *fs, MDB_txn *txn, const struct ofs_inode *in)
{
	struct ofs_key k;
	unsigned char rec[OFS_INODE_SIZE];
	MDB_val key = ofs_key1(&k, in->a.ino), v = {sizeof rec, rec};
	encode(rec, in);
	return ofs_lmdb_err(mdb_put(txn, fs->inode, &key, &v, 0));
}

/* ofs_inode_new: a fresh in-memory inode with the next inode number
 * (consumed now, so never reused); the caller stores it. */
int ofs_inode_new(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint32_t mode,
		  uint32_t uid, uint32_t gid)
{
	uint64_t next;
	int rc = ofs_super_u64(fs, txn, "next_ino", &next);
	if (rc)
		return rc;
	if ((rc = ofs_super_put_u64(fs, txn, "next_ino", next + 1)))
		return rc;
	memset(in, 0, sizeof *in);
	in->a.ino = next;
	in->a.mode = mode;
	in->a.nlink = S_ISDIR(mode) ? 2 : 1;
	in->a.uid = uid;
	in->a.gid = gid;
	in->a.generation = 1;
	ofs_now(&in->a.btime);
	in->a.atime = in->a.mtime = in->a.ctime = in->a.btime;
	return 0;
}

/* ofs_orphan_add: record that ino has no name (left) but must live on;
 * linkable: it was made so (O_TMPFILE) and may still be named. */
int ofs_orphan_add(ofs *fs, MDB_txn *txn, uint64_t ino, int linkable)
{
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, ino), v = {linkable ? 1 : 0, "\1"};
	return ofs_lmdb_err(mdb_put(txn, fs->orphan, &key, &v, 0));
}

/* ofs_orphan_claim: take linkable orphan ino off the list, to be named;
 * -ENOENT for any other (a file that lost its last name stays lost). */
int ofs_orphan_claim(ofs *fs, MDB_txn *txn, uint64_t ino)
{
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, ino), v;
	int rc = ofs_lmdb_err(mdb_get(txn, fs->orphan, &key, &v));
	if (rc)
		return rc;
	if (v.mv_size != 1 || *(const unsigned char *)v.mv_data != 1)
		return -ENOENT;
	return ofs_lmdb_err(mdb_del(txn, fs->orphan, &key, NULL));
}

/* forget: delete ino's records from every table, its data at once. */
static int forget(ofs *fs, MDB_txn *txn, uint64_t ino)
{
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, ino);
	int rc = ofs_owner_drop(fs, txn, fs->data, ino, 0, NULL);
	if (rc >= 0 && fs->has_overlay)
		rc = ofs_owner_drop(fs, txn, fs->overlay, ino, 0, NULL);
	if (rc >= 0)
		rc = ofs_owner_drop(fs, txn, fs->xattr, ino, 0, NULL);
	if (rc < 0)
		return rc;
	rc = mdb_del(txn, fs->orphan, &key, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return ofs_lmdb_err(rc);
	rc = mdb_del(txn, fs->inode, &key, NULL);
	return rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc);
}

/* ofs_inode_destroy: delete inode in (as read in txn) with its data,
 * xattrs and orphan entry.  Returns 1 when it could free only part of
 * the data in this write transaction (ofs_data_shed): the inode is then
 * shorter, still an orphan, and the caller commits and calls again. */
int ofs_inode_destroy(ofs *fs, MDB_txn *txn, struct ofs_inode *in)
{
	int rc = ofs_data_shed(fs, txn, in, 0);
	return rc ? rc : forget(fs, txn, in->a.ino);
}

/* first_record: the first record of table dbi (MDB_NOTFOUND: none);
 * returns an LMDB code. */
static int first_record(MDB_txn *txn, MDB_dbi dbi, MDB_val *k, MDB_val *v)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, dbi, &c);
	if (rc == 0) {
		rc = mdb_cursor_get(c, k, v, MDB_FIRST);
		mdb_cursor_close(c);
	}
	return rc;
}

/* first_orphan: the lowest inode number on the orphan list (0: none). */
static int first_orphan(ofs *fs, MDB_txn *txn, uint64_t *ino)
{
	MDB_val k, v;
	int rc = first_record(txn, fs->orphan, &k, &v);
	*ino = 0;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return ofs_lmdb_err(rc);
	if (k.mv_size != 8)
		return -ORION_ECORRUPT;
	*ino = ofs_be64(k.mv_data);
	return 0;
}

/* reclaim_step: delete orphans in txn until none is left or
 * ofs_inode_destroy asks for a commit (1). */
static int reclaim_step(ofs *fs, MDB_txn *txn, void *arg)
{
	uint64_t ino = 0;
	int rc;
	(void)arg;
	while ((rc = first_orphan(fs, txn, &ino)) == 0 && ino) {
		struct ofs_inode in;
		rc = ofs_inode_get(fs, txn, ino, &in);
		if (rc == -ENOENT) /* a stale entry: drop what is left */
			rc = forget(fs, txn, ino);
		else if (rc == 0)
			rc = ofs_inode_destroy(fs, txn, &in);
		if (rc)
			break;
	}
	return rc;
}

/* ofs_reclaim_orphans: delete the orphans a previous run left behind
 * (no kernel can know them any more), a commit per OFS_FREE_PAGES freed. */
int ofs_reclaim_orphans(ofs *fs)
{
	return ofs_steps(fs, reclaim_step, NULL);
}

/* pending_put: record ino's unfinished call (kind, a, b). */
static int pending_put(ofs *fs, MDB_txn *txn, uint64_t ino, unsigned kind, uint64_t a, uint64_t b)
{
	struct ofs_key k;
	unsigned char v[OFS_PENDING_VAL];
	v[0] = (unsigned char)kind;
	ofs_put_le64(v + 1, a);
	ofs_put_le64(v + 9, b);
	MDB_val key = ofs_key1(&k, ino), val = {sizeof v, v};
	return ofs_lmdb_err(mdb_put(txn, fs->pending, &key, &val, 0));
}

/* pending_del: ino's call is done (or moot). */
static int pending_del(ofs *fs, MDB_txn *txn, uint64_t ino)
{
	struct ofs_key k;
	MDB_val key = ofs_key1(&k, ino);
	int rc = mdb_del(txn, fs->pending, &key, NULL);
	return rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc);
}

/* ofs_pending_step: bookkeeping for a step of a call made of commits
 * (ofs_steps) that returned rc: the first step asking for another (1)
 * records the call (kind, a, b) in its own commit, so that the next
 * read-write open finishes it should a crash cut it short, and the last
 * step of a recorded call deletes the record; *recorded keeps track.
 * Returns rc, or the error that replaces it. */
int ofs_pending_step(ofs *fs, MDB_txn *txn, int rc, uint64_t ino, unsigned kind, uint64_t a,
		     uint64_t b, int *recorded)
{
	int e = 0;
	if (!fs->has_pending || rc < 0)
		return rc;
	if (rc == 1 && !*recorded)
		e = pending_put(fs, txn, ino, kind, a, b);
	else if (rc == 0 && *recorded)
		e = pending_del(fs, txn, ino);
	if (e)
		return e;
	if (rc == 1)
		*recorded = 1;
	return rc;
}

/* A recorded call (ofs_pending_finish), with its record's key. */
struct pending {
	uint64_t ino, a, b;
	unsigned kind;
	unsigned char key[511]; /* LMDB's longest */
	size_t klen;
};

/* pending_first: the first recorded call into *p; 1, 0 when there is
 * none, or an error.  A malformed record reads as kind 0. */
static int pending_first(ofs *fs, struct pending *p)
{
	MDB_txn *txn;
	MDB_val k, v;
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	if ((rc = first_record(txn, fs->pending, &k, &v)) == 0) {
		const unsigned char *b = v.mv_data;
		int ok = k.mv_size == 8 && v.mv_size == OFS_PENDING_VAL;
		p->ino = k.mv_size == 8 ? ofs_be64(k.mv_data) : 0;
		p->kind = ok ? b[0] : 0;
		p->a = ok ? ofs_le64(b + 1) : 0;
		p->b = ok ? ofs_le64(b + 9) : 0;
		p->klen = k.mv_size;
		memcpy(p->key, k.mv_data, k.mv_size);
	}
	ofs_rtxn_done(fs, txn);
	return rc == MDB_NOTFOUND ? 0 : rc ? ofs_lmdb_err(rc) : 1;
}

/* pending_run: finish call p: what it left to do, and only that (a
 * truncation never grows the file). */
static int pending_run(ofs *fs, const struct pending *p)
{
	struct ofs_attr a;
	int rc = ofs_getattr(fs, p->ino, &a);
	if (rc || !S_ISREG(a.mode))
		return rc;
	if (p->kind == OFS_PENDING_TRUNCATE && a.size > p->a) {
		a.size = p->a;
		return ofs_setattr(fs, p->ino, &a, OFS_SET_SIZE, NULL);
	}
	if (p->kind == OFS_PENDING_PUNCH && p->b && p->a < OFS_MAX_SIZE && p->b <= OFS_MAX_SIZE - p->a)
		return ofs_fallocate(fs, p->ino, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				     (off_t)p->a, (off_t)p->b);
	return 0;
}

/* pending_drop: delete the record of call p (gone already if the call
 * took steps of its own). */
static int pending_drop(ofs *fs, const struct pending *p)
{
	MDB_txn *txn;
	MDB_val key = {p->klen, (void *)p->key};
	int rc = ofs_wtxn(fs, &txn);
	if (rc)
		return rc;
	rc = mdb_del(txn, fs->pending, &key, NULL);
	return ofs_finish(fs, txn, rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc));
}

/* ofs_pending_finish: finish every call a crash cut short (at a
 * read-write open).  One that fails for want of room or I/O stays
 * recorded for a later open; one whose inode went is dropped. */
int ofs_pending_finish(ofs *fs)
{
	struct pending p = {0};
	int rc;
	if (!fs->has_pending || (fs->flags & OFS_OPEN_RDONLY))
		return 0;
	while ((rc = pending_first(fs, &p)) == 1) {
		rc = pending_run(fs, &p);
		if (rc < 0 && rc != -ENOENT)
			return rc;
		if ((rc = pending_drop(fs, &p)))
			return rc;
	}
	return rc;
}

/* ofs_getattr: attributes of ino. */
int ofs_getattr(ofs *fs, uint64_t ino, struct ofs_attr *out)
{
	MDB_txn *txn;
	struct ofs_inode in;
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	rc = ofs_inode_get(fs, txn, ino, &in);
	ofs_rtxn_done(fs, txn);
	if (!rc)
		*out = in.a;
	return rc;
}

/* evict_step: delete inode *arg in txn if it has no link left. */
static int evict_step(ofs *fs, MDB_txn *txn, void *arg)
{
	struct ofs_inode in;
	int rc = ofs_inode_get(fs, txn, *(const uint64_t *)arg, &in);
	return rc || in.a.nlink ? rc : ofs_inode_destroy(fs, txn, &in);
}

/* ofs_evict: the kernel forgot ino; delete it if its nlink is 0 (a huge
 * file over several commits: ofs_inode_destroy). */
int ofs_evict(ofs *fs, uint64_t ino)
{
	struct ofs_attr a;
	int rc = ofs_getattr(fs, ino, &a); /* cheap read first: usually linked */
	if (rc == -ENOENT || (!rc && a.nlink > 0))
		return 0;
	if (rc)
		return rc;
	rc = ofs_steps(fs, evict_step, &ino);
	return rc == -ENOENT || rc == -EROFS ? 0 : rc;
}

/* set_times: apply the time fields of valid to in; ctime becomes now
 * unless given. */
static void set_times(struct ofs_inode *in, const struct ofs_attr *src, unsigned valid,
		      const struct timespec *now)
{
	if (valid & OFS_SET_ATIME_NOW)
		in->a.atime = *now;
	else if (valid & OFS_SET_ATIME)
		in->a.atime = src->atime;
	if (valid & OFS_SET_MTIME_NOW)
		in->a.mtime = *now;
	else if (valid & OFS_SET_MTIME)
		in->a.mtime = src->mtime;
	else if ((valid & OFS_SET_SIZE) && !(valid & OFS_KEEP_TIMES))
		in->a.mtime = *now; /* truncate changes the data */
	if (valid & OFS_SET_CTIME)
		in->a.ctime = src->ctime;
	else if (!(valid & OFS_KEEP_TIMES))
		in->a.ctime = *now;
}

/* apply: the OFS_SET_* fields of src onto in, inside txn; 1 when a
 * truncation could free only part of the data in txn (ofs_data_shed):
 * in is then stored shorter but otherwise unchanged. */
static int apply(ofs *fs, MDB_txn *txn, struct ofs_inode *in, const struct ofs_attr *src,
		 unsigned valid)
{
	struct timespec now;
	int rc;
	if ((valid & (OFS_SET_ATIME | OFS_SET_MTIME | OFS_SET_CTIME)) &&
	    (((valid & OFS_SET_ATIME) && (uint64_t)src->atime.tv_nsec >= 1000000000u) ||
	     ((valid & OFS_SET_MTIME) && (uint64_t)src->mtime.tv_nsec >= 1000000000u) ||
	     ((valid & OFS_SET_CTIME) && (uint64_t)src->ctime.tv_nsec >= 1000000000u)))
		return -EINVAL;
	if (valid & OFS_SET_SIZE) {
		if (S_ISDIR(in->a.mode))
			return -EISDIR;
		if (!S_ISREG(in->a.mode))
			return -EINVAL;
		if (src->size > OFS_MAX_SIZE)
			return -EFBIG;
		uint64_t floor = (src->size + OFS_BLOCK - 1) / OFS_BLOCK;
		if ((in->a.size > src->size && (rc = ofs_data_shed(fs, txn, in, floor))) ||
		    (rc = ofs_truncate_data(fs, txn, in, src->size)))
			return rc;
	}
	if (valid & OFS_SET_MODE) {
		in->a.mode = (in->a.mode & S_IFMT) | (src->mode & 07777);
		if ((rc = ofs_acl_follow(fs, txn, in->a.ino, in->a.mode)))
			return rc;
	}
	if (valid & OFS_SET_UID)
		in->a.uid = src->uid;
	if (valid & OFS_SET_GID)
		in->a.gid = src->gid;
	ofs_now(&now);
	set_times(in, src, valid, &now);
	return ofs_inode_put(fs, txn, in);
}

/* A setattr's arguments and, once done, the inode (setattr_step). */
struct setattr {
	uint64_t ino;
	const struct ofs_attr *src;
	unsigned valid;
	struct ofs_inode in;
	int recorded; /* ofs_pending_step */
};

/* setattr_step: ofs_setattr in txn; 1 from apply (a truncation in
 * steps, recorded until done). */
static int setattr_step(ofs *fs, MDB_txn *txn, void *arg)
{
	struct setattr *sa = arg;
	int rc = ofs_inode_get(fs, txn, sa->ino, &sa->in);
	if (rc == 0)
		rc = apply(fs, txn, &sa->in, sa->src, sa->valid);
	return ofs_pending_step(fs, txn, rc, sa->ino, OFS_PENDING_TRUNCATE, sa->src->size, 0,
				&sa->recorded);
}

/* ofs_setattr: apply the fields named by valid (OFS_SET_*); ctime is
 * updated as POSIX says; fills out with the result.  A truncation that
 * frees a huge file's data commits a shorter file first, as often as it
 * takes (apply), then the whole change. */
int ofs_setattr(ofs *fs, uint64_t ino, const struct ofs_attr *src, unsigned valid,
		struct ofs_attr *out)
{
	struct setattr sa = {.ino = ino, .src = src, .valid = valid};
	int rc = ofs_steps(fs, setattr_step, &sa);
	if (rc == 0 && out)
		*out = sa.in.a;
	return rc;
}
