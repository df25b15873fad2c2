/*
 * key.c: key rules and the stored form of keys.
 *
 * Stored form: the key's bytes with every '/' replaced by a NUL byte.  NUL
 * cannot occur in a key, so the mapping is one-to-one, and since NUL sorts
 * below every other byte, LMDB's bytewise order puts "a/b" first, then
 * everything below "a/b/" together, then "a/bc": the keys a prefix covers
 * form one contiguous range, and the children of a prefix come out in
 * name order.  Stored keys are exactly as long as the keys.
 */
#include "db/internal.h"

#include <errno.h>
#include <string.h>

/* bad_key: fail with -EINVAL naming key and the broken rule. */
static int bad_key(const char *key, size_t len, const char *why)
{
	char q[600];
	db_quote(q, sizeof q, key, len);
	return db_set_err(-EINVAL, "bad key %s: %s", q, why);
}

/* db_key_encode: check key and write its stored form to out; returns the
 * length.  allow_empty admits "" (the whole database, for prefixes). */
int db_key_encode(const char *key, size_t len, char *out, int allow_empty)
{
	if (len == 0)
		return allow_empty ? 0 : bad_key(key, len, "empty key");
	if (len > DB_KEY_MAX)
		return bad_key(key, len, "longer than 511 bytes");
	size_t seg = 0; /* start of the current segment */
	for (size_t i = 0; i <= len; i++) {
		if (i < len && key[i] == 0)
			return bad_key(key, len, "contains a NUL byte");
		if (i < len && key[i] != '/') {
			out[i] = key[i];
			continue;
		}
		size_t n = i - seg;
		if (n == 0)
			return bad_key(key, len, "empty segment (leading, trailing or double '/')");
		if (n > DB_SEG_MAX)
			return bad_key(key, len, "segment longer than 255 bytes");
		if (key[seg] == '.' && (n == 1 || (n == 2 && key[seg + 1] == '.')))
			return bad_key(key, len, "segment \".\" or \"..\"");
		if (i < len)
			out[i] = 0;
		seg = i + 1;
	}
	return (int)len;
}

/* db_key_check: 0 if key is valid. */
int db_key_check(const char *key, size_t len)
{
	char tmp[DB_KEY_MAX];
	int rc = db_key_encode(key, len, tmp, 0);
	return rc < 0 ? rc : 0;
}

/* db_key_decode: stored form back to a NUL-terminated key in out; bytes
 * before `from` are taken as already decoded (a scan decodes its prefix
 * once). */
void db_key_decode(const char *enc, size_t len, char *out, size_t from)
{
	for (size_t i = from; i < len; i++) /* a plain loop: keys are short */
		out[i] = enc[i] ? enc[i] : '/';
	out[len] = 0;
}
