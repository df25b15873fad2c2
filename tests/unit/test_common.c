/* test_common.c: the helpers of common/ that no subsystem's tests reach
 * directly. */
#include <check.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/orion.h"
#include "tests/unit/unit.h"

enum { PAGES = 8 };

/* resident: which of the PAGES pages at p are mapped in, as a bit mask. */
static unsigned resident(void *p, size_t ps)
{
	unsigned char v[PAGES];
	unsigned mask = 0;
	ck_assert_int_eq(mincore(p, PAGES * ps, v), 0);
	for (unsigned i = 0; i < PAGES; i++)
		mask |= (unsigned)(v[i] & 1) << i;
	return mask;
}

/* orion_populate maps in the whole pages of its range, and only those: a
 * page the range covers in part may belong to someone else's block. */
START_TEST(populate_maps_whole_pages_only)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_uint_eq(resident(p, ps), 0);
	orion_populate(p + 100, 6 * ps); /* pages 1-5 whole, 0 and 6 in part */
	ck_assert_uint_eq(resident(p, ps), 0x3eu);
	orion_populate(p + 7 * ps, 10); /* no whole page: nothing */
	ck_assert_uint_eq(resident(p, ps), 0x3eu);
	ck_assert_int_eq(munmap(p, PAGES * ps), 0);
}
END_TEST

/* It is a hint: memory it may not write is left alone, without a fault. */
START_TEST(populate_ignores_what_it_cannot_map)
{
	size_t ps = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, PAGES * ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	orion_populate(p, PAGES * ps);
	ck_assert_uint_eq(resident(p, ps), 0);
	ck_assert_int_eq(munmap(p, PAGES * ps), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("common");
	TCase *t = tcase_create("populate");
	tcase_add_test(t, populate_maps_whole_pages_only);
	tcase_add_test(t, populate_ignores_what_it_cannot_map);
	suite_add_tcase(s, t);
	return unit_run(s);
}
