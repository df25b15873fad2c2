/* image.c: the LMDB environment behind an image: mkfs, open, close, sync,
 * statfs, the super table and transaction helpers. */
#include "orionfs/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* The tables this layer owns, in struct ofs order. */
static const char *const tables[] = {"super", "inode", "dirent", "xattr", "data", "orphan"};
#define NTABLES (sizeof tables / sizeof tables[0])

/* dbi_slot: the struct ofs field holding table i. */
static MDB_dbi *dbi_slot(ofs *fs, size_t i)
{
	MDB_dbi *slots[NTABLES] = {&fs->super, &fs->inode, &fs->dirent,
				   &fs->xattr, &fs->data, &fs->orphan};
	return slots[i];
}

/* super keys holding a fixed 32-bit value every image has ("hash" varies
 * and is handled on its own). */
static const struct {
	const char *key;
	uint32_t value;
} super_u32[] = {
	{"block_size", OFS_BLOCK},
	{"sector_size", OFS_SECTOR},
	{"cipher", OFS_CIPHER_NONE},
};

/* ofs_lmdb_err: an LMDB return code as a negative errno or project code. */
int ofs_lmdb_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_NOTFOUND: return -ENOENT;
	case MDB_MAP_FULL: return -ENOSPC;
	case MDB_TXN_FULL: return -EFBIG;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND: return -ORION_ECORRUPT;
	case MDB_INVALID:
	case MDB_INCOMPATIBLE: return -ORION_EBADIMAGE;
	case MDB_VERSION_MISMATCH: return -ORION_EVERSION;
	case MDB_READERS_FULL:
	case MDB_MAP_RESIZED: return -EAGAIN;
	case MDB_BAD_VALSIZE: return -EINVAL;
	case MDB_DBS_FULL: return -EMFILE;
	default: return rc > 0 ? -rc : -EIO;
	}
}

/* snap_begin: a read-only transaction on the last commit (end it with
 * snap_end); an idle one from the pool is renewed when there is one. */
static int snap_begin(ofs *fs, MDB_txn **txn)
{
	MDB_txn *t = NULL;
	pthread_mutex_lock(&fs->rlock);
	if (fs->nridle)
		t = fs->ridle[--fs->nridle];
	pthread_mutex_unlock(&fs->rlock);
	if (t) {
		int rc = mdb_txn_renew(t);
		if (rc == 0) {
			*txn = t;
			return 0;
		}
		mdb_txn_abort(t); /* fall back to a fresh one */
	}
	return ofs_lmdb_err(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, txn));
}

/* snap_end: end read transaction txn, keeping it (reset, so it pins no
 * snapshot) for the next snap_begin. */
static void snap_end(ofs *fs, MDB_txn *txn)
{
	mdb_txn_reset(txn);
	pthread_mutex_lock(&fs->rlock);
	if (fs->nridle < OFS_RTXN_POOL) {
		fs->ridle[fs->nridle++] = txn;
		txn = NULL;
	}
	pthread_mutex_unlock(&fs->rlock);
	if (txn)
		mdb_txn_abort(txn);
}

/* owner: the calling thread is the group-commit owner.  Only the owner
 * touches batch, nested and the counters, so other threads test this
 * first and never read what the owner is changing. */
static int owner(const ofs *fs)
{
	return fs->batching && pthread_equal(fs->batch_owner, pthread_self());
}

/* batch_mine: the calling thread owns fs's open batch. */
static int batch_mine(const ofs *fs)
{
	return owner(fs) && fs->batch;
}

/* ofs_rtxn: a transaction to read in (end it with ofs_rtxn_done): the
 * open batch (or the call nested in it) when this thread owns one, so it
 * reads its own writes; else a read-only one on the last commit. */
int ofs_rtxn(ofs *fs, MDB_txn **txn)
{
	if (batch_mine(fs)) {
		*txn = fs->nested ? fs->nested : fs->batch;
		return 0;
	}
	return snap_begin(fs, txn);
}

/* ofs_rtxn_done: end a transaction from ofs_rtxn. */
void ofs_rtxn_done(ofs *fs, MDB_txn *txn)
{
	if (!owner(fs) || (txn != fs->batch && txn != fs->nested))
		snap_end(fs, txn);
}

/* rtxn_drain: free every pooled read transaction (before the env goes). */
static void rtxn_drain(ofs *fs)
{
	while (fs->nridle)
		mdb_txn_abort(fs->ridle[--fs->nridle]);
}

/* ofs_wtxn: begin the write transaction of one mutating call (-EROFS on
 * a read-only open or after a failed batch commit).  On the thread that
 * owns the batch it nests inside the batch, which it opens if need be. */
int ofs_wtxn(ofs *fs, MDB_txn **txn)
{
	if (fs->flags & OFS_OPEN_RDONLY)
		return -EROFS;
	if (fs->broken)
		return fs->broken;
	if (!owner(fs)) {
		int rc = ofs_lmdb_err(mdb_txn_begin(fs->env, NULL, 0, txn));
		if (rc == 0)
			fs->freed = 0; /* ours: we hold the write lock */
		return rc;
	}
	if (!fs->batch) {
		int rc = mdb_txn_begin(fs->env, NULL, 0, &fs->batch);
		if (rc)
			return ofs_lmdb_err(rc);
		clock_gettime(CLOCK_MONOTONIC, &fs->batch_start);
		fs->freed = 0;
	}
	int rc = mdb_txn_begin(fs->env, fs->batch, 0, txn);
	if (rc)
		return ofs_lmdb_err(rc);
	fs->nested = *txn;
	return 0;
}

/* ofs_txn_nested: txn is the call nested in the caller's batch. */
int ofs_txn_nested(const ofs *fs, const MDB_txn *txn)
{
	return owner(fs) && txn == fs->nested;
}

/* ofs_names_touch: an entry of directory dir is being written or removed
 * in the open write transaction. */
void ofs_names_touch(ofs *fs, uint64_t dir)
{
	unsigned slot = (unsigned)(dir % OFS_NAMES_SLOTS);
	fs->names_dirty |= 1ULL << slot;
	fs->names[slot]++;
}

/* names_settle: a write transaction has ended, committed or not.  A
 * top-level one's entries are now seen by every reader, or gone: a
 * listing built before is stale.  A call nested in the batch hands its
 * entries to the batch, whose end counts then (its owner saw them at
 * once); undone, they are gone. */
static void names_settle(ofs *fs, int nested, int committed)
{
	uint64_t moved = fs->names_dirty | (nested ? 0 : fs->names_batch);
	if (nested && committed)
		fs->names_batch |= fs->names_dirty;
	else
		for (unsigned i = 0; moved; i++, moved >>= 1)
			if (moved & 1)
				fs->names[i]++;
	if (!nested)
		fs->names_batch = 0;
	fs->names_dirty = 0;
}

/* ofs_names_version: see orionfs.h. */
uint64_t ofs_names_version(ofs *fs, uint64_t dir)
{
	return fs->names[dir % OFS_NAMES_SLOTS];
}

/* ofs_commit: commit txn (which is gone afterwards, whatever the result);
 * a call nested in the batch joins it, committed by the next ofs_flush. */
int ofs_commit(ofs *fs, MDB_txn *txn)
{
	int nested = ofs_txn_nested(fs, txn);
	int rc = ofs_lmdb_err(mdb_txn_commit(txn));
	if (nested) {
		fs->nested = NULL;
		if (rc == 0)
			fs->batch_ops++;
	}
	names_settle(fs, nested, rc == 0);
	return rc;
}

/* abort_txn: abort txn (from ofs_wtxn); the batch it nests in lives on. */
static void abort_txn(ofs *fs, MDB_txn *txn)
{
	int nested = ofs_txn_nested(fs, txn);
	if (nested)
		fs->nested = NULL;
	mdb_txn_abort(txn);
	names_settle(fs, nested, 0);
}

/* ofs_finish: abort txn when rc < 0, else commit it; the first error
 * wins, otherwise rc (a count) is returned. */
int ofs_finish(ofs *fs, MDB_txn *txn, int rc)
{
	if (rc < 0) {
		abort_txn(fs, txn);
		return rc;
	}
	int c = ofs_commit(fs, txn);
	return c ? c : rc;
}

/* ofs_batch_account: a call in the batch wrote bytes of file data. */
void ofs_batch_account(ofs *fs, uint64_t bytes)
{
	if (batch_mine(fs))
		fs->batch_bytes += bytes;
}

/* ofs_batch: group commit on (on != 0) or off for the calling thread. */
int ofs_batch(ofs *fs, int on)
{
	if (fs->flags & OFS_OPEN_RDONLY)
		return 0;
	if (fs->batching && !owner(fs))
		return -EBUSY;
	int rc = on ? 0 : ofs_flush(fs);
	fs->batch_owner = pthread_self();
	fs->batching = on != 0;
	return rc;
}

/* last_page: the last page of the image the latest commit uses. */
static uint64_t last_page(ofs *fs)
{
	MDB_envinfo info;
	return mdb_env_info(fs->env, &info) ? 0 : info.me_last_pgno;
}

/* uncache_appended: after a commit that stored bytes of file data and
 * grew the image past page last, let the kernel drop what it appended
 * from its cache when that was mostly file data (OFS_UNCACHE_MIN bytes
 * or more, filling at least half the new pages).  Those pages are clean
 * (the commit flushed them) and the kernel caches the file's bytes under
 * the mount anyway: a second copy only takes memory from the next
 * commit, and new memory is costly (on a virtual machine, fresh pages
 * doubled the CPU time of a long write). */
static void uncache_appended(ofs *fs, uint64_t last, uint64_t bytes)
{
	uint64_t now = last_page(fs), psize = fs->psize;
	if (bytes < OFS_UNCACHE_MIN || now <= last || bytes < (now - last) * psize / 2)
		return;
	posix_fadvise(fs->lockfd, (off_t)((last + 1) * psize), (off_t)((now - last) * psize),
		      POSIX_FADV_DONTNEED);
}

/* ofs_flush: commit the open batch, if any (owner thread only). */
int ofs_flush(ofs *fs)
{
	if (!batch_mine(fs))
		return 0;
	MDB_txn *t = fs->batch;
	uint64_t bytes = fs->batch_bytes, last = bytes >= OFS_UNCACHE_MIN ? last_page(fs) : 0;
	int rc = ofs_data_roomy(fs, t);
	fs->batch = NULL;
	fs->batch_ops = fs->batch_bytes = 0;
	if (rc)
		mdb_txn_abort(t);
	else
		rc = ofs_lmdb_err(mdb_txn_commit(t));
	names_settle(fs, 0, 0);
	if (rc) /* acknowledged work is lost: refuse all further writes */
		fs->broken = rc == -ENOSPC ? -ENOSPC : -EIO;
	else
		uncache_appended(fs, last, bytes);
	return rc;
}

/* ofs_batch_info: what the caller's open batch holds, and whether it has
 * reached a limit (all 0 when none is open). */
void ofs_batch_info(ofs *fs, struct ofs_batch_info *bi)
{
	memset(bi, 0, sizeof *bi);
	if (!batch_mine(fs))
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	bi->open = 1;
	bi->ops = fs->batch_ops;
	bi->bytes = fs->batch_bytes;
	bi->age_ns = (uint64_t)(now.tv_sec - fs->batch_start.tv_sec) * 1000000000u +
		     (uint64_t)now.tv_nsec - (uint64_t)fs->batch_start.tv_nsec;
	bi->due = bi->ops >= OFS_BATCH_OPS || bi->bytes >= OFS_BATCH_BYTES ||
		  bi->age_ns >= OFS_BATCH_MS * 1000000ull;
}

/* super_get: the value of super key, which must be exactly len bytes. */
static int super_get(ofs *fs, MDB_txn *txn, const char *key, void *out, size_t len)
{
	MDB_val k = {strlen(key), (void *)key}, v;
	int rc = mdb_get(txn, fs->super, &k, &v);
	if (rc == MDB_NOTFOUND)
		return -ORION_EBADIMAGE;
	if (rc)
		return ofs_lmdb_err(rc);
	if (v.mv_size != len)
		return -ORION_EBADIMAGE;
	memcpy(out, v.mv_data, len);
	return 0;
}

/* super_put: set super key to len bytes. */
static int super_put(ofs *fs, MDB_txn *txn, const char *key, const void *val, size_t len)
{
	MDB_val k = {strlen(key), (void *)key}, v = {len, (void *)val};
	return ofs_lmdb_err(mdb_put(txn, fs->super, &k, &v, 0));
}

/* ofs_super_u64: a little-endian 64-bit super value. */
int ofs_super_u64(ofs *fs, MDB_txn *txn, const char *key, uint64_t *v)
{
	unsigned char b[8];
	int rc = super_get(fs, txn, key, b, 8);
	if (rc == 0)
		*v = ofs_le64(b);
	return rc;
}

/* ofs_super_put_u64: store a little-endian 64-bit super value. */
int ofs_super_put_u64(ofs *fs, MDB_txn *txn, const char *key, uint64_t v)
{
	unsigned char b[8];
	ofs_put_le64(b, v);
	return super_put(fs, txn, key, b, 8);
}

/* super_u32_put: store a little-endian 32-bit super value. */
static int super_u32_put(ofs *fs, MDB_txn *txn, const char *key, uint32_t v)
{
	unsigned char b[4];
	ofs_put_le32(b, v);
	return super_put(fs, txn, key, b, 4);
}

/* hash_check: load the data checksum of an image of format version:
 * BLAKE2b-128 (version 1 has no other), or from version 2 on Poly1305
 * with its key. */
static int hash_check(ofs *fs, MDB_txn *txn, uint32_t version)
{
	unsigned char b[4];
	int rc = super_get(fs, txn, "hash", b, 4);
	if (rc)
		return rc;
	fs->hash = ofs_le32(b);
	if (fs->hash == OFS_HASH_BLAKE2B128)
		return 0;
	if (fs->hash != OFS_HASH_POLY1305 || version < 2)
		return -ORION_EVERSION;
	return super_get(fs, txn, "hash_key", fs->hash_key, sizeof fs->hash_key);
}

/* overlay_open: open the overlay table a format 3 image must have. */
static int overlay_open(ofs *fs, MDB_txn *txn)
{
	int rc = mdb_dbi_open(txn, "overlay", 0, &fs->overlay);
	if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
		return -ORION_EBADIMAGE;
	fs->has_overlay = rc == 0;
	return ofs_lmdb_err(rc);
}

/* pending_open: open the table of unfinished calls; a read-write open
 * adds it to an image made before it existed (which older builds leave
 * alone: they just do not finish such calls). */
static int pending_open(ofs *fs, MDB_txn *txn)
{
	unsigned ro = fs->flags & OFS_OPEN_RDONLY;
	int rc = mdb_dbi_open(txn, "pending", ro ? 0 : MDB_CREATE, &fs->pending);
	fs->has_pending = rc == 0;
	return rc == MDB_NOTFOUND && ro ? 0 : ofs_lmdb_err(rc);
}

/* super_check: the super table says this is an image we can read;
 * loads what the rest of the layer needs (the name key). */
static int super_check(ofs *fs, MDB_txn *txn)
{
	char magic[8];
	unsigned char b[4];
	int rc = super_get(fs, txn, "magic", magic, 8);
	if (rc)
		return rc;
	if (memcmp(magic, OFS_MAGIC, 8) != 0)
		return -ORION_EBADIMAGE;
	if ((rc = super_get(fs, txn, "version", b, 4)))
		return rc;
	if (ofs_le32(b) == 0)
		return -ORION_EBADIMAGE;
	if (ofs_le32(b) > OFS_FORMAT_VERSION)
		return -ORION_EVERSION;
	uint32_t version = ofs_le32(b);
	for (size_t i = 0; i < sizeof super_u32 / sizeof super_u32[0]; i++) {
		if ((rc = super_get(fs, txn, super_u32[i].key, b, 4)))
			return rc;
		if (ofs_le32(b) != super_u32[i].value)
			return -ORION_EVERSION;
	}
	if ((rc = hash_check(fs, txn, version)))
		return rc;
	if (version >= 3 && (rc = overlay_open(fs, txn)))
		return rc;
	fs->interleaved = version >= 4;
	uint64_t next;
	if ((rc = ofs_super_u64(fs, txn, "next_ino", &next)))
		return rc;
	return super_get(fs, txn, "name_key", fs->name_key, sizeof fs->name_key);
}

/* super_init: write every super key of a new image checksummed with
 * fs->hash: a BLAKE2b-128 image is written as format version 1, so that
 * builds from before version 2 still open it. */
static int super_init(ofs *fs, MDB_txn *txn)
{
	unsigned char uuid[16];
	struct timespec now;
	int v1 = fs->hash == OFS_HASH_BLAKE2B128;
	int rc = super_put(fs, txn, "magic", OFS_MAGIC, 8);
	if (!rc)
		rc = super_u32_put(fs, txn, "version", v1 ? 1 : OFS_FORMAT_VERSION);
	for (size_t i = 0; !rc && i < sizeof super_u32 / sizeof super_u32[0]; i++)
		rc = super_u32_put(fs, txn, super_u32[i].key, super_u32[i].value);
	if (!rc)
		rc = super_u32_put(fs, txn, "hash", fs->hash);
	if (!rc && !v1) {
		randombytes_buf(fs->hash_key, sizeof fs->hash_key);
		rc = super_put(fs, txn, "hash_key", fs->hash_key, sizeof fs->hash_key);
	}
	randombytes_buf(uuid, sizeof uuid);
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* RFC 4122 version 4 */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	randombytes_buf(fs->name_key, sizeof fs->name_key);
	ofs_now(&now);
	if (!rc)
		rc = super_put(fs, txn, "uuid", uuid, sizeof uuid);
	if (!rc)
		rc = super_put(fs, txn, "name_key", fs->name_key, sizeof fs->name_key);
	if (!rc)
		rc = ofs_super_put_u64(fs, txn, "created", (uint64_t)now.tv_sec);
	if (!rc)
		rc = ofs_super_put_u64(fs, txn, "next_ino", OFS_ROOT_INO + 1);
	return rc;
}

/* open_tables: open (or with MDB_CREATE, create) every table of ours. */
static int open_tables(ofs *fs, MDB_txn *txn, unsigned dbflags)
{
	for (size_t i = 0; i < NTABLES; i++) {
		int rc = mdb_dbi_open(txn, tables[i], dbflags, dbi_slot(fs, i));
		if (rc == MDB_NOTFOUND || rc == MDB_INCOMPATIBLE)
			return -ORION_EBADIMAGE;
		if (rc)
			return ofs_lmdb_err(rc);
	}
	return 0;
}

/* root_init: the root directory of a new image. */
static int root_init(ofs *fs, MDB_txn *txn, const struct ofs_mkfs_opts *o)
{
	struct ofs_inode root = {0};
	root.a.ino = OFS_ROOT_INO;
	root.a.mode = S_IFDIR | 0755;
	root.a.nlink = 2;
	root.a.uid = o->root_uid;
	root.a.gid = o->root_gid;
	root.a.generation = 1;
	ofs_now(&root.a.atime);
	root.a.mtime = root.a.ctime = root.a.btime = root.a.atime;
	root.parent = OFS_ROOT_INO;
	return ofs_inode_put(fs, txn, &root);
}

/* env_new: an LMDB environment handle configured the Orion way. */
static int env_new(MDB_env **env, uint64_t map_size)
{
	int rc = mdb_env_create(env);
	if (rc)
		return ofs_lmdb_err(rc);
	rc = mdb_env_set_maxdbs(*env, OFS_MAX_DBS);
	if (!rc)
		rc = mdb_env_set_maxreaders(*env, 256);
	if (!rc && map_size)
		rc = mdb_env_set_mapsize(*env, (size_t)map_size);
	if (rc) {
		mdb_env_close(*env);
		*env = NULL;
	}
	return ofs_lmdb_err(rc);
}

/* mkfs_env: fill the (empty, locked) file at path with a new image. */
static int mkfs_env(const char *path, const struct ofs_mkfs_opts *o)
{
	ofs fs = {.hash = o->hash ? o->hash : OFS_HASH_POLY1305};
	MDB_txn *txn;
	uint64_t map = o->map_size ? (o->map_size + 4095) / 4096 * 4096 : OFS_DEFAULT_MAP;
	int rc = env_new(&fs.env, map);
	if (rc)
		return rc;
	rc = ofs_lmdb_err(mdb_env_open(fs.env, path, MDB_NOSUBDIR | MDB_NOTLS, 0644));
	if (!rc)
		rc = ofs_lmdb_err(mdb_txn_begin(fs.env, NULL, 0, &txn));
	if (!rc) {
		rc = open_tables(&fs, txn, MDB_CREATE);
		if (!rc && fs.hash != OFS_HASH_BLAKE2B128) /* format 3 on has overlays */
			rc = ofs_lmdb_err(mdb_dbi_open(txn, "overlay", MDB_CREATE, &fs.overlay));
		if (!rc)
			rc = super_init(&fs, txn);
		if (!rc)
			rc = root_init(&fs, txn, o);
		if (rc)
			mdb_txn_abort(txn);
		else
			rc = ofs_lmdb_err(mdb_txn_commit(txn));
	}
	if (!rc)
		rc = ofs_lmdb_err(mdb_env_sync(fs.env, 1));
	mdb_env_close(fs.env);
	return rc;
}

/* lock_path: path + "-lock" (LMDB's lock file for MDB_NOSUBDIR). */
static char *lock_path(const char *path)
{
	size_t n = strlen(path);
	char *p = malloc(n + 6);
	if (p)
		memcpy(p, path, n), memcpy(p + n, "-lock", 6);
	return p;
}

/* take_lock: flock fd, mapping "held elsewhere" to -ORION_EMOUNTED. */
static int take_lock(int fd, int how)
{
	if (flock(fd, how | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? -ORION_EMOUNTED : -errno;
}

/* open_target: the file mkfs writes to, created or (force) truncated;
 * *created says whether it was new. */
static int open_target(const char *path, int force, int *created)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	struct stat st;
	*created = fd >= 0;
	if (fd < 0 && (errno != EEXIST || !force))
		return -errno;
	if (fd < 0 && (fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return -errno;
	int rc = fstat(fd, &st) ? -errno : S_ISREG(st.st_mode) ? 0 : S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if (!rc)
		rc = take_lock(fd, LOCK_EX);
	if (!rc && !*created && ftruncate(fd, 0))
		rc = -errno;
	if (rc) {
		close(fd);
		if (*created)
			unlink(path);
		return rc;
	}
	return fd;
}

/* ofs_mkfs: create a new empty image at path (refuses an existing file
 * unless opts->force). */
int ofs_mkfs(const char *path, const struct ofs_mkfs_opts *opts)
{
	static const struct ofs_mkfs_opts defaults;
	const struct ofs_mkfs_opts *o = opts ? opts : &defaults;
	int created;
	if ((o->map_size && o->map_size < (1u << 20)) ||
	    (o->hash && o->hash != OFS_HASH_BLAKE2B128 && o->hash != OFS_HASH_POLY1305))
		return -EINVAL;
	if (sodium_init() < 0)
		return -EIO;
	int fd = open_target(path, o->force, &created);
	if (fd < 0)
		return fd;
	int rc = mkfs_env(path, o);
	if (rc && created) {
		char *lp = lock_path(path);
		unlink(path);
		if (lp)
			unlink(lp);
		free(lp);
	}
	close(fd);
	return rc;
}

/* precheck: refuse what LMDB would mishandle: a missing file (it would
 * create one), an empty or tiny one (it would initialise it). */
static int precheck(const char *path, struct stat *st)
{
	if (stat(path, st))
		return -errno;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode) || st->st_size < 2 * 4096)
		return -ORION_EBADIMAGE;
	return 0;
}

/* check_length: the file holds every page LMDB's meta page counts but for
 * free ones at its end, which a writable open adds (as zeros).  LMDB never
 * writes a free page, and a commit may number pages it then lets go of
 * (its own bookkeeping at a commit can); a file that ends before a page in
 * use is a truncated image, which would fault inside the map. */
static int check_length(MDB_env *env, const struct stat *st, int ro)
{
	MDB_envinfo info;
	MDB_stat ms;
	mdb_filehandle_t fd;
	if (mdb_env_info(env, &info) || mdb_env_stat(env, &ms) || mdb_env_get_fd(env, &fd))
		return -EIO;
	uint64_t have = (uint64_t)st->st_size / ms.ms_psize, need = (uint64_t)info.me_last_pgno + 1;
	if (need <= have)
		return 0;
	if (!ofs_free_tail(fd, ms.ms_psize, have, have, need - have))
		return -ORION_ECORRUPT;
	return ro || ftruncate(fd, (off_t)(need * ms.ms_psize)) == 0 ? 0 : -errno;
}

/* map_base: the address LMDB mapped the image at, found as the mapping of
 * this process that holds p, a value of the last commit, less that
 * mapping's offset in the file; 0 when /proc cannot tell.  (LMDB reports
 * its map's address only under MDB_FIXEDMAP.) */
static uintptr_t map_base(const void *p)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char *line = NULL;
	size_t cap = 0;
	uintptr_t base = 0;
	unsigned long lo, hi, off;
	while (f && !base && getline(&line, &cap, f) > 0)
		if (sscanf(line, "%lx-%lx %*s %lx", &lo, &hi, &off) == 3 && lo <= (uintptr_t)p &&
		    (uintptr_t)p < hi && off <= lo)
			base = lo - off;
	free(line);
	if (f)
		fclose(f);
	return base;
}

/* map_find: record where LMDB's map lies (fs->map_lo, map_hi), from where
 * the super table's magic is. */
static void map_find(ofs *fs, MDB_txn *txn)
{
	MDB_val k = {5, "magic"}, v;
	MDB_envinfo info;
	if (mdb_get(txn, fs->super, &k, &v) || mdb_env_info(fs->env, &info))
		return;
	fs->map_lo = map_base(v.mv_data);
	fs->map_hi = fs->map_lo ? fs->map_lo + info.me_mapsize : 0;
}

/* attach: open the environment and our tables, check the super table. */
static int attach(ofs *fs, const char *path, const struct stat *st)
{
	unsigned ro = fs->flags & OFS_OPEN_RDONLY;
	/* Read-only opens skip LMDB's lock file: our shared flock already
	 * keeps writers out, and the image may sit on read-only media.
	 * MDB_NOMETASYNC: a commit flushes its pages before it writes the
	 * meta page that points to them, and leaves that page to the next
	 * flush.  A power loss can then cost the last commit, never the
	 * image; MDB_NOSYNC would let the disk see a meta page before its
	 * pages.  ofs_sync() flushes the meta page too.
	 * MDB_NORDAHEAD: a fault in the map reads its own page.  The
	 * kernel's read-around (the device's read-ahead: 8 MiB on the
	 * machine measured) reads that much about every fault, and once an
	 * image has some history the pages about a B-tree page are other
	 * files' data and free pages (figures in docs/ARCHITECTURE.md). */
	unsigned envflags = MDB_NOSUBDIR | MDB_NOTLS | MDB_NORDAHEAD |
			    (ro ? MDB_RDONLY | MDB_NOLOCK : 0) |
			    (!ro && !(fs->flags & OFS_OPEN_SYNC) ? MDB_NOMETASYNC : 0);
	MDB_txn *txn;
	int rc = env_new(&fs->env, 0);
	if (rc)
		return rc;
	if ((rc = ofs_lmdb_err(mdb_env_open(fs->env, path, envflags, 0644))))
		return rc == -EINVAL ? -ORION_EBADIMAGE : rc;
	if ((rc = check_length(fs->env, st, ro)))
		return rc;
	MDB_stat ms;
	fs->psize = mdb_env_stat(fs->env, &ms) == 0 ? ms.ms_psize : 4096;
	if ((rc = ofs_lmdb_err(mdb_txn_begin(fs->env, NULL, ro ? MDB_RDONLY : 0, &txn))))
		return rc;
	rc = open_tables(fs, txn, 0);
	if (!rc)
		rc = super_check(fs, txn);
	if (!rc) {
		map_find(fs, txn);
		rc = pending_open(fs, txn);
	}
	if (rc) {
		mdb_txn_abort(txn);
		return rc;
	}
	return ofs_lmdb_err(mdb_txn_commit(txn));
}

/* discard: undo a failed open, removing a lock file the attempt made. */
static void discard(ofs *fs, const char *path, int had_lockfile)
{
	rtxn_drain(fs);
	if (fs->env)
		mdb_env_close(fs->env);
	if (!had_lockfile) {
		char *lp = lock_path(path);
		if (lp)
			unlink(lp);
		free(lp);
	}
	if (fs->lockfd >= 0)
		close(fs->lockfd);
	if (fs->pagefd >= 0)
		close(fs->pagefd);
	pthread_mutex_destroy(&fs->rlock);
	ofs_dcache_free(fs);
	free(fs);
}

/* ofs_open_ex: ofs_open with the internal OFS_OPEN_EXCL and
 * OFS_OPEN_NORECLAIM flags allowed. */
int ofs_open_ex(ofs **fsp, const char *path, unsigned flags)
{
	struct stat st;
	int rc = precheck(path, &st);
	if (rc)
		return rc;
	if (sodium_init() < 0)
		return -EIO;
	ofs *fs = calloc(1, sizeof *fs);
	if (!fs)
		return -ENOMEM;
	fs->flags = flags;
	if (pthread_mutex_init(&fs->rlock, NULL)) {
		free(fs);
		return -ENOMEM;
	}
	char *lp = lock_path(path);
	int had_lockfile = lp && access(lp, F_OK) == 0;
	free(lp);
	fs->lockfd = open(path, O_RDONLY | O_CLOEXEC);
	fs->pagefd = open(path, O_RDONLY | O_CLOEXEC);
	if (fs->lockfd < 0 || fs->pagefd < 0)
		rc = -errno;
	else if (!(rc = -posix_fadvise(fs->pagefd, 0, 0, POSIX_FADV_RANDOM))) /* a leaf alone */
		rc = take_lock(fs->lockfd, (flags & (OFS_OPEN_EXCL)) || !(flags & OFS_OPEN_RDONLY)
						   ? LOCK_EX : LOCK_SH);
	if (!rc)
		rc = attach(fs, path, &st);
	/* housekeeping, not a condition of opening: it frees a commit at a
	 * time (ofs_data_shed), which a full host disk allows, but should a
	 * commit fail all the same, the orphans and unfinished calls wait
	 * for a later open rather than lock the image out */
	if (!rc && !(flags & (OFS_OPEN_RDONLY | OFS_OPEN_NORECLAIM))) {
		(void)ofs_reclaim_orphans(fs);
		(void)ofs_pending_finish(fs);
	}
	if (rc) {
		discard(fs, path, had_lockfile || rc == -ORION_EMOUNTED);
		return rc;
	}
	*fsp = fs;
	return 0;
}

/* ofs_open: open an image; -ORION_EBADIMAGE if it is not one,
 * -ORION_EVERSION if its format is newer than this build,
 * -ORION_EMOUNTED if another process holds it read-write. */
int ofs_open(ofs **fsp, const char *path, unsigned flags)
{
	return ofs_open_ex(fsp, path, flags & (OFS_OPEN_RDONLY | OFS_OPEN_SYNC | OFS_OPEN_NOATIME |
						OFS_OPEN_NODIRATIME));
}

/* ofs_close: close the image (after a final ofs_sync when writable). */
void ofs_close(ofs *fs)
{
	if (!fs)
		return;
	ofs_sync(fs); /* commits the batch first */
	ofs_ahead_join(fs);
	rtxn_drain(fs);
	mdb_env_close(fs->env);
	close(fs->lockfd);
	close(fs->pagefd);
	pthread_mutex_destroy(&fs->rlock);
	ofs_dcache_free(fs);
	free(fs->roomy);
	free(fs);
}

/* ofs_sync: make every committed change durable on disk (flushing the
 * batch first when the caller owns it). */
int ofs_sync(ofs *fs)
{
	if (fs->flags & OFS_OPEN_RDONLY)
		return 0;
	int rc = ofs_flush(fs);
	if (!rc && fs->broken)
		rc = fs->broken; /* what fsync owes: acknowledged work was lost */
	return rc ? rc : ofs_lmdb_err(mdb_env_sync(fs->env, 1));
}

/* ofs_env: the LMDB environment (an MDB_env *). */
void *ofs_env(ofs *fs)
{
	return fs->env;
}

/* What LMDB's free list (table 0) offers the next write transaction:
 * all its pages, and those in runs long enough for a full data block
 * (a value's pages are contiguous: when no run is long enough, LMDB
 * grows the file even though the list holds thousands of pages); and
 * the pages the last commit freed, which LMDB hands out only from the
 * commit after next. */
struct reusable {
	uint64_t any, blocks, newest;
};

/* idl_runs: of the n page numbers at ids (an LMDB IDL: descending, maybe
 * unaligned), the pages in runs of span or more, counted in whole spans. */
static uint64_t idl_runs(const unsigned char *ids, size_t n, uint64_t span)
{
	uint64_t total = 0, run = 0;
	size_t prev = 0;
	for (size_t i = 0; i < n; i++) {
		size_t id;
		memcpy(&id, ids + i * sizeof id, sizeof id);
		if (run && id + 1 != prev) {
			total += run / span * span;
			run = 0;
		}
		run++;
		prev = id;
	}
	return total + run / span * span;
}

/* reusable_of: the free list as txn (a read transaction on the last
 * commit) shows it. */
static void reusable_of(MDB_txn *txn, uint64_t psize, struct reusable *re)
{
	MDB_cursor *c;
	MDB_val k, v;
	uint64_t span = ofs_val_pages(OFS_BLOCK_VAL, psize);
	size_t last = mdb_txn_id(txn), n, id;
	memset(re, 0, sizeof *re);
	if (mdb_cursor_open(txn, 0, &c))
		return;
	while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0) {
		if (k.mv_size != sizeof id || v.mv_size < sizeof n)
			continue;
		memcpy(&id, k.mv_data, sizeof id);
		memcpy(&n, v.mv_data, sizeof n);
		if (v.mv_size < (n + 1) * sizeof n)
			continue;
		if (id >= last) {
			re->newest += n;
			continue;
		}
		re->any += n;
		re->blocks += idl_runs((const unsigned char *)v.mv_data + sizeof n, n, span);
	}
	mdb_cursor_close(c);
}

/* Page figures of the map: total, never used yet, and the reserve that
 * only deletions may eat into (a copy-on-write delete needs new pages). */
struct room {
	uint64_t psize, total, untouched, reserve;
};

/* room_of: the page figures of fs now. */
static void room_of(ofs *fs, struct room *r)
{
	MDB_envinfo info;
	mdb_env_info(fs->env, &info);
	r->psize = fs->psize;
	r->total = info.me_mapsize / r->psize;
	r->untouched = r->total > info.me_last_pgno + 1 ? r->total - info.me_last_pgno - 1 : 0;
	r->reserve = r->total / 16 < 256 ? r->total / 16 : 256;
}

/* mono_ns: CLOCK_MONOTONIC in nanoseconds. */
static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* host_pages: pages of psize bytes the host file system still has room
 * for (as good as endless when it cannot tell), asked afresh. */
static uint64_t host_pages(ofs *fs, uint64_t psize)
{
	struct statvfs host;
	if (fstatvfs(fs->lockfd, &host) != 0)
		return UINT64_MAX;
	uint64_t bytes = (uint64_t)host.f_bavail * host.f_frsize;
	fs->host_free = bytes;
	fs->host_at = mono_ns();
	return bytes / psize;
}

/* host_pages_cached: host_pages, from the last answer while that is
 * under OFS_HOST_TTL_MS old and left OFS_HOST_SLACK bytes beyond twice
 * need pages: no disk fills that much in that time, so only a host disk
 * near full is asked at every call. */
static uint64_t host_pages_cached(ofs *fs, uint64_t psize, uint64_t need)
{
	uint64_t at = fs->host_at, pages = fs->host_free / psize;
	if (at && mono_ns() - at < OFS_HOST_TTL_MS * 1000000ull &&
	    pages > 2 * need + OFS_HOST_SLACK / psize)
		return pages;
	return host_pages(fs, psize);
}

/* avail: the pages r's image can grow by (in the map and on the host
 * disk), and, when that is under need, what its free list offers (*re;
 * zeros otherwise). */
static int avail(ofs *fs, const struct room *r, uint64_t need, uint64_t *grow,
		 struct reusable *re)
{
	uint64_t host = host_pages_cached(fs, r->psize, need);
	MDB_txn *rtxn; /* LMDB shows its free list to read transactions only */
	*grow = host < r->untouched ? host : r->untouched;
	memset(re, 0, sizeof *re);
	if (*grow >= need)
		return 0;
	int rc = snap_begin(fs, &rtxn);
	if (rc)
		return rc;
	reusable_of(rtxn, r->psize, re);
	snap_end(fs, rtxn);
	return 0;
}

/* ofs_room: -ENOSPC unless about bytes more, on top of what the open
 * batch holds, still leave the reserve, both in the map and on the host
 * disk (a batch commit that fails for room would lose acknowledged
 * work); the free list is counted only when room is short, and for file
 * data and the reserve only its runs that can hold a block: the reserve
 * is for a deletion, whose commit records the pages it frees in one
 * value as long as a block (OFS_FREE_PAGES of them), which scattered
 * free pages cannot hold.  Counted as any free page, the reserve let
 * the writes of a full host disk take every page left, and the next
 * deletion's commit then failed a short write (EIO for good). */
int ofs_room(ofs *fs, uint64_t bytes)
{
	struct room r;
	struct reusable re;
	uint64_t grow;
	room_of(fs, &r);
	uint64_t pending = batch_mine(fs) ? fs->batch_bytes + fs->batch_ops * 4096 : 0;
	uint64_t data = (bytes + pending) / OFS_BLOCK * ofs_val_pages(OFS_BLOCK_VAL, r.psize) +
			(bytes + pending) % OFS_BLOCK / r.psize; /* as blocks take it */
	uint64_t need = data + 8 + r.reserve;
	int rc = avail(fs, &r, need, &grow, &re);
	if (rc)
		return rc;
	return grow >= need || (grow + re.any >= need && grow + re.blocks >= data + r.reserve)
		       ? 0
		       : -ENOSPC;
}

/* ofs_tight: the image has under 2 * OFS_FREE_PAGES pages left for file
 * data, counting growth and the free list as the next commit sees it. */
int ofs_tight(ofs *fs)
{
	struct room r;
	struct reusable re;
	uint64_t grow, want = 2 * OFS_FREE_PAGES;
	room_of(fs, &r);
	return avail(fs, &r, want, &grow, &re) == 0 && grow + re.blocks < want;
}

unsigned ofs_fault_steps; /* tests only: see internal.h */

/* ofs_steps: a call made of commits: step(fs, txn, arg) runs in a write
 * transaction (nested in the batch, if any) and returns 1 to have the
 * batch committed and be called again.  After several steps on a tight
 * image it commits once more: LMDB hands out the pages a commit freed
 * only from the commit after next, and room is needed now.  Returns the
 * last step's result (0 or a negative errno) or a failed commit's. */
int ofs_steps(ofs *fs, int (*step)(ofs *fs, MDB_txn *txn, void *arg), void *arg)
{
	MDB_txn *txn;
	int rc, steps = 0;
	for (;;) {
		if ((rc = ofs_wtxn(fs, &txn)))
			return rc;
		if ((rc = ofs_finish(fs, txn, step(fs, txn, arg))) != 1)
			break;
		steps++;
		if ((rc = ofs_flush(fs)))
			return rc;
		if (ofs_fault_steps && --ofs_fault_steps == 0)
			_exit(OFS_FAULT_EXIT);
	}
	return rc == 0 && steps && ofs_tight(fs) ? ofs_flush(fs) : rc;
}

/* ofs_statfs: true figures (block size, blocks total/free, inodes). */
int ofs_statfs(ofs *fs, struct statvfs *out)
{
	MDB_stat is;
	MDB_txn *txn; /* the last commit: the free list shows to readers only */
	struct room r;
	int rc = snap_begin(fs, &txn);
	if (rc)
		return rc;
	room_of(fs, &r);
	mdb_stat(txn, fs->inode, &is);
	struct reusable re; /* all of it: free space soon, if not for the next write */
	reusable_of(txn, r.psize, &re);
	uint64_t grow = r.untouched, reusable = re.any + re.newest, host = host_pages(fs, r.psize);
	snap_end(fs, txn);
	if (host < grow)
		grow = host; /* the host disk may be smaller */
	uint64_t used = r.total - r.untouched; /* pages the file holds */
	uint64_t total = used + grow;           /* what it can grow to */
	uint64_t bfree = grow + reusable < total ? grow + reusable : total;
	memset(out, 0, sizeof *out);
	out->f_bsize = OFS_BLOCK;
	out->f_frsize = r.psize;
	out->f_blocks = total;
	out->f_bfree = bfree;
	out->f_bavail = bfree > r.reserve ? bfree - r.reserve : 0;
	out->f_ffree = out->f_favail = out->f_bavail * r.psize / 1024; /* ~1 KiB an inode */
	out->f_files = is.ms_entries + out->f_ffree;
	out->f_namemax = OFS_NAME_MAX;
	out->f_flag = fs->flags & OFS_OPEN_RDONLY ? ST_RDONLY : 0;
	return 0;
}
