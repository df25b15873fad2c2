/* xattr.c: extended attributes ((ino, slot) -> name length, name, value),
 * named records like directory entries. */
#include "orionfs/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/* ofs_xattr_name: the name in an xattr value (an ofs_name_of). */
int ofs_xattr_name(const MDB_val *v, const unsigned char **name, size_t *len)
{
	const unsigned char *p = v->mv_data;
	if (v->mv_size < 2 || p[0] == 0 || v->mv_size < 1u + p[0])
		return -ORION_ECORRUPT;
	*name = p + 1;
	*len = p[0];
	return 0;
}

/* xname: a valid xattr name (1..255 bytes); sets *len. */
static int xname(const char *name, size_t *len)
{
	*len = strnlen(name, OFS_XATTR_NAME_MAX + 1);
	return *len == 0 || *len > OFS_XATTR_NAME_MAX ? -ERANGE : 0;
}

/* xprobe: 1 with the stored value's bytes when inode ino (which exists)
 * has name, 0 (slot free) when not, or an error. */
static int xprobe(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, size_t len,
		  uint64_t *slot, MDB_val *val)
{
	int rc = ofs_name_probe(fs, txn, fs->xattr, ino, name, len, ofs_xattr_name, slot, val);
	if (rc == 1) {
		val->mv_data = (unsigned char *)val->mv_data + 1 + len;
		val->mv_size -= 1 + len;
	}
	return rc;
}

/* xfind: xprobe for an inode that may not exist (-ENOENT). */
static int xfind(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, size_t len,
		 uint64_t *slot, MDB_val *val)
{
	struct ofs_inode in;
	int rc = xprobe(fs, txn, ino, name, len, slot, val);
	if (rc == 0)
		rc = ofs_inode_get(fs, txn, ino, &in); /* 0, or -ENOENT for no inode */
	return rc;
}

/* xdel: delete the record in slot of ino's xattrs (none there is fine). */
static int xdel(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t slot)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, slot);
	int rc = mdb_del(txn, fs->xattr, &key, NULL);
	return rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc);
}

/* touch: ino's metadata changed now. */
static int touch(ofs *fs, MDB_txn *txn, uint64_t ino)
{
	struct ofs_inode in;
	int rc = ofs_inode_get(fs, txn, ino, &in);
	if (rc)
		return rc;
	ofs_now(&in.a.ctime);
	return ofs_inode_put(fs, txn, &in);
}

/* acl_apply: an access ACL sets the mode's permission bits, as local file
 * systems do, and drops set-group-ID when kill_sgid says the setter may
 * not keep it; returns 1 when the ACL is then fully told by the mode. */
static int acl_apply(ofs *fs, MDB_txn *txn, uint64_t ino, const void *value, size_t size,
		     int kill_sgid)
{
	struct ofs_inode in;
	uint32_t perm;
	int equiv = ofs_acl_mode(value, size, &perm);
	int rc = ofs_inode_get(fs, txn, ino, &in);
	if (rc)
		return rc;
	in.a.mode = (in.a.mode & ~(kill_sgid ? 0777u | S_ISGID : 0777u)) | perm;
	ofs_now(&in.a.ctime);
	return (rc = ofs_inode_put(fs, txn, &in)) ? rc : equiv;
}

/* store: put name = value at ino's slot. */
static int store(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t slot, const char *name,
		 size_t len, const void *value, size_t size)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, slot), v = {1 + len + size, NULL};
	int rc = mdb_put(txn, fs->xattr, &key, &v, MDB_RESERVE);
	if (rc)
		return ofs_lmdb_err(rc);
	unsigned char *p = v.mv_data;
	p[0] = (unsigned char)len;
	memcpy(p + 1, name, len);
	if (size)
		memcpy(p + 1 + len, value, size);
	return 0;
}

/* set_raw: store name = value at ino's slot and touch ino's ctime. */
static int set_raw(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t slot, const char *name,
		   size_t len, const void *value, size_t size)
{
	int rc = store(fs, txn, ino, slot, name, len, value, size);
	return rc ? rc : touch(fs, txn, ino);
}

/* acl_check: 0 when name = value may be set on ino: an ACL must be well
 * formed, and only a directory has a default ACL. */
static int acl_check(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, const void *value,
		     size_t size)
{
	struct ofs_inode in;
	int dflt = strcmp(name, OFS_ACL_DEFAULT) == 0;
	if (!dflt && strcmp(name, OFS_ACL_ACCESS) != 0)
		return 0;
	int rc = ofs_acl_valid(value, size);
	if (rc || !dflt || (rc = ofs_inode_get(fs, txn, ino, &in)))
		return rc;
	return S_ISDIR(in.a.mode) ? 0 : -EACCES;
}

/* set_in: ofs_setxattr_kill inside txn. */
static int set_in(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, size_t len,
		  const void *value, size_t size, int flags, int kill_sgid)
{
	uint64_t slot;
	MDB_val old;
	int rc = xfind(fs, txn, ino, name, len, &slot, &old);
	if (rc < 0)
		return rc;
	if (rc == 1 && (flags & XATTR_CREATE))
		return -EEXIST;
	if (rc == 0 && (flags & XATTR_REPLACE))
		return -ENODATA;
	if ((rc = acl_check(fs, txn, ino, name, value, size)) || (rc = ofs_room(fs, len + size)))
		return rc;
	if (strcmp(name, OFS_ACL_ACCESS) == 0) {
		int equiv = acl_apply(fs, txn, ino, value, size, kill_sgid);
		if (equiv != 1)
			return equiv < 0 ? equiv : set_raw(fs, txn, ino, slot, name, len, value, size);
		return xdel(fs, txn, ino, slot); /* the mode says it all */
	}
	return set_raw(fs, txn, ino, slot, name, len, value, size);
}

/* acl_get: 1 with existing inode ino's ACL name copied into buf
 * (OFS_ACL_MAX bytes) and its length in *n, 0 when it has none; *slot
 * is where it is or goes. */
static int acl_get(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, unsigned char *buf,
		   size_t *n, uint64_t *slot)
{
	MDB_val v;
	int rc = xprobe(fs, txn, ino, name, strlen(name), slot, &v);
	if (rc <= 0)
		return rc;
	if (ofs_acl_valid(v.mv_data, v.mv_size))
		return -ORION_ECORRUPT; /* set_in lets no other kind in */
	memcpy(buf, v.mv_data, v.mv_size);
	*n = v.mv_size;
	return 1;
}

/* acl_put: store ACL name (acl, n bytes) on new inode ino, which has no
 * xattrs yet. */
static int acl_put(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, const void *acl,
		   size_t n)
{
	uint64_t slot;
	MDB_val v;
	int rc = xprobe(fs, txn, ino, name, strlen(name), &slot, &v);
	return rc < 0 ? rc : store(fs, txn, ino, slot, name, strlen(name), acl, n);
}

/* ofs_acl_inherit: before a node of *mode is made in directory parent:
 * when parent has a default ACL, what the node inherits goes into kin
 * and trims *mode, which the umask then leaves alone (POSIX.1e); else
 * the umask trims *mode and kin->n is 0.  Symlinks keep their mode. */
int ofs_acl_inherit(ofs *fs, MDB_txn *txn, uint64_t parent, uint32_t *mode, uint32_t umask,
		    struct ofs_acl_kin *kin)
{
	uint64_t slot;
	kin->n = 0;
	if (S_ISLNK(*mode))
		return 0;
	int rc = acl_get(fs, txn, parent, OFS_ACL_DEFAULT, kin->dflt, &kin->n, &slot);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		*mode &= ~(umask & 0777u);
		return 0;
	}
	memcpy(kin->acc, kin->dflt, kin->n);
	kin->keep = ofs_acl_create(kin->acc, kin->n, mode);
	return 0;
}

/* ofs_acl_give: store on stored inode child what ofs_acl_inherit said it
 * inherits: its access ACL when that says more than its mode, and for a
 * directory the default ACL itself. */
int ofs_acl_give(ofs *fs, MDB_txn *txn, const struct ofs_inode *child,
		 const struct ofs_acl_kin *kin)
{
	int rc = 0;
	if (kin->n && kin->keep)
		rc = acl_put(fs, txn, child->a.ino, OFS_ACL_ACCESS, kin->acc, kin->n);
	if (kin->n && !rc && S_ISDIR(child->a.mode))
		rc = acl_put(fs, txn, child->a.ino, OFS_ACL_DEFAULT, kin->dflt, kin->n);
	return rc;
}

/* ofs_acl_follow: after existing inode ino's mode became mode (chmod),
 * make its access ACL, if any, tell the same permission bits. */
int ofs_acl_follow(ofs *fs, MDB_txn *txn, uint64_t ino, uint32_t mode)
{
	unsigned char acc[OFS_ACL_MAX];
	uint64_t slot;
	size_t n;
	int rc = acl_get(fs, txn, ino, OFS_ACL_ACCESS, acc, &n, &slot);
	if (rc <= 0)
		return rc;
	ofs_acl_chmod(acc, n, mode);
	return store(fs, txn, ino, slot, OFS_ACL_ACCESS, sizeof OFS_ACL_ACCESS - 1, acc, n);
}

/* ofs_xattr_drop: remove name from existing inode ino if it has it,
 * leaving the times to the caller (a write stamps its own). */
int ofs_xattr_drop(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name)
{
	uint64_t slot;
	MDB_val v;
	int rc = xprobe(fs, txn, ino, name, strlen(name), &slot, &v);
	return rc <= 0 ? rc : xdel(fs, txn, ino, slot);
}

/* ofs_setxattr: set name to value (flags XATTR_CREATE / XATTR_REPLACE). */
int ofs_setxattr(ofs *fs, uint64_t ino, const char *name, const void *value,
		 size_t size, int flags)
{
	return ofs_setxattr_kill(fs, ino, name, value, size, flags, 0);
}

/* ofs_setxattr_kill: ofs_setxattr; kill_sgid drops set-group-ID with an
 * access ACL, in the same commit. */
int ofs_setxattr_kill(ofs *fs, uint64_t ino, const char *name, const void *value,
		      size_t size, int flags, int kill_sgid)
{
	MDB_txn *txn;
	size_t len;
	int rc = xname(name, &len);
	if (rc)
		return rc;
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE) || flags == (XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (size > OFS_XATTR_SIZE_MAX)
		return -E2BIG;
	if ((rc = ofs_wtxn(fs, &txn)))
		return rc;
	return ofs_finish(fs, txn, set_in(fs, txn, ino, name, len, value, size, flags, kill_sgid));
}

/* ofs_getxattr: the value of name (size 0: its length). */
ssize_t ofs_getxattr(ofs *fs, uint64_t ino, const char *name, void *value, size_t size)
{
	MDB_txn *txn;
	MDB_val v;
	uint64_t slot;
	size_t len;
	int rc = xname(name, &len);
	if (rc || (rc = ofs_rtxn(fs, &txn)))
		return rc;
	rc = xfind(fs, txn, ino, name, len, &slot, &v);
	if (rc == 0)
		rc = -ENODATA;
	else if (rc == 1 && size && v.mv_size > size)
		rc = -ERANGE;
	else if (rc == 1) {
		if (size)
			memcpy(value, v.mv_data, v.mv_size);
		rc = (int)v.mv_size;
	}
	ofs_rtxn_done(fs, txn);
	return rc;
}

/* list_in: the NUL-separated names of ino's xattrs into list; total length. */
static int list_in(ofs *fs, MDB_txn *txn, uint64_t ino, char *list, size_t size)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, 0), v;
	MDB_cursor *c;
	size_t total = 0;
	int rc = mdb_cursor_open(txn, fs->xattr, &c), mrc;
	if (rc)
		return ofs_lmdb_err(rc);
	for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		const unsigned char *n;
		size_t nl;
		if (key.mv_size != 16 || ofs_be64(key.mv_data) != ino)
			break;
		if ((rc = ofs_xattr_name(&v, &n, &nl)))
			break;
		if (size && total + nl + 1 > size) {
			rc = -ERANGE;
			break;
		}
		if (size) {
			memcpy(list + total, n, nl);
			list[total + nl] = '\0';
		}
		total += nl + 1;
	}
	mdb_cursor_close(c);
	if (rc)
		return rc;
	return mrc && mrc != MDB_NOTFOUND ? ofs_lmdb_err(mrc) : (int)total;
}

/* ofs_listxattr: the names of ino's xattrs (size 0: the length needed). */
ssize_t ofs_listxattr(ofs *fs, uint64_t ino, char *list, size_t size)
{
	struct ofs_inode in;
	MDB_txn *txn;
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	rc = ofs_inode_get(fs, txn, ino, &in);
	if (!rc)
		rc = list_in(fs, txn, ino, list, size);
	ofs_rtxn_done(fs, txn);
	return rc;
}

/* remove_in: ofs_removexattr inside txn. */
static int remove_in(ofs *fs, MDB_txn *txn, uint64_t ino, const char *name, size_t len)
{
	uint64_t slot;
	MDB_val v;
	int rc = xfind(fs, txn, ino, name, len, &slot, &v);
	if (rc <= 0)
		return rc ? rc : -ENODATA;
	return (rc = xdel(fs, txn, ino, slot)) ? rc : touch(fs, txn, ino);
}

/* ofs_removexattr: remove name from ino. */
int ofs_removexattr(ofs *fs, uint64_t ino, const char *name)
{
	MDB_txn *txn;
	size_t len;
	int rc = xname(name, &len);
	if (rc || (rc = ofs_wtxn(fs, &txn)))
		return rc;
	return ofs_finish(fs, txn, remove_in(fs, txn, ino, name, len));
}
