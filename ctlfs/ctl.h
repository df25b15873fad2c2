/*
 * ctl.h: control files (design section 3): the one shared tokenizer, verb
 * tables with argument counts, the error text every control file returns,
 * and the batch verbs of /ctl/db.
 *
 * Conventions
 *  - One command per write(): UTF-8 text of at most CTL_MAX bytes (more:
 *    -EFBIG), no NUL byte, an optional trailing newline.  (A batch file such
 *    as /ctl/db takes several newline-separated commands in one write.)
 *  - Fields are split on blanks (space, tab, CR).  A quote ' starts quoted
 *    text, as in rc: blanks and newlines inside are kept, '' inside stands
 *    for one quote, and quoted and plain text next to each other join into
 *    one field ('a b'c is "a bc"; '' alone is an empty field).
 *  - Verbs are lowercase and looked up in a table (struct ctl_verb) that
 *    gives their argument counts.
 *  - A failing command returns a negative errno (at the system boundary,
 *    never a project code), and its reply holds the text
 *        error EINVAL wrong #args "kill 9 x"
 *    (errno name, reason, the command echoed), which the FUSE side serves
 *    to a read on the same fd and sends to the audit log.  A command that
 *    succeeds leaves its result (possibly empty) in the reply.
 *
 * Caveats
 *  - argv strings point into the struct ctl_args they came from.
 *  - Pure functions: nothing here does I/O or keeps state between calls, so
 *    any number of threads may call them at once on different arguments.
 */
#ifndef ORION_CTL_H
#define ORION_CTL_H

#include <stddef.h>

#include "common/orion.h"
#include "db/db.h"

#define CTL_MAX 4096    /* bytes in one write() */
#define CTL_MAXARGS 64  /* fields in one command, the verb included */

/* One command split into fields. */
struct ctl_args {
	int argc;                   /* fields, the verb first; 0 for a blank line */
	char *argv[CTL_MAXARGS + 1];  /* NUL-terminated, argv[argc] == NULL */
	const char *line;           /* the command as written (for the echo) */
	size_t linelen;             /* without its newline */
	char buf[CTL_MAX + CTL_MAXARGS];
};

/* A command's reply: result text, or the error text. */
struct ctl_reply {
	size_t len;
	char text[CTL_MAX + 1024]; /* NUL-terminated */
	char reason[512];          /* set by ctl_reason; "" = the errno's text */
};

/* ctl_check: a whole write: -EFBIG over CTL_MAX bytes, -EINVAL (reason in
 * r, if not NULL) for a NUL byte or text that is not UTF-8. */
int ctl_check(const char *text, size_t len, struct ctl_reply *r);

/* ctl_split: split the first command of text (len bytes) into a.  Returns
 * the bytes it used (through the newline that ends the command), 0 when
 * text is empty; -EINVAL with the reason in r (if not NULL) for an
 * unterminated quote or more than CTL_MAXARGS fields. */
int ctl_split(const char *text, size_t len, struct ctl_args *a, struct ctl_reply *r);

/* A verb's handler: 0 (or a count) on success, result text appended with
 * ctl_printf; a negative errno on failure, the reason set with
 * ctl_reason (else the errno's text is used). */
typedef int (*ctl_fn)(void *ctx, int argc, char **argv, struct ctl_reply *r);

struct ctl_verb {
	const char *name;
	int min, max; /* argument counts, the verb not counted */
	ctl_fn fn;
};

/* ctl_run: look up a->argv[0] in the n verbs of table and run it with ctx;
 * on any failure r holds the error text.  Returns the handler's result,
 * -EINVAL for an unknown verb, a wrong argument count or an empty command.
 * Project codes are mapped to errnos (orion_errno). */
int ctl_run(const struct ctl_verb *table, size_t n, void *ctx, struct ctl_args *a,
	    struct ctl_reply *r);

/* ctl_dispatch: the whole path of a one-command control file: check the
 * write, split it, refuse a second command (-EINVAL), run it. */
int ctl_dispatch(const struct ctl_verb *table, size_t n, void *ctx, const char *text,
		 size_t len, struct ctl_reply *r);

/* ctl_printf: append result text to r (cut at its size). */
void ctl_printf(struct ctl_reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ctl_reason: set the reason a handler fails with; returns err. */
int ctl_reason(struct ctl_reply *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ctl_fail: set r's text to the error line for err (its reason from r, or
 * the errno's text) echoing cmd (len bytes); returns err as an errno. */
int ctl_fail(struct ctl_reply *r, int err, const char *cmd, size_t len);

/* ctl_errname: "EINVAL" for EINVAL (negative or positive), "EIO" for an
 * errno the table lacks. */
const char *ctl_errname(int err);

/* ctl_db_batch: the /ctl/db file: text holds lines of
 *     put KEY VALUE      (VALUE stored as a string)
 *     del KEY            (ENOENT if absent)
 * (blank lines skipped), applied all or none in one transaction of d.
 * Success: 0, reply "ok N\n" (N commands applied).  Failure: a negative
 * errno, nothing applied, reply "error ENAME reason "failing command"". */
int ctl_db_batch(db *d, const char *text, size_t len, struct ctl_reply *r);

#endif
