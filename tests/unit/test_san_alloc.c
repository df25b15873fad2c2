/* test_san_alloc.c: the cache of large blocks that sanitizer builds link
 * in (common/san_alloc.c), built and run only with SAN=1: a freed block
 * waits poisoned, comes back whole for a request of its size, and every
 * misuse ASan would catch without the cache is still caught. */
#include <check.h>
#include <sanitizer/asan_interface.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/unit.h"

/* not a multiple of a page: the tail of its last page is a redzone */
enum { BIG = (2 << 20) + 100 };

START_TEST(freed_block_waits_poisoned_and_comes_back)
{
	unsigned char *p = malloc(BIG);
	ck_assert_ptr_nonnull(p);
	memset(p, 7, BIG);
	free(p);
	ck_assert(__asan_address_is_poisoned(p));
	ck_assert(__asan_address_is_poisoned(p + BIG - 1));
	unsigned char *q = malloc(BIG);
	ck_assert_ptr_eq(q, p);
	ck_assert(__asan_region_is_poisoned(q, BIG) == NULL);
	ck_assert(__asan_address_is_poisoned(q + BIG)); /* the redzone is kept */
	free(q);
}
END_TEST

START_TEST(other_sizes_get_other_blocks)
{
	unsigned char *p = malloc(BIG);
	free(p);
	unsigned char *q = malloc(BIG + 4096), *s = malloc(1000);
	ck_assert_ptr_ne(q, p);
	ck_assert_ptr_ne(s, p);
	free(q);
	free(s);
}
END_TEST

START_TEST(calloc_zeroes_a_reused_block)
{
	unsigned char *p = malloc(BIG);
	memset(p, 0xa5, BIG);
	free(p);
	unsigned char *q = calloc(1, BIG);
	ck_assert_ptr_eq(q, p);
	for (size_t i = 0; i < BIG; i += 4093)
		ck_assert_uint_eq(q[i], 0);
	ck_assert_uint_eq(q[BIG - 1], 0);
	free(q);
}
END_TEST

/* a read of a waiting block is ASan's report (printed: this test's
 * output shows it), whose exit status is 1 */
START_TEST(use_of_a_waiting_block_is_reported)
{
	volatile unsigned char *p = malloc(BIG);
	free((void *)p);
	(void)p[BIG / 2];
}
END_TEST

START_TEST(double_free_is_reported)
{
	void *volatile p = malloc(BIG); /* volatile: kept, not elided */
	free(p);
	free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("san_alloc");
	TCase *t = tcase_create("cache");
	tcase_add_test(t, freed_block_waits_poisoned_and_comes_back);
	tcase_add_test(t, other_sizes_get_other_blocks);
	tcase_add_test(t, calloc_zeroes_a_reused_block);
	tcase_add_exit_test(t, use_of_a_waiting_block_is_reported, 1);
	tcase_add_test_raise_signal(t, double_free_is_reported, SIGABRT);
	suite_add_tcase(s, t);
	return unit_run(s);
}
