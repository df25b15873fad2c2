/* test_db_value.c: OrionDB keys, typed values, their encoding and text. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "tests/unit/unit.h"

/* enc: v's encoding in a malloc'd buffer, length in *n. */
static unsigned char *enc(const db_value *v, int *n)
{
	*n = db_value_encode(v, NULL, 0);
	ck_assert_int_gt(*n, 0);
	unsigned char *b = malloc((size_t)*n);
	ck_assert_int_eq(db_value_encode(v, b, (size_t)*n), *n);
	return b;
}

/* roundtrip: v encodes, decodes to an equal value, re-encodes the same. */
static void roundtrip(const db_value *v)
{
	int n, n2;
	unsigned char *b = enc(v, &n);
	db_value *w;
	ck_assert_int_eq(db_value_decode(b, (size_t)n, &w), 0);
	ck_assert(db_value_equal(v, w));
	unsigned char *b2 = enc(w, &n2);
	ck_assert_int_eq(n, n2);
	ck_assert(!memcmp(b, b2, (size_t)n));
	free(b), free(b2);
	db_value_free(w);
}

/* text_is: v's text form is exactly want. */
static void text_is(const db_value *v, const char *want)
{
	char *t;
	size_t n;
	ck_assert_int_eq(db_value_text(v, &t, &n), 0);
	ck_assert_uint_eq(n, strlen(want));
	ck_assert_str_eq(t, want);
	free(t);
}

START_TEST(bad_keys)
{
	static const struct {
		const char *key;
		size_t len;
		const char *why;
	} bad[] = {
		{"", 0, "empty key"},
		{"/a", 2, "empty segment"},
		{"a/", 2, "empty segment"},
		{"a//b", 4, "empty segment"},
		{".", 1, "\".\""},
		{"..", 2, "\".\""},
		{"a/./b", 5, "\".\""},
		{"a/..", 4, "\".\""},
		{"a\0b", 3, "NUL"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(db_key_check(bad[i].key, bad[i].len), -EINVAL);
		ck_assert_msg(strstr(db_errmsg(), bad[i].why), "%s", db_errmsg());
		ck_assert_msg(strstr(db_errmsg(), "bad key \""), "%s", db_errmsg());
	}
	ck_assert(strstr((db_key_check("x//y", 4), db_errmsg()), "\"x//y\""));
	char k[600];
	memset(k, 'a', sizeof k);
	ck_assert_int_eq(db_key_check(k, 256), -EINVAL); /* one 256-byte segment */
	ck_assert(strstr(db_errmsg(), "255"));
	for (int i = 255; i < 600; i += 256)
		k[i] = '/';
	ck_assert_int_eq(db_key_check(k, 511), 0);
	ck_assert_int_eq(db_key_check(k, 512), -EINVAL);
	ck_assert(strstr(db_errmsg(), "511"));
}
END_TEST

START_TEST(good_keys)
{
	static const char *good[] = {"a", "a/b/c", "...", ".a", "a..", "caf\xc3\xa9/x",
				     "line\nbreak", "\x01\xff/\x7f", "capsule/4f2a/config/theme"};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		ck_assert_int_eq(db_key_check(good[i], strlen(good[i])), 0);
	/* the message quotes unprintable bytes */
	db_key_check("\n/", 2);
	ck_assert(strstr(db_errmsg(), "\\x0a"));
}
END_TEST

START_TEST(scalars_roundtrip)
{
	db_value *vs[] = {db_value_null(),	    db_value_bool(1),	      db_value_bool(0),
			  db_value_int(0),	    db_value_int(INT64_MIN),  db_value_int(INT64_MAX),
			  db_value_float(-0.0),	    db_value_float(1e-310),   db_value_float(3.25),
			  db_value_string("", 0),   db_value_string("h\xc3\xa9", 3),
			  db_value_blob("\0\xff\n", 3), db_value_blob(NULL, 0)};
	for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
		roundtrip(vs[i]);
		db_value_free(vs[i]);
	}
}
END_TEST

START_TEST(containers_roundtrip)
{
	db_value *m = db_value_map();
	ck_assert_int_eq(db_map_set(m, "b", 1, db_value_int(1)), 0);
	ck_assert_int_eq(db_map_set(m, "a", 1, db_value_string("x", 1)), 0);
	db_value *l = db_value_list();
	ck_assert_int_eq(db_list_append(l, db_value_blob("\x00\x01", 2)), 0);
	ck_assert_int_eq(db_list_append(l, db_value_list()), 0);
	ck_assert_int_eq(db_map_set(m, "", 0, l), 0);
	/* setting an existing key replaces in place: order kept */
	ck_assert_int_eq(db_map_set(m, "b", 1, db_value_int(2)), 0);
	ck_assert_uint_eq(db_value_count(m), 3);
	const char *k;
	size_t kn;
	ck_assert_int_eq(db_value_get_int(db_map_at(m, 0, &k, &kn)), 2);
	ck_assert_str_eq(k, "b");
	ck_assert_ptr_nonnull(db_map_get(m, "", 0));
	ck_assert_ptr_null(db_map_get(m, "zz", 2));
	ck_assert_int_eq(db_value_type(db_list_at(db_map_get(m, "", 0), 1)), DB_LIST);
	roundtrip(m);
	/* insertion order is part of the value */
	db_value *m2 = db_value_map();
	db_map_set(m2, "a", 1, db_value_string("x", 1));
	db_map_set(m2, "b", 1, db_value_int(2));
	db_map_set(m2, "", 0, db_value_list());
	ck_assert(!db_value_equal(m, m2));
	db_value_free(m);
	db_value_free(m2);
	l = db_value_list(); /* a failed constructor's NULL is reported */
	ck_assert_int_eq(db_list_append(l, NULL), -ENOMEM);
	ck_assert_uint_eq(db_value_count(l), 0);
	db_value_free(l);
}
END_TEST

START_TEST(encoding_bytes)
{
	/* the documented layout, byte for byte */
	db_value *v = db_value_list();
	db_list_append(v, db_value_int(-2));
	db_list_append(v, db_value_string("hi", 2));
	db_list_append(v, db_value_bool(1));
	static const unsigned char want[] = {6, 3, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
					     4, 2, 'h', 'i', 1, 1};
	int n;
	unsigned char *b = enc(v, &n);
	ck_assert_int_eq(n, sizeof want);
	ck_assert(!memcmp(b, want, sizeof want));
	free(b);
	db_value_free(v);
	v = db_value_float(1.0);
	static const unsigned char f1[] = {3, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0};
	b = enc(v, &n);
	ck_assert(n == 9 && !memcmp(b, f1, 9));
	free(b);
	db_value_free(v);
}
END_TEST

START_TEST(decode_rejects)
{
	static const struct {
		const char *b;
		size_t n;
	} bad[] = {
		{"", 0},                              /* nothing */
		{"\x09", 1},                          /* unknown type */
		{"\x00\x00", 2},                      /* trailing byte */
		{"\x01\x02", 2},                      /* bool 2 */
		{"\x02\x00\x00", 3},                  /* short int */
		{"\x04\x05" "ab", 4},                 /* length past end */
		{"\x04\x81\x00", 3},                  /* varint not shortest */
		{"\x04\x01\xff", 3},                  /* string not UTF-8 */
		{"\x04\x02\xed\xa0", 4},              /* truncated UTF-8 */
		{"\x03\x7f\xf8\0\0\0\0\0\0", 9},      /* NaN */
		{"\x03\x7f\xf0\0\0\0\0\0\0", 9},      /* infinity */
		{"\x07\x02\x01" "a\x00\x01" "a\x00", 9}, /* duplicate map key */
		{"\x06\x02\x00", 3},                  /* list shorter than its count */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		db_value *v = (db_value *)1;
		ck_assert_msg(db_value_decode(bad[i].b, bad[i].n, &v) == -ORION_EBADVALUE, "case %zu", i);
		ck_assert_ptr_null(v);
	}
	/* nesting deeper than DB_DEPTH_MAX */
	unsigned char deep[2 * (DB_DEPTH_MAX + 2)];
	size_t n = 0;
	for (int i = 0; i <= DB_DEPTH_MAX; i++)
		deep[n++] = DB_LIST, deep[n++] = 1;
	deep[n++] = DB_NULL;
	db_value *v;
	ck_assert_int_eq(db_value_decode(deep, n, &v), -ORION_EBADVALUE);
	ck_assert_int_eq(db_value_decode(deep + 2, n - 2, &v), 0);
	db_value_free(v);
}
END_TEST

START_TEST(encode_rejects)
{
	db_value *v = db_value_string("\xc0\x80", 2); /* overlong NUL */
	ck_assert_int_eq(db_value_encode(v, NULL, 0), -EINVAL);
	ck_assert(strstr(db_errmsg(), "UTF-8"));
	db_value_free(v);
	v = db_value_float(NAN);
	ck_assert_int_eq(db_value_encode(v, NULL, 0), -EINVAL);
	db_value_free(v);
	v = db_value_list();
	db_value *inner = v;
	for (int i = 0; i < DB_DEPTH_MAX; i++) {
		db_value *l = db_value_list();
		db_list_append(inner, l);
		inner = l;
	}
	ck_assert_int_eq(db_value_encode(v, NULL, 0), -EINVAL);
	db_value_free(v);
}
END_TEST

START_TEST(text_forms)
{
	static const struct {
		db_value *(*make)(void);
		const char *text;
	} t[] = {{db_value_null, "null"}, {db_value_list, "[]"}, {db_value_map, "{}"}};
	for (size_t i = 0; i < 3; i++) {
		db_value *v = t[i].make();
		text_is(v, t[i].text);
		db_value_free(v);
	}
	db_value *v;
	text_is(v = db_value_int(-42), "-42"), db_value_free(v);
	text_is(v = db_value_bool(1), "true"), db_value_free(v);
	text_is(v = db_value_bool(0), "false"), db_value_free(v);
	text_is(v = db_value_float(1.5), "1.5"), db_value_free(v);
	text_is(v = db_value_float(2), "2.0"), db_value_free(v);
	text_is(v = db_value_float(0.1), "0.1"), db_value_free(v);
	text_is(v = db_value_float(1e300), "1e+300"), db_value_free(v);
	text_is(v = db_value_string("a \"b\"\n", 6), "a \"b\"\n"), db_value_free(v);
	text_is(v = db_value_blob("x\ny", 3), "x\ny"), db_value_free(v);
	v = db_value_map();
	db_map_set(v, "k\"\n", 3, db_value_list());
	db_list_append((db_value *)db_map_get(v, "k\"\n", 3), db_value_blob("\xff\x00", 2));
	db_list_append((db_value *)db_map_get(v, "k\"\n", 3), db_value_string("\x01\xc3\xa9", 3));
	db_map_set(v, "f", 1, db_value_float(-0.5));
	text_is(v, "{\"k\\\"\\n\":[{\"$blob\":\"/wA=\"},\"\\u0001\xc3\xa9\"],\"f\":-0.5}");
	/* and JSON reads it back as the same value */
	char *s;
	size_t n;
	ck_assert_int_eq(db_value_json(v, &s, &n), 0);
	db_value *w;
	ck_assert_int_eq(db_value_from_json(s, n, &w), 0);
	ck_assert(db_value_equal(v, w));
	free(s);
	db_value_free(v), db_value_free(w);
	v = db_value_string("q", 1);
	ck_assert_int_eq(db_value_json(v, &s, &n), 0);
	ck_assert_str_eq(s, "\"q\"");
	free(s), db_value_free(v);
}
END_TEST

/* json_is: text parses to a value whose JSON is want. */
static void json_is(const char *text, const char *want)
{
	db_value *v;
	char *s;
	ck_assert_msg(db_value_from_json(text, strlen(text), &v) == 0, "%s: %s", text, db_errmsg());
	ck_assert_int_eq(db_value_json(v, &s, NULL), 0);
	ck_assert_str_eq(s, want);
	free(s);
	db_value_free(v);
}

START_TEST(json_parse)
{
	json_is(" [1, -2.5e1, true, false, null, \"a\"] ", "[1,-25.0,true,false,null,\"a\"]");
	json_is("{\"b\":{},\"a\":[[]]}", "{\"b\":{},\"a\":[[]]}");
	json_is("\"\\u00e9\\ud83d\\ude00\\/\\b\\f\\r\\t\"", "\"\xc3\xa9\xf0\x9f\x98\x80/\\u0008\\u000c\\u000d\\t\"");
	json_is("9223372036854775807", "9223372036854775807");
	json_is("-9223372036854775808", "-9223372036854775808");
	json_is("9223372036854775808", "9.223372036854776e+18"); /* too big: float */
	json_is("{\"$blob\":\"aGk=\"}", "{\"$blob\":\"aGk=\"}");
	json_is("{\"$blob\":1}", "{\"$blob\":1}"); /* not a blob: a map */
	db_value *v;
	ck_assert_int_eq(db_value_from_json("{\"$blob\":\"aGk=\"}", 16, &v), 0);
	ck_assert_int_eq(db_value_type(v), DB_BLOB);
	db_value_free(v);
	ck_assert_int_eq(db_value_from_json("0.5", 3, &v), 0);
	ck_assert_int_eq(db_value_type(v), DB_FLOAT);
	db_value_free(v);
}
END_TEST

START_TEST(json_errors)
{
	static const char *bad[] = {
		"", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,\"a\":2}", "{1:2}", "\"abc",
		"\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"", "\"a\nb\"", "01", "1.", "1e", "-", "tru",
		"nul", "[1] x", "\"\xff\"", "{\"$blob\":\"a\"}", "{\"$blob\":\"aGl=\"}", "1e999",
		"[", "{",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		db_value *v = (db_value *)1;
		ck_assert_msg(db_value_from_json(bad[i], strlen(bad[i]), &v) == -EINVAL, "%s", bad[i]);
		ck_assert_ptr_null(v);
		ck_assert_msg(strstr(db_errmsg(), "JSON"), "%s", db_errmsg());
	}
	db_value *v;
	ck_assert_int_eq(db_value_from_json("[1,]", 4, &v), -EINVAL);
	ck_assert_str_eq(db_errmsg(), "bad JSON at offset 3: value expected");
	char deep[DB_DEPTH_MAX * 2 + 4];
	memset(deep, '[', DB_DEPTH_MAX + 1);
	memset(deep + DB_DEPTH_MAX + 1, ']', DB_DEPTH_MAX + 1);
	ck_assert_int_eq(db_value_from_json(deep, 2 * DB_DEPTH_MAX + 2, &v), -EINVAL);
	ck_assert_int_eq(db_value_from_json(deep + 1, 2 * DB_DEPTH_MAX, &v), 0);
	db_value_free(v);
}
END_TEST

START_TEST(parse_typed)
{
	static const struct {
		int type;
		const char *text;
		const char *want; /* text form after parsing, NULL: refused */
	} t[] = {
		{DB_INT, "42\n", "42"},      {DB_INT, " -7 ", "-7"},     {DB_INT, "4x", NULL},
		{DB_INT, "1.5", NULL},       {DB_INT, "", NULL},         {DB_FLOAT, "3", "3.0"},
		{DB_FLOAT, "2.5\n", "2.5"},  {DB_FLOAT, "true", NULL},   {DB_BOOL, "true\n", "true"},
		{DB_BOOL, "false", "false"}, {DB_BOOL, "1", NULL},       {DB_NULL, "null", "null"},
		{DB_STRING, "hi\n", "hi\n"}, {DB_STRING, "\xff", NULL},  {DB_BLOB, "\xff\n", "\xff\n"},
		{DB_LIST, "[1, \"a\"]\n", "[1,\"a\"]"}, {DB_LIST, "{}", NULL},
		{DB_MAP, "{\"a\": [true]}", "{\"a\":[true]}"}, {DB_MAP, "[]", NULL},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		db_value *v;
		int rc = db_value_parse(t[i].type, t[i].text, strlen(t[i].text), &v);
		if (!t[i].want) {
			ck_assert_msg(rc == -EINVAL, "%s", t[i].text);
			continue;
		}
		ck_assert_msg(rc == 0, "%s: %s", t[i].text, db_errmsg());
		ck_assert_int_eq(db_value_type(v), t[i].type);
		text_is(v, t[i].want);
		db_value_free(v);
	}
}
END_TEST

START_TEST(type_names)
{
	for (int t = DB_NULL; t <= DB_MAP; t++) {
		const char *n = db_type_name(t);
		ck_assert_ptr_nonnull(n);
		ck_assert_int_eq(db_type_from_name(n, strlen(n)), t);
	}
	ck_assert_ptr_null(db_type_name(8));
	ck_assert_int_eq(db_type_from_name("integer", 7), -EINVAL);
	ck_assert_int_eq(db_type_from_name("in", 2), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("db_value");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, bad_keys);
	tcase_add_test(tc, good_keys);
	tcase_add_test(tc, scalars_roundtrip);
	tcase_add_test(tc, containers_roundtrip);
	tcase_add_test(tc, encoding_bytes);
	tcase_add_test(tc, decode_rejects);
	tcase_add_test(tc, encode_rejects);
	tcase_add_test(tc, text_forms);
	tcase_add_test(tc, json_parse);
	tcase_add_test(tc, json_errors);
	tcase_add_test(tc, parse_typed);
	tcase_add_test(tc, type_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
