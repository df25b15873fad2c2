/* util.c: helpers shared by the checks of posix-battery. */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "tests/posix/posix.h"

const char *errname(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

/* mix: splitmix64 finaliser; the pattern of one 8-byte word. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* pattern_byte: the byte at offset off of the pattern of seed. */
static unsigned char pattern_byte(uint64_t seed, uint64_t off)
{
	uint64_t w = mix(seed * 0x100000001b3ULL ^ (off >> 3));
	return (unsigned char)(w >> (8 * (off & 7)));
}

void pattern_fill(void *buf, size_t n, uint64_t seed, uint64_t off)
{
	unsigned char *p = buf;
	size_t i = 0;
	while (i < n && ((off + i) & 7))
		p[i] = pattern_byte(seed, off + i), i++;
	for (; i + 8 <= n; i += 8) {
		uint64_t w = mix(seed * 0x100000001b3ULL ^ ((off + i) >> 3));
		memcpy(p + i, &w, 8); /* little-endian order, as pattern_byte */
	}
	for (; i < n; i++)
		p[i] = pattern_byte(seed, off + i);
}

long pattern_check(const void *buf, size_t n, uint64_t seed, uint64_t off)
{
	const unsigned char *p = buf;
	for (size_t i = 0; i < n; i++)
		if (p[i] != pattern_byte(seed, off + i))
			return (long)i;
	return -1;
}

int is_zero(const void *buf, size_t n)
{
	const unsigned char *p = buf;
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, n -= (size_t)w;
	}
	return 0;
}

int pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
	const char *p = buf;
	while (n) {
		ssize_t w = pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w, n -= (size_t)w, off += w;
	}
	return 0;
}

int pread_all(int fd, void *buf, size_t n, off_t off)
{
	char *p = buf;
	while (n) {
		ssize_t r = pread(fd, p, n, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO; /* short file */
			return -1;
		}
		p += r, n -= (size_t)r, off += r;
	}
	return 0;
}

int make_file(const char *path, size_t size, uint64_t seed)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	char buf[65536];
	for (size_t off = 0; off < size; off += sizeof buf) {
		size_t n = size - off < sizeof buf ? size - off : sizeof buf;
		pattern_fill(buf, n, seed, off);
		if (write_all(fd, buf, n) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
	}
	return close(fd);
}

int file_matches(const char *path, size_t size, uint64_t seed)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	int ok = fstat(fd, &st) == 0 && (size_t)st.st_size == size;
	char buf[65536];
	for (size_t off = 0; ok && off < size; off += sizeof buf) {
		size_t n = size - off < sizeof buf ? size - off : sizeof buf;
		ok = pread_all(fd, buf, n, (off_t)off) == 0 &&
		     pattern_check(buf, n, seed, off) < 0;
	}
	char extra;
	if (ok && pread(fd, &extra, 1, (off_t)size) != 0)
		ok = 0;
	close(fd);
	return ok;
}

ssize_t read_small(const char *path, char *buf, size_t n)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, buf + len, n - 1 - len);
		if (r < 0) {
			close(fd);
			return -1;
		}
		if (r == 0 || len + (size_t)r == n - 1) {
			len += (size_t)r;
			break;
		}
		len += (size_t)r;
	}
	buf[len] = 0;
	close(fd);
	return (ssize_t)len;
}

int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

struct timespec now_ts(void)
{
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return t;
}

void tick_past(struct timespec t)
{
	/* Filesystems stamp with the coarse clock; wait for it to pass t. */
	struct timespec c, d = {0, 2000000};
	for (;;) {
		clock_gettime(CLOCK_REALTIME_COARSE, &c);
		if (ts_cmp(c, t) > 0)
			return;
		nanosleep(&d, NULL);
	}
}

long long free_bytes(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return -1;
	return (long long)sv.f_bfree * (long long)sv.f_frsize;
}

/* rm_one: nftw callback removing one entry (children first). */
static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)f;
	if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

/* open_up: make every directory below path searchable and writable so that
 * a check that changed modes cannot block the cleanup. */
static int open_up(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, (st->st_mode & 07777) | 0700);
	return 0;
}

int rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		chmod(path, (st.st_mode & 07777) | 0700);
		nftw(path, open_up, 64, FTW_PHYS);
	}
	return nftw(path, rm_one, 64, FTW_DEPTH | FTW_PHYS);
}

uint64_t xrand(uint64_t *state)
{
	uint64_t x = *state ? *state : 88172645463325252ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}
