/*
 * posix.h: the harness shared by the checks of posix-battery.
 *
 * Each check is a function that runs in a forked child whose working
 * directory is a fresh, private subdirectory of the directory under test.
 * It returns 0 on success and -1 (through the FAIL/EXPECT macros, which
 * record the reason) on failure.  A check may return SKIPPED when the
 * feature it tests is legitimately absent; the reason is printed.
 */
#ifndef POSIX_BATTERY_H
#define POSIX_BATTERY_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define SKIPPED 2

enum {
	NEED_ROOT = 1 << 0, /* skipped when not run as root */
	PERM = 1 << 1,      /* only with -P FIXDIR, as a non-root user */
	SLOW = 1 << 2,      /* left out by -q */
};

struct check {
	const char *name;
	int (*fn)(void);
	unsigned flags;
	const char *what;
};

/* The check tables of each source file, each ended by a zeroed entry. */
extern const struct check file_checks[];
extern const struct check dir_checks[];
extern const struct check meta_checks[];
extern const struct check perm_checks[];

/* Fixture directory prepared by --perm-setup (PERM checks only). */
extern const char *g_fixdir;
/* perm_setup: (root) build the fixtures of the PERM checks in fixdir. */
int perm_setup(const char *fixdir);

/* failf: record why the running check failed (at line); returns -1. */
int failf(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* skipf: record why the running check was skipped; returns SKIPPED. */
int skipf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* notef: add a remark printed after the check's ok line. */
void notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FAIL(...) return failf(__LINE__, __VA_ARGS__)
#define EXPECT(c, ...)                      \
	do {                                \
		if (!(c))                   \
			FAIL(__VA_ARGS__);  \
	} while (0)
/* SYS(x): x must not return -1. */
#define SYS(x)                                                       \
	do {                                                         \
		if ((long)(x) == -1L)                                \
			FAIL("%s: %s", #x, errname(errno));          \
	} while (0)
/* ERR(x, e): x must fail with errno e. */
#define ERR(x, e)                                                          \
	do {                                                               \
		errno = 0;                                                 \
		long r_ = (long)(x);                                       \
		if (r_ != -1L || errno != (e))                             \
			FAIL("%s: want %s, got %ld (%s)", #x, errname(e),  \
			     r_, errno ? errname(errno) : "no error");     \
	} while (0)
/* ERR2(x, e1, e2): x must fail with errno e1 or e2. */
#define ERR2(x, e1, e2)                                                      \
	do {                                                                 \
		errno = 0;                                                   \
		long r_ = (long)(x);                                         \
		if (r_ != -1L || (errno != (e1) && errno != (e2)))           \
			FAIL("%s: want %s or %s, got %ld (%s)", #x,          \
			     errname(e1), errname(e2), r_,                   \
			     errno ? errname(errno) : "no error");           \
	} while (0)

/* errname: "EACCES" style name of an errno value. */
const char *errname(int e);

/* pattern_fill: fill buf with the bytes that offset off.. of a file with
 * this seed must hold (deterministic, incompressible). */
void pattern_fill(void *buf, size_t n, uint64_t seed, uint64_t off);
/* pattern_check: offset of the first byte of buf that differs from the
 * pattern, or -1 when all match. */
long pattern_check(const void *buf, size_t n, uint64_t seed, uint64_t off);
/* is_zero: whether n bytes at buf are all zero. */
int is_zero(const void *buf, size_t n);

/* write_all / pread_all: full transfers; 0 or -1 with errno (EIO on a
 * short read). */
int write_all(int fd, const void *buf, size_t n);
int pwrite_all(int fd, const void *buf, size_t n, off_t off);
int pread_all(int fd, void *buf, size_t n, off_t off);
/* make_file: create path (0644) holding size pattern bytes of seed. */
int make_file(const char *path, size_t size, uint64_t seed);
/* file_matches: 1 if path holds exactly size pattern bytes of seed, 0 if
 * not, -1 with errno on error. */
int file_matches(const char *path, size_t size, uint64_t seed);
/* read_small: read at most n-1 bytes of path into a NUL-ended buf;
 * returns the length or -1. */
ssize_t read_small(const char *path, char *buf, size_t n);

/* ts_cmp: <0, 0, >0 as a is before, equal to, after b. */
int ts_cmp(struct timespec a, struct timespec b);
/* tick_past: wait until the coarse wall clock is later than t, so that a
 * following change gets a distinct timestamp. */
void tick_past(struct timespec t);
/* now_ts: the wall clock. */
struct timespec now_ts(void);

/* free_bytes: f_bfree * f_frsize of the filesystem holding path, or -1. */
long long free_bytes(const char *path);

/* rm_tree: remove path and everything below it; 0 or -1 with errno. */
int rm_tree(const char *path);

/* xorshift: small seeded generator for reproducible random choices. */
uint64_t xrand(uint64_t *state);

#endif
