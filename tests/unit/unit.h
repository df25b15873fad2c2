/*
 * unit.h: what the Check unit tests share (header only, so each test
 * binary stays one source file).
 */
#ifndef ORION_UNIT_H
#define ORION_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

/* unit_run: run suite s with the normal report; the process exit status. */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* unit_rand: the next number of the xorshift64 sequence at *s (never 0
 * unless *s is), for random tests that must repeat. */
static inline uint64_t unit_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* unit_tmpdir: make a fresh private directory under /tmp into dir (at
 * least 32 bytes), failing the test if it cannot. */
static inline void unit_tmpdir(char *dir)
{
	snprintf(dir, 32, "/tmp/orion-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* unit_rmtree: remove dir and everything below it, failing the test if
 * that fails. */
static inline void unit_rmtree(const char *dir)
{
	char cmd[96];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

#endif
