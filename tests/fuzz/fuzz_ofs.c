/* fuzz_ofs.c: libFuzzer target for the OrionFS storage layer.  Each input
 * is read as a program of namespace, data, copy, xattr and ACL operations
 * on a fresh image; whatever they do, the image must then pass fsck, and
 * every file must read back as many bytes as its size says. */
#include "orionfs/orionfs.h"

#include <errno.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXI 32

/* The program being run: its bytes and what it has made. */
struct prog {
	const uint8_t *p, *end;
	ofs *fs;
	uint64_t ino[MAXI];
	int n;
};

/* next: the next input byte (0 once the input is used up). */
static unsigned next(struct prog *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

/* pick: one of the inodes made so far. */
static uint64_t pick(struct prog *g)
{
	return g->ino[next(g) % g->n];
}

/* name: one of eight short names. */
static const char *name(struct prog *g)
{
	static const char *const names[] = {"a", "b", "c", "dd", "e.txt", "f f", "g", "h"};
	return names[next(g) % 8];
}

/* keep: remember a newly made inode. */
static void keep(struct prog *g, int rc, const struct ofs_attr *a)
{
	if (rc == 0 && g->n < MAXI)
		g->ino[g->n++] = a->ino;
}

/* forget: an unlinked inode went: evict it as the kernel's forget would. */
static void forget(struct prog *g, uint64_t orphan)
{
	if (orphan && next(g) % 2)
		ofs_evict(g->fs, orphan);
}

/* acl: set one of ino's two ACLs to the next input bytes as they come
 * (the ACL parser's input). */
static void acl(struct prog *g, uint64_t ino)
{
	const char *nm = next(g) % 2 ? "system.posix_acl_default" : "system.posix_acl_access";
	size_t n = next(g) % 64;
	if (n > (size_t)(g->end - g->p))
		n = (size_t)(g->end - g->p);
	ofs_setxattr(g->fs, ino, nm, g->p, n, 0);
	g->p += n;
}

/* odd_groups: a caller in every odd-numbered group (ofs_member). */
static int odd_groups(const struct ofs_member *m, uint32_t gid)
{
	(void)m;
	return gid % 2;
}

/* step: run one operation. */
static void step(struct prog *g)
{
	static unsigned char buf[200000];
	struct ofs_attr a;
	uint64_t orphan = 0;
	unsigned op = next(g) % 19;
	uint64_t x = pick(g);
	uint64_t off = (uint64_t)next(g) * 4099 + (next(g) % 4 ? 0 : (uint64_t)next(g) << 24);
	size_t len = (size_t)next(g) * 773 % sizeof buf;
	memset(buf, (int)op + 1, len);
	switch (op) {
	case 0: keep(g, ofs_mknod(g->fs, x, name(g), S_IFREG | 0644, 0, 0, 0, &a), &a); break;
	case 1: keep(g, ofs_mkdir(g->fs, x, name(g), 0755, 0, 0, &a), &a); break;
	case 2: keep(g, ofs_symlink(g->fs, x, name(g), "target/of/link", 0, 0, &a), &a); break;
	case 3: ofs_write(g->fs, x, buf, len, (off_t)off); break;
	case 4: a.size = off; ofs_setattr(g->fs, x, &a, OFS_SET_SIZE, NULL); break;
	case 5: ofs_unlink(g->fs, x, name(g), &orphan); forget(g, orphan); break;
	case 6: ofs_rmdir(g->fs, x, name(g)); break;
	case 7: {
		const char *from = name(g);
		ofs_rename(g->fs, x, from, pick(g), name(g), next(g) % 3, &orphan);
		forget(g, orphan);
		break;
	}
	case 8: ofs_link(g->fs, x, pick(g), name(g), &a); break;
	case 9: ofs_setxattr(g->fs, x, name(g), buf, len % 300, next(g) % 3); break;
	case 10: ofs_removexattr(g->fs, x, name(g)); break;
	case 11: ofs_fallocate(g->fs, x, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off, (off_t)len + 1); break;
	case 12: {
		static const int modes[] = {0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE,
					    FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE};
		ofs_fallocate(g->fs, x, modes[next(g) % 4], (off_t)off, (off_t)len + 1);
		break;
	}
	case 13: acl(g, x); break;
	case 14: a.mode = next(g) << 4 | next(g); ofs_setattr(g->fs, x, &a, OFS_SET_MODE, NULL); break;
	case 15: keep(g, ofs_create(g->fs, x, name(g), (next(g) % 2 ? S_IFDIR : S_IFREG) | 0777, 0, next(g) & 0777, 0, 0, &a), &a); break;
	case 16:
		ofs_copy_range(g->fs, x, (off_t)off, pick(g), (off_t)next(g) * 4099, len, 0);
		break;
	case 17: {
		static const struct ofs_member m = {odd_groups};
		int killed;
		ofs_write_kill(g->fs, x, buf, len, (off_t)off, OFS_KILL_CAP, &m, &killed);
		break;
	}
	default: ofs_read(g->fs, x, buf, len, (off_t)off); break;
	}
}

/* reads_back: every regular file reads as many bytes as its size (up to
 * a bound), with no checksum error. */
static void reads_back(struct prog *g)
{
	static unsigned char buf[1 << 20];
	struct ofs_attr a;
	for (int i = 0; i < g->n; i++) {
		if (ofs_getattr(g->fs, g->ino[i], &a) || !S_ISREG(a.mode))
			continue;
		uint64_t off = a.size > sizeof buf ? a.size - sizeof buf : 0;
		ssize_t n = ofs_read(g->fs, g->ino[i], buf, sizeof buf, (off_t)off);
		if (n != (ssize_t)(a.size - off))
			abort();
	}
}

static char dir[] = "/tmp/fuzz-ofs.XXXXXX", img[64], lock[72];

/* cleanup: remove the scratch image at exit. */
static void cleanup(void)
{
	unlink(img);
	unlink(lock);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ofs_mkfs_opts o = {.force = 1, .map_size = 64 << 20};
	struct ofs_fsck_report r;
	struct prog g = {data, data + size, NULL, {OFS_ROOT_INO}, 1};
	if (!img[0]) {
		if (!mkdtemp(dir))
			abort();
		snprintf(img, sizeof img, "%s/img.fs", dir);
		snprintf(lock, sizeof lock, "%s-lock", img);
		atexit(cleanup);
	}
	if (ofs_mkfs(img, &o) || ofs_open(&g.fs, img, 0))
		abort();
	for (int steps = 0; g.p < g.end && steps < 64; steps++)
		step(&g);
	reads_back(&g);
	ofs_close(g.fs);
	if (ofs_fsck(img, 0, NULL, NULL, &r) || r.problems)
		abort(); /* any sequence of calls must leave a consistent image */
	return 0;
}
