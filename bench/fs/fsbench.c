/*
 * fsbench: the timed inner loops of bench/fs/run.sh; prints one figure,
 * operations per second, on stdout.
 *
 *   fsbench randread  FILE COUNT SEED   4 KiB preads at random 4 KiB offsets
 *   fsbench randwrite FILE COUNT SEED   4 KiB pwrites, fsync every 32
 *   fsbench create    DIR N             N files of 1,000 bytes (open/write/close)
 *   fsbench stat      DIR N             stat each of them
 *   fsbench read      DIR N             open/read/close each
 *   fsbench delete    DIR N             unlink each
 *   fsbench lookup    DIR N COUNT SEED  stat COUNT of them, picked at random
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* now: monotonic seconds. */
static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* next: xorshift step, for reproducible offsets. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 7, *s ^= *s << 17;
	return *s;
}

/* die: report a failed call; returns the exit status 1. */
static int die(const char *what)
{
	fprintf(stderr, "fsbench: %s: %s\n", what, strerror(errno));
	return 1;
}

/* random_io: COUNT 4 KiB transfers at random aligned offsets of FILE. */
static int random_io(const char *path, long count, uint64_t seed, int writing)
{
	int fd = open(path, writing ? O_RDWR : O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return die(path);
	uint64_t blocks = (uint64_t)st.st_size / 4096, s = seed | 1;
	if (!blocks)
		return die("file too small");
	static char buf[4096];
	memset(buf, 0x5a, sizeof buf);
	double t0 = now();
	for (long i = 0; i < count; i++) {
		off_t off = (off_t)(next(&s) % blocks) * 4096;
		ssize_t n = writing ? pwrite(fd, buf, 4096, off) : pread(fd, buf, 4096, off);
		if (n != 4096)
			return die(writing ? "pwrite" : "pread");
		if (writing && i % 32 == 31 && fsync(fd) < 0)
			return die("fsync");
	}
	if (writing && fsync(fd) < 0)
		return die("fsync");
	double t = now() - t0;
	close(fd);
	printf("%.1f\n", (double)count / t);
	return 0;
}

/* name: path gets DIR/fNNNNNN, the name of small file i. */
static void name(char *path, size_t size, const char *dir, long i)
{
	snprintf(path, size, "%s/f%06ld", dir, i);
}

/* small_files: one phase of the small-file workload over DIR/fNNNNNN. */
static int small_files(const char *phase, const char *dir, long n)
{
	char path[4096], buf[1000];
	memset(buf, 'f', sizeof buf);
	struct stat st;
	double t0 = now();
	for (long i = 0; i < n; i++) {
		name(path, sizeof path, dir, i);
		if (!strcmp(phase, "create")) {
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
			if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf || close(fd) < 0)
				return die(path);
		} else if (!strcmp(phase, "stat")) {
			if (stat(path, &st) < 0)
				return die(path);
		} else if (!strcmp(phase, "read")) {
			int fd = open(path, O_RDONLY);
			if (fd < 0 || read(fd, buf, sizeof buf) != sizeof buf || close(fd) < 0)
				return die(path);
		} else if (!strcmp(phase, "delete")) {
			if (unlink(path) < 0)
				return die(path);
		} else {
			fprintf(stderr, "fsbench: unknown phase %s\n", phase);
			return 2;
		}
	}
	printf("%.1f\n", (double)n / (now() - t0));
	return 0;
}

/* lookups: stat count of the first n small files of DIR, picked at random. */
static int lookups(const char *dir, long n, long count, uint64_t seed)
{
	char path[4096];
	struct stat st;
	uint64_t s = seed | 1;
	if (n <= 0)
		return die("no names");
	double t0 = now();
	for (long i = 0; i < count; i++) {
		name(path, sizeof path, dir, (long)(next(&s) % (uint64_t)n));
		if (stat(path, &st) < 0)
			return die(path);
	}
	printf("%.1f\n", (double)count / (now() - t0));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "randread"))
		return random_io(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0), 0);
	if (argc == 5 && !strcmp(argv[1], "randwrite"))
		return random_io(argv[2], atol(argv[3]), strtoull(argv[4], NULL, 0), 1);
	if (argc == 6 && !strcmp(argv[1], "lookup"))
		return lookups(argv[2], atol(argv[3]), atol(argv[4]), strtoull(argv[5], NULL, 0));
	if (argc == 4)
		return small_files(argv[1], argv[2], atol(argv[3]));
	fprintf(stderr, "usage: fsbench randread|randwrite FILE COUNT SEED\n"
			"       fsbench create|stat|read|delete DIR N\n"
			"       fsbench lookup DIR N COUNT SEED\n");
	return 2;
}
