/* dbctl.c: the /ctl/db batch file: put and del lines, all or none. */
#include "ctlfs/ctl.h"

#include <errno.h>
#include <string.h>

struct batch {
	db *d;
	db_txn *t;
};

/* db_reason: carry OrionDB's message (it names the key) into the reply. */
static int db_reason(struct ctl_reply *r, int rc)
{
	return ctl_reason(r, rc, "%s", db_errmsg());
}

/* put KEY VALUE: store VALUE as a string. */
static int v_put(void *ctx, int argc, char **argv, struct ctl_reply *r)
{
	struct batch *b = ctx;
	db_value *v = db_value_string(argv[1], strlen(argv[1]));
	if (!v)
		return -ENOMEM;
	int rc = db_put(b->d, b->t, argv[0], v);
	db_value_free(v);
	return rc < 0 ? db_reason(r, rc) : 0;
}

/* del KEY */
static int v_del(void *ctx, int argc, char **argv, struct ctl_reply *r)
{
	struct batch *b = ctx;
	int rc = db_delete(b->d, b->t, argv[0]);
	if (rc == -ENOENT)
		return ctl_reason(r, rc, "no such key");
	return rc < 0 ? db_reason(r, rc) : 0;
}

static const struct ctl_verb db_verbs[] = {
	{"put", 2, 2, v_put},
	{"del", 1, 1, v_del},
};

/* line_len: bytes of the first line of text (len bytes, not
 * NUL-terminated), its newline left out. */
static size_t line_len(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	return nl ? (size_t)(nl - text) : len;
}

/* ctl_db_batch: apply every line of text in one transaction, or none. */
int ctl_db_batch(db *d, const char *text, size_t len, struct ctl_reply *r)
{
	struct ctl_args a;
	struct batch b = {d, NULL};
	int rc, n = 0;
	r->len = 0;
	r->text[0] = r->reason[0] = 0;
	if ((rc = ctl_check(text, len, r)) < 0)
		return ctl_fail(r, rc, "", 0);
	if ((rc = db_begin(d, 0, &b.t)) < 0)
		return ctl_fail(r, db_reason(r, rc), "", 0);
	for (size_t off = 0; off < len; off += (size_t)rc) {
		if ((rc = ctl_split(text + off, len - off, &a, r)) < 0) {
			rc = ctl_fail(r, rc, text + off, line_len(text + off, len - off));
			break;
		}
		if (a.argc == 0)
			continue;
		int x = ctl_run(db_verbs, sizeof db_verbs / sizeof db_verbs[0], &b, &a, r);
		if (x < 0) {
			rc = x;
			break;
		}
		n++;
	}
	if (rc < 0) {
		db_abort(b.t);
		return rc;
	}
	if ((rc = db_commit(b.t, 0)) < 0)
		return ctl_fail(r, db_reason(r, rc), "commit", 6);
	r->len = 0;
	ctl_printf(r, "ok %d\n", n);
	return 0;
}
