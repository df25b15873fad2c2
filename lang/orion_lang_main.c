/*
 * orion-lang: run an OrionLang script, a one-liner (-e) or the REPL.
 *
 *   orion-lang [options] [FILE [ARGS...]]
 *   orion-lang [options] -e CODE [ARGS...]
 *
 * Exit status: the script's (0, or proc.exit's code), 1 on an uncaught
 * error or a limit, 2 on bad usage.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <editline/readline.h>

#include "common/orion.h"
#include "lang/lang.h"
#include "lang/orion_lang_db.h"

static void usage(FILE *f)
{
	fputs("usage: orion-lang [options] [FILE [ARGS...]]\n"
	      "       orion-lang [options] -e CODE [ARGS...]\n"
	      "Runs an OrionLang script; with no FILE, starts the REPL (or runs\n"
	      "standard input when it is not a terminal).\n"
	      "options:\n"
	      "  -e CODE          run CODE\n"
	      "  --steps N        step budget (calls and loop iterations)\n"
	      "  --mem BYTES      memory cap (suffixes k, m, g)\n"
	      "  --timeout SECS   wall-clock deadline\n"
	      "  --db IMAGE       back the db module by OrionDB on the orion image IMAGE\n"
	      "                   (not mounted read-write) instead of an in-memory store\n"
	      "  --deny-all       withhold clock, env, stdin, fs and db (as in a capsule)\n"
	      "  --sandbox        same as --deny-all\n"
	      "  --help           this help\n"
	      "  --version        print the version\n", f);
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -1;
	unsigned long long mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1024; end++; break;
	case 'm': case 'M': mul = 1024 * 1024; end++; break;
	case 'g': case 'G': mul = 1024ULL * 1024 * 1024; end++; break;
	default: break;
	}
	if ((*end == 'b' || *end == 'B') && mul > 1)
		end++;
	if (*end || v > (unsigned long long)SIZE_MAX / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static char *read_all(FILE *f, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	size_t r;
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Map a run status to the exit status, printing the error report. */
static int finish(lang_state *L, int st)
{
	fflush(stdout);
	if (st == LANG_OK)
		return 0;
	if (st == LANG_EEXIT)
		return lang_exit_code(L);
	fputs(lang_error_report(L), stderr);
	return 1;
}

static lang_state *running;

/* Ctrl-C while code runs stops it; at the prompt libedit handles it. */
static void on_sigint(int sig)
{
	(void)sig;
	if (running)
		lang_interrupt(running);
}

static void print_result(lang_state *L, lang_value v)
{
	if (lang_typeof(v) == LANG_NIL)
		return;
	if (lang_typeof(v) == LANG_STRING) {
		/* show strings quoted, as inside lists */
		lang_value l = lang_list_new(L);
		lang_list_push(L, l, v);
		lang_value s = lang_tostr(L, l);
		size_t n;
		const char *p = lang_to_string(s, &n);
		printf("%.*s\n", (int)(n - 2), p + 1);
	} else {
		size_t n;
		const char *p = lang_to_string(lang_tostr(L, v), &n);
		printf("%.*s\n", (int)n, p);
	}
	fflush(stdout);
}

static int repl(lang_state *L, const struct lang_limits *lim)
{
	char hist[4096] = "";
	const char *home = getenv("HOME");
	if (home) {
		snprintf(hist, sizeof hist, "%s/.orion_lang_history", home);
		read_history(hist);
	}
	printf("OrionLang %s (Ctrl-D to quit)\n", LANG_VERSION);
	char *acc = NULL;
	size_t acclen = 0;
	int status = 0;
	for (;;) {
		char *line = readline(acc ? "... " : "> ");
		if (!line) {
			if (acc) {
				free(acc);
				acc = NULL;
				acclen = 0;
				putchar('\n');
				continue;
			}
			break;
		}
		size_t n = strlen(line);
		char *na = realloc(acc, acclen + n + 2);
		if (!na) {
			free(line);
			break;
		}
		acc = na;
		memcpy(acc + acclen, line, n);
		acclen += n;
		acc[acclen++] = '\n';
		acc[acclen] = 0;
		free(line);
		if (lang_incomplete(L, acc, acclen))
			continue;
		/* one history entry per complete input */
		char *h = strdup(acc);
		if (h) {
			h[acclen - 1] = 0; /* the final newline */
			if (*h)
				add_history(h);
			free(h);
		}
		lang_set_limits(L, lim);
		lang_value v;
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_sigint;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, &old);
		running = L;
		int st = lang_run_repl(L, "<repl>", acc, acclen, &v);
		running = NULL;
		sigaction(SIGINT, &old, NULL);
		free(acc);
		acc = NULL;
		acclen = 0;
		if (st == LANG_OK) {
			print_result(L, v);
		} else if (st == LANG_EEXIT) {
			status = lang_exit_code(L);
			break;
		} else {
			fflush(stdout);
			fputs(lang_error_report(L), stderr);
		}
	}
	if (*hist)
		write_history(hist);
	free(acc);
	return status;
}

int main(int argc, char **argv)
{
	struct lang_limits lim = { 0, 0, 0 };
	bool deny = false;
	const char *code = NULL, *dbpath = NULL;
	int i;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !strcmp(a, "-"))
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--version")) {
			printf("orion-lang %s\n", LANG_VERSION);
			return 0;
		}
		if (!strcmp(a, "--deny-all") || !strcmp(a, "--sandbox")) {
			deny = true;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "orion-lang: %s needs a value\n", a);
			usage(stderr);
			return 2;
		}
		const char *v = argv[++i];
		if (!strcmp(a, "-e")) {
			code = v;
			i++;
			break;
		} else if (!strcmp(a, "--db")) {
			dbpath = v;
		} else if (!strcmp(a, "--steps")) {
			char *end;
			errno = 0;
			lim.steps = strtoull(v, &end, 10);
			if (errno || *end || *v == '-' || end == v) {
				fprintf(stderr, "orion-lang: bad --steps value '%s'\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--mem")) {
			if (parse_size(v, &lim.mem_bytes)) {
				fprintf(stderr, "orion-lang: bad --mem value '%s'\n", v);
				return 2;
			}
		} else if (!strcmp(a, "--timeout")) {
			char *end;
			double s = strtod(v, &end);
			if (*end || end == v || !(s >= 0) || s > 1e9) {
				fprintf(stderr, "orion-lang: bad --timeout value '%s'\n", v);
				return 2;
			}
			lim.deadline_ns = (uint64_t)(s * 1e9);
			if (s > 0 && !lim.deadline_ns)
				lim.deadline_ns = 1;
		} else {
			fprintf(stderr, "orion-lang: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (dbpath && deny) {
		fprintf(stderr, "orion-lang: --db and --deny-all exclude each other\n");
		return 2;
	}
	int rdonly, rc;
	if (dbpath && (rc = olang_db_open(dbpath, &rdonly)) < 0) {
		fprintf(stderr, "orion-lang: --db %s: %s\n", dbpath, orion_strerror(rc));
		return 2;
	}
	lang_state *L = lang_new(&lim);
	if (!L) {
		fprintf(stderr, "orion-lang: out of memory\n");
		olang_db_close();
		return 1;
	}
	if (!deny) {
		lang_grant_clock(L);
		lang_grant_env(L);
		lang_grant_stdin(L);
		lang_open_host_fs(L);
		if (dbpath)
			olang_db_bind(L);
		else
			lang_open_memory_db(L);
	}
	int st;
	if (code) {
		lang_set_args(L, argc - i, argv + i);
		lang_set_limits(L, &lim);
		st = lang_run(L, "<e>", code, strlen(code), NULL);
		rc = finish(L, st);
	} else if (i < argc) {
		const char *path = argv[i];
		FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
		if (!f) {
			fprintf(stderr, "orion-lang: %s: %s\n", path, strerror(errno));
			lang_close(L);
			olang_db_close();
			return 2;
		}
		size_t len;
		char *src = read_all(f, &len);
		if (f != stdin)
			fclose(f);
		if (!src) {
			fprintf(stderr, "orion-lang: %s: cannot read\n", path);
			lang_close(L);
			olang_db_close();
			return 2;
		}
		lang_set_args(L, argc - i - 1, argv + i + 1);
		lang_set_limits(L, &lim);
		st = lang_run(L, path, src, len, NULL);
		rc = finish(L, st);
		free(src);
	} else if (!isatty(0)) {
		size_t len;
		char *src = read_all(stdin, &len);
		if (!src) {
			fprintf(stderr, "orion-lang: cannot read standard input\n");
			lang_close(L);
			olang_db_close();
			return 2;
		}
		lang_set_limits(L, &lim);
		st = lang_run(L, "<stdin>", src, len, NULL);
		rc = finish(L, st);
		free(src);
	} else {
		rc = repl(L, &lim);
	}
	fflush(stdout);
	lang_close(L);
	olang_db_close();
	return rc;
}
