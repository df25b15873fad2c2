/* fuzz_ctl.c: libFuzzer target for the control files' one tokenizer and
 * the /ctl/db batch verbs.  Each input is one write():
 *  - split command by command (ctl_check, ctl_split): each command uses
 *    up at least one byte and no more than is left, and its fields lie
 *    NUL-terminated inside its own buffer;
 *  - dispatched against a small verb table (ctl_dispatch): the reply is
 *    NUL-terminated, its length true, an error's text "error ENAME ...";
 *  - applied as a /ctl/db batch to a real image, inside a transaction
 *    dropped afterwards so that every input starts from the same database:
 *    a batch either answers "ok N" or fails and leaves the database as it
 *    was (one sentinel key, unchanged). */
#include "ctlfs/ctl.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64] = "/tmp/orion-fuzzctl.XXXXXX", img[128];
static db *d;

/* die: report a broken promise and abort, so libFuzzer keeps the input. */
static void die(const char *what)
{
	fprintf(stderr, "fuzz_ctl: %s\n", what);
	abort();
}

/* cleanup: the image goes when the fuzzer exits. */
static void cleanup(void)
{
	char cmd[160];
	db_close(d);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_ctl: could not remove %s\n", dir);
}

/* setup: an image holding an empty "kv" table, opened as d. */
static void setup(void)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(img, sizeof img, "%s/image", dir);
	if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 8) ||
	    mdb_env_open(env, img, MDB_NOSUBDIR, 0644) || mdb_txn_begin(env, NULL, 0, &txn) ||
	    mdb_dbi_open(txn, "kv", MDB_CREATE, &dbi) || mdb_txn_commit(txn))
		die("cannot make the image");
	mdb_env_close(env);
	if (db_open(&d, img, 0))
		die("db_open");
	atexit(cleanup);
}

/* reply_ok: r is NUL-terminated and its length is true. */
static void reply_ok(const struct ctl_reply *r)
{
	if (r->len >= sizeof r->text || memchr(r->text, 0, sizeof r->text) == NULL ||
	    strlen(r->text) != r->len)
		die("a reply whose length is false or that is not terminated");
}

/* split_all: every command of text, split in turn. */
static void split_all(const char *text, size_t len)
{
	static struct ctl_args a;
	static struct ctl_reply r;
	if (ctl_check(text, len, &r) < 0)
		return;
	for (size_t at = 0; at < len;) {
		int n = ctl_split(text + at, len - at, &a, &r);
		if (n < 0)
			return;
		if (n == 0 || (size_t)n > len - at)
			die("a command that used no bytes or more than were left");
		if (a.argc < 0 || a.argc > CTL_MAXARGS || a.argv[a.argc] != NULL)
			die("a field count out of bounds");
		for (int i = 0; i < a.argc; i++) {
			const char *f = a.argv[i], *end = a.buf + sizeof a.buf;
			if (f < a.buf || f >= end || !memchr(f, 0, (size_t)(end - f)))
				die("a field outside the command's buffer");
		}
		at += (size_t)n;
	}
}

/* echo: a verb that answers with its arguments. */
static int echo(void *ctx, int argc, char **argv, struct ctl_reply *r)
{
	(void)ctx;
	for (int i = 0; i < argc; i++)
		ctl_printf(r, "%s%s", i ? " " : "", argv[i]);
	return 0;
}

/* refuse: a verb that fails with a reason. */
static int refuse(void *ctx, int argc, char **argv, struct ctl_reply *r)
{
	(void)ctx;
	return ctl_reason(r, -EPERM, "refused %d, first %s", argc, argc ? argv[0] : "-");
}

static const struct ctl_verb verbs[] = {
	{"echo", 0, CTL_MAXARGS - 1, echo},
	{"two", 2, 2, echo},
	{"refuse", 0, 3, refuse},
};

/* dispatched: text as a write to a one-command control file. */
static void dispatched(const char *text, size_t len)
{
	static struct ctl_reply r;
	int rc = ctl_dispatch(verbs, sizeof verbs / sizeof verbs[0], NULL, text, len, &r);
	reply_ok(&r);
	if (rc < 0 && strncmp(r.text, "error E", 7) != 0)
		die("a failure whose reply is not an error line");
}

/* count: db_scan callback counting keys. */
static int count(void *arg, const struct db_entry *e)
{
	(void)e;
	++*(int *)arg;
	return 0;
}

/* batched: text as a write to /ctl/db, all or nothing. */
static void batched(const char *text, size_t len)
{
	static struct ctl_reply r;
	db_txn *outer;
	db_value *s = db_value_string("s", 1), *back = NULL;
	int keys = 0;
	if (db_begin(d, 0, &outer) || db_put(d, outer, "fuzz.sentinel", s))
		die("cannot begin");
	int rc = ctl_db_batch(d, text, len, &r);
	reply_ok(&r);
	if (rc == 0 && strncmp(r.text, "ok ", 3) != 0)
		die("a batch that worked but did not say ok");
	if (rc < 0 && strncmp(r.text, "error E", 7) != 0)
		die("a failed batch whose reply is not an error line");
	if (rc < 0 && (db_scan(d, outer, "", NULL, count, &keys) != 1 || keys != 1 ||
		       db_get(d, outer, "fuzz.sentinel", &back) || !db_value_equal(s, back)))
		die("a failed batch changed the database");
	db_value_free(back);
	db_value_free(s);
	db_abort(outer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!d)
		setup();
	const char *text = (const char *)data;
	split_all(text, size);
	dispatched(text, size);
	batched(text, size);
	return 0;
}
