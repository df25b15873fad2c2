/* fuzz_image.c: libFuzzer target for the OrionFS storage layer's record
 * decoders.  Each input damages the records of a small, varied image
 * (LMDB's own structure stays intact): it is read as a program of edits
 * to values and keys of our tables, applied in one raw LMDB transaction.
 * Then fsck checks the image, the layer opens it and reads and writes
 * whatever it can still reach, and fsck repairs it; none of this may
 * crash, hang or leak, and a repair that claims to have fixed every
 * problem must leave an image that checks clean. */
#include "orionfs/internal.h"

#include <dirent.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_STEPS 16
#define MAX_VAL 4096     /* bytes of a value taken from the input */
#define MAX_DEPTH 8
#define MAX_ENTRIES 300  /* entries the walk visits */
#define MAX_SEEN 512
#define IO_SPAN (256u << 10) /* bytes read at each end of a file */
#define LOOSE_INOS 48    /* inode numbers also examined off the tree */

/* ---- the image every input starts from ---------------------------- */

/* acl_put: encode an ACL of n (tag, perm, id) triples, so that the tree
 * holds ACLs exactly as the kernel would hand them to us. */
static size_t acl_put(unsigned char *b, const uint32_t (*e)[3], size_t n)
{
	ofs_put_le32(b, 2);
	for (size_t i = 0; i < n; i++) {
		unsigned char *p = b + 4 + 8 * i;
		p[0] = (unsigned char)e[i][0], p[1] = (unsigned char)(e[i][0] >> 8);
		p[2] = (unsigned char)e[i][1], p[3] = 0;
		ofs_put_le32(p + 4, e[i][2]);
	}
	return 4 + 8 * n;
}

/* file_with: a regular file holding len bytes of pattern at off, so each
 * data record shape (inline tail, full block, hole) exists to damage. */
static uint64_t file_with(ofs *fs, uint64_t dir, const char *name, size_t len, off_t off)
{
	static unsigned char buf[3 * OFS_BLOCK];
	struct ofs_attr a;
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (unsigned char)(i * 7 + 1);
	if (ofs_mknod(fs, dir, name, S_IFREG | 0644, 0, 0, 0, &a))
		abort();
	if (len && ofs_write(fs, a.ino, buf, len, off) != (ssize_t)len)
		abort();
	return a.ino;
}

/* acls: an access ACL with a named user on file ino and a default ACL on
 * directory dir, the records ofs_acl_* decode. */
static void acls(ofs *fs, uint64_t ino, uint64_t dir)
{
	static const uint32_t acc[][3] = {{1, 6, 0}, {2, 4, 1000}, {4, 4, 0}, {16, 6, 0}, {32, 0, 0}};
	static const uint32_t dfl[][3] = {{1, 7, 0}, {4, 5, 0}, {8, 7, 100}, {16, 7, 0}, {32, 5, 0}};
	unsigned char b[64];
	if (ofs_setxattr(fs, ino, OFS_ACL_ACCESS, b, acl_put(b, acc, 5), 0) ||
	    ofs_setxattr(fs, dir, OFS_ACL_DEFAULT, b, acl_put(b, dfl, 5), 0))
		abort();
}

/* populate: the tree every input damages, one record of each kind at
 * least, made in one batch so that it costs one commit. */
static void populate(ofs *fs)
{
	static const unsigned char sector[OFS_SECTOR];
	struct ofs_attr d, n, a;
	uint64_t orphan = 0;
	if (ofs_batch(fs, 1) || ofs_mkdir(fs, OFS_ROOT_INO, "d", 0755, 0, 0, &d) ||
	    ofs_mkdir(fs, d.ino, "n", 0750, 0, 0, &n))
		abort();
	uint64_t small = file_with(fs, OFS_ROOT_INO, "small", 100, 0);
	uint64_t big = file_with(fs, d.ino, "big", 2 * OFS_BLOCK + 5000, 0);
	file_with(fs, n.ino, "sparse", 3000, 5 * OFS_BLOCK + 10);
	uint64_t ovl = file_with(fs, OFS_ROOT_INO, "ovl", OFS_BLOCK, 0);
	file_with(fs, OFS_ROOT_INO, "gone", 5000, 0);
	/* an aligned sector write into a committed full block: an overlay */
	if (ofs_flush(fs) || ofs_write(fs, ovl, sector, OFS_SECTOR, 2 * OFS_SECTOR) != OFS_SECTOR ||
	    ofs_symlink(fs, d.ino, "sym", "../small", 0, 0, &a) ||
	    ofs_link(fs, small, n.ino, "hard", &a) ||
	    ofs_setxattr(fs, small, "user.note", "hello", 5, 0) ||
	    ofs_unlink(fs, OFS_ROOT_INO, "gone", &orphan) || !orphan)
		abort();
	acls(fs, big, d.ino);
	if (ofs_batch(fs, 0))
		abort();
}

/* pin_keys: give the new image fixed name and data keys in place of
 * mkfs's random ones, so that slots and digests, and with them what an
 * input does, are the same in every run. */
static void pin_keys(const char *img)
{
	static const unsigned char key[OFS_HASH_KEY] = "fuzz_image: a fixed key, 32 b.";
	MDB_val nk = {8, (void *)"name_key"}, hk = {8, (void *)"hash_key"};
	MDB_txn *txn;
	ofs *fs;
	if (ofs_open(&fs, img, 0) || mdb_txn_begin(ofs_env(fs), NULL, 0, &txn) ||
	    mdb_put(txn, fs->super, &nk, &(MDB_val){16, (void *)key}, 0) ||
	    mdb_put(txn, fs->super, &hk, &(MDB_val){OFS_HASH_KEY, (void *)key}, 0) ||
	    mdb_txn_commit(txn))
		abort();
	ofs_close(fs);
}

/* ---- damage ------------------------------------------------------- */

/* The damage program: its bytes, the raw transaction and our tables
 * (super, inode, dirent, xattr, data, orphan, overlay, pending; a table
 * the image lacks is 0 and the inode table stands in for it). */
#define NTAB 8
struct dmg {
	const uint8_t *p, *end;
	MDB_txn *txn;
	ofs *fs;
	MDB_dbi tab[NTAB];
};

/* next: the next input byte (0 once the input is used up). */
static unsigned next(struct dmg *g)
{
	return g->p < g->end ? *g->p++ : 0;
}

/* next16: two input bytes, for lengths that reach past 255. */
static unsigned next16(struct dmg *g)
{
	unsigned lo = next(g);
	return lo | next(g) << 8;
}

/* take: up to n input bytes copied to out; returns how many there were,
 * so a short input still makes a (shorter) record. */
static size_t take(struct dmg *g, unsigned char *out, size_t n)
{
	size_t have = (size_t)(g->end - g->p);
	n = n < have ? n : have;
	memcpy(out, g->p, n);
	g->p += n;
	return n;
}

/* tables: the handles of our tables (0 for one the image lacks). */
static void tables(struct dmg *g)
{
	ofs *fs = g->fs;
	MDB_dbi t[NTAB] = {fs->super, fs->inode, fs->dirent, fs->xattr, fs->data, fs->orphan,
			   fs->has_overlay ? fs->overlay : 0, fs->has_pending ? fs->pending : 0};
	memcpy(g->tab, t, sizeof t);
}

/* table: the table the next byte names. */
static MDB_dbi table(struct dmg *g, int *which)
{
	*which = (int)(next(g) % NTAB);
	if (!g->tab[*which])
		*which = 1;
	return g->tab[*which];
}

/* nth: the key and value of the k-th record of dbi (k modulo the count),
 * found by a cursor walk as a scan would meet them; -1 when empty. */
static int nth(MDB_txn *txn, MDB_dbi dbi, unsigned k, MDB_val *key, MDB_val *val)
{
	MDB_stat st;
	MDB_cursor *c;
	int rc = -1;
	if (mdb_stat(txn, dbi, &st) || st.ms_entries == 0 || mdb_cursor_open(txn, dbi, &c))
		return -1;
	k %= (unsigned)(st.ms_entries < 4096 ? st.ms_entries : 4096);
	for (unsigned i = 0; i <= k; i++)
		if ((rc = mdb_cursor_get(c, key, val, MDB_NEXT)))
			break;
	mdb_cursor_close(c);
	return rc ? -1 : 0;
}

/* ino_of: an inode number for a new key, mostly one that exists (so the
 * record is seen as belonging to it), sometimes 0..15 as they come. */
static uint64_t ino_of(struct dmg *g)
{
	unsigned j = next(g);
	MDB_val k, v;
	if (j >= 0xf0 || nth(g->txn, g->tab[1], j, &k, &v) || k.mv_size != 8)
		return j & 0x0f;
	return ofs_be64(k.mv_data);
}

/* new_key: a key shaped like ours (an inode number, then a block index or
 * slot, then a sector), or raw input bytes, or a super table name. */
static size_t new_key(struct dmg *g, int which, unsigned char *key)
{
	static const char *const names[] = {"magic", "version", "block_size", "sector_size",
		"hash", "hash_key", "cipher", "uuid", "name_key", "next_ino", "created"};
	unsigned shape = next(g);
	if (shape % 4 == 3 || (which == 0 && shape % 4 == 0)) {
		size_t n = take(g, key, next(g) % 24 + 1);
		return n ? n : (key[0] = 0, 1);
	}
	if (which == 0) {
		const char *nm = names[next(g) % 11];
		memcpy(key, nm, strlen(nm));
		return strlen(nm);
	}
	ofs_put_be64(key, ino_of(g));
	if (shape % 4 == 0)
		return 8;
	unsigned b = next(g);
	if (b & 0x80)
		ofs_put_be64(key + 8, b & 0x7f); /* a small block index */
	else if (take(g, key + 8, 8) < 8)
		memset(key + 8, 0, 8);
	if (shape % 4 == 1)
		return 16;
	key[16] = (unsigned char)next(g);
	return 17;
}

/* edit: change the copy of a value in buf (n bytes now) as the input
 * says: truncate, overwrite a few bytes, or replace it; returns its new
 * length. */
static size_t edit(struct dmg *g, unsigned op, unsigned char *buf, size_t n)
{
	switch (op) {
	case 0:
		return next16(g) % (n + 1);
	case 1:
		for (unsigned i = next(g) % 8 + 1; i && n; i--) {
			size_t off = (next16(g) | (size_t)next(g) << 16) % n;
			buf[off] = (unsigned char)next(g);
		}
		return n;
	default:
		return take(g, buf, next16(g) % (MAX_VAL + 1));
	}
}

/* step: one damage step on one record of one table. */
static void step(struct dmg *g)
{
	static unsigned char buf[OFS_BLOCK_VAL + OFS_SECTOR];
	unsigned char key[32];
	int which;
	MDB_dbi dbi = table(g, &which);
	unsigned op = next(g) % 6, k = next(g);
	MDB_val kv, vv;
	int found = nth(g->txn, dbi, k, &kv, &vv) == 0 && kv.mv_size <= sizeof key &&
		    vv.mv_size <= sizeof buf;
	size_t klen = found ? kv.mv_size : 0, n = found ? vv.mv_size : 0;
	if (found) {
		memcpy(key, kv.mv_data, klen);
		memcpy(buf, vv.mv_data, n);
	}
	if (op >= 4) { /* insert from the input, or clone record k's value */
		klen = new_key(g, which, key);
		n = op == 4 ? take(g, buf, next16(g) % (MAX_VAL + 1)) : n;
	} else if (!found) {
		return;
	} else if (op == 3) {
		mdb_del(g->txn, dbi, &(MDB_val){klen, key}, NULL);
		return;
	} else {
		n = edit(g, op, buf, n);
	}
	mdb_put(g->txn, dbi, &(MDB_val){klen, key}, &(MDB_val){n, buf}, 0);
}

/* damage: run the program in one raw write transaction and commit it,
 * bypassing every check the layer makes on what it writes. */
static void damage(const uint8_t *data, size_t size, const char *img)
{
	ofs *fs;
	struct dmg g = {.p = data, .end = data + size};
	if (ofs_open_ex(&fs, img, OFS_OPEN_NORECLAIM))
		abort();
	g.fs = fs;
	if (mdb_txn_begin(ofs_env(fs), NULL, 0, &g.txn))
		abort();
	tables(&g);
	for (int i = 0; i < MAX_STEPS && g.p < g.end; i++)
		step(&g);
	if (mdb_txn_commit(g.txn))
		abort();
	ofs_close(fs);
}

/* ---- reading back ------------------------------------------------- */

/* What the walk has seen and kept for the writes that follow it. */
struct walk {
	ofs *fs;
	uint64_t seen[MAX_SEEN];
	int nseen, entries;
	uint64_t files[8], dirs[8];
	int nfiles, ndirs;
	uint64_t leaf_parent; /* a non-directory entry to unlink */
	char leaf[OFS_NAME_MAX + 1];
	uint64_t sub_parent; /* a directory entry to rename */
	char sub[OFS_NAME_MAX + 1];
};

/* One batch of entries of a directory, collected by the callback (which
 * may not call back into the layer). */
#define BATCH 32
struct batch {
	int n;
	uint64_t cookie;
	struct {
		uint64_t ino;
		uint32_t type;
		char name[OFS_NAME_MAX + 1];
	} e[BATCH];
};

/* collect: keep one entry; stop when the batch is full, so the walk also
 * resumes listings from a cookie. */
static int collect(void *arg, const struct ofs_dirent *d)
{
	struct batch *b = arg;
	size_t n = d->namelen < OFS_NAME_MAX ? d->namelen : OFS_NAME_MAX;
	b->e[b->n].ino = d->ino;
	b->e[b->n].type = d->type;
	memcpy(b->e[b->n].name, d->name, n);
	b->e[b->n].name[n] = '\0';
	b->cookie = d->cookie;
	return ++b->n == BATCH;
}

/* seen: whether ino was examined already (marking it if not), so that a
 * cycle of damaged entries ends. */
static int seen(struct walk *w, uint64_t ino)
{
	for (int i = 0; i < w->nseen; i++)
		if (w->seen[i] == ino)
			return 1;
	if (w->nseen == MAX_SEEN)
		return 1;
	w->seen[w->nseen++] = ino;
	return 0;
}

/* read_ends: read the first and last IO_SPAN bytes and seek around,
 * which decodes every block record and overlay there. */
static void read_ends(ofs *fs, uint64_t ino, uint64_t size)
{
	static unsigned char buf[IO_SPAN];
	uint64_t last = size > OFS_MAX_SIZE ? OFS_MAX_SIZE : size;
	ofs_read(fs, ino, buf, sizeof buf, 0);
	if (last > IO_SPAN)
		ofs_read(fs, ino, buf, sizeof buf, (off_t)(last - IO_SPAN));
	ofs_read(fs, ino, buf, 100, (off_t)(2 * OFS_SECTOR + 10));
	ofs_seek(fs, ino, 0, SEEK_DATA);
	ofs_seek(fs, ino, 0, SEEK_HOLE);
	ofs_seek(fs, ino, OFS_BLOCK + 1, SEEK_DATA);
	ofs_seek(fs, ino, (off_t)(last / 2), SEEK_HOLE);
}

/* xattrs: list ino's attributes and get each, which decodes every xattr
 * record of it (and probes the too-small-buffer paths). */
static void xattrs(ofs *fs, uint64_t ino)
{
	static char list[OFS_XATTR_SIZE_MAX];
	static unsigned char val[OFS_XATTR_SIZE_MAX + 1];
	ofs_listxattr(fs, ino, NULL, 0);
	ofs_listxattr(fs, ino, list, 1);
	ssize_t n = ofs_listxattr(fs, ino, list, sizeof list - 1);
	if (n <= 0)
		return;
	list[n] = '\0';
	for (char *p = list; p < list + n; p += strlen(p) + 1) {
		ofs_getxattr(fs, ino, p, NULL, 0);
		ofs_getxattr(fs, ino, p, val, 1);
		ofs_getxattr(fs, ino, p, val, sizeof val);
	}
}

/* examine: every read of one inode the layer offers. */
static void examine(struct walk *w, uint64_t ino)
{
	static char link[OFS_SYMLINK_MAX + 2];
	struct ofs_attr a;
	if (ofs_getattr(w->fs, ino, &a))
		return;
	if (S_ISLNK(a.mode)) {
		ofs_readlink(w->fs, ino, link, sizeof link);
		ofs_readlink(w->fs, ino, link, 2);
	}
	if (S_ISREG(a.mode)) {
		read_ends(w->fs, ino, a.size);
		if (w->nfiles < 8)
			w->files[w->nfiles++] = ino;
	}
	if (S_ISDIR(a.mode) && w->ndirs < 8)
		w->dirs[w->ndirs++] = ino;
	xattrs(w->fs, ino);
}

static void visit(struct walk *w, uint64_t dir, int depth);

/* entry: look one listed entry up and examine what it names, descending
 * into directories. */
static void entry(struct walk *w, uint64_t dir, int depth, uint64_t ino, uint32_t type,
		  const char *name)
{
	struct ofs_attr a;
	int isdir = type == DT_DIR;
	if (ofs_lookup(w->fs, dir, name, &a) == 0)
		isdir |= S_ISDIR(a.mode);
	if (!isdir && !w->leaf_parent) {
		w->leaf_parent = dir;
		strcpy(w->leaf, name);
	} else if (isdir && !w->sub_parent) {
		w->sub_parent = dir;
		strcpy(w->sub, name);
	}
	if (seen(w, ino))
		return;
	examine(w, ino);
	if (isdir && depth < MAX_DEPTH)
		visit(w, ino, depth + 1);
}

/* visit: list dir a batch at a time and handle each entry, within the
 * walk's budget of entries. */
static void visit(struct walk *w, uint64_t dir, int depth)
{
	struct batch *b = malloc(sizeof *b);
	uint64_t cookie = 0;
	if (!b)
		abort();
	for (int round = 0; round < 16 && w->entries < MAX_ENTRIES; round++) {
		b->n = 0;
		if (ofs_readdir(w->fs, dir, cookie, collect, b) < 0 || b->n == 0)
			break;
		for (int i = 0; i < b->n && w->entries < MAX_ENTRIES; i++, w->entries++)
			entry(w, dir, depth, b->e[i].ino, b->e[i].type, b->e[i].name);
		if (b->n < BATCH || b->cookie <= cookie)
			break;
		cookie = b->cookie;
	}
	free(b);
}

/* ---- writing ------------------------------------------------------ */

/* write_files: writes, a chmod, a truncation, a punched hole and an
 * fallocate on the files found, which fold overlays, reseal blocks and
 * rewrite access ACLs from damaged records. */
static void write_files(struct walk *w, const unsigned char *buf, size_t n)
{
	struct ofs_attr a = {0};
	ofs *fs = w->fs;
	if (ofs_create(fs, OFS_ROOT_INO, "fz-new", S_IFREG | 0644, 0, 022, 0, 0, &a) == 0)
		ofs_write(fs, a.ino, buf, n, 0);
	for (int i = 0; i < w->nfiles; i++) {
		ofs_write(fs, w->files[i], buf, OFS_SECTOR, OFS_SECTOR);
		a.mode = 0600;
		ofs_setattr(fs, w->files[i], &a, OFS_SET_MODE, NULL);
	}
	if (!w->nfiles)
		return;
	ofs_write(fs, w->files[0], buf, n, 30000);
	ofs_setxattr(fs, w->files[0], "user.fz", buf, 40, 0);
	ofs_link(fs, w->files[0], OFS_ROOT_INO, "fz-link", &a);
	a.size = 1000;
	ofs_setattr(fs, w->files[w->nfiles - 1], &a, OFS_SET_SIZE, NULL);
	ofs_fallocate(fs, w->files[0], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 5000, 3 * OFS_BLOCK);
	ofs_fallocate(fs, w->files[0], 0, 0, 8 * OFS_BLOCK);
}

/* write_names: creates (inheriting damaged default ACLs), a chmod, a
 * rename (which follows damaged parent fields) and an unlink with its
 * eviction. */
static void write_names(struct walk *w)
{
	struct ofs_attr a = {0};
	uint64_t orphan = 0;
	ofs *fs = w->fs;
	for (int i = 0; i < w->ndirs; i++) {
		ofs_create(fs, w->dirs[i], "fz-c", S_IFREG | 0666, 0, 022, 0, 0, &a);
		ofs_create(fs, w->dirs[i], "fz-d", S_IFDIR | 0777, 0, 022, 0, 0, &a);
		a.mode = 0711;
		ofs_setattr(fs, w->dirs[i], &a, OFS_SET_MODE, NULL);
	}
	if (w->sub_parent && w->ndirs)
		ofs_rename(fs, w->sub_parent, w->sub, w->dirs[w->ndirs - 1], "fz-mv", 0, &orphan);
	if (w->leaf_parent && ofs_unlink(fs, w->leaf_parent, w->leaf, &orphan) == 0 && orphan)
		ofs_evict(fs, orphan);
}

/* use: open the damaged image and read all of it that can be reached,
 * then change some of it; an image that does not open is fine. */
static void use(const char *img)
{
	static unsigned char buf[100 << 10];
	struct walk *w = calloc(1, sizeof *w);
	struct statvfs sv;
	if (!w)
		abort();
	if (ofs_open(&w->fs, img, 0) == 0) {
		seen(w, OFS_ROOT_INO);
		examine(w, OFS_ROOT_INO);
		visit(w, OFS_ROOT_INO, 0);
		for (uint64_t ino = 2; ino < LOOSE_INOS; ino++)
			if (!seen(w, ino))
				examine(w, ino);
		ofs_statfs(w->fs, &sv);
		memset(buf, 0x5a, sizeof buf);
		write_files(w, buf, sizeof buf);
		write_names(w);
		for (uint64_t ino = 2; ino < LOOSE_INOS; ino++)
			ofs_evict(w->fs, ino);
		ofs_close(w->fs);
	}
	free(w);
}

/* ---- fsck --------------------------------------------------------- */

/* say: print a problem fsck found (arg: a label). */
static void say(void *arg, const char *msg)
{
	fprintf(stderr, "  %s: %s\n", (const char *)arg, msg);
}

/* repair_holds: repair, then check again.  A repair of an image a check
 * could read must not fail outright but for damage that stops it
 * (ECORRUPT); and fsck(8) exit status 1 means "all corrected", so a
 * repair that fixed every problem it found must leave nothing for the
 * next check to find.  FUZZ_IMAGE_VERBOSE prints the repair's problems. */
static void repair_holds(const char *img)
{
	struct ofs_fsck_report r1, r2;
	int verbose = getenv("FUZZ_IMAGE_VERBOSE") != NULL;
	int checks = ofs_fsck(img, 0, NULL, NULL, &r1) == 0;
	int rc = ofs_fsck(img, OFS_FSCK_REPAIR, verbose ? say : NULL, "repair", &r1);
	if (rc && rc != -ORION_ECORRUPT && checks) {
		fprintf(stderr, "check ran, repair failed: %s\n", orion_strerror(rc));
		abort();
	}
	if (rc || r1.problems != r1.repaired)
		return; /* something was beyond repair: nothing was promised */
	rc = ofs_fsck(img, 0, say, "after repair", &r2);
	if (rc || r2.problems) {
		fprintf(stderr, "repair fixed %lu of %lu problems, then check: %s, %lu problems\n",
			r1.repaired, r1.problems, rc ? orion_strerror(rc) : "ran", r2.problems);
		abort();
	}
}

/* ---- driver ------------------------------------------------------- */

static char dir[64], img[96], lock[104];

/* cleanup: remove the scratch image at exit. */
static void cleanup(void)
{
	unlink(img);
	unlink(lock);
	rmdir(dir);
}

/* scratch: make the private directory once; on tmpfs when there is one,
 * since every commit flushes the image. */
static void scratch(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(dir, sizeof dir, "%s/fuzz-image.XXXXXX", base);
	if (!mkdtemp(dir))
		abort();
	snprintf(img, sizeof img, "%s/img.fs", dir);
	snprintf(lock, sizeof lock, "%s-lock", img);
	atexit(cleanup);
}

/* LLVMFuzzerTestOneInput: one input is one damage program run on a
 * fresh image, so that no input depends on what an earlier one did. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ofs_mkfs_opts o = {.force = 1, .map_size = 16 << 20};
	struct ofs_fsck_report r;
	ofs *fs;
	if (!img[0])
		scratch();
	if (ofs_mkfs(img, &o))
		abort();
	pin_keys(img);
	if (ofs_open(&fs, img, 0))
		abort();
	populate(fs);
	ofs_close(fs);
	damage(data, size, img);
	ofs_fsck(img, 0, NULL, NULL, &r);
	use(img);
	repair_holds(img);
	return 0;
}
