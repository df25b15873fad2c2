/* mem.c: memory helpers every subsystem may use. */
#include "common/orion.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* orion_populate: see orion.h. */
void orion_populate(void *p, size_t n)
{
	uintptr_t ps = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + ps - 1) & ~(ps - 1), hi = ((uintptr_t)p + n) & ~(ps - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}
