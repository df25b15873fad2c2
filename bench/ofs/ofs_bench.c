/* ofs_bench.c: the OrionFS storage layer (no FUSE) against the host file
 * system it lives on, the same workloads in the same run.  The anchor is
 * plain syscalls on a directory beside the image, so the ratio shows what
 * the layer costs before FUSE adds its round trips.  The last two rows
 * repeat the sequential pass on an image checksummed with BLAKE2b-128
 * (format version 1) instead of the default Poly1305.  The layer runs as
 * mount.orionfs runs it, in group commit (ofs_batch), committing when a
 * batch is due and at the end of every timed pass.
 * usage: ofs-bench DIR [MiB]   (DIR: a scratch directory, removed after) */
#include "orionfs/orionfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1u << 20)
#define SMALL 10000
#define RANDOPS 20000

static char *buf;
static size_t mib = 256;

/* now: monotonic seconds. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* row: print one workload, ours beside the anchor, as a ratio. */
static void row(const char *what, const char *unit, double ours, double anchor, int higher_better)
{
	double ratio = higher_better ? ours / anchor : anchor / ours;
	printf("%-34s %12.1f %12.1f %-8s %6.2fx\n", what, ours, anchor, unit, ratio);
}

/* die: stop on a failed step. */
static void die(const char *what, long rc)
{
	fprintf(stderr, "ofs-bench: %s: %s\n", what, orion_strerror((int)(rc < 0 ? rc : -errno)));
	exit(1);
}

/* lcg: a cheap deterministic random sequence. */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 17;
}

/* tick: commit the open batch when it is due, as mount.orionfs does. */
static void tick(ofs *fs)
{
	struct ofs_batch_info bi;
	ofs_batch_info(fs, &bi);
	int rc = bi.due ? ofs_flush(fs) : 0;
	if (rc)
		die("ofs_flush", rc);
}

/* done: commit what the timed pass left in the batch. */
static void done(ofs *fs)
{
	int rc = ofs_flush(fs);
	if (rc)
		die("ofs_flush", rc);
}

/* open_batched: open the image at path in group commit. */
static ofs *open_batched(const char *path)
{
	ofs *fs = NULL;
	long rc = ofs_open(&fs, path, 0);
	if (rc || (rc = ofs_batch(fs, 1)))
		die(path, rc);
	return fs;
}

/* seq_ofs: write then read mib MiB through ofs; MB/s into w and r. */
static void seq_ofs(ofs *fs, uint64_t ino, double *w, double *r)
{
	double t = now();
	for (size_t i = 0; i < mib; i++) {
		ssize_t n = ofs_write(fs, ino, buf, CHUNK, (off_t)i * CHUNK);
		if (n != CHUNK)
			die("ofs_write", n);
		tick(fs);
	}
	if (ofs_sync(fs))
		die("ofs_sync", -EIO);
	*w = (double)mib / (now() - t);
	t = now();
	for (size_t i = 0; i < mib; i++) {
		if (ofs_read(fs, ino, buf, CHUNK, (off_t)i * CHUNK) != CHUNK)
			die("ofs_read", -EIO);
		tick(fs);
	}
	done(fs);
	*r = (double)mib / (now() - t);
}

/* seq_host: the same through write(2)/read(2) on fd. */
static void seq_host(int fd, double *w, double *r)
{
	double t = now();
	for (size_t i = 0; i < mib; i++)
		if (pwrite(fd, buf, CHUNK, (off_t)i * CHUNK) != CHUNK)
			die("pwrite", -errno);
	if (fsync(fd))
		die("fsync", -errno);
	*w = (double)mib / (now() - t);
	t = now();
	for (size_t i = 0; i < mib; i++)
		if (pread(fd, buf, CHUNK, (off_t)i * CHUNK) != CHUNK)
			die("pread", -errno);
	*r = (double)mib / (now() - t);
}

/* rand_ofs: 4 KiB random reads, then random writes with a sync every 32;
 * operations per second into rd and wr. */
static void rand_ofs(ofs *fs, uint64_t ino, double *rd, double *wr)
{
	uint64_t s = 1, blocks = mib * (CHUNK / 4096);
	double t = now();
	for (int i = 0; i < RANDOPS; i++) {
		if (ofs_read(fs, ino, buf, 4096, (off_t)(lcg(&s) % blocks) * 4096) != 4096)
			die("ofs_read", -EIO);
		tick(fs);
	}
	done(fs);
	*rd = RANDOPS / (now() - t);
	t = now();
	for (int i = 0; i < RANDOPS; i++) {
		if (ofs_write(fs, ino, buf, 4096, (off_t)(lcg(&s) % blocks) * 4096) != 4096)
			die("ofs_write", -EIO);
		if (i % 32 == 31 && ofs_sync(fs))
			die("ofs_sync", -EIO);
		tick(fs);
	}
	done(fs);
	*wr = RANDOPS / (now() - t);
}

/* rand_host: the same with pread/pwrite/fdatasync. */
static void rand_host(int fd, double *rd, double *wr)
{
	uint64_t s = 1, blocks = mib * (CHUNK / 4096);
	double t = now();
	for (int i = 0; i < RANDOPS; i++)
		if (pread(fd, buf, 4096, (off_t)(lcg(&s) % blocks) * 4096) != 4096)
			die("pread", -errno);
	*rd = RANDOPS / (now() - t);
	t = now();
	for (int i = 0; i < RANDOPS; i++) {
		if (pwrite(fd, buf, 4096, (off_t)(lcg(&s) % blocks) * 4096) != 4096)
			die("pwrite", -errno);
		if (i % 32 == 31 && fdatasync(fd))
			die("fdatasync", -errno);
	}
	*wr = RANDOPS / (now() - t);
}

/* small_ofs: create+write 1 KiB, stat, read, unlink SMALL files in one
 * directory; operations per second of each phase into out[4]. */
static void small_ofs(ofs *fs, double out[4])
{
	static uint64_t ino[SMALL];
	struct ofs_attr a, d;
	char name[32];
	if (ofs_mkdir(fs, OFS_ROOT_INO, "small", 0755, 0, 0, &d))
		die("ofs_mkdir", -EIO);
	double t = now();
	for (int i = 0; i < SMALL; i++) {
		snprintf(name, sizeof name, "file-%d", i);
		if (ofs_mknod(fs, d.ino, name, S_IFREG | 0644, 0, 0, 0, &a) ||
		    ofs_write(fs, a.ino, buf, 1024, 0) != 1024)
			die("create", -EIO);
		ino[i] = a.ino;
		tick(fs);
	}
	done(fs);
	out[0] = SMALL / (now() - t);
	t = now();
	for (int i = 0; i < SMALL; i++) {
		snprintf(name, sizeof name, "file-%d", i);
		if (ofs_lookup(fs, d.ino, name, &a))
			die("ofs_lookup", -EIO);
	}
	done(fs);
	out[1] = SMALL / (now() - t);
	t = now();
	for (int i = 0; i < SMALL; i++) {
		if (ofs_read(fs, ino[i], buf, 4096, 0) != 1024)
			die("ofs_read", -EIO);
		tick(fs);
	}
	done(fs);
	out[2] = SMALL / (now() - t);
	t = now();
	for (int i = 0; i < SMALL; i++) {
		uint64_t orphan;
		snprintf(name, sizeof name, "file-%d", i);
		if (ofs_unlink(fs, d.ino, name, &orphan) || ofs_evict(fs, orphan))
			die("ofs_unlink", -EIO);
		tick(fs);
	}
	done(fs);
	out[3] = SMALL / (now() - t);
}

/* small_host: the same with open/write/close, stat, open/read, unlink,
 * inside dir. */
static void small_host(const char *dir, double out[4])
{
	char path[32];
	struct stat st;
	if (chdir(dir))
		die(dir, -errno);
	double t = now();
	for (int i = 0; i < SMALL; i++) {
		snprintf(path, sizeof path, "file-%d", i);
		int fd = open(path, O_CREAT | O_WRONLY | O_EXCL, 0644);
		if (fd < 0 || write(fd, buf, 1024) != 1024 || close(fd))
			die("create", -errno);
	}
	out[0] = SMALL / (now() - t);
	t = now();
	for (int i = 0; i < SMALL; i++) {
		snprintf(path, sizeof path, "file-%d", i);
		if (stat(path, &st))
			die("stat", -errno);
	}
	out[1] = SMALL / (now() - t);
	t = now();
	for (int i = 0; i < SMALL; i++) {
		snprintf(path, sizeof path, "file-%d", i);
		int fd = open(path, O_RDONLY);
		if (fd < 0 || read(fd, buf, 4096) != 1024 || close(fd))
			die("read", -errno);
	}
	out[2] = SMALL / (now() - t);
	t = now();
	for (int i = 0; i < SMALL; i++) {
		snprintf(path, sizeof path, "file-%d", i);
		if (unlink(path))
			die("unlink", -errno);
	}
	out[3] = SMALL / (now() - t);
}

/* seq_v1: seq_ofs on a fresh BLAKE2b-128 (format version 1) image at
 * path, to show what the checksum choice costs. */
static void seq_v1(const char *path, double *w, double *r)
{
	struct ofs_mkfs_opts o = {.force = 1, .hash = OFS_HASH_BLAKE2B128};
	struct ofs_attr a;
	long rc = ofs_mkfs(path, &o);
	if (rc)
		die("v1 image", rc);
	ofs *fs = open_batched(path);
	if ((rc = ofs_mknod(fs, OFS_ROOT_INO, "big", S_IFREG | 0644, 0, 0, 0, &a)))
		die("v1 image", rc);
	seq_ofs(fs, a.ino, w, r);
	ofs_close(fs);
	unlink(path);
}

int main(int argc, char **argv)
{
	char img[1100], img1[1100], host[1100], big[1200], sdir[1200];
	double ow, or_, hw, hr, ord, owr, hrd, hwr, os[4], hs[4], ow1, or1;
	struct ofs_attr a;
	ofs *fs = NULL;
	if (argc < 2 || argc > 3 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc < 2 ? stderr : stdout, "usage: ofs-bench DIR [MiB]\n");
		return argc < 2 ? 2 : 0;
	}
	if (strlen(argv[1]) > 1000)
		die(argv[1], -ENAMETOOLONG);
	if (argc == 3 && (mib = strtoul(argv[2], NULL, 10)) < 8)
		mib = 8;
	buf = malloc(CHUNK);
	for (size_t i = 0; i < CHUNK; i++)
		buf[i] = (char)(i * 131 >> 3);
	snprintf(img, sizeof img, "%s/bench.fs", argv[1]);
	snprintf(img1, sizeof img1, "%s/bench-v1.fs", argv[1]);
	snprintf(host, sizeof host, "%s/host", argv[1]);
	snprintf(big, sizeof big, "%s/big", host);
	snprintf(sdir, sizeof sdir, "%s/small", host);
	if (mkdir(host, 0755) || mkdir(sdir, 0755))
		die("mkdir", -errno);
	struct ofs_mkfs_opts o = {.force = 1};
	long rc = ofs_mkfs(img, &o);
	if (rc)
		die("image", rc);
	fs = open_batched(img);
	if ((rc = ofs_mknod(fs, OFS_ROOT_INO, "big", S_IFREG | 0644, 0, 0, 0, &a)))
		die("image", rc);
	int fd = open(big, O_CREAT | O_RDWR | O_TRUNC, 0644);
	if (fd < 0)
		die(big, -errno);
	seq_ofs(fs, a.ino, &ow, &or_);
	seq_host(fd, &hw, &hr);
	rand_ofs(fs, a.ino, &ord, &owr);
	rand_host(fd, &hrd, &hwr);
	small_ofs(fs, os);
	small_host(sdir, hs);
	close(fd);
	ofs_close(fs);
	seq_v1(img1, &ow1, &or1);
	printf("storage layer (no FUSE) vs host file system, %zu MiB file, %d small files\n", mib, SMALL);
	printf("%-34s %12s %12s %-8s %7s\n", "workload", "orionfs", "host", "unit", "ratio");
	row("sequential write + sync", "MB/s", ow, hw, 1);
	row("sequential read (warm)", "MB/s", or_, hr, 1);
	row("4 KiB random read (warm)", "ops/s", ord, hrd, 1);
	row("4 KiB random write, sync every 32", "ops/s", owr, hwr, 1);
	row("small files: create + 1 KiB write", "ops/s", os[0], hs[0], 1);
	row("small files: lookup/stat", "ops/s", os[1], hs[1], 1);
	row("small files: read", "ops/s", os[2], hs[2], 1);
	row("small files: delete", "ops/s", os[3], hs[3], 1);
	row("seq write + sync, BLAKE2b image", "MB/s", ow1, hw, 1);
	row("seq read (warm), BLAKE2b image", "MB/s", or1, hr, 1);
	free(buf);
	return 0;
}
