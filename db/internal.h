/* internal.h: what the files of db/ share and nobody else sees. */
#ifndef ORION_DB_INTERNAL_H
#define ORION_DB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

/* One map entry: key bytes (NUL-terminated copy) and value. */
struct db_mapent {
	char *key;
	size_t klen;
	db_value *val;
};

struct db_value {
	int type;
	union {
		int b;
		int64_t i;
		double f;
		struct { /* string, blob: bytes follow the struct (bytes[]) */
			size_t len;
		} s;
		struct { /* list: items; map: ents */
			size_t n, cap;
			db_value **items;
			struct db_mapent *ents;
		} c;
	} u;
	char bytes[]; /* string/blob payload, NUL-terminated */
};

/* db_set_err: record this thread's error text (printf-style); returns err
 * so callers can write `return db_set_err(-EINVAL, ...)`. */
int db_set_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* db_quote: write key (len bytes) into out (cap bytes) quoted for a message,
 * non-printable bytes as \xNN, cut with "..." when too long. */
void db_quote(char *out, size_t cap, const char *key, size_t len);

/* Growable byte buffer for text output. */
struct db_buf {
	char *p;
	size_t len, cap;
	int err; /* sticky: first failure */
};
void db_buf_put(struct db_buf *b, const void *p, size_t n);
void db_buf_putc(struct db_buf *b, char c);

/* db_float_text: shortest text that reads back as exactly f, always with a
 * '.' or an exponent so it never reads as an int; returns its length. */
int db_float_text(double f, char *out, size_t cap);

/* db_key_encode: check key (len bytes) and write its stored form ('/' as
 * NUL) to out (DB_KEY_MAX bytes); returns its length or -EINVAL.
 * allow_empty admits "" (the whole database, for prefixes). */
int db_key_encode(const char *key, size_t len, char *out, int allow_empty);

/* db_key_decode: a stored key (len bytes) back to a C string in out
 * (len + 1 bytes); the first `from` bytes of out are already decoded. */
void db_key_decode(const char *enc, size_t len, char *out, size_t from);

#endif
