/*
 * ahead.c: LMDB's pages read without LMDB, for the walks LMDB's interface
 * cannot make fast.  The map faults one page at a time (MDB_NORDAHEAD),
 * and the leaf pages of one range lie anywhere in the image, so a cursor
 * walking a large range waits for the disk once per leaf.  LMDB's
 * interface names no page, so these functions read its file format
 * (version 0.9: lmdb's mdb.c, MDB_meta, MDB_db, MDB_page, MDB_node) in
 * the map: from a commit's meta page, through the main tree to the
 * table's root, through the branch pages that cover the range to the
 * leaves.
 *  - ofs_ahead starts reading the leaves all at once (POSIX_FADV_WILLNEED);
 *    ofs_ahead_bg does it on a thread, through io_uring where it can.
 *  - ofs_leaves reads a range's leaves itself, with pread, and hands their
 *    keys and values to its caller: on a machine where a page fault traps
 *    to the hypervisor, mapping a page costs some 13 us and reading it 2.
 *  - ofs_heads_ahead does the like of ofs_ahead for values a deletion or
 *    an overwrite is about to free: LMDB reads the first page of each (its
 *    overflow header) to learn how many pages it frees.
 *  - ofs_run_end gives the extent of such a value, for blocks grown where
 *    they lie (data.c).
 *  - ofs_free_tail reads LMDB's free list with pread, for an open that
 *    finds the image file shorter than its meta page says (image.c).
 *
 * Caveats
 *  - ofs_ahead and ofs_ahead_bg are hints only: they never change what a
 *    transaction sees, and they give up quietly on anything they do not
 *    expect (a bound, a kind of page), so a damaged image costs nothing
 *    but the hint.  They follow the last commit, not the caller's own
 *    uncommitted writes (those are in memory anyway).
 *  - ofs_ahead_bg's walk goes on while the caller serves others, holding
 *    no transaction: pages it reads may be reused under it, which costs
 *    a wrong hint at worst (every bound is checked); ofs_close joins it
 *    before the map goes.
 *  - ofs_leaves is not a hint: it reads the snapshot of the caller's read
 *    transaction, whose pages LMDB reuses for nothing while it lasts, and
 *    only when it can tell that snapshot's meta page for certain; on
 *    anything else it says -EAGAIN and the caller uses a cursor.
 */
#include "orionfs/internal.h"

#include <fcntl.h>
#include <liburing.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	LM_PAGEHDR = OFS_LMDB_PAGEHDR, /* MDB_page up to mp_ptrs */
	LM_PGNO = 0, LM_FLAGS = 10, LM_LOWER = 12, LM_UPPER = 14,
	LM_PAGES = 12,               /* mp_pages: an overflow run's, over mp_lower */
	LM_BRANCH = 0x01, LM_LEAF = 0x02, /* mp_flags */
	LM_KINDS = 0x6f,             /* mp_flags that say a page's kind */
	LM_NODEHDR = 8,              /* MDB_node up to mn_data */
	LM_SUBDATA = 0x02,           /* mn_flags: a named table's MDB_db */
	LM_NODEKINDS = 0x07,         /* mn_flags of values not in the leaf */
	LM_FREE = LM_PAGEHDR + 24,   /* the free list's MDB_db in a meta page */
	LM_MAIN = LM_FREE + 48,      /* the main tree's */
	LM_OVERFLOW = 0x04,          /* mp_flags: the first page of a value's run */
	LM_BIGDATA = 0x01,           /* mn_flags: the value is in such a run */
	LM_LAST = LM_PAGEHDR + 120,  /* mm_last_pg */
	LM_TXNID = LM_PAGEHDR + 128, /* mm_txnid */
	LM_METALEN = LM_TXNID + 8,   /* a meta page up to its end */
	LM_KEYMAX = 511,             /* LMDB's longest key */
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
	LM_SUBMIT = 32,              /* reads a ring submits together */
	/* leaves a sweep of ofs_leaves finds: the first few, as its caller
	 * may want no more (a reply's worth) and a cold walk to more costs
	 * branch pages read one by one; twice as many each sweep after */
	LM_LIST_FIRST = 32, LM_LIST = 1024,
};

/* How a walk goes: keeping at most LM_WINDOW pages in flight (a thread's
 * walk), waiting for the oldest with pread rather than through the map
 * (AH_UNMAPPED: its caller reads with ofs_leaves), only counting leaves,
 * asking for none, or listing them (for ofs_leaves), asking for none. */
enum { AH_WINDOW = 1, AH_COUNT = 2, AH_LIST = 4, AH_UNMAPPED = 8 };

/* Reads of pages through io_uring, LM_WINDOW at most in flight, into
 * scratch slots: they fill the page cache, and what they read is
 * dropped.  A request costs some 4 us of CPU, against 13 for
 * POSIX_FADV_WILLNEED, which kicks the disk once per call.  With touch,
 * each page is also mapped as its read completes (its caller reads it
 * through the map, and would fault on it). */
struct ring {
	struct io_uring u;
	const ofs *fs;
	int broken, touch;
	unsigned char *buf;
	unsigned slot[LM_WINDOW], nfree, queued;
	uint64_t pgno[LM_WINDOW]; /* the page each slot reads */
};

/* A branch page to walk, and the ranges [a, b) that may lie under it. */
struct span {
	uint64_t pgno;
	size_t a, b;
};

/* One walk: its image, ranges, this level's branch pages and the next
 * level's, the run of pages not yet asked for, and how many leaves it
 * may ask for (0: all). */
struct ahead {
	ofs *fs;
	uint64_t last;          /* last page of the commit */
	const MDB_val *lo, *hi; /* the ranges being walked, hi excluded */
	struct span *cur, *next;
	size_t ncur, nnext;
	uint64_t run, nrun;     /* pages [run, run + nrun) */
	size_t cap, leaves;
	int over;               /* the range holds more than cap leaves */
	int cut;                /* a level held more than LM_BUDGET branch pages */
	int bad;                /* a page was not what the walk expected */
	unsigned how;           /* AH_* */
	uint64_t *out;          /* AH_LIST: the leaves, in key order */
	size_t nout;
	struct ring *io;        /* leaves are read through it, if set */
	uint64_t flight[LM_WINDOW]; /* pages asked for, oldest at head */
	size_t head, nflight;
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

/* read_page: n bytes from the start of page pgno of fd (pages of ps
 * bytes) into buf; 1 if all came and the page says it is pgno (a page
 * LMDB wrote; a hole or a page of another file does not). */
static int read_page(int fd, size_t ps, uint64_t pgno, unsigned char *buf, size_t n)
{
	ssize_t got;
	while ((got = pread(fd, buf, n, (off_t)(pgno * ps))) < 0 && errno == EINTR)
		;
	return got == (ssize_t)n && n >= LM_PGNO + 8 && get64(buf + LM_PGNO) == pgno;
}

/* newest: of the two meta pages m0 and m1, the last commit's (the larger
 * transaction id, as LMDB picks it). */
static const unsigned char *newest(const unsigned char *m0, const unsigned char *m1)
{
	return get64(m1 + LM_TXNID) > get64(m0 + LM_TXNID) ? m1 : m0;
}

/* check: p, a page of ps bytes, is of kind (mp_flags), with n its keys. */
static int check(const unsigned char *p, size_t ps, unsigned kind, unsigned *n)
{
	unsigned lower = get16(p + LM_LOWER), upper = get16(p + LM_UPPER);
	if (!(get16(p + LM_FLAGS) & kind) || lower < LM_PAGEHDR || lower > upper || upper > ps)
		return 0;
	*n = (lower - LM_PAGEHDR) / 2;
	return 1;
}

/* page: page pgno of the commit, in the map, if it is of kind, with n its
 * key count. */
static const unsigned char *page(const struct ahead *w, uint64_t pgno, unsigned kind, unsigned *n)
{
	size_t ps = w->fs->psize;
	if (pgno < 2 || pgno > w->last)
		return NULL;
	const unsigned char *p = (const unsigned char *)w->fs->map_lo + pgno * ps;
	return check(p, ps, kind, n) ? p : NULL;
}

/* node: node i of p, a page of ps bytes, its key in k; NULL if it does
 * not fit the page. */
static const unsigned char *node(size_t ps, const unsigned char *p, unsigned i, MDB_val *k)
{
	size_t off = get16(p + LM_PAGEHDR + 2 * i);
	if (off < LM_PAGEHDR || off + LM_NODEHDR > ps)
		return NULL;
	const unsigned char *nd = p + off;
	k->mv_size = get16(nd + 6);
	k->mv_data = (void *)(nd + LM_NODEHDR);
	return off + LM_NODEHDR + k->mv_size <= ps ? nd : NULL;
}

/* ring_open: r set up to read fs's image (mapping each page read, with
 * touch); -errno if io_uring cannot be had. */
static int ring_open(struct ring *r, const ofs *fs, int touch)
{
	*r = (struct ring){.fs = fs, .touch = touch, .nfree = LM_WINDOW};
	if (!(r->buf = malloc(LM_WINDOW * fs->psize)))
		return -ENOMEM;
	orion_populate(r->buf, LM_WINDOW * fs->psize); /* the kernel writes it a page at a time */
	int rc = io_uring_queue_init(LM_WINDOW, &r->u, 0);
	if (rc < 0) {
		free(r->buf);
		return rc;
	}
	for (unsigned i = 0; i < LM_WINDOW; i++)
		r->slot[i] = i;
	return 0;
}

/* ring_reap: submit what is queued, then take back the slots of the reads
 * that have finished, with wait after waiting for one. */
static void ring_reap(struct ring *r, int wait)
{
	struct io_uring_cqe *c;
	if (r->queued && io_uring_submit(&r->u) < 0)
		r->broken = 1;
	r->queued = 0;
	int rc = 0;
	while (wait && !r->broken && (rc = io_uring_wait_cqe(&r->u, &c)) == -EINTR)
		;
	if (rc < 0)
		r->broken = 1;
	const volatile unsigned char *map = (const unsigned char *)r->fs->map_lo;
	while (io_uring_peek_cqe(&r->u, &c) == 0) {
		if (r->touch && c->res == (int)r->fs->psize) /* a whole page: in the file, so mapped */
			(void)map[r->pgno[c->user_data] * r->fs->psize];
		r->slot[r->nfree++] = (unsigned)c->user_data;
		io_uring_cqe_seen(&r->u, c);
	}
}

/* ring_read: start reading page pgno, once a slot is free. */
static void ring_read(struct ring *r, uint64_t pgno)
{
	while (!r->nfree && !r->broken)
		ring_reap(r, 1);
	struct io_uring_sqe *s = r->broken ? NULL : io_uring_get_sqe(&r->u);
	if (!s)
		return;
	unsigned slot = r->slot[--r->nfree];
	size_t ps = r->fs->psize;
	io_uring_prep_read(s, r->fs->pagefd, r->buf + slot * ps, (unsigned)ps, (off_t)(pgno * ps));
	s->user_data = slot;
	r->pgno[slot] = pgno;
	if (++r->queued == LM_SUBMIT)
		ring_reap(r, 0);
}

/* ring_close: wait for every read r started, then free it.  A ring that
 * broke with reads out keeps their buffer: closing the ring does not wait
 * for them, and one may yet land in it. */
static void ring_close(struct ring *r)
{
	ring_reap(r, 0);
	while (r->nfree < LM_WINDOW && !r->broken)
		ring_reap(r, 1);
	io_uring_queue_exit(&r->u);
	if (r->nfree == LM_WINDOW)
		free(r->buf);
}

/* settle: room in the window for one more page, made by waiting for
 * the oldest page asked for (a read of it blocks until it is in; a read
 * that fails waited for nothing, which costs a hint only). */
static void settle(struct ahead *w)
{
	if (w->nflight < LM_WINDOW)
		return;
	uint64_t at = w->flight[w->head] * w->fs->psize;
	const volatile unsigned char *map = (const unsigned char *)w->fs->map_lo;
	unsigned char b;
	if (!(w->how & AH_UNMAPPED))
		(void)map[at];
	else
		(void)!pread(w->fs->pagefd, &b, 1, (off_t)at);
	w->head = (w->head + 1) % LM_WINDOW;
	w->nflight--;
}

/* flush: ask for the pending run of pages. */
static void flush(struct ahead *w)
{
	for (uint64_t i = 0; (w->how & AH_WINDOW) && i < w->nrun && w->run + i <= w->last; i++) {
		settle(w);
		w->flight[(w->head + w->nflight++) % LM_WINDOW] = w->run + i;
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

/* reach: child pgno holds ranges [a, b): ask for it (or list it), and
 * walk it next unless it is a leaf (leaf says it is). */
static void reach(struct ahead *w, uint64_t pgno, size_t a, size_t b, int leaf)
{
	if (!leaf && w->nnext == LM_BUDGET) {
		w->cut = 1;
		return;
	}
	if (leaf && w->cap && ++w->leaves > w->cap) {
		w->over = 1;
		return;
	}
	if (leaf && (w->how & AH_LIST))
		w->out[w->nout++] = pgno;
	else if (leaf && w->io)
		ring_read(w->io, pgno);
	else if (!(w->how & (AH_COUNT | AH_LIST)))
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
	size_t j = s->a, ps = w->fs->psize;
	w->bad |= !p;
	for (unsigned i = 0; p && i < n && j < s->b && !w->over; i++) {
		MDB_val k, next;
		const unsigned char *nd = node(ps, p, i, &k), *nx = NULL;
		if (!nd || (i + 1 < n && !(nx = node(ps, p, i + 1, &next)))) {
			w->bad = 1;
			return;
		}
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
		const unsigned char *nd = node(w->fs->psize, p, i, &k);
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

/* from_meta: walk w's n ranges of table name from meta (a commit's meta
 * page, as read), as w->how says; 1 if they hold more leaves than
 * w->cap. */
static int from_meta(struct ahead *w, const unsigned char *meta, const char *name, size_t n)
{
	/* a page past the file's end would fault (SIGBUS), whatever a meta
	 * page caught mid-write says */
	uint64_t last = get64(meta + LM_LAST), pages = infile(w->fs, last);
	struct span spans[2][LM_BUDGET];
	w->last = last < pages ? last : pages - 1;
	w->cur = spans[0];
	w->next = spans[1];
	const unsigned char *db = table(w, meta, name);
	unsigned depth = db ? get16(db + LM_DB_DEPTH) : 0;
	w->bad |= !depth || depth > LM_MAXDEPTH;
	if (depth == 1)
		reach(w, get64(db + LM_DB_ROOT), 0, n, 1);
	if (depth > 1 && depth <= LM_MAXDEPTH)
		walk(w, get64(db + LM_DB_ROOT), depth, n);
	flush(w);
	return w->over;
}

/* metas_in: fs's map holds at least its two meta pages. */
static int metas_in(ofs *fs)
{
	return fs->map_lo && fs->psize >= 512 && infile(fs, 1) >= 2;
}

/* ahead: walk the n ranges of table name in the last commit as how says
 * (AH_*), asking for cap leaves at most (0: all), through ring if set;
 * 1 if the ranges hold more leaves than cap. */
static int ahead(ofs *fs, const char *name, const MDB_val *lo, const MDB_val *hi, size_t n,
		 size_t cap, unsigned how, struct ring *ring)
{
	if (!metas_in(fs) || n == 0)
		return 0;
	const unsigned char *m0 = (const unsigned char *)fs->map_lo, *m1 = m0 + fs->psize;
	struct ahead w = {.fs = fs, .lo = lo, .hi = hi, .cap = cap, .how = how, .io = ring};
	return from_meta(&w, newest(m0, m1), name, n);
}

/* ofs_ahead: start reading the leaf pages of table name (fs's dbi of
 * that name) that hold keys in any of the n ranges [lo[i], hi[i]), as of
 * the last commit.  The ranges are in key order and disjoint; they share
 * one request per run of neighbouring pages. */
void ofs_ahead(ofs *fs, const char *name, const MDB_val *lo, const MDB_val *hi, size_t n)
{
	ahead(fs, name, lo, hi, n, 0, 0, NULL);
}

/* load64: a field of the map as it is now, read once. */
static uint64_t load64(const unsigned char *p)
{
	return __atomic_load_n((const uint64_t *)(const void *)p, __ATOMIC_ACQUIRE);
}

/* pinned: a copy in buf of the meta page of snapshot snap (the commit a
 * read transaction holds), or NULL if it may be torn.  LMDB writes the
 * meta page of commit t over that of t - 2, after writing t - 1's on the
 * other page, and mm_txnid last: while the other page still says a
 * commit older than snap, before and after the copy, no commit that
 * could write over snap's page has begun.  A write transaction's snap is
 * the commit it will make, whose page still says an older one: NULL. */
static const unsigned char *pinned(const ofs *fs, uint64_t snap, unsigned char *buf)
{
	const unsigned char *m = (const unsigned char *)fs->map_lo + (snap & 1) * fs->psize;
	const unsigned char *other = (const unsigned char *)fs->map_lo + (~snap & 1) * fs->psize;
	uint64_t before = load64(other + LM_TXNID);
	if (before >= snap)
		return NULL;
	memcpy(buf, m, LM_METALEN);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return get64(buf + LM_TXNID) == snap && load64(other + LM_TXNID) == before ? buf : NULL;
}

/* One ofs_leaves: where it has got to, and whom it hands keys to. */
struct lister {
	ofs *fs;
	unsigned char *pg; /* the leaf read last */
	const MDB_val *hi;
	MDB_val from;      /* keys before it are passed over */
	unsigned char key[LM_KEYMAX + 1]; /* from's bytes, past the first key */
	int end;           /* a key at or past hi was met */
	ofs_leaf_fn fn;
	void *arg;
};

/* pass: from is now the key just after k (k and a zero byte: no key lies
 * between them). */
static void pass(struct lister *l, const MDB_val *k)
{
	memmove(l->key, k->mv_data, k->mv_size);
	l->key[k->mv_size] = 0;
	l->from = (MDB_val){k->mv_size + 1, l->key};
}

/* value: the value of leaf node nd (its key k) of page p, in v; 0 if it
 * does not lie whole in the page or lies elsewhere (its own pages, a
 * table of its own, duplicates). */
static int value(size_t ps, const unsigned char *p, const unsigned char *nd, const MDB_val *k,
		 MDB_val *v)
{
	size_t n = get16(nd) | (size_t)get16(nd + 2) << 16;
	const unsigned char *d = (const unsigned char *)k->mv_data + k->mv_size;
	*v = (MDB_val){n, (void *)d};
	return !(get16(nd + 4) & LM_NODEKINDS) && k->mv_size <= LM_KEYMAX && (size_t)(d - p) + n <= ps;
}

/* leaf: hand l->fn the keys of leaf page pgno from l->from up to l->hi:
 * 0, fn's stop (>0) or error (<0), or -EAGAIN if the page is not the
 * leaf expected. */
static int leaf(struct lister *l, uint64_t pgno)
{
	size_t ps = l->fs->psize;
	unsigned n;
	if (!read_page(l->fs->pagefd, ps, pgno, l->pg, ps) ||
	    (get16(l->pg + LM_FLAGS) & LM_KINDS) != LM_LEAF || !check(l->pg, ps, LM_LEAF, &n))
		return -EAGAIN;
	l->fs->leaves_read++;
	for (unsigned i = 0; i < n; i++) {
		MDB_val k, v;
		const unsigned char *nd = node(ps, l->pg, i, &k);
		if (!nd || !value(ps, l->pg, nd, &k, &v))
			return -EAGAIN;
		if (keycmp(&k, &l->from) < 0)
			continue;
		if (keycmp(&k, l->hi) >= 0) {
			l->end = 1;
			return 0;
		}
		int rc = l->fn(l->arg, &k, &v);
		pass(l, &k);
		if (rc)
			return rc;
	}
	return 0;
}

/* sweep_cap: leaves a sweep finds at most, n if it can. */
static size_t sweep_cap(size_t n)
{
	return n < LM_LIST_FIRST ? LM_LIST_FIRST : n > LM_LIST ? LM_LIST : n;
}

/* sweep: find up to cap leaves from l->from in the snapshot meta says
 * and read them; 1 when the range has more past them. */
static int sweep(struct lister *l, const unsigned char *meta, const char *name, uint64_t *out,
		 size_t cap, size_t min, int *rc)
{
	struct ahead w = {.fs = l->fs, .lo = &l->from, .hi = l->hi, .cap = cap,
			  .how = AH_LIST, .out = out};
	int more = from_meta(&w, meta, name, 1) || w.cut;
	if (w.bad || (!more && w.nout < min) || w.nout == 0) {
		*rc = w.bad || w.nout < min ? -EAGAIN : 0;
		return 0;
	}
	*rc = 0;
	for (size_t i = 0; i < w.nout && !*rc && !l->end; i++)
		*rc = leaf(l, out[i]);
	return more && !*rc && !l->end;
}

/* ofs_leaves: see internal.h. */
int ofs_leaves(ofs *fs, MDB_txn *txn, const char *name, const MDB_val *lo, const MDB_val *hi,
	       size_t min, ofs_leaf_fn fn, void *arg)
{
	unsigned char meta_buf[LM_METALEN];
	const unsigned char *meta = metas_in(fs) ? pinned(fs, mdb_txn_id(txn), meta_buf) : NULL;
	struct lister l = {.fs = fs, .hi = hi, .from = *lo, .fn = fn, .arg = arg};
	uint64_t *out = meta ? malloc(LM_LIST * sizeof *out) : NULL;
	int rc = -EAGAIN;
	if (out && lo->mv_size <= LM_KEYMAX && (l.pg = malloc(fs->psize)))
		for (size_t cap = sweep_cap(min); sweep(&l, meta, name, out, cap, min, &rc);
		     cap = sweep_cap(2 * cap), min = 0)
			;
	free(l.pg);
	free(out);
	return rc;
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

/* A read of LMDB's free list for ofs_free_tail: the image, read with
 * pread and never past its first pages, the reads it may yet make (a
 * damaged list whose pages all point at one would otherwise be walked
 * without end), and the pages sought, marked in seen as they are found. */
struct freewalk {
	int fd;
	uint64_t ps, pages, budget, from, n;
	unsigned char *seen;
};

/* fw_read: n bytes at page pgno of the file into buf, if the file holds
 * them, the page says it is pgno and the budget allows. */
static int fw_read(struct freewalk *f, uint64_t pgno, unsigned char *buf, size_t n)
{
	return pgno >= 2 && pgno < f->pages && n <= (f->pages - pgno) * f->ps && f->budget-- &&
	       read_page(f->fd, f->ps, pgno, buf, n);
}

/* fw_ids: mark the sought pages of the ID list at v (len bytes: a count,
 * then that many page numbers); 0 if it is no such list. */
static int fw_ids(struct freewalk *f, const unsigned char *v, size_t len)
{
	if (len < 8 || get64(v) > len / 8 - 1)
		return 0;
	uint64_t count = get64(v);
	for (uint64_t i = 1; i <= count; i++) {
		uint64_t pg = get64(v + 8 * i) - f->from;
		if (pg < f->n)
			f->seen[pg / 8] |= (unsigned char)(1u << pg % 8);
	}
	return 1;
}

/* fw_value: mark the pages of the ID list of leaf node nd (key k) of
 * page p, held in the leaf or in a run of pages of its own. */
static int fw_value(struct freewalk *f, const unsigned char *p, const unsigned char *nd,
		    const MDB_val *k)
{
	MDB_val v;
	if (value(f->ps, p, nd, k, &v))
		return fw_ids(f, v.mv_data, v.mv_size);
	const unsigned char *at = (const unsigned char *)k->mv_data + k->mv_size;
	if ((get16(nd + 4) & LM_NODEKINDS) != LM_BIGDATA || at + 8 > p + f->ps ||
	    v.mv_size > (f->pages * f->ps))
		return 0;
	unsigned char *run = malloc(LM_PAGEHDR + v.mv_size);
	int ok = run && fw_read(f, get64(at), run, LM_PAGEHDR + v.mv_size) &&
		 (get16(run + LM_FLAGS) & LM_OVERFLOW) && fw_ids(f, run + LM_PAGEHDR, v.mv_size);
	free(run);
	return ok;
}

/* fw_walk: mark the free pages listed under page pgno, depth levels
 * above the leaves and within the file. */
static int fw_walk(struct freewalk *f, uint64_t pgno, unsigned depth)
{
	unsigned char *p = depth && depth <= LM_MAXDEPTH ? malloc(f->ps) : NULL;
	unsigned n;
	int ok = p && fw_read(f, pgno, p, f->ps) &&
		 check(p, f->ps, depth > 1 ? LM_BRANCH : LM_LEAF, &n);
	for (unsigned i = 0; ok && i < n; i++) {
		MDB_val k;
		const unsigned char *nd = node(f->ps, p, i, &k);
		ok = nd && (depth > 1 ? fw_walk(f, child(nd), depth - 1) : fw_value(f, p, nd, &k));
	}
	free(p);
	return ok;
}

/* ofs_free_tail: see internal.h. */
int ofs_free_tail(int fd, uint64_t psize, uint64_t pages, uint64_t from, uint64_t n)
{
	unsigned char m[2][LM_METALEN];
	struct freewalk f = {fd, psize, pages, pages, from, n, NULL}; /* a page read once at most */
	if (psize < LM_METALEN || pages < 2 || n > OFS_FREE_TAIL_MAX ||
	    !read_page(fd, psize, 0, m[0], LM_METALEN) || !read_page(fd, psize, 1, m[1], LM_METALEN))
		return 0;
	const unsigned char *meta = newest(m[0], m[1]);
	uint64_t root = get64(meta + LM_FREE + LM_DB_ROOT);
	int ok = (f.seen = calloc(n / 8 + 1, 1)) != NULL &&
		 (root == UINT64_MAX || fw_walk(&f, root, get16(meta + LM_FREE + LM_DB_DEPTH)));
	for (uint64_t i = 0; ok && i < n; i++)
		ok = f.seen[i / 8] >> i % 8 & 1;
	free(f.seen);
	return ok;
}

/* A walk of the keys of one inode on a thread of its own (ofs_ahead_bg). */
struct bg {
	ofs *fs;
	const char *name;
	struct range r;
	int mapped; /* the caller reads the leaves through the map */
};

/* bg_run: the walk, in order (the thread may wait for the disk), then a
 * mark that the thread may be joined.  The leaves go through a ring when
 * one can be had, else through the window.  Those the caller reads with
 * ofs_leaves it maps none of; those it reads through the map the thread
 * maps as they come in, as the caller would otherwise, one fault at a
 * time.  (A window of fadvise'd pages for the block map of a 1 GiB file,
 * 137 leaves, slowed a cold random reader's first few hundred reads
 * some 20%, against a few dozen through the ring.) */
static void *bg_run(void *arg)
{
	struct bg *b = arg;
	struct ring r;
	int rc = b->fs->no_ring ? 1 : ring_open(&r, b->fs, b->mapped); /* 1: not tried */
	unsigned how = rc ? AH_WINDOW | (b->mapped ? 0 : AH_UNMAPPED) : 0;
	if (rc == -ENOSYS || rc == -EPERM || rc == -EACCES)
		b->fs->no_ring = 1; /* refused for good: do not ask again */
	ahead(b->fs, b->name, &b->r.lo, &b->r.hi, 1, 0, how, rc ? NULL : &r);
	if (!rc)
		ring_close(&r);
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
	return ahead(fs, name, &r.lo, &r.hi, 1, OFS_AHEAD_INLINE, AH_COUNT, NULL);
}

/* ofs_ahead_bg: ofs_ahead of the keys (ino, *) of table name (a
 * literal), which the caller reads through the map if mapped, else with
 * ofs_leaves.  Up to OFS_AHEAD_INLINE leaves it asks for itself; a larger
 * range's walk goes on a thread, so that its thousands of requests, a few
 * microseconds each, do not hold up the caller's reply (a thread costs
 * some 20, more than a small range's whole walk).  One such thread runs
 * at a time; while it runs, the caller walks itself. */
void ofs_ahead_bg(ofs *fs, const char *name, uint64_t ino, int mapped)
{
	struct range r;
	struct bg *b;
	ino_range(&r, ino);
	if (!ahead(fs, name, &r.lo, &r.hi, 1, OFS_AHEAD_INLINE, 0, NULL))
		return;
	if ((b = malloc(sizeof *b))) {
		*b = (struct bg){.fs = fs, .name = name, .mapped = mapped};
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
