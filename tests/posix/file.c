/* file.c: checks of regular files: data, sizes, holes, space, mmap. */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/posix/posix.h"

#define MiB (1024L * 1024)
#define GiB (1024L * MiB)

/* Plain write, read back, pwrite in the middle, reads at and past EOF. */
static int c_rw_basic(void)
{
	int fd;
	char buf[8192], small[64];
	SYS(fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0644));
	SYS(write_all(fd, "hello world\n", 12));
	EXPECT(lseek(fd, 0, SEEK_CUR) == 12, "offset after write is not 12");
	memset(small, 0, sizeof small);
	EXPECT(pread(fd, small, sizeof small, 0) == 12, "pread of 12-byte file");
	EXPECT(!memcmp(small, "hello world\n", 12), "content differs: %.12s", small);
	SYS(pwrite_all(fd, "HELLO", 5, 0));
	EXPECT(pread(fd, small, sizeof small, 0) == 12 && !memcmp(small, "HELLO world\n", 12),
	       "pwrite over the head lost: %.12s", small);
	EXPECT(pread(fd, small, 8, 12) == 0, "read at EOF is not 0");
	EXPECT(pread(fd, small, 8, 1000) == 0, "read past EOF is not 0");
	close(fd);
	SYS(make_file("g", 1000000, 7));
	EXPECT(file_matches("g", 1000000, 7) == 1, "1 MB pattern file reads back wrong");
	SYS(fd = open("g", O_RDWR));
	pattern_fill(buf, sizeof buf, 8, 0);
	SYS(pwrite_all(fd, buf, sizeof buf, 4000)); /* straddles 4 KiB blocks */
	char rd[8192 + 200];
	SYS(pread_all(fd, rd, sizeof rd, 3900));
	EXPECT(pattern_check(rd, 100, 7, 3900) < 0, "bytes before the overwrite changed");
	EXPECT(pattern_check(rd + 100, 8192, 8, 0) < 0, "overwritten bytes wrong");
	EXPECT(pattern_check(rd + 100 + 8192, 100, 7, 4000 + 8192) < 0,
	       "bytes after the overwrite changed");
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == 1000000, "size %lld after overwrite", (long long)st.st_size);
	close(fd);
	return 0;
}

/* Random pwrites and truncates against an in-memory model, then a full
 * compare through a fresh descriptor. */
static int c_rw_model(void)
{
	enum { MAX = 3 * 1024 * 1024 };
	unsigned char *model = calloc(1, MAX), *buf = malloc(MAX), *rd = malloc(MAX);
	EXPECT(model && buf && rd, "out of memory");
	uint64_t rs = 12345;
	size_t size = 0;
	int fd;
	SYS(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	for (int op = 0; op < 300; op++) {
		uint64_t r = xrand(&rs);
		if (r % 10 == 0) {
			size_t ns = (size_t)(xrand(&rs) % MAX);
			SYS(ftruncate(fd, (off_t)ns));
			if (ns > size)
				memset(model + size, 0, ns - size);
			size = ns;
			continue;
		}
		size_t off = (size_t)(xrand(&rs) % (MAX - 1));
		size_t len = 1 + (size_t)(xrand(&rs) % (r % 3 ? 9000 : 300000));
		if (off + len > MAX)
			len = MAX - off;
		pattern_fill(buf, len, (uint64_t)op, off);
		SYS(pwrite_all(fd, buf, len, (off_t)off));
		if (off > size)
			memset(model + size, 0, off - size);
		memcpy(model + off, buf, len);
		if (off + len > size)
			size = off + len;
		if (op % 50 == 49) { /* read back through the same fd now and then */
			SYS(pread_all(fd, rd, size, 0));
			for (size_t i = 0; i < size; i++)
				EXPECT(rd[i] == model[i], "after op %d: byte %zu is %u, want %u",
				       op, i, rd[i], model[i]);
		}
	}
	SYS(close(fd));
	struct stat st;
	SYS(stat("f", &st));
	EXPECT((size_t)st.st_size == size, "size %lld, model %zu", (long long)st.st_size, size);
	SYS(fd = open("f", O_RDONLY));
	SYS(pread_all(fd, rd, size, 0));
	for (size_t i = 0; i < size; i++)
		EXPECT(rd[i] == model[i], "reopened: byte %zu is %u, want %u", i, rd[i], model[i]);
	close(fd);
	free(model), free(buf), free(rd);
	return 0;
}

/* append_rec: one 100-byte record "W:NNNNN" padded with the writer id. */
static void append_rec(char *rec, int writer, int n)
{
	memset(rec, 'a' + writer, 100);
	snprintf(rec, 100, "%d:%05d", writer, n);
	rec[7] = 'a' + writer;
	rec[99] = '\n';
}

/* check_recs: every record of the file is whole; counts per writer. */
static int check_recs(const char *path, int per_writer, int writers)
{
	char buf[100];
	int fd, next[4] = {0};
	SYS(fd = open(path, O_RDONLY));
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == 100L * per_writer * writers, "size %lld, want %ld",
	       (long long)st.st_size, 100L * per_writer * writers);
	for (off_t off = 0; off < st.st_size; off += 100) {
		SYS(pread_all(fd, buf, 100, off));
		int w = buf[0] - '0';
		EXPECT(w >= 0 && w < writers && buf[1] == ':', "torn record at %lld",
		       (long long)off);
		char want[100];
		append_rec(want, w, next[w]);
		EXPECT(!memcmp(buf, want, 100), "record at %lld is not writer %d's #%d",
		       (long long)off, w, next[w]);
		next[w]++;
	}
	close(fd);
	return 0;
}

/* O_APPEND from two descriptors and from two processes at once. */
static int c_append(void)
{
	int a, b;
	char rec[100];
	SYS(a = open("two", O_WRONLY | O_CREAT | O_APPEND, 0644));
	SYS(b = open("two", O_WRONLY | O_APPEND));
	for (int i = 0; i < 200; i++) {
		append_rec(rec, i & 1, i / 2);
		SYS(write_all(i & 1 ? b : a, rec, 100));
	}
	/* pwrite on an O_APPEND fd appends on Linux */
	close(a), close(b);
	if (check_recs("two", 100, 2))
		return -1;
	SYS(a = open("procs", O_WRONLY | O_CREAT | O_APPEND, 0644));
	close(a);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("procs", O_WRONLY | O_APPEND);
		for (int i = 0; i < 500; i++) {
			append_rec(rec, 1, i);
			if (fd < 0 || write_all(fd, rec, 100) < 0)
				_exit(1);
		}
		_exit(0);
	}
	SYS(a = open("procs", O_WRONLY | O_APPEND));
	for (int i = 0; i < 500; i++) {
		append_rec(rec, 0, i);
		SYS(write_all(a, rec, 100));
	}
	close(a);
	int st;
	SYS(waitpid(pid, &st, 0));
	EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "appending child failed");
	return check_recs("procs", 500, 2);
}

/* O_TRUNC empties the file and updates mtime; new data reads back. */
static int c_o_trunc(void)
{
	struct stat a, b;
	SYS(make_file("f", 100000, 3));
	SYS(stat("f", &a));
	tick_past(a.st_mtim);
	int fd;
	SYS(fd = open("f", O_WRONLY | O_TRUNC));
	SYS(fstat(fd, &b));
	EXPECT(b.st_size == 0, "fstat size %lld after O_TRUNC", (long long)b.st_size);
	EXPECT(ts_cmp(b.st_mtim, a.st_mtim) > 0, "O_TRUNC did not update mtime");
	EXPECT(ts_cmp(b.st_ctim, a.st_ctim) > 0, "O_TRUNC did not update ctime");
	SYS(write_all(fd, "short", 5));
	close(fd);
	char buf[64];
	EXPECT(read_small("f", buf, sizeof buf) == 5 && !strcmp(buf, "short"),
	       "content after O_TRUNC+write: '%s'", buf);
	SYS(fd = open("f", O_RDWR | O_TRUNC));
	close(fd);
	SYS(stat("f", &b));
	EXPECT(b.st_size == 0, "size %lld after second O_TRUNC", (long long)b.st_size);
	SYS(fd = open("empty", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	close(fd);
	SYS(fd = open("empty", O_WRONLY | O_TRUNC));
	close(fd);
	return 0;
}

/* O_EXCL: refuses any existing name, including a dangling symlink. */
static int c_o_excl(void)
{
	int fd;
	SYS(fd = open("f", O_WRONLY | O_CREAT | O_EXCL, 0644));
	close(fd);
	ERR(open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	SYS(mkdir("d", 0755));
	ERR(open("d", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	SYS(symlink("nowhere", "dangling"));
	ERR(open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
	struct stat st;
	ERR(stat("nowhere", &st), ENOENT);
	SYS(fd = open("dangling", O_WRONLY | O_CREAT, 0644)); /* follows: creates */
	close(fd);
	SYS(stat("nowhere", &st));
	EXPECT(S_ISREG(st.st_mode), "creation through a dangling symlink");
	return 0;
}

/* mode_is: the permission bits of path are want. */
static int mode_is(const char *path, mode_t want)
{
	struct stat st;
	SYS(lstat(path, &st));
	EXPECT((st.st_mode & 07777) == want, "%s: mode %04o, want %04o", path,
	       st.st_mode & 07777, want);
	EXPECT(st.st_uid == geteuid(), "%s: uid %u, want %u", path, st.st_uid, geteuid());
	return 0;
}

/* O_CREAT and mkdir honour the mode and the umask; owner is the caller. */
static int c_creat_mode(void)
{
	int fd;
	umask(022);
	SYS(fd = open("a", O_WRONLY | O_CREAT, 0666));
	close(fd);
	umask(077);
	SYS(fd = open("b", O_WRONLY | O_CREAT, 0777));
	close(fd);
	umask(0);
	SYS(fd = open("c", O_WRONLY | O_CREAT, 0751));
	close(fd);
	umask(027);
	SYS(mkdir("d", 0777));
	umask(0);
	SYS(mkdir("e", 01777));
	SYS(mkfifo("p", 0640));
	umask(022);
	if (mode_is("a", 0644) || mode_is("b", 0700) || mode_is("c", 0751) ||
	    mode_is("d", 0750) || mode_is("e", 01777) || mode_is("p", 0640))
		return -1;
	struct stat st;
	SYS(stat("a", &st));
	EXPECT(st.st_gid == getegid(), "gid %u, want %u", st.st_gid, getegid());
	return 0;
}

/* A write far past EOF leaves a hole that reads as zeros and takes no
 * space; data written inside the hole later lands exactly there. */
static int c_sparse(void)
{
	int fd;
	char buf[65536];
	SYS(fd = open("f", O_RDWR | O_CREAT, 0644));
	SYS(pwrite_all(fd, "X", 1, 10 * MiB));
	SYS(fsync(fd));
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == 10 * MiB + 1, "size %lld", (long long)st.st_size);
	EXPECT(st.st_blocks * 512 <= MiB, "a 10 MiB hole takes %lld bytes",
	       (long long)st.st_blocks * 512);
	for (off_t off = 0; off < 10 * MiB; off += (off_t)sizeof buf) {
		SYS(pread_all(fd, buf, sizeof buf, off));
		EXPECT(is_zero(buf, sizeof buf), "hole at %lld is not zero", (long long)off);
	}
	pattern_fill(buf, 10000, 5, 0);
	SYS(pwrite_all(fd, buf, 10000, 5 * MiB - 3));
	char rd[10010];
	SYS(pread_all(fd, rd, sizeof rd, 5 * MiB - 8));
	EXPECT(is_zero(rd, 5) && pattern_check(rd + 5, 10000, 5, 0) < 0 &&
	       is_zero(rd + 10005, 5), "data written into the hole misplaced");
	SYS(pread_all(fd, rd, 1, 10 * MiB));
	EXPECT(rd[0] == 'X', "last byte lost");
	close(fd);
	return 0;
}

/* seek_holes_exact: with real holes, a leading hole is skipped, the hole
 * after the first data is found before the second data, and nothing but
 * a trailing hole lies past the last data. */
static int seek_holes_exact(int fd)
{
	off_t h;
	EXPECT(lseek(fd, 0, SEEK_DATA) == 8 * MiB, "SEEK_DATA from 0 did not skip the hole");
	EXPECT(lseek(fd, 0, SEEK_HOLE) == 0, "SEEK_HOLE from 0 is not 0 in a leading hole");
	SYS(h = lseek(fd, 8 * MiB, SEEK_HOLE));
	EXPECT(h < 16 * MiB, "SEEK_HOLE after the first data returned %lld", (long long)h);
	EXPECT(lseek(fd, h, SEEK_DATA) == 16 * MiB, "SEEK_DATA from the hole missed the data");
	ERR(lseek(fd, 17 * MiB, SEEK_DATA), ENXIO);
	return 0;
}

/* SEEK_DATA / SEEK_HOLE, asked by a reader once the writer has closed:
 * either real holes or the whole file as data, but never a data region
 * reported as a hole.  ORION_EXPECT_HOLES=1 (the orionfs runs) demands
 * real holes. */
static int c_seek_data(void)
{
	int fd, exact = getenv("ORION_EXPECT_HOLES") && !strcmp(getenv("ORION_EXPECT_HOLES"), "1");
	SYS(fd = open("f", O_RDWR | O_CREAT, 0644));
	SYS(pwrite_all(fd, "data", 4, 8 * MiB));
	SYS(pwrite_all(fd, "tail", 4, 16 * MiB));
	SYS(ftruncate(fd, 24 * MiB)); /* a trailing hole */
	close(fd);
	SYS(fd = open("f", O_RDONLY));
	off_t d = lseek(fd, 0, SEEK_DATA);
	if (d < 0 && !exact && (errno == EINVAL || errno == EOPNOTSUPP))
		return skipf("SEEK_DATA unsupported (%s)", errname(errno));
	SYS(d);
	EXPECT(d <= 8 * MiB, "SEEK_DATA from 0 skipped the data: %lld", (long long)d);
	off_t h = lseek(fd, 8 * MiB, SEEK_HOLE);
	SYS(h);
	EXPECT(h >= 8 * MiB + 4, "SEEK_HOLE at the data returned %lld", (long long)h);
	EXPECT(lseek(fd, 16 * MiB, SEEK_DATA) == 16 * MiB, "SEEK_DATA at the data moved");
	EXPECT(lseek(fd, 16 * MiB, SEEK_HOLE) >= 16 * MiB + 4, "SEEK_HOLE inside the data");
	ERR(lseek(fd, 24 * MiB + 10, SEEK_DATA), ENXIO);
	ERR(lseek(fd, 24 * MiB, SEEK_HOLE), ENXIO);
	if (exact && seek_holes_exact(fd) < 0)
		return -1;
	if (d == 0)
		notef("no hole reporting: whole file is data");
	close(fd);
	return 0;
}

/* A sparse file beyond 4 GiB: size, data at 5 GiB, a write across the
 * 4 GiB boundary, zeros elsewhere. */
static int c_big_file(void)
{
	int fd;
	char buf[65536], rd[65536];
	SYS(fd = open("big", O_RDWR | O_CREAT, 0644));
	pattern_fill(buf, sizeof buf, 11, 0);
	SYS(pwrite_all(fd, buf, sizeof buf, 5 * GiB));
	SYS(pwrite_all(fd, "ACROSS4G", 8, 4 * GiB - 4));
	SYS(fsync(fd));
	close(fd);
	struct stat st;
	SYS(stat("big", &st));
	EXPECT(st.st_size == 5 * GiB + 65536, "size %lld", (long long)st.st_size);
	EXPECT(st.st_blocks * 512 < 64 * MiB, "sparse 5 GiB file takes %lld bytes",
	       (long long)st.st_blocks * 512);
	SYS(fd = open("big", O_RDONLY));
	SYS(pread_all(fd, rd, sizeof rd, 5 * GiB));
	EXPECT(pattern_check(rd, sizeof rd, 11, 0) < 0, "data at 5 GiB wrong");
	SYS(pread_all(fd, rd, 16, 4 * GiB - 8));
	EXPECT(is_zero(rd, 4) && !memcmp(rd + 4, "ACROSS4G", 8) && is_zero(rd + 12, 4),
	       "write across 4 GiB wrong");
	SYS(pread_all(fd, rd, 4096, 1 * GiB));
	EXPECT(is_zero(rd, 4096), "hole at 1 GiB not zero");
	SYS(pread_all(fd, rd, 4096, 5 * GiB - 4096));
	EXPECT(is_zero(rd, 4096), "hole before 5 GiB not zero");
	EXPECT(pread(fd, rd, 10, 5 * GiB + 65536) == 0, "read at EOF past 5 GiB");
	close(fd);
	return 0;
}

/* Truncate down then up: the regrown range reads as zeros (no stale data
 * from the old tail of a block); times change. */
static int c_truncate(void)
{
	int fd;
	char buf[300000];
	SYS(make_file("f", 100000, 9));
	SYS(truncate("f", 50001));
	struct stat st;
	SYS(stat("f", &st));
	EXPECT(st.st_size == 50001, "size %lld after truncate down", (long long)st.st_size);
	tick_past(st.st_mtim);
	SYS(truncate("f", 200000));
	struct stat st2;
	SYS(stat("f", &st2));
	EXPECT(st2.st_size == 200000, "size %lld after truncate up", (long long)st2.st_size);
	EXPECT(ts_cmp(st2.st_mtim, st.st_mtim) > 0, "truncate did not update mtime");
	EXPECT(ts_cmp(st2.st_ctim, st.st_ctim) > 0, "truncate did not update ctime");
	SYS(fd = open("f", O_RDWR));
	SYS(pread_all(fd, buf, 200000, 0));
	EXPECT(pattern_check(buf, 50001, 9, 0) < 0, "kept head changed");
	EXPECT(is_zero(buf + 50001, 200000 - 50001), "stale data after shrink+grow");
	/* the same within one block, through ftruncate */
	memset(buf, 0xff, 8192);
	SYS(pwrite_all(fd, buf, 8192, 0));
	SYS(ftruncate(fd, 100));
	SYS(ftruncate(fd, 8192));
	SYS(pread_all(fd, buf, 8192, 0));
	EXPECT(is_zero(buf + 100, 8092), "stale bytes inside a block after shrink+grow");
	SYS(ftruncate(fd, 0));
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == 0, "ftruncate 0 left %lld", (long long)st.st_size);
	SYS(ftruncate(fd, 3 * MiB + 5));
	SYS(pread_all(fd, buf, 4005, 3 * MiB - 4000));
	EXPECT(is_zero(buf, 4005), "grown file not zero");
	close(fd);
	ERR(truncate("f", -1), EINVAL);
	return 0;
}

/* fallocate mode 0 extends with zeros; KEEP_SIZE keeps the size; existing
 * data is untouched. */
static int c_fallocate(void)
{
	int fd;
	char buf[8192];
	SYS(fd = open("f", O_RDWR | O_CREAT, 0644));
	SYS(fallocate(fd, 0, 0, MiB));
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == MiB, "size %lld after fallocate", (long long)st.st_size);
	SYS(pread_all(fd, buf, sizeof buf, MiB - 8192));
	EXPECT(is_zero(buf, sizeof buf), "fallocated range not zero");
	pattern_fill(buf, sizeof buf, 4, 0);
	SYS(pwrite_all(fd, buf, sizeof buf, 4096));
	SYS(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 2 * MiB));
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == MiB, "KEEP_SIZE changed size to %lld", (long long)st.st_size);
	SYS(fallocate(fd, 0, MiB / 2, MiB)); /* overlaps data, extends */
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == MiB / 2 + MiB, "size %lld", (long long)st.st_size);
	SYS(pread_all(fd, buf, sizeof buf, 4096));
	EXPECT(pattern_check(buf, sizeof buf, 4, 0) < 0, "fallocate changed data");
	close(fd);
	return 0;
}

/* PUNCH_HOLE zeroes the range, keeps the size and the rest of the data. */
static int c_punch_hole(void)
{
	int fd;
	static char buf[MiB];
	SYS(make_file("f", MiB, 6));
	SYS(fd = open("f", O_RDWR));
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100000, 200000) < 0) {
		if (errno == EOPNOTSUPP)
			return skipf("PUNCH_HOLE: EOPNOTSUPP");
		FAIL("fallocate PUNCH_HOLE: %s", errname(errno));
	}
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == MiB, "size %lld after punch", (long long)st.st_size);
	SYS(pread_all(fd, buf, MiB, 0));
	EXPECT(pattern_check(buf, 100000, 6, 0) < 0, "data before the hole changed");
	EXPECT(is_zero(buf + 100000, 200000), "punched range not zero");
	EXPECT(pattern_check(buf + 300000, MiB - 300000, 6, 300000) < 0,
	       "data after the hole changed");
	close(fd);
	SYS(fd = open("f", O_RDONLY)); /* and through a fresh descriptor */
	SYS(pread_all(fd, buf, MiB, 0));
	EXPECT(is_zero(buf + 100000, 200000) && pattern_check(buf + 300000, 1000, 6, 300000) < 0,
	       "punched file reads wrong after reopen");
	close(fd);
	return 0;
}

/* FALLOC_FL_ZERO_RANGE inside the file keeps its size and the data
 * around the range; past the end it grows the file unless KEEP_SIZE. */
static int c_zero_range(void)
{
	int fd;
	static char buf[MiB + 65536];
	SYS(make_file("f", MiB, 7));
	SYS(fd = open("f", O_RDWR));
	if (fallocate(fd, FALLOC_FL_ZERO_RANGE, 70000, 200000) < 0) {
		if (errno == EOPNOTSUPP)
			return skipf("ZERO_RANGE: EOPNOTSUPP");
		FAIL("fallocate ZERO_RANGE: %s", errname(errno));
	}
	SYS(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, MiB - 100, 4096));
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == MiB, "size %lld after zeroing inside and KEEP_SIZE", (long long)st.st_size);
	SYS(fallocate(fd, FALLOC_FL_ZERO_RANGE, MiB - 50, 65536));
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == MiB - 50 + 65536, "size %lld after zeroing past the end", (long long)st.st_size);
	close(fd);
	SYS(fd = open("f", O_RDONLY)); /* through a fresh descriptor */
	SYS(pread_all(fd, buf, (size_t)st.st_size, 0));
	EXPECT(pattern_check(buf, 70000, 7, 0) < 0, "data before the range changed");
	EXPECT(is_zero(buf + 70000, 200000), "zeroed range not zero");
	EXPECT(pattern_check(buf + 270000, MiB - 100 - 270000, 7, 270000) < 0, "data after the range changed");
	EXPECT(is_zero(buf + MiB - 100, 65536 - 50 + 100), "the tail not zero");
	close(fd);
	return 0;
}

/* sync_here: flush the filesystem under test only (sync(2) would wait
 * for every other mount of the machine too). */
static void sync_here(void)
{
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
}

/* wait_free: poll statfs until free space is at least want (space of a
 * deleted file is released when the kernel forgets the inode). */
static long long wait_free(long long want)
{
	long long f = free_bytes(".");
	for (int i = 0; i < 100 && f < want; i++) {
		sync_here();
		usleep(50000);
		f = free_bytes(".");
	}
	return f;
}

/* An unlinked open file stays readable and writable; its space comes back
 * after the last close. */
static int c_unlink_open(void)
{
	int fd, fd2;
	static char buf[MiB];
	sync_here();
	long long before = free_bytes(".");
	SYS(before);
	SYS(fd = open("f", O_RDWR | O_CREAT, 0644));
	for (int i = 0; i < 32; i++) {
		pattern_fill(buf, MiB, 2, (uint64_t)i * MiB);
		SYS(write_all(fd, buf, MiB));
	}
	SYS(fsync(fd));
	SYS(fd2 = open("f", O_RDONLY));
	SYS(unlink("f"));
	struct stat st;
	ERR(stat("f", &st), ENOENT);
	SYS(fstat(fd, &st));
	EXPECT(st.st_nlink == 0, "nlink %lu after unlink", (unsigned long)st.st_nlink);
	SYS(pread_all(fd2, buf, MiB, 31 * MiB));
	EXPECT(pattern_check(buf, MiB, 2, 31 * MiB) < 0, "data of unlinked file wrong");
	SYS(pwrite_all(fd, "tail", 4, 32 * MiB));
	SYS(fsync(fd));
	char t[4];
	SYS(pread_all(fd2, t, 4, 32 * MiB));
	EXPECT(!memcmp(t, "tail", 4), "write to unlinked file lost");
	int again;
	SYS(again = open("f", O_RDWR | O_CREAT | O_EXCL, 0644)); /* name is free */
	SYS(write_all(again, "new", 3));
	close(again);
	SYS(pread_all(fd2, t, 4, 32 * MiB));
	EXPECT(!memcmp(t, "tail", 4), "new file with the same name disturbed the old");
	close(fd), close(fd2);
	unlink("f");
	long long after = wait_free(before - 4 * MiB);
	EXPECT(after >= before - 4 * MiB,
	       "free space did not come back after close: before %lld, after %lld", before, after);
	return 0;
}

/* O_TMPFILE: a file with no name and no link, which linkat(2) through
 * /proc/self/fd names unless it was opened O_EXCL; never named, its
 * space comes back when it is closed. */
static int c_tmpfile(void)
{
	enum { N = 8 };
	static char buf[MiB];
	char proc[64];
	struct stat st;
	int fd, ex;
	SYS(mkdir("d", 0755));
	sync_here();
	long long before = free_bytes(".");
	SYS(before);
	SYS(fd = open("d", O_TMPFILE | O_RDWR, 0640));
	SYS(fstat(fd, &st));
	EXPECT(S_ISREG(st.st_mode) && st.st_nlink == 0, "O_TMPFILE made mode %o, nlink %lu",
	       st.st_mode, (unsigned long)st.st_nlink);
	for (int i = 0; i < N; i++) {
		pattern_fill(buf, MiB, 3, (uint64_t)i * MiB);
		SYS(write_all(fd, buf, MiB));
	}
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	SYS(linkat(AT_FDCWD, proc, AT_FDCWD, "d/kept", AT_SYMLINK_FOLLOW));
	SYS(fstat(fd, &st));
	EXPECT(st.st_nlink == 1, "nlink %lu after linkat", (unsigned long)st.st_nlink);
	close(fd);
	SYS(fd = open("d/kept", O_RDONLY));
	SYS(pread_all(fd, buf, MiB, (N - 1) * MiB));
	close(fd);
	EXPECT(pattern_check(buf, MiB, 3, (N - 1) * MiB) < 0, "data of the named tmpfile wrong");
	SYS(ex = open("d", O_TMPFILE | O_RDWR | O_EXCL, 0600));
	for (int i = 0; i < N; i++)
		SYS(write_all(ex, buf, MiB));
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", ex);
	ERR(linkat(AT_FDCWD, proc, AT_FDCWD, "d/never", AT_SYMLINK_FOLLOW), ENOENT);
	close(ex);
	ERR(stat("d/never", &st), ENOENT);
	SYS(unlink("d/kept"));
	SYS(rmdir("d")); /* nothing else in it */
	long long after = wait_free(before - 4 * MiB);
	EXPECT(after >= before - 4 * MiB,
	       "free space did not come back: before %lld, after %lld", before, after);
	return 0;
}

/* statvfs figures are sane, and writing then deleting 50 MiB moves free
 * space down and back up. */
static int c_statfs(void)
{
	struct statvfs sv;
	SYS(statvfs(".", &sv));
	EXPECT(sv.f_bsize > 0 && sv.f_frsize > 0, "zero block size");
	EXPECT(sv.f_blocks >= sv.f_bfree, "f_blocks %llu < f_bfree %llu",
	       (unsigned long long)sv.f_blocks, (unsigned long long)sv.f_bfree);
	EXPECT(sv.f_bfree >= sv.f_bavail, "f_bavail > f_bfree");
	EXPECT(sv.f_namemax >= 255, "f_namemax %lu", (unsigned long)sv.f_namemax);
	EXPECT(sv.f_files == 0 || sv.f_files >= sv.f_ffree, "f_ffree > f_files");
	sync_here();
	long long before = free_bytes(".");
	SYS(make_file("fifty", 50 * MiB, 13));
	int fd;
	SYS(fd = open("fifty", O_RDONLY));
	SYS(fsync(fd));
	close(fd);
	sync_here();
	long long mid = free_bytes(".");
	EXPECT(before - mid >= 45 * MiB, "free space fell by %lld bytes after writing 50 MiB",
	       before - mid);
	SYS(statvfs(".", &sv));
	EXPECT(sv.f_blocks > sv.f_bfree, "with 50 MiB stored f_blocks %llu <= f_bfree %llu",
	       (unsigned long long)sv.f_blocks, (unsigned long long)sv.f_bfree);
	SYS(unlink("fifty"));
	long long after = wait_free(before - 5 * MiB);
	EXPECT(after >= before - 5 * MiB,
	       "free space not back after delete: before %lld, with file %lld, after %lld",
	       before, mid, after);
	return 0;
}

/* MAP_SHARED writable mapping: mapped writes reach read(), and write()s
 * reach the mapping; msync'd data survives close and reopen. */
static int c_mmap(void)
{
	enum { SZ = 65536 * 2 + 123 };
	int fd, fd2;
	SYS(make_file("f", SZ, 21));
	SYS(fd = open("f", O_RDWR));
	char *m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap: %s", errname(errno));
	EXPECT(pattern_check(m, SZ, 21, 0) < 0, "mapping shows wrong data");
	memcpy(m + 10, "MAPPED", 6);
	memcpy(m + SZ - 6, "ENDMAP", 6);
	m[70000] = 'Z';
	SYS(msync(m, SZ, MS_SYNC));
	SYS(fd2 = open("f", O_RDONLY));
	char buf[8];
	SYS(pread_all(fd2, buf, 6, 10));
	EXPECT(!memcmp(buf, "MAPPED", 6), "read() does not see a mapped write");
	SYS(pread_all(fd2, buf, 6, SZ - 6));
	EXPECT(!memcmp(buf, "ENDMAP", 6), "read() misses a mapped write in the last page");
	SYS(pwrite_all(fd, "WRITTEN", 7, 4000));
	EXPECT(!memcmp(m + 4000, "WRITTEN", 7), "mapping does not see a write()");
	SYS(munmap(m, SZ));
	close(fd), close(fd2);
	SYS(fd = open("f", O_RDONLY));
	SYS(pread_all(fd, buf, 1, 70000));
	EXPECT(buf[0] == 'Z', "mapped write lost after close");
	SYS(pread_all(fd, buf, 6, 10));
	EXPECT(!memcmp(buf, "MAPPED", 6), "mapped write lost after close");
	struct stat st;
	SYS(fstat(fd, &st));
	EXPECT(st.st_size == SZ, "size changed to %lld", (long long)st.st_size);
	close(fd);
	/* a mapping made on an empty file grown with ftruncate */
	SYS(fd = open("g", O_RDWR | O_CREAT, 0644));
	SYS(ftruncate(fd, 8192));
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT(m != MAP_FAILED, "mmap g: %s", errname(errno));
	memset(m, 'q', 8192);
	SYS(msync(m, 8192, MS_SYNC));
	SYS(munmap(m, 8192));
	close(fd);
	char big[8193];
	EXPECT(read_small("g", big, sizeof big) == 8192 && big[0] == 'q' && big[8191] == 'q',
	       "mapped writes to a grown file lost");
	return 0;
}

/* Writes through a write-only handle reach a reader that holds the
 * file's pages in the page cache, and its mapping, at once (orionfs
 * sends them around the page cache), and grow the size it sees. */
static int c_wronly_coherent(void)
{
	enum { SZ = 65536 + 5000 };
	int rd, wr;
	char buf[8];
	struct stat st;
	SYS(make_file("f", SZ, 33));
	SYS(rd = open("f", O_RDONLY));
	char *m = mmap(NULL, SZ, PROT_READ, MAP_SHARED, rd, 0);
	EXPECT(m != MAP_FAILED, "mmap: %s", errname(errno));
	EXPECT(pattern_check(m, SZ, 33, 0) < 0, "mapping shows wrong data");
	SYS(pread_all(rd, buf, 6, 70000));
	SYS(wr = open("f", O_WRONLY));
	SYS(pwrite_all(wr, "DIRECT", 6, 70000));
	SYS(pread_all(rd, buf, 6, 70000));
	EXPECT(!memcmp(buf, "DIRECT", 6), "a reader's cached page misses a write-only write");
	EXPECT(!memcmp(m + 70000, "DIRECT", 6), "a mapping misses a write-only write");
	SYS(pwrite_all(wr, "TAIL", 4, SZ));
	SYS(fstat(rd, &st));
	EXPECT(st.st_size == SZ + 4, "size %lld after a write-only append", (long long)st.st_size);
	SYS(pread_all(rd, buf, 4, SZ));
	EXPECT(!memcmp(buf, "TAIL", 4), "a reader misses a write-only append");
	SYS(munmap(m, SZ));
	close(rd), close(wr);
	return 0;
}

/* fsync and fdatasync succeed on files and directories. */
static int c_fsync(void)
{
	int fd, d;
	SYS(fd = open("f", O_RDWR | O_CREAT, 0644));
	SYS(write_all(fd, "x", 1));
	SYS(fsync(fd));
	SYS(fdatasync(fd));
	SYS(pwrite_all(fd, "yy", 2, 1 * MiB));
	SYS(fdatasync(fd));
	close(fd);
	SYS(fd = open("f", O_RDONLY));
	SYS(fsync(fd));
	close(fd);
	SYS(d = open(".", O_RDONLY | O_DIRECTORY));
	SYS(fsync(d));
	close(d);
	SYS(syncfs(d = open(".", O_RDONLY)));
	close(d);
	return 0;
}

/* copy_file_range copies bytes exactly (cp uses it). */
static int c_copy_range(void)
{
	int in, out;
	SYS(make_file("src", 3 * MiB + 17, 31));
	SYS(in = open("src", O_RDONLY));
	SYS(out = open("dst", O_WRONLY | O_CREAT, 0644));
	size_t left = 3 * MiB + 17;
	while (left) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, left, 0);
		SYS(n);
		EXPECT(n > 0, "copy_file_range returned 0 with %zu left", left);
		left -= (size_t)n;
	}
	close(in), close(out);
	EXPECT(file_matches("dst", 3 * MiB + 17, 31) == 1, "copy differs");
	return 0;
}

const struct check file_checks[] = {
	{"rw_basic", c_rw_basic, 0, "write, read, pwrite, reads at and past EOF"},
	{"rw_model", c_rw_model, 0, "random pwrite/ftruncate against a model"},
	{"append", c_append, 0, "O_APPEND from two fds and two processes"},
	{"o_trunc", c_o_trunc, 0, "O_TRUNC empties, updates times"},
	{"o_excl", c_o_excl, 0, "O_EXCL on files, dirs, dangling symlinks"},
	{"creat_mode", c_creat_mode, 0, "creation modes and umask"},
	{"sparse", c_sparse, 0, "holes read as zeros and take no space"},
	{"seek_data", c_seek_data, 0, "SEEK_DATA/SEEK_HOLE consistent"},
	{"big_file", c_big_file, 0, "sparse file past 5 GiB"},
	{"truncate", c_truncate, 0, "truncate down and up, zeros after regrowth"},
	{"fallocate", c_fallocate, 0, "fallocate mode 0 and KEEP_SIZE"},
	{"punch_hole", c_punch_hole, 0, "FALLOC_FL_PUNCH_HOLE"},
	{"zero_range", c_zero_range, 0, "FALLOC_FL_ZERO_RANGE"},
	{"unlink_open", c_unlink_open, 0, "unlinked open file lives until close"},
	{"tmpfile", c_tmpfile, 0, "O_TMPFILE, named by linkat unless O_EXCL"},
	{"statfs", c_statfs, 0, "statfs sane; free space follows 50 MiB"},
	{"mmap", c_mmap, 0, "MAP_SHARED writable, coherent with read/write"},
	{"wronly_coherent", c_wronly_coherent, 0, "write-only writes reach cached readers, maps"},
	{"fsync", c_fsync, 0, "fsync/fdatasync/syncfs return 0"},
	{"copy_range", c_copy_range, 0, "copy_file_range copies exactly"},
	{0},
};
