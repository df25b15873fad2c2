/*
 * posix-battery: POSIX checks against a live directory (usually a mount).
 *
 *   posix-battery [-q] [-k NAME]... [-P FIXDIR] DIR
 *   posix-battery -l                      list the checks
 *   posix-battery --perm-setup FIXDIR     (root) prepare the fixtures of -P
 *
 * Each check runs in a forked child inside its own fresh subdirectory of
 * DIR, which is removed afterwards (a failing removal fails the check).
 * Prints "ok NAME", "skip NAME: why" or "FAIL NAME: why" per check and
 * closes with "posix: N passed, N failed"; exits 1 if any check failed.
 * -P runs the permission checks (as a non-root user, against fixtures made
 * by --perm-setup) besides the others; -q leaves out the slow checks.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/posix/posix.h"

const char *g_fixdir;
static char g_msg[1024];
static char g_note[512];

int failf(int line, const char *fmt, ...)
{
	int n = snprintf(g_msg, sizeof g_msg, "line %d: ", line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_msg + n, sizeof g_msg - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int skipf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_msg, sizeof g_msg, fmt, ap);
	va_end(ap);
	return SKIPPED;
}

void notef(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_note, sizeof g_note, fmt, ap);
	va_end(ap);
}

static const struct check *const tables[] = {file_checks, dir_checks, meta_checks,
					      perm_checks};

/* run_child: body of the forked child: run c inside sub, report through
 * fd; exits 0 ok, 1 failed, 2 skipped. */
static void run_child(const struct check *c, const char *sub, int fd)
{
	int rc;
	umask(022);
	alarm(900); /* a hung filesystem must not hang the battery */
	if (chdir(sub) < 0)
		rc = failf(__LINE__, "chdir %s: %s", sub, errname(errno));
	else
		rc = c->fn();
	if (rc == 0 && g_note[0])
		snprintf(g_msg, sizeof g_msg, "(%s)", g_note);
	else if (rc == -1 && !g_msg[0])
		snprintf(g_msg, sizeof g_msg, "failed without a reason");
	if (write(fd, g_msg, strlen(g_msg)) < 0)
		_exit(1);
	_exit(rc == 0 ? 0 : rc == SKIPPED ? 2 : 1);
}

/* run_one: run check c under dir; returns 0 ok, 1 failed, 2 skipped. */
static int run_one(const struct check *c, const char *dir)
{
	char sub[4096], msg[1024] = "";
	snprintf(sub, sizeof sub, "%s/%s", dir, c->name);
	if (rm_tree(sub) < 0 || mkdir(sub, 0755) < 0) {
		printf("FAIL %s: cannot make %s: %s\n", c->name, sub, errname(errno));
		return 1;
	}
	int p[2];
	if (pipe(p) < 0) {
		perror("pipe");
		exit(2);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(p[0]);
		run_child(c, sub, p[1]);
	}
	close(p[1]);
	size_t len = 0;
	ssize_t r;
	while ((r = read(p[0], msg + len, sizeof msg - 1 - len)) > 0)
		len += (size_t)r;
	msg[len] = 0;
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int res = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	if (WIFSIGNALED(st))
		snprintf(msg, sizeof msg, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	if (res == 0 && rm_tree(sub) < 0) {
		snprintf(msg, sizeof msg, "removing the check's directory: %s",
			 errname(errno));
		res = 1;
	}
	if (res == 0)
		printf("ok %s%s%s\n", c->name, msg[0] ? " " : "", msg);
	else if (res == 2)
		printf("skip %s: %s\n", c->name, msg);
	else
		printf("FAIL %s: %s\n", c->name, msg);
	if (res != 0)
		rm_tree(sub);
	return res == 2 ? 2 : res ? 1 : 0;
}

/* selected: whether check c runs under the given options. */
static int selected(const struct check *c, char **names, int nnames, int quick)
{
	if (nnames) {
		for (int i = 0; i < nnames; i++)
			if (!strcmp(names[i], c->name))
				return 1;
		return 0;
	}
	if ((c->flags & PERM) && !g_fixdir)
		return 0;
	if ((c->flags & SLOW) && quick)
		return 0;
	return 1;
}

/* usage: print the synopsis and exit 2. */
static void usage(void)
{
	fprintf(stderr, "usage: posix-battery [-q] [-k NAME]... [-P FIXDIR] DIR\n"
			"       posix-battery -l | --perm-setup FIXDIR\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char *names[256];
	int nnames = 0, quick = 0, list = 0, opt;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--perm-setup"))
		return perm_setup(argv[2]) < 0 ? 1 : 0;
	while ((opt = getopt(argc, argv, "qlk:P:h")) != -1) {
		if (opt == 'q')
			quick = 1;
		else if (opt == 'l')
			list = 1;
		else if (opt == 'k' && nnames < 256)
			names[nnames++] = optarg;
		else if (opt == 'P')
			g_fixdir = optarg;
		else
			usage();
	}
	if (list) {
		for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
			for (const struct check *c = tables[t]; c->name; c++)
				printf("%-22s %s\n", c->name, c->what);
		return 0;
	}
	if (optind != argc - 1)
		usage();
	const char *dir = argv[optind];
	int pass = 0, failn = 0, found = 0;
	for (size_t t = 0; t < sizeof tables / sizeof *tables; t++)
		for (const struct check *c = tables[t]; c->name; c++) {
			if (!selected(c, names, nnames, quick))
				continue;
			found++;
			if ((c->flags & NEED_ROOT) && geteuid() != 0) {
				printf("skip %s: needs root\n", c->name);
				continue;
			}
			if ((c->flags & PERM) && (!g_fixdir || geteuid() == 0)) {
				printf("skip %s: needs -P FIXDIR and a non-root user\n",
				       c->name);
				continue;
			}
			int r = run_one(c, dir);
			pass += r == 0, failn += r == 1;
		}
	if (nnames && found != nnames) {
		fprintf(stderr, "posix-battery: unknown check name in -k\n");
		failn++;
	}
	printf("posix: %d passed, %d failed\n", pass, failn);
	return failn ? 1 : 0;
}
