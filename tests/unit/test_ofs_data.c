/* test_ofs_data.c: file data in the OrionFS storage layer: reads, writes,
 * holes, large offsets, truncation, fallocate, checksums, concurrency,
 * sector overlays. */
#include "orionfs/internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/unit/ofs_unit.h"

static uint64_t f; /* a regular file made by setup_file */
static uint32_t hash; /* the data checksum of the images the tests make */

/* setup_file: a fresh image of checksum hash holding one empty file, f. */
static void setup_file(void)
{
	struct ofs_attr a;
	struct ofs_mkfs_opts o = {.hash = hash};
	image_make(&o);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "f", S_IFREG | 0644, 0, 0, 0, &a), 0);
	f = a.ino;
}

/* setup_poly1305, setup_blake2b: setup_file with images of either
 * checksum (BLAKE2b-128 images are format version 1 and must stay
 * writable). */
static void setup_poly1305(void)
{
	hash = OFS_HASH_POLY1305;
	setup_file();
}
static void setup_blake2b(void)
{
	hash = OFS_HASH_BLAKE2B128;
	setup_file();
}

/* pattern: a byte that depends on its file offset. */
static unsigned char pattern(uint64_t off)
{
	return (unsigned char)(off * 2654435761u >> 13);
}

/* fill_pattern: buf gets pattern bytes of [off, off+n). */
static void fill_pattern(unsigned char *buf, size_t n, uint64_t off)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(off + i);
}

/* size_of: the size of ino. */
static uint64_t size_of(uint64_t ino)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, ino, &a), 0);
	return a.size;
}

/* blocks_of: the 512-byte units of ino. */
static uint64_t blocks_of(uint64_t ino)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, ino, &a), 0);
	return a.blocks;
}

START_TEST(write_read_unaligned)
{
	enum { N = 300000 };
	unsigned char *w = malloc(N), *r = malloc(N);
	fill_pattern(w, N, 0);
	/* many odd-sized writes that straddle sectors and blocks */
	for (size_t off = 0; off < N;) {
		size_t n = 1 + (off * 7919) % 9000;
		if (n > N - off)
			n = N - off;
		ck_assert_int_eq(ofs_write(fs, f, w + off, n, (off_t)off), (ssize_t)n);
		off += n;
	}
	ck_assert_uint_eq(size_of(f), N);
	ck_assert_int_eq(ofs_read(fs, f, r, N, 0), N);
	ck_assert_int_eq(memcmp(w, r, N), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, 100, N - 10), 10);
	ck_assert_int_eq(ofs_read(fs, f, r, 100, N), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, 100, -1), -EINVAL);
	/* overwrite a middle range, then read across it */
	memset(w + 70000, 'Z', 5000);
	ck_assert_int_eq(ofs_write(fs, f, w + 70000, 5000, 70000), 5000);
	ck_assert_int_eq(ofs_read(fs, f, r, 20000, 60000), 20000);
	ck_assert_int_eq(memcmp(w + 60000, r, 20000), 0);
	ck_assert_uint_eq(blocks_of(f), (N + 511) / 512);
	clean();
	ck_assert_int_eq(ofs_read(fs, f, r, N, 0), N);
	ck_assert_int_eq(memcmp(w, r, N), 0);
	free(w);
	free(r);
}
END_TEST

START_TEST(holes_and_large_offsets)
{
	unsigned char buf[32768], zero[8192] = {0};
	uint64_t far = 5ULL << 30; /* past 4 GiB */
	fill_pattern(buf, 8192, far);
	ck_assert_int_eq(ofs_write(fs, f, buf, 8192, (off_t)far), 8192);
	ck_assert_uint_eq(size_of(f), far + 8192);
	ck_assert_uint_le(blocks_of(f), 16); /* only what was written is stored */
	ck_assert_int_eq(ofs_read(fs, f, buf, 8192, 1 << 20), 8192);
	ck_assert_int_eq(memcmp(buf, zero, 8192), 0);
	ck_assert_int_eq(ofs_read(fs, f, buf, 8192, (off_t)far), 8192);
	for (size_t i = 0; i < 8192; i++)
		ck_assert_uint_eq(buf[i], pattern(far + i));
	/* a write leaving a gap inside one block reads zeros in the gap */
	ck_assert_int_eq(ofs_write(fs, f, "ab", 2, 10), 2);
	ck_assert_int_eq(ofs_write(fs, f, "cd", 2, 30000), 2);
	ck_assert_int_eq(ofs_read(fs, f, buf, 30002, 0), 30002); /* buf is 32 KiB */
	ck_assert_int_eq(memcmp(buf + 12, zero, 8192), 0);
	ck_assert_int_eq(memcmp(buf + 10, "ab", 2), 0);
	ck_assert_int_eq(memcmp(buf + 30000, "cd", 2), 0);
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, INT64_MAX), -EFBIG);
	clean();
}
END_TEST

START_TEST(truncate_down_and_up)
{
	enum { N = 200000 };
	unsigned char *w = malloc(N), *r = malloc(N);
	struct ofs_attr a = {.size = 70001};
	fill_pattern(w, N, 0);
	ck_assert_int_eq(ofs_write(fs, f, w, N, 0), N);
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_uint_eq(blocks_of(f), (70001 + 511) / 512);
	a.size = 150000; /* back up: the cut part must read as zeros */
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, N, 0), 150000);
	ck_assert_int_eq(memcmp(r, w, 70001), 0);
	for (int i = 70001; i < 150000; i++)
		ck_assert_uint_eq(r[i], 0);
	a.size = 0;
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_uint_eq(blocks_of(f), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, N, 0), 0);
	clean();
	free(w);
	free(r);
}
END_TEST

START_TEST(fallocate_modes)
{
	unsigned char buf[200000];
	fill_pattern(buf, sizeof buf, 0);
	ck_assert_int_eq(ofs_write(fs, f, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	uint64_t before = blocks_of(f);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000, 150000), 0);
	ck_assert_uint_eq(size_of(f), sizeof buf);
	ck_assert_uint_lt(blocks_of(f), before); /* whole blocks were freed */
	unsigned char r[sizeof buf];
	ck_assert_int_eq(ofs_read(fs, f, r, sizeof r, 0), (ssize_t)sizeof r);
	ck_assert_int_eq(memcmp(r, buf, 1000), 0);
	for (int i = 1000; i < 151000; i++)
		ck_assert_uint_eq(r[i], 0);
	ck_assert_int_eq(memcmp(r + 151000, buf + 151000, sizeof buf - 151000), 0);
	ck_assert_int_eq(ofs_fallocate(fs, f, 0, 0, 1 << 20), 0);
	ck_assert_uint_eq(size_of(f), 1 << 20);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_KEEP_SIZE, 0, 2 << 20), 0);
	ck_assert_uint_eq(size_of(f), 1 << 20);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_COLLAPSE_RANGE, 0, 4096), -EOPNOTSUPP);
	ck_assert_int_eq(ofs_fallocate(fs, OFS_ROOT_INO, 0, 0, 4096), -EISDIR);
	ck_assert_int_eq(ofs_fallocate(fs, f, 0, 0, 0), -EINVAL);
	ck_assert_int_eq(ofs_fallocate(fs, f, 0, 0, 1LL << 55), -ENOSPC);
	clean();
}
END_TEST

/* ZERO_RANGE zeros across block edges, keeps the data around the range,
 * and extends the size only without KEEP_SIZE. */
START_TEST(fallocate_zero_range)
{
	enum { N = 200000 };
	static unsigned char buf[N], r[N + 100000];
	fill_pattern(buf, N, 0);
	ck_assert_int_eq(ofs_write(fs, f, buf, N, 0), N);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_ZERO_RANGE, 5000, 140000), 0);
	ck_assert_uint_eq(size_of(f), N);
	ck_assert_int_eq(ofs_read(fs, f, r, N, 0), N);
	ck_assert_int_eq(memcmp(r, buf, 5000), 0);
	for (int i = 5000; i < 145000; i++)
		ck_assert_uint_eq(r[i], 0);
	ck_assert_int_eq(memcmp(r + 145000, buf + 145000, N - 145000), 0);
	/* past the end: KEEP_SIZE keeps it, without it the size grows */
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, N - 10, 50000), 0);
	ck_assert_uint_eq(size_of(f), N);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_ZERO_RANGE, N - 20, 100000), 0);
	ck_assert_uint_eq(size_of(f), N - 20 + 100000);
	ck_assert_int_eq(ofs_read(fs, f, r, sizeof r, 0), N - 20 + 100000);
	ck_assert_int_eq(memcmp(r + 145000, buf + 145000, N - 20 - 145000), 0);
	for (int i = N - 20; i < N - 20 + 100000; i++)
		ck_assert_uint_eq(r[i], 0);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_ZERO_RANGE | FALLOC_FL_PUNCH_HOLE, 0, 10), -EOPNOTSUPP);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_ZERO_RANGE, 0, 1LL << 55), -ENOSPC);
	clean();
}
END_TEST

/* reopen: close fs and open it again with flags (read-write, 0, finishes
 * calls a crash left part done). */
static void reopen(unsigned flags)
{
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_open(&fs, img, flags), 0);
}

/* flip_at: flip one byte of the image file at off, behind the layer's
 * back (a byte written blindly matches what was there 1 time in 256). */
static void flip_at(uint64_t off)
{
	unsigned char c;
	int fd = open(img, O_RDWR);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &c, 1, (off_t)off), 1);
	c ^= 0x40;
	ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)off), 1);
	close(fd);
}

/* corrupt: flip one payload byte of block idx of ino behind the layer's back. */
static void corrupt(uint64_t ino, uint64_t idx, size_t at)
{
	MDB_txn *txn;
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, idx), v;
	ck_assert_int_eq(mdb_txn_begin(ofs_env(fs), NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_get(txn, fs->data, &key, &v), 0);
	unsigned char *copy = malloc(v.mv_size);
	memcpy(copy, v.mv_data, v.mv_size);
	size_t dl = (ofs_block_len(v.mv_size) + OFS_SECTOR - 1) / OFS_SECTOR * OFS_DIGEST;
	copy[dl + at] ^= 0x40;
	v.mv_data = copy;
	ck_assert_int_eq(mdb_put(txn, fs->data, &key, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	free(copy);
}

/* records: call fn on every record of table dbi (in a read transaction
 * of its own); returns how many there were. */
static unsigned records(MDB_dbi dbi, void (*fn)(const MDB_val *k, const MDB_val *v, void *arg),
			void *arg)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	unsigned n = 0;
	ck_assert_int_eq(mdb_txn_begin(ofs_env(fs), NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_cursor_open(txn, dbi, &c), 0);
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT), n++)
		fn(&k, &v, arg);
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return n;
}

/* block_ok: records callback: the data block k -> v of f is intact. */
static void block_ok(const MDB_val *k, const MDB_val *v, void *arg)
{
	(void)arg;
	ck_assert_int_eq(ofs_block_verify(fs, f, ofs_be64((const unsigned char *)k->mv_data + 8), v, 0), 0);
}

/* map_rss: bytes of LMDB's map of fs resident in this process. */
static size_t map_rss(void)
{
	FILE *m = fopen("/proc/self/smaps", "re");
	char line[512];
	unsigned long lo, hi, kb = 0;
	int in = 0;
	ck_assert_ptr_nonnull(m);
	while (fgets(line, sizeof line, m)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo <= fs->map_lo && fs->map_lo < hi;
		else if (in && sscanf(line, "Rss: %lu kB", &kb) == 1)
			break;
	}
	fclose(m);
	return (size_t)kb * 1024;
}

/* Reads take file data from the image file, not through the map: what the
 * daemon maps stays mapped (the kernel cannot drop it, and it counts as
 * the daemon's memory), and the kernel caches those bytes under the
 * mount anyway. */
START_TEST(read_leaves_data_unmapped)
{
	enum { N = 8 << 20 };
	unsigned char *buf = malloc(N), *r = malloc(N);
	fill_pattern(buf, N, 3);
	ck_assert_int_eq(ofs_write(fs, f, buf, N, 0), N);
	ofs_close(fs); /* a fresh map: nothing of it touched yet */
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_uint_ne(fs->map_lo, 0);
	ck_assert_int_eq(ofs_read(fs, f, r, N, 0), N);
	ck_assert_int_eq(memcmp(r, buf, N), 0);
	for (off_t off = 100; off + 4096 < N; off += 77777) /* small, unaligned */
		ck_assert_int_eq(ofs_read(fs, f, r, 4096, off), 4096);
	ck_assert_uint_lt(map_rss(), N / 16);
	/* fsck's check of every block, likewise */
	ck_assert_uint_eq(records(fs->data, block_ok, NULL), N / 65536);
	ck_assert_uint_lt(map_rss(), N / 16);
	free(buf);
	free(r);
}
END_TEST

/* dcache_of: the digest cache's entry for block idx of f, or NULL. */
static struct ofs_dslot *dcache_of(uint64_t idx)
{
	for (size_t i = 0; fs->dcache && i < OFS_DCACHE_SLOTS; i++)
		if (fs->dcache[i].off && fs->dcache[i].ino == f && fs->dcache[i].idx == idx)
			return &fs->dcache[i];
	return NULL;
}

/* cached: pages of the image in the kernel's cache among the n from the
 * one holding byte off. */
static size_t cached(uint64_t off, size_t n)
{
	int fd = open(img, O_RDONLY);
	size_t ps = (size_t)sysconf(_SC_PAGESIZE), k = 0;
	off_t at = (off_t)(off / ps * ps);
	unsigned char *v = calloc(n, 1);
	void *p = mmap(NULL, n * ps, PROT_READ, MAP_SHARED, fd, at);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(mincore(p, n * ps, v), 0);
	for (size_t i = 0; i < n; i++)
		k += v[i] & 1;
	munmap(p, n * ps);
	close(fd);
	free(v);
	return k;
}

/* resident: whether the image page holding byte off is in the kernel's
 * cache. */
static int resident(uint64_t off)
{
	return cached(off, 1) == 1;
}

/* four_blocks: f holds four blocks of pattern bytes (those of offset 5
 * on, returned for the caller to free) in an image just reopened, so
 * that none of it is mapped yet. */
static unsigned char *four_blocks(void)
{
	unsigned char *buf = malloc(4 * 65536);
	fill_pattern(buf, 4 * 65536, 5);
	ck_assert_int_eq(ofs_write(fs, f, buf, 4 * 65536, 0), 4 * 65536);
	ofs_close(fs);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	return buf;
}

/* The digest cache (formats before 4, whose digests all lie on a block's
 * first page): a block's digests, once read, are not read from the
 * image again; wrong ones (a place LMDB reused) are corrected from the
 * image, and they never make damaged bytes pass. */
START_TEST(digest_cache)
{
	unsigned char *buf = four_blocks(), r[4096];
	/* uncached, here and in the kernel: the digests are read from disk */
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, 100, 65536 + 10), 100);
	ck_assert_int_eq(memcmp(r, buf + 65536 + 10, 100), 0);
	struct ofs_dslot *d = dcache_of(1);
	ck_assert_ptr_nonnull(d);
	uint64_t dig = d->off, data = d->off + OFS_SECTORS * OFS_DIGEST;
	/* cached: a read of sector 5 fetches its pages, not the digests' */
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	ck_assert_int_eq(resident(dig), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 5 * 4096), 4096);
	ck_assert_int_eq(memcmp(r, buf + 65536 + 5 * 4096, 4096), 0);
	ck_assert_int_eq(resident(data + 5 * 4096), 1);
	ck_assert_int_eq(resident(dig), 0);
	/* wrong digests in the cache are read again, and corrected */
	d->dig[5 * OFS_DIGEST] ^= 1;
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 5 * 4096), 4096);
	ck_assert_int_eq(memcmp(r, buf + 65536 + 5 * 4096, 4096), 0);
	ck_assert_ptr_eq(dcache_of(1), d);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 5 * 4096), 4096);
	/* damage in place is found though the digests come from the cache */
	flip_at(data + 5 * 4096 + 9);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 5 * 4096), -ORION_ECHECKSUM);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 6 * 4096), 4096);
	free(buf);
}
END_TEST

/* block_off: where the value of block idx of f lies in the image file. */
static uint64_t block_off(uint64_t idx)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, f, idx), v;
	MDB_txn *txn;
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_get(txn, fs->data, &key, &v), 0);
	mdb_txn_abort(txn);
	return (uint64_t)((uintptr_t)v.mv_data - fs->map_lo);
}

/* From format 4 each sector's digest lies just before it, so a cold read
 * of a sector reads its own two pages, not the block's first page where
 * earlier formats keep every digest; damage in a digest is found. */
START_TEST(sector_read_with_its_digest)
{
	unsigned char *buf = four_blocks(), r[4096];
	ck_assert(fs->interleaved);
	uint64_t at = block_off(1);
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 5 * 4096), 4096);
	ck_assert_int_eq(memcmp(r, buf + 65536 + 5 * 4096, 4096), 0);
	ck_assert_int_eq(resident(at), 0);
	ck_assert_uint_eq(cached(at + 5 * OFS_OVL_VAL, 2), 2);
	ck_assert_ptr_null(fs->dcache);
	/* the ends of two sectors, whose digests cover all of each */
	ck_assert_int_eq(ofs_read(fs, f, r, 100, 65536 + 3 * 4096 - 50), 100);
	ck_assert_int_eq(memcmp(r, buf + 65536 + 3 * 4096 - 50, 100), 0);
	flip_at(at + 7 * OFS_OVL_VAL + 3);
	ck_assert_int_eq(ofs_read(fs, f, r, 10, 65536 + 7 * 4096 + 4000), -ORION_ECHECKSUM);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 8 * 4096), 4096);
	free(buf);
}
END_TEST

/* A fault in LMDB's map reads its own page only: the kernel's read-around
 * (the device's read-ahead, 128 KiB to several MiB) would read other
 * blocks' data about each leaf page of a large file. */
START_TEST(map_faults_read_one_page)
{
	enum { N = 20 << 20 };
	unsigned char *buf = malloc(N), r[4096];
	fill_pattern(buf, N, 9);
	ck_assert_int_eq(ofs_write(fs, f, buf, N, 0), N);
	ofs_close(fs); /* a fresh map: nothing of it touched yet */
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, f, &a), 0);
	struct stat st;
	ck_assert_int_eq(fstat(fs->lockfd, &st), 0);
	size_t pages = (size_t)st.st_size / fs->psize;
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	size_t before = cached(0, pages);
	ck_assert_int_eq(ofs_read(fs, f, r, sizeof r, N / 2 + 3 * 4096), (int)sizeof r);
	ck_assert_int_eq(memcmp(r, buf + N / 2 + 3 * 4096, sizeof r), 0);
	/* the data table's root, branch and leaf pages, the block's digest
	 * page and the two pages of its sector, with room to spare */
	ck_assert_uint_lt(cached(0, pages) - before, 16);
	free(buf);
}
END_TEST

/* count_entry: an ofs_dirent_fn counting entries into *(int *)arg. */
static int count_entry(void *arg, const struct ofs_dirent *d)
{
	(void)d;
	++*(int *)arg;
	return 0;
}

/* big_dir: a directory of n empty files under the root, then the image
 * opened afresh (nothing of its map touched yet) and the directory's own
 * inode read; leaves gets the count of leaf pages of table "dirent" or
 * "inode" (table NULL: none). */
static uint64_t big_dir(int n, const char *table, size_t *leaves)
{
	char name[32];
	struct ofs_attr a, d;
	ck_assert_int_eq(ofs_batch(fs, 1), 0); /* one commit, not n */
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "big", 0755, 0, 0, &d), 0);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof name, "entry-%d", i);
		ck_assert_int_eq(ofs_mknod(fs, d.ino, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
	}
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	ofs_close(fs);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	MDB_txn *txn;
	MDB_stat ms = {0};
	if (table) {
		ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, &txn), 0);
		ck_assert_int_eq(mdb_stat(txn, strcmp(table, "inode") ? fs->dirent : fs->inode, &ms), 0);
		mdb_txn_abort(txn);
		*leaves = ms.ms_leaf_pages;
	}
	ck_assert_int_eq(ofs_getattr(fs, d.ino, &a), 0);
	return d.ino;
}

/* majflt: major page faults of this thread so far (the read-ahead
 * thread's own waits, as it paces its requests, are not the caller's;
 * a fault that waited for a page already being read counts too). */
static long majflt(void)
{
	struct rusage r;
	ck_assert_int_eq(getrusage(RUSAGE_THREAD, &r), 0);
	return r.ru_majflt;
}

/* image_cached: pages of the whole image file in the kernel's cache. */
static size_t image_cached(void)
{
	struct stat st;
	ck_assert_int_eq(stat(img, &st), 0);
	return cached(0, (size_t)st.st_size / (size_t)sysconf(_SC_PAGESIZE));
}

/* A listing whose reads ahead are given time to arrive: at its first
 * entry, when they have been asked for, it waits (10 s at most) for want
 * pages of the image to be in the page cache, and counts its major
 * faults from then on.  Whether reads asked for together arrive before
 * the walk reaches them is the disk's pace, not the code's: benchmarks
 * measure that; a test that raced the disk failed on a slow one. */
struct paced {
	int n;
	size_t want;
	long f0;
	int ready; /* want pages were in the cache at the first entry */
};

/* paced_entry: an ofs_dirent_fn counting entries into the struct paced
 * at arg, waiting at the first as it says. */
static int paced_entry(void *arg, const struct ofs_dirent *d)
{
	struct paced *p = arg;
	(void)d;
	for (int ms = 0; p->n == 0 && ms < 10000 && image_cached() < p->want; ms++)
		usleep(1000);
	if (p->n++ == 0) {
		p->f0 = majflt();
		p->ready = image_cached() >= p->want;
	}
	return 0;
}

/* mapped: page pgno of the image is mapped into this process now. */
static int mapped(uint64_t pgno)
{
	uint64_t e = 0;
	uintptr_t va = fs->map_lo + pgno * fs->psize;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &e, sizeof e, (off_t)(va / (uintptr_t)getpagesize() * sizeof e)),
			 (ssize_t)sizeof e);
	close(fd);
	return (int)(e >> 63);
}

/* dir_leaves: the leaf pages (at most max) holding directory d's
 * entries, in key order, into leaf; their count.  A cursor finds them,
 * so they are mapped after. */
static size_t dir_leaves(uint64_t d, uint64_t *leaf, size_t max)
{
	size_t n = 0;
	MDB_txn *txn;
	MDB_cursor *c;
	struct ofs_key lk, hk;
	MDB_val lo = ofs_key2(&lk, d, 0), hi = ofs_key2(&hk, d + 1, 0), k = lo, v;
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_cursor_open(txn, fs->dirent, &c), 0);
	for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	     rc == 0 && mdb_cmp(txn, fs->dirent, &k, &hi) < 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		uint64_t pg = ((uintptr_t)v.mv_data - fs->map_lo) / fs->psize;
		if (n == 0 || leaf[n - 1] != pg)
			leaf[n++] = pg;
		ck_assert_uint_lt(n, max);
	}
	mdb_cursor_close(c);
	mdb_txn_abort(txn);
	return n;
}

/* forget: nothing of the image mapped into this process or in the page
 * cache. */
static void forget(void)
{
	ck_assert_int_eq(madvise((void *)fs->map_lo, fs->map_hi - fs->map_lo, MADV_DONTNEED), 0);
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
}

/* nmapped: how many of the n pages at leaf are mapped into this process.
 * A few may be without being read through the map: a fault maps the
 * cached pages around the one it is for (fault-around), and the walks
 * fault on branch pages that lie among the leaves. */
static size_t nmapped(const uint64_t *leaf, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += (size_t)mapped(leaf[i]);
	return k;
}

/* A listing from the start has all the directory's leaf pages read at
 * once (on the read-ahead thread), and reads each itself with pread,
 * mapping none of them: the walk through them faults on none. */
START_TEST(readdir_reads_leaves_ahead)
{
	enum { N = 6000, MAXLEAF = 1024 };
	static uint64_t leaf[MAXLEAF];
	size_t leaves;
	uint64_t d = big_dir(N, "dirent", &leaves);
	ck_assert_uint_gt(leaves, 40);
	size_t nleaf = dir_leaves(d, leaf, MAXLEAF);
	forget();
	uint64_t read0 = fs->leaves_read;
	struct paced p = {.want = nleaf};
	ck_assert_int_eq(ofs_readdir(fs, d, 0, paced_entry, &p), 0);
	ofs_ahead_join(fs);
	ck_assert_int_eq(p.n, N);
	ck_assert_int_eq(p.ready, 1);
	ck_assert_uint_ge(fs->leaves_read - read0, nleaf);
	ck_assert_uint_lt(nmapped(leaf, nleaf), nleaf / 8);
	ck_assert_int_lt(majflt() - p.f0, (long)nleaf / 8);
}
END_TEST

/* A small directory's listing asks for its leaves itself: a thread
 * costs more than the whole walk.  A large one's goes on the thread. */
START_TEST(small_listing_starts_no_thread)
{
	size_t leaves;
	struct ofs_attr s, a;
	uint64_t d = big_dir(3000, "dirent", &leaves);
	ck_assert_uint_gt(leaves, 2 * OFS_AHEAD_INLINE);
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "small", 0755, 0, 0, &s), 0);
	for (int i = 0; i < 10; i++) {
		char name[16];
		snprintf(name, sizeof name, "s%d", i);
		ck_assert_int_eq(ofs_mknod(fs, s.ino, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
	}
	int n = 0;
	ck_assert_int_eq(ofs_readdir(fs, s.ino, 0, count_entry, &n), 0);
	ck_assert_int_eq(n, 10);
	ck_assert_int_eq(fs->ahead_on, 0);
	n = 0;
	ck_assert_int_eq(ofs_readdir(fs, d, 0, count_entry, &n), 0);
	ck_assert_int_eq(n, 3000);
	ck_assert_int_eq(fs->ahead_on, 1);
}
END_TEST

/* ofs_dir_large tells a directory of thousands of entries from one of
 * ten, and an empty one, from the first few of its leaves. */
START_TEST(dir_large_tells_thousands_from_ten)
{
	size_t leaves;
	struct ofs_attr s, e, a;
	uint64_t d = big_dir(3000, "dirent", &leaves);
	ck_assert_uint_gt(leaves, OFS_AHEAD_INLINE);
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "small", 0755, 0, 0, &s), 0);
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "empty", 0755, 0, 0, &e), 0);
	for (int i = 0; i < 10; i++) {
		char name[16];
		snprintf(name, sizeof name, "s%d", i);
		ck_assert_int_eq(ofs_mknod(fs, s.ino, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
	}
	ck_assert_int_eq(ofs_dir_large(fs, d), 1);
	ck_assert_int_eq(ofs_dir_large(fs, s.ino), 0);
	ck_assert_int_eq(ofs_dir_large(fs, e.ino), 0);
	ck_assert_int_eq(ofs_dir_large(fs, OFS_ROOT_INO), 0);
}
END_TEST

/* A listing that asks for its leaves while another walk runs on the
 * read-ahead thread walks them itself: the hint is not dropped. */
START_TEST(ahead_while_busy_walks_inline)
{
	enum { N = 6000 };
	size_t leaves;
	uint64_t d = big_dir(N, "dirent", &leaves);
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	fs->ahead_on = 1; /* as if a walk were running */
	fs->ahead_done = 0;
	struct paced p = {.want = leaves};
	int rc = ofs_readdir(fs, d, 0, paced_entry, &p);
	fs->ahead_on = 0;
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(p.n, N);
	ck_assert_int_eq(p.ready, 1);
}
END_TEST

/* thread_walk_mapped: a directory's leaves, cold, walked by the
 * read-ahead thread for a caller that reads them through the map,
 * io_uring barred if no_ring; how many of them it left mapped, and of
 * how many. */
static size_t thread_walk_mapped(int no_ring, size_t *nleaf)
{
	enum { N = 20000, MAXLEAF = 4096 };
	static uint64_t leaf[MAXLEAF];
	size_t leaves;
	uint64_t d = big_dir(N, "dirent", &leaves);
	ck_assert_uint_gt(leaves, 2 * OFS_AHEAD_WINDOW);
	*nleaf = dir_leaves(d, leaf, MAXLEAF);
	ck_assert_uint_eq(*nleaf, leaves);
	forget(); /* out of this process and out of the page cache */
	ck_assert_int_eq(mapped(leaf[0]), 0);
	fs->no_ring = no_ring;
	ofs_ahead_bg(fs, "dirent", d, 1);
	ofs_ahead_join(fs);
	ck_assert_int_eq(mapped(leaf[0]), 1);
	return nmapped(leaf, *nleaf);
}

/* For a caller that reads the leaves through the map, the thread reads
 * them through io_uring and maps each as it comes in: all of them, so
 * the caller faults on none... */
START_TEST(a_thread_walk_maps_every_leaf)
{
	size_t nleaf, n = thread_walk_mapped(0, &nleaf);
	ck_assert_uint_eq(n, nleaf);
}
END_TEST

/* ... and where io_uring cannot be had, it keeps OFS_AHEAD_WINDOW pages
 * asked for with fadvise in flight and waits for the oldest through the
 * map before it asks for more, so the leaves come in key order: when it
 * ends, it has mapped all but the last window of them. */
START_TEST(a_thread_walk_waits_for_its_leaves_in_order)
{
	size_t nleaf, n = thread_walk_mapped(1, &nleaf);
	ck_assert_uint_ge(n, nleaf - OFS_AHEAD_WINDOW);
}
END_TEST

/* leaves_in: how many of the n leaves are in the page cache, once the
 * reads asked for have landed: a walk without io_uring leaves its last
 * window asked for with fadvise but not waited for, and mincore counts
 * a page only once its read is done (up to 5 s). */
static size_t leaves_in(const uint64_t *leaf, size_t n)
{
	size_t in = 0;
	for (int tries = 0; tries < 500 && in < n; tries++) {
		if (tries)
			usleep(10000);
		in = 0;
		for (size_t i = 0; i < n; i++)
			in += cached(leaf[i] * fs->psize, 1);
	}
	return in;
}

/* thread_walk_for_pread: a directory's leaves, cold, walked by the
 * read-ahead thread for a caller that reads them with pread (ofs_leaves),
 * io_uring barred if no_ring: all end in the page cache, under an eighth
 * mapped. */
static void thread_walk_for_pread(int no_ring)
{
	enum { N = 20000, MAXLEAF = 4096 };
	static uint64_t leaf[MAXLEAF];
	size_t leaves;
	uint64_t d = big_dir(N, "dirent", &leaves);
	size_t nleaf = dir_leaves(d, leaf, MAXLEAF);
	ck_assert_uint_gt(nleaf, 2 * OFS_AHEAD_WINDOW);
	forget();
	fs->no_ring = no_ring;
	ofs_ahead_bg(fs, "dirent", d, 0);
	ofs_ahead_join(fs);
	ck_assert_uint_eq(leaves_in(leaf, nleaf), nleaf);
	ck_assert_uint_lt(nmapped(leaf, nleaf), nleaf / 8);
}

/* For leaves its caller reads with pread, the thread reads them all into
 * the page cache through io_uring and maps them not... */
START_TEST(a_thread_walk_for_pread_maps_nothing)
{
	thread_walk_for_pread(0);
}
END_TEST

/* ... nor where io_uring cannot be had: it asks with fadvise then, and
 * waits for each window with pread, not through the map. */
START_TEST(a_thread_walk_without_io_uring_maps_nothing)
{
	thread_walk_for_pread(1);
}
END_TEST

enum { CENSUS_MAX = 4096 };

/* A listing of a directory big_dir made, checked: how often each entry-N
 * came, how many other names came, and a change made at its at-th
 * entry, while it goes on. */
struct census {
	int n, other, at;
	unsigned char seen[CENSUS_MAX];
	void (*change)(uint64_t dir);
	uint64_t dir;
};

/* census_entry: an ofs_dirent_fn counting entries into the struct
 * census at arg. */
static int census_entry(void *arg, const struct ofs_dirent *d)
{
	struct census *c = arg;
	int i;
	char more;
	if (sscanf(d->name, "entry-%d%c", &i, &more) == 1 && i >= 0 && i < CENSUS_MAX)
		c->seen[i]++;
	else
		c->other++;
	if (++c->n == c->at && c->change)
		c->change(c->dir);
	return 0;
}

/* census_of: directory d listed whole from the start. */
static void census_of(uint64_t d, struct census *c)
{
	ck_assert_int_eq(ofs_readdir(fs, d, 0, census_entry, c), 0);
	ofs_ahead_join(fs);
}

/* churn: entries 2000-2099 of parent unlinked and 100 others made, each
 * call its own commit. */
static void churn(uint64_t parent)
{
	char name[32];
	struct ofs_attr a;
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof name, "entry-%d", 2000 + i);
		ck_assert_int_eq(ofs_unlink(fs, parent, name, NULL), 0);
		snprintf(name, sizeof name, "new-%d", i);
		ck_assert_int_eq(ofs_mknod(fs, parent, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
	}
}

/* A listing read from the leaves lists the snapshot it began on, however
 * many commits change the directory meanwhile: the pages it reads are
 * that snapshot's, which LMDB reuses for nothing while the listing's
 * transaction lasts. */
START_TEST(leaf_listing_keeps_its_snapshot)
{
	size_t leaves;
	static struct census c, after;
	uint64_t d = big_dir(3000, "dirent", &leaves);
	ck_assert_uint_gt(leaves, 40);
	uint64_t read0 = fs->leaves_read;
	c = (struct census){.at = 10, .change = churn, .dir = d};
	census_of(d, &c);
	ck_assert_int_eq(c.n, 3000);
	ck_assert_int_eq(c.other, 0);
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(c.seen[i], 1);
	ck_assert_uint_ge(fs->leaves_read - read0, leaves - 2);
	after = (struct census){0};
	read0 = fs->leaves_read;
	census_of(d, &after);
	ck_assert_int_eq(after.n, 3000);
	ck_assert_int_eq(after.other, 100);
	ck_assert_int_eq(after.seen[2050], 0);
	ck_assert_uint_ge(fs->leaves_read - read0, leaves - 2);
}
END_TEST

/* count_leaf: an ofs_leaf_fn counting keys into *(int *)arg. */
static int count_leaf(void *arg, const MDB_val *k, const MDB_val *v)
{
	(void)k;
	(void)v;
	++*(int *)arg;
	return 0;
}

/* ofs_leaves reads a snapshot only when it can tell its meta page for
 * certain: not once a commit has followed it (the next could be writing
 * over that page), and not in a write transaction. */
START_TEST(leaves_need_a_pinned_snapshot)
{
	size_t leaves;
	struct ofs_attr a;
	struct ofs_key lk, hk;
	uint64_t d = big_dir(3000, "dirent", &leaves);
	MDB_val lo = ofs_key2(&lk, d, 0), hi = ofs_key2(&hk, d + 1, 0);
	MDB_txn *txn;
	int n = 0;
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(ofs_leaves(fs, txn, "dirent", &lo, &hi, 16, count_leaf, &n), 0);
	ck_assert_int_eq(n, 3000);
	n = 0;
	ck_assert_int_eq(ofs_leaves(fs, txn, "dirent", &lo, &hi, leaves + 1, count_leaf, &n), -EAGAIN);
	ck_assert_int_eq(n, 0); /* fewer leaves than asked for */
	ck_assert_int_eq(ofs_mknod(fs, d, "later", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_leaves(fs, txn, "dirent", &lo, &hi, 16, count_leaf, &n), -EAGAIN);
	ck_assert_int_eq(n, 0);
	mdb_txn_abort(txn);
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, 0, &txn), 0);
	ck_assert_int_eq(ofs_leaves(fs, txn, "dirent", &lo, &hi, 16, count_leaf, &n), -EAGAIN);
	ck_assert_int_eq(n, 0);
	mdb_txn_abort(txn);
}
END_TEST

/* The owner of an open batch lists what the batch holds (its own writes
 * are in memory, not in the leaves), so through a cursor. */
START_TEST(batch_listing_reads_its_own_entries)
{
	size_t leaves;
	static struct census c;
	struct ofs_attr a;
	uint64_t d = big_dir(3000, "dirent", &leaves);
	/* two commits, so that both meta pages hold a tree of all 3,000 */
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "a", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "b", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	ck_assert_int_eq(ofs_mknod(fs, d, "entry-3000", S_IFREG | 0644, 0, 0, 0, &a), 0);
	uint64_t read0 = fs->leaves_read;
	c = (struct census){0};
	census_of(d, &c);
	ck_assert_int_eq(c.n, 3001);
	ck_assert_int_eq(c.seen[3000], 1);
	ck_assert_uint_eq(fs->leaves_read, read0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	c = (struct census){0};
	census_of(d, &c);
	ck_assert_int_eq(c.n, 3001);
	ck_assert_uint_gt(fs->leaves_read, read0);
}
END_TEST

/* A leaf that is not what the walk expects (here its page number, which
 * LMDB itself never reads) hands the listing over to a cursor, which
 * lists the rest: nothing is lost or repeated. */
START_TEST(unexpected_leaf_hands_over_to_cursor)
{
	enum { MAXLEAF = 1024 };
	static uint64_t leaf[MAXLEAF];
	static struct census c;
	size_t leaves;
	uint64_t d = big_dir(3000, "dirent", &leaves);
	size_t nleaf = dir_leaves(d, leaf, MAXLEAF);
	uint64_t wrong = leaf[nleaf / 2] + 1, read0 = fs->leaves_read;
	int fd = open(img, O_RDWR);
	ck_assert_int_eq(pwrite(fd, &wrong, sizeof wrong, (off_t)(leaf[nleaf / 2] * fs->psize)),
			 (ssize_t)sizeof wrong);
	close(fd);
	c = (struct census){0};
	census_of(d, &c);
	ck_assert_int_eq(c.n, 3000);
	for (int i = 0; i < 3000; i++)
		ck_assert_int_eq(c.seen[i], 1);
	ck_assert_uint_ge(fs->leaves_read - read0, nleaf / 2 - 1);
	ck_assert_uint_lt(fs->leaves_read - read0, nleaf);
}
END_TEST

/* Opening a large file to read it asks for all the pages of its block
 * map at once (ofs_opened), so reads all over it wait for none alone. */
START_TEST(open_reads_block_map_ahead)
{
	enum { MIB = 1 << 20, N = 64 };
	unsigned char *buf = malloc(MIB), r[1];
	for (int i = 0; i < N; i++) {
		fill_pattern(buf, MIB, (uint64_t)i * MIB);
		ck_assert_int_eq(ofs_write(fs, f, buf, MIB, (off_t)i * MIB), MIB);
	}
	free(buf);
	reopen(OFS_OPEN_NOATIME); /* no atime write to count */
	MDB_txn *txn;
	MDB_stat ms;
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_stat(txn, fs->data, &ms), 0);
	mdb_txn_abort(txn);
	ck_assert_uint_ge(ms.ms_leaf_pages, 8);
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	ck_assert_int_eq(ofs_opened(fs, f), 0);
	ofs_ahead_join(fs);
	long f0 = majflt();
	for (uint64_t b = 0; b < N * MIB / 65536; b++) {
		uint64_t off = (b * 37 % (N * MIB / 65536)) * 65536 + 100;
		ck_assert_int_eq(ofs_read(fs, f, r, 1, (off_t)off), 1);
		ck_assert_uint_eq(r[0], pattern(off));
	}
	/* the file's inode page, and no page of its map */
	ck_assert_int_lt(majflt() - f0, (long)ms.ms_leaf_pages / 4);
	/* the relatime rule, without OFS_OPEN_NOATIME: a write leaves atime
	 * behind */
	reopen(0);
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, 0), 1);
	ck_assert_int_eq(ofs_opened(fs, f), 1);
	ck_assert_int_eq(ofs_opened(fs, f), 0);
}
END_TEST

/* Cutting a large cold file asks for the first page of each block it
 * frees at once (LMDB reads it to learn the value's extent), and a write
 * over several cold blocks does the same for the blocks it replaces: the
 * blocks do not fault in one by one. */
START_TEST(cut_and_overwrite_read_block_heads_ahead)
{
	enum { MIB = 1 << 20, N = 32, BLOCKS = N * MIB / 65536 };
	unsigned char *buf = malloc(MIB);
	for (int i = 0; i < N; i++) {
		fill_pattern(buf, MIB, (uint64_t)i * MIB);
		ck_assert_int_eq(ofs_write(fs, f, buf, MIB, (off_t)i * MIB), MIB);
	}
	ofs_close(fs); /* a fresh map, out of the page cache */
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	long f0 = majflt();
	fill_pattern(buf, MIB, 0);
	ck_assert_int_eq(ofs_write(fs, f, buf, MIB, 0), MIB); /* 16 cold blocks */
	ck_assert_int_lt(majflt() - f0, 12);
	struct ofs_attr a = {.size = 0};
	f0 = majflt();
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	/* the data table's root, branch and leaf pages fault, not the blocks */
	ck_assert_int_lt(majflt() - f0, BLOCKS / 8);
	ck_assert_int_eq(ofs_getattr(fs, f, &a), 0);
	ck_assert_uint_eq(a.size, 0);
	ck_assert_uint_eq(a.blocks, 0);
	free(buf);
}
END_TEST

/* A listing with attributes that stops after a reply's worth of entries
 * (OFS_AHEAD_INODES), as the kernel's requests do. */
struct chunk {
	int n;
	uint64_t cookie; /* where the next one resumes */
};

/* stat_entry: an ofs_dirent_fn reading each entry's attributes into the
 * struct chunk at arg, until it holds OFS_AHEAD_INODES of them. */
static int stat_entry(void *arg, const struct ofs_dirent *d)
{
	struct chunk *c = arg;
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, d->ino, &a), 0);
	c->cookie = d->cookie;
	return ++c->n == (int)OFS_AHEAD_INODES;
}

/* A listing with attributes reads the inodes of its next entries ahead,
 * from its start and from wherever it resumes, so looking each one up
 * waits for no inode page alone. */
START_TEST(readdir_attrs_reads_inodes_ahead)
{
	size_t leaves;
	uint64_t d = big_dir(20000, "inode", &leaves);
	ck_assert_uint_gt(leaves, 40);
	int n = 0;
	ck_assert_int_eq(ofs_readdir(fs, d, 0, count_entry, &n), 0); /* the dirent leaves */
	struct chunk c = {0, 0};
	for (int part = 0; part < 2; part++) {
		ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
		c.n = 0;
		long f0 = majflt();
		ck_assert_int_eq(ofs_readdir_ex(fs, d, c.cookie, OFS_AHEAD_INODES, stat_entry, &c), 0);
		ck_assert_int_eq(c.n, OFS_AHEAD_INODES);
		/* the inode tree's root and branch pages fault alone, its
		 * leaves not */
		ck_assert_int_lt(majflt() - f0, 12);
	}
}
END_TEST

/* ofs_ahead is a hint read from the image: damage it does not expect (here
 * bytes of noise on pages under the meta pages, more every round) stops it
 * quietly, never past the file's end. */
START_TEST(ahead_survives_noise)
{
	unsigned char hi_bytes[16];
	big_dir(3000, NULL, NULL);
	memset(hi_bytes, 0xff, sizeof hi_bytes);
	MDB_val lo = {0, ""}, hi = {sizeof hi_bytes, hi_bytes};
	int fd = open(img, O_RDWR);
	struct stat st;
	ck_assert_int_eq(fstat(fd, &st), 0);
	uint64_t pages = (uint64_t)st.st_size / fs->psize, s = 0x9e3779b97f4a7c15ULL;
	for (int round = 0; round < 64; round++) {
		ofs_ahead(fs, "dirent", &lo, &hi, 1);
		ofs_ahead(fs, "data", &lo, &hi, 1);
		ofs_ahead(fs, "inode", &lo, &hi, 1);
		for (int k = 0; k < 16 * (round + 1); k++) {
			s ^= s << 13, s ^= s >> 7, s ^= s << 17;
			unsigned char b = (unsigned char)(s >> 56);
			off_t at = (off_t)((2 + s % (pages - 2)) * fs->psize + (s >> 20) % fs->psize);
			ck_assert_int_eq(pwrite(fd, &b, 1, at), 1);
		}
	}
	close(fd);
}
END_TEST

START_TEST(checksums_catch_damage)
{
	unsigned char buf[65536 * 2], r[65536];
	struct ofs_fsck_report rep;
	fill_pattern(buf, sizeof buf, 0);
	ck_assert_int_eq(ofs_write(fs, f, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	corrupt(f, 1, 5000); /* sector 1 of block 1 */
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 4096), -ORION_ECHECKSUM);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536), 4096);   /* sector 0 is fine */
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 8192), 4096);
	ck_assert_int_eq(ofs_read(fs, f, r, 65536, 0), 65536);     /* block 0 is fine */
	/* a read of part of a sector verifies the whole of it */
	ck_assert_int_eq(ofs_read(fs, f, r, 10, 65536 + 4096 + 7), -ORION_ECHECKSUM);
	ck_assert_int_eq(ofs_read(fs, f, r, 5000, 65536 + 8192 + 3), 5000);
	ck_assert_int_eq(memcmp(r, buf + 65536 + 8192 + 3, 5000), 0);
	/* a partial write over the bad sector must not bless it */
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, 65536 + 4100), -ORION_ECHECKSUM);
	/* overwriting the whole sector replaces the damage */
	ofs_close(fs);
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &rep), 0);
	ck_assert_uint_eq(rep.problems, 1);
	ck_assert_uint_eq(rep.repaired, 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(ofs_write(fs, f, buf + 4096, 4096, 65536 + 4096), 4096);
	ck_assert_int_eq(ofs_read(fs, f, r, 65536, 65536), 65536);
	ck_assert_int_eq(memcmp(r, buf + 65536, 4096), 0);
	clean();
}
END_TEST

/* mode_of: the mode of ino. */
static uint32_t mode_of(uint64_t ino)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, ino, &a), 0);
	return a.mode;
}

/* set_mode: give ino permission bits perm. */
static void set_mode(uint64_t ino, uint32_t perm)
{
	struct ofs_attr a = {.mode = perm};
	ck_assert_int_eq(ofs_setattr(fs, ino, &a, OFS_SET_MODE, NULL), 0);
}

/* A caller in group 4242 only, as an ofs_member; counts the questions. */
static int member_asked;
static int in_4242(const struct ofs_member *m, uint32_t gid)
{
	(void)m;
	member_asked++;
	return gid == 4242;
}

/* A write that drops privileges clears set-user-ID, and set-group-ID
 * when group-executable or when the writer is outside the file's group,
 * in its own commit, and says when it did; the group is asked about
 * only when it decides. */
START_TEST(write_kill_drops_privileges)
{
	const struct ofs_member m = {in_4242};
	int killed = -1;
	set_mode(f, 06755);
	ck_assert_int_eq(ofs_write(fs, f, "a", 1, 0), 1);
	ck_assert_uint_eq(mode_of(f), S_IFREG | 06755); /* a plain write keeps them */
	ck_assert_int_eq(ofs_write_kill(fs, f, "b", 1, 1, 0, &m, &killed), 1);
	ck_assert_int_eq(killed, 1);
	ck_assert_uint_eq(mode_of(f), S_IFREG | 0755);
	ck_assert_int_eq(member_asked, 0); /* group exec: no question */
	ck_assert_int_eq(ofs_write_kill(fs, f, "c", 1, 2, 0, &m, &killed), 1);
	ck_assert_int_eq(killed, 0);
	struct ofs_attr g = {.gid = 4242};
	ck_assert_int_eq(ofs_setattr(fs, f, &g, OFS_SET_GID, NULL), 0);
	set_mode(f, 06745); /* no group exec: a member of the group keeps set-group-ID */
	ck_assert_int_eq(ofs_write_kill(fs, f, "d", 1, 3, 0, &m, &killed), 1);
	ck_assert_int_eq(killed, 1);
	ck_assert_uint_eq(mode_of(f), S_IFREG | 02745);
	ck_assert_int_eq(member_asked, 1);
	ck_assert_int_eq(ofs_write_kill(fs, f, "e", 1, 4, 0, NULL, &killed), 1); /* NULL: a member */
	ck_assert_uint_eq(mode_of(f), S_IFREG | 02745);
	g.gid = 4243; /* ... and anyone else drops it */
	ck_assert_int_eq(ofs_setattr(fs, f, &g, OFS_SET_GID, NULL), 0);
	ck_assert_int_eq(ofs_write_kill(fs, f, "f", 1, 5, 0, &m, &killed), 1);
	ck_assert_int_eq(killed, 1);
	ck_assert_uint_eq(mode_of(f), S_IFREG | 0745);
	ck_assert_uint_eq(size_of(f), 6);
	ck_assert_int_eq(ofs_write_kill(fs, OFS_ROOT_INO, "e", 1, 0, 0, &m, &killed), -EISDIR);
	ck_assert_uint_eq(mode_of(f), S_IFREG | 0745);
}
END_TEST

/* The rule alone: set-user-ID always goes; set-group-ID goes when group
 * exec is set or the changer is outside the group. */
START_TEST(kill_mode_rule)
{
	ck_assert_uint_eq(ofs_kill_mode(06755, 0), 0755);
	ck_assert_uint_eq(ofs_kill_mode(06745, 0), 02745);
	ck_assert_uint_eq(ofs_kill_mode(06745, 1), 0745);
	ck_assert_uint_eq(ofs_kill_mode(0755, 1), 0755);
	ck_assert_uint_eq(ofs_kill_mode(S_IFREG | 04711, 1), S_IFREG | 0711);
}
END_TEST

/* OFS_KILL_CAP: a write drops security.capability in its own commit,
 * and leaves other xattrs; a write without it keeps the capability. */
START_TEST(write_kill_cap_drops_capability)
{
	static const unsigned char cap[20] = {0, 0, 0, 2};
	char v[32];
	ck_assert_int_eq(ofs_setxattr(fs, f, "security.capability", cap, sizeof cap, 0), 0);
	ck_assert_int_eq(ofs_setxattr(fs, f, "user.keep", "k", 1, 0), 0);
	ck_assert_int_eq(ofs_write_kill(fs, f, "a", 1, 0, 0, NULL, NULL), 1);
	ck_assert_int_eq(ofs_getxattr(fs, f, "security.capability", v, sizeof v), sizeof cap);
	ck_assert_int_eq(ofs_write_kill(fs, f, "b", 1, 1, OFS_KILL_CAP, NULL, NULL), 1);
	ck_assert_int_eq(ofs_getxattr(fs, f, "security.capability", v, sizeof v), -ENODATA);
	ck_assert_int_eq(ofs_getxattr(fs, f, "user.keep", v, sizeof v), 1);
	ck_assert_int_eq(ofs_write_kill(fs, f, "c", 1, 2, OFS_KILL_CAP, NULL, NULL), 1);
	ck_assert_uint_eq(size_of(f), 3);
}
END_TEST

/* resize: give ino size bytes. */
static void resize(uint64_t ino, uint64_t size)
{
	struct ofs_attr a = {.size = size};
	ck_assert_int_eq(ofs_setattr(fs, ino, &a, OFS_SET_SIZE, NULL), 0);
}

/* ofs_copy_range copies bytes across block boundaries into another file
 * and within one, clips at the source's end and at OFS_COPY_MAX, keeps a
 * source hole a hole past the destination's end, and refuses overlap and
 * files that are not regular. */
START_TEST(copy_range_copies)
{
	enum { N = 200000 };
	unsigned char *w = malloc(N), *r = malloc(N);
	struct ofs_attr a;
	fill_pattern(w, N, 0);
	ck_assert_int_eq(ofs_write(fs, f, w, N, 0), N);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "g", S_IFREG | 0644, 0, 0, 0, &a), 0);
	uint64_t g = a.ino;
	/* unaligned on both sides, into an empty file past its end */
	ck_assert_int_eq(ofs_copy_range(fs, f, 1000, g, 5000, 150000, 0), 150000);
	ck_assert_uint_eq(size_of(g), 155000);
	ck_assert_int_eq(ofs_read(fs, g, r, N, 0), 155000);
	for (int i = 0; i < 5000; i++)
		ck_assert_uint_eq(r[i], 0);
	ck_assert_mem_eq(r + 5000, w + 1000, 150000);
	/* clipped at the source's end; nothing at or past it */
	ck_assert_int_eq(ofs_copy_range(fs, f, N - 10, g, 0, 100, 0), 10);
	ck_assert_int_eq(ofs_read(fs, g, r, 10, 0), 10);
	ck_assert_mem_eq(r, w + N - 10, 10);
	ck_assert_int_eq(ofs_copy_range(fs, f, N, g, 0, 100, 0), 0);
	/* within one file, ranges apart; overlap refused */
	ck_assert_int_eq(ofs_copy_range(fs, f, 0, f, N, 70000, 0), 70000);
	ck_assert_uint_eq(size_of(f), N + 70000);
	ck_assert_int_eq(ofs_read(fs, f, r, 70000, N), 70000);
	ck_assert_mem_eq(r, w, 70000);
	ck_assert_int_eq(ofs_copy_range(fs, f, 0, f, 1000, 5000, 0), -EINVAL);
	/* a hole copied past the destination's end stays a hole */
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "s", S_IFREG | 0644, 0, 0, 0, &a), 0);
	uint64_t sparse = a.ino;
	ck_assert_int_eq(ofs_write(fs, sparse, "end", 3, 4 * 65536), 3);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "h", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_copy_range(fs, sparse, 65536, a.ino, 0, 3 * 65536 + 3, 0),
			 3 * 65536 + 3);
	ck_assert_uint_eq(size_of(a.ino), 3 * 65536 + 3);
	ck_assert_uint_eq(blocks_of(a.ino), 1); /* only the block holding "end" */
	ck_assert_int_eq(ofs_read(fs, a.ino, r, 3, 3 * 65536), 3);
	ck_assert_mem_eq(r, "end", 3);
	/* at most OFS_COPY_MAX a call */
	resize(f, OFS_COPY_MAX + 65536);
	ck_assert_int_eq(ofs_copy_range(fs, f, 0, g, 0, OFS_COPY_MAX + 65536, 0), OFS_COPY_MAX);
	ck_assert_uint_eq(size_of(g), OFS_COPY_MAX); /* zeros at the end left out, size kept */
	ck_assert_int_eq(ofs_copy_range(fs, OFS_ROOT_INO, 0, g, 0, 10, 0), -EISDIR);
	ck_assert_int_eq(ofs_copy_range(fs, f, 0, OFS_ROOT_INO, 0, 10, 0), -EISDIR);
	ck_assert_int_eq(ofs_copy_range(fs, f, -1, g, 0, 10, 0), -EINVAL);
	free(w);
	free(r);
}
END_TEST

/* times_are: ino's mtime and ctime are both {sec, 0}. */
static void times_are(uint64_t ino, time_t sec)
{
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, ino, &a), 0);
	ck_assert_int_eq(a.mtime.tv_sec, sec);
	ck_assert_int_eq(a.ctime.tv_sec, sec);
	ck_assert_int_eq(a.mtime.tv_nsec + a.ctime.tv_nsec, 0);
}

/* OFS_KEEP_TIMES: a write, a truncation and both fallocate modes change
 * the data and the size but leave mtime and ctime to the caller's cache;
 * without it each one stamps them. */
START_TEST(keep_times_leaves_times)
{
	struct ofs_attr t = {.mtime = {1000, 0}, .ctime = {1000, 0}, .size = 3};
	unsigned when = OFS_SET_MTIME | OFS_SET_CTIME;
	ck_assert_int_eq(ofs_setattr(fs, f, &t, when, NULL), 0);
	ck_assert_int_eq(ofs_write_kill(fs, f, "abc", 3, 70000, OFS_KEEP_TIMES, NULL, NULL), 3);
	ck_assert_uint_eq(size_of(f), 70003);
	times_are(f, 1000);
	ck_assert_int_eq(ofs_setattr(fs, f, &t, OFS_SET_SIZE | OFS_KEEP_TIMES, NULL), 0);
	ck_assert_uint_eq(size_of(f), 3);
	times_are(f, 1000);
	ck_assert_int_eq(ofs_fallocate_ex(fs, f, 0, 0, 200000, OFS_KEEP_TIMES), 0);
	ck_assert_uint_eq(size_of(f), 200000);
	times_are(f, 1000);
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, 131072), 1);
	ck_assert_int_eq(ofs_setattr(fs, f, &t, when, NULL), 0);
	ck_assert_int_eq(ofs_fallocate_ex(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
					  200000, OFS_KEEP_TIMES), 0);
	times_are(f, 1000);
	char c = 1;
	ck_assert_int_eq(ofs_read(fs, f, &c, 1, 131072), 1);
	ck_assert_int_eq(c, 0); /* punched all the same */
	ck_assert_int_eq(ofs_fallocate(fs, f, 1 << 29, 0, 1), -EOPNOTSUPP);
	ck_assert_int_eq(ofs_fallocate(fs, f, (int)OFS_KEEP_TIMES, 0, 1), -EOPNOTSUPP); /* not a mode */
	ck_assert_int_eq(ofs_write(fs, f, "y", 1, 0), 1); /* the default stamps */
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, f, &a), 0);
	ck_assert_int_gt(a.mtime.tv_sec, 1000);
	ck_assert_int_gt(a.ctime.tv_sec, 1000);
}
END_TEST

START_TEST(wrong_types_refused)
{
	char buf[16];
	struct ofs_attr a;
	ck_assert_int_eq(ofs_read(fs, OFS_ROOT_INO, buf, sizeof buf, 0), -EISDIR);
	ck_assert_int_eq(ofs_write(fs, OFS_ROOT_INO, buf, sizeof buf, 0), -EISDIR);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "p", S_IFIFO | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_write(fs, a.ino, buf, sizeof buf, 0), -EINVAL);
	ck_assert_int_eq(ofs_read(fs, 9999, buf, sizeof buf, 0), -ENOENT);
}
END_TEST

/* seek: ofs_seek from off with whence on f. */
static off_t seek(off_t off, int whence)
{
	return ofs_seek(fs, f, off, whence);
}

START_TEST(seek_data_and_hole)
{
	enum { B = 65536 };
	static unsigned char w[70000];
	struct ofs_attr a = {.size = 10 * B + 123};
	fill_pattern(w, sizeof w, 0);
	/* an empty file has neither data nor holes */
	ck_assert_int_eq(seek(0, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(seek(0, SEEK_HOLE), -ENXIO);
	/* data in block 0 (a short payload), blocks 5 and 6, hole to the end */
	ck_assert_int_eq(ofs_write(fs, f, w, 1000, 0), 1000);
	ck_assert_int_eq(ofs_write(fs, f, w, sizeof w, 5 * B), (ssize_t)sizeof w);
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_eq(seek(0, SEEK_DATA), 0);
	ck_assert_int_eq(seek(500, SEEK_DATA), 500);
	ck_assert_int_eq(seek(1000, SEEK_DATA), 1000); /* a stored block is data whole */
	ck_assert_int_eq(seek(B, SEEK_DATA), 5 * B);
	ck_assert_int_eq(seek(3 * B + 7, SEEK_DATA), 5 * B);
	ck_assert_int_eq(seek(5 * B + 9, SEEK_DATA), 5 * B + 9);
	ck_assert_int_eq(seek(6 * B + 5000, SEEK_DATA), 6 * B + 5000);
	ck_assert_int_eq(seek(7 * B, SEEK_DATA), -ENXIO); /* only the final hole left */
	ck_assert_int_eq(seek(10 * B + 122, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(seek(0, SEEK_HOLE), B);
	ck_assert_int_eq(seek(999, SEEK_HOLE), B);
	ck_assert_int_eq(seek(B, SEEK_HOLE), B);
	ck_assert_int_eq(seek(2 * B + 3, SEEK_HOLE), 2 * B + 3);
	ck_assert_int_eq(seek(5 * B, SEEK_HOLE), 7 * B);
	ck_assert_int_eq(seek(6 * B + 100, SEEK_HOLE), 7 * B);
	ck_assert_int_eq(seek(10 * B + 122, SEEK_HOLE), 10 * B + 122);
	/* at or past the size, before 0, another whence, not a file */
	ck_assert_int_eq(seek(10 * B + 123, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(seek(10 * B + 123, SEEK_HOLE), -ENXIO);
	ck_assert_int_eq(seek(20 * B, SEEK_HOLE), -ENXIO);
	ck_assert_int_eq(seek(-1, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(seek(-1, SEEK_HOLE), -ENXIO);
	ck_assert_int_eq(seek(0, SEEK_SET), -EINVAL);
	ck_assert_int_eq(ofs_seek(fs, OFS_ROOT_INO, 0, SEEK_DATA), -EINVAL);
	ck_assert_int_eq(ofs_seek(fs, 9999, 0, SEEK_DATA), -ENOENT);
	/* a block punched whole becomes a hole; a partial punch leaves data */
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 5 * B, B), 0);
	ck_assert_int_eq(seek(B, SEEK_DATA), 6 * B);
	ck_assert_int_eq(seek(5 * B, SEEK_HOLE), 5 * B);
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 6 * B, 100), 0);
	ck_assert_int_eq(seek(5 * B + 1, SEEK_DATA), 6 * B);
	clean();
	ck_assert_int_eq(seek(6 * B + 1, SEEK_HOLE), 7 * B);
}
END_TEST

START_TEST(seek_trimmed_tail_and_far_data)
{
	enum { B = 65536, N = 3 * B + 1000 };
	unsigned char *w = malloc(N);
	struct ofs_attr a = {.size = 2 * B + 500};
	fill_pattern(w, N, 0);
	/* all data: the only hole is the end, inside the last block */
	ck_assert_int_eq(ofs_write(fs, f, w, N, 0), N);
	ck_assert_int_eq(seek(0, SEEK_HOLE), N);
	ck_assert_int_eq(seek(3 * B + 999, SEEK_HOLE), N);
	ck_assert_int_eq(seek(3 * B + 999, SEEK_DATA), 3 * B + 999);
	ck_assert_int_eq(seek(N, SEEK_DATA), -ENXIO);
	/* cut inside block 2: its trimmed payload is data up to the size */
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_eq(seek(0, SEEK_HOLE), 2 * B + 500);
	ck_assert_int_eq(seek(2 * B + 499, SEEK_DATA), 2 * B + 499);
	ck_assert_int_eq(seek(2 * B + 500, SEEK_DATA), -ENXIO);
	/* grown back, the cut part is a hole up to the end */
	a.size = N;
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_eq(seek(0, SEEK_HOLE), 3 * B);
	ck_assert_int_eq(seek(3 * B, SEEK_DATA), -ENXIO);
	/* data far past a hole of 5 GiB is found at once */
	uint64_t far = 5ULL << 30;
	ck_assert_int_eq(ofs_write(fs, f, w, 10, (off_t)far), 10);
	ck_assert_int_eq(seek(3 * B, SEEK_DATA), (off_t)far);
	ck_assert_int_eq(seek(3 * B, SEEK_HOLE), 3 * B);
	ck_assert_int_eq(seek((off_t)far, SEEK_HOLE), (off_t)far + 10);
	/* an open batch is seen by its owner */
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	ck_assert_int_eq(ofs_write(fs, f, w, 10, 7 * B), 10);
	ck_assert_int_eq(seek(3 * B, SEEK_DATA), 7 * B);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	ck_assert_int_eq(seek(7 * B + 10, SEEK_HOLE), 8 * B);
	free(w);
}
END_TEST

START_TEST(relatime)
{
	struct ofs_attr a = {.atime = {100, 0}}, b;
	char buf[4];
	ck_assert_int_eq(ofs_write(fs, f, "data", 4, 0), 4);
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	ck_assert_int_eq(ofs_read(fs, f, buf, 4, 0), 4);
	ck_assert_int_eq(ofs_getattr(fs, f, &a), 0);
	ck_assert_int_gt(a.atime.tv_sec, 100); /* older than mtime: updated */
	ck_assert_int_eq(ofs_read(fs, f, buf, 4, 0), 4);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_eq(b.atime.tv_nsec, a.atime.tv_nsec); /* fresh: left alone */
	ck_assert_int_eq(b.atime.tv_sec, a.atime.tv_sec);
	a.atime = (struct timespec){100, 0}; /* a read served from a cache */
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	ck_assert_int_eq(ofs_opened(fs, f), 1);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_gt(b.atime.tv_sec, 100);
	ck_assert_int_eq(ofs_opened(fs, f), 0); /* fresh now */
	/* a stored atime far in the past, older than mtime and ctime too:
	 * no overflow working out its age */
	a.atime = a.mtime = a.ctime = (struct timespec){INT64_MIN + 2, 0};
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME | OFS_SET_MTIME | OFS_SET_CTIME, NULL), 0);
	a.mtime = a.ctime = (struct timespec){INT64_MIN, 0};
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_MTIME | OFS_SET_CTIME, NULL), 0);
	ck_assert_int_eq(ofs_opened(fs, f), 1);
	ck_assert_int_eq(ofs_opened(fs, 4242), -ENOENT);
}
END_TEST

/* OFS_OPEN_NOATIME: no read moves a stale atime, not one from the image
 * either; an explicit set still does. */
START_TEST(noatime)
{
	struct ofs_attr a = {.atime = {100, 0}}, b;
	char buf[4];
	ck_assert_int_eq(ofs_write(fs, f, "data", 4, 0), 4);
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	reopen(OFS_OPEN_NOATIME);
	ck_assert_int_eq(ofs_read(fs, f, buf, 4, 0), 4);
	ck_assert_int_eq(ofs_opened(fs, f), 0);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_eq(b.atime.tv_sec, 100);
	a.atime = (struct timespec){200, 0};
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_eq(b.atime.tv_sec, 200);
}
END_TEST

/* OFS_OPEN_NODIRATIME: opening a directory to list it leaves its stale
 * atime; a file's still moves. */
START_TEST(nodiratime)
{
	struct ofs_attr a = {.atime = {100, 0}}, d, b;
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "d", 0755, 0, 0, &d), 0);
	ck_assert_int_eq(ofs_setattr(fs, d.ino, &a, OFS_SET_ATIME, NULL), 0);
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	reopen(OFS_OPEN_NODIRATIME);
	ck_assert_int_eq(ofs_opened(fs, d.ino), 0);
	ck_assert_int_eq(ofs_getattr(fs, d.ino, &b), 0);
	ck_assert_int_eq(b.atime.tv_sec, 100);
	ck_assert_int_eq(ofs_opened(fs, f), 1);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_gt(b.atime.tv_sec, 100);
}
END_TEST

/* drop_image_cache: the image's unmapped pages out of the page cache, so
 * that the next read of a committed block waits for the disk. */
static void drop_image_cache(void)
{
	int fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fdatasync(fd), 0);
	ck_assert_int_eq(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
	close(fd);
}

/* OFS_READ_NOWAIT: a read that must come from the disk says -EAGAIN (its
 * atime moved all the same) and starts it, so the read that completes it
 * (OFS_READ_NOATIME, atime left alone) or a later NOWAIT one gets the
 * bytes; a cached read is served at once.  Where the host's file system
 * cannot tell (tmpfs: EOPNOTSUPP), NOWAIT waits instead. */
START_TEST(read_nowait)
{
	enum { N = 1 << 20 };
	unsigned char *w = malloc(N), *r = malloc(N);
	for (size_t i = 0; i < N; i++)
		w[i] = (unsigned char)(i * 7 + i / 4096);
	ck_assert_int_eq(ofs_write(fs, f, w, N, 0), N);
	reopen(0); /* committed: its blocks are read from the image file */
	struct ofs_attr a = {.atime = {100, 0}}, b;
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	drop_image_cache();
	struct statfs sf;
	ck_assert_int_eq(statfs(dir, &sf), 0);
	int told = sf.f_type != TMPFS_MAGIC; /* tmpfs cannot tell */
	ssize_t n = ofs_read_ex(fs, f, r, 4096, 300 * 1024, OFS_READ_NOWAIT);
	ck_assert_int_eq(n, told ? -EAGAIN : 4096);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_gt(b.atime.tv_sec, 100); /* counted as read */
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_ATIME, NULL), 0);
	ck_assert_int_eq(ofs_read_ex(fs, f, r, 4096, 300 * 1024, OFS_READ_NOATIME), 4096);
	ck_assert_mem_eq(r, w + 300 * 1024, 4096);
	ck_assert_int_eq(ofs_getattr(fs, f, &b), 0);
	ck_assert_int_eq(b.atime.tv_sec, 100);
	ck_assert_int_eq(ofs_read_ex(fs, f, r, 4096, 300 * 1024, OFS_READ_NOWAIT), 4096);
	ck_assert_mem_eq(r, w + 300 * 1024, 4096);
	/* a whole file's read: told apart; once a read that waits has
	 * brought it, served at once */
	drop_image_cache();
	n = ofs_read_ex(fs, f, r, N, 0, OFS_READ_NOWAIT);
	ck_assert(n == (told ? -EAGAIN : N));
	ck_assert_int_eq(ofs_read_ex(fs, f, r, N, 0, OFS_READ_NOATIME), N);
	memset(r, 0, N);
	ck_assert_int_eq(ofs_read_ex(fs, f, r, N, 0, OFS_READ_NOWAIT), N);
	ck_assert_mem_eq(r, w, N);
	free(w);
	free(r);
}
END_TEST

/* Concurrency: readers see whole writes only. */
struct race {
	int stop;
	int bad;
};

/* small_image: reopen fs on a fresh image whose map is map bytes. */
static void small_image(size_t map)
{
	struct ofs_mkfs_opts o = {.map_size = map, .force = 1, .hash = hash};
	ofs_close(fs);
	ck_assert_int_eq(ofs_mkfs(img, &o), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}

/* fill: append chunk-byte writes to ino from *off until one fails; the
 * error it failed with (*off is then the end written). */
static ssize_t fill(uint64_t ino, uint64_t *off, size_t chunk)
{
	static unsigned char buf[65536];
	ssize_t n;
	while ((n = ofs_write(fs, ino, buf, chunk, (off_t)*off)) > 0)
		*off += (uint64_t)n;
	return n;
}

/* reader: read the file over and over; every snapshot is one pattern. */
static void *reader(void *arg)
{
	struct race *r = arg;
	static __thread unsigned char buf[65536 * 3];
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		ssize_t n = ofs_read(fs, f, buf, sizeof buf, 0);
		if (n != (ssize_t)sizeof buf) {
			r->bad++;
			continue;
		}
		for (size_t i = 1; i < sizeof buf; i++)
			if (buf[i] != buf[0]) {
				r->bad++;
				break;
			}
	}
	return NULL;
}

START_TEST(concurrent_readers_see_whole_writes)
{
	static unsigned char buf[65536 * 3];
	struct race r = {0};
	pthread_t t[2];
	memset(buf, 0, sizeof buf);
	ck_assert_int_eq(ofs_write(fs, f, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader, &r);
	for (int round = 1; round < 200; round++) {
		memset(buf, round, sizeof buf);
		ck_assert_int_eq(ofs_write(fs, f, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(r.bad, 0);
}
END_TEST

START_TEST(durable_after_sync)
{
	ck_assert_int_eq(ofs_write(fs, f, "keep", 4, 0), 4);
	ck_assert_int_eq(ofs_sync(fs), 0);
	ofs_close(fs);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_SYNC), 0);
	char buf[4];
	ck_assert_int_eq(ofs_read(fs, f, buf, 4, 0), 4);
	ck_assert_int_eq(memcmp(buf, "keep", 4), 0);
	ck_assert_int_eq(ofs_write(fs, f, "more", 4, 4), 4);
}
END_TEST

START_TEST(full_image_fails_cleanly)
{
	static unsigned char buf[65536];
	struct ofs_attr a;
	small_image(2 << 20);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "f", S_IFREG | 0644, 0, 0, 0, &a), 0);
	uint64_t off = 0;
	ck_assert_int_eq(fill(a.ino, &off, sizeof buf), -ENOSPC);
	ck_assert_uint_gt(off, 1 << 20);
	ck_assert_uint_eq(size_of(a.ino), off); /* the failed write left no trace */
	clean();
	/* on a tight image a punch commits what it freed apart; its edge
	 * blocks, rewritten, must not make it go round for ever */
	ck_assert_int_eq(ofs_fallocate(fs, a.ino, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1000,
				       3 * OFS_BLOCK), 0);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", NULL), 0);
	ck_assert_int_eq(ofs_evict(fs, a.ino), 0);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "g", S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_write(fs, a.ino, buf, sizeof buf, 0), (ssize_t)sizeof buf);
}
END_TEST

/* An image filled to its last page by writes still takes a deletion:
 * the reserve the writes leave is room that can hold the value in which
 * the deletion's commit records the pages it frees, not free pages
 * scattered between small files, which cannot. */
START_TEST(full_image_keeps_room_to_delete)
{
	static unsigned char buf[65536];
	struct ofs_attr a;
	char name[16];
	small_image(16 << 20);
	for (int i = 0; i < 400; i++) { /* 2-page values side by side ... */
		snprintf(name, sizeof name, "s%d", i);
		ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
		ck_assert_int_eq(ofs_write(fs, a.ino, buf, 4096, 0), 4096);
	}
	for (int i = 0; i < 400; i += 2) { /* ... every other one freed */
		snprintf(name, sizeof name, "s%d", i);
		ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, name, &a), 0);
		ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, name, NULL), 0);
		ck_assert_int_eq(ofs_evict(fs, a.ino), 0);
	}
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "f", S_IFREG | 0644, 0, 0, 0, &a), 0);
	uint64_t off = 0;
	ck_assert_int_eq(fill(a.ino, &off, sizeof buf), -ENOSPC);
	ck_assert_int_eq(fill(a.ino, &off, 4096), -ENOSPC); /* to the last page */
	ck_assert_uint_gt(off, 8 << 20);
	struct ofs_attr t = {.size = 0};
	ck_assert_int_eq(ofs_setattr(fs, a.ino, &t, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_eq(ofs_write(fs, a.ino, buf, sizeof buf, 0), (ssize_t)sizeof buf);
	clean();
}
END_TEST

/* crash_writer: in a child, append 4 KiB records to f (record i all bytes
 * i % 251 + 1) from record `from` on, syncing every 8 and reporting each
 * synced count on fd; runs until killed. */
static void crash_writer(int fd, uint32_t from)
{
	unsigned char rec[4096];
	ofs *cfs;
	if (ofs_open(&cfs, img, 0))
		_exit(3);
	for (uint32_t i = from;; i++) {
		memset(rec, (int)(i % 251 + 1), sizeof rec);
		if (ofs_write(cfs, f, rec, sizeof rec, (off_t)i * 4096) != 4096)
			_exit(4);
		if (i % 8 == 7) {
			uint32_t done = i + 1;
			if (ofs_sync(cfs) || write(fd, &done, sizeof done) != sizeof done)
				_exit(5);
		}
	}
}

START_TEST(sigkill_keeps_synced_data_and_a_clean_image)
{
	unsigned char rec[4096];
	uint32_t synced = 0;
	ofs_close(fs);
	fs = NULL;
	for (int cycle = 0; cycle < 5; cycle++) {
		int p[2], status;
		uint32_t got = 0, from = synced;
		ck_assert_int_eq(pipe(p), 0);
		pid_t pid = fork();
		ck_assert_int_ge(pid, 0);
		if (pid == 0) {
			close(p[0]);
			crash_writer(p[1], from);
		}
		close(p[1]);
		/* kill once it has synced 40 more records: it is mid-write by then */
		while (got < from + 40 + (uint32_t)cycle * 8)
			ck_assert_int_eq(read(p[0], &got, sizeof got), sizeof got);
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert(WIFSIGNALED(status));
		close(p[0]);
		synced = got;
		struct ofs_fsck_report r;
		ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
		ck_assert_uint_eq(r.problems, 0);
		ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
		ck_assert_uint_ge(size_of(f), (uint64_t)synced * 4096);
		for (uint32_t i = 0; i < synced; i++) {
			ck_assert_int_eq(ofs_read(fs, f, rec, sizeof rec, (off_t)i * 4096), 4096);
			ck_assert_uint_eq(rec[0], i % 251 + 1);
			ck_assert_uint_eq(rec[4095], i % 251 + 1);
		}
		ofs_close(fs);
		fs = NULL;
	}
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
}
END_TEST

/* Sector overlays (format 3): whole-sector writes into full blocks. */

enum { OV_SIZE = 4 * 65536 };
static unsigned char ov_want[OV_SIZE]; /* what the file of the overlay tests must hold */

/* count_ino: records callback: count the records of ino (keys start with
 * it, big-endian). */
struct ino_count {
	uint64_t ino;
	unsigned n;
};
static void count_ino(const MDB_val *k, const MDB_val *v, void *arg)
{
	struct ino_count *c = arg;
	(void)v;
	c->n += ofs_be64(k->mv_data) == c->ino;
}

/* ovl_count: the overlays stored for ino. */
static unsigned ovl_count(uint64_t ino)
{
	struct ino_count c = {ino, 0};
	records(fs->overlay, count_ino, &c);
	return c.n;
}

/* ov_start: f holds OV_SIZE pattern bytes in four full blocks. */
static void ov_start(void)
{
	fill_pattern(ov_want, OV_SIZE, 0);
	ck_assert(fs->has_overlay);
	ck_assert_int_eq(ofs_write(fs, f, ov_want, OV_SIZE, 0), OV_SIZE);
}

/* ov_sector: write sector s of block b of f, filled with byte c. */
static void ov_sector(unsigned b, unsigned s, int c)
{
	uint64_t off = (uint64_t)b * 65536 + s * 4096;
	memset(ov_want + off, c, 4096);
	ck_assert_int_eq(ofs_write(fs, f, ov_want + off, 4096, (off_t)off), 4096);
}

/* ov_check: f reads back as ov_want, whole and in odd spans. */
static void ov_check(uint64_t size)
{
	static unsigned char r[OV_SIZE];
	ck_assert_uint_eq(size_of(f), size);
	ck_assert_int_eq(ofs_read(fs, f, r, OV_SIZE, 0), (int)size);
	ck_assert_int_eq(memcmp(r, ov_want, size), 0);
	for (uint64_t off = 1000; off + 9000 < size; off += 13001) {
		ck_assert_int_eq(ofs_read(fs, f, r, 9000, (off_t)off), 9000);
		ck_assert_int_eq(memcmp(r, ov_want + off, 9000), 0);
	}
}

START_TEST(overlays_merge_on_read)
{
	ov_start();
	uint64_t units = blocks_of(f);
	ov_sector(0, 1, 'a');
	ov_sector(0, 3, 'b');
	ov_sector(2, 15, 'c');
	ov_sector(0, 1, 'd'); /* the same sector again replaces its overlay */
	ck_assert_uint_eq(ovl_count(f), 3);
	ck_assert_uint_eq(blocks_of(f), units);
	ov_check(OV_SIZE);
	/* a two-sector write across a sector boundary: two overlays */
	memset(ov_want + 65536 + 8192, 'e', 8192);
	ck_assert_int_eq(ofs_write(fs, f, ov_want + 65536 + 8192, 8192, 65536 + 8192), 8192);
	ck_assert_uint_eq(ovl_count(f), 5);
	clean(); /* fsck passes, and the overlays survive a reopen */
	ck_assert_uint_eq(ovl_count(f), 5);
	ov_check(OV_SIZE);
}
END_TEST

START_TEST(overlays_fold)
{
	ov_start();
	for (unsigned s = 0; s < OFS_OVL_MAX; s++)
		ov_sector(1, s * 2 % 16, 'A' + (int)s);
	ck_assert_uint_eq(ovl_count(f), OFS_OVL_MAX);
	ov_sector(1, 1, 'z'); /* one more than a block may gather: folded */
	ck_assert_uint_eq(ovl_count(f), 0);
	ov_check(OV_SIZE);
	/* an unaligned write folds the overlays of its block first */
	ov_sector(3, 4, 'q');
	ov_sector(3, 5, 'r');
	ck_assert_uint_eq(ovl_count(f), 2);
	memset(ov_want + 3 * 65536 + 4090, 's', 20);
	ck_assert_int_eq(ofs_write(fs, f, ov_want + 3 * 65536 + 4090, 20, 3 * 65536 + 4090), 20);
	ck_assert_uint_eq(ovl_count(f), 0);
	ov_check(OV_SIZE);
	/* so does a write of the whole block, which needs none of them */
	ov_sector(2, 0, 't');
	fill_pattern(ov_want + 2 * 65536, 65536, 7);
	ck_assert_int_eq(ofs_write(fs, f, ov_want + 2 * 65536, 65536, 2 * 65536), 65536);
	ck_assert_uint_eq(ovl_count(f), 0);
	ov_check(OV_SIZE);
	clean();
	ov_check(OV_SIZE);
}
END_TEST

START_TEST(overlays_truncate_and_punch)
{
	struct ofs_attr a = {0};
	ov_start();
	for (unsigned b = 0; b < 4; b++) {
		ov_sector(b, 0, 'a' + (int)b);
		ov_sector(b, 9, 'k' + (int)b);
	}
	ck_assert_uint_eq(ovl_count(f), 8);
	/* a punch inside block 0 folds it; zeros read back */
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2048, 8192), 0);
	memset(ov_want + 2048, 0, 8192);
	ck_assert_uint_eq(ovl_count(f), 6);
	ov_check(OV_SIZE);
	/* truncating into block 2 folds it into a shorter payload; block 3
	 * goes with its overlays */
	a.size = 2 * 65536 + 40000;
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_uint_eq(ovl_count(f), 2);
	ov_check(a.size);
	/* growing again reads zeros where the overlays were */
	memset(ov_want + a.size, 0, OV_SIZE - a.size);
	a.size = OV_SIZE;
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ov_check(OV_SIZE);
	clean();
	ov_check(OV_SIZE);
	/* unlink and evict drop the rest */
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", NULL), 0);
	ck_assert_int_eq(ofs_evict(fs, f), 0);
	ck_assert_uint_eq(ovl_count(f), 0);
	clean();
}
END_TEST

START_TEST(overlays_seek)
{
	enum { B = 65536 };
	struct ofs_attr a = {.size = 6 * B};
	ov_start();
	ov_sector(1, 3, 'x');
	ov_sector(3, 15, 'y');
	ck_assert_uint_eq(ovl_count(f), 2);
	/* overlays sit on stored blocks: still one run of data */
	ck_assert_int_eq(seek(0, SEEK_HOLE), OV_SIZE);
	ck_assert_int_eq(seek(B + 3 * 4096 + 5, SEEK_DATA), B + 3 * 4096 + 5);
	ck_assert_int_eq(seek(3 * B + 15 * 4096, SEEK_HOLE), OV_SIZE);
	/* a block punched whole between two with overlays */
	ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2 * B, B), 0);
	ck_assert_uint_eq(ovl_count(f), 2);
	ck_assert_int_eq(seek(0, SEEK_HOLE), 2 * B);
	ck_assert_int_eq(seek(2 * B, SEEK_DATA), 3 * B);
	ck_assert_int_eq(seek(3 * B + 5, SEEK_HOLE), OV_SIZE);
	/* a final hole after the last block of overlays */
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_eq(seek(3 * B, SEEK_HOLE), 4 * B);
	ck_assert_int_eq(seek(4 * B, SEEK_DATA), -ENXIO);
	ck_assert_int_eq(seek(4 * B, SEEK_HOLE), 4 * B);
	clean();
	ck_assert_uint_eq(ovl_count(f), 2);
	ck_assert_int_eq(seek(B, SEEK_HOLE), 2 * B);
	ck_assert_int_eq(seek(B + 1, SEEK_DATA), B + 1);
}
END_TEST

/* ovl_poke: xor byte at of the overlay record of sector s of block b of f,
 * or with at past the record, store a copy under inode ino instead. */
static void ovl_poke(unsigned b, unsigned s, size_t at, uint64_t ino)
{
	MDB_txn *txn;
	unsigned char kb[OFS_OVL_KEY], copy[OFS_OVL_VAL];
	MDB_val key = {sizeof kb, kb}, v;
	ofs_put_be64(kb, f);
	ofs_put_be64(kb + 8, b);
	kb[16] = (unsigned char)s;
	ck_assert_int_eq(mdb_txn_begin(ofs_env(fs), NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_get(txn, fs->overlay, &key, &v), 0);
	ck_assert_uint_eq(v.mv_size, sizeof copy);
	memcpy(copy, v.mv_data, sizeof copy);
	if (at < sizeof copy)
		copy[at] ^= 0x40;
	else
		ofs_put_be64(kb, ino);
	v.mv_data = copy;
	ck_assert_int_eq(mdb_put(txn, fs->overlay, &key, &v, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
}

START_TEST(overlays_damage_found)
{
	unsigned char r[4096];
	struct ofs_fsck_report rep;
	ov_start();
	ov_sector(1, 2, 'x');
	ov_sector(1, 3, 'y');
	ovl_poke(1, 2, OFS_DIGEST + 100, 0);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 8192), -ORION_ECHECKSUM);
	ck_assert_int_eq(ofs_read(fs, f, r, 4096, 65536 + 12288), 4096);
	/* a fold must not bless the damage either */
	ck_assert_int_eq(ofs_write(fs, f, "x", 1, 65536 + 5), -ORION_ECHECKSUM);
	/* an overlay of a missing file is dropped by a repair */
	ovl_poke(1, 3, SIZE_MAX, 4242);
	ofs_close(fs);
	ck_assert_int_eq(ofs_fsck(img, OFS_FSCK_REPAIR, NULL, NULL, &rep), 0);
	ck_assert_uint_eq(rep.problems, 2);
	ck_assert_uint_eq(rep.repaired, 1);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_uint_eq(ovl_count(4242), 0);
	/* rewriting the sector replaces the damaged overlay */
	ov_sector(1, 2, 'w');
	ov_check(OV_SIZE);
	clean();
}
END_TEST

/* huge_file: ino filled with mb MiB of pattern, and its second and last
 * sectors overwritten (as overlays) with the pattern of the last MiB. */
static void huge_file(uint64_t ino, int mb)
{
	static unsigned char buf[1 << 20];
	for (int i = 0; i < mb; i++) {
		fill_pattern(buf, sizeof buf, (uint64_t)i << 20);
		ck_assert_int_eq(ofs_write(fs, ino, buf, sizeof buf, (off_t)i << 20), (ssize_t)sizeof buf);
	}
	ck_assert_int_eq(ofs_write(fs, ino, buf, OFS_SECTOR, OFS_SECTOR), OFS_SECTOR);
	ck_assert_int_eq(ofs_write(fs, ino, buf, OFS_SECTOR, ((off_t)mb << 20) - OFS_SECTOR),
			 OFS_SECTOR);
}

/* Deleting a cold file's overlays asks for their first pages at once,
 * as for its blocks: they do not fault in one by one. */
START_TEST(cut_reads_overlay_heads_ahead)
{
	enum { BLOCKS = 64, SIZE = BLOCKS * 65536, PER = 6 };
	unsigned char *buf = malloc(SIZE);
	fill_pattern(buf, SIZE, 0);
	ck_assert_int_eq(ofs_write(fs, f, buf, SIZE, 0), SIZE);
	for (int b = 0; b < BLOCKS; b++)
		for (int s = 0; s < PER; s++)
			ck_assert_int_eq(ofs_write(fs, f, buf, 4096, (off_t)b * 65536 + s * 4096), 4096);
	ck_assert_uint_eq(ovl_count(f), BLOCKS * PER);
	ofs_close(fs); /* a fresh map, out of the page cache */
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
	struct ofs_attr a = {.size = 0};
	long f0 = majflt();
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	ck_assert_int_lt(majflt() - f0, BLOCKS * PER / 8);
	ck_assert_uint_eq(ovl_count(f), 0);
	free(buf);
}
END_TEST

/* A file whose deletion frees more than one commit may free goes in
 * steps (the free list of one big commit could not be written on a full
 * disk): each step leaves a shorter orphan that fsck finds sound, the
 * next step or open goes on, and ofs_evict takes all the steps at once;
 * a truncation of such a file, or punching it out, too. */
START_TEST(huge_file_freed_in_steps)
{
	enum { MB = 40 };
	struct ofs_fsck_report r;
	struct ofs_attr a;
	MDB_txn *txn;
	huge_file(f, MB);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", NULL), 0);
	struct ofs_inode node;
	ck_assert_int_eq(ofs_wtxn(fs, &txn), 0);
	ck_assert_int_eq(ofs_inode_get(fs, txn, f, &node), 0);
	ck_assert_int_eq(ofs_finish(fs, txn, ofs_inode_destroy(fs, txn, &node)), 1);
	uint64_t left = size_of(f);
	ck_assert_uint_eq(left % OFS_BLOCK, 0);
	ck_assert_uint_gt(left, 0);
	ck_assert_uint_ge(left, ((uint64_t)MB << 20) - (uint64_t)OFS_FREE_PAGES * OFS_SECTOR);
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0); /* frees the rest */
	ck_assert_int_eq(ofs_getattr(fs, f, &a), -ENOENT);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "g", S_IFREG | 0644, 0, 0, 0, &a), 0);
	huge_file(a.ino, MB);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "g", NULL), 0);
	ck_assert_int_eq(ofs_evict(fs, a.ino), 0);
	ck_assert_int_eq(ofs_getattr(fs, a.ino, &a), -ENOENT);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "h", S_IFREG | 0644, 0, 0, 0, &a), 0);
	huge_file(a.ino, MB);
	unsigned char want[OFS_SECTOR + 100], got[sizeof want];
	fill_pattern(want, sizeof want, 0);
	fill_pattern(want + OFS_SECTOR, 100, (uint64_t)(MB - 1) << 20); /* the overlay */
	struct ofs_attr to = {.size = sizeof want};
	ck_assert_int_eq(ofs_setattr(fs, a.ino, &to, OFS_SET_SIZE, &a), 0);
	ck_assert_uint_eq(a.size, sizeof want);
	ck_assert_int_eq(ofs_read(fs, a.ino, got, sizeof got + 10, 0), (ssize_t)sizeof got);
	ck_assert_mem_eq(got, want, sizeof want);
	ck_assert_uint_le(blocks_of(a.ino), OFS_BLOCK / 512);
	/* punching the whole of a big sparse file: steps too, holes skipped */
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "p", S_IFREG | 0644, 0, 0, 0, &a), 0);
	huge_file(a.ino, MB);
	ck_assert_int_eq(ofs_write(fs, a.ino, "far", 3, 1LL << 40), 3);
	MDB_envinfo e0, e1;
	ck_assert_int_eq(mdb_env_info(ofs_env(fs), &e0), 0);
	ck_assert_int_eq(ofs_fallocate(fs, a.ino, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 100,
				       1LL << 41), 0);
	ck_assert_int_eq(mdb_env_info(ofs_env(fs), &e1), 0);
	ck_assert_uint_ge(e1.me_last_txnid - e0.me_last_txnid, 2);
	ck_assert_uint_eq(size_of(a.ino), (1ULL << 40) + 3);
	ck_assert_uint_le(blocks_of(a.ino), OFS_BLOCK / 512);
	ck_assert_int_eq(ofs_read(fs, a.ino, got, sizeof got, 0), (ssize_t)sizeof got);
	ck_assert_mem_eq(got, want, 100);
	for (size_t i = 100; i < sizeof got; i++)
		ck_assert_uint_eq(got[i], 0);
	ck_assert_int_eq(ofs_read(fs, a.ino, got, 3, 1LL << 40), 3);
	ck_assert_mem_eq(got, "\0\0\0", 3);
	/* a transaction that freed its share still deletes what has no data */
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "d", 0755, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_wtxn(fs, &txn), 0);
	ck_assert_int_eq(ofs_inode_get(fs, txn, a.ino, &node), 0);
	fs->freed = OFS_FREE_PAGES;
	ck_assert_int_eq(ofs_inode_destroy(fs, txn, &node), 0);
	mdb_txn_abort(txn);
	clean();
}
END_TEST

/* An orphan entry whose inode is gone (nothing to free) goes at the
 * next open all the same, with the real orphans. */
START_TEST(stale_orphan_entry_dropped)
{
	MDB_txn *txn;
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "f", NULL), 0); /* f: a real orphan */
	ck_assert_int_eq(ofs_wtxn(fs, &txn), 0);
	ck_assert_int_eq(ofs_orphan_add(fs, txn, f + 1000, 0), 0); /* no such inode */
	ck_assert_int_eq(ofs_finish(fs, txn, 0), 0);
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	struct ofs_attr a;
	ck_assert_int_eq(ofs_getattr(fs, f, &a), -ENOENT);
	clean(); /* no orphan entry left without its inode */
}
END_TEST

/* crash_after_first_step: run call on the image in a child that dies
 * right after the call's first commit, as a crash would (and must: a
 * call in one commit leaves nothing to test); fsck then finds the image
 * sound, and fs is left open read-only, which finishes nothing. */
static void crash_after_first_step(void (*call)(void))
{
	struct ofs_fsck_report r;
	int st;
	ofs_close(fs);
	fs = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (ofs_open(&fs, img, 0))
			_exit(1);
		ofs_fault_steps = 1;
		call();
		_exit(2);
	}
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), OFS_FAULT_EXIT);
	ck_assert_int_eq(ofs_fsck(img, 0, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.problems, 0);
	ck_assert_int_eq(ofs_open(&fs, img, OFS_OPEN_RDONLY), 0);
}

/* truncate_f: cut f to 5000 bytes. */
static void truncate_f(void)
{
	struct ofs_attr to = {.size = 5000};
	ofs_setattr(fs, f, &to, OFS_SET_SIZE, NULL);
}

/* punch_f: punch f out whole. */
static void punch_f(void)
{
	ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)size_of(f));
}

/* A truncation that takes several commits, cut short by a crash, is
 * found part-done (but sound) and finished by the next read-write open,
 * as a local file system's journal would. */
START_TEST(crash_mid_truncate_finished_at_open)
{
	unsigned char want[5000], got[sizeof want];
	huge_file(f, 40);
	crash_after_first_step(truncate_f);
	ck_assert_uint_gt(size_of(f), sizeof want); /* part-done */
	reopen(0);
	ck_assert_uint_eq(size_of(f), sizeof want);
	fill_pattern(want, sizeof want, 0);
	fill_pattern(want + OFS_SECTOR, sizeof want - OFS_SECTOR, (uint64_t)39 << 20); /* the overlay */
	ck_assert_int_eq(ofs_read(fs, f, got, sizeof got, 0), (ssize_t)sizeof got);
	ck_assert_mem_eq(got, want, sizeof want);
	ck_assert_uint_le(blocks_of(f), OFS_BLOCK / 512);
	clean();
	ck_assert_uint_eq(size_of(f), sizeof want);
}
END_TEST

/* The same for punching out a huge range. */
START_TEST(crash_mid_punch_finished_at_open)
{
	unsigned char got[4096], zero[sizeof got] = {0};
	huge_file(f, 40);
	crash_after_first_step(punch_f);
	uint64_t left = blocks_of(f);
	ck_assert_uint_gt(left, 0); /* part-done */
	reopen(0);
	ck_assert_uint_eq(blocks_of(f), 0);
	ck_assert_uint_eq(size_of(f), (uint64_t)40 << 20);
	ck_assert_int_eq(ofs_read(fs, f, got, sizeof got, (off_t)39 << 20), (ssize_t)sizeof got);
	ck_assert_mem_eq(got, zero, sizeof got);
	clean();
}
END_TEST

/* Several unfinished calls, each taking steps of its own at open (which
 * record and unrecord it again): all are finished. */
START_TEST(several_pending_calls_finished)
{
	MDB_txn *txn;
	struct ofs_attr a;
	struct ofs_key k;
	unsigned char v[OFS_PENDING_VAL] = {OFS_PENDING_TRUNCATE}, w[OFS_PENDING_VAL] = {0};
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "g", S_IFREG | 0644, 0, 0, 0, &a), 0);
	huge_file(f, 40);
	huge_file(a.ino, 40);
	w[0] = OFS_PENDING_PUNCH; /* all of g: offset 0, length 40 MiB */
	ofs_put_le64(w + 9, (uint64_t)40 << 20);
	MDB_val key = ofs_key1(&k, f), val = {sizeof v, v};
	ck_assert_int_eq(ofs_wtxn(fs, &txn), 0);
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0); /* f to size 0 */
	key = ofs_key1(&k, a.ino), val.mv_data = w;
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	ck_assert_int_eq(ofs_finish(fs, txn, 0), 0);
	reopen(0);
	ck_assert_uint_eq(size_of(f), 0);
	ck_assert_uint_eq(blocks_of(a.ino), 0);
	ck_assert_uint_eq(size_of(a.ino), (uint64_t)40 << 20);
	clean();
}
END_TEST

/* Records of calls that cannot be finished (no such inode, not a file,
 * malformed) are dropped at the next read-write open. */
START_TEST(moot_pending_records_dropped)
{
	MDB_txn *txn;
	MDB_stat st;
	struct ofs_key k;
	unsigned char v[OFS_PENDING_VAL] = {OFS_PENDING_TRUNCATE};
	MDB_val key = ofs_key1(&k, f + 1000), val = {sizeof v, v};
	ck_assert_int_eq(ofs_wtxn(fs, &txn), 0);
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	key = ofs_key1(&k, OFS_ROOT_INO);
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	key = ofs_key1(&k, f), val.mv_size = 3; /* malformed: f stays as it is */
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	key.mv_size = 3; /* a malformed key */
	ck_assert_int_eq(mdb_put(txn, fs->pending, &key, &val, 0), 0);
	ck_assert_int_eq(ofs_finish(fs, txn, 0), 0);
	ck_assert_int_eq(ofs_write(fs, f, "data", 4, 0), 4);
	reopen(0);
	ck_assert_uint_eq(size_of(f), 4);
	ck_assert_int_eq(ofs_rtxn(fs, &txn), 0);
	ck_assert_int_eq(mdb_stat(txn, fs->pending, &st), 0);
	ofs_rtxn_done(fs, txn);
	ck_assert_uint_eq(st.ms_entries, 0);
	clean();
}
END_TEST

/* A model of f for random_calls_match_a_model: its bytes (zeros past its
 * size, as a file reads) and its size. */
enum { MODEL_MAX = 20 * 65536 + 5000 };
static unsigned char model[MODEL_MAX];
static size_t model_size;

/* model_resize: f and its model cut or grown (with zeros) to size. */
static void model_resize(size_t size)
{
	struct ofs_attr a = {.size = size};
	ck_assert_int_eq(ofs_setattr(fs, f, &a, OFS_SET_SIZE, NULL), 0);
	if (size < model_size)
		memset(model + size, 0, model_size - size);
	model_size = size;
}

/* model_check: f reads as its model, whole and in a random piece. */
static void model_check(uint64_t *s)
{
	static unsigned char r[MODEL_MAX];
	ck_assert_uint_eq(size_of(f), model_size);
	ck_assert_int_eq(ofs_read(fs, f, r, MODEL_MAX, 0), (ssize_t)model_size);
	ck_assert_int_eq(memcmp(r, model, model_size), 0);
	size_t off = (size_t)(unit_rand(s) % MODEL_MAX), n = 1 + (size_t)(unit_rand(s) % 70000);
	n = off + n > MODEL_MAX ? MODEL_MAX - off : n;
	ssize_t want = off >= model_size ? 0 : (ssize_t)(off + n < model_size ? n : model_size - off);
	ck_assert_int_eq(ofs_read(fs, f, r, n, (off_t)off), want);
	ck_assert_int_eq(memcmp(r, model + off, (size_t)want), 0);
}

/* model_zero: zero [off, off + n) of the model, growing it unless keep. */
static void model_zero(size_t off, size_t n, int keep)
{
	size_t end = keep && off + n > model_size ? model_size : off + n;
	if (off < end)
		memset(model + off, 0, end - off);
	if (!keep && off + n > model_size)
		model_size = off + n;
}

/* model_step: one random call on f, mirrored in the model: writes of
 * whole sectors (overlays, and their folding), of odd spans and of many
 * blocks; truncation; punched holes (with zero, a third of them zeroed
 * ranges instead); allocation. */
static void model_step(uint64_t *s, unsigned op, int zero)
{
	static unsigned char buf[MODEL_MAX];
	unsigned kind = (unsigned)(unit_rand(s) % 100);
	size_t off = (size_t)(unit_rand(s) % MODEL_MAX), n;
	if (kind < 35) { /* one to three whole sectors */
		off -= off % 4096;
		n = 4096 * (1 + (size_t)(unit_rand(s) % 3));
	} else if (kind < 60) {
		n = 1 + (size_t)(unit_rand(s) % 20000);
	} else if (kind < 68) {
		n = 1 + (size_t)(unit_rand(s) % 300000);
	} else if (kind < 76) {
		model_resize(kind < 72 ? off : off - off % 65536);
		return;
	} else {
		n = 1 + (size_t)(unit_rand(s) % 200000);
	}
	n = off + n > MODEL_MAX ? MODEL_MAX - off : n;
	if (kind < 68) {
		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)(op * 31 + i * 7 + (i >> 12));
		ck_assert_int_eq(ofs_write(fs, f, buf, n, (off_t)off), (ssize_t)n);
		if (off > model_size)
			memset(model + model_size, 0, off - model_size);
		memcpy(model + off, buf, n);
		model_size = off + n > model_size ? off + n : model_size;
	} else if (zero && kind >= 83 && kind < 90) {
		int keep = kind % 2 ? FALLOC_FL_KEEP_SIZE : 0;
		ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_ZERO_RANGE | keep, (off_t)off, (off_t)n), 0);
		model_zero(off, n, keep);
	} else if (kind < 90) {
		ck_assert_int_eq(ofs_fallocate(fs, f, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					       (off_t)off, (off_t)n), 0);
		model_zero(off, n, 1);
	} else {
		ck_assert_int_eq(ofs_fallocate(fs, f, kind < 95 ? 0 : FALLOC_FL_KEEP_SIZE,
					       (off_t)off, (off_t)n), 0);
		if (kind < 95 && off + n > model_size)
			model_size = off + n;
	}
}

/* model_run: from seed s, random writes, truncations, holes (with zero,
 * zeroed ranges too) and allocations, in and out of group commit, read
 * back against a model after every few calls; every few hundred, fsck
 * passes and the image, reopened with nothing cached, still reads as the
 * model. */
static void model_run(uint64_t s, int zero)
{
	memset(model, 0, sizeof model);
	model_size = 0;
	for (unsigned op = 0; op < 2000; op++) {
		if (op % 200 == 100)
			ck_assert_int_eq(ofs_batch(fs, 1), 0);
		model_step(&s, op, zero);
		if (op % 25 == 24)
			model_check(&s);
		if (op % 200 == 199) {
			ck_assert_int_eq(ofs_batch(fs, 0), 0);
			clean();
			ck_assert_int_eq(posix_fadvise(fs->lockfd, 0, 0, POSIX_FADV_DONTNEED), 0);
			model_check(&s);
		}
	}
}

START_TEST(random_calls_match_a_model)
{
	model_run(33, 0); /* its 200th call, in a batch, left the file short of free pages */
}
END_TEST

/* The same with zeroed ranges (FALLOC_FL_ZERO_RANGE) among the holes. */
START_TEST(random_zero_ranges_match_a_model)
{
	model_run(34, 1);
}
END_TEST

/* tcase: every data test, on images made by fixture. */
static TCase *tcase(const char *name, void (*fixture)(void))
{
	TCase *t = tcase_create(name);
	tcase_add_checked_fixture(t, fixture, teardown);
	tcase_set_timeout(t, 120);
	tcase_add_test(t, write_read_unaligned);
	tcase_add_test(t, holes_and_large_offsets);
	tcase_add_test(t, truncate_down_and_up);
	tcase_add_test(t, fallocate_modes);
	tcase_add_test(t, fallocate_zero_range);
	tcase_add_test(t, random_calls_match_a_model);
	tcase_add_test(t, random_zero_ranges_match_a_model);
	tcase_add_test(t, checksums_catch_damage);
	tcase_add_test(t, read_leaves_data_unmapped);
	tcase_add_test(t, map_faults_read_one_page);
	tcase_add_test(t, readdir_reads_leaves_ahead);
	tcase_add_test(t, ahead_while_busy_walks_inline);
	tcase_add_test(t, a_thread_walk_maps_every_leaf);
	tcase_add_test(t, a_thread_walk_waits_for_its_leaves_in_order);
	tcase_add_test(t, a_thread_walk_for_pread_maps_nothing);
	tcase_add_test(t, a_thread_walk_without_io_uring_maps_nothing);
	tcase_add_test(t, leaf_listing_keeps_its_snapshot);
	tcase_add_test(t, leaves_need_a_pinned_snapshot);
	tcase_add_test(t, batch_listing_reads_its_own_entries);
	tcase_add_test(t, unexpected_leaf_hands_over_to_cursor);
	tcase_add_test(t, dir_large_tells_thousands_from_ten);
	tcase_add_test(t, small_listing_starts_no_thread);
	tcase_add_test(t, open_reads_block_map_ahead);
	tcase_add_test(t, cut_and_overwrite_read_block_heads_ahead);
	tcase_add_test(t, readdir_attrs_reads_inodes_ahead);
	tcase_add_test(t, ahead_survives_noise);
	tcase_add_test(t, wrong_types_refused);
	tcase_add_test(t, write_kill_drops_privileges);
	tcase_add_test(t, kill_mode_rule);
	tcase_add_test(t, write_kill_cap_drops_capability);
	tcase_add_test(t, copy_range_copies);
	tcase_add_test(t, seek_data_and_hole);
	tcase_add_test(t, seek_trimmed_tail_and_far_data);
	tcase_add_test(t, relatime);
	tcase_add_test(t, noatime);
	tcase_add_test(t, nodiratime);
	tcase_add_test(t, read_nowait);
	tcase_add_test(t, concurrent_readers_see_whole_writes);
	tcase_add_test(t, durable_after_sync);
	tcase_add_test(t, full_image_fails_cleanly);
	tcase_add_test(t, full_image_keeps_room_to_delete);
	tcase_add_test(t, sigkill_keeps_synced_data_and_a_clean_image);
	return t;
}

static Suite *suite(void)
{
	Suite *s = suite_create("ofs_data");
	TCase *t = tcase("data-poly1305", setup_poly1305); /* format 4 */
	tcase_add_test(t, sector_read_with_its_digest);
	suite_add_tcase(s, t);
	t = tcase("data-blake2b", setup_blake2b); /* format 1 */
	tcase_add_test(t, digest_cache);
	suite_add_tcase(s, t);
	t = tcase_create("overlays"); /* format 3 on */
	tcase_add_checked_fixture(t, setup_poly1305, teardown);
	tcase_add_test(t, overlays_merge_on_read);
	tcase_add_test(t, overlays_fold);
	tcase_add_test(t, overlays_truncate_and_punch);
	tcase_add_test(t, overlays_damage_found);
	tcase_add_test(t, overlays_seek);
	tcase_add_test(t, cut_reads_overlay_heads_ahead);
	tcase_add_test(t, huge_file_freed_in_steps);
	tcase_add_test(t, crash_mid_truncate_finished_at_open);
	tcase_add_test(t, crash_mid_punch_finished_at_open);
	tcase_add_test(t, moot_pending_records_dropped);
	tcase_add_test(t, several_pending_calls_finished);
	tcase_add_test(t, stale_orphan_entry_dropped);
	tcase_add_test(t, keep_times_leaves_times);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
