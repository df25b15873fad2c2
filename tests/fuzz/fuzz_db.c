/* fuzz_db.c: libFuzzer target for OrionDB's value and key parsers.  The
 * first byte of an input picks a type; the rest is read by
 * db_value_parse as that type, by db_value_from_json, as an encoding by
 * db_value_decode, and as a key by db_key_check.  None may crash, leak or
 * fail without saying why, and whatever one accepts must survive the round
 * trip: its text and its JSON read back as an equal value, its encoding
 * decodes to an equal value, and an encoding it decoded re-encodes to the
 * same bytes. */
#include "db/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* die: report a broken promise and abort, so libFuzzer keeps the input. */
static void die(const char *what, int type)
{
	fprintf(stderr, "fuzz_db: %s (type %d)\n", what, type);
	abort();
}

/* failed: a refusal must come with its reason in db_errmsg(). */
static void failed(int rc, const char *what)
{
	if (rc >= 0)
		die("an error that is not negative", rc);
	if (!db_errmsg()[0])
		die(what, rc);
}

/* encoding: v's canonical encoding, malloc'd, its length in *len; NULL
 * when v cannot be stored (the reason set). */
static unsigned char *encoding(const db_value *v, size_t *len)
{
	int n = db_value_encode(v, NULL, 0);
	if (n < 0) {
		failed(n, "encode refused without a reason");
		return NULL;
	}
	unsigned char *buf = malloc((size_t)n + 1);
	if (!buf || db_value_encode(v, buf, (size_t)n) != n)
		die("encode gave two lengths", 0);
	*len = (size_t)n;
	return buf;
}

/* same_after: v read back from form (text or JSON of it) by parse type
 * (-1: JSON) is equal to v. */
static void same_after(const db_value *v, const char *form, size_t len, int type)
{
	db_value *back = NULL;
	int rc = type < 0 ? db_value_from_json(form, len, &back) : db_value_parse(type, form, len, &back);
	if (rc || !db_value_equal(v, back))
		die(type < 0 ? "JSON does not read back" : "text does not read back", type);
	db_value_free(back);
}

/* round_trips: every form of v reads back (its text as its own type). */
static void round_trips(const db_value *v, int type)
{
	char *t;
	size_t len, elen;
	if (db_value_text(v, &t, &len) == 0) {
		same_after(v, t, len, type);
		free(t);
	}
	if (db_value_json(v, &t, &len) == 0) {
		same_after(v, t, len, -1);
		free(t);
	}
	unsigned char *enc = encoding(v, &elen);
	if (!enc)
		return;
	db_value *back = NULL;
	if (db_value_decode(enc, elen, &back) || !db_value_equal(v, back))
		die("encoding does not decode back", type);
	db_value_free(back);
	free(enc);
}

/* decoded: bytes accepted as an encoding are its one canonical form. */
static void decoded(const uint8_t *p, size_t n)
{
	db_value *v = NULL;
	size_t len;
	int rc = db_value_decode(p, n, &v);
	if (rc) {
		failed(rc, "decode refused without a reason");
		return;
	}
	unsigned char *enc = encoding(v, &len);
	if (!enc || len != n || memcmp(enc, p, n))
		die("a decoded value re-encodes otherwise", db_value_type(v));
	free(enc);
	db_value_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int type = data[0] % 9 - 1; /* -1 (no type: JSON) .. DB_MAP */
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	db_value *v = NULL;
	int rc = type < 0 ? db_value_from_json(text, len, &v) : db_value_parse(type, text, len, &v);
	if (rc)
		failed(rc, "parse refused without a reason");
	else
		round_trips(v, db_value_type(v));
	db_value_free(v);
	decoded(data, size);
	rc = db_key_check(text, len);
	if (rc)
		failed(rc, "a key refused without a reason");
	return 0;
}
