/*
 * fuzz_lang.c: libFuzzer target over OrionLang parse + compile + run, with
 * tight limits (steps, memory, deadline) and no host modules. Any crash,
 * sanitizer report or leak is a bug; script errors are expected.
 */
#include <stddef.h>
#include <stdint.h>

#include "lang/lang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int discard(void *ud, int stream, const char *buf, size_t n)
{
	(void)ud;
	(void)stream;
	(void)buf;
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lang_limits lim = {
		.steps = 20000,
		.mem_bytes = 4u << 20,
		.deadline_ns = 2000000000ull,
	};
	lang_state *L = lang_new(&lim);
	if (!L)
		return 0;
	lang_set_writer(L, discard, NULL);
	lang_value result;
	int st = lang_run(L, "fuzz.ol", (const char *)data, size, &result);
	if (st != 0) {
		(void)lang_error_message(L);
		(void)lang_error_report(L);
	} else {
		lang_value s = lang_tostr(L, result);
		(void)lang_to_string(s, NULL);
	}
	/* The REPL paths: completeness check and globals-defining run. */
	lang_set_limits(L, &lim);
	(void)lang_incomplete(L, (const char *)data, size);
	lang_set_limits(L, &lim);
	(void)lang_run_repl(L, "repl", (const char *)data, size, NULL);
	/* The state stays usable after any failure. */
	lang_set_limits(L, &lim);
	lang_run(L, "again.ol", "let x = [1, 2] x.push(3) str(x)", 31, NULL);
	lang_close(L);
	return 0;
}
