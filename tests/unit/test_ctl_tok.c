/* test_ctl_tok.c: the control-file tokenizer, verb dispatch, error text and
 * the /ctl/db batch. */
#include <check.h>
#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlfs/ctl.h"
#include "tests/unit/unit.h"

static struct ctl_args a;
static struct ctl_reply r;

/* split1: split text, expecting it to use all of it; returns argc. */
static int split1(const char *text)
{
	int rc = ctl_split(text, strlen(text), &a, &r);
	ck_assert_msg(rc == (int)strlen(text), "%s: %d %s", text, rc, r.reason);
	return a.argc;
}

START_TEST(fields)
{
	static const struct {
		const char *in;
		int argc;
		const char *f[4];
	} t[] = {
		{"kill 9 x\n", 3, {"kill", "9", "x"}},
		{"  \tkill\t 9  ", 2, {"kill", "9"}},
		{"put k 'a b'", 3, {"put", "k", "a b"}},
		{"say 'it''s'", 2, {"say", "it's"}},
		{"e '' x", 3, {"e", "", "x"}},
		{"j a'b c'd", 2, {"j", "ab cd"}},
		{"q 'two\nlines'\n", 2, {"q", "two\nlines"}},
		{"u caf\xc3\xa9 \xe2\x82\xac\r\n", 3, {"u", "caf\xc3\xa9", "\xe2\x82\xac"}},
		{"''''", 1, {"'"}},
		{"", 0, {NULL}},
		{"   \n", 0, {NULL}},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		ck_assert_int_eq(split1(t[i].in), t[i].argc);
		for (int j = 0; j < t[i].argc; j++)
			ck_assert_str_eq(a.argv[j], t[i].f[j]);
		ck_assert_ptr_null(a.argv[t[i].argc]);
	}
	/* one command per line: the count says where the next begins */
	const char *two = "put a 1\ndel b\n";
	ck_assert_int_eq(ctl_split(two, strlen(two), &a, &r), 8);
	ck_assert_int_eq(a.argc, 3);
	ck_assert_uint_eq(a.linelen, 7);
	ck_assert_int_eq(ctl_split(two + 8, strlen(two) - 8, &a, &r), 6);
	ck_assert_str_eq(a.argv[0], "del");
}
END_TEST

START_TEST(split_errors)
{
	ck_assert_int_eq(ctl_split("a 'b", 4, &a, &r), -EINVAL);
	ck_assert_str_eq(r.reason, "unterminated quote");
	ck_assert_int_eq(ctl_split("a '''", 5, &a, &r), -EINVAL);
	char many[CTL_MAXARGS * 2 + 4];
	for (int i = 0; i <= CTL_MAXARGS; i++)
		many[2 * i] = 'x', many[2 * i + 1] = ' ';
	ck_assert_int_eq(ctl_split(many, 2 * CTL_MAXARGS, &a, &r), 2 * CTL_MAXARGS);
	ck_assert_int_eq(a.argc, CTL_MAXARGS);
	ck_assert_int_eq(ctl_split(many, 2 * CTL_MAXARGS + 2, &a, &r), -EINVAL);
	ck_assert(strstr(r.reason, "fields"));
}
END_TEST

START_TEST(check_limits)
{
	static char big[CTL_MAX + 2];
	memset(big, 'a', sizeof big);
	ck_assert_int_eq(ctl_check(big, CTL_MAX, &r), 0);
	ck_assert_int_eq(ctl_check(big, CTL_MAX + 1, &r), -EFBIG);
	ck_assert_int_eq(ctl_split(big, CTL_MAX + 1, &a, &r), -EFBIG);
	ck_assert_int_eq(ctl_check("a\0b", 3, &r), -EINVAL);
	ck_assert(strstr(r.reason, "NUL"));
	static const char *bad_utf8[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"};
	for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
		ck_assert_int_eq(ctl_check(bad_utf8[i], strlen(bad_utf8[i]), &r), -EINVAL);
	ck_assert_int_eq(ctl_check("\xf0\x9f\x98\x80 ok", 7, &r), 0);
}
END_TEST

/* A test verb table. */
static int v_kill(void *ctx, int argc, char **argv, struct ctl_reply *rep)
{
	if (!strcmp(argv[0], "0"))
		return ctl_reason(rep, -ESRCH, "no capsule %s", argv[0]);
	if (!strcmp(argv[0], "k"))
		return -ORION_EBADKEY; /* a project code: reported as its errno */
	ctl_printf(rep, "killed %s%s\n", argv[0], argc > 1 ? " hard" : "");
	(*(int *)ctx)++;
	return 0;
}

static const struct ctl_verb verbs[] = {{"kill", 1, 2, v_kill}};

/* run: dispatch text; returns the result, r holds the reply. */
static int run(const char *text, int *calls)
{
	return ctl_dispatch(verbs, 1, calls, text, strlen(text), &r);
}

START_TEST(dispatch)
{
	int calls = 0;
	ck_assert_int_eq(run("kill 7\n", &calls), 0);
	ck_assert_str_eq(r.text, "killed 7\n");
	ck_assert_int_eq(run("kill 7 -9", &calls), 0);
	ck_assert_str_eq(r.text, "killed 7 hard\n");
	ck_assert_int_eq(calls, 2);
	static const struct {
		const char *in;
		int err;
		const char *text;
	} bad[] = {
		{"kill 9 x y\n", -EINVAL, "error EINVAL wrong #args \"kill 9 x y\"\n"},
		{"kill", -EINVAL, "error EINVAL wrong #args \"kill\"\n"},
		{"stop 1", -EINVAL, "error EINVAL unknown command \"stop 1\"\n"},
		{"KILL 1", -EINVAL, "error EINVAL unknown command \"KILL 1\"\n"},
		{"\n", -EINVAL, "error EINVAL empty command \"\"\n"},
		{"kill 0", -ESRCH, "error ESRCH no capsule 0 \"kill 0\"\n"},
		{"kill k", -EINVAL, "error EINVAL malformed key \"kill k\"\n"},
		{"kill 1\nkill 2\n", -EINVAL, "error EINVAL one command per write \"kill 1\\x0akill 2\"\n"},
		{"kill 'a\"b", -EINVAL, "error EINVAL unterminated quote \"\"\n"},
		{"kill 'say \"hi\"'", 0, "killed say \"hi\"\n"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(run(bad[i].in, &calls), bad[i].err);
		ck_assert_str_eq(r.text, bad[i].text);
		ck_assert_uint_eq(r.len, strlen(bad[i].text));
	}
	ck_assert_int_eq(calls, 3);
	ck_assert_str_eq(ctl_errname(-ENOSPC), "ENOSPC");
	ck_assert_str_eq(ctl_errname(EBADMSG), "EBADMSG");
}
END_TEST

/* ---- /ctl/db batch on a real image ---- */

static char dir[64], img[128];
static db *d;

static void setup(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	strcpy(dir, "/tmp/orion-ctltest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(img, sizeof img, "%s/image", dir);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	mdb_env_set_maxdbs(env, 64);
	ck_assert_int_eq(mdb_env_open(env, img, MDB_NOSUBDIR, 0644), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "kv", MDB_CREATE, &dbi), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(db_open(&d, img, 0), 0);
}

static void teardown(void)
{
	char cmd[128];
	db_close(d);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int batch(const char *text)
{
	return ctl_db_batch(d, text, strlen(text), &r);
}

/* value_of: the string at key, or "-" when absent. */
static const char *value_of(const char *key)
{
	static char out[256];
	db_value *v;
	if (db_get(d, NULL, key, &v) == -ENOENT)
		return "-";
	size_t n;
	const char *b = db_value_get_bytes(v, &n);
	snprintf(out, sizeof out, "%.*s", (int)n, b);
	db_value_free(v);
	return out;
}

START_TEST(db_batch)
{
	ck_assert_int_eq(batch("put a/1 one\nput a/2 'two words'\n\nput 'a/x y' 'it''s\nmulti'\n"), 0);
	ck_assert_str_eq(r.text, "ok 3\n");
	ck_assert_str_eq(value_of("a/1"), "one");
	ck_assert_str_eq(value_of("a/2"), "two words");
	ck_assert_str_eq(value_of("a/x y"), "it's\nmulti");
	ck_assert_int_eq(batch("del a/1\nput a/3 three"), 0);
	ck_assert_str_eq(r.text, "ok 2\n");
	ck_assert_str_eq(value_of("a/1"), "-");
	/* all or none: a failing line undoes the lines before it */
	static const struct {
		const char *in;
		int err;
		const char *text;
	} bad[] = {
		{"put b/1 x\ndel nope\nput b/2 y\n", -ENOENT, "error ENOENT no such key \"del nope\"\n"},
		{"put b/1 x\nput a//b y\n", -EINVAL,
		 "error EINVAL bad key \"a//b\": empty segment (leading, trailing or double '/') \"put a//b y\"\n"},
		{"put b/1 x\nput b/2\n", -EINVAL, "error EINVAL wrong #args \"put b/2\"\n"},
		{"put b/1 x\nget b/1\n", -EINVAL, "error EINVAL unknown command \"get b/1\"\n"},
		{"put b/1 x\nput b/2 'open\n", -EINVAL, "error EINVAL unterminated quote \"put b/2 'open\"\n"},
		{"put b/1 \xff", -EINVAL, "error EINVAL command is not valid UTF-8 \"\"\n"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ck_assert_int_eq(batch(bad[i].in), bad[i].err);
		ck_assert_str_eq(r.text, bad[i].text);
		ck_assert_str_eq(value_of("b/1"), "-");
	}
	static char big[CTL_MAX + 16];
	memset(big, 'x', sizeof big - 1);
	memcpy(big, "put b/1 ", 8);
	ck_assert_int_eq(batch(big), -EFBIG);
	ck_assert_str_eq(value_of("a/3"), "three");
	ck_assert_str_eq(value_of("a/2"), "two words");
}
END_TEST

/* A write is len bytes, not a C string: the echo of a failing last line
 * stops at its end, never at a NUL or newline past it (a FUSE request
 * buffer holds whatever an earlier, longer request left there). */
START_TEST(db_batch_echo_stays_inside_the_write)
{
	static const char buf[] = "put b/2 'open" "SECRET of another request\n";
	ck_assert_int_eq(ctl_db_batch(d, buf, strlen("put b/2 'open"), &r), -EINVAL);
	ck_assert_str_eq(r.text, "error EINVAL unterminated quote \"put b/2 'open\"\n");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ctl");
	TCase *tc = tcase_create("tokenizer");
	tcase_add_test(tc, fields);
	tcase_add_test(tc, split_errors);
	tcase_add_test(tc, check_limits);
	tcase_add_test(tc, dispatch);
	suite_add_tcase(s, tc);
	tc = tcase_create("dbbatch");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, db_batch);
	tcase_add_test(tc, db_batch_echo_stays_inside_the_write);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(suite());
}
