/*
 * fsync-writer: the write load of the crash tests, and its verifier.
 *
 *   fsync-writer write  DIR LOG SEED [MAXBYTES]
 *   fsync-writer verify DIR LOG SEED
 *
 * write appends pattern data to DIR/a0..a3, fsyncs now and then, replaces
 * DIR/atomic by write+fsync+rename+fsync(dir), churns small files in
 * DIR/small, directories with hard links in DIR/dirs and bursts of 100
 * files made and removed in DIR/bulkN, and keeps writing
 * to an unlinked open file (an orphan at the crash); after every durable step it logs what is now durable to LOG
 * (which must live outside the filesystem under test).  It runs until an
 * error (the daemon was killed) or MAXBYTES appended, and exits 0 either way.
 * verify checks that everything LOG says was made durable is present and
 * intact, and that no byte anywhere is something that was never written.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/posix/posix.h"

enum { NAPP = 4, MAXSMALL = 100000, ATOMIC_BODY = 5000 };

/* app_seed / atomic_seed: pattern seeds of each file. */
static uint64_t app_seed(uint64_t seed, int f)
{
	return seed * 16 + (uint64_t)f + 1;
}
static uint64_t atomic_seed(uint64_t seed, long gen)
{
	return (seed << 32) ^ (uint64_t)gen ^ 0xa70a1c;
}

/* log_line: append one line to the log and push it to the kernel. */
static void log_line(FILE *log, const char *fmt, long a, long b)
{
	fprintf(log, fmt, a, b);
	fflush(log);
}

/* replace_atomic: write generation gen to atomic.tmp, fsync, rename over
 * atomic, fsync the directory; 0 or -1. */
static int replace_atomic(int dfd, uint64_t seed, long gen)
{
	char buf[ATOMIC_BODY + 32];
	int n = snprintf(buf, 32, "gen %010ld\n", gen);
	pattern_fill(buf + n, ATOMIC_BODY, atomic_seed(seed, gen), 0);
	int fd = openat(dfd, "atomic.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_all(fd, buf, (size_t)n + ATOMIC_BODY) < 0 || fsync(fd) < 0)
		return -1;
	if (close(fd) < 0 || renameat(dfd, "atomic.tmp", dfd, "atomic") < 0)
		return -1;
	return fsync(dfd);
}

/* small_file: create small/sN with 100 pattern bytes; fsync if asked. */
static int small_file(int dfd, uint64_t seed, long k, int sync)
{
	char name[64], buf[100];
	snprintf(name, sizeof name, "small/s%ld", k);
	pattern_fill(buf, sizeof buf, seed ^ (uint64_t)k << 20, 0);
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write_all(fd, buf, sizeof buf) < 0 || (sync && fsync(fd) < 0))
		return -1;
	return close(fd);
}

/* churn_dirs: metadata load: mkdir, a hard link, a directory rename, and
 * the removal of an older directory. */
static int churn_dirs(int dfd, long k)
{
	char a[64], b[64];
	snprintf(a, sizeof a, "dirs/d%ld", k);
	if (mkdirat(dfd, a, 0755) < 0)
		return -1;
	snprintf(b, sizeof b, "dirs/d%ld/hard", k);
	if (linkat(dfd, "a0", dfd, b, 0) < 0)
		return -1;
	snprintf(b, sizeof b, "dirs/e%ld", k);
	if (renameat(dfd, a, dfd, b) < 0)
		return -1;
	if (k >= 44) {
		snprintf(a, sizeof a, "dirs/e%ld/hard", k - 44);
		snprintf(b, sizeof b, "dirs/e%ld", k - 44);
		if (unlinkat(dfd, a, 0) < 0 || unlinkat(dfd, b, AT_REMOVEDIR) < 0)
			return -1;
	}
	return 0;
}

/* bulk: a burst of metadata: a directory of 100 files made and removed
 * again (an rm -rf under way when the kill lands). */
static int bulk(int dfd, long k)
{
	char d[64], f[96];
	snprintf(d, sizeof d, "bulk%ld", k);
	if (mkdirat(dfd, d, 0755) < 0)
		return -1;
	for (int i = 0; i < 100; i++) {
		snprintf(f, sizeof f, "%s/f%d", d, i);
		int fd = openat(dfd, f, O_WRONLY | O_CREAT, 0644);
		if (fd < 0 || write(fd, f, strlen(f)) < 0 || close(fd) < 0)
			return -1;
	}
	for (int i = 0; i < 100; i++) {
		snprintf(f, sizeof f, "%s/f%d", d, i);
		if (unlinkat(dfd, f, 0) < 0)
			return -1;
	}
	return unlinkat(dfd, d, AT_REMOVEDIR);
}

/* do_write: the load; returns 0 when stopped by an error (the expected end
 * after the daemon is killed) or after max bytes, 1 if it cannot start. */
static int do_write(const char *dir, const char *logpath, uint64_t seed, long long max)
{
	FILE *log = fopen(logpath, "a");
	if (!log)
		return perror(logpath), 1;
	if ((mkdir(dir, 0755) < 0 && errno != EEXIST))
		return perror(dir), 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), fd[NAPP];
	if (dfd < 0 || (mkdirat(dfd, "small", 0755) < 0 && errno != EEXIST) ||
	    (mkdirat(dfd, "dirs", 0755) < 0 && errno != EEXIST))
		return perror(dir), 0;
	int orphan = openat(dfd, "orphan", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (orphan < 0 || unlinkat(dfd, "orphan", 0) < 0)
		return perror("orphan"), 0;
	long size[NAPP] = {0};
	for (int f = 0; f < NAPP; f++) {
		char name[8];
		snprintf(name, sizeof name, "a%d", f);
		fd[f] = openat(dfd, name, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
		if (fd[f] < 0)
			return perror(name), 0;
	}
	static char buf[4 << 20];
	uint64_t rs = seed + 1;
	long long total = 0;
	long gen = 0;
	for (long k = 0; max <= 0 || total < max; k++) {
		int f = (int)(k % NAPP);
		/* mostly up to 64 KiB, now and then up to 4 MiB (much in flight) */
		size_t len = 1 + (size_t)(xrand(&rs) % (k % 16 == 5 ? sizeof buf : 65536));
		pattern_fill(buf, len, app_seed(seed, f), (uint64_t)size[f]);
		if (write_all(fd[f], buf, len) < 0)
			break;
		size[f] += (long)len, total += (long long)len;
		if (pwrite(orphan, buf, len, (off_t)(k % 64) * 65536) < 0)
			break;
		if (k % 11 == 0 && churn_dirs(dfd, k) < 0)
			break;
		if (k % 97 == 50 && bulk(dfd, k) < 0)
			break;
		if (k % 3 == 0) {
			if (fsync(fd[f]) < 0)
				break;
			log_line(log, "synced %ld %ld\n", f, size[f]);
		}
		if (k % 7 == 0) {
			if (replace_atomic(dfd, seed, ++gen) < 0)
				break;
			log_line(log, "atomic %ld %ld\n", gen, 0);
		}
		if (k % 2 == 0 && k < MAXSMALL) {
			int sync = k % 8 == 0;
			if (small_file(dfd, seed, k, sync) < 0)
				break;
			if (sync)
				log_line(log, "small %ld %ld\n", k, 0);
			else if (k >= 10) { /* delete an older unsynced one */
				char name[64];
				snprintf(name, sizeof name, "small/s%ld", k - 10);
				if ((k - 10) % 8 && unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
					break;
			}
		}
	}
	if (errno)
		fprintf(stderr, "fsync-writer: stopped: %s\n", strerror(errno));
	return 0;
}

/* check_append: file a<f> holds at least synced bytes of its pattern;
 * anything past that is pattern or zeros. */
static int check_append(int dfd, uint64_t seed, int f, long synced)
{
	char name[8];
	snprintf(name, sizeof name, "a%d", f);
	int fd = openat(dfd, name, O_RDONLY);
	if (fd < 0)
		return synced ? (fprintf(stderr, "verify: %s: %s\n", name, strerror(errno)), -1)
			      : 0;
	struct stat st;
	fstat(fd, &st);
	if (st.st_size < synced) {
		fprintf(stderr, "verify: %s: size %lld, %ld bytes were fsync'd\n", name,
			(long long)st.st_size, synced);
		return -1;
	}
	static char buf[1 << 20], want[1 << 20];
	for (off_t off = 0; off < st.st_size; off += (off_t)sizeof buf) {
		size_t n = (size_t)(st.st_size - off < (off_t)sizeof buf ? st.st_size - off
									 : (off_t)sizeof buf);
		if (pread_all(fd, buf, n, off) < 0) {
			fprintf(stderr, "verify: %s: read at %lld: %s\n", name, (long long)off,
				strerror(errno));
			return -1;
		}
		pattern_fill(want, n, app_seed(seed, f), (uint64_t)off);
		for (size_t i = 0; i < n; i++) {
			long long o = (long long)off + (long long)i;
			if (buf[i] == want[i] || (o >= synced && buf[i] == 0))
				continue;
			fprintf(stderr, "verify: %s: byte %lld is %#x, want %#x (%ld fsync'd)\n",
				name, o, (unsigned char)buf[i], (unsigned char)want[i], synced);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* check_atomic: atomic holds one whole generation, not older than gen. */
static int check_atomic(int dfd, uint64_t seed, long gen)
{
	char buf[ATOMIC_BODY + 64];
	int fd = openat(dfd, "atomic", O_RDONLY);
	if (fd < 0)
		return gen ? (fprintf(stderr, "verify: atomic: %s\n", strerror(errno)), -1) : 0;
	ssize_t n = pread(fd, buf, sizeof buf, 0);
	close(fd);
	long g = -1;
	if (n != 15 + ATOMIC_BODY || sscanf(buf, "gen %ld", &g) != 1 || g < gen ||
	    pattern_check(buf + 15, ATOMIC_BODY, atomic_seed(seed, g), 0) >= 0) {
		fprintf(stderr, "verify: atomic: %zd bytes, gen %ld, fsync'd gen %ld\n", n, g,
			gen);
		return -1;
	}
	return 0;
}

/* do_verify: check DIR against LOG; 0 when all durable data is intact. */
static int do_verify(const char *dir, const char *logpath, uint64_t seed)
{
	FILE *log = fopen(logpath, "r");
	if (!log)
		return perror(logpath), 1;
	long synced[NAPP] = {0}, gen = 0, a, b, nsmall = 0;
	char kind[16], line[128];
	static unsigned char small[MAXSMALL];
	while (fgets(line, sizeof line, log)) {
		if (sscanf(line, "%15s %ld %ld", kind, &a, &b) != 3)
			continue; /* a line cut by the end of the run */
		if (!strcmp(kind, "synced") && a >= 0 && a < NAPP && b > synced[a])
			synced[a] = b;
		else if (!strcmp(kind, "atomic") && a > gen)
			gen = a;
		else if (!strcmp(kind, "small") && a >= 0 && a < MAXSMALL)
			small[a] = 1, nsmall++;
	}
	fclose(log);
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), bad = 0;
	if (dfd < 0)
		return perror(dir), 1;
	for (int f = 0; f < NAPP; f++)
		bad |= check_append(dfd, seed, f, synced[f]) < 0;
	bad |= check_atomic(dfd, seed, gen) < 0;
	for (long k = 0; k < MAXSMALL; k++) {
		if (!small[k])
			continue;
		char name[64], want[100];
		snprintf(name, sizeof name, "%s/small/s%ld", dir, k);
		pattern_fill(want, sizeof want, seed ^ (uint64_t)k << 20, 0);
		char got[101];
		if (read_small(name, got, sizeof got) != 100 || memcmp(got, want, 100)) {
			fprintf(stderr, "verify: %s lost or wrong\n", name);
			bad = 1;
		}
	}
	close(dfd);
	long long total = 0;
	for (int f = 0; f < NAPP; f++)
		total += synced[f];
	printf("verify %s: %lld fsync'd bytes, atomic gen %ld, %ld small files: %s\n", dir,
	       total, gen, nsmall, bad ? "BAD" : "ok");
	return bad;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && !strcmp(argv[1], "write"))
		return do_write(argv[2], argv[3], strtoull(argv[4], NULL, 0),
				argc > 5 ? atoll(argv[5]) : 0);
	if (argc == 5 && !strcmp(argv[1], "verify"))
		return do_verify(argv[2], argv[3], strtoull(argv[4], NULL, 0));
	fprintf(stderr, "usage: fsync-writer write DIR LOG SEED [MAXBYTES]\n"
			"       fsync-writer verify DIR LOG SEED\n");
	return 2;
}
