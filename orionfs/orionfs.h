/*
 * orionfs.h: the OrionFS storage layer, a POSIX file tree inside one LMDB
 * environment (the image).  No FUSE here: mount.orionfs (orionfs/fuse_*.c)
 * turns these calls into FUSE replies, and the unit tests drive them directly.
 *
 * Contract
 *  - Every function returns 0 (or a byte count) on success and a negative
 *    errno, or a negated enum orion_err code (common/orion.h), on failure.
 *  - Every mutating call is atomic: after a crash it is either wholly done
 *    or not done at all.  It is one LMDB write transaction, or, in group
 *    commit (ofs_batch), one transaction nested in the batch's.
 *  - A commit flushes its pages to disk before it writes the root that
 *    points to them, but not that root: after a power loss the image is
 *    whole, at worst without its last commit.  ofs_sync() makes everything
 *    committed so far durable (mount.orionfs calls it for fsync/fsyncdir).
 *    OFS_OPEN_SYNC makes every commit durable.  In group commit a call is
 *    committed only when the batch is (ofs_flush, or ofs_sync on the
 *    owning thread); a crash loses the open batch whole, never part of it.
 *  - Inode numbers are persistent and never reused within an image.
 *    OFS_ROOT_INO is the root directory.
 *  - Safe to call from several threads at once; writers are serialised by
 *    LMDB, readers run in parallel.  No read transaction outlives a call.
 *  - Names are 1..255 bytes with no '/' and no NUL, never "." or "..";
 *    otherwise -EINVAL (-ENAMETOOLONG when too long).
 *  - Permission checks are the caller's job (mount.orionfs uses
 *    default_permissions); ofs_ only checks the structure (ENOTDIR, EISDIR,
 *    ENOTEMPTY, EEXIST ...).
 *
 * The on-image format is documented in docs/orionfs.5.
 *
 * Caveats
 *  - Never use an open struct ofs in a forked child (an LMDB rule).
 *  - An inode whose nlink reaches 0 while the kernel still knows it is kept
 *    as an orphan; the caller must call ofs_evict() when the last reference
 *    goes (FUSE forget).  Orphans left by a crash are reclaimed by the next
 *    ofs_open() in read-write mode.  A removed directory (ofs_rmdir, or
 *    replaced by ofs_rename) is deleted at once: it is empty, so there is
 *    nothing to keep alive.  ofs_evict() of a linked or unknown inode is a
 *    cheap no-op, so calling it on every forget is fine.
 *  - Writes stop with -ENOSPC while a small reserve (1/16 of the map, at
 *    most 1 MiB) is left, so that deletions, which need new pages in a
 *    copy-on-write tree, still succeed on a full image.
 *  - One ofs_read()/ofs_write() moves at most 256 MiB (a short count);
 *    ofs_read() may record atime (relatime rule) in its own transaction.
 *  - An ofs_readdir() callback runs inside a read transaction: it must not
 *    call write functions of the same ofs; d->name is only valid during
 *    the call.
 *  - Do not open the same image twice in one process (an LMDB rule); a
 *    second ofs_open() is refused with -ORION_EMOUNTED when either is
 *    read-write, but two read-only opens are not caught.
 *  - A damaged B-tree page can make LMDB follow a page number outside the
 *    file and fault (SIGBUS/SIGSEGV) inside the map; programs that must
 *    not die on a damaged image catch those signals (fsck.orionfs does).
 */
#ifndef ORIONFS_H
#define ORIONFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>

#include "common/orion.h"

#define OFS_ROOT_INO 1ULL
#define OFS_FORMAT_VERSION 4
#define OFS_NAME_MAX 255

typedef struct ofs ofs;

/* Attributes of one inode, as stored (times at nanosecond precision). */
struct ofs_attr {
	uint64_t ino;
	uint32_t mode; /* S_IFMT bits and permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t rdev;
	uint64_t blocks; /* 512-byte units actually stored */
	struct timespec atime, mtime, ctime, btime;
	uint64_t generation;
};

/* OFS_KEEP_TIMES, in ofs_write_kill's or ofs_fallocate_ex's how, or in
 * ofs_setattr's valid: leave mtime and ctime as they are.  For a cache
 * above the storage that keeps a file's times itself and sends them when
 * it writes the file back (the kernel's write-back cache does): a time
 * stamped here as well would differ from its own, which it never reads
 * back while it holds the file. */
#define OFS_KEEP_TIMES (1u << 30)

/* OFS_KILL_CAP, in ofs_write_kill's how: drop the file's
 * security.capability in the write's own commit, as any write on Linux
 * does.  For writes the kernel sends around its page cache: for those it
 * leaves the dropping to the file system. */
#define OFS_KILL_CAP (1u << 29)

/* ofs_setattr's valid mask: which fields of the given attr to apply
 * (OFS_KEEP_TIMES may be added). */
enum {
	OFS_SET_MODE = 1 << 0,
	OFS_SET_UID = 1 << 1,
	OFS_SET_GID = 1 << 2,
	OFS_SET_SIZE = 1 << 3, /* truncate up or down */
	OFS_SET_ATIME = 1 << 4,
	OFS_SET_MTIME = 1 << 5,
	OFS_SET_ATIME_NOW = 1 << 6,
	OFS_SET_MTIME_NOW = 1 << 7,
	OFS_SET_CTIME = 1 << 8,
};

/* ofs_open flags. */
enum {
	OFS_OPEN_RDONLY = 1 << 0,
	OFS_OPEN_SYNC = 1 << 1, /* every commit durable (slow) */
	OFS_OPEN_NOATIME = 1 << 2,    /* reads never move atime (setattr still sets it) */
	OFS_OPEN_NODIRATIME = 1 << 3, /* listings never move a directory's */
};

/* Data checksums (super "hash"; docs/orionfs.5). */
#define OFS_HASH_BLAKE2B128 1u /* BLAKE2b-128; format version 1 images */
#define OFS_HASH_POLY1305 2u   /* Poly1305 under a per-image key (default) */

/* mkfs options; a zeroed struct asks for the defaults. */
struct ofs_mkfs_opts {
	uint64_t map_size;  /* bytes the image may grow to; 0 = default (1 TiB) */
	int force;          /* overwrite an existing file */
	uint32_t root_uid, root_gid; /* owner of / */
	uint32_t hash;      /* OFS_HASH_*; 0 = OFS_HASH_POLY1305.  BLAKE2b-128
			     * makes a format version 1 image that older
			     * builds still open. */
};

/* ofs_mkfs: create a new empty image at path (refuses an existing file
 * unless opts->force). */
int ofs_mkfs(const char *path, const struct ofs_mkfs_opts *opts);

/* ofs_open: open an image; -ORION_EBADIMAGE if it is not one,
 * -ORION_EVERSION if its format is newer than this build,
 * -ORION_EMOUNTED if another process holds it read-write.  Opened
 * read-write, it deletes the files a previous run left unlinked but open
 * (a big one over several commits, which a full host disk allows); if
 * that fails, they stay listed for a later open and the image opens all
 * the same. */
int ofs_open(ofs **fsp, const char *path, unsigned flags);

/* ofs_close: close the image (after a final ofs_sync when writable). */
void ofs_close(ofs *fs);

/* ofs_sync: make every committed change durable on disk; on the thread
 * that owns the open batch, flush it first. */
int ofs_sync(ofs *fs);

/* Group commit.  ofs_batch(fs, 1): from now on the mutating calls of the
 * calling thread (the owner) join one open write transaction, each nested
 * in it so that a failing call still leaves no trace, and are committed
 * together by ofs_flush().  Reads on the owner see the batch; other
 * threads see the last commit, and their writes wait until the owner
 * flushes (so the owner must flush promptly: mount.orionfs flushes when
 * idle for a moment, after a bounded age or size, and before anything
 * that needs the commit).  ofs_batch(fs, 0) flushes and ends it; -EBUSY
 * if another thread owns it.  If a batch commit fails, its calls are lost
 * and every later write fails with -EIO (or -ENOSPC): ofs_room() counts
 * the batch against both the map and the host disk so that room never
 * causes this.  Close the image (ofs_close) on the owner, or after
 * ofs_batch(fs, 0): no other thread may commit the batch. */
int ofs_batch(ofs *fs, int on);

/* ofs_flush: commit the open batch, if the caller owns one (else 0). */
int ofs_flush(ofs *fs);

/* Group commit limits: a batch is due (ofs_batch_info) once it is this old, holds this
 * many calls or this many bytes of file data.  The age bounds what a
 * crash can take back of work no sync asked to keep.  The byte bound is
 * small on purpose: a commit copies the batch's pages into the page
 * cache, cheaply while they are still in the CPU's cache (1 GiB written
 * in 2 MiB batches took half the CPU time of 64 MiB ones), and flushes
 * them, which 8 MiB at a time keeps the disk busy without stalling the
 * writer. */
#define OFS_BATCH_MS 200
#define OFS_BATCH_OPS 10000
#define OFS_BATCH_BYTES (8u << 20)

/* What an open batch holds (ofs_batch_info; zeros when none is open). */
struct ofs_batch_info {
	int open;        /* a batch is open (perhaps holding no call yet:
			  * one that failed leaves it open and empty) */
	uint64_t ops;    /* calls joined */
	uint64_t bytes;  /* file data written */
	uint64_t age_ns; /* since it opened */
	int due;         /* a limit above is reached: flush it now */
};
void ofs_batch_info(ofs *fs, struct ofs_batch_info *bi);

/* ofs_getattr: attributes of ino. */
int ofs_getattr(ofs *fs, uint64_t ino, struct ofs_attr *out);

/* ofs_lookup: the entry name in directory parent; fills out. */
int ofs_lookup(ofs *fs, uint64_t parent, const char *name, struct ofs_attr *out);

/* ofs_mknod: create a regular file, fifo, socket or device node named name
 * in parent (mode carries S_IFMT); -EEXIST if the name is taken. */
int ofs_mknod(ofs *fs, uint64_t parent, const char *name, uint32_t mode,
	      uint64_t rdev, uint32_t uid, uint32_t gid, struct ofs_attr *out);

/* ofs_create: create a directory, regular file, fifo, socket or device
 * node (by mode's S_IFMT; none: a regular file) named name in parent,
 * owned by uid:gid, for a creator whose umask is umask.  When parent has
 * a default ACL, that trims mode instead of the umask and passes on to
 * the new node (POSIX.1e); ofs_mknod and ofs_mkdir are this with umask 0. */
int ofs_create(ofs *fs, uint64_t parent, const char *name, uint32_t mode, uint64_t rdev,
	       uint32_t umask, uint32_t uid, uint32_t gid, struct ofs_attr *out);

/* ofs_tmpfile: a regular file with no name (O_TMPFILE) for directory
 * parent, whose default ACL and setgid bit it follows as ofs_create's
 * would: link count 0, on the orphan list, so it is deleted when the
 * caller lets it go (ofs_evict) or at the next open, unless ofs_link
 * names it first. */
int ofs_tmpfile(ofs *fs, uint64_t parent, uint32_t mode, uint32_t umask, uint32_t uid,
		uint32_t gid, struct ofs_attr *out);

/* ofs_mkdir: create a directory. */
int ofs_mkdir(ofs *fs, uint64_t parent, const char *name, uint32_t mode,
	      uint32_t uid, uint32_t gid, struct ofs_attr *out);

/* ofs_symlink: create a symlink name -> target. */
int ofs_symlink(ofs *fs, uint64_t parent, const char *name, const char *target,
		uint32_t uid, uint32_t gid, struct ofs_attr *out);

/* ofs_readlink: copy the target (NUL-terminated) into buf; returns
 * length.  The relatime rule applies (see ofs_opened). */
int ofs_readlink(ofs *fs, uint64_t ino, char *buf, size_t size);

/* ofs_link: a new hard link newparent/newname to ino (not a directory);
 * an ofs_tmpfile file gets its first name so. */
int ofs_link(ofs *fs, uint64_t ino, uint64_t newparent, const char *newname,
	     struct ofs_attr *out);

/* ofs_unlink: remove a non-directory entry; *orphaned is set to its inode
 * number when its nlink dropped to 0 (the caller then owes an ofs_evict()),
 * to 0 otherwise.  orphaned may be NULL. */
int ofs_unlink(ofs *fs, uint64_t parent, const char *name, uint64_t *orphaned);

/* ofs_rmdir: remove an empty directory (-ENOTEMPTY otherwise). */
int ofs_rmdir(ofs *fs, uint64_t parent, const char *name);

/* rename flags, same values as renameat2(2). */
#define OFS_RENAME_NOREPLACE (1 << 0)
#define OFS_RENAME_EXCHANGE (1 << 1)

/* ofs_rename: atomic rename with POSIX semantics (replacing a target; a
 * directory only over an empty directory; never into its own subtree).
 * *orphaned as for ofs_unlink, for a replaced target (0 if none). */
int ofs_rename(ofs *fs, uint64_t parent, const char *name, uint64_t newparent,
	       const char *newname, unsigned flags, uint64_t *orphaned);

/* ofs_evict: the kernel forgot ino; delete it if its nlink is 0. */
int ofs_evict(ofs *fs, uint64_t ino);

/* ofs_setattr: apply the fields named by valid (OFS_SET_*); ctime is
 * updated as POSIX says; fills out with the result. */
int ofs_setattr(ofs *fs, uint64_t ino, const struct ofs_attr *in, unsigned valid,
		struct ofs_attr *out);

/* ofs_read: read up to size bytes at off; returns bytes read (0 at EOF);
 * holes read as zeros; -ORION_ECHECKSUM if a block fails its checksum.
 * The relatime rule applies (see ofs_opened). */
ssize_t ofs_read(ofs *fs, uint64_t ino, void *buf, size_t size, off_t off);

/* ofs_read_ex: ofs_read, as how says.
 *  - OFS_READ_NOWAIT: -EAGAIN, having read nothing, where the bytes must
 *    come from the disk: the reads that would wait are started, so that
 *    the call that completes this one finds them under way (a caller with
 *    other work hands that call to a thread that may wait).  The relatime
 *    rule applies all the same: the read is only put off.  Only data read
 *    from the image file is told apart, not the pages that say where it
 *    lies (those are mapped, and faulted in); on a host file system that
 *    cannot tell (tmpfs) the call waits as ofs_read does.
 *  - OFS_READ_NOATIME: no relatime rule (for the call that completes an
 *    OFS_READ_NOWAIT one, which applied it). */
enum { OFS_READ_NOWAIT = 1, OFS_READ_NOATIME = 2 };
ssize_t ofs_read_ex(ofs *fs, uint64_t ino, void *buf, size_t size, off_t off, unsigned how);

/* ofs_opened: ino is being read: a file opened to be read (its data may
 * then be read from a cache, without ofs_read), a directory opened to be
 * listed, a symbolic link's target read.  For a file, the pages that map
 * its blocks to where they lie start being read, when it has more than a
 * page of them and it is not huge (OFS_AHEAD_MAP_MAX), so that its first
 * random reads wait for the disk once each, not once more for the map.
 * The relatime rule applies: atime becomes now when it is not newer than
 * mtime or ctime, or is a day old (not on a read-only image, nor on one
 * opened OFS_OPEN_NOATIME, nor for a directory on one opened
 * OFS_OPEN_NODIRATIME).  1 if atime moved, else 0, or a negative errno. */
int ofs_opened(ofs *fs, uint64_t ino);

/* ofs_write: write size bytes at off, extending the file as needed;
 * returns bytes written; updates mtime/ctime. */
ssize_t ofs_write(ofs *fs, uint64_t ino, const void *buf, size_t size, off_t off);

/* ofs_member: whether the caller of a change is in group gid, or may act
 * as if it were (CAP_FSETID).  Asked only when a set-group-ID bit
 * without group-execute is at stake (ofs_kill_for). */
struct ofs_member {
	int (*in_group)(const struct ofs_member *m, uint32_t gid);
};

/* ofs_write_kill: ofs_write that, with killed, also gives the file in
 * the same commit the mode ofs_kill_for(mode, gid, m), as a write by a
 * caller without CAP_FSETID must; *killed tells whether the mode
 * changed.  With killed NULL and how 0 it is ofs_write; how may be
 * OFS_KEEP_TIMES and OFS_KILL_CAP. */
ssize_t ofs_write_kill(ofs *fs, uint64_t ino, const void *buf, size_t size, off_t off,
		       unsigned how, const struct ofs_member *m, int *killed);

/* ofs_copy_range: copy_file_range(2) inside the image: up to len bytes
 * of regular file src at soff to regular file dst at doff, clipped to
 * src's end and to OFS_COPY_MAX a call (ask again for the rest); returns
 * the count, 0 at or past src's end.  Where dst ends before the range,
 * zeros are not stored (they read back as a hole).  Stamps dst's times
 * unless how has OFS_KEEP_TIMES.  -EINVAL for overlapping ranges of one
 * file, -EISDIR/-EINVAL for a file that is not regular, -EFBIG past the
 * largest size, -ENOSPC when the image has no room. */
#define OFS_COPY_MAX (8u << 20)
ssize_t ofs_copy_range(ofs *fs, uint64_t src, off_t soff, uint64_t dst, off_t doff, size_t len,
		       unsigned how);

/* ofs_kill_mode: mode without its set-user-ID bit, and without its
 * set-group-ID bit when it is group-executable or when outside (the one
 * changing the file is outside its group): what a write, truncate or
 * chown leaves of a file's mode, by the kernel's rule since Linux 6.2
 * (setattr_should_drop_sgid). */
uint32_t ofs_kill_mode(uint32_t mode, int outside);

/* ofs_kill_for: ofs_kill_mode for a file of mode and group gid changed
 * by m's caller (NULL: a member of every group). */
uint32_t ofs_kill_for(uint32_t mode, uint32_t gid, const struct ofs_member *m);

/* ofs_seek: lseek(2) SEEK_DATA or SEEK_HOLE on regular file ino from off;
 * returns the offset found.  Holes are whole 64 KiB blocks with nothing
 * stored (never written, punched whole, or added by growing the size or
 * by fallocate); the end of the file counts as a hole.  -ENXIO when off is
 * negative or not below the size, or (SEEK_DATA) no data follows off;
 * -EINVAL for another whence or a file that is not regular. */
off_t ofs_seek(ofs *fs, uint64_t ino, off_t off, int whence);

/* ofs_fallocate: mode as fallocate(2): 0 (check the room, extend size
 * unless FALLOC_FL_KEEP_SIZE), FALLOC_FL_ZERO_RANGE (the same, and the
 * range reads as zeros), or FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE;
 * -EOPNOTSUPP for any other mode.  Nothing is reserved: a hole costs no
 * room, so the room is all an allocation can check. */
int ofs_fallocate(ofs *fs, uint64_t ino, int mode, off_t off, off_t len);

/* ofs_fallocate_ex: ofs_fallocate; how may be OFS_KEEP_TIMES. */
int ofs_fallocate_ex(ofs *fs, uint64_t ino, int mode, off_t off, off_t len, unsigned how);

/* One directory entry handed to an ofs_readdir callback.  cookie is the
 * position just after this entry: pass it back to resume. */
struct ofs_dirent {
	uint64_t ino;
	uint32_t type; /* DT_* */
	uint64_t cookie;
	const char *name;
	size_t namelen;
};

/* Callback: return 0 to go on, 1 to stop (buffer full), <0 to fail. */
typedef int (*ofs_dirent_fn)(void *arg, const struct ofs_dirent *d);

/* ofs_readdir: entries of dir ino from cookie (0 = start; "." and ".." are
 * the caller's business).  Cookies are stable positions, not indexes:
 * entries added or removed meanwhile never make a listing skip or repeat
 * a surviving entry. */
int ofs_readdir(ofs *fs, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn, void *arg);

/* ofs_dir_large: 1 if directory ino holds more than some 1,000 entries
 * (OFS_AHEAD_INLINE leaf pages), as of the last commit, else 0; a hint
 * read from the tree's branch pages, which starts no read of its own
 * (a listing from the start asks for its leaves anyway). */
int ofs_dir_large(ofs *fs, uint64_t ino);

/* ofs_readdir_ex: ofs_readdir, where the caller reads the attributes of
 * the first attrs entries it lists (0: of none), whose inodes are then
 * read ahead. */
int ofs_readdir_ex(ofs *fs, uint64_t ino, uint64_t cookie, size_t attrs, ofs_dirent_fn fn,
		   void *arg);

/* ofs_names_version: a number that changes whenever an entry of
 * directory dir may have changed for some reader: when one is written or
 * removed, and when the transaction that did so commits or aborts (it
 * may change for other directories' entries too).  A listing of dir read
 * in a transaction begun after the number was v is still what every
 * reader would list while the number stays v (a reply built ahead of its
 * request may be used then). */
uint64_t ofs_names_version(ofs *fs, uint64_t dir);

/* xattrs; flags as setxattr(2) (XATTR_CREATE / XATTR_REPLACE).
 * get/list with size 0 return the size needed; -ERANGE if too small;
 * -ENODATA if absent.  Setting "system.posix_acl_access" also sets the
 * permission bits as local file systems do (cp -a uses it instead of
 * chmod); an ACL the mode fully expresses is then not stored. */
int ofs_setxattr(ofs *fs, uint64_t ino, const char *name, const void *value,
		 size_t size, int flags);
/* ofs_setxattr_kill: ofs_setxattr that, when kill_sgid is set and name is
 * "system.posix_acl_access", also drops the set-group-ID bit in the same
 * commit, as setting an ACL must when the setter is outside the file's
 * group and lacks CAP_FSETID (the kernel's verdict). */
int ofs_setxattr_kill(ofs *fs, uint64_t ino, const char *name, const void *value,
		      size_t size, int flags, int kill_sgid);
ssize_t ofs_getxattr(ofs *fs, uint64_t ino, const char *name, void *value, size_t size);
ssize_t ofs_listxattr(ofs *fs, uint64_t ino, char *list, size_t size);
int ofs_removexattr(ofs *fs, uint64_t ino, const char *name);

/* ofs_statfs: true figures (block size, blocks total/free, inodes). */
int ofs_statfs(ofs *fs, struct statvfs *out);

/* ofs_env: the LMDB environment, for subsystems that keep their own tables
 * in the same image (OrionDB's "kv", the audit log ...).  Type-erased so
 * this header does not need lmdb.h; it is an MDB_env *. */
void *ofs_env(ofs *fs);

/* fsck */
enum {
	OFS_FSCK_REPAIR = 1 << 0, /* fix what is safe to fix */
	OFS_FSCK_VERBOSE = 1 << 1,
};

/* Outcome of ofs_fsck; exit codes follow fsck(8). */
struct ofs_fsck_report {
	unsigned long problems;  /* found */
	unsigned long repaired;  /* fixed (with OFS_FSCK_REPAIR) */
	unsigned long inodes, dirents, blocks;
};

/* Called once per problem with a one-line description. */
typedef void (*ofs_fsck_fn)(void *arg, const char *msg);

/* ofs_fsck: check every invariant of the image at path (it must not be
 * mounted read-write): each entry names a live inode, link counts match,
 * no orphans beyond the orphan list, sizes match the data, every checksum
 * is good.  Returns 0 when it ran (see rep), <0 when it could not. */
int ofs_fsck(const char *path, unsigned flags, ofs_fsck_fn fn, void *arg,
	     struct ofs_fsck_report *rep);

#endif
