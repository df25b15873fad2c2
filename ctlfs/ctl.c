/* ctl.c: the shared control-file tokenizer, verb dispatch and error text. */
#include "ctlfs/ctl.h"
#include "common/orion.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Errno names for the error text; the ones control files use. */
static const struct {
	int err;
	const char *name;
} errnames[] = {
	{EINVAL, "EINVAL"}, {ENOENT, "ENOENT"},   {EACCES, "EACCES"}, {EPERM, "EPERM"},
	{EBUSY, "EBUSY"},   {ENOSPC, "ENOSPC"},   {EBADMSG, "EBADMSG"}, {EFBIG, "EFBIG"},
	{EEXIST, "EEXIST"}, {ENOMEM, "ENOMEM"},   {EIO, "EIO"},       {ENOTDIR, "ENOTDIR"},
	{EISDIR, "EISDIR"}, {EAGAIN, "EAGAIN"},   {EROFS, "EROFS"},   {ENOTEMPTY, "ENOTEMPTY"},
	{ESRCH, "ESRCH"},   {ETIMEDOUT, "ETIMEDOUT"}, {EUCLEAN, "EUCLEAN"},
	{EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {ENOTCONN, "ENOTCONN"}, {ENAMETOOLONG, "ENAMETOOLONG"},
};

/* ctl_errname: the symbolic name of an errno. */
const char *ctl_errname(int err)
{
	int e = err < 0 ? -err : err;
	for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
		if (errnames[i].err == e)
			return errnames[i].name;
	return "EIO";
}

/* ctl_printf: append result text to r. */
void ctl_printf(struct ctl_reply *r, const char *fmt, ...)
{
	if (r->len >= sizeof r->text - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n < sizeof r->text - r->len ? (size_t)n : sizeof r->text - r->len - 1;
}

/* ctl_reason: set the failure reason; returns err. */
int ctl_reason(struct ctl_reply *r, int err, const char *fmt, ...)
{
	if (!r)
		return err;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof r->reason, fmt, ap);
	va_end(ap);
	return err;
}

/* ctl_check: size, NUL and UTF-8 rules of one write. */
int ctl_check(const char *text, size_t len, struct ctl_reply *r)
{
	if (len > CTL_MAX)
		return ctl_reason(r, -EFBIG, "command longer than %d bytes", CTL_MAX);
	if (memchr(text, 0, len))
		return ctl_reason(r, -EINVAL, "NUL byte in command");
	if (!orion_utf8_ok(text, len))
		return ctl_reason(r, -EINVAL, "command is not valid UTF-8");
	return 0;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* ctl_split: the first command of text into a; returns bytes used. */
int ctl_split(const char *text, size_t len, struct ctl_args *a, struct ctl_reply *r)
{
	size_t i = 0, o = 0;
	a->argc = 0;
	a->argv[0] = NULL;
	a->line = text;
	a->linelen = 0;
	if (len > CTL_MAX) /* buf holds CTL_MAX bytes of fields */
		return ctl_reason(r, -EFBIG, "command longer than %d bytes", CTL_MAX);
	while (i < len && text[i] != '\n') {
		if (blank(text[i])) {
			i++;
			continue;
		}
		if (a->argc == CTL_MAXARGS)
			return ctl_reason(r, -EINVAL, "more than %d fields", CTL_MAXARGS);
		a->argv[a->argc++] = a->buf + o;
		/* one field: plain and quoted runs until an unquoted blank */
		while (i < len && text[i] != '\n' && !blank(text[i])) {
			if (text[i] != '\'') {
				a->buf[o++] = text[i++];
				continue;
			}
			for (i++;; i++) {
				if (i >= len)
					return ctl_reason(r, -EINVAL, "unterminated quote");
				if (text[i] == '\'' && !(i + 1 < len && text[i + 1] == '\''))
					break;
				if (text[i] == '\'')
					i++; /* '' inside quotes: one literal quote */
				a->buf[o++] = text[i];
			}
			i++;
		}
		a->buf[o++] = 0;
	}
	a->argv[a->argc] = NULL;
	a->linelen = i;
	while (a->linelen && text[a->linelen - 1] == '\r')
		a->linelen--;
	return (int)(i < len ? i + 1 : i);
}

/* echo: append the command quoted for the error text. */
static void echo(struct ctl_reply *r, const char *s, size_t n)
{
	ctl_printf(r, "\"");
	for (size_t i = 0; i < n && r->len < sizeof r->text - 8; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			ctl_printf(r, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			ctl_printf(r, "\\x%02x", c);
		else
			r->text[r->len++] = (char)c, r->text[r->len] = 0;
	}
	ctl_printf(r, "\"\n");
}

/* ctl_fail: replace r's text with the error line for err and cmd. */
int ctl_fail(struct ctl_reply *r, int err, const char *cmd, size_t len)
{
	const char *why = r->reason[0] ? r->reason : orion_strerror(err); /* project text */
	err = orion_errno(err);
	r->len = 0;
	r->text[0] = 0;
	ctl_printf(r, "error %s %s ", ctl_errname(err), why);
	echo(r, cmd, len);
	return err;
}

static int fail(struct ctl_reply *r, int err, const struct ctl_args *a)
{
	return ctl_fail(r, err, a ? a->line : "", a ? a->linelen : 0);
}

/* ctl_run: find and run the verb of a. */
int ctl_run(const struct ctl_verb *table, size_t n, void *ctx, struct ctl_args *a,
	    struct ctl_reply *r)
{
	r->reason[0] = 0;
	if (a->argc == 0)
		return fail(r, ctl_reason(r, -EINVAL, "empty command"), a);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, a->argv[0]))
			continue;
		int nargs = a->argc - 1;
		if (nargs < table[i].min || nargs > table[i].max)
			return fail(r, ctl_reason(r, -EINVAL, "wrong #args"), a);
		int rc = table[i].fn(ctx, nargs, a->argv + 1, r);
		return rc < 0 ? fail(r, rc, a) : rc;
	}
	return fail(r, ctl_reason(r, -EINVAL, "unknown command"), a);
}

/* ctl_dispatch: check, split and run a one-command write. */
int ctl_dispatch(const struct ctl_verb *table, size_t n, void *ctx, const char *text,
		 size_t len, struct ctl_reply *r)
{
	struct ctl_args a;
	r->len = 0;
	r->text[0] = r->reason[0] = 0;
	int rc = ctl_check(text, len, r);
	if (rc < 0)
		return fail(r, rc, NULL);
	if ((rc = ctl_split(text, len, &a, r)) < 0)
		return fail(r, rc, NULL);
	if ((size_t)rc < len) {
		a.linelen = len;
		while (a.linelen && (text[a.linelen - 1] == '\n' || text[a.linelen - 1] == '\r'))
			a.linelen--;
		return fail(r, ctl_reason(r, -EINVAL, "one command per write"), &a);
	}
	return ctl_run(table, n, ctx, &a, r);
}
