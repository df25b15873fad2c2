/* dir.c: directory entries ((parent, slot) -> ino, type, name) and the
 * namespace operations: lookup, create, link, unlink, rmdir, rename,
 * readdir. */
#include "orionfs/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

enum { D_INO = 0, D_TYPE = 8, D_NLEN = 9, D_NAME = 10 };

/* ofs_dirent_decode: parse a dirent value (any out pointer may be NULL). */
int ofs_dirent_decode(const MDB_val *v, uint64_t *ino, uint32_t *type,
		      const unsigned char **name, size_t *len)
{
	const unsigned char *p = v->mv_data;
	if (v->mv_size < D_NAME + 1 || v->mv_size != (size_t)D_NAME + p[D_NLEN])
		return -ORION_ECORRUPT;
	if (ino)
		*ino = ofs_le64(p + D_INO);
	if (type)
		*type = p[D_TYPE];
	if (name)
		*name = p + D_NAME;
	if (len)
		*len = p[D_NLEN];
	return 0;
}

/* ofs_dirent_name: the name in a dirent value (an ofs_name_of). */
int ofs_dirent_name(const MDB_val *v, const unsigned char **name, size_t *len)
{
	return ofs_dirent_decode(v, NULL, NULL, name, len);
}

/* dirent_put: store entry name -> (ino, type of mode) at parent's slot. */
static int dirent_put(ofs *fs, MDB_txn *txn, uint64_t parent, uint64_t slot,
		      const char *name, size_t len, uint64_t ino, uint32_t mode)
{
	unsigned char val[D_NAME + OFS_NAME_MAX];
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, parent, slot), v = {D_NAME + len, val};
	ofs_put_le64(val + D_INO, ino);
	val[D_TYPE] = (unsigned char)ofs_dtype(mode);
	val[D_NLEN] = (unsigned char)len;
	memcpy(val + D_NAME, name, len);
	ofs_names_touch(fs, parent);
	return ofs_lmdb_err(mdb_put(txn, fs->dirent, &key, &v, 0));
}

/* dirent_del: remove the entry at parent's slot. */
static int dirent_del(ofs *fs, MDB_txn *txn, uint64_t parent, uint64_t slot)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, parent, slot);
	ofs_names_touch(fs, parent);
	return ofs_lmdb_err(mdb_del(txn, fs->dirent, &key, NULL));
}

/* entry_find: 1 and *ino when parent holds name (at *slot), 0 when not
 * (*slot free for it), or an error. */
static int entry_find(ofs *fs, MDB_txn *txn, uint64_t parent, const char *name,
		      size_t len, uint64_t *slot, uint64_t *ino)
{
	MDB_val v;
	int rc = ofs_name_probe(fs, txn, fs->dirent, parent, name, len, ofs_dirent_name, slot, &v);
	*ino = 0;
	if (rc == 1 && ofs_dirent_decode(&v, ino, NULL, NULL, NULL))
		return -ORION_ECORRUPT;
	return rc;
}

/* ofs_dirent_add: link ino (of mode) as parent/name; -EEXIST if taken. */
int ofs_dirent_add(ofs *fs, MDB_txn *txn, uint64_t parent, const char *name,
		   size_t len, uint64_t ino, uint32_t mode)
{
	uint64_t slot, old;
	int rc = entry_find(fs, txn, parent, name, len, &slot, &old);
	if (rc)
		return rc == 1 ? -EEXIST : rc;
	return dirent_put(fs, txn, parent, slot, name, len, ino, mode);
}

/* dir_get: inode ino, which must be a directory. */
static int dir_get(ofs *fs, MDB_txn *txn, uint64_t ino, struct ofs_inode *out)
{
	int rc = ofs_inode_get(fs, txn, ino, out);
	if (!rc && !S_ISDIR(out->a.mode))
		return -ENOTDIR;
	return rc;
}

/* touch_dir: parent's contents changed at now; store it. */
static int touch_dir(ofs *fs, MDB_txn *txn, struct ofs_inode *dir, const struct timespec *now)
{
	dir->a.mtime = dir->a.ctime = *now;
	return ofs_inode_put(fs, txn, dir);
}

/* ofs_lookup: the entry name in directory parent; fills out. */
int ofs_lookup(ofs *fs, uint64_t parent, const char *name, struct ofs_attr *out)
{
	struct ofs_inode in;
	uint64_t slot, ino;
	size_t len;
	MDB_txn *txn;
	int rc = ofs_name_check(name, &len);
	if (rc || (rc = ofs_rtxn(fs, &txn)))
		return rc;
	rc = entry_find(fs, txn, parent, name, len, &slot, &ino);
	if (rc == 1)
		rc = ofs_inode_get(fs, txn, ino, &in);
	else if (rc == 0 && (rc = dir_get(fs, txn, parent, &in)) == 0)
		rc = -ENOENT;
	ofs_rtxn_done(fs, txn);
	if (rc == 0 && out)
		*out = in.a;
	return rc;
}

/* What a create makes besides the inode itself. */
struct newnode {
	uint32_t mode, uid, gid;
	uint64_t rdev;
	const char *target; /* symlink target, or NULL */
	size_t tlen;
	uint32_t umask; /* the creator's, unless the directory's default ACL rules */
	int unnamed;    /* an O_TMPFILE file: no name, no link yet */
};

/* inode_in: make nn's inode for directory p (whose default ACL and
 * setgid bit it follows) inside txn; fills child.  Unnamed, it starts
 * with no link, on the orphan list. */
static int inode_in(ofs *fs, MDB_txn *txn, struct ofs_inode *p, struct newnode *nn,
		    struct ofs_inode *child)
{
	int rc = ofs_room(fs, nn->tlen + OFS_INODE_SIZE);
	if (rc)
		return rc;
	if (S_ISDIR(nn->mode) && p->a.nlink >= OFS_LINK_MAX)
		return -EMLINK;
	struct ofs_acl_kin kin;
	if ((rc = ofs_acl_inherit(fs, txn, p->a.ino, &nn->mode, nn->umask, &kin)))
		return rc;
	if (p->a.mode & S_ISGID) { /* BSD group semantics of setgid dirs */
		nn->gid = p->a.gid;
		if (S_ISDIR(nn->mode))
			nn->mode |= S_ISGID;
	}
	if ((rc = ofs_inode_new(fs, txn, child, nn->mode, nn->uid, nn->gid)))
		return rc;
	child->a.rdev = nn->rdev;
	if (S_ISDIR(nn->mode)) {
		child->parent = p->a.ino;
		p->a.nlink++;
	}
	if (nn->unnamed) {
		child->a.nlink = 0;
		if ((rc = ofs_orphan_add(fs, txn, child->a.ino, 1)))
			return rc;
	}
	if (nn->target && (rc = ofs_data_write(fs, txn, child, nn->target, nn->tlen, 0)))
		return rc;
	if ((rc = ofs_inode_put(fs, txn, child)))
		return rc;
	return ofs_acl_give(fs, txn, child, &kin);
}

/* create_in: make nn as parent/name inside txn (name NULL: unnamed, as
 * O_TMPFILE makes it); fills child. */
static int create_in(ofs *fs, MDB_txn *txn, uint64_t parent, const char *name,
		     size_t len, struct newnode *nn, struct ofs_inode *child)
{
	struct ofs_inode p;
	uint64_t slot, ino;
	int rc = dir_get(fs, txn, parent, &p);
	if (rc)
		return rc;
	if (!name)
		return inode_in(fs, txn, &p, nn, child);
	if ((rc = entry_find(fs, txn, parent, name, len, &slot, &ino)))
		return rc == 1 ? -EEXIST : rc;
	if ((rc = inode_in(fs, txn, &p, nn, child)) ||
	    (rc = dirent_put(fs, txn, parent, slot, name, len, child->a.ino, nn->mode)))
		return rc;
	return touch_dir(fs, txn, &p, &child->a.ctime);
}

/* create: one transaction making nn as parent/name (name NULL:
 * unnamed). */
static int create(ofs *fs, uint64_t parent, const char *name, struct newnode *nn,
		  struct ofs_attr *out)
{
	struct ofs_inode child;
	size_t len = 0;
	MDB_txn *txn;
	int rc = name ? ofs_name_check(name, &len) : 0;
	if (rc || (rc = ofs_wtxn(fs, &txn)))
		return rc;
	rc = ofs_finish(fs, txn, create_in(fs, txn, parent, name, len, nn, &child));
	if (rc == 0 && out)
		*out = child.a;
	return rc;
}

/* ofs_tmpfile: see orionfs.h. */
int ofs_tmpfile(ofs *fs, uint64_t parent, uint32_t mode, uint32_t umask, uint32_t uid,
		uint32_t gid, struct ofs_attr *out)
{
	struct newnode nn = {.mode = S_IFREG | (mode & 07777), .uid = uid, .gid = gid,
			     .umask = umask, .unnamed = 1};
	return create(fs, parent, NULL, &nn, out);
}

/* ofs_create: create a directory, regular file, fifo, socket or device
 * node, by mode's S_IFMT (none: a regular file). */
int ofs_create(ofs *fs, uint64_t parent, const char *name, uint32_t mode, uint64_t rdev,
	       uint32_t umask, uint32_t uid, uint32_t gid, struct ofs_attr *out)
{
	struct newnode nn = {mode, uid, gid, 0, NULL, 0, umask, 0};
	if ((mode & S_IFMT) == 0)
		nn.mode |= S_IFREG;
	switch (nn.mode & S_IFMT) {
	case S_IFCHR: case S_IFBLK:
		nn.rdev = rdev;
		break;
	case S_IFREG: case S_IFIFO: case S_IFSOCK: case S_IFDIR:
		break;
	default:
		return -EINVAL;
	}
	nn.mode &= S_IFMT | 07777;
	return create(fs, parent, name, &nn, out);
}

/* ofs_mknod: create a regular file, fifo, socket or device node. */
int ofs_mknod(ofs *fs, uint64_t parent, const char *name, uint32_t mode,
	      uint64_t rdev, uint32_t uid, uint32_t gid, struct ofs_attr *out)
{
	if (S_ISDIR(mode))
		return -EINVAL;
	return ofs_create(fs, parent, name, mode, rdev, 0, uid, gid, out);
}

/* ofs_mkdir: create a directory. */
int ofs_mkdir(ofs *fs, uint64_t parent, const char *name, uint32_t mode,
	      uint32_t uid, uint32_t gid, struct ofs_attr *out)
{
	return ofs_create(fs, parent, name, S_IFDIR | (mode & 07777), 0, 0, uid, gid, out);
}

/* ofs_symlink: create a symlink name -> target. */
int ofs_symlink(ofs *fs, uint64_t parent, const char *name, const char *target,
		uint32_t uid, uint32_t gid, struct ofs_attr *out)
{
	struct newnode nn = {S_IFLNK | 0777, uid, gid, 0, target, strnlen(target, OFS_SYMLINK_MAX + 1), 0, 0};
	if (nn.tlen == 0)
		return -ENOENT;
	if (nn.tlen > OFS_SYMLINK_MAX)
		return -ENAMETOOLONG;
	return create(fs, parent, name, &nn, out);
}

/* link_in: ofs_link inside txn. */
static int link_in(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t newparent,
		   const char *name, size_t len, struct ofs_inode *c)
{
	struct ofs_inode np;
	int rc = ofs_inode_get(fs, txn, ino, c);
	if (rc)
		return rc;
	if (S_ISDIR(c->a.mode))
		return -EPERM;
	/* at nlink 0 only an O_TMPFILE file may be named (as the kernel
	 * refuses a file unlinked while open): off the orphan list, it
	 * lives on */
	if (c->a.nlink == 0 && (rc = ofs_orphan_claim(fs, txn, ino)))
		return rc;
	if (c->a.nlink >= OFS_LINK_MAX)
		return -EMLINK;
	if ((rc = ofs_room(fs, len)))
		return rc;
	if ((rc = dir_get(fs, txn, newparent, &np)) ||
	    (rc = ofs_dirent_add(fs, txn, newparent, name, len, ino, c->a.mode)))
		return rc;
	c->a.nlink++;
	ofs_now(&c->a.ctime);
	if ((rc = ofs_inode_put(fs, txn, c)))
		return rc;
	return touch_dir(fs, txn, &np, &c->a.ctime);
}

/* ofs_link: a new hard link newparent/newname to ino (not a directory). */
int ofs_link(ofs *fs, uint64_t ino, uint64_t newparent, const char *newname,
	     struct ofs_attr *out)
{
	struct ofs_inode c;
	size_t len;
	MDB_txn *txn;
	int rc = ofs_name_check(newname, &len);
	if (rc || (rc = ofs_wtxn(fs, &txn)))
		return rc;
	rc = ofs_finish(fs, txn, link_in(fs, txn, ino, newparent, newname, len, &c));
	if (rc == 0 && out)
		*out = c.a;
	return rc;
}

/* drop_link: c lost one name at now; it becomes an orphan at nlink 0
 * (reported through *orphaned). */
static int drop_link(ofs *fs, MDB_txn *txn, struct ofs_inode *c, const struct timespec *now,
		     uint64_t *orphaned)
{
	int rc;
	c->a.nlink--;
	c->a.ctime = *now;
	if (c->a.nlink == 0) {
		if ((rc = ofs_orphan_add(fs, txn, c->a.ino, 0)))
			return rc;
		*orphaned = c->a.ino;
	}
	return ofs_inode_put(fs, txn, c);
}

/* remove_in: unlink (dir == 0) or rmdir (dir == 1) parent/name in txn. */
static int remove_in(ofs *fs, MDB_txn *txn, uint64_t parent, const char *name,
		     size_t len, int dir, uint64_t *orphaned)
{
	struct ofs_inode p, c;
	struct timespec now;
	uint64_t slot, ino;
	int rc = dir_get(fs, txn, parent, &p);
	if (rc)
		return rc;
	if ((rc = entry_find(fs, txn, parent, name, len, &slot, &ino)) != 1)
		return rc ? rc : -ENOENT;
	if ((rc = ofs_inode_get(fs, txn, ino, &c)))
		return rc;
	if (!dir && S_ISDIR(c.a.mode))
		return -EISDIR;
	if (dir && !S_ISDIR(c.a.mode))
		return -ENOTDIR;
	if (dir && (rc = ofs_owner_empty(txn, fs->dirent, ino)) != 1)
		return rc < 0 ? rc : -ENOTEMPTY;
	if ((rc = dirent_del(fs, txn, parent, slot)))
		return rc;
	ofs_now(&now);
	if (dir) {
		p.a.nlink--;
		rc = ofs_inode_destroy(fs, txn, &c); /* no data: safe at once */
	} else {
		rc = drop_link(fs, txn, &c, &now, orphaned);
	}
	return rc ? rc : touch_dir(fs, txn, &p, &now);
}

/* remove: one transaction of remove_in. */
static int remove_entry(ofs *fs, uint64_t parent, const char *name, int dir, uint64_t *orphaned)
{
	uint64_t dummy;
	size_t len;
	MDB_txn *txn;
	int rc = ofs_name_check(name, &len);
	if (!orphaned)
		orphaned = &dummy;
	*orphaned = 0;
	if (rc || (rc = ofs_wtxn(fs, &txn)))
		return rc;
	rc = ofs_finish(fs, txn, remove_in(fs, txn, parent, name, len, dir, orphaned));
	if (rc)
		*orphaned = 0;
	return rc;
}

/* ofs_unlink: remove a non-directory entry. */
int ofs_unlink(ofs *fs, uint64_t parent, const char *name, uint64_t *orphaned)
{
	return remove_entry(fs, parent, name, 0, orphaned);
}

/* ofs_rmdir: remove an empty directory (-ENOTEMPTY otherwise). */
int ofs_rmdir(ofs *fs, uint64_t parent, const char *name)
{
	return remove_entry(fs, parent, name, 1, NULL);
}

/* within: 1 when node is dir or lies below it (walking parent links). */
static int within(ofs *fs, MDB_txn *txn, uint64_t dir, uint64_t node)
{
	struct ofs_inode in;
	for (unsigned long steps = 0; steps < (1UL << 24); steps++) {
		if (node == dir)
			return 1;
		if (node == OFS_ROOT_INO)
			return 0;
		int rc = ofs_inode_get(fs, txn, node, &in);
		if (rc)
			return rc == -ENOENT ? -ORION_ECORRUPT : rc;
		node = in.parent;
	}
	return -ORION_ECORRUPT; /* a parent cycle */
}

/* One side of a rename: the directory, the entry, the inode it names. */
struct side {
	uint64_t dirino, slot;
	const char *name;
	size_t len;
	int present;
	struct ofs_inode *dir; /* may alias the other side's */
	struct ofs_inode node;
};

/* side_load: find s->name in its directory and load the inode it names. */
static int side_load(ofs *fs, MDB_txn *txn, struct side *s)
{
	uint64_t ino = 0;
	int rc = entry_find(fs, txn, s->dirino, s->name, s->len, &s->slot, &ino);
	if (rc < 0)
		return rc;
	s->present = rc;
	return rc ? ofs_inode_get(fs, txn, ino, &s->node) : 0;
}

/* rename_check: may src go where dst is (flags as ofs_rename)? */
static int rename_check(ofs *fs, MDB_txn *txn, struct side *src, struct side *dst, unsigned flags)
{
	int rc, sdir = S_ISDIR(src->node.a.mode), ddir = dst->present && S_ISDIR(dst->node.a.mode);
	if ((flags & OFS_RENAME_EXCHANGE) && !dst->present)
		return -ENOENT;
	if (!(flags & OFS_RENAME_EXCHANGE) && dst->present) {
		if (sdir && !ddir)
			return -ENOTDIR;
		if (!sdir && ddir)
			return -EISDIR;
		if (ddir && (rc = ofs_owner_empty(txn, fs->dirent, dst->node.a.ino)) != 1)
			return rc < 0 ? rc : -ENOTEMPTY;
	}
	if (sdir && src->dirino != dst->dirino &&
	    (rc = within(fs, txn, src->node.a.ino, dst->dirino)) != 0)
		return rc < 0 ? rc : -EINVAL;
	if ((flags & OFS_RENAME_EXCHANGE) && ddir && src->dirino != dst->dirino &&
	    (rc = within(fs, txn, dst->node.a.ino, src->dirino)) != 0)
		return rc < 0 ? rc : -EINVAL;
	if (sdir && !ddir && src->dirino != dst->dirino && dst->dir->a.nlink >= OFS_LINK_MAX)
		return -EMLINK;
	return 0;
}

/* move_node: n, a directory entry, now lives in to (was in from): fix the
 * parent link and the directories' link counts. */
static void move_node(struct ofs_inode *n, struct ofs_inode *from, struct ofs_inode *to)
{
	if (!S_ISDIR(n->a.mode) || from == to)
		return;
	n->parent = to->a.ino;
	from->a.nlink--;
	to->a.nlink++;
}

/* rename_apply: perform a checked rename at now. */
static int rename_apply(ofs *fs, MDB_txn *txn, struct side *src, struct side *dst,
			unsigned flags, const struct timespec *now, uint64_t *orphaned)
{
	int rc;
	if (flags & OFS_RENAME_EXCHANGE) {
		move_node(&src->node, src->dir, dst->dir);
		move_node(&dst->node, dst->dir, src->dir);
		dst->node.a.ctime = *now;
		if ((rc = dirent_put(fs, txn, src->dirino, src->slot, src->name, src->len,
				     dst->node.a.ino, dst->node.a.mode)) ||
		    (rc = ofs_inode_put(fs, txn, &dst->node)))
			return rc;
	} else {
		if ((rc = dirent_del(fs, txn, src->dirino, src->slot)))
			return rc;
		move_node(&src->node, src->dir, dst->dir);
		if (dst->present && S_ISDIR(dst->node.a.mode)) {
			dst->dir->a.nlink--;
			rc = ofs_inode_destroy(fs, txn, &dst->node);
		} else if (dst->present) {
			rc = drop_link(fs, txn, &dst->node, now, orphaned);
		}
		if (rc)
			return rc;
	}
	src->node.a.ctime = *now;
	if ((rc = dirent_put(fs, txn, dst->dirino, dst->slot, dst->name, dst->len,
			     src->node.a.ino, src->node.a.mode)) ||
	    (rc = ofs_inode_put(fs, txn, &src->node)) ||
	    (rc = touch_dir(fs, txn, src->dir, now)))
		return rc;
	return src->dir == dst->dir ? 0 : touch_dir(fs, txn, dst->dir, now);
}

/* rename_in: ofs_rename inside txn. */
static int rename_in(ofs *fs, MDB_txn *txn, struct side *src, struct side *dst,
		     unsigned flags, uint64_t *orphaned)
{
	struct ofs_inode sdir, ddir;
	struct timespec now;
	int rc = dir_get(fs, txn, src->dirino, &sdir);
	if (rc || (rc = dir_get(fs, txn, dst->dirino, &ddir)))
		return rc;
	src->dir = &sdir;
	dst->dir = src->dirino == dst->dirino ? &sdir : &ddir;
	if ((rc = side_load(fs, txn, src)))
		return rc;
	if (!src->present)
		return -ENOENT;
	if ((rc = side_load(fs, txn, dst)))
		return rc;
	if ((flags & OFS_RENAME_NOREPLACE) && dst->present)
		return -EEXIST; /* as renameat2(2): even for the same file's other name */
	if (dst->present && dst->node.a.ino == src->node.a.ino)
		return 0; /* the same file: POSIX says do nothing */
	if ((rc = rename_check(fs, txn, src, dst, flags)))
		return rc;
	ofs_now(&now);
	return rename_apply(fs, txn, src, dst, flags, &now, orphaned);
}

/* ofs_rename: atomic rename with POSIX semantics. */
int ofs_rename(ofs *fs, uint64_t parent, const char *name, uint64_t newparent,
	       const char *newname, unsigned flags, uint64_t *orphaned)
{
	struct side src = {.dirino = parent, .name = name}, dst = {.dirino = newparent, .name = newname};
	uint64_t dummy;
	MDB_txn *txn;
	int rc;
	if (!orphaned)
		orphaned = &dummy;
	*orphaned = 0;
	if ((flags & ~(unsigned)(OFS_RENAME_NOREPLACE | OFS_RENAME_EXCHANGE)) ||
	    flags == (OFS_RENAME_NOREPLACE | OFS_RENAME_EXCHANGE))
		return -EINVAL;
	if ((rc = ofs_name_check(name, &src.len)) || (rc = ofs_name_check(newname, &dst.len)) ||
	    (rc = ofs_wtxn(fs, &txn)))
		return rc;
	rc = ofs_finish(fs, txn, rename_in(fs, txn, &src, &dst, flags, orphaned));
	if (rc)
		*orphaned = 0;
	return rc;
}

/* A listing: whom it hands entries to, and the slot it goes on from. */
struct listing {
	ofs_dirent_fn fn;
	void *arg;
	uint64_t next;
};

/* entry: hand the entry at key/v to the listing's fn (name
 * NUL-terminated); an ofs_leaf_fn, and the cursor's step too. */
static int entry(void *arg, const MDB_val *key, const MDB_val *v)
{
	struct listing *l = arg;
	struct ofs_dirent d;
	const unsigned char *name;
	char buf[OFS_NAME_MAX + 1];
	if (key->mv_size != 16)
		return -ORION_ECORRUPT;
	int rc = ofs_dirent_decode(v, &d.ino, &d.type, &name, &d.namelen);
	if (rc)
		return rc;
	memcpy(buf, name, d.namelen);
	buf[d.namelen] = '\0';
	d.name = buf;
	d.cookie = l->next = ofs_be64((const unsigned char *)key->mv_data + 8) + 1;
	return l->fn(l->arg, &d);
}

/* scan: the entries of ino from slot l->next on, with a cursor (a key
 * of the wrong size is damage, which entry reports). */
static int scan(ofs *fs, MDB_txn *txn, uint64_t ino, struct listing *l)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, l->next), v;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, fs->dirent, &c), mrc;
	if (rc)
		return ofs_lmdb_err(rc);
	for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	     mrc == 0 && rc == 0 && (key.mv_size != 16 || ofs_be64(key.mv_data) == ino);
	     mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT))
		rc = entry(l, &key, &v);
	mdb_cursor_close(c);
	if (rc < 0)
		return rc;
	return mrc && mrc != MDB_NOTFOUND ? ofs_lmdb_err(mrc) : 0;
}

/* list: call fn for ino's entries from slot cookie on.  A large
 * directory's leaves are read with pread (ofs_leaves), which costs a
 * fraction of mapping each (a page fault); where that cannot start or go
 * on (a small directory, a write transaction, the batch's), a cursor
 * reads on from the entry where it stopped. */
static int list(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn, void *arg)
{
	struct listing l = {fn, arg, cookie};
	struct ofs_key lk, hk;
	MDB_val lo = ofs_key2(&lk, ino, cookie), hi = ofs_key2(&hk, ino + 1, 0);
	int rc = ofs_leaves(fs, txn, "dirent", &lo, &hi, OFS_AHEAD_INLINE, entry, &l);
	if (rc == -EAGAIN)
		rc = scan(fs, txn, ino, &l);
	return rc < 0 ? rc : 0;
}

/* The inodes of the next entries of a listing, gathered by note_ino. */
struct inos {
	size_t n, max;
	uint64_t ino[OFS_AHEAD_INODES];
	struct ofs_key lo[OFS_AHEAD_INODES], hi[OFS_AHEAD_INODES];
	MDB_val klo[OFS_AHEAD_INODES], khi[OFS_AHEAD_INODES];
};

/* note_ino: an ofs_dirent_fn keeping each entry's inode number. */
static int note_ino(void *arg, const struct ofs_dirent *d)
{
	struct inos *s = arg;
	s->ino[s->n] = d->ino;
	return ++s->n == s->max;
}

/* ino_cmp: qsort order of inode numbers. */
static int ino_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* inodes_ahead: start reading the inodes of ino's next n entries from
 * cookie (the entries' leaves are read by then, or read ahead), in
 * inode order, so that inodes sharing a leaf ask for it once. */
static void inodes_ahead(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t cookie, size_t n)
{
	struct inos *s = malloc(sizeof *s);
	if (!s)
		return;
	s->n = 0;
	s->max = n < OFS_AHEAD_INODES ? n : OFS_AHEAD_INODES;
	if (list(fs, txn, ino, cookie, note_ino, s) == 0) {
		qsort(s->ino, s->n, sizeof *s->ino, ino_cmp);
		for (size_t i = 0; i < s->n; i++) {
			s->klo[i] = ofs_key1(&s->lo[i], s->ino[i]);
			s->khi[i] = ofs_key1(&s->hi[i], s->ino[i] + 1);
		}
		ofs_ahead(fs, "inode", s->klo, s->khi, s->n);
	}
	free(s);
}

/* ofs_dir_large: see orionfs.h. */
int ofs_dir_large(ofs *fs, uint64_t ino)
{
	return ofs_ahead_large(fs, "dirent", ino);
}

/* ofs_readdir: entries of dir ino from cookie (0 = start). */
int ofs_readdir(ofs *fs, uint64_t ino, uint64_t cookie, ofs_dirent_fn fn, void *arg)
{
	return ofs_readdir_ex(fs, ino, cookie, 0, fn, arg);
}

/* ofs_readdir_ex: ofs_readdir, reading ahead the inodes the caller
 * needs.  From the start, the directory's leaves are read ahead anyway. */
int ofs_readdir_ex(ofs *fs, uint64_t ino, uint64_t cookie, size_t attrs, ofs_dirent_fn fn,
		   void *arg)
{
	struct ofs_inode d;
	MDB_txn *txn;
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	rc = dir_get(fs, txn, ino, &d);
	if (!rc && cookie < (1ULL << 63)) {
		if (cookie == 0)
			ofs_ahead_bg(fs, "dirent", ino, 0);
		if (attrs)
			inodes_ahead(fs, txn, ino, cookie, attrs);
		rc = list(fs, txn, ino, cookie, fn, arg);
	}
	ofs_rtxn_done(fs, txn);
	return rc;
}
