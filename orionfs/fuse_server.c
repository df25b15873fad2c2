/*
 * fuse_server.c: the life of one mount: a libfuse session over an open
 * image, the kernel mount, the serving loop (and the threads it defers
 * blocking requests to), and the teardown that leaves the mountpoint free
 * and the image synced.
 */
#include "orionfs/fuse_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fuse.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

struct tbuf {
	size_t cap;
	char data[];
};

/* job_clone: the deferred request this thread runs came through the
 * loop's clone (ofs_fuse_job's clone), where its answer must go. */
static _Thread_local int job_clone;

/* ofs_fuse_new: a server for fs (which stays the caller's to close). */
int ofs_fuse_new(struct ofs_fuse **srvp, ofs *fs, unsigned flags)
{
	struct ofs_fuse *srv = calloc(1, sizeof *srv);
	if (!srv)
		return -ENOMEM;
	srv->fs = fs;
	srv->flags = flags;
	srv->timeout = OFS_FUSE_TIMEOUT;
	srv->cfd = -1;
	int rc = ofs_fuse_nodes_init(srv);
	if (rc == 0 && pthread_key_create(&srv->bufkey, free) != 0) {
		ofs_fuse_nodes_free(srv);
		rc = -EAGAIN;
	}
	if (rc == 0) {
		pthread_mutex_init(&srv->jlock, NULL);
		pthread_cond_init(&srv->jdone, NULL);
		pthread_cond_init(&srv->qwake, NULL);
		srv->qtail = &srv->qhead;
	}
	if (rc < 0) {
		free(srv);
		return rc;
	}
	*srvp = srv;
	return 0;
}

/* ofs_fuse_register: give provider p the reserved root name p->name. */
int ofs_fuse_register(struct ofs_fuse *srv, const struct ofs_fuse_provider *p, void *arg)
{
	if (!p->name || !ofs_fuse_reserved(p->name) || !p->getattr)
		return -EINVAL;
	if (ofs_fuse_slot_named(srv, p->name) >= 0)
		return -EEXIST;
	if (srv->se || srv->nslot == OFS_FUSE_MAX_PROVIDERS)
		return -EBUSY;
	srv->slot[srv->nslot++] = (struct ofs_fuse_slot){p, arg};
	return 0;
}

/* optcat: append ",s" to opts (escaping commas and backslashes for
 * libfuse's option parser when esc); -E2BIG if it does not fit. */
static int optcat(char *opts, size_t size, const char *s, int esc)
{
	size_t n = strlen(opts);
	if (n && n + 1 < size)
		opts[n++] = ',';
	for (; *s; s++) {
		if (esc && (*s == ',' || *s == '\\')) {
			if (n + 1 >= size)
				return -E2BIG;
			opts[n++] = '\\';
		}
		if (n + 1 >= size)
			return -E2BIG;
		opts[n++] = *s;
	}
	opts[n] = '\0';
	return 0;
}

/* mount_dev: "MAJ:MIN" of the mount on dir (the last one stacked there),
 * read from mountinfo: a stat(2) would ask the daemon, which is not
 * serving yet.  0 if found. */
static int mount_dev(const char *dir, char *dev, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[8192], mp[4096], d[64];
	int found = -ENOENT;
	if (!f)
		return -errno;
	while (fgets(line, sizeof line, f)) {
		/* mount point names escape blanks as \040: compare plain ones */
		if (sscanf(line, "%*d %*d %63s %*s %4095s", d, mp) == 2 && strcmp(mp, dir) == 0 &&
		    strlen(d) < size) {
			strcpy(dev, d);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* tune_bdi: let the kernel read ahead 1 MiB at a time (it defaults to
 * 128 KiB for FUSE): a sequential read then costs one round trip per
 * MiB.  Best effort: needs root. */
static void tune_bdi(const char *dir)
{
	char dev[64], path[128];
	if (mount_dev(dir, dev, sizeof dev) != 0)
		return;
	snprintf(path, sizeof path, "/sys/class/bdi/%s/read_ahead_kb", dev);
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%u\n", OFS_FUSE_MAX_WRITE / 1024);
		fclose(f);
	}
}

/* ofs_fuse_tune: once the kernel has taken our INIT reply (which would
 * lower it again), raise the mount's read-ahead.  Called on the loop
 * thread by the requests a first access starts with. */
void ofs_fuse_tune(struct ofs_fuse *srv)
{
	if (srv->tuned)
		return;
	srv->tuned = 1;
	tune_bdi(srv->mountpoint);
}

/* The wire hooks: libfuse reads requests and writes replies through them
 * (fuse_session_custom_io).  They exist for one feature libfuse 3.14 does
 * not negotiate: FUSE_HANDLE_KILLPRIV_V2, with which the kernel stops
 * asking for security.capability before every write (a round trip per
 * write(2); it asks once per file, until it finds none) and leaves
 * dropping suid and sgid to us; and for the per-request flag of it that
 * libfuse does not pass on (srv->kill, read by the handler of the same
 * request on this thread); for the like flag of SETXATTR_EXT, which
 * asks us to drop sgid when an access ACL is set; for TMPFILE
 * (O_TMPFILE), which libfuse 3.14 does not know: its arguments are
 * CREATE's, so it is passed on as a CREATE flagged in srv->tmpfile; and
 * for STATX (a statx(2) that asks for the birth time), which libfuse
 * 3.14 does not know either: its arguments begin with GETATTR's, so it
 * is passed on as a GETATTR flagged in srv->statx, and the getattr
 * answers in STATX's form (ofs_fuse_reply_stat).  Answered ENOSYS, the
 * kernel would never ask again, and stat(1) would show no birth time. */

/* STATX (protocol 7.39), which Debian's <linux/fuse.h> predates: the
 * opcode, and the reply (fuse_statx_out, holding a fuse_statx). */
enum { OFS_FUSE_OP_STATX = 52 };
struct ofs_sx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
struct ofs_statx_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec, flags;
	uint64_t spare[2];
	struct {
		uint32_t mask, blksize;
		uint64_t attributes;
		uint32_t nlink, uid, gid;
		uint16_t mode, spare0;
		uint64_t ino, size, blocks, attributes_mask;
		struct ofs_sx_time atime, btime, ctime, mtime;
		uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
		uint64_t spare2[14];
	} stat;
};
_Static_assert(sizeof(struct ofs_statx_out) == 288, "fuse_statx_out is 288 bytes");

/* sx_time: a timespec in STATX's form. */
static struct ofs_sx_time sx_time(struct timespec t)
{
	return (struct ofs_sx_time){t.tv_sec, (uint32_t)t.tv_nsec, 0};
}

/* ofs_fuse_reply_stat: answer a GETATTR with st, cacheable for timeout
 * seconds; one that is a STATX (srv->statx) in STATX's form, with the
 * birth time btime when there is one. */
void ofs_fuse_reply_stat(fuse_req_t req, const struct stat *st, const struct timespec *btime,
			 double timeout)
{
	const struct ofs_fuse *srv = fuse_req_userdata(req);
	if (!srv->statx) {
		fuse_reply_attr(req, st, timeout);
		return;
	}
	struct ofs_statx_out sx = {.attr_valid = (uint64_t)timeout,
				   .attr_valid_nsec = (uint32_t)((timeout - (double)(uint64_t)timeout) * 1e9)};
	sx.stat.mask = STATX_BASIC_STATS | (btime ? STATX_BTIME : 0);
	sx.stat.blksize = (uint32_t)st->st_blksize;
	sx.stat.nlink = (uint32_t)st->st_nlink;
	sx.stat.uid = st->st_uid;
	sx.stat.gid = st->st_gid;
	sx.stat.mode = (uint16_t)st->st_mode;
	sx.stat.ino = st->st_ino;
	sx.stat.size = (uint64_t)st->st_size;
	sx.stat.blocks = (uint64_t)st->st_blocks;
	sx.stat.atime = sx_time(st->st_atim);
	sx.stat.mtime = sx_time(st->st_mtim);
	sx.stat.ctime = sx_time(st->st_ctim);
	if (btime)
		sx.stat.btime = sx_time(*btime);
	sx.stat.rdev_major = major(st->st_rdev);
	sx.stat.rdev_minor = minor(st->st_rdev);
	fuse_reply_buf(req, (const char *)&sx, sizeof sx);
}

/* Where each request that may ask us to drop suid/sgid carries the flag:
 * a 32-bit field of its argument, and the bit. */
static const struct {
	uint32_t opcode;
	size_t off;
	uint32_t bit;
} kill_fields[] = {
	{FUSE_WRITE, offsetof(struct fuse_write_in, write_flags), FUSE_WRITE_KILL_SUIDGID},
	{FUSE_SETATTR, offsetof(struct fuse_setattr_in, valid), FATTR_KILL_SUIDGID},
	{FUSE_OPEN, offsetof(struct fuse_open_in, open_flags), FUSE_OPEN_KILL_SUIDGID},
	{FUSE_CREATE, offsetof(struct fuse_create_in, open_flags), FUSE_OPEN_KILL_SUIDGID},
};

/* kill_flag: whether request h (n bytes in all) asks us to drop suid/sgid. */
static int kill_flag(const struct fuse_in_header *h, size_t n)
{
	for (size_t i = 0; i < sizeof kill_fields / sizeof kill_fields[0]; i++) {
		uint32_t v;
		if (kill_fields[i].opcode != h->opcode)
			continue;
		if (n < sizeof *h + kill_fields[i].off + sizeof v)
			return 0;
		memcpy(&v, (const char *)(h + 1) + kill_fields[i].off, sizeof v);
		return (v & kill_fields[i].bit) != 0;
	}
	return 0;
}

/* setxattr_compat: a SETXATTR request h of n bytes in the extended form
 * (SETXATTR_EXT) rewritten in place to the short one libfuse 3.14 reads;
 * notes whether it asks us to drop sgid (setting an access ACL, by a
 * caller outside the file's group without CAP_FSETID).  New length. */
static ssize_t setxattr_compat(struct ofs_fuse *srv, struct fuse_in_header *h, ssize_t n)
{
	const size_t ext = sizeof(struct fuse_setxattr_in), compat = FUSE_COMPAT_SETXATTR_IN_SIZE;
	if ((size_t)n < sizeof *h + ext)
		return n;
	struct fuse_setxattr_in in;
	memcpy(&in, h + 1, sizeof in);
	srv->kill = (in.setxattr_flags & FUSE_SETXATTR_ACL_KILL_SGID) != 0;
	char *body = (char *)(h + 1);
	memmove(body + compat, body + ext, (size_t)n - sizeof *h - ext);
	h->len -= (uint32_t)(ext - compat);
	return n - (ssize_t)(ext - compat);
}

/* wire_note: request buf, n bytes read (from the clone: from_clone),
 * noted before libfuse parses it: its kill flag, TMPFILE as CREATE,
 * STATX as GETATTR and, for INIT, whether the kernel offers
 * HANDLE_KILLPRIV_V2 and SETXATTR_EXT.  Returns its length (which a
 * rewrite may shorten), or n if that is short of a request, with errno
 * untouched. */
static ssize_t wire_note(struct ofs_fuse *srv, void *buf, ssize_t n, int from_clone)
{
	srv->kill = 0;
	srv->stream = 0;
	srv->tmpfile = 0;
	srv->statx = 0;
	if (n < (ssize_t)sizeof(struct fuse_in_header))
		return n;
	struct fuse_in_header *h = buf;
	srv->from_clone = from_clone;
	srv->unique = h->unique;
	if (h->opcode == FUSE_TMPFILE) {
		h->opcode = FUSE_CREATE;
		srv->tmpfile = 1;
	}
	if (h->opcode == OFS_FUSE_OP_STATX && (size_t)n >= sizeof *h + sizeof(struct fuse_getattr_in)) {
		h->opcode = FUSE_GETATTR;
		srv->statx = 1;
	}
	srv->kill = kill_flag(h, (size_t)n);
	if (h->opcode == FUSE_SETXATTR && srv->setxattr_ext)
		n = setxattr_compat(srv, h, n);
	if (h->opcode == FUSE_INIT && (size_t)n >= sizeof *h + sizeof(struct fuse_init_in)) {
		const struct fuse_init_in *in = (const void *)(h + 1);
		srv->init_unique = h->unique;
		srv->init_v2 = (in->flags & FUSE_HANDLE_KILLPRIV_V2) != 0;
		srv->init_ext = (in->flags & FUSE_SETXATTR_EXT) != 0;
	}
	return n;
}

/* wire_read: read(2) of one request from the session's descriptor,
 * noted (wire_note). */
static ssize_t wire_read(int fd, void *buf, size_t size, void *userdata)
{
	struct ofs_fuse *srv = userdata;
	srv->bufsize = size;
	return wire_note(srv, buf, read(fd, buf, size), 0);
}

/* wire_writev: writev(2) of one reply, to the descriptor its request
 * came through (the clone's or the session's); the INIT reply takes
 * HANDLE_KILLPRIV_V2 when the kernel offered it, and SETXATTR_EXT when
 * it offered that and we check ACLs (for its one flag: drop sgid). */
static ssize_t wire_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	struct ofs_fuse *srv = userdata;
	const struct fuse_out_header *h = iov[0].iov_base;
	if (srv->init_unique && count >= 2 && iov[0].iov_len >= sizeof *h &&
	    h->unique == srv->init_unique) {
		srv->init_unique = 0;
		struct fuse_init_out *out = iov[1].iov_base;
		if (h->error == 0 && srv->init_v2 &&
		    iov[1].iov_len >= offsetof(struct fuse_init_out, flags) + sizeof out->flags) {
			out->flags |= FUSE_HANDLE_KILLPRIV_V2;
			srv->killpriv = 1;
		}
		if (h->error == 0 && srv->init_ext && srv->posix_acl &&
		    iov[1].iov_len >= offsetof(struct fuse_init_out, flags) + sizeof out->flags) {
			out->flags |= FUSE_SETXATTR_EXT;
			srv->setxattr_ext = 1;
		}
	}
	/* the kernel looks an answer up among the requests read from the
	 * descriptor it is written to */
	int clone = pthread_equal(pthread_self(), srv->loop) ? srv->from_clone && h->unique == srv->unique
							      : job_clone;
	return writev(clone ? srv->cfd : fd, iov, count);
}

static const struct fuse_custom_io wire = {.read = wire_read, .writev = wire_writev};

/* clone_fd: a second, blocking descriptor on the connection of fd
 * (FUSE_DEV_IOC_CLONE), or -1 (the loop then sleeps in poll). */
static int clone_fd(int fd)
{
	uint32_t master = (uint32_t)fd;
	int cfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (cfd >= 0 && ioctl(cfd, FUSE_DEV_IOC_CLONE, &master) < 0) {
		close(cfd);
		cfd = -1;
	}
	return cfd;
}

/* ofs_fuse_mount: mount image on dir (both absolute paths); kernel_opts
 * are extra mount(8) flags (noexec, nosuid ...) or NULL. */
int ofs_fuse_mount(struct ofs_fuse *srv, const char *image, const char *dir,
		   const char *kernel_opts)
{
	char opts[8192] = "default_permissions,subtype=orionfs";
	int rc = optcat(opts, sizeof opts, "fsname=", 0);
	if (rc == 0)
		rc = optcat(opts + strlen(opts), sizeof opts - strlen(opts), image, 1);
	if (rc == 0 && (srv->flags & OFS_FUSE_ALLOW_OTHER))
		rc = optcat(opts, sizeof opts, "allow_other", 0);
	if (rc == 0 && (srv->flags & OFS_FUSE_RDONLY))
		rc = optcat(opts, sizeof opts, "ro", 0);
	if (rc == 0 && kernel_opts && *kernel_opts)
		rc = optcat(opts, sizeof opts, kernel_opts, 0);
	if (rc < 0)
		return rc;
	char *argv[] = {"mount.orionfs", "-o", opts, "-d", NULL};
	struct fuse_args args = FUSE_ARGS_INIT((srv->flags & OFS_FUSE_DEBUG) ? 4 : 3, argv);
	srv->se = fuse_session_new(&args, &ofs_fuse_ops, sizeof ofs_fuse_ops, srv);
	fuse_opt_free_args(&args);
	if (!srv->se)
		return -EINVAL;
	if (fuse_session_mount(srv->se, dir) != 0) {
		fuse_session_destroy(srv->se);
		srv->se = NULL;
		return -EIO;
	}
	srv->mountpoint = dir;
	/* the same descriptor, read and written through the wire hooks;
	 * non-blocking, for spin_read */
	int fd = fuse_session_fd(srv->se), fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	srv->cfd = clone_fd(fd);
	return fuse_session_custom_io(srv->se, &wire, fd) ? -EIO : 0;
}

/* ofs_fuse_commit: commit the open batch now.  A failure cannot be
 * reported to the callers (they were answered already): it is logged,
 * and every later write fails (ofs_batch).  Returns 0 or the error. */
int ofs_fuse_commit(struct ofs_fuse *srv)
{
	int rc = ofs_flush(srv->fs);
	if (rc < 0) {
		fprintf(stderr, "mount.orionfs: committing changes failed, writes now fail: %s\n",
			orion_strerror(rc));
		syslog(LOG_ERR, "orionfs %s: committing changes failed, writes now fail: %s",
		       srv->mountpoint ? srv->mountpoint : "?", orion_strerror(rc));
	}
	return rc;
}

/* commit_wait: milliseconds the loop may wait for a request before it
 * must commit the open batch (0: now; -1: no batch, wait for ever). */
static int commit_wait(struct ofs_fuse *srv)
{
	struct ofs_batch_info bi;
	ofs_batch_info(srv->fs, &bi);
	if (!bi.open)
		return -1; /* an open batch, even empty, holds LMDB's write lock */
	return bi.due ? 0 : OFS_FUSE_IDLE_MS;
}

/* elapsed_us: microseconds from t0 to now (CLOCK_MONOTONIC). */
static long elapsed_us(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000000L + (t.tv_nsec - t0->tv_nsec) / 1000;
}

/* spin_us: how long the loop may poll for the next request: up to
 * OFS_FUSE_SPIN_US, OFS_FUSE_STREAM_SPIN_US after a large write, not at
 * all after a request that waited for the disk. */
static long spin_us(const struct ofs_fuse *srv)
{
	return srv->stream ? OFS_FUSE_STREAM_SPIN_US : srv->waited ? 0 : OFS_FUSE_SPIN_US;
}

/* spin_read: read the next request into fbuf without sleeping, trying
 * for up to spin microseconds, at least once (the descriptor is
 * non-blocking); returns as fuse_session_receive_buf does, -EAGAIN when
 * none came.  A caller mostly sends its next request within
 * microseconds of our reply, and being put to sleep and woken again
 * costs more than serving most requests (three times more, measured, on
 * a virtual machine); a bare read is the cheapest look. */
static int spin_read(struct ofs_fuse *srv, struct fuse_buf *fbuf, long spin)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc;
	while ((rc = fuse_session_receive_buf(srv->se, fbuf)) == -EAGAIN && elapsed_us(&t0) < spin)
		;
	return rc;
}

/* stop_signals: set gets the signals that end the loop. */
static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
}

/* stop_srv: the server whose loop the stop signals end (one a process,
 * as in libfuse). */
static struct ofs_fuse *stop_srv;

/* on_stop: a stop signal ends the loop, which sees that before it waits
 * again.  If it waits already, or is about to, nothing would return to
 * see it: the handler takes the loop out of its wait (doze).  Another
 * thread that gets the signal passes it on to the loop's. */
static void on_stop(int sig)
{
	struct ofs_fuse *srv = stop_srv;
	if (!srv)
		return;
	fuse_session_exit(srv->se);
	if (!pthread_equal(pthread_self(), srv->loop))
		pthread_kill(srv->loop, sig);
	else if (srv->asleep)
		siglongjmp(srv->wake, 1);
}

/* doze: the blocking call of the loop's wait: a read of the clone into
 * buf (size bytes), or with no buf a poll of the session's descriptor
 * for up to wait ms (-1: no limit).  Returns what the call returned, or
 * -1 with errno EINTR once the loop is to stop.  A stop signal that
 * comes after the check for it and before the call starts would find
 * nothing to interrupt, and one that interrupts a read would restart it
 * (SA_RESTART): so on_stop jumps out of both.  The jump skips the
 * handler's return, which would have let the stop signals in again.  A
 * jump that comes after the read has returned must not drop the request
 * it read: the header's length, zeroed before the read, tells (the kernel
 * copies a request whole before the read returns, and a read that a
 * signal interrupts has copied nothing), and the request is served
 * before the loop stops. */
static ssize_t doze(struct ofs_fuse *srv, void *buf, size_t size, int wait)
{
	struct pollfd p = {.fd = fuse_session_fd(srv->se), .events = POLLIN};
	volatile struct fuse_in_header *in = buf;
	if (sigsetjmp(srv->wake, 0)) {
		sigset_t stop;
		stop_signals(&stop);
		srv->asleep = 0;
		pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
		if (in && in->len >= sizeof(struct fuse_in_header))
			return (ssize_t)in->len;
		errno = EINTR;
		return -1;
	}
	if (in)
		in->len = 0;
	srv->asleep = 1;
	ssize_t n = -1;
	errno = EINTR;
	if (!fuse_session_exited(srv->se))
		n = buf ? read(srv->cfd, buf, size) : poll(&p, 1, wait);
	int err = errno;
	srv->asleep = 0;
	errno = err;
	return n;
}

/* sleep_read: read the next request into fbuf from the blocking clone;
 * returns as fuse_session_receive_buf does. */
static int sleep_read(struct ofs_fuse *srv, struct fuse_buf *fbuf)
{
	ssize_t n = doze(srv, fbuf->mem, srv->bufsize, 0);
	if (n < 0 && errno == ENODEV) { /* unmounted */
		fuse_session_exit(srv->se);
		return 0;
	}
	if (n < 0) /* ENOENT: the request went before we read it */
		return errno == ENOENT ? -EINTR : -errno;
	if (n < (ssize_t)sizeof(struct fuse_in_header))
		return -EIO;
	fbuf->size = (size_t)wire_note(srv, fbuf->mem, n, 1);
	return (int)fbuf->size;
}

/* next_request: read the next request into fbuf, waiting for it, and
 * commit the batch when the wait is over; returns as
 * fuse_session_receive_buf does.  With no batch open the loop sleeps in
 * a blocking read of the clone, otherwise in poll, whose timeout
 * commits the batch. */
static int next_request(struct ofs_fuse *srv, struct fuse_buf *fbuf)
{
	for (;;) {
		int wait = commit_wait(srv);
		if (wait == 0) {
			ofs_fuse_commit(srv);
			continue;
		}
		/* bufsize: libfuse has read once, so its buffer exists */
		int sleep = wait < 0 && srv->cfd >= 0 && srv->bufsize;
		long spin = spin_us(srv);
		int rc = sleep && spin == 0 ? -EAGAIN : spin_read(srv, fbuf, spin);
		if (rc != -EAGAIN)
			return rc;
		if (sleep)
			return sleep_read(srv, fbuf);
		ssize_t n = doze(srv, NULL, 0, wait);
		if (n < 0)
			return errno == EINTR ? -EINTR : -errno;
		if (n == 0)
			ofs_fuse_commit(srv); /* idle: the batch is done */
	}
}

/* serve: the loop proper.  The stop signals come in anywhere (their
 * handler only flags the end, and system calls it interrupts restart)
 * but for its waits, which they end (doze). */
static int serve(struct ofs_fuse *srv)
{
	struct fuse_buf fbuf = {.mem = NULL};
	int rc = 0;
	while (!fuse_session_exited(srv->se)) {
		rc = next_request(srv, &fbuf);
		if (rc == -EINTR)
			continue;
		if (rc <= 0)
			break;
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		fuse_session_process_buf(srv->se, &fbuf);
		srv->waited = srv->deferred || elapsed_us(&t0) >= OFS_FUSE_DISK_US;
		srv->deferred = 0;
	}
	free(fbuf.mem);
	return rc < 0 && rc != -EINTR ? rc : 0; /* a signal is a clean stop */
}

/* stop_handlers: install on_stop for srv (on), or the default back:
 * SIGTERM always, even if our parent ignored it; SIGINT and SIGHUP
 * unless ignored, as libfuse does.  SIGPIPE is ignored while serving
 * (an answer to a caller gone fails; it does not kill). */
static void stop_handlers(struct ofs_fuse *srv, int on)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa = {.sa_handler = on ? on_stop : SIG_DFL, .sa_flags = SA_RESTART}, old;
	stop_signals(&sa.sa_mask);
	stop_srv = on ? srv : NULL;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    (sigs[i] == SIGTERM || old.sa_handler != SIG_IGN))
			sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, on ? SIG_IGN : SIG_DFL);
}

/* ofs_fuse_loop: serve until unmounted or signalled (SIGTERM, SIGINT,
 * SIGHUP); returns 0 or a negative errno.  One thread serves: a FUSE round
 * trip handed between threads costs several times one served in place,
 * and every real-inode request is short.  What may block for long
 * (provider I/O) is deferred to a thread of its own.  Writes are
 * group-committed (ofs_batch): the batch is committed when no request
 * comes for OFS_FUSE_IDLE_MS, when it is due, at every fsync, and before
 * any request to a provider. */
int ofs_fuse_loop(struct ofs_fuse *srv)
{
	srv->loop = pthread_self();
	stop_handlers(srv, 1);
	int batch = !(srv->flags & (OFS_FUSE_RDONLY | OFS_FUSE_SYNC));
	int rc = batch ? ofs_batch(srv->fs, 1) : 0;
	if (rc == 0)
		rc = serve(srv);
	if (batch) {
		ofs_fuse_commit(srv);
		ofs_batch(srv->fs, 0);
	}
	stop_handlers(srv, 0);
	return rc;
}

/* ofs_fuse_job_new: a zeroed job for req with extra bytes of data. */
struct ofs_fuse_job *ofs_fuse_job_new(fuse_req_t req, size_t extra)
{
	struct ofs_fuse_job *j = calloc(1, sizeof *j + extra + 1);
	if (j) {
		j->req = req;
		j->srv = fuse_req_userdata(req);
		j->clone = j->srv->from_clone; /* made while req is served */
	}
	return j;
}

/* job_done: one deferred or queued request is done (jlock held). */
static void job_done(struct ofs_fuse *srv)
{
	if (--srv->njobs == 0)
		pthread_cond_broadcast(&srv->jdone);
}

/* job_run: run j, answering where its request came from, and free it. */
static void job_run(struct ofs_fuse_job *j)
{
	job_clone = j->clone;
	j->run(j);
	free(j);
}

/* job_main: run one deferred request, then let teardown know. */
static void *job_main(void *arg)
{
	struct ofs_fuse_job *j = arg;
	struct ofs_fuse *srv = j->srv;
	job_run(j);
	pthread_mutex_lock(&srv->jlock);
	job_done(srv);
	pthread_mutex_unlock(&srv->jlock);
	return NULL;
}

/* spawn: start fn(arg) on a new thread (*t), with the stop signals
 * blocked so they keep reaching the loop thread; detached unless t is
 * kept.  0 or the error of pthread_create. */
static int spawn(pthread_t *t, int detached, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	sigset_t stop, old;
	stop_signals(&stop);
	pthread_attr_init(&attr);
	if (detached)
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	int rc = pthread_create(t, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return rc;
}

/* ofs_fuse_defer: run j on a thread of its own; if no thread can be
 * made, run it in place (a stalled loop beats a failed request). */
void ofs_fuse_defer(struct ofs_fuse_job *j)
{
	struct ofs_fuse *srv = j->srv;
	pthread_t t;
	pthread_mutex_lock(&srv->jlock);
	srv->njobs++;
	pthread_mutex_unlock(&srv->jlock);
	if (spawn(&t, 1, job_main, j) != 0)
		job_main(j);
}

/* reader_main: a reader thread: run the queued jobs in turn until the
 * readers are told to stop and the queue is empty. */
static void *reader_main(void *arg)
{
	struct ofs_fuse *srv = arg;
	pthread_mutex_lock(&srv->jlock);
	for (;;) {
		while (!srv->qhead && !srv->qstop) {
			srv->nidle++;
			pthread_cond_wait(&srv->qwake, &srv->jlock);
			srv->nidle--;
		}
		struct ofs_fuse_job *j = srv->qhead;
		if (!j)
			break;
		if (!(srv->qhead = j->next))
			srv->qtail = &srv->qhead;
		srv->nqueued--;
		pthread_mutex_unlock(&srv->jlock);
		job_run(j);
		pthread_mutex_lock(&srv->jlock);
		job_done(srv);
	}
	pthread_mutex_unlock(&srv->jlock);
	return NULL;
}

/* ofs_fuse_queue: run j on a reader thread: an idle one, else a new one
 * while there are fewer than OFS_FUSE_READERS, else the first to be
 * done; with no reader at all (none could be made), in place.  A job
 * costs the loop a lock and a wake-up, not a thread.  Jobs queued faster
 * than the idle readers wake to take them count against those readers. */
void ofs_fuse_queue(struct ofs_fuse_job *j)
{
	struct ofs_fuse *srv = j->srv;
	pthread_mutex_lock(&srv->jlock);
	srv->njobs++;
	j->next = NULL;
	*srv->qtail = j;
	srv->qtail = &j->next;
	if (++srv->nqueued > srv->nidle && srv->nreaders < OFS_FUSE_READERS &&
	    spawn(&srv->readers[srv->nreaders], 0, reader_main, srv) == 0)
		srv->nreaders++;
	int alone = srv->nreaders == 0; /* then j is the only one queued */
	if (alone) {
		srv->qhead = NULL;
		srv->qtail = &srv->qhead;
		srv->nqueued = 0;
	} else {
		pthread_cond_signal(&srv->qwake);
	}
	pthread_mutex_unlock(&srv->jlock);
	if (alone)
		job_main(j);
}

/* ofs_fuse_pending: another request waits to be read. */
int ofs_fuse_pending(struct ofs_fuse *srv)
{
	struct pollfd p = {.fd = fuse_session_fd(srv->se), .events = POLLIN};
	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* readers_stop: end the reader threads once the queue is empty. */
static void readers_stop(struct ofs_fuse *srv)
{
	pthread_mutex_lock(&srv->jlock);
	srv->qstop = 1;
	pthread_cond_broadcast(&srv->qwake);
	pthread_mutex_unlock(&srv->jlock);
	for (int i = 0; i < srv->nreaders; i++)
		pthread_join(srv->readers[i], NULL);
}

/* ofs_fuse_free: unmount (if mounted) and free the server. */
void ofs_fuse_free(struct ofs_fuse *srv)
{
	if (!srv)
		return;
	if (srv->se)
		fuse_session_unmount(srv->se); /* outstanding replies now fail */
	/* providers wake their blocked calls; then wait for every deferred
	 * request, as each may still touch the image */
	for (int i = 0; i < srv->nslot; i++)
		if (srv->slot[i].p->destroy)
			srv->slot[i].p->destroy(srv->slot[i].arg);
	pthread_mutex_lock(&srv->jlock);
	while (srv->njobs > 0)
		pthread_cond_wait(&srv->jdone, &srv->jlock);
	pthread_mutex_unlock(&srv->jlock);
	readers_stop(srv);
	if (srv->se)
		fuse_session_destroy(srv->se);
	if (srv->cfd >= 0)
		close(srv->cfd);
	ofs_fuse_nodes_free(srv);
	pthread_mutex_destroy(&srv->jlock);
	pthread_cond_destroy(&srv->jdone);
	pthread_cond_destroy(&srv->qwake);
	free(pthread_getspecific(srv->bufkey));
	free(srv->next.buf);
	pthread_setspecific(srv->bufkey, NULL);
	pthread_key_delete(srv->bufkey);
	free(srv);
}

/* ofs_fuse_buf: this thread's scratch buffer of at least size bytes,
 * kept between requests so big reads do not map fresh memory each time. */
char *ofs_fuse_buf(struct ofs_fuse *srv, size_t size)
{
	struct tbuf *b = pthread_getspecific(srv->bufkey);
	if (b && b->cap >= size)
		return b->data;
	size_t cap = size < 65536 ? 65536 : size;
	struct tbuf *nb = realloc(b, sizeof *nb + cap);
	if (!nb)
		return NULL;
	nb->cap = cap;
	orion_populate(nb->data, cap); /* one call, not a fault a page */
	pthread_setspecific(srv->bufkey, nb);
	return nb->data;
}

/* ofs_fuse_inval_inode: ino changed behind the kernel's back: drop its
 * cached attributes and data. */
int ofs_fuse_inval_inode(struct ofs_fuse *srv, uint64_t ino)
{
	if (!srv->se)
		return 0;
	int rc = fuse_lowlevel_notify_inval_inode(srv->se, ino, 0, 0);
	return rc == -ENOENT ? 0 : rc; /* not cached: nothing to drop */
}

/* ofs_fuse_inval_entry: the name parent/name changed behind the kernel's
 * back: drop the cached entry. */
int ofs_fuse_inval_entry(struct ofs_fuse *srv, uint64_t parent, const char *name)
{
	if (!srv->se)
		return 0;
	int rc = fuse_lowlevel_notify_inval_entry(srv->se, parent, name, strlen(name));
	return rc == -ENOENT ? 0 : rc;
}
