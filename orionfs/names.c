/* names.c: records named by a byte string under an owner inode (directory
 * entries, xattrs).  The key is (owner, slot) where slot is a keyed hash
 * of the name shifted left 8 bits plus a collision index, so keys reveal
 * nothing of the names and a slot is a stable readdir position. */
#include "orionfs/internal.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

/* ofs_name_check: a valid entry name (1..255 bytes, no '/', not "." or
 * ".."); sets *len. */
int ofs_name_check(const char *name, size_t *len)
{
	size_t n = strnlen(name, OFS_NAME_MAX + 1);
	if (n == 0 || memchr(name, '/', n))
		return -EINVAL;
	if (n > OFS_NAME_MAX)
		return -ENAMETOOLONG;
	if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	*len = n;
	return 0;
}

/* ofs_name_slot: the first slot of name: SipHash-2-4 under the image's
 * name key, reduced below 2^55 - 1 so every slot + 1 fits an off_t. */
uint64_t ofs_name_slot(const ofs *fs, const void *name, size_t len)
{
	unsigned char h[crypto_shorthash_BYTES];
	crypto_shorthash(h, name, len, fs->name_key);
	return (ofs_le64(h) % ((1ULL << 55) - 1)) << 8;
}

/* ofs_name_probe: look name up under owner.  Returns 1 with *slot and
 * *found set when present, 0 with *slot the free slot to use when absent,
 * or a negative error (-ENOSPC when all 256 slots of the hash are taken). */
int ofs_name_probe(ofs *fs, MDB_txn *txn, MDB_dbi dbi, uint64_t owner,
		   const void *name, size_t len, ofs_name_of nameof,
		   uint64_t *slot, MDB_val *found)
{
	uint64_t base = ofs_name_slot(fs, name, len), free_slot = base;
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, owner, base), v;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, dbi, &c), mrc;
	if (rc)
		return ofs_lmdb_err(rc);
	for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); mrc == 0;
	     mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		const unsigned char *n;
		size_t nl;
		if (key.mv_size != 16) {
			rc = -ORION_ECORRUPT;
			break;
		}
		uint64_t s = ofs_be64((unsigned char *)key.mv_data + 8);
		if (ofs_be64(key.mv_data) != owner || s >= base + OFS_SLOT_SPAN)
			break;
		if ((rc = nameof(&v, &n, &nl)))
			break;
		if (nl == len && memcmp(n, name, len) == 0) {
			*slot = s;
			*found = v;
			rc = 1;
			break;
		}
		if (s == free_slot)
			free_slot++;
	}
	mdb_cursor_close(c);
	if (rc)
		return rc;
	if (mrc && mrc != MDB_NOTFOUND)
		return ofs_lmdb_err(mrc);
	*slot = free_slot;
	return free_slot < base + OFS_SLOT_SPAN ? 0 : -ENOSPC;
}

/* ofs_owner_empty: 1 when owner has no record in dbi, 0 when it has. */
int ofs_owner_empty(MDB_txn *txn, MDB_dbi dbi, uint64_t owner)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, owner, 0), v;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return ofs_lmdb_err(rc);
	rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	mdb_cursor_close(c);
	if (rc == MDB_NOTFOUND)
		return 1;
	if (rc)
		return ofs_lmdb_err(rc);
	return key.mv_size < 8 || ofs_be64(key.mv_data) != owner;
}

/* ofs_owner_drop: delete owner's records with index >= from, their first
 * pages asked for ahead (ofs_heads_near); returns how many went.  When
 * units is not NULL (dbi is the data table) the 512-byte units the
 * deleted blocks were charged are added to it. */
int ofs_owner_drop(ofs *fs, MDB_txn *txn, MDB_dbi dbi, uint64_t owner, uint64_t from,
		   uint64_t *units)
{
	MDB_cursor *c;
	int n = 0, rc = mdb_cursor_open(txn, dbi, &c);
	if (rc)
		return ofs_lmdb_err(rc);
	for (;;) {
		struct ofs_key k;
		MDB_val key = ofs_key2(&k, owner, from), v;
		rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
		if (rc || key.mv_size < 8 || ofs_be64(key.mv_data) != owner)
			break;
		if ((rc = ofs_heads_near(fs, c, owner, (uint64_t)n, &key, &v)))
			break;
		size_t vlen = v.mv_size;
		if ((rc = mdb_cursor_del(c, 0)))
			break;
		if (units)
			*units += ofs_units(ofs_block_len(vlen));
		n++;
	}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? ofs_lmdb_err(rc) : n;
}
