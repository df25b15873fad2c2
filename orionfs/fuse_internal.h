/*
 * fuse_internal.h: the OrionFS FUSE server (libofsfuse), shared by
 * orionfs/fuse_*.c, mount_main.c and the subsystems that plug synthetic
 * trees in at the root (OrionDB's /db, ctlfs's /ctl, /proc, /snapshots).
 *
 * Contract
 *  - The server turns libfuse low-level requests into ofs_ calls (orionfs.h)
 *    and replies; every function here returns 0 (or a count) or a negative
 *    errno / negated orion_err, converted to an errno only in the reply.
 *  - Only this daemon changes the tree, so names and attributes are handed
 *    to the kernel with long timeouts and the page cache is kept across
 *    opens.  Whoever changes the image behind the kernel's back (the
 *    runtime, through the capsule bridge) must call ofs_fuse_inval_inode()
 *    or ofs_fuse_inval_entry() afterwards.
 *  - The kernel's lookup count of every real inode is tracked; when it
 *    drops to 0 and the inode was unlinked, ofs_evict() frees it, so an
 *    unlinked file lives until its last close.
 *  - One thread serves every request (a round trip handed between threads
 *    costs several times one served in place); the calls of blocking
 *    providers are deferred to threads of their own.
 *
 * Providers (synthetic trees)
 *  A provider owns one reserved root name ("db", "ctl", "proc" or
 *  "snapshots").  Without a provider the name does not exist, and nobody
 *  can create it at the root (EPERM).  To plug one in, add a line to the
 *  providers[] table of orionfs/mount_main.c naming a function that calls
 *  ofs_fuse_register() (it runs after ofs_fuse_new(), before the mount);
 *  orionfs/fuse_selftest.c is a complete small example.
 *
 *  Numbers: a provider speaks only in its own "local" inode numbers,
 *  1..OFS_FUSE_LOCAL_MASK; local 1 is its root directory (the reserved
 *  name).  The server maps local numbers to kernel inode numbers with the
 *  top bit set and the provider's slot below it (ofs_fuse_synth_ino()),
 *  so they can never meet a real inode number.  struct stat results must
 *  carry the local number in st_ino (the server rewrites it), and
 *  ofs_dirent.ino handed to the readdir callback is local too.
 *
 *  Callbacks: each gets the provider's arg; each returns 0 (or a byte
 *  count for read/write) or a negative errno.  By default every callback
 *  runs on the server's one loop thread and must return promptly (it
 *  holds up every other request).  A provider with .blocks set has open,
 *  read, write, create and release each run on a thread of their own,
 *  several at once (so it does its own locking); those may block (a
 *  "wait" file): check ofs_fuse_interrupted(caller) to give up with
 *  -EINTR when the user presses Ctrl-C.
 *  A NULL callback means the operation is refused: EPERM for creation and removal, EACCES for open
 *  with a mode the provider lacks (read/write NULL), ENOTDIR for lookup
 *  and readdir.  getattr is mandatory.
 *   getattr(arg, ino, st)             attributes of ino.
 *   lookup(arg, parent, name, st)     the entry name in directory parent.
 *   readdir(arg, ino, cookie, fn, fa) as ofs_readdir: entries from cookie
 *                                     (0 = start, never "." or ".."),
 *                                     fn returns 1 when the reply is full.
 *                                     Cookies must be stable positions and
 *                                     below 2^62.
 *   open(arg, ino, flags, caller, &fh, &how)  flags as open(2); *fh is
 *                                     handed back to read/write/release;
 *                                     *how takes OFS_FUSE_DIRECT_IO (size-0
 *                                     generated files, design section 3;
 *                                     without it the kernel caches pages
 *                                     and writes them back later, so write
 *                                     errors surface only at close/fsync)
 *                                     and OFS_FUSE_NONSEEKABLE.
 *   read/write(arg, ino, fh, buf, size, off, caller)  one request; a
 *                                     failing write's errno reaches the
 *                                     writer (work happens here, never in
 *                                     release).
 *   release(arg, ino, fh)             last close of the handle.
 *   flush(arg, ino, fh)               each close(2) of a descriptor, and
 *                                     fsync(2) before the image is synced:
 *                                     its error is what close/fsync return
 *                                     (optional; runs where read does).
 *   setattr(arg, ino, st, valid, out) OFS_SET_* fields of st; when NULL,
 *                                     time updates (touch, the kernel's
 *                                     write-back of mtime) and truncation
 *                                     to 0 (shell ">") are accepted and
 *                                     ignored, the rest fails with EPERM.
 *   create(arg, parent, name, mode, flags, caller, st, &fh, &how)
 *                                     also serves mknod(2) of a regular
 *                                     file (flags O_WRONLY|O_CREAT|O_EXCL,
 *                                     the handle released at once, as tar
 *                                     --xattrs makes files); mknod of
 *                                     anything else fails with EPERM.
 *   mkdir(arg, parent, name, mode, caller, st)
 *   unlink/rmdir(arg, parent, name, caller)
 *   rename(arg, parent, name, newparent, newname, flags, caller)  inside
 *                                     the provider; flags as renameat2(2).
 *   setxattr/getxattr/listxattr/removexattr(arg, ino, ...)  as the ofs_
 *                                     calls of orionfs.h (size 0 asks the
 *                                     size; -ERANGE, -ENODATA).
 *   forget(arg, ino, nlookup)         the kernel dropped nlookup references
 *                                     (optional: for providers that number
 *                                     objects dynamically).  Runs with the
 *                                     batch open: it must not write the
 *                                     image.
 *   destroy(arg)                      the mount is going away: wake every
 *                                     blocked call, which must then return
 *                                     promptly.  Calls still running may
 *                                     use the provider's state, so free
 *                                     nothing here; no new call comes.
 *  Renames between trees, and inside a provider without rename, fail with
 *  EXDEV (so mv falls back to copy and unlink); so do hard links.  Without
 *  xattr callbacks a synthetic inode has no xattrs (ENODATA, an empty
 *  list) and takes none (ENOTSUP).  fsync on a synthetic inode makes the
 *  image durable (ofs_sync).  lseek SEEK_DATA/SEEK_HOLE treats a
 *  provider's file as data up to the size its getattr gives.  Before any
 *  callback but forget the server commits its open batch (ofs_batch), so
 *  a provider may write the image from the loop thread or from a job's.
 *
 * Caveats
 *  - Never use a struct ofs_fuse (nor its ofs) in a forked child.
 */
#ifndef ORIONFS_FUSE_INTERNAL_H
#define ORIONFS_FUSE_INTERNAL_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

#include "orionfs/orionfs.h"

#define OFS_FUSE_TIMEOUT 86400.0 /* seconds: only we change the tree */
#define OFS_FUSE_MAX_WRITE (1u << 20)
#define OFS_FUSE_SYNTH (1ULL << 63)
#define OFS_FUSE_SLOT_SHIFT 56
#define OFS_FUSE_LOCAL_MASK ((1ULL << OFS_FUSE_SLOT_SHIFT) - 1)
#define OFS_FUSE_MAX_PROVIDERS 8
/* Group commit: the loop commits the open batch after this long with no
 * request, or when it is due (ofs_batch_info: OFS_BATCH_* of orionfs.h). */
#define OFS_FUSE_IDLE_MS 2
/* Microseconds the loop polls for the next request before it sleeps;
 * after a write of OFS_FUSE_STREAM_MIN bytes or more, which a stream's
 * next write follows once the writer has read its next buffer (a MiB
 * from the page cache: 200-300 us here), OFS_FUSE_STREAM_SPIN_US. */
#define OFS_FUSE_SPIN_US 50
#define OFS_FUSE_STREAM_MIN (256u << 10)
#define OFS_FUSE_STREAM_SPIN_US 500
/* A request that took this long to serve waited for the disk; the loop
 * sleeps after it at once (spinning then cost cold 4 KiB random reads
 * 30%: 7,400 against 10,800 a second, same machine, same run). */
#define OFS_FUSE_DISK_US 40
/* Reader threads at most (ofs_fuse_queue): file reads that must wait for
 * the disk are served there, so that several wait at once, as readers of
 * a local disk do, while the loop goes on serving. */
#define OFS_FUSE_READERS 8
/* The largest read handed to them: the kernel's read-ahead requests are
 * larger, and stay on the loop, where the host's read-ahead of the image
 * sees them in order (handed off, a cold 1 GiB read went from some 820
 * to 570 MB/s, means of five rounds). */
#define OFS_FUSE_LATER_MAX (64u << 10)
/* Free heap the daemon keeps rather than hands back (M_TRIM_THRESHOLD):
 * room for a whole batch (OFS_BATCH_BYTES) of dirty pages. */
#define OFS_FUSE_HEAP_KEEP (32 << 20)
/* Allocations glibc maps on their own (M_MMAP_THRESHOLD): above the
 * 2 MiB LMDB takes for every nested transaction. */
#define OFS_FUSE_MMAP_MIN (4 << 20)

/* server options (ofs_fuse_new) */
enum {
	OFS_FUSE_RDONLY = 1 << 0,
	OFS_FUSE_ALLOW_OTHER = 1 << 1,
	OFS_FUSE_DEBUG = 1 << 2,
	OFS_FUSE_SYNC = 1 << 3, /* no writeback cache: write() reaches us */
	OFS_FUSE_WRITEBACK = 1 << 5, /* kernel write-back cache */
};

/* fi->fh of a real file: what its release must undo */
enum {
	OFS_FUSE_FH_WRITER = 1 << 0, /* counted in its node's writers */
	OFS_FUSE_FH_DIRECT = 1 << 1, /* writes around the page cache */
	OFS_FUSE_FH_LARGE = 1 << 2,  /* a large directory's (ofs_dir_large) */
};

/* provider open "how" bits */
enum {
	OFS_FUSE_DIRECT_IO = 1 << 0,
	OFS_FUSE_NONSEEKABLE = 1 << 1,
};

/* Who is asking, for providers that check rights or block. */
struct ofs_fuse_caller {
	uid_t uid;
	gid_t gid;
	pid_t pid;
	fuse_req_t req;
};

struct ofs_fuse_provider {
	const char *name;  /* reserved root name, see ofs_fuse_reserved() */
	double timeout;    /* seconds the kernel may cache names/attrs */
	int blocks;        /* open/read/write/create/release may block */
	int (*getattr)(void *arg, uint64_t ino, struct stat *st);
	int (*lookup)(void *arg, uint64_t parent, const char *name, struct stat *st);
	int (*readdir)(void *arg, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn,
		       void *fnarg);
	int (*open)(void *arg, uint64_t ino, int flags, const struct ofs_fuse_caller *c,
		    void **fh, unsigned *how);
	ssize_t (*read)(void *arg, uint64_t ino, void *fh, char *buf, size_t size,
			off_t off, const struct ofs_fuse_caller *c);
	ssize_t (*write)(void *arg, uint64_t ino, void *fh, const char *buf,
			 size_t size, off_t off, const struct ofs_fuse_caller *c);
	void (*release)(void *arg, uint64_t ino, void *fh);
	int (*flush)(void *arg, uint64_t ino, void *fh);
	int (*setattr)(void *arg, uint64_t ino, const struct stat *st, unsigned valid,
		       struct stat *out);
	int (*create)(void *arg, uint64_t parent, const char *name, mode_t mode,
		      int flags, const struct ofs_fuse_caller *c, struct stat *st,
		      void **fh, unsigned *how);
	int (*mkdir)(void *arg, uint64_t parent, const char *name, mode_t mode,
		     const struct ofs_fuse_caller *c, struct stat *st);
	int (*unlink)(void *arg, uint64_t parent, const char *name,
		      const struct ofs_fuse_caller *c);
	int (*rmdir)(void *arg, uint64_t parent, const char *name,
		     const struct ofs_fuse_caller *c);
	int (*rename)(void *arg, uint64_t parent, const char *name, uint64_t newparent,
		      const char *newname, unsigned flags, const struct ofs_fuse_caller *c);
	int (*setxattr)(void *arg, uint64_t ino, const char *name, const void *value,
			size_t size, int flags);
	ssize_t (*getxattr)(void *arg, uint64_t ino, const char *name, void *value,
			    size_t size);
	ssize_t (*listxattr)(void *arg, uint64_t ino, char *list, size_t size);
	int (*removexattr)(void *arg, uint64_t ino, const char *name);
	void (*forget)(void *arg, uint64_t ino, uint64_t nlookup);
	void (*destroy)(void *arg);
};

struct ofs_fuse_slot {
	const struct ofs_fuse_provider *p;
	void *arg;
};

/* kernel lookup count of one real inode (fuse_node.c) */
struct ofs_fuse_node {
	uint64_t ino;
	uint64_t nlookup;
	int orphan; /* unlinked: evict when nlookup reaches 0 */
	uint64_t writers; /* open handles that may write (write-back cache) */
	struct ofs_attr *dead; /* a removed directory's last attributes */
	struct ofs_fuse_node *next;
};

/* A request handed to a thread of its own (ofs_fuse_defer) or to a reader
 * thread (ofs_fuse_queue), with copies of its arguments: the loop reuses
 * its buffers as soon as we return. */
struct ofs_fuse_job {
	void (*run)(struct ofs_fuse_job *j);
	struct ofs_fuse_job *next; /* in the readers' queue */
	struct ofs_fuse *srv;
	fuse_req_t req;
	int clone; /* req came through the loop's clone: answer there */
	fuse_ino_t ino;
	struct fuse_file_info fi;
	size_t size;
	off_t off;
	mode_t mode;
	const char *name; /* in data */
	char data[];
};

/* A reply to a listing built before its request (fuse_ops.c): the next
 * one of the last listing served, while the lister works through the
 * one it has.  Good while the namespace's version stays names. */
struct ofs_fuse_next {
	uint64_t ino;   /* the directory; 0: none */
	off_t off;      /* the offset the reply starts from */
	off_t end;      /* the offset after its last entry */
	unsigned step;  /* its place in the listing's run of replies */
	uint64_t names; /* ofs_names_version before it was built */
	size_t len;
	char *buf;      /* OFS_FUSE_MAX_WRITE bytes, once needed */
};

struct ofs_fuse {
	ofs *fs;
	unsigned flags;
	double timeout;
	struct fuse_session *se;
	const char *mountpoint;
	int tuned; /* read-ahead raised (ofs_fuse_tune) */
	int writeback; /* the kernel granted its write-back cache at INIT */
	int posix_acl; /* the kernel checks POSIX ACLs (FUSE_CAP_POSIX_ACL) */
	int dont_mask; /* the umask is ours to apply (FUSE_CAP_DONT_MASK) */
	int killpriv;  /* HANDLE_KILLPRIV_V2 agreed at INIT: dropping suid
			* and sgid is ours */
	int kill;      /* the request being served asks us to drop suid/sgid */
	int stream;    /* the request served was a large write (OFS_FUSE_STREAM_MIN) */
	int tmpfile;   /* the request served is O_TMPFILE's, read as a CREATE */
	int statx;     /* the request served is a STATX, read as a GETATTR */
	int waited;    /* the request served took OFS_FUSE_DISK_US or longer,
			* or waits for the disk on a reader thread ... */
	int deferred;  /* ... as the one being served does */
	int cfd;       /* a blocking clone of the session's descriptor, which
			* the loop sleeps in read(2) on while no batch is open
			* (one system call, where poll and read are two); -1:
			* none, the loop sleeps in poll */
	int from_clone;  /* the request being served was read from cfd ... */
	uint64_t unique; /* ... and is this one: its answer goes back there */
	size_t bufsize;  /* libfuse's request buffer (learnt at its first read) */
	pthread_t loop;  /* the thread that serves */
	volatile sig_atomic_t asleep; /* the loop is in (or entering) a wait */
	sigjmp_buf wake; /* where a stop signal takes it out of that wait */
	uint64_t init_unique; /* the INIT request, until it is answered */
	int init_v2;   /* the kernel offered HANDLE_KILLPRIV_V2 */
	int init_ext;  /* the kernel offered SETXATTR_EXT */
	int setxattr_ext; /* SETXATTR_EXT agreed: its requests are rewritten short */
	struct ofs_fuse_slot slot[OFS_FUSE_MAX_PROVIDERS];
	int nslot;
	pthread_mutex_t nlock; /* guards the node table */
	struct ofs_fuse_node **nodes;
	size_t nbuckets, nnodes;
	pthread_key_t bufkey; /* per-thread read buffer */
	pthread_mutex_t jlock; /* guards njobs and the readers' fields */
	pthread_cond_t jdone;
	int njobs;             /* deferred or queued requests not done yet */
	pthread_cond_t qwake;  /* a job was queued, or the readers are to stop */
	struct ofs_fuse_job *qhead, **qtail; /* the readers' queue */
	pthread_t readers[OFS_FUSE_READERS];
	int nreaders, nidle, nqueued, qstop;
	int writers_lost;      /* a writer went uncounted (no memory) */
	struct ofs_fuse_next next; /* the loop thread's only */
};

/* fuse_server.c: life cycle, in this order. */
int ofs_fuse_new(struct ofs_fuse **srvp, ofs *fs, unsigned flags);
int ofs_fuse_register(struct ofs_fuse *srv, const struct ofs_fuse_provider *p,
		      void *arg);
int ofs_fuse_mount(struct ofs_fuse *srv, const char *image, const char *dir,
		   const char *kernel_opts);
int ofs_fuse_loop(struct ofs_fuse *srv);
int ofs_fuse_commit(struct ofs_fuse *srv);
void ofs_fuse_free(struct ofs_fuse *srv);
int ofs_fuse_inval_inode(struct ofs_fuse *srv, uint64_t ino);
int ofs_fuse_inval_entry(struct ofs_fuse *srv, uint64_t parent, const char *name);
int ofs_fuse_interrupted(const struct ofs_fuse_caller *c);
char *ofs_fuse_buf(struct ofs_fuse *srv, size_t size);
void ofs_fuse_tune(struct ofs_fuse *srv);
struct ofs_fuse_job *ofs_fuse_job_new(fuse_req_t req, size_t extra);
void ofs_fuse_reply_stat(fuse_req_t req, const struct stat *st, const struct timespec *btime,
			 double timeout);
void ofs_fuse_defer(struct ofs_fuse_job *j);
void ofs_fuse_queue(struct ofs_fuse_job *j);
int ofs_fuse_pending(struct ofs_fuse *srv);

/* fuse_ops.c */
extern const struct fuse_lowlevel_ops ofs_fuse_ops;
void ofs_fuse_stat(const struct ofs_attr *a, struct stat *st);
void ofs_fuse_reply_err(fuse_req_t req, int rc);

/* fuse_node.c: lookup counts */
int ofs_fuse_nodes_init(struct ofs_fuse *srv);
void ofs_fuse_nodes_free(struct ofs_fuse *srv);
void ofs_fuse_ref(struct ofs_fuse *srv, uint64_t ino);
void ofs_fuse_unref(struct ofs_fuse *srv, uint64_t ino, uint64_t n);
void ofs_fuse_orphaned(struct ofs_fuse *srv, uint64_t ino);
void ofs_fuse_bury(struct ofs_fuse *srv, const struct ofs_attr *a);
int ofs_fuse_dead_attr(struct ofs_fuse *srv, uint64_t ino, struct ofs_attr *out);
void ofs_fuse_writer(struct ofs_fuse *srv, uint64_t ino, int delta);
int ofs_fuse_may_be_dirty(struct ofs_fuse *srv, uint64_t ino);
int ofs_fuse_known(struct ofs_fuse *srv, uint64_t ino);

/* fuse_provider.c: reserved names and synthetic inodes */
int ofs_fuse_reserved(const char *name);
int ofs_fuse_is_synth(uint64_t ino);
uint64_t ofs_fuse_synth_ino(int slot, uint64_t local);
const struct ofs_fuse_slot *ofs_fuse_slot_of(struct ofs_fuse *srv, uint64_t ino,
					     uint64_t *local);
int ofs_fuse_slot_named(struct ofs_fuse *srv, const char *name);
extern const struct fuse_lowlevel_ops ofs_fuse_synth_ops;

/* fuse_selftest.c: the test provider ($ORION_FUSE_SELFTEST=NAME) */
int ofs_fuse_selftest(struct ofs_fuse *srv);

#endif
