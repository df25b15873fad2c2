/* acl.c: POSIX.1e access control lists in the xattr encoding of Linux
 * (linux/posix_acl_xattr.h: a le32 version, 2, then entries of le16 tag,
 * le16 permission bits and le32 uid or gid).  The kernel checks access
 * against them (FUSE_POSIX_ACL); keeping them in step with the mode is
 * ours.  Pure functions on a buffer: xattr.c stores them. */
#include "orionfs/internal.h"

#include <errno.h>

enum { ACL_VERSION = 2, ACL_HEAD = 4, ACL_ENTRY = 8 };
enum { ACL_USER_OBJ = 1, ACL_USER = 2, ACL_GROUP_OBJ = 4, ACL_GROUP = 8, ACL_MASK = 16,
       ACL_OTHER = 32 };

/* tag: entry e's tag. */
static uint32_t tag(const unsigned char *e)
{
	return e[0] | (uint32_t)e[1] << 8;
}

/* perm: entry e's permission bits (all 16 of them). */
static uint32_t perm(const unsigned char *e)
{
	return e[2] | (uint32_t)e[3] << 8;
}

/* set_perm: make entry e's permission bits p (0..7). */
static void set_perm(unsigned char *e, uint32_t p)
{
	e[2] = (unsigned char)p;
	e[3] = 0;
}

/* ofs_acl_valid: 0 when acl (n bytes) is an ACL the kernel would accept
 * (posix_acl_valid): known tags in their order, one USER_OBJ, GROUP_OBJ
 * and OTHER each, at most one MASK and one whenever a named USER or
 * GROUP entry is present, permission bits within rwx, at most
 * OFS_ACL_MAX bytes; else -EINVAL. */
int ofs_acl_valid(const void *acl, size_t n)
{
	const unsigned char *p = acl;
	if (n < ACL_HEAD + 3 * ACL_ENTRY || n > OFS_ACL_MAX || (n - ACL_HEAD) % ACL_ENTRY ||
	    ofs_le32(p) != ACL_VERSION)
		return -EINVAL;
	uint32_t seen = 0, last = 0;
	for (p += ACL_HEAD, n -= ACL_HEAD; n; p += ACL_ENTRY, n -= ACL_ENTRY) {
		uint32_t t = tag(p);
		int named = t == ACL_USER || t == ACL_GROUP;
		if (perm(p) & ~7u || t < last || (!named && (seen & t)))
			return -EINVAL;
		switch (t) {
		case ACL_USER_OBJ: case ACL_USER: case ACL_GROUP_OBJ: case ACL_GROUP:
		case ACL_MASK: case ACL_OTHER:
			break;
		default:
			return -EINVAL;
		}
		seen |= t;
		last = t;
	}
	uint32_t need = ACL_USER_OBJ | ACL_GROUP_OBJ | ACL_OTHER;
	if ((seen & need) != need || ((seen & (ACL_USER | ACL_GROUP)) && !(seen & ACL_MASK)))
		return -EINVAL;
	return 0;
}

/* ofs_acl_mode: the permission bits valid access ACL acl implies (the
 * group's from the mask when there is one); 1 when the ACL says no more
 * than those bits (then only the mode need be kept), else 0. */
int ofs_acl_mode(const void *acl, size_t n, uint32_t *mode)
{
	const unsigned char *p = (const unsigned char *)acl + ACL_HEAD;
	uint32_t u = 0, g = 0, o = 0, m = 0, seen = 0;
	for (n -= ACL_HEAD; n; p += ACL_ENTRY, n -= ACL_ENTRY) {
		uint32_t t = tag(p);
		if (t == ACL_USER_OBJ)
			u = perm(p);
		else if (t == ACL_GROUP_OBJ)
			g = perm(p);
		else if (t == ACL_MASK)
			m = perm(p);
		else if (t == ACL_OTHER)
			o = perm(p);
		seen |= t;
	}
	*mode = u << 6 | ((seen & ACL_MASK) ? m : g) << 3 | o;
	return (seen & (ACL_USER | ACL_GROUP | ACL_MASK)) == 0;
}

/* ofs_acl_chmod: make valid access ACL acl tell permission bits mode, as
 * chmod(2) does to a file with an ACL: the owner's, the mask's (or the
 * owning group's when there is no mask) and the others' entries. */
void ofs_acl_chmod(void *acl, size_t n, uint32_t mode)
{
	unsigned char *p = (unsigned char *)acl + ACL_HEAD, *group = NULL;
	int masked = 0;
	for (n -= ACL_HEAD; n; p += ACL_ENTRY, n -= ACL_ENTRY) {
		uint32_t t = tag(p);
		if (t == ACL_USER_OBJ)
			set_perm(p, mode >> 6 & 7);
		else if (t == ACL_GROUP_OBJ)
			group = p;
		else if (t == ACL_MASK) {
			set_perm(p, mode >> 3 & 7);
			masked = 1;
		} else if (t == ACL_OTHER)
			set_perm(p, mode & 7);
	}
	if (group && !masked)
		set_perm(group, mode >> 3 & 7);
}

/* ofs_acl_create: turn a copy of a directory's valid default ACL into the
 * access ACL of a node created in it with permission bits *mode: each of
 * the owner's, the group class's and the others' entries keeps only what
 * both grant, and *mode becomes what the ACL then says (POSIX.1e; the
 * umask plays no part).  Returns 1 when the ACL says more than *mode
 * and must be stored, else 0. */
int ofs_acl_create(void *acl, size_t n, uint32_t *mode)
{
	unsigned char *p = (unsigned char *)acl + ACL_HEAD, *group = NULL, *mask = NULL;
	uint32_t m = *mode;
	int more = 0;
	for (n -= ACL_HEAD; n; p += ACL_ENTRY, n -= ACL_ENTRY) {
		uint32_t t = tag(p);
		if (t == ACL_USER_OBJ) {
			set_perm(p, perm(p) & (m >> 6 & 7));
			m = (m & ~0700u) | perm(p) << 6;
		} else if (t == ACL_OTHER) {
			set_perm(p, perm(p) & (m & 7));
			m = (m & ~07u) | perm(p);
		} else if (t == ACL_GROUP_OBJ)
			group = p;
		else if (t == ACL_MASK)
			mask = p;
		if (t == ACL_USER || t == ACL_GROUP || t == ACL_MASK)
			more = 1;
	}
	unsigned char *g = mask ? mask : group;
	if (g) {
		set_perm(g, perm(g) & (m >> 3 & 7));
		m = (m & ~070u) | perm(g) << 3;
	}
	*mode = m;
	return more;
}
