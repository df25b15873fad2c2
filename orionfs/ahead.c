/*
 * ahead.c: reads started ahead of a walk through a range of keys.  The map
 * faults one page at a time (MDB_NORDAHEAD), and the leaf pages of one
 * range lie anywhere in the image, so a cursor walking a large range
 * waits for the disk once per leaf.  LMDB's interface names no page, so
 * ofs_ahead reads its file format (version 0.9: lmdb's mdb.c, MDB_meta,
 * MDB_db, MDB_page, MDB_node) in the map: from the meta page of the last
 * commit, through the main tree to the table's root, through the branch
 * pages that cover the range to the leaves, whose reads it starts all at
 * once (POSIX_FADV_WILLNEED).  ofs_heads_ahead does the like for values
 * a deletion or an overwrite is about to free: LMDB reads the first page
 * of each (its overflow header) to learn how many pages it frees.  The
 * format's other reader is ofs_run_end, the extent of such a value, for
 * blocks grown where they lie (data.c).
 *
 * Caveats
 *  - A hint only: it never changes what a transaction sees, and it gives
 *    up quietly on anything it does not expect (a bound, a kind of page),
 *    so a damaged image costs nothing but the hint.
 *  - It follows the last commit, not the caller's own uncommitted writes
 *    (those are in memory anyway).
 *  - ofs_ahead_bg's walk goes on while the caller serves others, holding
 *    no transaction: pages it reads may be reused under it, which costs
 *    a wrong hint at worst (every bound is checked); ofs_close joins it
 *    before the map goes.  It waits for the pages it asked for, and so
 *    maps them into the process, as its caller would.
 */
#include "orionfs/internal.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	LM_PAGEHDR = OFS_LMDB_PAGEHDR, /* MDB_page up to mp_ptrs */
	LM_PGNO = 0, LM_FLAGS = 10, LM_LOWER = 12, LM_UPPER = 14,
	LM_PAGES = 12,               /* mp_pages: an overflow run's, over mp_lower */
	LM_BRANCH = 0x01, LM_LEAF = 0x02, /* mp_flags */
	LM_NODEHDR = 8,              /* MDB_node up to mn_data */
	LM_SUBDATA = 0x02,           /* mn_flags: a named table's MDB_db */
	LM_MAIN = LM_PAGEHDR + 24 + 48, /* the main tree's MDB_db in a meta page */
	LM_LAST = LM_PAGEHDR + 120,  /* mm_last_pg */
	LM_TXNID = LM_PAGEHDR + 128, /* mm_txnid */
	LM_DB_DEPTH = 6, LM_DB_ROOT = 40, LM_DB_SIZE = 48,
	LM_MAXDEPTH = 16,            /* deeper is damage */
	/* branch pages of one level a walk reads at most: 512 cover some
	 * 50,000 leaves, and the two levels' lists fit a thread's stack */
	LM_BUDGET = 512,
	/* pages a thread's walk has in flight at most: the disk serves what
	 * it holds in the image's order, so a walk that asked for thousands
	 * at once got the first leaves in key order, which its caller needs
	 * first, only at the end (the first 5% of 1,600 leaves after 3 ms,
	 * the first 25% after 11 of 13 ms); 128 at a time, it gets them in
	 * order (25% after 4 ms) and all as soon */
	LM_WINDOW = OFS_AHEAD_WINDOW,
};

/* How a walk goes: keeping at most LM_WINDOW pages in flight (a thread's
 * walk), or only counting leaves, asking for none. */
enum { AH_WINDOW = 1, AH_COUNT = 2 };

/* A branch page to walk, and the ranges [a, b) that may lie under it. */
struct span {
	uint64_t pgno;
	size_t a, b;
};

/* One walk: its image, ranges, this level's branch pages and the next
 * level's, the run of pages not yet asked for, and how many leaves it
 * may ask for (0: all). */
struct ahead {
	const ofs *fs;
	uint64_t last;          /* last page of the commit */
	const MDB_val *lo, *hi; /* the ranges being walked, hi excluded */
	struct span *cur, *next;
	size_t ncur, nnext;
	uint64_t run, nrun;     /* pages [run, run + nrun) */
	size_t cap, leaves;
	int over;               /* the range holds more than cap leaves */
	unsigned how;           /* AH_* */
	uint64_t ring[LM_WINDOW]; /* pages asked for, oldest at head */
	size_t head, nring;
};

/* get16, get64: native-endian fields of the format (it is the host's). */
static unsigned get16(const unsigned char *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* ofs_run_end: the page past the last of the run of pages a value stored
 * on pages of its own (val, its first byte) lies on: the run's first page
 * number and page count, in the page header just before the value. */
uint64_t ofs_run_end(const void *val)
{
	const unsigned char *hdr = (const unsigned char *)val - LM_PAGEHDR;
	uint32_t pages;
	memcpy(&pages, hdr + LM_PAGES, sizeof pages);
	return get64(hdr + LM_PGNO) + pages;
}

/* keycmp: LMDB's default order (memcmp, then the shorter first). */
static int keycmp(const MDB_val *a, const MDB_val *b)
{
	size_t n = a->mv_size < b->mv_size ? a->mv_size : b->mv_size;
	int c = memcmp(a->mv_data, b->mv_data, n);
	return c ? c : (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

/* page: page pgno of the commit if it is of kind, with n its key count. */
static const unsigned char *page(const struct ahead *w, uint64_t pgno, unsigned kind, unsigned *n)
{
	size_t ps = w->fs->psize;
	if (pgno < 2 || pgno > w->last)
		return NULL;
	const unsigned char *p = (const unsigned char *)w->fs->map_lo + pgno * ps;
	unsigned lower = get16(p + LM_LOWER), upper = get16(p + LM_UPPER);
	if (!(get16(p + LM_FLAGS) & kind) || lower < LM_PAGEHDR || lower > upper || upper > ps)
		return NULL;
	*n = (lower - LM_PAGEHDR) / 2;
	return p;
}

/* node: node i of page p, its key in k; NULL if it does not fit the page. */
static const unsigned char *node(const struct ahead *w, const unsigned char *p, unsigned i,
				 MDB_val *k)
{
	size_t ps = w->fs->psize, off = get16(p + LM_PAGEHDR + 2 * i);
	if (off < LM_PAGEHDR || off + LM_NODEHDR > ps)
		return NULL;
	const unsigned char *nd = p + off;
	k->mv_size = get16(nd + 6);
	k->mv_data = (void *)(nd + LM_NODEHDR);
	return off + LM_NODEHDR + k->mv_size <= ps ? nd : NULL;
}

/* settle: room in the window for one more page, made by waiting for
 * the oldest page asked for (a read of the map blocks until it is in). */
static void settle(struct ahead *w)
{
	if (w->nring < LM_WINDOW)
		return;
	const volatile unsigned char *map = (const unsigned char *)w->fs->map_lo;
	(void)map[w->ring[w->head] * w->fs->psize];
	w->head = (w->head + 1) % LM_WINDOW;
	w->nring--;
}

/* flush: ask for the pending run of pages. */
static void flush(struct ahead *w)
{
	for (uint64_t i = 0; (w->how & AH_WINDOW) && i < w->nrun && w->run + i <= w->last; i++) {
		settle(w);
		w->ring[(w->head + w->nring++) % LM_WINDOW] = w->run + i;
	}
	if (w->nrun)
		posix_fadvise(w->fs->lockfd, (off_t)(w->run * w->fs->psize),
			      (off_t)(w->nrun * w->fs->psize), POSIX_FADV_WILLNEED);
	w->nrun = 0;
}

/* want: page pgno is needed; neighbours join one request, and a
 * page asked for already (sorted ranges sharing a leaf) costs nothing. */
static void want(struct ahead *w, uint64_t pgno)
{
	if (w->nrun && pgno >= w->run && pgno <= w->run + w->nrun) {
		w->nrun += pgno == w->run + w->nrun;
		return;
	}
	flush(w);
	w->run = pgno;
	w->nrun = 1;
}

/* child: the page number in branch node nd. */
static uint64_t child(const unsigned char *nd)
{
	return get16(nd) | (uint64_t)get16(nd + 2) << 16 | (uint64_t)get16(nd + 4) << 32;
}

/* reach: child pgno holds ranges [a, b): ask for it, and walk it next
 * unless it is a leaf (leaf says it is). */
static void reach(struct ahead *w, uint64_t pgno, size_t a, size_t b, int leaf)
{
	if (!leaf && w->nnext == LM_BUDGET)
		return;
	if (leaf && w->cap && ++w->leaves > w->cap) {
		w->over = 1;
		return;
	}
	if (!(w->how & AH_COUNT))
		want(w, pgno);
	if (!leaf)
		w->next[w->nnext++] = (struct span){pgno, a, b};
}

/* branch: the children of span s that hold keys of its ranges.  Child i
 * covers keys from its own key (the first has none: from the page's
 * lowest) up to the next child's; the ranges are in order and disjoint,
 * so one pass over both finds them. */
static void branch(struct ahead *w, const struct span *s, int leaves)
{
	unsigned n;
	const unsigned char *p = page(w, s->pgno, LM_BRANCH, &n);
	size_t j = s->a;
	for (unsigned i = 0; p && i < n && j < s->b && !w->over; i++) {
		MDB_val k, next;
		const unsigned char *nd = node(w, p, i, &k), *nx = NULL;
		if (!nd || (i + 1 < n && !(nx = node(w, p, i + 1, &next))))
			return;
		while (i > 0 && j < s->b && keycmp(&w->hi[j], &k) <= 0)
			j++; /* ended before this child */
		size_t e = j;
		while (e < s->b && (!nx || keycmp(&w->lo[e], &next) < 0))
			e++;
		if (e > j)
			reach(w, child(nd), j, e, leaves);
	}
}

/* walk: from the table's root (depth levels), one level at a time: a
 * level's pages are all asked for before any is read, so the disk reads
 * them at once, not one after another. */
static void walk(struct ahead *w, uint64_t root, unsigned depth, size_t n)
{
	w->ncur = 1;
	w->cur[0] = (struct span){root, 0, n};
	for (unsigned h = depth - 1; h > 0 && w->ncur && !w->over; h--) {
		w->nnext = 0;
		for (size_t i = 0; i < w->ncur; i++)
			branch(w, &w->cur[i], h == 1);
		flush(w);
		struct span *t = w->cur;
		w->cur = w->next;
		w->next = t;
		w->ncur = w->nnext;
	}
}

/* table: the MDB_db of table name in the commit's main tree (a single
 * leaf, as our few tables make it), or NULL. */
static const unsigned char *table(const struct ahead *w, const unsigned char *meta, const char *name)
{
	MDB_val want_key = {strlen(name), (void *)name}, k;
	unsigned n;
	const unsigned char *p = get16(meta + LM_MAIN + LM_DB_DEPTH) == 1
					 ? page(w, get64(meta + LM_MAIN + LM_DB_ROOT), LM_LEAF, &n)
					 : NULL;
	for (unsigned i = 0; p && i < n; i++) {
		const unsigned char *nd = node(w, p, i, &k);
		if (!nd)
			return NULL;
		if (keycmp(&k, &want_key) == 0)
			return (get16(nd + 4) & LM_SUBDATA) && get16(nd) == LM_DB_SIZE &&
				       (const unsigned char *)k.mv_data + k.mv_size + LM_DB_SIZE <=
					       p + w->fs->psize
				   ? (const unsigned char *)k.mv_data + k.mv_size
				   : NULL;
	}
	return NULL;
}

/* infile: the image file's pages, asking the system only when page
 * wanted lies past the count last seen (the file only grows while it is
 * open, so a count once seen stays true: a walk need not pay a system
 * call). */
static uint64_t infile(ofs *fs, uint64_t wanted)
{
	struct stat st;
	uint64_t n = fs->file_pages;
	if (wanted < n || fstat(fs->lockfd, &st) < 0)
		return n;
	n = (uint64_t)st.st_size / fs->psize;
	fs->file_pages = n;
	return n;
}

/* ahead: ofs_ahead asking for cap leaves at most (0: all), as how says
 * (AH_*); 1 if the ranges hold more leaves than cap. */
static int ahead(ofs *fs, const char *name, const MDB_val *lo, const MDB_val *hi, size_t n,
		 size_t cap, unsigned how)
{
	if (!fs->map_lo || fs->psize < 512 || n == 0 || infile(fs, 1) < 2)
		return 0;
	const unsigned char *m0 = (const unsigned char *)fs->map_lo, *m1 = m0 + fs->psize;
	const unsigned char *meta = get64(m1 + LM_TXNID) > get64(m0 + LM_TXNID) ? m1 : m0;
	/* a page past the file's end would fault (SIGBUS), whatever a meta
	 * page caught mid-write says */
	uint64_t last = get64(meta + LM_LAST), pages = infile(fs, last);
	struct span spans[2][LM_BUDGET];
	struct ahead w = {.fs = fs, .last = last < pages ? last : pages - 1, .lo = lo, .hi = hi,
			  .cur = spans[0], .next = spans[1], .cap = cap, .how = how};
	const unsigned char *db = table(&w, meta, name);
	unsigned depth = db ? get16(db + LM_DB_DEPTH) : 0;
	if (depth == 1 && !(how & AH_COUNT))
		want(&w, get64(db + LM_DB_ROOT));
	if (depth > 1 && depth <= LM_MAXDEPTH)
		walk(&w, get64(db + LM_DB_ROOT), depth, n);
	flush(&w);
	return w.over;
}

/* ofs_ahead: start reading the leaf pages of table name (fs's dbi of
 * that name) that hold keys in any of the n ranges [lo[i], hi[i]), as of
 * the last commit.  The ranges are in key order and disjoint; they share
 * one request per run of neighbouring pages. */
void ofs_ahead(ofs *fs, const char *name, const MDB_val *lo, const MDB_val *hi, size_t n)
{
	ahead(fs, name, lo, hi, n, 0, 0);
}

/* The keys (ino, *) of a table: [lo, hi), the bytes in lk and hk. */
struct range {
	struct ofs_key lk, hk;
	MDB_val lo, hi;
};

/* ino_range: r bounds the keys (ino, *). */
static void ino_range(struct range *r, uint64_t ino)
{
	r->lo = ofs_key2(&r->lk, ino, 0);
	r->hi = ofs_key2(&r->hk, ino + 1, 0);
}

/* A walk of the keys of one inode on a thread of its own (ofs_ahead_bg). */
struct bg {
	ofs *fs;
	const char *name;
	struct range r;
};

/* bg_run: the walk, in order (the thread may wait for the disk), then a
 * mark that the thread may be joined. */
static void *bg_run(void *arg)
{
	struct bg *b = arg;
	ahead(b->fs, b->name, &b->r.lo, &b->r.hi, 1, 0, AH_WINDOW);
	b->fs->ahead_done = 1;
	free(b);
	return NULL;
}

/* join: under rlock, wait for the walk ofs_ahead_bg started, if any;
 * with done, only for one that has finished.  1: none is left running. */
static int join(ofs *fs, int done)
{
	if (fs->ahead_on && done && !fs->ahead_done)
		return 0;
	if (fs->ahead_on)
		pthread_join(fs->ahead, NULL);
	fs->ahead_on = 0;
	return 1;
}

/* ofs_ahead_join: wait for the walk ofs_ahead_bg started, if any (before
 * the map goes). */
void ofs_ahead_join(ofs *fs)
{
	pthread_mutex_lock(&fs->rlock);
	join(fs, 0);
	pthread_mutex_unlock(&fs->rlock);
}

/* start: run b on a thread unless a walk runs already; 1: b is the
 * thread's now. */
static int start(ofs *fs, struct bg *b)
{
	int started = 0;
	pthread_mutex_lock(&fs->rlock);
	if (join(fs, 1)) {
		fs->ahead_done = 0;
		started = fs->ahead_on = pthread_create(&fs->ahead, NULL, bg_run, b) == 0;
	}
	pthread_mutex_unlock(&fs->rlock);
	return started;
}

/* ofs_ahead_large: 1 if the keys (ino, *) of table name fill more than
 * OFS_AHEAD_INLINE leaves (a hint, as of the last commit); it asks for
 * none. */
int ofs_ahead_large(ofs *fs, const char *name, uint64_t ino)
{
	struct range r;
	ino_range(&r, ino);
	return ahead(fs, name, &r.lo, &r.hi, 1, OFS_AHEAD_INLINE, AH_COUNT);
}

/* ofs_ahead_bg: ofs_ahead of the keys (ino, *) of table name (a
 * literal).  Up to OFS_AHEAD_INLINE leaves it asks for itself; a larger
 * range's walk goes on a thread, so that its thousands of requests, a few
 * microseconds each, do not hold up the caller's reply (a thread costs
 * some 20, more than a small range's whole walk).  One such thread runs
 * at a time; while it runs, the caller walks itself. */
void ofs_ahead_bg(ofs *fs, const char *name, uint64_t ino)
{
	struct range r;
	struct bg *b;
	ino_range(&r, ino);
	if (!ahead(fs, name, &r.lo, &r.hi, 1, OFS_AHEAD_INLINE, 0))
		return;
	if ((b = malloc(sizeof *b))) {
		*b = (struct bg){.fs = fs, .name = name};
		ino_range(&b->r, ino);
		if (start(fs, b))
			return;
		free(b);
	}
	ofs_ahead(fs, name, &r.lo, &r.hi, 1);
}

/* ofs_heads_ahead: start reading, with c (a cursor on one of the tables
 * keyed (owner, index)), the first page of each of the next n values of
 * owner from index from on that lie on pages of their own.  LMDB reads
 * that page, which says how many pages the value spans, before it frees
 * or replaces the value: asked for together, a run of cold values waits
 * for the disk about once, not once each (deleting a cold 512 MiB file:
 * 0.6-0.8 s of faults, one by one). */
void ofs_heads_ahead(ofs *fs, MDB_cursor *c, uint64_t owner, uint64_t from, uint64_t n)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, owner, from), v;
	for (int rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	     rc == 0 && n-- && key.mv_size >= 8 && ofs_be64(key.mv_data) == owner;
	     rc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		if (ofs_val_pages(v.mv_size, fs->psize) && ofs_in_map(fs, v.mv_data, 1))
			posix_fadvise(fs->lockfd, (off_t)(ofs_map_off(fs, v.mv_data) & ~(fs->psize - 1)),
				      (off_t)fs->psize, POSIX_FADV_WILLNEED);
	}
}

/* ofs_heads_near: c is on owner's record (key, v), the n-th a deletion
 * meets: every OFS_HEADS_AHEAD records, when this one lies on pages of
 * its own, start reading the next ones' first pages (ofs_heads_ahead),
 * then put c back on key (v as it was).  0 or an LMDB error. */
int ofs_heads_near(ofs *fs, MDB_cursor *c, uint64_t owner, uint64_t n, MDB_val *key, MDB_val *v)
{
	unsigned char at[OFS_AHEAD_KEY];
	if (n % OFS_HEADS_AHEAD || key->mv_size < 16 || key->mv_size > sizeof at ||
	    !ofs_val_pages(v->mv_size, fs->psize))
		return 0;
	memcpy(at, key->mv_data, key->mv_size); /* the key whole: overlays' are 17 bytes */
	ofs_heads_ahead(fs, c, owner, ofs_be64(at + 8), OFS_HEADS_AHEAD);
	key->mv_data = at;
	return mdb_cursor_get(c, key, v, MDB_SET_KEY);
}
