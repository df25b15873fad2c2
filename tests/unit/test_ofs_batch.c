/* test_ofs_batch.c: group commit in the OrionFS storage layer (ofs_batch):
 * the owner reads its own writes, other threads see only flushed work, a
 * failing call leaves the batch as it was, a crash loses the open batch
 * whole and nothing flushed, and room is counted so a flush never fails
 * for want of it. */
#include "orionfs/internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/unit/ofs_unit.h"

/* mkfile: a regular file name in the root holding n bytes of c. */
static uint64_t mkfile(const char *name, int c, size_t n)
{
	struct ofs_attr a;
	char *buf = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(buf);
	memset(buf, c, n);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, name, S_IFREG | 0644, 0, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_write(fs, a.ino, buf, n, 0), (ssize_t)n);
	free(buf);
	return a.ino;
}

/* Another thread's view: look name up in the root. */
struct probe {
	const char *name;
	int rc;
	_Atomic int done; /* read by the test while the thread runs */
};

static void *lookup_main(void *arg)
{
	struct probe *p = arg;
	struct ofs_attr a;
	p->rc = ofs_lookup(fs, OFS_ROOT_INO, p->name, &a);
	p->done = 1;
	return NULL;
}

static void *mknod_main(void *arg)
{
	struct probe *p = arg;
	struct ofs_attr a;
	p->rc = ofs_mknod(fs, OFS_ROOT_INO, p->name, S_IFREG | 0600, 0, 0, 0, &a);
	p->done = 1;
	return NULL;
}

/* elsewhere: run fn(name) on a thread of its own to the end; its rc. */
static int elsewhere(void *(*fn)(void *), const char *name)
{
	struct probe p = {.name = name};
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, fn, &p), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	return p.rc;
}

START_TEST(owner_reads_its_writes_others_see_flushes)
{
	struct ofs_attr a;
	struct ofs_batch_info bi;
	char buf[8];
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	uint64_t ino = mkfile("a", 'x', 5);
	ofs_batch_info(fs, &bi);
	ck_assert_int_eq(bi.open, 1);
	ck_assert_int_eq(bi.due, 0);
	ck_assert_uint_eq(bi.ops, 2);
	ck_assert_uint_eq(bi.bytes, 5);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "a", &a), 0);
	ck_assert_uint_eq(a.size, 5);
	ck_assert_int_eq(ofs_read(fs, ino, buf, sizeof buf, 0), 5);
	ck_assert_int_eq(elsewhere(lookup_main, "a"), -ENOENT);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ofs_batch_info(fs, &bi);
	ck_assert_int_eq(bi.open, 0);
	ck_assert_uint_eq(bi.ops, 0);
	ck_assert_int_eq(elsewhere(lookup_main, "a"), 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
}
END_TEST

/* moved: the root's ofs_names_version went up since *v; *v becomes the
 * new one. */
static int moved(uint64_t *v)
{
	uint64_t now = ofs_names_version(fs, OFS_ROOT_INO);
	int up = now > *v;
	*v = now;
	return up;
}

START_TEST(names_version_moves_with_entries_and_their_commits)
{
	struct ofs_attr a;
	char buf[4];
	uint64_t v = ofs_names_version(fs, OFS_ROOT_INO);
	uint64_t ino = mkfile("a", 'x', 4);
	ck_assert_int_eq(moved(&v), 1);
	/* what leaves every listing as it was leaves the number alone */
	ck_assert_int_eq(ofs_write(fs, ino, "yy", 2, 0), 2);
	ck_assert_int_eq(ofs_read(fs, ino, buf, sizeof buf, 0), 4);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "a", &a), 0);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "a", S_IFREG | 0644, 0, 0, 0, &a), -EEXIST);
	ck_assert_int_eq(moved(&v), 0);
	/* in a batch: the owner sees the entry at once, the others at the
	 * flush, and each time the number moves */
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "a", OFS_ROOT_INO, "b", 0, NULL), 0);
	ck_assert_int_eq(moved(&v), 1);
	ck_assert_int_eq(ofs_write(fs, ino, "zz", 2, 0), 2);
	ck_assert_int_eq(moved(&v), 0);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(moved(&v), 1);
	ck_assert_int_eq(ofs_write(fs, ino, "ww", 2, 0), 2);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(moved(&v), 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	/* a writer on another thread moves it too */
	ck_assert_int_eq(elsewhere(mknod_main, "c"), 0);
	ck_assert_int_eq(moved(&v), 1);
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "b", NULL), 0);
	ck_assert_int_eq(moved(&v), 1);
	/* another directory's entries move its own number, not the root's */
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "sub", 0755, 0, 0, &a), 0);
	ck_assert_int_eq(moved(&v), 1);
	ck_assert_uint_ne(a.ino % OFS_NAMES_SLOTS, OFS_ROOT_INO % OFS_NAMES_SLOTS);
	uint64_t sv = ofs_names_version(fs, a.ino);
	struct ofs_attr f;
	ck_assert_int_eq(ofs_mknod(fs, a.ino, "f", S_IFREG | 0644, 0, 0, 0, &f), 0);
	ck_assert_uint_gt(ofs_names_version(fs, a.ino), sv);
	ck_assert_int_eq(moved(&v), 0);
}
END_TEST

START_TEST(a_batch_falls_due_at_its_byte_bound)
{
	struct ofs_batch_info bi;
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	mkfile("a", 'a', OFS_BATCH_BYTES - 1);
	ofs_batch_info(fs, &bi);
	ck_assert_int_eq(bi.due, 0);
	mkfile("b", 'b', 1);
	ofs_batch_info(fs, &bi);
	ck_assert_uint_eq(bi.bytes, OFS_BATCH_BYTES);
	ck_assert_int_eq(bi.due, 1);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ofs_batch_info(fs, &bi);
	ck_assert_int_eq(bi.due, 0);
}
END_TEST

START_TEST(a_failing_call_leaves_the_batch_as_it_was)
{
	struct ofs_attr a;
	struct ofs_batch_info bi;
	char buf[4];
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	/* a first call that fails opens the batch and leaves it empty: the
	 * owner must still see it open, as it holds LMDB's write lock */
	ck_assert_int_eq(ofs_mkdir(fs, 999, "x", 0755, 0, 0, &a), -ENOENT);
	ofs_batch_info(fs, &bi);
	ck_assert_int_eq(bi.open, 1);
	ck_assert_uint_eq(bi.ops, 0);
	uint64_t ino = mkfile("a", 'x', 4);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "a", S_IFREG | 0644, 0, 0, 0, &a), -EEXIST);
	ck_assert_int_eq(ofs_mkdir(fs, OFS_ROOT_INO, "d", 0755, 0, 0, &a), 0);
	ck_assert_int_eq(ofs_rename(fs, OFS_ROOT_INO, "d", a.ino, "in", 0, NULL), -EINVAL);
	ck_assert_int_eq(ofs_rmdir(fs, OFS_ROOT_INO, "a"), -ENOTDIR);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	clean();
	ck_assert_int_eq(ofs_read(fs, ino, buf, sizeof buf, 0), 4);
	ck_assert_int_eq(memcmp(buf, "xxxx", 4), 0);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "d", &a), 0);
}
END_TEST

/* damage: flip the first payload byte of full block idx of ino (a
 * committed block; the payload follows one digest per sector). */
static void damage(uint64_t ino, uint64_t idx)
{
	MDB_txn *txn;
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, idx), v;
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_get(txn, fs->data, &key, &v), 0);
	unsigned char *copy = malloc(v.mv_size);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, v.mv_data, v.mv_size);
	copy[OFS_SECTORS * OFS_DIGEST] ^= 0x40;
	MDB_val nv = {v.mv_size, copy};
	ck_assert_int_eq(mdb_put(txn, fs->data, &key, &nv, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	free(copy);
}

START_TEST(a_call_failing_halfway_is_undone_inside_the_batch)
{
	enum { B = 65536 };
	char *buf = malloc(2 * B), *back = malloc(2 * B);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(back);
	uint64_t ino = mkfile("f", 'o', 2 * B);
	damage(ino, 1);
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	ck_assert_int_eq(mkfile("before", 'b', 10) != 0, 1);
	/* block 0 is rewritten first, then block 1 fails its checksum */
	memset(buf, 'n', 2 * B);
	ck_assert_int_eq(ofs_write(fs, ino, buf, B + 100, 10), -ORION_ECHECKSUM);
	ck_assert_int_eq(ofs_read(fs, ino, back, B, 0), B);
	for (size_t i = 0; i < B; i++)
		ck_assert_int_eq(back[i], 'o');
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	ck_assert_int_eq(ofs_read(fs, ino, back, B, 0), B);
	ck_assert_int_eq(back[10], 'o');
	struct ofs_attr a;
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "before", &a), 0);
	free(buf);
	free(back);
}
END_TEST

START_TEST(writes_of_other_threads_wait_for_the_flush)
{
	struct probe p = {.name = "other"};
	pthread_t t;
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	mkfile("mine", 'm', 1);
	ck_assert_int_eq(pthread_create(&t, NULL, mknod_main, &p), 0);
	usleep(200 * 1000);
	ck_assert_int_eq(p.done, 0); /* LMDB's one writer is our batch */
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(p.rc, 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
}
END_TEST

static void *batch_main(void *arg)
{
	struct probe *p = arg;
	p->rc = ofs_batch(fs, 1);
	return NULL;
}

START_TEST(one_owner_at_a_time)
{
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	ck_assert_int_eq(elsewhere(batch_main, NULL), -EBUSY);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	ck_assert_int_eq(elsewhere(batch_main, NULL), 0);
}
END_TEST

START_TEST(sync_commits_the_batch)
{
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	mkfile("s", 's', 3);
	ck_assert_int_eq(ofs_sync(fs), 0);
	ck_assert_int_eq(elsewhere(lookup_main, "s"), 0);
}
END_TEST

/* crash_child: open the image (the parent closed its own before the
 * fork), flush a batch making "kept", open another making "lost", tell
 * the parent, and wait to be killed. */
static void crash_child(int fd)
{
	if (ofs_open(&fs, img, 0) || ofs_batch(fs, 1))
		_exit(3);
	mkfile("kept", 'k', 100);
	if (ofs_flush(fs))
		_exit(4);
	mkfile("lost", 'l', 100);
	if (write(fd, "r", 1) != 1)
		_exit(5);
	for (;;)
		pause();
}

START_TEST(a_crash_loses_the_open_batch_whole)
{
	struct ofs_attr a;
	int p[2], status;
	char c;
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(pipe(p), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		crash_child(p[1]);
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	clean();
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "kept", &a), 0);
	ck_assert_uint_eq(a.size, 100);
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "lost", &a), -ENOENT);
}
END_TEST

START_TEST(room_counts_the_batch_so_the_flush_never_fails)
{
	struct ofs_mkfs_opts o = {.map_size = 4u << 20, .force = 1};
	char chunk[65536];
	struct ofs_attr a;
	ofs_close(fs);
	fs = NULL;
	ck_assert_int_eq(ofs_mkfs(img, &o), 0);
	ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "big", S_IFREG | 0644, 0, 0, 0, &a), 0);
	memset(chunk, 'z', sizeof chunk);
	ssize_t n = 0;
	off_t off = 0;
	while ((n = ofs_write(fs, a.ino, chunk, sizeof chunk, off)) == (ssize_t)sizeof chunk)
		off += n;
	ck_assert_int_eq(n, -ENOSPC);
	ck_assert_int_gt(off, 0);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	clean();
	ck_assert_int_eq(ofs_getattr(fs, a.ino, &a), 0);
	ck_assert_uint_eq(a.size, (uint64_t)off);
}
END_TEST

/* cached_pages: pages of the image file in [from, to) bytes that the
 * kernel holds in its cache. */
static size_t cached_pages(off_t from, off_t to)
{
	long psize = sysconf(_SC_PAGESIZE);
	int fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	void *map = mmap(NULL, (size_t)to, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	size_t n = (size_t)(to + psize - 1) / (size_t)psize, cached = 0;
	unsigned char *vec = malloc(n);
	ck_assert_int_eq(mincore(map, (size_t)to, vec), 0);
	for (size_t i = (size_t)(from / psize); i < n; i++)
		cached += vec[i] & 1;
	free(vec);
	munmap(map, (size_t)to);
	close(fd);
	return cached;
}

/* A commit that is mostly file data leaves the kernel no second copy of
 * what it appended to the image (the mount caches those bytes already);
 * on tmpfs, whose pages are the only copy, the image goes to /var/tmp. */
START_TEST(a_data_commit_leaves_no_second_copy_cached)
{
	struct statfs sf;
	struct stat a, b;
	ck_assert_int_eq(statfs(dir, &sf), 0);
	if (sf.f_type == TMPFS_MAGIC) { /* its pages are the only copy: to disk */
		teardown();
		snprintf(dir, sizeof dir, "/var/tmp/orion-unit.XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(dir));
		snprintf(img, sizeof img, "%s/img.fs", dir);
		ck_assert_int_eq(ofs_mkfs(img, NULL), 0);
		ck_assert_int_eq(ofs_open(&fs, img, 0), 0);
		ck_assert_int_eq(statfs(dir, &sf), 0);
		ck_assert_msg(sf.f_type != TMPFS_MAGIC, "/tmp and /var/tmp are both tmpfs");
	}
	ck_assert_int_eq(stat(img, &a), 0);
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	mkfile("big", 'b', 4u << 20);
	mkfile("small", 's', 100);
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(stat(img, &b), 0);
	ck_assert_int_gt(b.st_size, a.st_size + (4 << 20));
	size_t pages = (size_t)(b.st_size - a.st_size) / (size_t)sysconf(_SC_PAGESIZE);
	ck_assert_uint_lt(cached_pages(a.st_size, b.st_size), pages / 4);
	/* what is read back comes from the image again */
	char buf[4096];
	struct ofs_attr at;
	ck_assert_int_eq(ofs_lookup(fs, OFS_ROOT_INO, "big", &at), 0);
	ck_assert_int_eq(ofs_read(fs, at.ino, buf, sizeof buf, 3u << 20), (ssize_t)sizeof buf);
	ck_assert_int_eq(buf[0], 'b');
	ck_assert_int_eq(buf[sizeof buf - 1], 'b');
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	clean();
}
END_TEST

/* A commit of metadata keeps its pages cached: the next lookups need them. */
START_TEST(a_metadata_commit_stays_cached)
{
	struct stat a, b;
	char name[32];
	ck_assert_int_eq(stat(img, &a), 0);
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	for (int i = 0; i < 2000; i++) {
		snprintf(name, sizeof name, "f%05d", i);
		mkfile(name, 'm', 1000);
	}
	ck_assert_int_eq(ofs_flush(fs), 0);
	ck_assert_int_eq(stat(img, &b), 0);
	size_t pages = (size_t)(b.st_size - a.st_size) / (size_t)sysconf(_SC_PAGESIZE);
	ck_assert_uint_gt(pages, 100);
	ck_assert_uint_gt(cached_pages(a.st_size, b.st_size), pages / 2);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
}
END_TEST

/* data_overflow_pages: pages the data table's values take of their own. */
static size_t data_overflow_pages(void)
{
	MDB_txn *txn;
	MDB_stat ms;
	ck_assert_int_eq(mdb_txn_begin(fs->env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_stat(txn, fs->data, &ms), 0);
	mdb_txn_abort(txn);
	return ms.ms_overflow_pages;
}

/* Small appends in a batch grow their block where it lies: the image
 * grows by about what they add (each call nested in the batch cannot
 * reuse the pages of the value it replaces: a new run per append grew a
 * 1 MiB file's image by some 9 MiB), and at the commit the last block,
 * a part of one, is cut to the pages its size needs. */
START_TEST(appends_in_a_batch_grow_their_block_in_place)
{
	enum { CHUNK = 4096, N = 16 * 16 + 2 }; /* 16 blocks and two sectors */
	struct stat a, b;
	struct ofs_attr f;
	unsigned char buf[CHUNK], back[CHUNK];
	ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, "log", S_IFREG | 0644, 0, 0, 0, &f), 0);
	ck_assert_int_eq(stat(img, &a), 0);
	size_t before = data_overflow_pages();
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	for (int i = 0; i < N; i++) {
		memset(buf, 'a' + i % 26, sizeof buf);
		ck_assert_int_eq(ofs_write(fs, f.ino, buf, sizeof buf, (off_t)i * CHUNK), CHUNK);
	}
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	ck_assert_int_eq(stat(img, &b), 0);
	ck_assert_int_lt(b.st_size - a.st_size, 2 * N * CHUNK);
	/* 16 whole blocks of 17 pages, and one of two sectors and digests */
	ck_assert_uint_eq(data_overflow_pages() - before, 16 * 17 + 3);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(ofs_read(fs, f.ino, back, sizeof back, (off_t)i * CHUNK), CHUNK);
		ck_assert_int_eq(back[0], 'a' + i % 26);
		ck_assert_int_eq(back[CHUNK - 1], 'a' + i % 26);
	}
	clean();
}
END_TEST

/* A block stored with room to grow may be trimmed, emptied or deleted
 * later in the same batch: the commit cuts what is left of it to the
 * pages its size needs, passes over what is gone, and leaves an image
 * fsck finds clean. */
START_TEST(grown_blocks_trimmed_or_gone_in_the_batch)
{
	enum { CHUNK = 4096, TRIM = 5000 };
	static const char *const names[] = {"trimmed", "emptied", "gone"};
	struct ofs_attr f[3], a = {.size = TRIM};
	unsigned char buf[CHUNK], back[CHUNK];
	memset(buf, 'g', sizeof buf);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(ofs_mknod(fs, OFS_ROOT_INO, names[i], S_IFREG | 0644, 0, 0, 0, &f[i]), 0);
	size_t before = data_overflow_pages();
	ck_assert_int_eq(ofs_batch(fs, 1), 0);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) /* block 0 grows in each call */
			ck_assert_int_eq(ofs_write(fs, f[i].ino, buf, CHUNK, (off_t)j * CHUNK), CHUNK);
	ck_assert_int_eq(ofs_setattr(fs, f[0].ino, &a, OFS_SET_SIZE, NULL), 0);
	a.size = 0;
	ck_assert_int_eq(ofs_setattr(fs, f[1].ino, &a, OFS_SET_SIZE, NULL), 0);
	uint64_t orphan;
	ck_assert_int_eq(ofs_unlink(fs, OFS_ROOT_INO, "gone", &orphan), 0);
	ck_assert_uint_eq(orphan, f[2].ino);
	ck_assert_int_eq(ofs_evict(fs, orphan), 0);
	ck_assert_int_eq(ofs_batch(fs, 0), 0);
	/* TRIM bytes: two sectors and their digests, two pages */
	ck_assert_uint_eq(data_overflow_pages() - before, 2);
	ck_assert_int_eq(ofs_read(fs, f[0].ino, back, sizeof back, TRIM - 10), 10);
	ck_assert_int_eq(back[9], 'g');
	ck_assert_int_eq(ofs_getattr(fs, f[1].ino, &a), 0);
	ck_assert_uint_eq(a.size, 0);
	clean();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ofs_batch");
	TCase *t = tcase_create("batch");
	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, owner_reads_its_writes_others_see_flushes);
	tcase_add_test(t, names_version_moves_with_entries_and_their_commits);
	tcase_add_test(t, a_batch_falls_due_at_its_byte_bound);
	tcase_add_test(t, a_failing_call_leaves_the_batch_as_it_was);
	tcase_add_test(t, a_call_failing_halfway_is_undone_inside_the_batch);
	tcase_add_test(t, writes_of_other_threads_wait_for_the_flush);
	tcase_add_test(t, one_owner_at_a_time);
	tcase_add_test(t, sync_commits_the_batch);
	tcase_add_test(t, a_crash_loses_the_open_batch_whole);
	tcase_add_test(t, room_counts_the_batch_so_the_flush_never_fails);
	tcase_add_test(t, a_data_commit_leaves_no_second_copy_cached);
	tcase_add_test(t, a_metadata_commit_stays_cached);
	tcase_add_test(t, appends_in_a_batch_grow_their_block_in_place);
	tcase_add_test(t, grown_blocks_trimmed_or_gone_in_the_batch);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
