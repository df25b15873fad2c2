/*
 * fuse_db.c: the /db provider: OrionDB's keys as a file tree
 * (docs/oriondb.md, "The /db/ tree").
 *
 *  - Key a/b/c is the file /db/a/b/c; a prefix with keys below it is a
 *    directory.  A key that also has keys below it shows as the directory:
 *    its own value is reached through the API and /ctl/db only.
 *  - A file reads as its value's text form, generated at open into the
 *    handle, so one open sees one value whole.  Writes go to the handle's
 *    buffer; flush (each close) and fsync store what was written with one
 *    put, so a reader sees the old value or the new one, and the put's
 *    error reaches close(2) or fsync(2).  A handle only truncated (O_TRUNC,
 *    nothing written) is stored at release (see d_flush).
 *  - The provider does not block (.blocks 0): its calls run on the loop
 *    thread; a put waits only for LMDB's writer lock, as real writes do.
 *  - Values are text as db_get_text gives it and are parsed back by
 *    db_put_text (see store() for the type a write gets).
 *  - Empty directories (mkdir, or emptied by rm and mv through the tree)
 *    are kept in memory as "marks" for the life of the mount: the database
 *    holds keys only.  The marks are closed under ancestors, so "a mark at
 *    or below P" is one look-up of P.
 *  - Numbers: a node per key the kernel knows, numbered from a counter
 *    (never reused in a mount), freed when the kernel forgets it.  Entries
 *    handed out by readdir count as lookups (readdirplus takes one; a plain
 *    readdir does not, and then the node lives until unmount: safe, and
 *    only memory).  With the write-back cache the kernel keeps its own
 *    size for a cached file; when the stored value's size no longer matches
 *    (a /ctl/db batch, a type conversion), the next lookup gives the key a
 *    new number so the kernel takes the new size.
 *  - Readdir cookies name the last child handed out (a ring of RING recent
 *    cookies), and listing resumes after that name: entries added or
 *    removed meanwhile never make a listing skip or repeat a survivor.
 *  - Locking: t->lock guards the node table, the marks and the cookie ring;
 *    it is never held across a database call nor while taking another lock.
 *    Each handle has its own lock for its buffer; t->wlock guards the list
 *    of write handles and is taken before a handle's lock.
 */
#include "orionfs/fuse_db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT 1.0          /* seconds: values change behind the kernel's back */
#define RING 65536           /* readdir cookies remembered */
#define MARK_BUCKETS 1024
#define VALUE_MAX (1u << 30) /* bytes one handle may buffer */
#define TYPE_XATTR "user.orion.type"

struct node {
	uint64_t ino, nlookup;
	char *key;
	int isdir;
	int attached; /* found by its key (not renamed over or removed) */
	int gone;     /* removed through the tree: open handles store nothing */
	int nfh;      /* open handles */
	off_t ksize;  /* the size the kernel holds; -1 before it has one */
	struct timespec mtime;
	struct node *inext, *knext;
};

/* What the tree knows about a key beyond the database. */
struct mark {
	char *key;
	int dir;   /* an (empty) directory */
	int ptype; /* type for the next write through the tree, or -1 */
	struct mark *next;
};

struct cookie {
	uint64_t id, dir;
	char *name;
};

/* One open file. */
struct fh {
	pthread_mutex_t lock;
	struct node *n;
	int wr, append;
	int dirty; /* to be stored: written, cut, or opened with O_TRUNC */
	int wrote; /* written or cut since the last put */
	int failed; /* errno of a failed write or put: the handle stores nothing
		     * more, so a value cut short never reaches the database */
	char *buf;
	size_t len, cap;
	struct fh *prev, *next; /* t->writers, for truncation */
};

struct tree {
	pthread_mutex_t lock;
	db *d;
	struct ofs_fuse *srv;
	uint64_t mapsize;
	uid_t uid;
	gid_t gid;
	struct timespec born;
	uint64_t next_ino;
	struct node **byino, **bykey;
	size_t nb, nn;
	struct mark *marks[MARK_BUCKETS];
	struct cookie ring[RING];
	uint64_t next_cookie;
	pthread_mutex_t wlock; /* guards writers; taken before a handle's lock */
	struct fh *writers;
};

static struct tree the_tree;

/* ---- keys ---- */

/* hash: FNV-1a of s. */
static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* under: key is p or lies below p ("" covers everything). */
static int under(const char *key, const char *p)
{
	size_t n = strlen(p);
	return n == 0 || (strncmp(key, p, n) == 0 && (key[n] == 0 || key[n] == '/'));
}

/* join: "dir/name" (or name at the root), malloc'd; NULL when out of
 * memory.  The caller checks the result with key_ok. */
static char *join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *k = malloc(a + b + 2);
	if (!k)
		return NULL;
	if (a) {
		memcpy(k, dir, a);
		k[a++] = '/';
	}
	memcpy(k + a, name, b + 1);
	return k;
}

/* key_ok: whether the tree can show key: ENAMETOOLONG past the database's
 * key limit, EINVAL for what OrionDB refuses. */
static int key_ok(const char *key)
{
	size_t n = strlen(key);
	if (n > DB_KEY_MAX)
		return -ENAMETOOLONG;
	return db_key_check(key, n) < 0 ? -EINVAL : 0;
}

/* parent_of: the parent prefix of key in out (cap bytes). */
static void parent_of(const char *key, char *out, size_t cap)
{
	const char *s = strrchr(key, '/');
	size_t n = s ? (size_t)(s - key) : 0;
	n = n < cap ? n : cap - 1;
	memcpy(out, key, n);
	out[n] = 0;
}

/* rebase: key (under from) moved under to, malloc'd. */
static char *rebase(const char *key, const char *from, const char *to)
{
	const char *rest = key + strlen(from);
	size_t a = strlen(to), b = strlen(rest);
	char *k = malloc(a + b + 1);
	if (k) {
		memcpy(k, to, a);
		memcpy(k + a, rest, b + 1);
	}
	return k;
}

/* ---- nodes (t->lock held) ---- */

static struct node *by_ino(struct tree *t, uint64_t ino)
{
	struct node *n = t->byino[ino & (t->nb - 1)];
	while (n && n->ino != ino)
		n = n->inext;
	return n;
}

static struct node *by_key(struct tree *t, const char *key)
{
	struct node *n = t->bykey[hash(key) & (t->nb - 1)];
	while (n && strcmp(n->key, key) != 0)
		n = n->knext;
	return n;
}

/* key_link / key_unlink: enter n in, or take it out of, the key table. */
static void key_link(struct tree *t, struct node *n)
{
	struct node **b = &t->bykey[hash(n->key) & (t->nb - 1)];
	n->knext = *b;
	*b = n;
	n->attached = 1;
}

static void key_unlink(struct tree *t, struct node *n)
{
	if (!n->attached)
		return;
	for (struct node **p = &t->bykey[hash(n->key) & (t->nb - 1)]; *p; p = &(*p)->knext) {
		if (*p == n) {
			*p = n->knext;
			break;
		}
	}
	n->attached = 0;
}

/* grow: double both tables when they fill up (best effort). */
static void grow(struct tree *t)
{
	size_t nb = t->nb * 2;
	struct node **bi = calloc(nb, sizeof *bi), **bk = calloc(nb, sizeof *bk);
	if (!bi || !bk) {
		free(bi);
		free(bk);
		return;
	}
	for (size_t i = 0; i < t->nb; i++) {
		for (struct node *n = t->byino[i], *nx; n; n = nx) {
			nx = n->inext;
			n->inext = bi[n->ino & (nb - 1)];
			bi[n->ino & (nb - 1)] = n;
		}
		for (struct node *n = t->bykey[i], *nx; n; n = nx) {
			nx = n->knext;
			n->knext = bk[hash(n->key) & (nb - 1)];
			bk[hash(n->key) & (nb - 1)] = n;
		}
	}
	free(t->byino);
	free(t->bykey);
	t->byino = bi;
	t->bykey = bk;
	t->nb = nb;
}

/* node_new: a fresh number for key; NULL when out of memory. */
static struct node *node_new(struct tree *t, const char *key, int isdir)
{
	struct node *n = calloc(1, sizeof *n);
	if (!n || !(n->key = strdup(key))) {
		free(n);
		return NULL;
	}
	if (t->nn >= t->nb)
		grow(t);
	n->ino = t->next_ino++;
	n->isdir = isdir;
	n->ksize = -1;
	n->mtime = t->born;
	n->inext = t->byino[n->ino & (t->nb - 1)];
	t->byino[n->ino & (t->nb - 1)] = n;
	key_link(t, n);
	t->nn++;
	return n;
}

/* node_drop: free n if nothing refers to it any more. */
static void node_drop(struct tree *t, struct node *n)
{
	if (n->nlookup || n->nfh || n->ino == 1)
		return;
	key_unlink(t, n);
	for (struct node **p = &t->byino[n->ino & (t->nb - 1)]; *p; p = &(*p)->inext) {
		if (*p == n) {
			*p = n->inext;
			break;
		}
	}
	t->nn--;
	free(n->key);
	free(n);
}

/* retire: key is no longer n's (replaced, removed or renumbered). */
static void retire(struct tree *t, struct node *n, int gone)
{
	key_unlink(t, n);
	n->gone |= gone;
	node_drop(t, n);
}

/* key_of: a copy of ino's key (and whether it is a directory, gone);
 * NULL with *err set. */
static char *key_of(struct tree *t, uint64_t ino, int *isdir, int *err)
{
	pthread_mutex_lock(&t->lock);
	struct node *n = by_ino(t, ino);
	char *k = n ? strdup(n->key) : NULL;
	if (n && isdir)
		*isdir = n->isdir;
	*err = !n || n->gone ? -ENOENT : 0;
	pthread_mutex_unlock(&t->lock);
	if (n && !k)
		*err = -ENOMEM;
	if (k && *err) {
		free(k);
		k = NULL;
	}
	return k;
}

/* child_of: the key of name in directory parent, checked. */
static char *child_of(struct tree *t, uint64_t parent, const char *name, int *err)
{
	int dir = 0;
	char *p = key_of(t, parent, &dir, err);
	if (!p)
		return NULL;
	char *k = dir ? join(p, name) : NULL;
	free(p);
	*err = !dir ? -ENOTDIR : !k ? -ENOMEM : key_ok(k);
	if (*err) {
		free(k);
		return NULL;
	}
	return k;
}

/* ---- marks (t->lock held) ---- */

static struct mark *mark_find(struct tree *t, const char *key)
{
	struct mark *m = t->marks[hash(key) % MARK_BUCKETS];
	while (m && strcmp(m->key, key) != 0)
		m = m->next;
	return m;
}

/* mark_get: key's mark, made if need be; NULL when out of memory. */
static struct mark *mark_get(struct tree *t, const char *key)
{
	struct mark *m = mark_find(t, key);
	if (m)
		return m;
	if (!(m = calloc(1, sizeof *m)) || !(m->key = strdup(key))) {
		free(m);
		return NULL;
	}
	m->ptype = -1;
	struct mark **b = &t->marks[hash(key) % MARK_BUCKETS];
	m->next = *b;
	*b = m;
	return m;
}

/* mark_tidy: free m if it says nothing any more. */
static void mark_tidy(struct tree *t, struct mark *m)
{
	if (m->dir || m->ptype >= 0)
		return;
	for (struct mark **p = &t->marks[hash(m->key) % MARK_BUCKETS]; *p; p = &(*p)->next) {
		if (*p == m) {
			*p = m->next;
			free(m->key);
			free(m);
			return;
		}
	}
}

/* is_marked_dir: key is a directory the tree keeps (or below one). */
static int is_marked_dir(struct tree *t, const char *key)
{
	struct mark *m = mark_find(t, key);
	return m && m->dir;
}

/* keep_dir: make key and every ancestor a kept directory. */
static int keep_dir(struct tree *t, const char *key)
{
	char *k = strdup(key);
	if (!k)
		return -ENOMEM;
	for (;;) {
		struct mark *m = mark_get(t, k);
		if (!m) {
			free(k);
			return -ENOMEM;
		}
		m->dir = 1;
		char *s = strrchr(k, '/');
		if (!s)
			break;
		*s = 0;
	}
	free(k);
	return 0;
}

/* pending_type: the type set for key's next write, or -1. */
static int pending_type(struct tree *t, const char *key)
{
	pthread_mutex_lock(&t->lock);
	struct mark *m = mark_find(t, key);
	int ty = m ? m->ptype : -1;
	pthread_mutex_unlock(&t->lock);
	return ty;
}

/* set_pending: remember (ty >= 0) or forget (-1) key's next type. */
static int set_pending(struct tree *t, const char *key, int ty)
{
	int rc = 0;
	pthread_mutex_lock(&t->lock);
	struct mark *m = ty >= 0 ? mark_get(t, key) : mark_find(t, key);
	if (m) {
		m->ptype = ty;
		mark_tidy(t, m);
	} else if (ty >= 0) {
		rc = -ENOMEM;
	}
	pthread_mutex_unlock(&t->lock);
	return rc;
}

/* ---- what a key is ---- */

/* probe: 1 if key is a directory, 0 a file (st filled), -ENOENT. */
static int probe(struct tree *t, const char *key, struct db_stat *st)
{
	if (!*key)
		return 1;
	int rc = db_stat(t->d, NULL, key, st);
	if (rc < 0 && rc != -ENOENT)
		return rc;
	if (rc == 0 && st->has_children)
		return 1;
	pthread_mutex_lock(&t->lock);
	int m = is_marked_dir(t, key);
	pthread_mutex_unlock(&t->lock);
	return m ? 1 : rc == 0 ? 0 : -ENOENT;
}

/* uvlen: bytes of x as a uvarint. */
static size_t uvlen(uint64_t x)
{
	size_t n = 1;
	while (x >= 0x80) {
		x >>= 7;
		n++;
	}
	return n;
}

/* text_size: the length of key's text form (st from db_stat). Strings and
 * blobs read as their bytes, so their encoding tells it without a read. */
static off_t text_size(struct tree *t, const char *key, const struct db_stat *st)
{
	if (st->type == DB_STRING || st->type == DB_BLOB) {
		for (size_t k = 1; k <= 10 && k + 1 <= st->enclen; k++)
			if (uvlen(st->enclen - 1 - k) == k)
				return (off_t)(st->enclen - 1 - k);
		return 0;
	}
	char *text;
	size_t len;
	int rc = db_get_text(t->d, NULL, key, &text, &len, NULL);
	if (rc < 0)
		return rc;
	free(text);
	return (off_t)len;
}

/* fill: the attributes of a file or directory. */
static void fill(struct tree *t, uint64_t ino, int dir, off_t size, struct timespec mt,
		 struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_ino = ino;
	st->st_mode = dir ? S_IFDIR | 0755 : S_IFREG | 0644;
	st->st_nlink = 1; /* directories too: "count unknown", so find never
			   * skips subdirectories by the link count */
	st->st_uid = t->uid;
	st->st_gid = t->gid;
	st->st_size = size;
	st->st_blksize = 4096;
	st->st_blocks = (size + 511) / 512;
	st->st_atim = st->st_mtim = st->st_ctim = mt;
}

/* ref_key: the node the kernel is to know key by, with one more lookup
 * counted, and its attributes in st.  A node whose type or size the kernel
 * holds wrongly (changed behind its back) is retired for a fresh one. */
static int ref_key(struct tree *t, const char *key, struct stat *st, struct node **out)
{
	struct db_stat ds;
	off_t size = 0;
	int dir = probe(t, key, &ds);
	if (dir < 0)
		return dir;
	if (!dir && (size = text_size(t, key, &ds)) < 0)
		return (int)size;
	pthread_mutex_lock(&t->lock);
	struct node *n = by_key(t, key);
	if (n && n->ino != 1 && n->nfh == 0 &&
	    (n->isdir != dir || (!dir && n->ksize != -1 && n->ksize != size))) {
		retire(t, n, 0);
		n = NULL;
	}
	if (!n && !(n = node_new(t, key, dir))) {
		pthread_mutex_unlock(&t->lock);
		return -ENOMEM;
	}
	if (!dir && (n->ksize < 0 || n->nlookup == 0))
		n->ksize = size; /* a new inode in the kernel takes our size */
	n->nlookup++;
	fill(t, n->ino, dir, size, n->mtime, st);
	if (out)
		*out = n;
	pthread_mutex_unlock(&t->lock);
	return 0;
}

/* ---- storing ---- */

/* store: key's new text, read as the type set for it (setxattr), else as
 * the type of its current value when that is typed, else as a string
 * (UTF-8) or a blob; one put in one transaction. */
static int store(struct tree *t, const char *key, const char *text, size_t len)
{
	db_txn *x;
	struct db_stat ds;
	int ty = pending_type(t, key), rc = db_begin(t->d, 0, &x);
	if (rc < 0)
		return rc;
	if (ty < 0 && db_stat(t->d, x, key, &ds) == 0 && ds.has_value && ds.type != DB_STRING &&
	    ds.type != DB_BLOB)
		ty = ds.type;
	rc = db_put_text(t->d, x, key, ty < 0 ? DB_TYPE_AUTO : ty, text, len);
	if (rc < 0) {
		db_abort(x);
		return rc;
	}
	if ((rc = db_commit(x, 0)) == 0 && pending_type(t, key) >= 0)
		set_pending(t, key, -1);
	return rc;
}

/* keep_parent: after key left the tree, keep its directory if that is
 * now empty, as a file system would. */
static void keep_parent(struct tree *t, const char *key)
{
	char p[DB_KEY_MAX + 1];
	struct db_stat ds;
	parent_of(key, p, sizeof p);
	if (!*p || (db_stat(t->d, NULL, p, &ds) == 0 && ds.has_children))
		return;
	pthread_mutex_lock(&t->lock);
	keep_dir(t, p);
	pthread_mutex_unlock(&t->lock);
}

/* ---- provider callbacks ---- */

static int d_getattr(void *arg, uint64_t ino, struct stat *st)
{
	struct tree *t = arg;
	struct db_stat ds;
	int err, was;
	off_t size = 0;
	char *key = key_of(t, ino, &was, &err);
	if (!key)
		return err;
	int dir = probe(t, key, &ds);
	if (dir >= 0 && !dir && (size = text_size(t, key, &ds)) < 0)
		dir = (int)size;
	free(key);
	if (dir < 0)
		return dir;
	if (dir != was)
		return -ENOENT; /* another kind of thing lives there now */
	pthread_mutex_lock(&t->lock);
	struct node *n = by_ino(t, ino);
	struct timespec mt = n ? n->mtime : t->born;
	if (n && n->ksize == -1)
		n->ksize = size; /* readdirplus: the kernel takes these */
	pthread_mutex_unlock(&t->lock);
	fill(t, ino, dir, size, mt, st);
	return 0;
}

static int d_lookup(void *arg, uint64_t parent, const char *name, struct stat *st)
{
	struct tree *t = arg;
	int err;
	char *key = child_of(t, parent, name, &err);
	if (!key)
		return err;
	err = ref_key(t, key, st, NULL);
	free(key);
	return err;
}

static void d_forget(void *arg, uint64_t ino, uint64_t nlookup)
{
	struct tree *t = arg;
	pthread_mutex_lock(&t->lock);
	struct node *n = by_ino(t, ino);
	if (n) {
		n->nlookup = n->nlookup > nlookup ? n->nlookup - nlookup : 0;
		node_drop(t, n);
	}
	pthread_mutex_unlock(&t->lock);
}

/* cookie_put: a cookie naming child name of dir (t->lock held). */
static uint64_t cookie_put(struct tree *t, uint64_t dir, const char *name)
{
	uint64_t id = ++t->next_cookie;
	struct cookie *c = &t->ring[id % RING];
	free(c->name);
	c->id = id;
	c->dir = dir;
	c->name = strdup(name);
	return c->name ? id : 0;
}

/* cookie_name: the child a cookie of dir names, malloc'd, or NULL. */
static char *cookie_name(struct tree *t, uint64_t dir, uint64_t id)
{
	pthread_mutex_lock(&t->lock);
	struct cookie *c = &t->ring[id % RING];
	char *s = c->id == id && c->dir == dir && c->name ? strdup(c->name) : NULL;
	pthread_mutex_unlock(&t->lock);
	return s;
}

/* One readdir in progress: the database's children merged with the kept
 * (marked) directories, in name order. */
struct lister {
	struct tree *t;
	const char *dir;
	uint64_t dino;
	ofs_dirent_fn fn;
	void *fa;
	char **kept;
	size_t nkept, ki;
};

/* emit: hand one child to the server; its result (1: reply full). */
static int emit(struct lister *l, const char *name, int dir)
{
	struct tree *t = l->t;
	char *key = join(l->dir, name);
	struct db_stat ds;
	off_t size = -1;
	if (!key)
		return -ENOMEM;
	pthread_mutex_lock(&t->lock);
	struct node *n = by_key(t, key);
	int known = n && !dir && n->ksize != -1;
	pthread_mutex_unlock(&t->lock);
	if (known && db_stat(t->d, NULL, key, &ds) == 0)
		size = text_size(t, key, &ds); /* does the kernel hold it rightly? */
	pthread_mutex_lock(&t->lock);
	n = by_key(t, key);
	if (n && n->nfh == 0 && n->ino != 1 &&
	    (n->isdir != dir || (size >= 0 && n->ksize != -1 && n->ksize != size))) {
		retire(t, n, 0);
		n = NULL;
	}
	if (!n)
		n = node_new(t, key, dir);
	uint64_t id = n ? cookie_put(t, l->dino, name) : 0;
	if (n)
		n->nlookup++; /* readdirplus takes a reference */
	pthread_mutex_unlock(&t->lock);
	free(key);
	if (!n || !id)
		return -ENOMEM;
	struct ofs_dirent d = {n->ino, dir ? DT_DIR : DT_REG, id, name, strlen(name)};
	int rc = l->fn(l->fa, &d);
	if (rc != 0) { /* not handed out */
		pthread_mutex_lock(&t->lock);
		n->nlookup--;
		node_drop(t, n);
		pthread_mutex_unlock(&t->lock);
	}
	return rc;
}

/* kept_before: emit the kept directories sorting before name (all when
 * name is NULL), skipping one equal to it. */
static int kept_before(struct lister *l, const char *name)
{
	while (l->ki < l->nkept) {
		int c = name ? strcmp(l->kept[l->ki], name) : -1;
		if (c > 0)
			return 0;
		if (c == 0) {
			l->ki++;
			return 0;
		}
		int rc = emit(l, l->kept[l->ki], 1);
		if (rc)
			return rc;
		l->ki++;
	}
	return 0;
}

static int list_one(void *arg, const struct db_child *c)
{
	struct lister *l = arg;
	int rc = kept_before(l, c->name);
	if (rc == 0)
		rc = emit(l, c->name, c->has_children);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* kept_children: the kept directories right below dir, after `after`,
 * sorted, into l. */
static int kept_children(struct lister *l, const char *after)
{
	struct tree *t = l->t;
	size_t cap = 0;
	int rc = 0;
	pthread_mutex_lock(&t->lock);
	for (size_t b = 0; b < MARK_BUCKETS && rc == 0; b++) {
		for (struct mark *m = t->marks[b]; m && rc == 0; m = m->next) {
			char p[DB_KEY_MAX + 1];
			parent_of(m->key, p, sizeof p);
			const char *name = *l->dir ? m->key + strlen(l->dir) + 1 : m->key;
			if (!m->dir || strcmp(p, l->dir) != 0 || (after && strcmp(name, after) <= 0))
				continue;
			if (l->nkept == cap) {
				cap = cap ? 2 * cap : 16;
				char **nk = realloc(l->kept, cap * sizeof *nk);
				if (!nk) {
					rc = -ENOMEM;
					break;
				}
				l->kept = nk;
			}
			if (!(l->kept[l->nkept] = strdup(name)))
				rc = -ENOMEM;
			else
				l->nkept++;
		}
	}
	pthread_mutex_unlock(&t->lock);
	if (l->nkept)
		qsort(l->kept, l->nkept, sizeof *l->kept, cmp_str);
	return rc;
}

static int d_readdir(void *arg, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn, void *fa)
{
	struct tree *t = arg;
	int err, dir = 0;
	char *key = key_of(t, ino, &dir, &err), *after = NULL;
	if (!key)
		return err;
	if (!dir) {
		free(key);
		return -ENOTDIR;
	}
	if (cookie && !(after = cookie_name(t, ino, cookie))) {
		free(key);
		return -EINVAL; /* a cookie older than the ring */
	}
	struct lister l = {t, key, ino, fn, fa, NULL, 0, 0};
	int rc = kept_children(&l, after);
	if (rc == 0)
		rc = db_list(t->d, NULL, key, after, list_one, &l);
	if (rc >= 0 && rc != 1)
		rc = kept_before(&l, NULL);
	for (size_t i = 0; i < l.nkept; i++)
		free(l.kept[i]);
	free(l.kept);
	free(key);
	free(after);
	return rc < 0 ? rc : 0;
}

/* fh_new: a handle on n for flags, holding the value's text unless the
 * file is truncated. */
static int fh_new(struct tree *t, struct node *n, const char *key, int flags, struct fh **out)
{
	struct fh *fh = calloc(1, sizeof *fh);
	if (!fh)
		return -ENOMEM;
	int acc = flags & O_ACCMODE;
	fh->wr = acc != O_RDONLY;
	fh->append = !!(flags & O_APPEND);
	fh->dirty = fh->wr && (flags & O_TRUNC);
	if (!fh->wr || !(flags & O_TRUNC)) {
		int rc = db_get_text(t->d, NULL, key, &fh->buf, &fh->len, NULL);
		if (rc == -ENOENT && fh->wr)
			rc = 0; /* gone meanwhile: writing makes it again */
		if (rc < 0) {
			free(fh);
			return rc;
		}
		fh->cap = fh->len;
	}
	pthread_mutex_init(&fh->lock, NULL);
	fh->n = n;
	pthread_mutex_lock(&t->lock);
	n->nfh++;
	if (fh->wr && (flags & O_TRUNC))
		n->ksize = 0; /* the kernel truncates with the open */
	pthread_mutex_unlock(&t->lock);
	if (fh->wr) {
		pthread_mutex_lock(&t->wlock);
		fh->next = t->writers;
		if (t->writers)
			t->writers->prev = fh;
		t->writers = fh;
		pthread_mutex_unlock(&t->wlock);
	}
	*out = fh;
	return 0;
}

static int d_open(void *arg, uint64_t ino, int flags, const struct ofs_fuse_caller *c,
		  void **fhp, unsigned *how)
{
	struct tree *t = arg;
	int err, dir = 0;
	char *key = key_of(t, ino, &dir, &err);
	if (!key)
		return err;
	if (dir) {
		free(key);
		return -EISDIR;
	}
	pthread_mutex_lock(&t->lock);
	struct node *n = by_ino(t, ino);
	pthread_mutex_unlock(&t->lock);
	err = n ? fh_new(t, n, key, flags, (struct fh **)fhp) : -ENOENT;
	free(key);
	*how = OFS_FUSE_DIRECT_IO; /* every open sees the value now stored */
	return err;
}

static int d_create(void *arg, uint64_t parent, const char *name, mode_t mode, int flags,
		    const struct ofs_fuse_caller *c, struct stat *st, void **fhp, unsigned *how)
{
	struct tree *t = arg;
	struct db_stat ds;
	struct node *n;
	db_txn *x;
	int err;
	char *key = child_of(t, parent, name, &err);
	if (!key)
		return err;
	pthread_mutex_lock(&t->lock);
	int kept = is_marked_dir(t, key);
	pthread_mutex_unlock(&t->lock);
	if (kept) {
		err = -EISDIR;
	} else if ((err = db_begin(t->d, 0, &x)) == 0) {
		err = db_stat(t->d, x, key, &ds);
		if (err == 0) /* a racing creator won: open theirs, as open(2) does */
			err = ds.has_children ? -EISDIR : (flags & O_EXCL) ? -EEXIST : 0;
		else if (err == -ENOENT) /* empty, so that the name exists at once */
			err = db_put_text(t->d, x, key, DB_STRING, "", 0);
		err = err < 0 ? (db_abort(x), err) : db_commit(x, 0);
	}
	if (err == 0 && (err = ref_key(t, key, st, &n)) == 0 &&
	    (err = fh_new(t, n, key, flags, (struct fh **)fhp)) < 0) {
		pthread_mutex_lock(&t->lock);
		n->nlookup--;
		node_drop(t, n);
		pthread_mutex_unlock(&t->lock);
	}
	free(key);
	*how = OFS_FUSE_DIRECT_IO;
	return err;
}

static ssize_t d_read(void *arg, uint64_t ino, void *vfh, char *buf, size_t size, off_t off,
		      const struct ofs_fuse_caller *c)
{
	struct fh *fh = vfh;
	size_t n = 0;
	pthread_mutex_lock(&fh->lock);
	if (off >= 0 && (size_t)off < fh->len) {
		n = fh->len - (size_t)off < size ? fh->len - (size_t)off : size;
		memcpy(buf, fh->buf + off, n);
	}
	pthread_mutex_unlock(&fh->lock);
	return (ssize_t)n;
}

/* fh_resize: make the buffer len bytes, new bytes zero (fh->lock held). */
static int fh_resize(struct fh *fh, size_t len)
{
	if (len > fh->cap) {
		size_t cap = fh->cap ? fh->cap : 4096;
		while (cap < len)
			cap *= 2;
		char *nb = realloc(fh->buf, cap);
		if (!nb)
			return -ENOMEM;
		fh->buf = nb;
		fh->cap = cap;
	}
	if (len > fh->len)
		memset(fh->buf + fh->len, 0, len - fh->len);
	fh->len = len;
	return 0;
}

static ssize_t d_write(void *arg, uint64_t ino, void *vfh, const char *buf, size_t size,
		       off_t off, const struct ofs_fuse_caller *c)
{
	struct tree *t = arg;
	struct fh *fh = vfh;
	if (!fh->wr)
		return -EBADF;
	pthread_mutex_lock(&fh->lock);
	size_t at = fh->append ? fh->len : (size_t)off, end = at + size;
	int rc = 0;
	if (end > VALUE_MAX)
		rc = -EFBIG;
	else if (end > t->mapsize)
		rc = -ENOSPC; /* could never fit in the image */
	else if (end > fh->len)
		rc = fh_resize(fh, end);
	if (rc == 0) {
		memcpy(fh->buf + at, buf, size);
		fh->dirty = fh->wrote = 1;
	} else {
		fh->failed = rc;
	}
	pthread_mutex_unlock(&fh->lock);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&t->lock);
	if ((off_t)(off + size) > fh->n->ksize) /* as the kernel moves its size */
		fh->n->ksize = off + (off_t)size;
	pthread_mutex_unlock(&t->lock);
	return (ssize_t)size;
}

/* put_fh: store the handle's buffer if it was written (or, when all is
 * set, if it is dirty at all). */
static int put_fh(struct tree *t, struct fh *fh, int all)
{
	if (!fh || !fh->wr)
		return 0;
	pthread_mutex_lock(&t->lock);
	char *key = fh->n->gone ? NULL : strdup(fh->n->key);
	int gone = fh->n->gone;
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_lock(&fh->lock);
	int rc = fh->failed;
	if (rc == 0 && (all ? fh->dirty : fh->wrote)) {
		if (gone)
			fh->dirty = fh->wrote = 0; /* removed meanwhile, as an unlinked file */
		else if (!key)
			rc = -ENOMEM;
		else if ((rc = store(t, key, fh->buf ? fh->buf : "", fh->len)) == 0)
			fh->dirty = fh->wrote = 0;
		else
			fh->failed = rc;
		if (rc == 0 && !gone) {
			pthread_mutex_lock(&t->lock);
			clock_gettime(CLOCK_REALTIME, &fh->n->mtime);
			pthread_mutex_unlock(&t->lock);
		}
	}
	pthread_mutex_unlock(&fh->lock);
	free(key);
	return rc;
}

/* d_flush: each close(2) and fsync(2): store what the handle wrote, so the
 * put's error reaches the caller.  A handle only truncated by O_TRUNC is
 * not stored here: shells open, dup2 and close the first descriptor before
 * writing through the second, and readers must not see that empty value in
 * between; it is stored at release. */
static int d_flush(void *arg, uint64_t ino, void *vfh)
{
	return put_fh(arg, vfh, 0);
}

static void d_release(void *arg, uint64_t ino, void *vfh)
{
	struct tree *t = arg;
	struct fh *fh = vfh;
	if (!fh)
		return;
	put_fh(t, fh, 1); /* truncated only, or a failed flush: nobody to tell now */
	if (fh->wr) {
		pthread_mutex_lock(&t->wlock);
		if (fh->prev)
			fh->prev->next = fh->next;
		else
			t->writers = fh->next;
		if (fh->next)
			fh->next->prev = fh->prev;
		pthread_mutex_unlock(&t->wlock);
	}
	pthread_mutex_lock(&t->lock);
	fh->n->nfh--;
	node_drop(t, fh->n);
	pthread_mutex_unlock(&t->lock);
	pthread_mutex_destroy(&fh->lock);
	free(fh->buf);
	free(fh);
}

/* cut_handles: resize n's open write handles to size; how many. */
static int cut_handles(struct tree *t, struct node *n, off_t size)
{
	int count = 0;
	pthread_mutex_lock(&t->wlock);
	for (struct fh *fh = t->writers; fh; fh = fh->next) {
		if (fh->n != n)
			continue;
		pthread_mutex_lock(&fh->lock);
		if (fh_resize(fh, (size_t)size) == 0) {
			fh->dirty = fh->wrote = 1;
			count++;
		}
		pthread_mutex_unlock(&fh->lock);
	}
	pthread_mutex_unlock(&t->wlock);
	return count;
}

/* truncate_key: cut or extend key's value (as text) to size bytes.  While
 * the file is open for writing (ftruncate, dd) the open handles are cut and
 * their close stores the result: still one put per write-and-close. */
static int truncate_key(struct tree *t, struct node *n, const char *key, off_t size)
{
	char *text = NULL;
	size_t len = 0;
	int rc = 0;
	pthread_mutex_lock(&t->lock);
	n->ksize = size;
	pthread_mutex_unlock(&t->lock);
	if (cut_handles(t, n, size) > 0)
		return 0;
	if ((rc = db_get_text(t->d, NULL, key, &text, &len, NULL)) < 0 && rc != -ENOENT)
		return rc;
	if ((size_t)size > len) {
		char *nt = realloc(text, (size_t)size);
		if (!nt) {
			free(text);
			return -ENOMEM;
		}
		memset(nt + len, 0, (size_t)size - len);
		text = nt;
	}
	rc = store(t, key, text ? text : "", (size_t)size);
	free(text);
	return rc;
}

/* d_setattr: truncation changes the value; modes, owners and times are
 * fixed in /db and accepted without effect (so cp -p and tar x work). */
static int d_setattr(void *arg, uint64_t ino, const struct stat *in, unsigned valid,
		     struct stat *out)
{
	struct tree *t = arg;
	if (valid & OFS_SET_SIZE) {
		int err, dir = 0;
		char *key = key_of(t, ino, &dir, &err);
		if (!key)
			return err;
		if (dir)
			err = -EISDIR;
		else if (in->st_size < 0 || (uint64_t)in->st_size > VALUE_MAX)
			err = -EFBIG;
		else {
			pthread_mutex_lock(&t->lock);
			struct node *n = by_ino(t, ino);
			pthread_mutex_unlock(&t->lock);
			err = n ? truncate_key(t, n, key, in->st_size) : -ENOENT;
		}
		free(key);
		if (err < 0)
			return err;
	}
	return d_getattr(arg, ino, out);
}

static int d_mkdir(void *arg, uint64_t parent, const char *name, mode_t mode,
		   const struct ofs_fuse_caller *c, struct stat *st)
{
	struct tree *t = arg;
	struct db_stat ds;
	int err;
	char *key = child_of(t, parent, name, &err);
	if (!key)
		return err;
	err = probe(t, key, &ds);
	if (err >= 0) {
		err = -EEXIST;
	} else if (err == -ENOENT) {
		pthread_mutex_lock(&t->lock);
		err = keep_dir(t, key);
		pthread_mutex_unlock(&t->lock);
		if (err == 0)
			err = ref_key(t, key, st, NULL);
	}
	free(key);
	return err;
}

/* forget_key: key left the tree through it: retire its node, drop its
 * pending type, keep its directory. */
static void forget_key(struct tree *t, const char *key)
{
	pthread_mutex_lock(&t->lock);
	struct node *n = by_key(t, key);
	if (n)
		retire(t, n, 1);
	struct mark *m = mark_find(t, key);
	if (m) {
		m->ptype = -1;
		m->dir = 0;
		mark_tidy(t, m);
	}
	pthread_mutex_unlock(&t->lock);
	keep_parent(t, key);
}

static int d_unlink(void *arg, uint64_t parent, const char *name,
		    const struct ofs_fuse_caller *c)
{
	struct tree *t = arg;
	struct db_stat ds;
	int err;
	char *key = child_of(t, parent, name, &err);
	if (!key)
		return err;
	err = probe(t, key, &ds);
	if (err == 1)
		err = -EISDIR;
	else if (err == 0 && (err = db_delete(t->d, NULL, key)) == 0)
		forget_key(t, key);
	free(key);
	return err;
}

/* has_below: whether anything (keys or kept directories) lies below key. */
static int has_below(struct tree *t, const char *key)
{
	struct db_stat ds;
	if (db_stat(t->d, NULL, key, &ds) == 0 && ds.has_children)
		return 1;
	int kids = 0;
	pthread_mutex_lock(&t->lock);
	for (size_t b = 0; b < MARK_BUCKETS && !kids; b++)
		for (struct mark *m = t->marks[b]; m && !kids; m = m->next)
			kids = m->dir && strcmp(m->key, key) != 0 && under(m->key, key);
	pthread_mutex_unlock(&t->lock);
	return kids;
}

static int d_rmdir(void *arg, uint64_t parent, const char *name,
		   const struct ofs_fuse_caller *c)
{
	struct tree *t = arg;
	struct db_stat ds;
	int err;
	char *key = child_of(t, parent, name, &err);
	if (!key)
		return err;
	err = probe(t, key, &ds);
	if (err == 0)
		err = -ENOTDIR;
	else if (err == 1)
		err = has_below(t, key) ? -ENOTEMPTY : 0;
	if (err == 0)
		forget_key(t, key);
	free(key);
	return err;
}

/* move_nodes: the nodes of keys under from now go by the same place under
 * to (the kernel moved its dentries so); those under to are gone
 * (t->lock held). */
static int move_nodes(struct tree *t, const char *from, const char *to)
{
	struct node *moving = NULL; /* relinked after the walk */
	int rc = 0;
	for (size_t i = 0; i < t->nb; i++)
		for (struct node *n = t->bykey[i], *nx; n; n = nx) {
			nx = n->knext;
			if (under(n->key, to)) {
				retire(t, n, 1);
			} else if (under(n->key, from)) {
				key_unlink(t, n);
				n->knext = moving;
				moving = n;
			}
		}
	for (struct node *n = moving, *nx; n; n = nx) {
		nx = n->knext;
		char *k = rebase(n->key, from, to);
		if (!k) {
			rc = -ENOMEM;
			node_drop(t, n);
			continue;
		}
		free(n->key);
		n->key = k;
		key_link(t, n);
	}
	return rc;
}

/* move_marks: kept directories and waiting types under from move under
 * to; those under to are dropped (t->lock held). */
static int move_marks(struct tree *t, const char *from, const char *to)
{
	struct mark *ms = NULL;
	int rc = 0;
	for (size_t b = 0; b < MARK_BUCKETS; b++)
		for (struct mark **p = &t->marks[b]; *p;) {
			struct mark *m = *p;
			if (under(m->key, to) || under(m->key, from)) {
				*p = m->next;
				m->next = ms;
				ms = m;
			} else {
				p = &m->next;
			}
		}
	for (struct mark *m = ms, *nx; m; m = nx) {
		nx = m->next;
		if (under(m->key, from)) {
			char *k = rebase(m->key, from, to);
			struct mark *nm = k ? mark_get(t, k) : NULL;
			if (nm)
				nm->ptype = m->ptype;
			if (!nm || (m->dir && keep_dir(t, k) < 0))
				rc = -ENOMEM;
			free(k);
		}
		free(m->key);
		free(m);
	}
	return rc;
}

/* move_memory: after the database moved from to to, move what the tree
 * keeps in memory along. */
static int move_memory(struct tree *t, const char *from, const char *to)
{
	pthread_mutex_lock(&t->lock);
	int rc = move_nodes(t, from, to), rc2 = move_marks(t, from, to);
	pthread_mutex_unlock(&t->lock);
	return rc < 0 ? rc : rc2;
}

static int d_rename(void *arg, uint64_t parent, const char *name, uint64_t newparent,
		    const char *newname, unsigned flags, const struct ofs_fuse_caller *c)
{
	struct tree *t = arg;
	struct db_stat ds;
	int err;
	char *from = child_of(t, parent, name, &err), *to = NULL;
	if (!from)
		return err;
	if (!(to = child_of(t, newparent, newname, &err)))
		goto out;
	int fdir = probe(t, from, &ds), tdir = probe(t, to, &ds);
	if (flags & ~(unsigned)OFS_RENAME_NOREPLACE)
		err = -EINVAL; /* RENAME_EXCHANGE: not for keys */
	else if (fdir < 0)
		err = fdir;
	else if (tdir >= 0 && (flags & OFS_RENAME_NOREPLACE))
		err = -EEXIST;
	else if (strcmp(from, to) == 0)
		err = 0;
	else if (under(to, from))
		err = -EINVAL;
	else if (tdir == 1 && !fdir)
		err = -EISDIR;
	else if (tdir == 0 && fdir)
		err = -ENOTDIR;
	else if (tdir == 1 && has_below(t, to))
		err = -ENOTEMPTY;
	else {
		/* one atomic database rename; kept directories follow */
		err = db_rename_prefix(t->d, NULL, from, to, 0);
		if (err == -ENOENT && fdir == 1)
			err = 0; /* only kept (empty) directories move */
		if (err >= 0) {
			err = move_memory(t, from, to);
			keep_parent(t, from);
		}
	}
out:
	free(from);
	free(to);
	return err < 0 ? err : 0;
}

/* ---- the type xattr ---- */

static ssize_t d_getxattr(void *arg, uint64_t ino, const char *name, void *buf, size_t size)
{
	struct tree *t = arg;
	struct db_stat ds;
	int err, dir = 0;
	if (strcmp(name, TYPE_XATTR) != 0)
		return -ENODATA;
	char *key = key_of(t, ino, &dir, &err);
	if (!key)
		return err;
	int ty = dir ? -1 : pending_type(t, key);
	if (!dir && ty < 0) {
		if ((err = db_stat(t->d, NULL, key, &ds)) == 0)
			ty = ds.type;
	}
	free(key);
	if (dir)
		return -ENODATA;
	if (err < 0)
		return err;
	const char *tn = db_type_name(ty);
	size_t n = tn ? strlen(tn) : 0;
	if (!tn)
		return -EIO;
	if (size && size < n)
		return -ERANGE;
	if (size)
		memcpy(buf, tn, n);
	return (ssize_t)n;
}

static ssize_t d_listxattr(void *arg, uint64_t ino, char *buf, size_t size)
{
	struct tree *t = arg;
	int err, dir = 0;
	char *key = key_of(t, ino, &dir, &err);
	if (!key)
		return err;
	free(key);
	if (dir)
		return 0;
	if (size && size < sizeof TYPE_XATTR)
		return -ERANGE;
	if (size)
		memcpy(buf, TYPE_XATTR, sizeof TYPE_XATTR);
	return sizeof TYPE_XATTR;
}

/* convert: key's current value read as type ty, stored in one put. */
static int convert(struct tree *t, const char *key, int ty)
{
	db_txn *x;
	char *text;
	size_t len;
	int rc = db_begin(t->d, 0, &x);
	if (rc < 0)
		return rc;
	if ((rc = db_get_text(t->d, x, key, &text, &len, NULL)) == 0) {
		rc = db_put_text(t->d, x, key, ty, text, len);
		free(text);
	}
	return rc < 0 ? (db_abort(x), rc) : db_commit(x, 0);
}

/* d_setxattr: user.orion.type sets the file's type: the value is
 * converted at once when its text reads as that type, else the type waits
 * for the next write through the tree (docs/oriondb.md). */
static int d_setxattr(void *arg, uint64_t ino, const char *name, const void *value,
		      size_t size, int flags)
{
	struct tree *t = arg;
	int err, dir = 0;
	if (strcmp(name, TYPE_XATTR) != 0)
		return -ENOTSUP;
	if (flags & XATTR_CREATE)
		return -EEXIST; /* every value has a type */
	int ty = db_type_from_name(value, size);
	if (ty < 0)
		return -EINVAL;
	char *key = key_of(t, ino, &dir, &err);
	if (!key)
		return err;
	if (dir)
		err = -ENOTSUP;
	else if ((err = convert(t, key, ty)) == 0)
		err = set_pending(t, key, -1);
	else if (err == -EINVAL)
		err = set_pending(t, key, ty);
	free(key);
	return err;
}

static int d_removexattr(void *arg, uint64_t ino, const char *name)
{
	return strcmp(name, TYPE_XATTR) == 0 ? -EPERM : -ENODATA;
}

static const struct ofs_fuse_provider provider = {
	.name = "db",
	.timeout = TIMEOUT,
	.getattr = d_getattr,
	.lookup = d_lookup,
	.readdir = d_readdir,
	.open = d_open,
	.read = d_read,
	.write = d_write,
	.flush = d_flush,
	.release = d_release,
	.setattr = d_setattr,
	.create = d_create,
	.mkdir = d_mkdir,
	.unlink = d_unlink,
	.rmdir = d_rmdir,
	.rename = d_rename,
	.forget = d_forget,
	.getxattr = d_getxattr,
	.listxattr = d_listxattr,
	.setxattr = d_setxattr,
	.removexattr = d_removexattr,
};

/* ofs_db_attach: open OrionDB on fs's environment and serve it as /db. */
int ofs_db_attach(struct ofs_fuse *srv, ofs *fs)
{
	struct tree *t = &the_tree;
	MDB_envinfo info;
	if (t->d)
		return -EBUSY;
	int rc = db_open_env(&t->d, ofs_env(fs), 0);
	if (rc < 0)
		return rc;
	t->nb = 1024;
	t->byino = calloc(t->nb, sizeof *t->byino);
	t->bykey = calloc(t->nb, sizeof *t->bykey);
	if (!t->byino || !t->bykey)
		return -ENOMEM;
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->wlock, NULL);
	t->srv = srv;
	t->uid = getuid();
	t->gid = getgid();
	clock_gettime(CLOCK_REALTIME, &t->born);
	t->mapsize = mdb_env_info(ofs_env(fs), &info) == 0 ? info.me_mapsize : VALUE_MAX;
	t->next_ino = 1;
	if (!node_new(t, "", 1)) /* the root, local 1 */
		return -ENOMEM;
	return ofs_fuse_register(srv, &provider, t);
}

/* tree_of: the /db state of srv, or NULL. */
static struct tree *tree_of(struct ofs_fuse *srv)
{
	int s = ofs_fuse_slot_named(srv, "db");
	return s < 0 ? NULL : srv->slot[s].arg;
}

db *ofs_db_handle(struct ofs_fuse *srv)
{
	struct tree *t = tree_of(srv);
	return t ? t->d : NULL;
}

/* inval_one: drop the kernel's entry for key in its parent, if the
 * kernel knows the parent. */
static void inval_one(struct tree *t, const char *key)
{
	char p[DB_KEY_MAX + 1];
	parent_of(key, p, sizeof p);
	const char *name = *p ? key + strlen(p) + 1 : key;
	pthread_mutex_lock(&t->lock);
	struct node *pn = by_key(t, p), *n = by_key(t, key);
	uint64_t pino = pn ? pn->ino : 0;
	if (n && n->nfh == 0)
		n->ksize = -2; /* unknown: renumber at the next lookup */
	pthread_mutex_unlock(&t->lock);
	if (pino)
		ofs_fuse_inval_entry(t->srv, ofs_fuse_synth_ino(ofs_fuse_slot_named(t->srv, "db"), pino),
				     name);
}

/* ofs_db_changed: drop the kernel's entries for key and its ancestors (a
 * file may have become a directory, or gone). */
void ofs_db_changed(struct ofs_fuse *srv, const char *key)
{
	struct tree *t = tree_of(srv);
	char k[DB_KEY_MAX + 1];
	if (!t || strlen(key) > DB_KEY_MAX)
		return;
	strcpy(k, key);
	for (;;) {
		inval_one(t, k);
		char *s = strrchr(k, '/');
		if (!s)
			return;
		*s = 0;
	}
}
