/*
 * internal.h: what the storage files of orionfs/ share (not for other
 * subsystems; they use orionfs.h).  The layout it encodes is described
 * in docs/orionfs.5; keep both in step.
 *
 * Caveats
 *  - Every helper taking an MDB_txn works inside the caller's transaction
 *    and never commits or aborts it.
 *  - Pointers into LMDB values are valid only until the transaction ends
 *    or the next write to the same table.
 */
#ifndef ORIONFS_INTERNAL_H
#define ORIONFS_INTERNAL_H

#include <lmdb.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "orionfs/orionfs.h"

#define OFS_MAGIC "OrionFS\0"  /* 8 bytes, value of super "magic" */
#define OFS_BLOCK 65536u       /* file data block, bytes */
#define OFS_SECTOR 4096u       /* checksummed unit inside a block */
#define OFS_DIGEST 16u         /* digest bytes per sector, whatever the hash */
#define OFS_SECTORS (OFS_BLOCK / OFS_SECTOR)
#define OFS_OVL_KEY 17u       /* overlay key: ino BE64, block BE64, sector u8 */
#define OFS_OVL_VAL (OFS_DIGEST + OFS_SECTOR)
#define OFS_BLOCK_VAL (OFS_SECTORS * OFS_OVL_VAL) /* bytes of a full block's value */
#define OFS_LMDB_PAGEHDR 16u  /* LMDB's page header, on an overflow value's first page too */
#define OFS_OVL_MAX 8u        /* overlays a block gathers before they are folded in */
#define OFS_HASH_KEY 32u       /* super "hash_key" (hash OFS_HASH_POLY1305) */
#define OFS_CIPHER_NONE 0u     /* super "cipher" */
#define OFS_INODE_SIZE 128u    /* bytes of an inode record */
#define OFS_LINK_MAX 65000u
#define OFS_SYMLINK_MAX 4095u
#define OFS_XATTR_NAME_MAX 255u
#define OFS_XATTR_SIZE_MAX 65536u
#define OFS_ACL_MAX (4u + 8u * 511u) /* bytes of an ACL: as the kernel, one page */
#define OFS_ACL_ACCESS "system.posix_acl_access"
#define OFS_ACL_DEFAULT "system.posix_acl_default"
#define OFS_XATTR_CAP "security.capability" /* file capabilities: a write drops them */
#define OFS_MAX_SIZE ((uint64_t)INT64_MAX)
#define OFS_SLOT_SPAN 256u     /* slots per name hash (collision room) */
#define OFS_DEFAULT_MAP (1ULL << 40)
#define OFS_MAX_DBS 64         /* room for other subsystems' tables */
#define OFS_HOST_TTL_MS 100u   /* how long ofs_room trusts the host disk figure */
#define OFS_HOST_SLACK (1ULL << 30) /* ... while it has this much spare */
#define OFS_UNCACHE_MIN (1u << 20) /* data a commit needs to uncache what it appended */
/* Pages of file data one commit may free (ofs_data_shed).  LMDB records
 * the pages a commit frees in a free-list entry that itself takes new
 * pages, 1 for every 512 freed: this bound makes that entry 17 pages, as
 * long as a block's value, which the reserve ofs_room holds back in runs
 * of that length, so a deletion commits even on a full host disk. */
#define OFS_FREE_PAGES 8192u

/* internal ofs_open flags, beyond the public OFS_OPEN_* bits */
enum {
	OFS_OPEN_EXCL = 1 << 8,      /* lock exclusively even when read-only */
	OFS_OPEN_NORECLAIM = 1 << 9, /* leave orphans alone (fsck) */
};

#define OFS_RTXN_POOL 16        /* idle read transactions kept for reuse */
#define OFS_DCACHE_SLOTS 65536u /* blocks whose digests are kept (4 GiB of data) */
#define OFS_AHEAD_INODES 256u  /* inodes a listing with attributes reads ahead */
/* Pages past an image file's end an open looks for on the free list
 * (ofs_free_tail: 1 GiB of 4 KiB pages); a file shorter than that is
 * truncated. */
#define OFS_FREE_TAIL_MAX (1u << 18)
#define OFS_AHEAD_INLINE 16u   /* leaves ofs_ahead_bg asks for without a thread */
#define OFS_AHEAD_WINDOW 128u  /* pages its thread keeps in flight (ahead.c) */
#define OFS_HEADS_AHEAD 1024u  /* blocks whose first pages a deletion asks for at once */
#define OFS_AHEAD_KEY 32u      /* bytes of a key ofs_heads_near keeps */
#define OFS_NAMES_SLOTS 64     /* numbers ofs_names_version keeps (bits of a mask) */
/* Sizes of files whose block map ofs_opened reads ahead: from a second page
 * of it (about 120 blocks a page) up to 4 GiB, 550 pages (2 MiB read at
 * every open is the most it costs). */
#define OFS_AHEAD_MAP_MIN (128ULL * OFS_BLOCK)
#define OFS_AHEAD_MAP_MAX (4ULL << 30)

/* A block's digests as last read, keyed by where the block lies. */
struct ofs_dslot {
	uint64_t ino, idx, off, len; /* off: of the digests in the image; 0: empty */
	unsigned char dig[OFS_SECTORS * OFS_DIGEST];
};

struct ofs {
	MDB_env *env;
	MDB_dbi super, inode, dirent, xattr, data, orphan;
	MDB_dbi overlay; /* sector overlays (format 3 on); valid if has_overlay */
	int has_overlay;
	int interleaved; /* format 4 on: each digest of a block before its sector */
	MDB_dbi pending; /* calls a crash cut short (ofs_pending_step); valid if has_pending */
	int has_pending;
	int lockfd;      /* the image file, flock()ed */
	int pagefd;      /* the image file again, read at random (ofs_leaves) */
	unsigned flags;  /* OFS_OPEN_* */
	uint32_t hash;   /* super "hash": OFS_HASH_* */
	unsigned char name_key[16]; /* SipHash key for name slots */
	unsigned char hash_key[OFS_HASH_KEY]; /* Poly1305 key of data digests */
	/* LMDB's map: a value lying in it is committed and stays unchanged
	 * until the transaction ends (dirty pages live outside it). */
	uintptr_t map_lo, map_hi;
	uint64_t psize; /* LMDB's page size (the system's) */
	/* Reset read transactions: renewing one keeps its reader slot, so a
	 * call skips the reader-table lock and scan that a fresh begin takes
	 * under MDB_NOTLS. */
	pthread_mutex_t rlock;
	MDB_txn *ridle[OFS_RTXN_POOL];
	unsigned nridle;
	/* Digests of blocks read (data.c's dcache_get, under rlock too): with
	 * them a cold read of a few sectors costs the disk one read, not two
	 * (the digests lie on the block's first page, the sectors further on).
	 * Allocated at the first read; untouched slots cost no memory. */
	struct ofs_dslot *dcache;
	/* Pages of the image file last seen (ahead.c's infile); it only
	 * grows while open. */
	_Atomic uint64_t file_pages;
	/* The walk ofs_ahead_bg started (under rlock): a thread, joined
	 * before the next starts and before the map goes. */
	pthread_t ahead;
	int ahead_on;
	_Atomic int ahead_done;
	_Atomic uint64_t leaves_read; /* leaf pages ofs_leaves has read */
	_Atomic int no_ring; /* io_uring was refused for good: walks use fadvise */
	/* Group commit (ofs_batch): the open outer write transaction, the
	 * call nested in it now, and the one thread allowed to use both
	 * (LMDB ties a write transaction to the thread that began it). */
	int batching;
	pthread_t batch_owner;
	MDB_txn *batch, *nested;
	uint64_t batch_ops, batch_bytes;
	struct timespec batch_start;
	int broken; /* a batch commit failed: -EIO/-ENOSPC for every write */
	/* Blocks of the batch stored with room to grow to a whole block
	 * (ofs_data_roomy): cut to their size before it commits. */
	struct ofs_key *roomy;
	size_t nroomy, caproomy;
	uint64_t roomy_end; /* the page past the last of their runs */
	/* Pages of file data the open top-level write transaction freed
	 * (ofs_data_shed); whoever holds LMDB's write lock owns it. */
	uint64_t freed;
	/* ofs_names_version, one number per directory number modulo
	 * OFS_NAMES_SLOTS: bumped when an entry there is written or
	 * removed, and again when its top-level transaction ends.
	 * names_dirty: the slots the open call wrote entries in;
	 * names_batch: those the batch holds entries in.  Both belong to
	 * the holder of LMDB's write lock. */
	_Atomic uint64_t names[OFS_NAMES_SLOTS];
	uint64_t names_dirty, names_batch;
	/* The host disk's free space as last asked (ofs_room): asking costs a
	 * system call, too much for every write. */
	_Atomic uint64_t host_free; /* bytes */
	_Atomic uint64_t host_at;   /* CLOCK_MONOTONIC ns of the asking; 0: never */
};

/* One inode as stored: the public attributes plus the parent of a
 * directory (0 for other types). */
struct ofs_inode {
	struct ofs_attr a;
	uint64_t parent;
};

/* Little-endian and big-endian codecs (keys are big-endian so that LMDB's
 * byte order is numeric order; values are little-endian). */
static inline void ofs_put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}
static inline void ofs_put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}
static inline uint32_t ofs_le32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline uint64_t ofs_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static inline void ofs_put_be64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
}
static inline uint64_t ofs_be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ofs_val_pages: the pages of its own that LMDB gives a value of len
 * bytes, with pages of psize bytes (0: the value lives in a leaf page). */
static inline uint64_t ofs_val_pages(uint64_t len, uint64_t psize)
{
	return len > psize / 2 ? (len + OFS_LMDB_PAGEHDR + psize - 1) / psize : 0;
}

/* ofs_in_map: the n bytes at p lie in LMDB's map of fs's image. */
static inline int ofs_in_map(const ofs *fs, const void *p, size_t n)
{
	return fs->map_lo && (uintptr_t)p >= fs->map_lo && (uintptr_t)p + n <= fs->map_hi;
}

/* ofs_map_off: where p, a byte of LMDB's map, lies in the image file. */
static inline uint64_t ofs_map_off(const ofs *fs, const void *p)
{
	return (uintptr_t)p - fs->map_lo;
}

/* A 16-byte key (owner, index): inode+block, parent+slot, ino+slot. */
struct ofs_key {
	unsigned char b[16];
};
static inline MDB_val ofs_key2(struct ofs_key *k, uint64_t hi, uint64_t lo)
{
	ofs_put_be64(k->b, hi);
	ofs_put_be64(k->b + 8, lo);
	return (MDB_val){16, k->b};
}
static inline MDB_val ofs_key1(struct ofs_key *k, uint64_t ino)
{
	ofs_put_be64(k->b, ino);
	return (MDB_val){8, k->b};
}

/* image.c */
int ofs_lmdb_err(int rc);
int ofs_rtxn(ofs *fs, MDB_txn **txn);
void ofs_rtxn_done(ofs *fs, MDB_txn *txn);
int ofs_wtxn(ofs *fs, MDB_txn **txn);
int ofs_commit(ofs *fs, MDB_txn *txn);
int ofs_finish(ofs *fs, MDB_txn *txn, int rc);
void ofs_batch_account(ofs *fs, uint64_t bytes);
int ofs_txn_nested(const ofs *fs, const MDB_txn *txn);
void ofs_names_touch(ofs *fs, uint64_t dir);
int ofs_open_ex(ofs **fsp, const char *path, unsigned flags);
int ofs_room(ofs *fs, uint64_t bytes);
int ofs_tight(ofs *fs);
int ofs_steps(ofs *fs, int (*step)(ofs *fs, MDB_txn *txn, void *arg), void *arg);
int ofs_super_u64(ofs *fs, MDB_txn *txn, const char *key, uint64_t *v);
int ofs_super_put_u64(ofs *fs, MDB_txn *txn, const char *key, uint64_t v);

/* inode.c */
void ofs_now(struct timespec *ts);
int ofs_inode_decode(const MDB_val *v, uint64_t ino, struct ofs_inode *out);
int ofs_inode_get(ofs *fs, MDB_txn *txn, uint64_t ino, struct ofs_inode *out);
int ofs_inode_put(ofs *fs, MDB_txn *txn, const struct ofs_inode *in);
int ofs_inode_new(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint32_t mode,
		  uint32_t uid, uint32_t gid);
int ofs_inode_destroy(ofs *fs, MDB_txn *txn, struct ofs_inode *in);
int ofs_orphan_add(ofs *fs, MDB_txn *txn, uint64_t ino, int linkable);
int ofs_orphan_claim(ofs *fs, MDB_txn *txn, uint64_t ino);
int ofs_reclaim_orphans(ofs *fs);
/* Calls made of several commits, recorded until done (table pending:
 * ino -> kind u8, a le64, b le64): the next read-write open finishes one
 * a crash cut short. */
enum { OFS_PENDING_TRUNCATE = 1, /* a: the size */
       OFS_PENDING_PUNCH = 2,    /* a, b: offset, length */
       OFS_PENDING_VAL = 17 };
int ofs_pending_step(ofs *fs, MDB_txn *txn, int rc, uint64_t ino, unsigned kind, uint64_t a,
		     uint64_t b, int *recorded);
int ofs_pending_finish(ofs *fs);
/* Tests only: the n-th commit of an ofs_steps call from now ends the
 * process right after it (_exit(OFS_FAULT_EXIT)), as a crash would. */
extern unsigned ofs_fault_steps;
#define OFS_FAULT_EXIT 77
uint32_t ofs_dtype(uint32_t mode);
int ofs_mode_valid(uint32_t mode);

/* names.c: records named by a byte string under an owner, keyed by
 * (owner, hash slot) so table keys never show the name. */
int ofs_name_check(const char *name, size_t *len);
uint64_t ofs_name_slot(const ofs *fs, const void *name, size_t len);
typedef int (*ofs_name_of)(const MDB_val *v, const unsigned char **name, size_t *len);
int ofs_name_probe(ofs *fs, MDB_txn *txn, MDB_dbi dbi, uint64_t owner,
		   const void *name, size_t len, ofs_name_of nameof,
		   uint64_t *slot, MDB_val *found);
int ofs_owner_empty(MDB_txn *txn, MDB_dbi dbi, uint64_t owner);
int ofs_owner_drop(ofs *fs, MDB_txn *txn, MDB_dbi dbi, uint64_t owner, uint64_t from,
		   uint64_t *units);

/* dir.c: dirent values */
int ofs_dirent_decode(const MDB_val *v, uint64_t *ino, uint32_t *type,
		      const unsigned char **name, size_t *len);
int ofs_dirent_name(const MDB_val *v, const unsigned char **name, size_t *len);
int ofs_dirent_add(ofs *fs, MDB_txn *txn, uint64_t parent, const char *name,
		   size_t len, uint64_t ino, uint32_t mode);

/* xattr.c */
int ofs_xattr_name(const MDB_val *v, const unsigned char **name, size_t *len);
/* What a node made in a directory with a default ACL inherits: that ACL
 * (n bytes; 0: none) and the access ACL made of it, kept if it says more
 * than the mode (ofs_acl_inherit, ofs_acl_give). */
struct ofs_acl_kin {
	size_t n;
	int keep;
	unsigned char dflt[OFS_ACL_MAX], acc[OFS_ACL_MAX];
};
int ofs_acl_inherit(ofs *fs, MDB_txn *txn, uint64_t parent, uint32_t *mode, uint32_t umask,
		    struct ofs_acl_kin *kin);
int ofs_acl_give(ofs *fs, MDB_txn *txn, const struct ofs_inode *child,
		 const struct ofs_acl_kin *kin);
int ofs_acl_follow(ofs *fs, MDB_txn *txn, uint64_t ino, uint32_t mode);
int ofs_xattr_drop(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name);

/* acl.c: POSIX ACLs in Linux's xattr encoding (pure) */
int ofs_acl_valid(const void *acl, size_t n);
int ofs_acl_mode(const void *acl, size_t n, uint32_t *mode);
void ofs_acl_chmod(void *acl, size_t n, uint32_t mode);
int ofs_acl_create(void *acl, size_t n, uint32_t *mode);

/* data.c */
size_t ofs_block_len(size_t vlen);
int ofs_data_roomy(ofs *fs, MDB_txn *txn);
void ofs_dcache_free(ofs *fs);
int ofs_block_verify(const ofs *fs, uint64_t ino, uint64_t idx, const MDB_val *v,
		     unsigned shadowed);
int ofs_overlay_mask(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, unsigned *mask);
int ofs_overlay_verify(const ofs *fs, const MDB_val *k, const MDB_val *v);
uint64_t ofs_units(uint64_t len);
int ofs_truncate_data(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t size);
int ofs_data_shed(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t floor);
int ofs_data_write(ofs *fs, MDB_txn *txn, struct ofs_inode *in, const void *buf,
		   size_t size, uint64_t off);
int ofs_data_read(ofs *fs, MDB_txn *txn, const struct ofs_inode *in, void *buf,
		  size_t size, uint64_t off);

/* ahead.c */
void ofs_ahead(ofs *fs, const char *name, const MDB_val *lo, const MDB_val *hi, size_t n);
void ofs_ahead_bg(ofs *fs, const char *name, uint64_t ino, int mapped);
/* ofs_leaf_fn: is handed each key and value ofs_leaves finds; 0 goes on,
 * anything else stops the walk and is its result. */
typedef int (*ofs_leaf_fn)(void *arg, const MDB_val *key, const MDB_val *val);
/* ofs_leaves: hand fn, in key order, every key and value of table name
 * (fs's dbi of that name, a table of single values) in [lo, hi) as read
 * transaction txn sees them, reading their leaf pages with pread rather
 * than through the map (no fault per leaf).  0 once all are handed over;
 * fn's result if it stopped the walk; -EAGAIN (perhaps after handing
 * some over) if the walk cannot go on or not start: the range from lo
 * fills fewer than min leaves (a count up to 1,024), txn is a write
 * transaction (whose own writes are in memory), the snapshot's meta page
 * cannot be read for certain (a commit since txn began), or a page is
 * not as expected; the caller then reads on with a cursor. */
int ofs_leaves(ofs *fs, MDB_txn *txn, const char *name, const MDB_val *lo, const MDB_val *hi,
	       size_t min, ofs_leaf_fn fn, void *arg);
/* ofs_free_tail: 1 if every page of [from, from + n) is on the free list
 * (LMDB's table 0) of the last commit of the image open as fd, pages
 * pages long (psize bytes each), read with pread and never past its end;
 * 0 if one is not, or the list cannot be read within the file. */
int ofs_free_tail(int fd, uint64_t psize, uint64_t pages, uint64_t from, uint64_t n);

int ofs_ahead_large(ofs *fs, const char *name, uint64_t ino);
void ofs_ahead_join(ofs *fs);
uint64_t ofs_run_end(const void *val);
void ofs_heads_ahead(ofs *fs, MDB_cursor *c, uint64_t owner, uint64_t from, uint64_t n);
int ofs_heads_near(ofs *fs, MDB_cursor *c, uint64_t owner, uint64_t n, MDB_val *key, MDB_val *v);

#endif
