/* fsck.c: check every invariant of an image and repair what is safe.
 *
 * One transaction: scan the tables (inode, orphan, dirent, data, xattr)
 * into a table of nodes, judge each node, then (with OFS_FSCK_REPAIR)
 * apply the repairs decided on and commit.  Damaged file data is only
 * reported: no repair could bring its bytes back. */
#include "orionfs/internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* What the scans learnt about one inode. */
struct fnode {
	struct ofs_inode in; /* as stored; repairs edit it */
	uint32_t links;      /* good entries naming it */
	uint32_t subdirs;    /* good entries in it naming directories */
	uint64_t units;      /* 512-byte units of its blocks */
	uint64_t dataend;    /* end of its last payload byte */
	uint64_t eparent, eslot; /* a directory's entry: where it is */
	unsigned char orphan, bad, dirty, walk, damaged;
};

/* A record to delete, or (dbi = dirent, readd) an entry to put back at
 * its proper slot. */
struct fix {
	MDB_dbi dbi;
	unsigned char key[32]; /* room for every key shape of ours (overlays: 17) */
	size_t klen;
	int readd;
	uint64_t owner, child;
	uint32_t mode;
	char name[OFS_NAME_MAX + 1];
};

struct fsck {
	ofs *fs;
	MDB_txn *txn;
	unsigned flags;
	ofs_fsck_fn fn;
	void *arg;
	struct ofs_fsck_report *rep;
	struct fnode *nodes;
	size_t n, cap;
	struct fix *fixes;
	size_t nfix, fixcap;
	uint64_t *lost; /* inodes to attach to /lost+found */
	size_t nlost, lostcap;
	struct fix *moved; /* misplaced entries, by owner and name (moving them) */
	size_t nmoved, movedcap;
	uint64_t next_ino;
	int err; /* first operational error */
};

/* grow: make room for one more element in *arr (cap in *cap). */
static int grow(void *arrp, size_t *cap, size_t n, size_t elem)
{
	void **arr = arrp;
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, nc * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = nc;
	return 0;
}

/* problem: report one problem; returns whether to repair it. */
static int problem(struct fsck *ck, int fixable, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int fix = fixable && (ck->flags & OFS_FSCK_REPAIR);
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - (size_t)n, "%s",
			 fix ? " (fixed)" : fixable ? "" : " (cannot be fixed)");
	ck->rep->problems++;
	ck->rep->repaired += fix;
	if (ck->fn)
		ck->fn(ck->arg, msg);
	return fix;
}

/* node: the scanned inode ino, or NULL. */
static struct fnode *node(struct fsck *ck, uint64_t ino)
{
	size_t lo = 0, hi = ck->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ck->nodes[mid].in.a.ino == ino)
			return &ck->nodes[mid];
		if (ck->nodes[mid].in.a.ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* drop: queue the deletion of key from dbi. */
static void drop(struct fsck *ck, MDB_dbi dbi, const MDB_val *key)
{
	if (grow(&ck->fixes, &ck->fixcap, ck->nfix, sizeof *ck->fixes)) {
		ck->err = -ENOMEM;
		return;
	}
	struct fix *f = &ck->fixes[ck->nfix++];
	memset(f, 0, sizeof *f);
	f->dbi = dbi;
	f->klen = key->mv_size < sizeof f->key ? key->mv_size : sizeof f->key;
	memcpy(f->key, key->mv_data, f->klen);
}

/* readd: queue putting entry name -> child back at its proper slot. */
static void readd(struct fsck *ck, const MDB_val *key, uint64_t owner, const unsigned char *name,
		  size_t len, uint64_t child, uint32_t mode)
{
	drop(ck, ck->fs->dirent, key);
	if (ck->err)
		return;
	struct fix *f = &ck->fixes[ck->nfix - 1];
	f->readd = 1;
	f->owner = owner;
	f->child = child;
	f->mode = mode;
	memcpy(f->name, name, len);
	f->name[len] = '\0';
}

/* lose: queue ino for /lost+found. */
static void lose(struct fsck *ck, uint64_t ino)
{
	if (grow(&ck->lost, &ck->lostcap, ck->nlost, sizeof *ck->lost))
		ck->err = -ENOMEM;
	else
		ck->lost[ck->nlost++] = ino;
}

/* Scanning one table: a callback per record, which judges it. */
typedef void (*scan_fn)(struct fsck *ck, const MDB_val *k, const MDB_val *v);

/* scan: call fn for every record of dbi. */
static int scan(struct fsck *ck, MDB_dbi dbi, scan_fn fn)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc = mdb_cursor_open(ck->txn, dbi, &c);
	if (rc)
		return ofs_lmdb_err(rc);
	while (!ck->err && (rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0)
		fn(ck, &k, &v);
	mdb_cursor_close(c);
	if (ck->err)
		return ck->err;
	return rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc);
}

/* scan_inode: load one inode record into the node table. */
static void scan_inode(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	if (k->mv_size != 8) {
		if (problem(ck, 1, "inode table: malformed key of %zu bytes", k->mv_size))
			drop(ck, ck->fs->inode, k);
		return;
	}
	if (grow(&ck->nodes, &ck->cap, ck->n, sizeof *ck->nodes)) {
		ck->err = -ENOMEM;
		return;
	}
	struct fnode *n = &ck->nodes[ck->n++];
	uint64_t ino = ofs_be64(k->mv_data);
	memset(n, 0, sizeof *n);
	n->in.a.ino = ino;
	if (ofs_inode_decode(v, ino, &n->in)) {
		n->bad = 1;
		problem(ck, 0, "inode %llu: damaged record", (unsigned long long)ino);
	}
	if (ino >= ck->next_ino && problem(ck, 1, "inode %llu: number not below next_ino %llu",
					   (unsigned long long)ino, (unsigned long long)ck->next_ino))
		ck->next_ino = ino + 1;
	ck->rep->inodes++;
}

/* scan_orphan: an orphan-list entry must name a live inode of nlink 0,
 * with an empty value or the byte 1 (made unnamed, may be named). */
static void scan_orphan(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	struct fnode *n = k->mv_size == 8 ? node(ck, ofs_be64(k->mv_data)) : NULL;
	const unsigned char *b = v->mv_data;
	if (n && !n->bad && n->in.a.nlink == 0) {
		n->orphan = 1;
		if ((v->mv_size > 1 || (v->mv_size == 1 && b[0] != 1)) &&
		    problem(ck, 1, "orphan list: inode %llu: a value of %zu bytes",
			    (unsigned long long)n->in.a.ino, v->mv_size)) {
			drop(ck, ck->fs->orphan, k);
			n->orphan = 2; /* put back below, empty */
		}
		return;
	}
	if (problem(ck, 1, "orphan list: entry for %s inode %llu",
		    n ? "linked" : "missing", k->mv_size == 8 ? (unsigned long long)ofs_be64(k->mv_data) : 0ULL))
		drop(ck, ck->fs->orphan, k);
}

/* scan_pending: a call a crash cut short (the next read-write open
 * finishes it) must be well formed and name a live regular file. */
static void scan_pending(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	struct fnode *n = k->mv_size == 8 ? node(ck, ofs_be64(k->mv_data)) : NULL;
	const unsigned char *b = v->mv_data;
	int kind = v->mv_size == OFS_PENDING_VAL ? b[0] : 0;
	const char *why = !n || n->bad ? "no such inode" : !S_ISREG(n->in.a.mode) ? "not a regular file"
			  : kind != OFS_PENDING_TRUNCATE && kind != OFS_PENDING_PUNCH ? "malformed" : NULL;
	if (why && problem(ck, 1, "unfinished call of inode %llu: %s",
			   k->mv_size == 8 ? (unsigned long long)ofs_be64(k->mv_data) : 0ULL, why))
		drop(ck, ck->fs->pending, k);
}

/* dirent_child: judge the inode an entry names; 0 when the entry counts. */
static int dirent_child(struct fsck *ck, struct fnode *p, struct fnode *c, uint64_t slot)
{
	if (!S_ISDIR(c->in.a.mode)) {
		c->links++;
		return 0;
	}
	if (c->in.a.ino == OFS_ROOT_INO || c->links)
		return -1; /* a second name for a directory */
	c->links = 1;
	c->eparent = p->in.a.ino;
	c->eslot = slot;
	p->subdirs++;
	return 0;
}

/* stray_copy: whether a misplaced entry name (len bytes) of directory
 * owner is a stray copy: one of that name is in its proper slot, or is
 * being moved there.  If not, notes this one as the one to move. */
static int stray_copy(struct fsck *ck, uint64_t owner, const char *name, size_t len)
{
	uint64_t slot;
	MDB_val v;
	if (ofs_name_probe(ck->fs, ck->txn, ck->fs->dirent, owner, name, len, ofs_dirent_name,
			   &slot, &v) == 1)
		return 1;
	for (size_t i = 0; i < ck->nmoved; i++)
		if (ck->moved[i].owner == owner && strcmp(ck->moved[i].name, name) == 0)
			return 1;
	if (grow(&ck->moved, &ck->movedcap, ck->nmoved, sizeof *ck->moved)) {
		ck->err = -ENOMEM;
		return 0;
	}
	struct fix *m = &ck->moved[ck->nmoved++];
	m->owner = owner;
	memcpy(m->name, name, len + 1);
	return 0;
}

/* scan_dirent: one directory entry: owner, name, slot, child, type. */
static void scan_dirent(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	const unsigned char *name;
	size_t len;
	uint64_t ino, owner = k->mv_size == 16 ? ofs_be64(k->mv_data) : 0;
	uint32_t type;
	char buf[OFS_NAME_MAX + 1];
	struct fnode *p = node(ck, owner), *c;
	ck->rep->dirents++;
	if (!p || p->bad || !S_ISDIR(p->in.a.mode) || ofs_dirent_decode(v, &ino, &type, &name, &len)) {
		if (problem(ck, 1, "directory entry in %llu: malformed or not in a directory",
			    (unsigned long long)owner))
			drop(ck, ck->fs->dirent, k);
		return;
	}
	memcpy(buf, name, len);
	buf[len] = '\0';
	c = node(ck, ino);
	if (ofs_name_check(buf, &len) || strlen(buf) != len || !c) {
		if (problem(ck, 1, "directory %llu: entry '%s' %s", (unsigned long long)owner, buf,
			    c ? "has an invalid name" : "names a missing inode"))
			drop(ck, ck->fs->dirent, k);
		return;
	}
	uint64_t slot = ofs_be64((const unsigned char *)k->mv_data + 8);
	int misplaced = ofs_name_slot(ck->fs, buf, len) != (slot & ~(uint64_t)(OFS_SLOT_SPAN - 1));
	if (misplaced && stray_copy(ck, owner, buf, len)) {
		if (problem(ck, 1, "directory %llu: entry '%s' in a wrong slot duplicates another",
			    (unsigned long long)owner, buf))
			drop(ck, ck->fs->dirent, k);
		return;
	}
	if (!c->bad && dirent_child(ck, p, c, slot)) {
		if (problem(ck, 1, "directory %llu: entry '%s' is a second name for directory %llu",
			    (unsigned long long)owner, buf, (unsigned long long)ino))
			drop(ck, ck->fs->dirent, k);
		return;
	}
	if (c->bad)
		return;
	if ((misplaced || type != ofs_dtype(c->in.a.mode)) &&
	    problem(ck, 1, "directory %llu: entry '%s' has a wrong %s", (unsigned long long)owner,
		    buf, misplaced ? "slot" : "type"))
		readd(ck, k, owner, (const unsigned char *)buf, len, ino, c->in.a.mode);
}

/* scan_data: one block: owner, shape, checksums, place. */
static void scan_data(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	uint64_t ino = k->mv_size == 16 ? ofs_be64(k->mv_data) : 0;
	uint64_t idx = k->mv_size == 16 ? ofs_be64((const unsigned char *)k->mv_data + 8) : 0;
	struct fnode *n = node(ck, ino);
	ck->rep->blocks++;
	if (!n || (!n->bad && !S_ISREG(n->in.a.mode) && !S_ISLNK(n->in.a.mode))) {
		if (problem(ck, 1, "data block %llu of inode %llu: no such file",
			    (unsigned long long)idx, (unsigned long long)ino))
			drop(ck, ck->fs->data, k);
		return;
	}
	size_t len = ofs_block_len(v->mv_size);
	unsigned shadowed = 0;
	int rc = len && idx < OFS_MAX_SIZE / OFS_BLOCK ? 0 : -ORION_ECORRUPT;
	if (!rc && len == OFS_BLOCK)
		rc = ofs_overlay_mask(ck->fs, ck->txn, ino, idx, &shadowed);
	if (!rc)
		rc = ofs_block_verify(ck->fs, ino, idx, v, shadowed);
	if (rc)
		problem(ck, 0, "inode %llu: data block %llu: %s", (unsigned long long)ino,
			(unsigned long long)idx, orion_strerror(rc));
	if (!len) {
		n->damaged = 1; /* its size and block count cannot be judged */
		return;
	}
	n->units += ofs_units(len);
	if (idx * OFS_BLOCK + len > n->dataend)
		n->dataend = idx * OFS_BLOCK + len;
}

/* overlay_base: the block an overlay at key k lies over is a full one. */
static int overlay_base(struct fsck *ck, const unsigned char *k)
{
	struct ofs_key bk;
	MDB_val key = ofs_key2(&bk, ofs_be64(k), ofs_be64(k + 8)), v;
	return mdb_get(ck->txn, ck->fs->data, &key, &v) == 0 && ofs_block_len(v.mv_size) == OFS_BLOCK;
}

/* scan_overlay: one sector overlay: shape, checksum, owner, and a full
 * block under it inside the file. */
static void scan_overlay(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	const unsigned char *kb = k->mv_data;
	int shaped = k->mv_size == OFS_OVL_KEY && kb[16] < OFS_SECTORS;
	uint64_t ino = shaped ? ofs_be64(kb) : 0, idx = shaped ? ofs_be64(kb + 8) : 0;
	struct fnode *n = node(ck, ino);
	int rc = ofs_overlay_verify(ck->fs, k, v);
	if (rc && rc != -ORION_ECHECKSUM) {
		if (problem(ck, 1, "overlay of inode %llu: malformed", (unsigned long long)ino))
			drop(ck, ck->fs->overlay, k);
		return;
	}
	if (!n || (!n->bad && !S_ISREG(n->in.a.mode)) || !overlay_base(ck, kb)) {
		if (problem(ck, 1, "overlay of block %llu of inode %llu: %s", (unsigned long long)idx,
			    (unsigned long long)ino, n ? "no full block under it" : "no such file"))
			drop(ck, ck->fs->overlay, k);
		return;
	}
	if (rc)
		problem(ck, 0, "inode %llu: data block %llu: overlay of sector %u: %s",
			(unsigned long long)ino, (unsigned long long)idx, kb[16], orion_strerror(rc));
}

/* acl_flaw: what is wrong with xattr v (named name, len bytes) of n as
 * an ACL: one the kernel would not accept, or a default ACL on what is
 * not a directory; NULL when it is no ACL or a good one. */
static const char *acl_flaw(const struct fnode *n, const MDB_val *v, const unsigned char *name,
			    size_t len)
{
	int dflt = len == sizeof OFS_ACL_DEFAULT - 1 && !memcmp(name, OFS_ACL_DEFAULT, len);
	if (!dflt && (len != sizeof OFS_ACL_ACCESS - 1 || memcmp(name, OFS_ACL_ACCESS, len)))
		return NULL;
	size_t off = 1 + len;
	if (ofs_acl_valid((const unsigned char *)v->mv_data + off, v->mv_size - off))
		return "malformed ACL";
	return dflt && !S_ISDIR(n->in.a.mode) ? "default ACL on a non-directory" : NULL;
}

/* scan_xattr: one extended attribute: owner, shape, slot, ACLs. */
static void scan_xattr(struct fsck *ck, const MDB_val *k, const MDB_val *v)
{
	const unsigned char *name;
	size_t len;
	uint64_t ino = k->mv_size == 16 ? ofs_be64(k->mv_data) : 0;
	struct fnode *n = node(ck, ino);
	int bad = !n || ofs_xattr_name(v, &name, &len);
	if (!bad) {
		uint64_t slot = ofs_be64((const unsigned char *)k->mv_data + 8);
		bad = ofs_name_slot(ck->fs, name, len) != (slot & ~(uint64_t)(OFS_SLOT_SPAN - 1));
	}
	const char *why = !n ? "no such inode" : bad ? "malformed or misplaced" : acl_flaw(n, v, name, len);
	if (why && problem(ck, 1, "xattr of inode %llu: %s", (unsigned long long)ino, why))
		drop(ck, ck->fs->xattr, k);
}

/* fix_field: report a wrong stored value; set it when repairing. */
static void fix_field(struct fsck *ck, struct fnode *n, const char *what, uint64_t *field64,
		      uint32_t *field32, uint64_t want)
{
	uint64_t have = field64 ? *field64 : *field32;
	if (have == want || !problem(ck, 1, "inode %llu: %s is %llu, should be %llu",
				     (unsigned long long)n->in.a.ino, what,
				     (unsigned long long)have, (unsigned long long)want))
		return;
	if (field64)
		*field64 = want;
	else
		*field32 = (uint32_t)want;
	n->dirty = 1;
}

/* judge_unnamed: a node no entry names (but the root). */
static void judge_unnamed(struct fsck *ck, struct fnode *n)
{
	unsigned long long ino = (unsigned long long)n->in.a.ino;
	if (S_ISDIR(n->in.a.mode) || n->in.a.nlink > 0) {
		if (problem(ck, 1, "inode %llu: has no name (moving it to /lost+found)", ino))
			lose(ck, n->in.a.ino);
	} else if (!n->orphan) {
		if (problem(ck, 1, "inode %llu: unlinked but not on the orphan list", ino)) {
			struct ofs_key k;
			MDB_val key = ofs_key1(&k, n->in.a.ino);
			drop(ck, ck->fs->orphan, &key); /* cleared, then re-added below */
			n->orphan = 2;
		}
	}
}

/* judge_size: size against the data and the file type. */
static void judge_size(struct fsck *ck, struct fnode *n)
{
	uint32_t t = n->in.a.mode & S_IFMT;
	if (t == S_IFREG && n->dataend > n->in.a.size)
		fix_field(ck, n, "size", &n->in.a.size, NULL, n->dataend);
	else if (t == S_IFLNK && (n->in.a.size != n->dataend || n->in.a.size == 0 ||
				  n->in.a.size > OFS_SYMLINK_MAX))
		problem(ck, 0, "symlink %llu: target of %llu bytes, %llu stored",
			(unsigned long long)n->in.a.ino, (unsigned long long)n->in.a.size,
			(unsigned long long)n->dataend);
	else if (t != S_IFREG && t != S_IFLNK)
		fix_field(ck, n, "size", &n->in.a.size, NULL, 0);
}

/* judge: every check of one node once the scans are done. */
static void judge(struct fsck *ck, struct fnode *n)
{
	int root = n->in.a.ino == OFS_ROOT_INO;
	if (n->bad)
		return;
	if (root && !S_ISDIR(n->in.a.mode))
		problem(ck, 0, "root inode is not a directory");
	if (S_ISDIR(n->in.a.mode)) {
		fix_field(ck, n, "link count", NULL, &n->in.a.nlink, 2 + (uint64_t)n->subdirs);
		fix_field(ck, n, "parent", &n->in.parent, NULL, root ? OFS_ROOT_INO : n->links ? n->eparent : n->in.parent);
	}
	if (!root && n->links == 0)
		judge_unnamed(ck, n);
	else if (!S_ISDIR(n->in.a.mode) && n->links)
		fix_field(ck, n, "link count", NULL, &n->in.a.nlink, n->links);
	if (n->orphan == 1 && n->links && problem(ck, 1, "inode %llu: on the orphan list but linked",
						   (unsigned long long)n->in.a.ino)) {
		struct ofs_key k;
		MDB_val key = ofs_key1(&k, n->in.a.ino);
		drop(ck, ck->fs->orphan, &key);
	}
	if (n->damaged)
		return;
	judge_size(ck, n);
	fix_field(ck, n, "block count", &n->in.a.blocks, NULL, n->units);
}

/* reaches_root: NULL when directory n hangs under the root (or under a
 * nameless directory, which goes to /lost+found whole) by its entries;
 * else the directory whose entry to cut so that it will: the first one
 * met twice on the way up (a cycle, which n may hang below), or the last
 * below a bad parent.  walk marks 1 while on the current path, 2 once
 * known to reach the root, 3 once cut loose (it reaches /lost+found). */
static struct fnode *reaches_root(struct fsck *ck, struct fnode *n)
{
	struct fnode *p = n, *last = n;
	while (p && !p->bad && p->walk == 0) {
		if (p->in.a.ino == OFS_ROOT_INO || !p->links)
			break; /* the root, or a nameless directory judge_unnamed handles */
		p->walk = 1;
		last = p;
		p = node(ck, p->eparent);
	}
	int ok = p && !p->bad && p->walk != 1;
	struct fnode *cut = ok ? NULL : p && !p->bad ? p : last;
	for (struct fnode *q = n; q && q->walk == 1; q = q->links ? node(ck, q->eparent) : NULL)
		q->walk = ok ? 2 : 3;
	return cut;
}

/* judge_tree: every named directory must reach the root (no cycles). */
static void judge_tree(struct fsck *ck)
{
	for (size_t i = 0; i < ck->n; i++) {
		struct fnode *n = &ck->nodes[i], *cut;
		if (n->bad || !S_ISDIR(n->in.a.mode) || !n->links || n->walk ||
		    !(cut = reaches_root(ck, n)))
			continue;
		if (problem(ck, 1, "directory %llu: cut off from the root (moving it to /lost+found)",
			    (unsigned long long)cut->in.a.ino)) {
			struct ofs_key k;
			MDB_val key = ofs_key2(&k, cut->eparent, cut->eslot);
			drop(ck, ck->fs->dirent, &key);
			struct fnode *p = node(ck, cut->eparent);
			if (p && p->in.a.nlink > 2)
				p->in.a.nlink--, p->dirty = 1;
			lose(ck, cut->in.a.ino);
		}
	}
}

/* lost_found: the inode of /lost+found, made if missing. */
static int lost_found(struct fsck *ck, uint64_t *ino)
{
	struct ofs_inode root, lf;
	MDB_val v;
	uint64_t slot;
	ofs *fs = ck->fs;
	int rc = ofs_name_probe(fs, ck->txn, fs->dirent, OFS_ROOT_INO, "lost+found", 10,
				ofs_dirent_name, &slot, &v);
	if (rc == 1) {
		ofs_dirent_decode(&v, ino, NULL, NULL, NULL);
		return ofs_inode_get(fs, ck->txn, *ino, &lf) ? -ORION_ECORRUPT
		       : S_ISDIR(lf.a.mode) ? 0 : -ENOTDIR;
	}
	if (rc < 0 || (rc = ofs_inode_get(fs, ck->txn, OFS_ROOT_INO, &root)) ||
	    (rc = ofs_inode_new(fs, ck->txn, &lf, S_IFDIR | 0700, 0, 0)))
		return rc;
	lf.parent = OFS_ROOT_INO;
	root.a.nlink++;
	*ino = lf.a.ino;
	if ((rc = ofs_inode_put(fs, ck->txn, &lf)) || (rc = ofs_inode_put(fs, ck->txn, &root)))
		return rc;
	return ofs_dirent_add(fs, ck->txn, OFS_ROOT_INO, "lost+found", 10, lf.a.ino, lf.a.mode);
}

/* attach: give inode ino the name /lost+found/#INO. */
static int attach(struct fsck *ck, uint64_t lfino, uint64_t ino)
{
	struct ofs_inode in, lf;
	char name[32];
	int len = snprintf(name, sizeof name, "#%llu", (unsigned long long)ino);
	int rc = ofs_inode_get(ck->fs, ck->txn, ino, &in);
	if (rc || (rc = ofs_inode_get(ck->fs, ck->txn, lfino, &lf)))
		return rc;
	if ((rc = ofs_dirent_add(ck->fs, ck->txn, lfino, name, (size_t)len, ino, in.a.mode)))
		return rc;
	if (S_ISDIR(in.a.mode)) {
		in.parent = lfino;
		lf.a.nlink++;
		if ((rc = ofs_inode_put(ck->fs, ck->txn, &lf)))
			return rc;
	} else {
		in.a.nlink = 1;
	}
	return ofs_inode_put(ck->fs, ck->txn, &in);
}

/* apply_fix: perform one queued deletion (and re-insertion). */
static int apply_fix(struct fsck *ck, const struct fix *f)
{
	MDB_val key = {f->klen, (void *)f->key};
	int rc = mdb_del(ck->txn, f->dbi, &key, NULL);
	if (rc && rc != MDB_NOTFOUND)
		return ofs_lmdb_err(rc);
	if (!f->readd)
		return 0;
	return ofs_dirent_add(ck->fs, ck->txn, f->owner, f->name, strlen(f->name), f->child, f->mode);
}

/* repair: apply everything decided, in one go, inside the transaction. */
static int repair(struct fsck *ck)
{
	uint64_t lf;
	int rc = 0;
	for (size_t i = 0; !rc && i < ck->nfix; i++)
		rc = apply_fix(ck, &ck->fixes[i]);
	for (size_t i = 0; !rc && i < ck->n; i++) {
		struct fnode *n = &ck->nodes[i];
		if (n->dirty)
			rc = ofs_inode_put(ck->fs, ck->txn, &n->in);
		if (!rc && n->orphan == 2)
			rc = ofs_orphan_add(ck->fs, ck->txn, n->in.a.ino, 0);
	}
	if (!rc)
		rc = ofs_super_put_u64(ck->fs, ck->txn, "next_ino", ck->next_ino);
	if (!rc && ck->nlost)
		rc = lost_found(ck, &lf);
	for (size_t i = 0; !rc && i < ck->nlost; i++)
		rc = attach(ck, lf, ck->lost[i]);
	return rc;
}

/* check: every scan and judgement. */
static int check(struct fsck *ck)
{
	int rc = ofs_super_u64(ck->fs, ck->txn, "next_ino", &ck->next_ino);
	if (rc || (rc = scan(ck, ck->fs->inode, scan_inode)))
		return rc;
	struct fnode *root = node(ck, OFS_ROOT_INO);
	if (!root || root->bad || !S_ISDIR(root->in.a.mode)) {
		problem(ck, 0, "no root directory");
		return 0;
	}
	if ((rc = scan(ck, ck->fs->orphan, scan_orphan)) || (rc = scan(ck, ck->fs->dirent, scan_dirent)) ||
	    (rc = scan(ck, ck->fs->data, scan_data)) || (rc = scan(ck, ck->fs->xattr, scan_xattr)))
		return rc;
	if (ck->fs->has_pending && (rc = scan(ck, ck->fs->pending, scan_pending)))
		return rc;
	if (ck->fs->has_overlay && (rc = scan(ck, ck->fs->overlay, scan_overlay)))
		return rc;
	for (size_t i = 0; i < ck->n; i++)
		judge(ck, &ck->nodes[i]);
	judge_tree(ck);
	return ck->err;
}

/* ofs_fsck: check every invariant of the image at path. */
int ofs_fsck(const char *path, unsigned flags, ofs_fsck_fn fn, void *arg,
	     struct ofs_fsck_report *rep)
{
	struct ofs_fsck_report dummy;
	struct fsck ck = {.flags = flags, .fn = fn, .arg = arg, .rep = rep ? rep : &dummy};
	int repairing = flags & OFS_FSCK_REPAIR;
	memset(ck.rep, 0, sizeof *ck.rep);
	int rc = ofs_open_ex(&ck.fs, path, OFS_OPEN_EXCL | OFS_OPEN_NORECLAIM |
						  (repairing ? 0 : OFS_OPEN_RDONLY));
	if (rc)
		return rc;
	rc = repairing ? ofs_wtxn(ck.fs, &ck.txn) : ofs_rtxn(ck.fs, &ck.txn);
	if (!rc) {
		rc = check(&ck);
		if (!rc && repairing && ck.rep->repaired)
			rc = repair(&ck);
		if (rc || !repairing)
			mdb_txn_abort(ck.txn);
		else
			rc = ofs_commit(ck.fs, ck.txn);
	}
	ofs_close(ck.fs);
	free(ck.nodes);
	free(ck.fixes);
	free(ck.lost);
	free(ck.moved);
	return rc;
}
