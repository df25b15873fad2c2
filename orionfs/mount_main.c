/*
 * mount_main.c: mount.orionfs IMAGE DIR [-o OPTS] [-f] [-d]: serve an
 * OrionFS image through FUSE.  Also the helper mount(8) runs for
 * "mount -t orionfs" and fstab lines.
 *
 * Unless -f, it daemonises before the image is opened (LMDB must never
 * cross a fork): the daemon opens and mounts, then tells the waiting
 * parent through a pipe whether it worked, so errors reach the caller's
 * stderr and exit status as with any mount helper.
 */
#include "orionfs/fuse_internal.h"
#include "orionfs/fuse_db.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "mount.orionfs"
#define VERSION "0.1"

/* exit codes, as mount(8) */
enum { EX_OK = 0, EX_USAGE = 1, EX_SYSERR = 2, EX_FAIL = 32 };

struct mopts {
	const char *image, *dir;    /* as given */
	char aimage[PATH_MAX], adir[PATH_MAX]; /* absolute */
	unsigned flags;             /* OFS_FUSE_* */
	unsigned oflags;            /* OFS_OPEN_* of the storage's own (atime) */
	int foreground;
	char kopts[1024];           /* flags passed to the kernel mount */
};

/* Synthetic trees plugged in at the root (fuse_internal.h, "Providers").
 * Each subsystem adds one line: its reserved name and an attach function
 * that calls ofs_fuse_register().  The NULL row ends the table. */
static const struct {
	const char *name;
	int (*attach)(struct ofs_fuse *srv, ofs *fs);
} providers[] = {
	{"db", ofs_db_attach},   /* OrionDB's key tree (fuse_db.c); before /ctl */
	{"ctl", ofs_ctl_attach}, /* control files (fuse_ctl.c) */
	{NULL, NULL},
};

enum okind {
	K_RO, K_RW, K_ALLOW_OTHER, K_SYNC, K_ASYNC, K_NOATIME, K_NODIRATIME, K_WB, K_NOWB, K_KERNEL, K_IGNORE
};

/* -o options; anything else is refused. */
static const struct {
	const char *name;
	enum okind kind;
} opttab[] = {
	{"ro", K_RO},
	{"rw", K_RW},
	{"allow_other", K_ALLOW_OTHER},
	{"sync", K_SYNC},
	{"async", K_ASYNC},
	{"writeback_cache", K_WB},
	{"no_writeback_cache", K_NOWB},
	{"default_permissions", K_IGNORE}, /* always on */
	{"exec", K_KERNEL}, {"noexec", K_KERNEL},
	{"suid", K_KERNEL}, {"nosuid", K_KERNEL},
	{"dev", K_KERNEL}, {"nodev", K_KERNEL},
	{"noatime", K_NOATIME}, {"dirsync", K_KERNEL}, {"nodiratime", K_NODIRATIME},
	{"atime", K_IGNORE}, {"relatime", K_IGNORE}, {"strictatime", K_IGNORE},
	{"diratime", K_IGNORE}, {"lazytime", K_IGNORE}, {"nolazytime", K_IGNORE},
	{"defaults", K_IGNORE}, {"auto", K_IGNORE}, {"noauto", K_IGNORE},
	{"user", K_IGNORE}, {"nouser", K_IGNORE}, {"users", K_IGNORE},
	{"owner", K_IGNORE}, {"group", K_IGNORE},
	{"_netdev", K_IGNORE}, {"nofail", K_IGNORE}, {"loud", K_IGNORE},
	{"silent", K_IGNORE},
};

/* ignored option prefixes: userspace-only fstab options */
static const char *const ignored_prefix[] = {"x-", "comment=", "user=", "helper="};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " IMAGE DIR [-o OPTIONS] [-f] [-d]\n"
		"Mount the OrionFS image IMAGE on the directory DIR.\n"
		"\n"
		"  -o OPTIONS  comma-separated mount options:\n"
		"                ro, rw         read-only or read-write (default rw)\n"
		"                allow_other    let other users in (permissions are\n"
		"                               always checked: default_permissions)\n"
		"                sync           every commit durable, no write cache\n"
		"                writeback_cache  let the kernel gather writes\n"
		"                no_writeback_cache  every write(2) reaches the daemon\n"
		"                               (the default)\n"
		"                noexec, nosuid, nodev, noatime ...  kernel mount flags\n"
		"                nodiratime     no atime updates for directories\n"
		"                defaults, auto, noauto, user, _netdev, nofail, x-* ...\n"
		"                               fstab options, accepted and ignored\n"
		"  -f          stay in the foreground\n"
		"  -d          debug: print every FUSE request (implies -f)\n"
		"  -h, --help  this text\n"
		"  -V, --version\n"
		"\n"
		"Unmount with 'umount DIR', 'fusermount3 -u DIR' or SIGTERM to the daemon.\n"
		"Exit status: 0 mounted, 1 bad usage, 2 system error, 32 mount failed.\n"
		"See mount.orionfs(8).\n");
}

/* err: "mount.orionfs: what: why" on stderr. */
static void err(const char *what, int rc)
{
	fprintf(stderr, PROG ": %s: %s\n", what, orion_strerror(rc));
}

/* kopt: add a kernel mount flag to m->kopts. */
static int kopt(struct mopts *m, const char *o)
{
	size_t n = strlen(m->kopts);
	if (n + strlen(o) + 2 > sizeof m->kopts)
		return -E2BIG;
	snprintf(m->kopts + n, sizeof m->kopts - n, "%s%s", n ? "," : "", o);
	return 0;
}

/* one_opt: apply one -o option; -EINVAL if unknown. */
static int one_opt(struct mopts *m, const char *o)
{
	for (size_t i = 0; i < sizeof ignored_prefix / sizeof ignored_prefix[0]; i++)
		if (strncmp(o, ignored_prefix[i], strlen(ignored_prefix[i])) == 0)
			return 0;
	for (size_t i = 0; i < sizeof opttab / sizeof opttab[0]; i++) {
		if (strcmp(o, opttab[i].name) != 0)
			continue;
		switch (opttab[i].kind) {
		case K_RO: m->flags |= OFS_FUSE_RDONLY; break;
		case K_RW: m->flags &= ~(unsigned)OFS_FUSE_RDONLY; break;
		case K_ALLOW_OTHER: m->flags |= OFS_FUSE_ALLOW_OTHER; break;
		case K_SYNC: m->flags |= OFS_FUSE_SYNC; break;
		case K_ASYNC: m->flags &= ~(unsigned)OFS_FUSE_SYNC; break;
		case K_WB: m->flags |= OFS_FUSE_WRITEBACK; break;
		case K_NOWB: m->flags &= ~(unsigned)OFS_FUSE_WRITEBACK; break;
		case K_NOATIME: m->oflags |= OFS_OPEN_NOATIME; return kopt(m, o);
		case K_NODIRATIME: m->oflags |= OFS_OPEN_NODIRATIME; break;
		case K_KERNEL: return kopt(m, o);
		case K_IGNORE: break;
		}
		return 0;
	}
	return -EINVAL;
}

/* parse_opts: a comma-separated -o list. */
static int parse_opts(struct mopts *m, const char *list)
{
	char buf[4096];
	if (strlen(list) >= sizeof buf) {
		fprintf(stderr, PROG ": -o: option list too long\n");
		return -E2BIG;
	}
	strcpy(buf, list);
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		if (one_opt(m, o) < 0) {
			fprintf(stderr, PROG ": -o %s: unknown mount option\n", o);
			return -EINVAL;
		}
	}
	return 0;
}

/* parse_args: fill m; returns EX_OK to go on, -1 after --help/--version,
 * EX_USAGE on bad usage.  mount(8) passes -n, -s, -v and -t TYPE: they
 * mean nothing here. */
static int parse_args(int argc, char **argv, struct mopts *m)
{
	int npos = 0, dashdash = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (dashdash || a[0] != '-' || !a[1]) {
			if (npos == 0)
				m->image = a;
			else if (npos == 1)
				m->dir = a;
			npos++;
		} else if (!strcmp(a, "--")) {
			dashdash = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return -1;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf(PROG " (Orion) " VERSION ", image format %d, libfuse %d\n",
			       OFS_FORMAT_VERSION, fuse_version());
			return -1;
		} else if (!strcmp(a, "-f")) {
			m->foreground = 1;
		} else if (!strcmp(a, "-d")) {
			m->foreground = 1;
			m->flags |= OFS_FUSE_DEBUG;
		} else if (!strcmp(a, "-n") || !strcmp(a, "-s") || !strcmp(a, "-v")) {
			continue;
		} else if (!strcmp(a, "-o") || !strcmp(a, "-t")) {
			if (++i == argc) {
				fprintf(stderr, PROG ": %s needs an argument\n", a);
				return EX_USAGE;
			}
			if (a[1] == 'o' && parse_opts(m, argv[i]) < 0)
				return EX_USAGE;
		} else if (!strncmp(a, "-o", 2)) {
			if (parse_opts(m, a + 2) < 0)
				return EX_USAGE;
		} else {
			fprintf(stderr, PROG ": %s: unknown option (try --help)\n", a);
			return EX_USAGE;
		}
	}
	if (npos != 2) {
		fprintf(stderr, PROG ": %s (try --help)\n",
			npos < 2 ? "need an IMAGE and a DIR" : "too many arguments");
		return EX_USAGE;
	}
	return EX_OK;
}

/* preflight: check IMAGE and DIR before anything forks, so the plain
 * mistakes are reported plainly; returns an exit code. */
static int preflight(struct mopts *m)
{
	char what[PATH_MAX + 64];
	struct stat st;
	if (stat(m->image, &st) != 0 || !realpath(m->image, m->aimage)) {
		snprintf(what, sizeof what, "%s: cannot open", m->image);
		err(what, -errno);
		return EX_FAIL;
	}
	if (S_ISDIR(st.st_mode) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) ||
	    (S_ISREG(st.st_mode) && st.st_size == 0)) {
		/* an empty file would be taken as a fresh environment */
		snprintf(what, sizeof what, "%s: cannot open", m->image);
		err(what, -ORION_EBADIMAGE);
		return EX_FAIL;
	}
	struct statfs sf;
	/* statfs always reaches a FUSE daemon, where stat may be answered
	 * from the kernel's cache: it is what reveals a dead one */
	if (stat(m->dir, &st) != 0 || statfs(m->dir, &sf) != 0) {
		int e = errno;
		snprintf(what, sizeof what, "%s: cannot mount here", m->dir);
		if (e == ENOTCONN) {
			err(what, -ORION_ESTALE_MOUNT);
			fprintf(stderr, PROG ": to clear it: fusermount3 -u '%s'\n", m->dir);
		} else {
			err(what, -e);
		}
		return EX_FAIL;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(what, sizeof what, "%s: cannot mount here", m->dir);
		err(what, -ENOTDIR);
		return EX_FAIL;
	}
	if (!realpath(m->dir, m->adir)) {
		snprintf(what, sizeof what, "%s", m->dir);
		err(what, -errno);
		return EX_FAIL;
	}
	return EX_OK;
}

/* tell: hand the start-up outcome to the waiting parent (fd < 0: none). */
static void tell(int fd, unsigned char code)
{
	if (fd < 0)
		return;
	ssize_t n;
	do
		n = write(fd, &code, 1);
	while (n < 0 && errno == EINTR);
	close(fd);
}

/* detach: cut the daemon loose from the caller's terminal and files. */
static void detach(void)
{
	int fd = open("/dev/null", O_RDWR);
	if (chdir("/") != 0) {
		/* "/" always exists: nothing better to do than stay put */
	}
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* attach_providers: plug in every synthetic tree of the table. */
static int attach_providers(struct ofs_fuse *srv, ofs *fs)
{
	for (size_t i = 0; providers[i].name; i++) {
		int rc = providers[i].attach(srv, fs);
		if (rc < 0) {
			char what[128];
			snprintf(what, sizeof what, "/%s: cannot attach", providers[i].name);
			err(what, rc);
			return rc;
		}
	}
	int rc = ofs_fuse_selftest(srv);
	if (rc < 0)
		err("ORION_FUSE_SELFTEST: not a free reserved name", rc);
	return rc;
}

/* serve: open the image, mount it and serve until unmounted; notify is
 * the pipe to the parent (or -1 in the foreground).  Returns the exit
 * code. */
static int serve(struct mopts *m, int notify)
{
	char what[2 * PATH_MAX + 64];
	ofs *fs = NULL;
	struct ofs_fuse *srv = NULL;
	unsigned oflags = m->oflags | ((m->flags & OFS_FUSE_RDONLY) ? OFS_OPEN_RDONLY : 0) |
			  ((m->flags & OFS_FUSE_SYNC) ? OFS_OPEN_SYNC : 0);
	/* A batch's dirty pages are malloc'd and all freed at its commit;
	 * glibc would hand the heap back to the kernel each time and fault
	 * it in again for the next batch (measured: a page fault per two
	 * pages written, and a 1 GiB write 30-50% slower).  Keep it.  Fixing
	 * the trim threshold also fixes the mmap threshold at 128 KiB, and
	 * LMDB allocates 2 MiB for each nested transaction (one per
	 * request): raised, so that those come from the kept heap too. */
	mallopt(M_TRIM_THRESHOLD, OFS_FUSE_HEAP_KEEP);
	mallopt(M_MMAP_THRESHOLD, OFS_FUSE_MMAP_MIN);
	int rc = ofs_open(&fs, m->aimage, oflags);
	if (rc < 0) {
		snprintf(what, sizeof what, "%s: cannot open", m->image);
		err(what, rc);
		tell(notify, EX_FAIL);
		return EX_FAIL;
	}
	if ((rc = ofs_fuse_new(&srv, fs, m->flags)) < 0 ||
	    (rc = attach_providers(srv, fs)) < 0) {
		err("cannot start the server", rc);
		goto fail;
	}
	if ((rc = ofs_fuse_mount(srv, m->aimage, m->adir, m->kopts)) < 0) {
		/* libfuse has said why on stderr already */
		snprintf(what, sizeof what, "cannot mount %s on %s", m->image, m->dir);
		err(what, rc);
		goto fail;
	}
	if (notify >= 0)
		detach();
	tell(notify, EX_OK);
	rc = ofs_fuse_loop(srv);
	ofs_fuse_free(srv); /* unmounts */
	int src = (m->flags & OFS_FUSE_RDONLY) ? 0 : ofs_sync(fs);
	ofs_close(fs);
	if (rc < 0 || src < 0) {
		err("serving the image", rc < 0 ? rc : src);
		return EX_SYSERR;
	}
	return EX_OK;
fail:
	ofs_fuse_free(srv);
	ofs_close(fs);
	tell(notify, EX_FAIL);
	return EX_FAIL;
}

/* wait_child: the parent's side: the daemon's start-up verdict. */
static int wait_child(pid_t pid, int fd)
{
	unsigned char code;
	ssize_t n;
	do
		n = read(fd, &code, 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n == 1)
		return code;
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		fprintf(stderr, PROG ": the daemon died during start-up: %s\n",
			strsignal(WTERMSIG(status)));
	else
		fprintf(stderr, PROG ": the daemon exited during start-up (status %d)\n",
			WEXITSTATUS(status));
	return EX_FAIL;
}

int main(int argc, char **argv)
{
	struct mopts m = {0};
	int rc = parse_args(argc, argv, &m);
	if (rc != EX_OK)
		return rc < 0 ? EX_OK : rc;
	if ((rc = preflight(&m)) != EX_OK)
		return rc;
	if (m.foreground)
		return serve(&m, -1);
	int pfd[2];
	if (pipe(pfd) != 0) {
		err("pipe", -errno);
		return EX_SYSERR;
	}
	pid_t pid = fork();
	if (pid < 0) {
		err("fork", -errno);
		return EX_SYSERR;
	}
	if (pid > 0) {
		close(pfd[1]);
		return wait_child(pid, pfd[0]);
	}
	close(pfd[0]);
	if (setsid() < 0)
		return EX_SYSERR;
	return serve(&m, pfd[1]);
}
