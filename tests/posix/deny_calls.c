/*
 * deny-calls: run a program with some system calls refused, as a kernel
 * or a container that lacks them would refuse them.
 *
 *   deny-calls WHAT[,WHAT...] PROGRAM [ARG...]
 *
 * WHAT is one of:
 *   clone  ioctl(FUSE_DEV_IOC_CLONE) fails with ENOTTY (a kernel before
 *          4.2, or a /dev/fuse that is not the kernel's)
 *   uring  io_uring_setup fails with EPERM (Docker's default seccomp
 *          profile, or kernel.io_uring_disabled)
 *
 * The refusal is a seccomp filter, so it holds for PROGRAM and everything
 * it forks.  Before the exec each refusal is tried once: if a call is not
 * refused as asked, deny-calls exits 2 rather than let a test pass that
 * never took the path it meant to.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A call to refuse: its name on the command line, the errno it gets, how
 * to add its rule, and how to try it. */
struct deny {
	const char *name;
	int err;
	int (*rule)(scmp_filter_ctx ctx, int err);
	long (*try)(void);
};

/* clone_rule: refuse only the clone request of ioctl(2). */
static int clone_rule(scmp_filter_ctx ctx, int err)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), SCMP_SYS(ioctl), 1,
				SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, FUSE_DEV_IOC_CLONE));
}

/* clone_try: ask a fresh /dev/fuse for a clone of a descriptor that is
 * no FUSE session: unfiltered, the kernel answers EINVAL (any other
 * descriptor would answer ENOTTY, the refusal's own errno). */
static long clone_try(void)
{
	uint32_t none = 0;
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return 0; /* not refused: we cannot tell */
	long r = ioctl(fd, FUSE_DEV_IOC_CLONE, &none);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

/* uring_rule: refuse every io_uring_setup. */
static int uring_rule(scmp_filter_ctx ctx, int err)
{
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), SCMP_SYS(io_uring_setup), 0);
}

/* uring_try: ask for a ring with bad arguments (refused before they are
 * read, or failing on them if not refused). */
static long uring_try(void)
{
	return syscall(SYS_io_uring_setup, 0, NULL);
}

static const struct deny denies[] = {
	{"clone", ENOTTY, clone_rule, clone_try},
	{"uring", EPERM, uring_rule, uring_try},
};
enum { NDENY = sizeof denies / sizeof denies[0] };

/* find: the entry named by the len bytes at name, or NULL. */
static const struct deny *find(const char *name, size_t len)
{
	for (int i = 0; i < NDENY; i++)
		if (strlen(denies[i].name) == len && !strncmp(denies[i].name, name, len))
			return &denies[i];
	return NULL;
}

/* parse: mark in on[] each entry the comma-separated list names; 0 or
 * -1 for a name that is none. */
static int parse(const char *list, int on[NDENY])
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		const struct deny *d = find(p, len);
		if (!d) {
			fprintf(stderr, "deny-calls: no call named '%.*s' (clone, uring)\n", (int)len, p);
			return -1;
		}
		on[d - denies] = 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* install: load a filter that refuses the calls on[] marks and lets every
 * other call through; 0 or a negative errno. */
static int install(const int on[NDENY])
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	int rc = 0;
	for (int i = 0; !rc && i < NDENY; i++)
		if (on[i])
			rc = denies[i].rule(ctx, denies[i].err);
	if (!rc)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

/* refused: 1 if every call on[] marks now fails with its errno. */
static int refused(const int on[NDENY])
{
	for (int i = 0; i < NDENY; i++) {
		if (!on[i])
			continue;
		errno = 0;
		long r = denies[i].try();
		if (r != -1 || errno != denies[i].err) {
			fprintf(stderr, "deny-calls: %s is not refused (%ld, %s)\n", denies[i].name, r,
				strerror(errno));
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	int on[NDENY] = {0};
	if (argc < 3) {
		fprintf(stderr, "usage: deny-calls clone|uring[,...] PROGRAM [ARG...]\n");
		return 2;
	}
	if (parse(argv[1], on))
		return 2;
	int rc = install(on);
	if (rc) {
		fprintf(stderr, "deny-calls: cannot load the filter: %s\n", strerror(-rc));
		return 2;
	}
	if (!refused(on))
		return 2;
	execvp(argv[2], argv + 2);
	fprintf(stderr, "deny-calls: cannot run %s: %s\n", argv[2], strerror(errno));
	return 127;
}
