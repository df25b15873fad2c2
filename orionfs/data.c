/* data.c: file data as blocks ((ino, index) -> digests, payload).  A block
 * holds up to OFS_BLOCK bytes; its payload stops at the last byte written
 * (never past the file size), so small files and tails take no padding and
 * bytes past a payload read as zeros.  Each 4 KiB sector of a payload has
 * its own 16-byte digest (the image's hash: Poly1305 under the image's key,
 * or BLAKE2b-128 in version 1 images), so a small read verifies only what
 * it reads.  From format 4 on each digest lies just before its sector, so
 * that a cold read of a sector and its digest is one read of the disk;
 * before, all the block's digests came first.
 *
 * From format 3 on, an aligned write of whole sectors into a full block
 * stores each sector as an overlay ((ino, index, sector) -> digest,
 * bytes) instead of rewriting the 64 KiB block: a 4 KiB random write then
 * costs LMDB two pages instead of seventeen.  Reads take a sector from its
 * overlay when there is one; once a block would gather more than
 * OFS_OVL_MAX overlays, or any other edit touches it, its overlays are
 * folded into the block in the same transaction. */
#include "orionfs/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define OFS_IO_MAX (1u << 28) /* bytes per call: keeps a transaction in LMDB's limits */

/* Edits blk_edit can make to one block. */
enum edit { E_WRITE, E_TRIM, E_PUNCH };

/* nsec: sectors in a payload of len bytes. */
static size_t nsec(size_t len)
{
	return (len + OFS_SECTOR - 1) / OFS_SECTOR;
}

/* val_len: bytes of the stored value of a block of len payload bytes. */
static size_t val_len(size_t len)
{
	return nsec(len) * OFS_DIGEST + len;
}

/* seclen: bytes of sector s in a payload of len bytes (0 past the end). */
static size_t seclen(size_t s, size_t len)
{
	size_t lo = s * OFS_SECTOR;
	return lo >= len ? 0 : len - lo < OFS_SECTOR ? len - lo : OFS_SECTOR;
}

/* ofs_units: 512-byte units charged for a payload of len bytes. */
uint64_t ofs_units(uint64_t len)
{
	return (len + 511) / 512;
}

/* ofs_block_len: the payload length of a stored block of vlen bytes, or 0
 * when no payload length fits vlen (a damaged record). */
size_t ofs_block_len(size_t vlen)
{
	size_t n = (vlen + OFS_SECTOR + OFS_DIGEST - 1) / (OFS_SECTOR + OFS_DIGEST);
	if (n == 0 || n > OFS_SECTORS)
		return 0;
	size_t len = vlen - n * OFS_DIGEST;
	return len > (n - 1) * OFS_SECTOR && len <= n * OFS_SECTOR ? len : 0;
}

/* digest: the digest of sector s of block idx of ino, over its position
 * and bytes (so a misplaced sector fails too).  Poly1305 hashes a 32-byte
 * position so that the sector's bytes start on its 16-byte block boundary
 * (no buffering inside the update); BLAKE2b-128 keeps the 20-byte position
 * of format version 1. */
static void digest(const ofs *fs, uint64_t ino, uint64_t idx, uint32_t s, const unsigned char *p,
		   size_t n, unsigned char out[OFS_DIGEST])
{
	unsigned char pos[32] = {0};
	ofs_put_le64(pos, ino);
	ofs_put_le64(pos + 8, idx);
	ofs_put_le32(pos + 16, s);
	if (fs->hash == OFS_HASH_POLY1305) {
		crypto_onetimeauth_state st;
		crypto_onetimeauth_init(&st, fs->hash_key);
		crypto_onetimeauth_update(&st, pos, sizeof pos);
		crypto_onetimeauth_update(&st, p, n);
		crypto_onetimeauth_final(&st, out);
		return;
	}
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, OFS_DIGEST);
	crypto_generichash_update(&st, pos, 20);
	crypto_generichash_update(&st, p, n);
	crypto_generichash_final(&st, out, OFS_DIGEST);
}

/* A block's payload and digests where they are held: sector s's bytes at
 * data + s * step, its digest at dig + s * dstep.  A stored block is laid
 * out as its image's format says (blk_at), a private copy flat (blk_flat):
 * the digests, then the payload. */
struct blk {
	const unsigned char *dig, *data;
	size_t len; /* 0: absent */
	size_t step, dstep;
};

/* blk_flat: b describes a flat copy at p (digests, then payload), b->len
 * already set. */
static void blk_flat(struct blk *b, const unsigned char *p)
{
	b->dig = p;
	b->data = p + nsec(b->len) * OFS_DIGEST;
	b->step = OFS_SECTOR;
	b->dstep = OFS_DIGEST;
}

/* blk_at: b decoded from a value of fs's data table at p, b->len already
 * set. */
static void blk_at(const ofs *fs, struct blk *b, const unsigned char *p)
{
	blk_flat(b, p);
	if (fs->interleaved) {
		b->data = p + OFS_DIGEST;
		b->step = b->dstep = OFS_OVL_VAL;
	}
}

/* blk_sec, blk_dig: where sector s of b and its digest are. */
static const unsigned char *blk_sec(const struct blk *b, size_t s)
{
	return b->data + s * b->step;
}

static const unsigned char *blk_dig(const struct blk *b, size_t s)
{
	return b->dig + s * b->dstep;
}

/* gather: payload bytes [off, off+n) of b into out. */
static void gather(const struct blk *b, unsigned char *out, size_t off, size_t n)
{
	if (b->step == OFS_SECTOR) {
		memcpy(out, b->data + off, n);
		return;
	}
	for (size_t k; n; out += k, off += k, n -= k) {
		size_t in = off % OFS_SECTOR;
		k = OFS_SECTOR - in < n ? OFS_SECTOR - in : n;
		memcpy(out, blk_sec(b, off / OFS_SECTOR) + in, k);
	}
}

/* blk_get: block idx of ino (len 0 when it is a hole). */
static int blk_get(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, struct blk *b)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, idx), v;
	int rc = mdb_get(txn, fs->data, &key, &v);
	b->len = 0;
	b->dig = b->data = NULL;
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc)
		return ofs_lmdb_err(rc);
	if (!(b->len = ofs_block_len(v.mv_size)))
		return -ORION_ECORRUPT;
	blk_at(fs, b, v.mv_data);
	return 0;
}

/* sector_ok: the n bytes of sector s of block idx of ino at p match
 * digest dig. */
static int sector_ok(const ofs *fs, uint64_t ino, uint64_t idx, size_t s, const unsigned char *p,
		     size_t n, const unsigned char *dig)
{
	unsigned char d[OFS_DIGEST];
	digest(fs, ino, idx, (uint32_t)s, p, n, d);
	return memcmp(d, dig, OFS_DIGEST) ? -ORION_ECHECKSUM : 0;
}

/* sectors_ok: sectors [s0, s1) of a len-byte payload of block idx of ino,
 * held at buf, match their digests in dig (all of the block's). */
static int sectors_ok(const ofs *fs, uint64_t ino, uint64_t idx, size_t len,
		      const unsigned char *buf, size_t s0, size_t s1, const unsigned char *dig)
{
	int rc = 0;
	for (size_t s = s0; !rc && s < s1; s++)
		rc = sector_ok(fs, ino, idx, s, buf + (s - s0) * OFS_SECTOR, seclen(s, len),
			       dig + s * OFS_DIGEST);
	return rc;
}

/* blk_verify: check the sectors of b overlapping [from, to). */
static int blk_verify(const ofs *fs, uint64_t ino, uint64_t idx, const struct blk *b,
		      size_t from, size_t to)
{
	int rc = 0;
	for (size_t s = from / OFS_SECTOR; !rc && s < nsec(to < b->len ? to : b->len); s++)
		rc = sector_ok(fs, ino, idx, s, blk_sec(b, s), seclen(s, b->len), blk_dig(b, s));
	return rc;
}

/* read_nowait: this thread's ofs_read_ex asked for OFS_READ_NOWAIT (a
 * thread's, as the call is; every read of the image file below it comes
 * through readv_at). */
static _Thread_local int read_nowait;

/* readv_at: fill the cnt buffers of iov from the image file at off; a
 * short file is a damaged image.  Under read_nowait, -EAGAIN as soon as
 * a page is not in the page cache (its read is started, so that a
 * blocking retry finds it under way); where the host's file system
 * cannot tell (tmpfs), it waits. */
static int readv_at(const ofs *fs, struct iovec *iov, int cnt, uint64_t off)
{
	while (cnt > 0) {
		ssize_t r = read_nowait ? preadv2(fs->lockfd, iov, cnt, (off_t)off, RWF_NOWAIT)
					: preadv(fs->lockfd, iov, cnt, (off_t)off);
		if (r < 0 && read_nowait && errno == EOPNOTSUPP) {
			read_nowait = 0;
			continue;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0)
			return -ORION_ECORRUPT;
		for (off += r > 0 ? (uint64_t)r : 0; cnt > 0 && r >= (ssize_t)iov->iov_len; cnt--)
			r -= (ssize_t)(iov++)->iov_len;
		if (cnt > 0 && r > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= (size_t)r;
		}
	}
	return 0;
}

/* read_at: n bytes of the image file at off into p; a short file is a
 * damaged image. */
static int read_at(const ofs *fs, void *p, size_t n, uint64_t off)
{
	struct iovec iov = {p, n};
	return readv_at(fs, &iov, 1, off);
}

/* committed: b's bytes lie in LMDB's map, i.e. in pages of the last
 * commit, which a write transaction never reuses or edits in place (it
 * copies them): they stay as they are while a new value is built, and the
 * image file holds them at the same offset (file_off). */
static int committed(const ofs *fs, const struct blk *b)
{
	return ofs_in_map(fs, b->dig, val_len(b->len));
}

/* from_file: b is read from the image file rather than through the map:
 * committed, and on pages of its own (a payload under a sector may share
 * a leaf page, which the lookup mapped anyway). */
static int from_file(const ofs *fs, const struct blk *b)
{
	return b->len >= OFS_SECTOR && committed(fs, b);
}

/* ofs_block_verify: every sector of the stored block v is intact, but for
 * those named in the bit mask shadowed (overlays hide them: dead bytes).
 * A committed block is read from the image file into a private copy:
 * fsck verifies every block, which read through the map would all stay
 * resident until the image is closed. */
int ofs_block_verify(const ofs *fs, uint64_t ino, uint64_t idx, const MDB_val *v,
		     unsigned shadowed)
{
	struct blk b = {.len = ofs_block_len(v->mv_size)};
	unsigned char *copy = NULL;
	if (!b.len)
		return -ORION_ECORRUPT;
	blk_at(fs, &b, v->mv_data);
	int rc = 0;
	if (from_file(fs, &b)) {
		if (!(copy = malloc(v->mv_size)))
			return -ENOMEM;
		rc = read_at(fs, copy, v->mv_size, ofs_map_off(fs, b.dig));
		blk_at(fs, &b, copy);
	}
	for (size_t s = 0; !rc && s < nsec(b.len); s++)
		rc = shadowed >> s & 1 ? 0 : blk_verify(fs, ino, idx, &b, s * OFS_SECTOR, s * OFS_SECTOR + 1);
	free(copy);
	return rc;
}

/* One edit of a block: bytes [off, off+n) become src (zeros if NULL). */
struct span {
	size_t off, n;
	const unsigned char *src;
};

/* An overlay's digest covers its sector number plus OVL_TAG, so that an
 * overlay's bytes never pass for the block's own sector, nor the reverse. */
#define OVL_TAG 0x10000u

/* ovl_key: the key of overlay s of block idx of ino in k. */
static MDB_val ovl_key(unsigned char k[OFS_OVL_KEY], uint64_t ino, uint64_t idx, unsigned s)
{
	ofs_put_be64(k, ino);
	ofs_put_be64(k + 8, idx);
	k[16] = (unsigned char)s;
	return (MDB_val){OFS_OVL_KEY, k};
}

/* ofs_overlay_mask: which sectors of block idx of ino have overlays, as bits. */
int ofs_overlay_mask(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, unsigned *mask)
{
	unsigned char kb[OFS_OVL_KEY];
	MDB_cursor *c;
	MDB_val key = ovl_key(kb, ino, idx, 0), v;
	*mask = 0;
	if (!fs->has_overlay)
		return 0;
	int rc = mdb_cursor_open(txn, fs->overlay, &c);
	if (rc)
		return ofs_lmdb_err(rc);
	for (rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); !rc;
	     rc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		const unsigned char *k = key.mv_data;
		if (key.mv_size != OFS_OVL_KEY || memcmp(k, kb, 16) != 0)
			break;
		if (k[16] >= OFS_SECTORS) {
			rc = MDB_CORRUPTED;
			break;
		}
		*mask |= 1u << k[16];
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc);
}

/* ofs_overlay_verify: the overlay record k -> v is well formed and intact. */
int ofs_overlay_verify(const ofs *fs, const MDB_val *k, const MDB_val *v)
{
	const unsigned char *kb = k->mv_data, *vb = v->mv_data;
	unsigned char d[OFS_DIGEST];
	if (k->mv_size != OFS_OVL_KEY || kb[16] >= OFS_SECTORS || v->mv_size != OFS_OVL_VAL)
		return -ORION_ECORRUPT;
	digest(fs, ofs_be64(kb), ofs_be64(kb + 8), OVL_TAG + kb[16], vb + OFS_DIGEST, OFS_SECTOR, d);
	return memcmp(d, vb, OFS_DIGEST) ? -ORION_ECHECKSUM : 0;
}

/* ovl_get: the verified bytes of overlay s of block idx of ino. */
static int ovl_get(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, unsigned s,
		   const unsigned char **data)
{
	unsigned char kb[OFS_OVL_KEY];
	MDB_val key = ovl_key(kb, ino, idx, s), v;
	int rc = mdb_get(txn, fs->overlay, &key, &v);
	if (rc)
		return rc == MDB_NOTFOUND ? -ORION_ECORRUPT : ofs_lmdb_err(rc);
	if ((rc = ofs_overlay_verify(fs, &key, &v)))
		return rc;
	*data = (const unsigned char *)v.mv_data + OFS_DIGEST;
	return 0;
}

/* ovl_put: store bytes src as overlay s of block idx of ino. */
static int ovl_put(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, unsigned s,
		   const unsigned char *src)
{
	unsigned char kb[OFS_OVL_KEY];
	MDB_val key = ovl_key(kb, ino, idx, s), v = {OFS_OVL_VAL, NULL};
	int rc = mdb_put(txn, fs->overlay, &key, &v, MDB_RESERVE);
	if (rc)
		return ofs_lmdb_err(rc);
	memcpy((unsigned char *)v.mv_data + OFS_DIGEST, src, OFS_SECTOR);
	digest(fs, ino, idx, OVL_TAG + s, src, OFS_SECTOR, v.mv_data);
	return 0;
}

/* ovl_drop: delete the overlays of block idx of ino named in mask. */
static int ovl_drop(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, unsigned mask)
{
	for (unsigned s = 0; s < OFS_SECTORS; s++) {
		unsigned char kb[OFS_OVL_KEY];
		MDB_val key = ovl_key(kb, ino, idx, s);
		int rc = mask >> s & 1 ? mdb_del(txn, fs->overlay, &key, NULL) : 0;
		if (rc)
			return ofs_lmdb_err(rc);
	}
	return 0;
}

/* ovl_merge: a private copy of full block b of ino with the overlays in
 * mask laid over it (sealed as the block's own sectors) in *buf, which
 * b then describes; the caller frees *buf. */
static int ovl_merge(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, struct blk *b,
		     unsigned mask, unsigned char **buf)
{
	size_t dl = OFS_SECTORS * OFS_DIGEST;
	unsigned char *p = malloc(dl + OFS_BLOCK);
	if (!(*buf = p))
		return -ENOMEM;
	for (unsigned s = 0; s < OFS_SECTORS; s++)
		memcpy(p + s * OFS_DIGEST, blk_dig(b, s), OFS_DIGEST);
	gather(b, p + dl, 0, OFS_BLOCK);
	for (unsigned s = 0; s < OFS_SECTORS; s++) {
		const unsigned char *o;
		if (!(mask >> s & 1))
			continue;
		int rc = ovl_get(fs, txn, ino, idx, s, &o);
		if (rc)
			return rc;
		memcpy(p + dl + s * OFS_SECTOR, o, OFS_SECTOR);
		digest(fs, ino, idx, s, o, OFS_SECTOR, p + s * OFS_DIGEST);
	}
	blk_flat(b, p);
	return 0;
}

/* span_mask: the sectors [off, off+n) covers, when it covers whole
 * sectors only and not the whole block (else 0). */
static unsigned span_mask(size_t off, size_t n)
{
	if (off % OFS_SECTOR || n % OFS_SECTOR || n == 0 || n >= OFS_BLOCK)
		return 0;
	unsigned m = 0;
	for (size_t s = off / OFS_SECTOR; s < (off + n) / OFS_SECTOR; s++)
		m |= 1u << s;
	return m;
}

/* ovl_write: store the whole sectors w of block idx as overlays. */
static int ovl_write(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, const struct span *w)
{
	for (size_t o = 0; o < w->n; o += OFS_SECTOR) {
		int rc = ovl_put(fs, txn, ino, idx, (unsigned)((w->off + o) / OFS_SECTOR), w->src + o);
		if (rc)
			return rc;
	}
	return 0;
}

/* zero_outside: zero [from, to) of p but for [lo, hi). */
static void zero_outside(unsigned char *p, size_t from, size_t to, size_t lo, size_t hi)
{
	size_t a = lo < to ? lo : to, b = hi > from ? hi : from;
	if (from < a)
		memset(p + from, 0, a - from);
	if (b < to)
		memset(p + b, 0, to - b);
}

/* fill: the new payload of an edit into p (newlen bytes) from the old one.
 * Bytes the write brings are not zeroed first: a new block written whole
 * (a streaming write) would pay for zeroing it all. */
static void fill(unsigned char *p, size_t newlen, const struct blk *old, const struct span *w)
{
	size_t keep = old->len < newlen ? old->len : newlen;
	if (keep)
		gather(old, p, 0, keep);
	size_t end = w->off + w->n < newlen ? w->off + w->n : newlen;
	if (w->off < end && w->src) {
		zero_outside(p, keep, newlen, w->off, end);
		memcpy(p + w->off, w->src, end - w->off);
		return;
	}
	memset(p + keep, 0, newlen - keep);
	if (w->off < end)
		memset(p + w->off, 0, end - w->off);
}

/* seal: digests for the new payload p: recomputed for sectors that
 * changed, carried over (after verifying what is kept) otherwise. */
static int seal(const ofs *fs, uint64_t ino, uint64_t idx, const struct blk *old,
		const struct span *w, const unsigned char *p, size_t newlen, unsigned char *dig)
{
	for (size_t s = 0; s < nsec(newlen); s++) {
		size_t lo = s * OFS_SECTOR, hi = lo + seclen(s, newlen);
		size_t oldhi = lo + seclen(s, old->len);
		int written = w->n && w->off < hi && w->off + w->n > lo;
		int covered = w->n && w->off <= lo && w->off + w->n >= hi;
		if (!written && hi == oldhi) {
			memcpy(dig + s * OFS_DIGEST, blk_dig(old, s), OFS_DIGEST);
			continue;
		}
		if (oldhi > lo && !covered && blk_verify(fs, ino, idx, old, lo, lo + 1))
			return -ORION_ECHECKSUM; /* never re-seal damaged bytes */
		digest(fs, ino, idx, s, p + lo, hi - lo, dig + s * OFS_DIGEST);
	}
	return 0;
}

/* roomy_note: block idx of ino was stored with room to grow; remember it
 * for ofs_data_roomy (an append repeats its block: noted once). */
static int roomy_note(ofs *fs, uint64_t ino, uint64_t idx)
{
	struct ofs_key k;
	ofs_key2(&k, ino, idx);
	if (fs->nroomy && !memcmp(&fs->roomy[fs->nroomy - 1], &k, sizeof k))
		return 0;
	if (fs->nroomy == fs->caproomy) {
		size_t cap = fs->caproomy ? 2 * fs->caproomy : 64;
		struct ofs_key *r = realloc(fs->roomy, cap * sizeof *r);
		if (!r)
			return -ENOMEM;
		fs->roomy = r;
		fs->caproomy = cap;
	}
	fs->roomy[fs->nroomy++] = k;
	return 0;
}

/* cover: make the image file at least end pages long.  The pages of a
 * run cut short are numbered but free, and LMDB never writes a free page:
 * were they the last, the file would end before the page count its meta
 * page claims, which an open refuses as a truncated image. */
static int cover(ofs *fs, uint64_t end)
{
	struct stat st;
	mdb_filehandle_t fd; /* LMDB's own, open for writing */
	if (mdb_env_get_fd(fs->env, &fd))
		return -EIO;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size >= end * fs->psize)
		return 0;
	return ftruncate(fd, (off_t)(end * fs->psize)) < 0 ? -errno : 0;
}

/* reserve: LMDB's room for the value of a block of newlen payload bytes
 * under key, in v.  With roomy, pages for a whole block are taken first
 * and the value then cut to size where it lies (spare bytes zeroed, so no
 * stray heap bytes reach the disk): a call nested in a batch cannot reuse
 * the pages a value it replaces held, which then stay allocated and are
 * written at the commit, so a block that grows by an append in each call
 * is better grown where it lies (a 4 KiB append wrote 10 times its bytes
 * and the image grew 1.7 times their size). */
static int reserve(ofs *fs, MDB_txn *txn, MDB_val *key, size_t newlen, int roomy, MDB_val *v)
{
	MDB_val whole = {val_len(OFS_BLOCK), NULL};
	*v = (MDB_val){val_len(newlen), NULL};
	int rc = roomy ? mdb_put(txn, fs->data, key, &whole, MDB_RESERVE) : 0;
	if (!rc && roomy && ofs_run_end(whole.mv_data) > fs->roomy_end)
		fs->roomy_end = ofs_run_end(whole.mv_data);
	if (!rc)
		rc = mdb_put(txn, fs->data, key, v, MDB_RESERVE);
	if (!rc && roomy && v->mv_data == whole.mv_data)
		memset((unsigned char *)v->mv_data + v->mv_size, 0, whole.mv_size - v->mv_size);
	return ofs_lmdb_err(rc);
}

/* put_block: store the flat block at p (newlen payload bytes) as fs's
 * format lays it out, with room to grow when roomy (see reserve). */
static int put_block(ofs *fs, MDB_txn *txn, MDB_val *key, const unsigned char *p, size_t newlen,
		     int roomy)
{
	size_t n = nsec(newlen), dl = n * OFS_DIGEST;
	MDB_val v = {dl + newlen, (void *)p};
	if (!fs->interleaved)
		return ofs_lmdb_err(mdb_put(txn, fs->data, key, &v, 0));
	int rc = reserve(fs, txn, key, newlen, roomy, &v);
	for (size_t s = 0; !rc && s < n; s++) {
		unsigned char *at = (unsigned char *)v.mv_data + s * OFS_OVL_VAL;
		memcpy(at, p + s * OFS_DIGEST, OFS_DIGEST);
		memcpy(at + OFS_DIGEST, p + dl + s * OFS_SECTOR, seclen(s, newlen));
	}
	return rc;
}

/* ofs_data_roomy: before the batch txn commits, cut each block stored
 * with room to grow (reserve) to the pages its size needs, so that no
 * file keeps a whole block's pages for a part of one.  In the top-level
 * transaction the pages it lets go are free at once for the copy; the
 * file is first made to hold every page of those runs (cover). */
int ofs_data_roomy(ofs *fs, MDB_txn *txn)
{
	unsigned char *buf = fs->nroomy ? malloc(val_len(OFS_BLOCK)) : NULL;
	int rc = fs->nroomy && !buf ? -ENOMEM : 0;
	if (!rc && fs->nroomy)
		rc = cover(fs, fs->roomy_end);
	for (size_t i = 0; !rc && i < fs->nroomy; i++) {
		MDB_val key = {sizeof fs->roomy[i], fs->roomy[i].b}, v;
		int got = mdb_get(txn, fs->data, &key, &v);
		if (got == MDB_NOTFOUND || (!got && ofs_block_len(v.mv_size) == OFS_BLOCK))
			continue;
		if (got) {
			rc = ofs_lmdb_err(got);
			break;
		}
		size_t n = v.mv_size;
		if (ofs_in_map(fs, v.mv_data, n))
			continue; /* a call that grew it was undone */
		memcpy(buf, v.mv_data, n);
		if (!(rc = ofs_lmdb_err(mdb_del(txn, fs->data, &key, NULL))) &&
		    !(rc = reserve(fs, txn, &key, ofs_block_len(n), 0, &v)))
			memcpy(v.mv_data, buf, n);
	}
	free(buf);
	fs->nroomy = 0;
	fs->roomy_end = 0;
	return rc;
}

/* put_whole: store block idx written whole from src (newlen bytes), each
 * sector sealed as it is laid into the space LMDB reserves: nothing old
 * is kept, so nothing need be built apart. */
static int put_whole(ofs *fs, MDB_txn *txn, MDB_val *key, uint64_t ino, uint64_t idx,
		     const unsigned char *src, size_t newlen)
{
	struct blk b = {.len = newlen};
	MDB_val v;
	int rc = reserve(fs, txn, key, newlen, 0, &v);
	if (rc)
		return rc;
	blk_at(fs, &b, v.mv_data);
	for (size_t s = 0; s < nsec(newlen); s++) {
		unsigned char *sec = (unsigned char *)blk_sec(&b, s);
		memcpy(sec, src + s * OFS_SECTOR, seclen(s, newlen));
		digest(fs, ino, idx, s, sec, seclen(s, newlen), (unsigned char *)blk_dig(&b, s));
	}
	return 0;
}

/* blk_store: write a block of newlen payload bytes built by fill/seal.  It
 * is built apart first when it keeps old bytes: they may move once LMDB
 * makes room for the new value. */
static int blk_store(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, const struct blk *old,
		     const struct span *w, size_t newlen)
{
	static const struct blk none; /* nothing old is kept: never read it */
	struct ofs_key k;
	size_t dl = nsec(newlen) * OFS_DIGEST;
	MDB_val key = ofs_key2(&k, ino, idx);
	int whole = w->off == 0 && w->n >= newlen;
	if (whole && w->src)
		return put_whole(fs, txn, &key, ino, idx, w->src, newlen);
	const struct blk *o = old->len && !whole ? old : &none;
	unsigned char *buf = malloc(dl + newlen);
	if (!buf)
		return -ENOMEM;
	fill(buf + dl, newlen, o, w);
	int rc = seal(fs, ino, idx, o, w, buf + dl, newlen, buf);
	/* grown in a call nested in the batch: keep room for the next */
	int roomy = fs->interleaved && newlen > old->len && newlen < OFS_BLOCK &&
		    ofs_txn_nested(fs, txn);
	if (!rc && roomy)
		rc = roomy_note(fs, ino, idx);
	if (!rc)
		rc = put_block(fs, txn, &key, buf, newlen, roomy);
	free(buf);
	return rc;
}

/* blk_apply: blk_edit's edit of block idx, whose payload is old. */
static int blk_apply(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t idx,
		     enum edit e, struct span w, const struct blk *old)
{
	int rc;
	size_t newlen = old->len;
	if (e == E_WRITE && w.off + w.n > newlen)
		newlen = w.off + w.n;
	if (e == E_PUNCH && w.off + w.n >= old->len)
		e = E_TRIM; /* zeros up to the end are a shorter payload */
	if (e == E_TRIM) {
		if (w.off >= old->len)
			return 0;
		newlen = w.off;
		w.n = 0;
	}
	if (newlen == 0) {
		struct ofs_key k;
		MDB_val key = ofs_key2(&k, in->a.ino, idx);
		rc = ofs_lmdb_err(mdb_del(txn, fs->data, &key, NULL));
	} else {
		rc = blk_store(fs, txn, in->a.ino, idx, old, &w, newlen);
	}
	if (!rc)
		in->a.blocks = in->a.blocks - ofs_units(old->len) + ofs_units(newlen);
	return rc;
}

/* blk_edit: apply one edit to block idx of in: E_WRITE [off, off+n) from
 * src; E_TRIM cut the payload at off; E_PUNCH zero [off, off+n).  Keeps
 * in->a.blocks in step. */
static int blk_edit(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t idx,
		    enum edit e, struct span w)
{
	struct blk old;
	unsigned mask = 0;
	unsigned char *merged = NULL;
	int rc = blk_get(fs, txn, in->a.ino, idx, &old);
	if (!rc && old.len == OFS_BLOCK) /* only full blocks carry overlays */
		rc = ofs_overlay_mask(fs, txn, in->a.ino, idx, &mask);
	if (rc)
		return rc;
	unsigned wm = e == E_WRITE && fs->has_overlay && old.len == OFS_BLOCK ? span_mask(w.off, w.n) : 0;
	if (wm && (unsigned)__builtin_popcount(mask | wm) <= OFS_OVL_MAX)
		return ovl_write(fs, txn, in->a.ino, idx, &w);
	/* any other edit applies to the block as its overlays make it (a fold),
	 * which a write of the whole block need not build */
	if (mask && !(e == E_WRITE && w.off == 0 && w.n >= OFS_BLOCK))
		rc = ovl_merge(fs, txn, in->a.ino, idx, &old, mask, &merged);
	if (!rc && mask)
		rc = ovl_drop(fs, txn, in->a.ino, idx, mask);
	if (!rc)
		rc = blk_apply(fs, txn, in, idx, e, w, &old);
	free(merged);
	return rc;
}

/* blocks_ahead: ofs_heads_ahead of the blocks [idx, idx+n) of ino (and
 * any past them up to n in all), when they are more than one: a write
 * about to replace them (an append past the file's end replaces none). */
static void blocks_ahead(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, uint64_t n)
{
	MDB_cursor *c;
	if (n < 2 || mdb_cursor_open(txn, fs->data, &c))
		return;
	ofs_heads_ahead(fs, c, ino, idx, n);
	mdb_cursor_close(c);
}

/* drop_from: delete in's blocks from index first on, with their
 * overlays, uncharging them. */
static int drop_from(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t first)
{
	uint64_t units = 0;
	int rc = fs->has_overlay ? ofs_owner_drop(fs, txn, fs->overlay, in->a.ino, first, NULL) : 0;
	if (rc >= 0)
		rc = ofs_owner_drop(fs, txn, fs->data, in->a.ino, first, &units);
	in->a.blocks = in->a.blocks > units ? in->a.blocks - units : 0;
	return rc < 0 ? rc : 0;
}

/* tail_from: the first block of the shortest tail of ino's blocks from
 * index floor on that frees at least want pages (all of them when they
 * free less), and what it frees; *first is UINT64_MAX when there is no
 * such block. */
static int tail_from(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t floor, uint64_t want,
		     uint64_t *first, uint64_t *pages)
{
	MDB_cursor *c;
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, UINT64_MAX), v;
	*first = UINT64_MAX;
	*pages = 0;
	int rc = mdb_cursor_open(txn, fs->data, &c);
	if (rc)
		return ofs_lmdb_err(rc);
	rc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); /* the next inode's first */
	MDB_cursor_op op = rc == MDB_NOTFOUND ? MDB_LAST : MDB_PREV;
	if (rc == 0 || rc == MDB_NOTFOUND)
		while ((rc = mdb_cursor_get(c, &key, &v, op)) == 0 && key.mv_size == 16 &&
		       ofs_be64(key.mv_data) == ino && *pages < want) {
			uint64_t idx = ofs_be64((const unsigned char *)key.mv_data + 8);
			if (idx < floor)
				break;
			*first = idx;
			*pages += ofs_val_pages(v.mv_size, fs->psize);
			op = MDB_PREV;
		}
	mdb_cursor_close(c);
	return rc && rc != MDB_NOTFOUND ? ofs_lmdb_err(rc) : 0;
}

/* ofs_data_shed: drop in's blocks from index floor on, the last first,
 * with their overlays, until the write transaction has freed
 * OFS_FREE_PAGES pages, and shrink the size to match: deleting or
 * truncating a huge file takes several commits, each of which leaves a
 * shorter, consistent file.  Returns 1 (commit, then call again) when
 * such blocks may remain, or when it freed some on a tight image (the
 * rest of the call then goes in a commit of its own, which lets the
 * next one reuse these pages: ofs_steps), having stored in, shorter but
 * otherwise as the caller holds it; else 0. */
int ofs_data_shed(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t floor)
{
	uint64_t want = fs->freed < OFS_FREE_PAGES ? OFS_FREE_PAGES - fs->freed : 0;
	uint64_t first, pages;
	int rc = tail_from(fs, txn, in->a.ino, floor, want ? want : 1, &first, &pages);
	if (rc || first == UINT64_MAX)
		return rc;
	if (want == 0) /* the transaction freed its share already */
		return (rc = ofs_inode_put(fs, txn, in)) ? rc : 1;
	if ((rc = drop_from(fs, txn, in, first)))
		return rc;
	fs->freed += pages;
	if (in->a.size > first * OFS_BLOCK)
		in->a.size = first * OFS_BLOCK;
	if (pages < want && !(pages && ofs_tight(fs)))
		return 0;
	rc = ofs_inode_put(fs, txn, in);
	return rc ? rc : 1;
}

/* ofs_truncate_data: make in's data size bytes long (size set too). */
int ofs_truncate_data(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t size)
{
	int rc = 0;
	if (size < in->a.size) {
		rc = drop_from(fs, txn, in, (size + OFS_BLOCK - 1) / OFS_BLOCK);
		if (!rc && size % OFS_BLOCK)
			rc = blk_edit(fs, txn, in, size / OFS_BLOCK, E_TRIM,
				      (struct span){size % OFS_BLOCK, 0, NULL});
	}
	if (!rc)
		in->a.size = size;
	return rc;
}

/* ofs_data_write: write size bytes at off into in's blocks (size grows). */
int ofs_data_write(ofs *fs, MDB_txn *txn, struct ofs_inode *in, const void *buf,
		   size_t size, uint64_t off)
{
	const unsigned char *p = buf;
	uint64_t held = off + size < in->a.size ? off + size : in->a.size; /* past: no blocks */
	if (held > off)
		blocks_ahead(fs, txn, in->a.ino, off / OFS_BLOCK,
			     (held - 1) / OFS_BLOCK - off / OFS_BLOCK + 1);
	for (size_t done = 0; done < size;) {
		uint64_t pos = off + done;
		size_t bo = pos % OFS_BLOCK, n = OFS_BLOCK - bo < size - done ? OFS_BLOCK - bo : size - done;
		int rc = blk_edit(fs, txn, in, pos / OFS_BLOCK, E_WRITE, (struct span){bo, n, p + done});
		if (rc)
			return rc;
		done += n;
	}
	if (off + size > in->a.size)
		in->a.size = off + size;
	return 0;
}

/* dig_read: n digest bytes at off into p.  The digests and the sectors
 * they cover lie on different pages: when the digests are not in the
 * kernel's cache, the sectors' read (dn bytes at dat) is started first,
 * so that a cold read waits for the disk once, not twice. */
static int dig_read(const ofs *fs, void *p, size_t n, uint64_t off, uint64_t dat, size_t dn)
{
	struct iovec iov = {p, n};
	if (preadv2(fs->lockfd, &iov, 1, (off_t)off, RWF_NOWAIT) == (ssize_t)n)
		return 0;
	posix_fadvise(fs->lockfd, (off_t)dat, (off_t)dn, POSIX_FADV_WILLNEED);
	return read_at(fs, p, n, off);
}

/* dslot: the digest cache's slot for the block whose digests lie at off
 * (caller holds rlock; the table exists). */
static struct ofs_dslot *dslot(ofs *fs, uint64_t off)
{
	return &fs->dcache[(off / OFS_DIGEST * 0x9E3779B97F4A7C15ULL) >> 48 & (OFS_DCACHE_SLOTS - 1)];
}

/* dcache_get: the cached digests of block idx of ino, len bytes long with
 * its digests at off, into dig; 1 if there were some. */
static int dcache_get(ofs *fs, uint64_t ino, uint64_t idx, uint64_t off, size_t len,
		      unsigned char *dig)
{
	int hit = 0;
	pthread_mutex_lock(&fs->rlock);
	struct ofs_dslot *d = fs->dcache ? dslot(fs, off) : NULL;
	if (d && d->off == off && d->ino == ino && d->idx == idx && d->len == len) {
		memcpy(dig, d->dig, nsec(len) * OFS_DIGEST);
		hit = 1;
	}
	pthread_mutex_unlock(&fs->rlock);
	return hit;
}

/* dcache_put: keep dig, the digests of block idx of ino (len bytes, its
 * digests at off), making the table at the first use. */
static void dcache_put(ofs *fs, uint64_t ino, uint64_t idx, uint64_t off, size_t len,
		       const unsigned char *dig)
{
	pthread_mutex_lock(&fs->rlock);
	if (!fs->dcache)
		fs->dcache = calloc(OFS_DCACHE_SLOTS, sizeof *fs->dcache);
	if (fs->dcache) {
		struct ofs_dslot *d = dslot(fs, off);
		*d = (struct ofs_dslot){.ino = ino, .idx = idx, .off = off, .len = len};
		memcpy(d->dig, dig, nsec(len) * OFS_DIGEST);
	}
	pthread_mutex_unlock(&fs->rlock);
}

/* ofs_dcache_free: drop the digest cache. */
void ofs_dcache_free(ofs *fs)
{
	free(fs->dcache);
	fs->dcache = NULL;
}

/* blk_pread: bytes [bo, bo+n) of committed block b of a format 1-3
 * image (its digests first) into out, read from the
 * image file, not through LMDB's map, and verified after the copy.  Pages
 * the daemon maps stay mapped (drop_caches cannot free them, and they count
 * in its resident size), so file data the kernel already caches under the
 * mount would be held twice; and a fault in the map reads a whole
 * fault-around window from disk where a small read needs one sector.
 * Digests come from the digest cache when it has the block's: a place
 * LMDB freed and reused may still be cached with older digests, so a
 * mismatch is checked again against those on disk before it is damage. */
static int blk_pread(ofs *fs, uint64_t ino, uint64_t idx, const struct blk *b,
		     unsigned char *out, size_t bo, size_t n)
{
	size_t s0 = bo / OFS_SECTOR, s1 = nsec(bo + n), lo = s0 * OFS_SECTOR;
	size_t hi = s1 * OFS_SECTOR < b->len ? s1 * OFS_SECTOR : b->len, nd = nsec(b->len) * OFS_DIGEST;
	unsigned char dig[OFS_SECTORS * OFS_DIGEST], *buf = out;
	if ((lo != bo || hi != bo + n) && !(buf = malloc(hi - lo)))
		return -ENOMEM;
	uint64_t at = ofs_map_off(fs, b->dig), dat = ofs_map_off(fs, b->data + lo);
	int cached = dcache_get(fs, ino, idx, at, b->len, dig);
	int rc = cached ? 0 : dig_read(fs, dig, nd, at, dat, hi - lo);
	if (!rc)
		rc = read_at(fs, buf, hi - lo, dat);
	if (!rc)
		rc = sectors_ok(fs, ino, idx, b->len, buf, s0, s1, dig);
	if (rc == -ORION_ECHECKSUM && cached) {
		cached = 0;
		if (!(rc = read_at(fs, dig, nd, at)))
			rc = sectors_ok(fs, ino, idx, b->len, buf, s0, s1, dig);
	}
	if (!rc && !cached)
		dcache_put(fs, ino, idx, at, b->len, dig);
	if (buf != out) {
		if (!rc)
			memcpy(out, buf + (bo - lo), n);
		free(buf);
	}
	return rc;
}

/* pread_interleaved: blk_pread of a format 4 block, whose sectors and
 * digests alternate: one read brings both, sectors the caller wants
 * whole straight into out, those it wants part of into a side buffer.
 * The read goes through the page cache even when cold: O_DIRECT into a
 * bounce buffer, for pages mincore found uncached, was tried.  On the raw
 * disk it saves some 4 us an 8 KiB read, but through the mount cold
 * random reads gained nothing measurable (medians of 20 rounds: 11,360
 * against 11,310 a second), and with the image cached the mincore call
 * cost 6% (28,800 against 30,750). */
static int pread_interleaved(ofs *fs, uint64_t ino, uint64_t idx, const struct blk *b,
			     unsigned char *out, size_t bo, size_t n)
{
	size_t s0 = bo / OFS_SECTOR, s1 = nsec(bo + n);
	unsigned char dig[OFS_SECTORS][OFS_DIGEST], side[2][OFS_SECTOR], *at[OFS_SECTORS];
	struct iovec iov[2 * OFS_SECTORS];
	for (size_t s = s0; s < s1; s++) {
		size_t lo = s * OFS_SECTOR, len = seclen(s, b->len);
		at[s] = lo >= bo && lo + len <= bo + n ? out + (lo - bo) : side[s != s0];
		iov[2 * (s - s0)] = (struct iovec){dig[s], OFS_DIGEST};
		iov[2 * (s - s0) + 1] = (struct iovec){at[s], len};
	}
	int rc = readv_at(fs, iov, (int)(2 * (s1 - s0)), ofs_map_off(fs, blk_dig(b, s0)));
	for (size_t s = s0; !rc && s < s1; s++)
		rc = sector_ok(fs, ino, idx, s, at[s], seclen(s, b->len), dig[s]);
	for (size_t s = s0; !rc && s < s1; s++) {
		size_t lo = s * OFS_SECTOR, from = lo > bo ? lo : bo;
		size_t to = lo + OFS_SECTOR < bo + n ? lo + OFS_SECTOR : bo + n;
		if (at[s] == side[0] || at[s] == side[1])
			memcpy(out + (from - bo), at[s] + (from - lo), to - from);
	}
	return rc;
}

/* blk_read: bytes [bo, bo+n) of b's payload (all stored) into out,
 * verified: from the image file when b is committed and spans pages of
 * its own, else (a value in a shared leaf page, or one this transaction
 * wrote) from where LMDB holds it. */
static int blk_read(ofs *fs, uint64_t ino, uint64_t idx, const struct blk *b,
		    unsigned char *out, size_t bo, size_t n)
{
	if (from_file(fs, b))
		return fs->interleaved ? pread_interleaved(fs, ino, idx, b, out, bo, n)
				       : blk_pread(fs, ino, idx, b, out, bo, n);
	int rc = blk_verify(fs, ino, idx, b, bo, bo + n);
	if (!rc)
		gather(b, out, bo, n);
	return rc;
}

/* read_merged: bytes [bo, bo+n) of full block b into out, each sector
 * from its overlay when mask names one, else from b (a run of those in
 * one blk_read). */
static int read_merged(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t idx, const struct blk *b,
		       unsigned mask, unsigned char *out, size_t bo, size_t n)
{
	for (size_t pos = bo, end; pos < bo + n; pos = end) {
		size_t s = pos / OFS_SECTOR, lo = s * OFS_SECTOR;
		int ovl = mask >> s & 1;
		do
			end = (++s) * OFS_SECTOR < bo + n ? s * OFS_SECTOR : bo + n;
		while (!ovl && end < bo + n && !(mask >> s & 1));
		const unsigned char *src;
		int rc = ovl ? ovl_get(fs, txn, ino, idx, (unsigned)(lo / OFS_SECTOR), &src)
			     : blk_read(fs, ino, idx, b, out + (pos - bo), pos, end - pos);
		if (rc)
			return rc;
		if (ovl)
			memcpy(out + (pos - bo), src + (pos - lo), end - pos);
	}
	return 0;
}

/* ofs_data_read: read up to size bytes at off; returns the count. */
int ofs_data_read(ofs *fs, MDB_txn *txn, const struct ofs_inode *in, void *buf,
		  size_t size, uint64_t off)
{
	unsigned char *p = buf;
	if (off >= in->a.size)
		return 0;
	if (size > in->a.size - off)
		size = in->a.size - off;
	for (size_t done = 0; done < size;) {
		uint64_t pos = off + done, idx = pos / OFS_BLOCK;
		size_t bo = pos % OFS_BLOCK, n = OFS_BLOCK - bo < size - done ? OFS_BLOCK - bo : size - done;
		struct blk b;
		unsigned mask = 0;
		int rc = blk_get(fs, txn, in->a.ino, idx, &b);
		if (!rc && b.len == OFS_BLOCK)
			rc = ofs_overlay_mask(fs, txn, in->a.ino, idx, &mask);
		if (!rc && mask) {
			rc = read_merged(fs, txn, in->a.ino, idx, &b, mask, p + done, bo, n);
			done += n;
			if (rc)
				return rc;
			continue;
		}
		size_t have = bo < b.len ? (b.len - bo < n ? b.len - bo : n) : 0;
		if (!rc && have)
			rc = blk_read(fs, in->a.ino, idx, &b, p + done, bo, have);
		if (rc)
			return rc;
		memset(p + done + have, 0, n - have);
		done += n;
	}
	return (int)size;
}

/* file_get: inode ino, which must be a regular file. */
static int file_get(ofs *fs, MDB_txn *txn, uint64_t ino, struct ofs_inode *in)
{
	int rc = ofs_inode_get(fs, txn, ino, in);
	if (!rc && !S_ISREG(in->a.mode))
		return S_ISDIR(in->a.mode) ? -EISDIR : -EINVAL;
	return rc;
}

/* stale_atime: the relatime rule: atime is older than the last change or
 * more than a day old. */
static int stale_atime(const struct ofs_attr *a, const struct timespec *now)
{
	const struct timespec *t = &a->atime;
	if (t->tv_sec < a->mtime.tv_sec || (t->tv_sec == a->mtime.tv_sec && t->tv_nsec <= a->mtime.tv_nsec))
		return 1;
	if (t->tv_sec < a->ctime.tv_sec || (t->tv_sec == a->ctime.tv_sec && t->tv_nsec <= a->ctime.tv_nsec))
		return 1;
	return t->tv_sec <= now->tv_sec - 24 * 3600; /* no subtraction of stored times: any i64 */
}

/* touch_atime: record a read of ino now (its own small transaction);
 * 1 if it did.  Best effort: a lost atime is no error. */
static int touch_atime(ofs *fs, uint64_t ino, const struct timespec *now)
{
	MDB_txn *txn;
	struct ofs_inode in;
	if (ofs_wtxn(fs, &txn))
		return 0;
	int rc = ofs_inode_get(fs, txn, ino, &in);
	if (!rc) {
		in.a.atime = *now;
		rc = ofs_inode_put(fs, txn, &in);
	}
	return ofs_finish(fs, txn, rc) == 0;
}

/* relatime: the relatime rule for ino, whose attributes are a, unless
 * the image's open flags say no atime for it (see ofs_opened); 1 if
 * atime moved. */
static int relatime(ofs *fs, uint64_t ino, const struct ofs_attr *a)
{
	unsigned off = OFS_OPEN_RDONLY | OFS_OPEN_NOATIME | (S_ISDIR(a->mode) ? OFS_OPEN_NODIRATIME : 0);
	struct timespec now;
	ofs_now(&now);
	return !(fs->flags & off) && stale_atime(a, &now) && touch_atime(fs, ino, &now);
}

/* map_ahead: start reading the block map of file ino (attributes a)
 * when it spans more than a leaf and is not huge. */
static void map_ahead(ofs *fs, uint64_t ino, const struct ofs_attr *a)
{
	if (!S_ISREG(a->mode) || a->size <= OFS_AHEAD_MAP_MIN || a->size > OFS_AHEAD_MAP_MAX)
		return;
	ofs_ahead_bg(fs, "data", ino, 1);
}

/* ofs_opened: see orionfs.h. */
int ofs_opened(ofs *fs, uint64_t ino)
{
	struct ofs_attr a;
	int rc = ofs_getattr(fs, ino, &a);
	if (rc)
		return rc;
	map_ahead(fs, ino, &a);
	return relatime(fs, ino, &a);
}

/* read_in: ofs_read_ex's read, in read_nowait's mode, with the relatime
 * rule when atime (also when put off: -EAGAIN). */
static ssize_t read_in(ofs *fs, uint64_t ino, void *buf, size_t size, off_t off, int atime)
{
	struct ofs_inode in;
	MDB_txn *txn;
	if (off < 0)
		return -EINVAL;
	if (size > OFS_IO_MAX)
		size = OFS_IO_MAX;
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	rc = file_get(fs, txn, ino, &in);
	int got = rc == 0;
	if (got)
		rc = ofs_data_read(fs, txn, &in, buf, size, (uint64_t)off);
	ofs_rtxn_done(fs, txn);
	if (atime && got && (rc >= 0 || rc == -EAGAIN))
		relatime(fs, ino, &in.a);
	return rc;
}

/* ofs_read: read up to size bytes at off; returns bytes read (0 at EOF). */
ssize_t ofs_read(ofs *fs, uint64_t ino, void *buf, size_t size, off_t off)
{
	return ofs_read_ex(fs, ino, buf, size, off, 0);
}

/* ofs_read_ex: ofs_read, not waiting for the disk under OFS_READ_NOWAIT. */
ssize_t ofs_read_ex(ofs *fs, uint64_t ino, void *buf, size_t size, off_t off, unsigned how)
{
	read_nowait = (how & OFS_READ_NOWAIT) != 0;
	ssize_t n = read_in(fs, ino, buf, size, off, !(how & OFS_READ_NOATIME));
	read_nowait = 0;
	return n;
}

/* block_at: move c by op (MDB_SET_RANGE from block idx of ino, or
 * MDB_NEXT) and set *found to the index of the block it lands on, or
 * UINT64_MAX when that record is not one of ino's. */
static int block_at(MDB_cursor *c, uint64_t ino, uint64_t idx, MDB_cursor_op op, uint64_t *found)
{
	struct ofs_key k;
	MDB_val key = ofs_key2(&k, ino, idx), v;
	int rc = mdb_cursor_get(c, &key, &v, op);
	*found = UINT64_MAX;
	if (rc)
		return rc == MDB_NOTFOUND ? 0 : ofs_lmdb_err(rc);
	if (key.mv_size == 16 && ofs_be64(key.mv_data) == ino)
		*found = ofs_be64((const unsigned char *)key.mv_data + 8);
	return 0;
}

/* seek_data: the first data offset at or after off (< size): one range
 * lookup, however many blocks the file has; -ENXIO when none. */
static off_t seek_data(MDB_cursor *c, uint64_t ino, uint64_t size, uint64_t off)
{
	uint64_t idx, nblk = size / OFS_BLOCK + (size % OFS_BLOCK != 0);
	int rc = block_at(c, ino, off / OFS_BLOCK, MDB_SET_RANGE, &idx);
	if (rc)
		return rc;
	if (idx >= nblk) /* none left, or stale blocks past the size */
		return -ENXIO;
	return (off_t)(idx * OFS_BLOCK > off ? idx * OFS_BLOCK : off);
}

/* seek_hole: the first hole offset at or after off (< size): the end of
 * the run of consecutive blocks from off's, or size when the run reaches
 * the last block (the end of the file is a hole). */
static off_t seek_hole(MDB_cursor *c, uint64_t ino, uint64_t size, uint64_t off)
{
	uint64_t want = off / OFS_BLOCK, last = (size - 1) / OFS_BLOCK, idx;
	for (MDB_cursor_op op = MDB_SET_RANGE; want <= last; op = MDB_NEXT, want++) {
		int rc = block_at(c, ino, want, op, &idx);
		if (rc)
			return rc;
		if (idx != want)
			return (off_t)(want * OFS_BLOCK > off ? want * OFS_BLOCK : off);
	}
	return (off_t)size;
}

/* seek_in: ofs_seek inside txn. */
static off_t seek_in(ofs *fs, MDB_txn *txn, uint64_t ino, uint64_t off, int whence)
{
	struct ofs_inode in;
	MDB_cursor *c;
	int rc = ofs_inode_get(fs, txn, ino, &in);
	if (rc)
		return rc;
	if (!S_ISREG(in.a.mode))
		return -EINVAL;
	if (off >= in.a.size)
		return -ENXIO;
	if ((rc = mdb_cursor_open(txn, fs->data, &c)))
		return ofs_lmdb_err(rc);
	off_t r = whence == SEEK_DATA ? seek_data(c, ino, in.a.size, off)
				      : seek_hole(c, ino, in.a.size, off);
	mdb_cursor_close(c);
	return r;
}

/* ofs_seek: lseek(2)'s SEEK_DATA or SEEK_HOLE from off.  Blocks are the
 * unit: a stored block is data even where it holds zeros (overlays only
 * ever sit on stored blocks, so they change nothing here). */
off_t ofs_seek(ofs *fs, uint64_t ino, off_t off, int whence)
{
	MDB_txn *txn;
	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return -EINVAL;
	if (off < 0)
		return -ENXIO; /* as Linux's own file systems answer */
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	off_t r = seek_in(fs, txn, ino, (uint64_t)off, whence);
	ofs_rtxn_done(fs, txn);
	return r;
}

/* write_in: ofs_write_kill inside txn. */
static int write_in(ofs *fs, MDB_txn *txn, uint64_t ino, const void *buf, size_t size, uint64_t off,
		    unsigned how, const struct ofs_member *m, int *killed)
{
	struct ofs_inode in;
	int rc = file_get(fs, txn, ino, &in);
	if (rc || (rc = ofs_room(fs, size)) || (rc = ofs_data_write(fs, txn, &in, buf, size, off)))
		return rc;
	if (killed) {
		uint32_t mode = ofs_kill_for(in.a.mode, in.a.gid, m);
		*killed = mode != in.a.mode;
		in.a.mode = mode;
	}
	if ((how & OFS_KILL_CAP) && (rc = ofs_xattr_drop(fs, txn, ino, OFS_XATTR_CAP)))
		return rc;
	if (!(how & OFS_KEEP_TIMES)) {
		ofs_now(&in.a.mtime);
		in.a.ctime = in.a.mtime;
	}
	return ofs_inode_put(fs, txn, &in);
}

/* ofs_write: write size bytes at off, extending the file as needed. */
ssize_t ofs_write(ofs *fs, uint64_t ino, const void *buf, size_t size, off_t off)
{
	return ofs_write_kill(fs, ino, buf, size, off, 0, NULL, NULL);
}

/* ofs_write_kill: see orionfs.h. */
ssize_t ofs_write_kill(ofs *fs, uint64_t ino, const void *buf, size_t size, off_t off,
		       unsigned how, const struct ofs_member *m, int *killed)
{
	MDB_txn *txn;
	if (off < 0)
		return -EINVAL;
	if (size > OFS_IO_MAX)
		size = OFS_IO_MAX;
	if ((uint64_t)off > OFS_MAX_SIZE - size)
		return -EFBIG;
	int rc = ofs_wtxn(fs, &txn);
	if (rc)
		return rc;
	rc = ofs_finish(fs, txn, write_in(fs, txn, ino, buf, size, (uint64_t)off, how, m, killed));
	if (rc)
		return rc;
	ofs_batch_account(fs, size);
	return (ssize_t)size;
}

/* zeros: whether n bytes at p are all zero. */
static int zeros(const unsigned char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* A copy in progress: source and destination, and what is left. */
struct copy {
	struct ofs_inode src, dst;
	uint64_t soff, doff;
	size_t len;
};

/* copy_chunk: copy the next n bytes of c, up to the end of a destination
 * block; buf holds OFS_BLOCK.  Each destination block is written once: a
 * block rewritten in the transaction that made it frees pages LMDB has
 * numbered but may never write, which leaves the image file shorter than
 * its meta page claims. */
static int copy_chunk(ofs *fs, MDB_txn *txn, struct copy *c, unsigned char *buf, size_t *n)
{
	*n = OFS_BLOCK - c->doff % OFS_BLOCK < c->len ? OFS_BLOCK - c->doff % OFS_BLOCK : c->len;
	int rc = ofs_data_read(fs, txn, &c->src, buf, *n, c->soff);
	if (rc < 0)
		return rc;
	if (c->doff >= c->dst.a.size && zeros(buf, *n))
		return 0; /* past dst's end: leave a hole */
	return ofs_data_write(fs, txn, &c->dst, buf, *n, c->doff);
}

/* copy_in: ofs_copy_range inside txn, c's offsets and len set. */
static ssize_t copy_in(ofs *fs, MDB_txn *txn, uint64_t src, uint64_t dst, struct copy *c,
		       unsigned how)
{
	int rc = file_get(fs, txn, src, &c->src);
	if (rc || (rc = file_get(fs, txn, dst, &c->dst)))
		return rc;
	if (c->soff >= c->src.a.size)
		return 0;
	c->len = c->len < c->src.a.size - c->soff ? c->len : (size_t)(c->src.a.size - c->soff);
	if (src == dst && c->soff < c->doff + c->len && c->doff < c->soff + c->len)
		return -EINVAL;
	if ((rc = ofs_room(fs, c->len)))
		return rc;
	unsigned char *buf = malloc(OFS_BLOCK);
	if (!buf)
		return -ENOMEM;
	size_t total = c->len, n;
	for (; c->len && (rc = copy_chunk(fs, txn, c, buf, &n)) == 0; c->len -= n)
		c->soff += n, c->doff += n;
	free(buf);
	if (rc)
		return rc;
	if (c->doff > c->dst.a.size) /* zeros left out at the end */
		c->dst.a.size = c->doff;
	if (!(how & OFS_KEEP_TIMES)) {
		ofs_now(&c->dst.a.mtime);
		c->dst.a.ctime = c->dst.a.mtime;
	}
	rc = ofs_inode_put(fs, txn, &c->dst);
	return rc ? rc : (ssize_t)total;
}

/* ofs_copy_range: see orionfs.h. */
ssize_t ofs_copy_range(ofs *fs, uint64_t src, off_t soff, uint64_t dst, off_t doff, size_t len,
		       unsigned how)
{
	MDB_txn *txn;
	struct copy c = {.soff = (uint64_t)soff, .doff = (uint64_t)doff,
			 .len = len < OFS_COPY_MAX ? len : OFS_COPY_MAX};
	if (soff < 0 || doff < 0)
		return -EINVAL;
	if ((uint64_t)doff > OFS_MAX_SIZE - c.len)
		return -EFBIG;
	int rc = ofs_wtxn(fs, &txn);
	if (rc)
		return rc;
	ssize_t n = copy_in(fs, txn, src, dst, &c, how);
	if ((rc = ofs_finish(fs, txn, n < 0 ? (int)n : 0)))
		return rc;
	ofs_batch_account(fs, (uint64_t)n);
	return n;
}

/* punch: zero [*off, *off + *len) of in, clipped to its size, freeing
 * blocks; holes are skipped, not walked.  Returns 1 when the transaction
 * has freed OFS_FREE_PAGES pages before the end, or freed some on a
 * tight image (as ofs_data_shed: commit, then call again), with *off and
 * *len moved past what is punched already, so that each call gets on
 * (a block punched in part stays, and would be met again); else 0. */
static int punch(ofs *fs, MDB_txn *txn, struct ofs_inode *in, uint64_t *off, uint64_t *len)
{
	uint64_t end = *off + *len < in->a.size ? *off + *len : in->a.size, idx, freed = 0;
	uint64_t blk = ofs_val_pages(OFS_BLOCK_VAL, fs->psize), pos = *off;
	MDB_cursor *c;
	int rc = mdb_cursor_open(txn, fs->data, &c);
	if (rc)
		return ofs_lmdb_err(rc);
	while (pos < end) {
		if ((rc = block_at(c, in->a.ino, pos / OFS_BLOCK, MDB_SET_RANGE, &idx)) ||
		    idx == UINT64_MAX || idx * OFS_BLOCK >= end)
			break;
		if (fs->freed >= OFS_FREE_PAGES) {
			rc = 1;
			break;
		}
		pos = idx * OFS_BLOCK > pos ? idx * OFS_BLOCK : pos;
		size_t bo = pos % OFS_BLOCK;
		size_t n = end - pos < OFS_BLOCK - bo ? (size_t)(end - pos) : OFS_BLOCK - bo;
		if ((rc = blk_edit(fs, txn, in, idx, E_PUNCH, (struct span){bo, n, NULL})))
			break;
		fs->freed += blk; /* the old block's pages, at most */
		if (bo == 0 && (n == OFS_BLOCK || pos + n == in->a.size))
			freed += blk; /* gone, not rewritten */
		pos += n;
	}
	mdb_cursor_close(c);
	if (rc == 0 && freed && ofs_tight(fs))
		rc = 1;
	if (rc == 1) { /* pos never passes end, nor so *off + *len */
		*len -= pos - *off;
		*off = pos;
	}
	return rc;
}

/* An fallocate's arguments (fallocate_step). */
struct falloc {
	uint64_t ino, off, len;
	int mode;
	unsigned how;
	int recorded; /* ofs_pending_step */
};

/* fallocate_in: one step of ofs_fallocate_ex in txn; 1 from punch
 * (which moves fa's range on). */
static int fallocate_in(ofs *fs, MDB_txn *txn, struct falloc *fa)
{
	struct ofs_inode in;
	int rc = ofs_inode_get(fs, txn, fa->ino, &in), step = 0, data = 0;
	if (rc)
		return rc;
	if (!S_ISREG(in.a.mode))
		return S_ISDIR(in.a.mode) ? -EISDIR : -ENODEV;
	if (!(fa->mode & FALLOC_FL_PUNCH_HOLE) && (rc = ofs_room(fs, fa->len)))
		return rc;
	if (fa->mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		if ((step = punch(fs, txn, &in, &fa->off, &fa->len)) < 0)
			return step;
		data = 1;
	}
	/* punch keeps off + len; past the old size the range reads as zeros */
	if (!(fa->mode & FALLOC_FL_KEEP_SIZE) && fa->off + fa->len > in.a.size) {
		in.a.size = fa->off + fa->len;
		data = 1;
	}
	if (!(fa->how & OFS_KEEP_TIMES)) {
		ofs_now(&in.a.ctime);
		if (data)
			in.a.mtime = in.a.ctime;
	}
	rc = ofs_inode_put(fs, txn, &in);
	return rc ? rc : step;
}

/* fallocate_step: ofs_fallocate_ex inside txn; 1 from punch (a punch in
 * steps, recorded until done). */
static int fallocate_step(ofs *fs, MDB_txn *txn, void *arg)
{
	struct falloc *fa = arg;
	int rc = fallocate_in(fs, txn, fa);
	return ofs_pending_step(fs, txn, rc, fa->ino, OFS_PENDING_PUNCH, fa->off, fa->len,
				&fa->recorded);
}

/* ofs_fallocate: see orionfs.h. */
int ofs_fallocate(ofs *fs, uint64_t ino, int mode, off_t off, off_t len)
{
	return ofs_fallocate_ex(fs, ino, mode, off, len, 0);
}

/* ofs_fallocate_ex: ofs_fallocate, stamping the times unless how has
 * OFS_KEEP_TIMES. */
int ofs_fallocate_ex(ofs *fs, uint64_t ino, int mode, off_t off, off_t len, unsigned how)
{
	int base = mode & ~FALLOC_FL_KEEP_SIZE; /* a punch must keep the size */
	if (base != 0 && base != FALLOC_FL_ZERO_RANGE && mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if ((uint64_t)off > OFS_MAX_SIZE - (uint64_t)len)
		return -EFBIG;
	struct falloc fa = {ino, (uint64_t)off, (uint64_t)len, mode, how, 0};
	return ofs_steps(fs, fallocate_step, &fa); /* punching out a huge range: several */
}

/* ofs_readlink: copy the target (NUL-terminated) into buf; returns
 * length; the relatime rule applies. */
int ofs_readlink(ofs *fs, uint64_t ino, char *buf, size_t size)
{
	struct ofs_inode in;
	MDB_txn *txn;
	int rc = ofs_rtxn(fs, &txn);
	if (rc)
		return rc;
	rc = ofs_inode_get(fs, txn, ino, &in);
	if (!rc && !S_ISLNK(in.a.mode))
		rc = -EINVAL;
	if (!rc && in.a.size >= size)
		rc = -ERANGE;
	if (!rc)
		rc = ofs_data_read(fs, txn, &in, buf, in.a.size, 0);
	ofs_rtxn_done(fs, txn);
	if (rc >= 0) {
		buf[rc] = '\0';
		relatime(fs, ino, &in.a);
	}
	return rc;
}
