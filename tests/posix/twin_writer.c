/*
 * twin-writer: the same random calls on two files, one on the file system
 * under test and its twin on the host's, so that the host's file is the
 * model the other must match (after a remount too, when every byte comes
 * back from the image; the caller compares them).
 *
 *   twin-writer FILE TWIN SEED CALLS
 *
 * The calls: pwrite of whole 4 KiB sectors, of odd spans and of many
 * blocks; ftruncate; fallocate punching holes and allocating; writes
 * through a shared writable mapping; copy_file_range within the file;
 * fsync.  Exit 0 when every call succeeded on both, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/posix/posix.h"

enum { MAXSIZE = 3 << 20, MAXSPAN = 300000 };

/* One call: its kind (0-99), where, how much, and from where it copies. */
struct call {
	uint64_t kind, off, len, from;
};

/* draw: the next call of the sequence at *s. */
static struct call draw(uint64_t *s)
{
	struct call c = {.kind = xrand(s) % 100, .off = xrand(s) % MAXSIZE};
	if (c.kind < 30) {
		c.off -= c.off % 4096;
		c.len = 4096 * (1 + xrand(s) % 3);
	} else {
		c.len = 1 + xrand(s) % (c.kind < 80 ? 20000 : MAXSPAN);
	}
	if (c.off + c.len > MAXSIZE)
		c.len = MAXSIZE - c.off;
	c.from = xrand(s) % MAXSIZE;
	return c;
}

/* map_write: the bytes of buf written over [off, off+len) through a
 * shared mapping, as far as the file reaches. */
static int map_write(int fd, const struct call *c, const unsigned char *buf)
{
	struct stat st;
	if (fstat(fd, &st))
		return -1;
	uint64_t size = (uint64_t)st.st_size, at = c->off - c->off % 4096;
	uint64_t end = c->off + c->len < size ? c->off + c->len : size;
	if (c->off >= end)
		return 0;
	unsigned char *m = mmap(NULL, end - at, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)at);
	if (m == MAP_FAILED)
		return -1;
	memcpy(m + (c->off - at), buf, end - c->off);
	return msync(m, end - at, MS_SYNC) | munmap(m, end - at);
}

/* copy_within: copy_file_range of up to len bytes at from to off, in the
 * file, as far as it reaches (overlapping spans are refused: none). */
static int copy_within(int fd, const struct call *c)
{
	struct stat st;
	if (fstat(fd, &st))
		return -1;
	uint64_t size = (uint64_t)st.st_size;
	size_t n = c->from >= size ? 0 : c->len < size - c->from ? c->len : size - c->from;
	if (c->from + n > c->off && c->off + n > c->from)
		return 0;
	loff_t from = (loff_t)c->from, to = (loff_t)c->off;
	while (n > 0) {
		ssize_t got = copy_file_range(fd, &from, fd, &to, n, 0);
		if (got <= 0)
			return -1;
		n -= (size_t)got;
	}
	return 0;
}

/* apply: call c on fd, its new bytes (when it writes) in buf. */
static int apply(int fd, const struct call *c, const unsigned char *buf)
{
	if (c->kind < 55)
		return pwrite_all(fd, buf, c->len, (off_t)c->off);
	if (c->kind < 63)
		return ftruncate(fd, (off_t)c->off);
	if (c->kind < 73)
		return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)c->off, (off_t)c->len);
	if (c->kind < 78)
		return fallocate(fd, 0, (off_t)c->off, (off_t)c->len);
	if (c->kind < 88)
		return map_write(fd, c, buf);
	if (c->kind < 95)
		return copy_within(fd, c);
	return fsync(fd);
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: twin-writer FILE TWIN SEED CALLS\n");
		return 2;
	}
	int fd[2] = {open(argv[1], O_RDWR | O_CREAT, 0644), open(argv[2], O_RDWR | O_CREAT, 0644)};
	uint64_t seed = strtoull(argv[3], NULL, 0) | 1;
	int calls = atoi(argv[4]);
	unsigned char *buf = malloc(MAXSPAN);
	if (fd[0] < 0 || fd[1] < 0 || !buf) {
		perror("twin-writer");
		return 1;
	}
	for (int n = 0; n < calls; n++) {
		struct call c = draw(&seed);
		pattern_fill(buf, c.len, (uint64_t)n, c.off);
		for (int i = 0; i < 2; i++)
			if (apply(fd[i], &c, buf)) {
				fprintf(stderr, "twin-writer: call %d (kind %llu) on %s: %s\n", n,
					(unsigned long long)c.kind, argv[1 + i], strerror(errno));
				return 1;
			}
	}
	free(buf);
	return close(fd[0]) || close(fd[1]);
}
