/*
 * mount_read.c: mount-read N FILE...: for each FILE, time N rounds of
 * open + read to the end + close (what cat does), and print
 *     FILE  BYTES  MEDIAN_US  P99_US
 * one line each.  Used by bench/db/mount.sh to set /db/KEY against a
 * regular file of the same size in the same mount.  Files are measured in
 * turns of 100 rounds so that drift hits them alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TURN 100

/* now_us: a monotonic clock in microseconds. */
static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* one: open, read to the end, close path; its bytes, or -errno. */
static long one(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	long total = 0;
	ssize_t n;
	while ((n = read(fd, buf, cap)) > 0)
		total += n;
	int e = n < 0 ? -errno : 0;
	if (close(fd) != 0 && !e)
		e = -errno;
	return e ? e : total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: mount-read N FILE...\n");
		return 2;
	}
	long n = atol(argv[1]);
	int nf = argc - 2;
	if (n < TURN)
		n = TURN;
	n -= n % TURN;
	static char buf[1 << 17];
	double *t = calloc((size_t)n * (size_t)nf, sizeof *t);
	long *bytes = calloc((size_t)nf, sizeof *bytes);
	if (!t || !bytes)
		return 1;
	for (long done = 0; done < n; done += TURN) {
		for (int f = 0; f < nf; f++) {
			for (long i = done; i < done + TURN; i++) {
				double t0 = now_us();
				long r = one(argv[2 + f], buf, sizeof buf);
				t[f * n + i] = now_us() - t0;
				if (r < 0) {
					fprintf(stderr, "mount-read: %s: %s\n", argv[2 + f], strerror((int)-r));
					return 1;
				}
				bytes[f] = r;
			}
		}
	}
	for (int f = 0; f < nf; f++) {
		double *s = t + f * n;
		qsort(s, (size_t)n, sizeof *s, cmp_double);
		printf("%s %ld %.2f %.2f\n", argv[2 + f], bytes[f], s[n / 2], s[n * 99 / 100]);
	}
	free(t);
	free(bytes);
	return 0;
}
