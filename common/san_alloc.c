/*
 * san_alloc.c: large blocks kept for reuse, in ASan builds only: SAN=1
 * links this file into every program and test, and the fuzzers that
 * reach LMDB (fuzz_ofs, fuzz_image, fuzz_ctl) compile it in; no other
 * build uses it.
 *
 * LMDB allocates about 3 MiB (a dirty-page list and a free-page list) at
 * the start of every nested transaction, that is of every call in a batch,
 * and frees it at the end.  ASan serves each block over 128 KiB with a
 * fresh mmap, poisons its shadow, and unmaps both at free; on a virtual
 * machine where a page fault traps to the hypervisor that costs 2-4 ms a
 * call (measured: 2.6 ms per 2 MiB malloc and free), which made the
 * sanitizer run of the suite 30 times slower than the plain one.  Here a
 * freed block of SAN_BIG to SAN_MAX bytes waits, poisoned, for the next
 * request of the same size.  Each block stays one ASan chunk, redzones and
 * all, for its whole life, so overflows are caught as before; a touch of a
 * block while it waits is reported as a use-after-poison, and freeing it
 * again as a double free.  Only malloc, calloc and free are replaced (ASan
 * defines them weak); realloc and the aligned allocators stay ASan's,
 * which is right for any live block, ours included.
 */
#include <pthread.h>
#include <sanitizer/allocator_interface.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ASan's own entry points, which the weak malloc, calloc and free alias. */
void *__interceptor_malloc(size_t n);
void *__interceptor_calloc(size_t n, size_t size);
void __interceptor_free(void *p);

enum {
	SAN_BIG = 256 << 10, /* ASan's size-class allocator serves less */
	SAN_MAX = 16 << 20,  /* bigger blocks are rare: not worth holding */
	SAN_SLOTS = 16       /* a nested transaction holds two at a time */
};

static struct {
	void *p;
	size_t n;
} san_slot[SAN_SLOTS];
static int san_nslot;
static pthread_mutex_t san_lock = PTHREAD_MUTEX_INITIALIZER;

/* san_take: a waiting block of exactly n bytes, taken off the list, or NULL. */
static void *san_take(size_t n)
{
	void *p = NULL;
	pthread_mutex_lock(&san_lock);
	for (int i = 0; i < san_nslot; i++)
		if (san_slot[i].n == n) {
			p = san_slot[i].p;
			san_slot[i] = san_slot[--san_nslot];
			break;
		}
	pthread_mutex_unlock(&san_lock);
	return p;
}

/* san_keep: put block p of n bytes on the list; 0 when the list is full.
 * A block already there is being freed twice: reported, then abort. */
static int san_keep(void *p, size_t n)
{
	int kept = 0;
	pthread_mutex_lock(&san_lock);
	for (int i = 0; i < san_nslot; i++)
		if (san_slot[i].p == p) {
			pthread_mutex_unlock(&san_lock);
			fprintf(stderr, "san_alloc: double free of %p (%zu bytes)\n", p, n);
			__sanitizer_print_stack_trace();
			abort();
		}
	if (san_nslot < SAN_SLOTS) {
		__asan_poison_memory_region(p, n);
		san_slot[san_nslot].p = p;
		san_slot[san_nslot++].n = n;
		kept = 1;
	}
	pthread_mutex_unlock(&san_lock);
	return kept;
}

/* malloc: a waiting block of the size asked for, else ASan's. */
void *malloc(size_t n)
{
	void *p = n >= SAN_BIG && n <= SAN_MAX ? san_take(n) : NULL;
	if (!p)
		return __interceptor_malloc(n);
	__asan_unpoison_memory_region(p, n);
	return p;
}

/* calloc: as malloc, zeroed. */
void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return __interceptor_calloc(n, size); /* ASan reports the overflow */
	if (n * size < SAN_BIG)
		return __interceptor_calloc(n, size);
	void *p = malloc(n * size);
	return p ? memset(p, 0, n * size) : NULL;
}

/* free: a big block waits for reuse while the list has room; anything
 * else, a pointer ASan does not know included, goes to ASan. */
void free(void *p)
{
	if (!p)
		return;
	if (__sanitizer_get_ownership(p)) {
		size_t n = __sanitizer_get_allocated_size(p);
		if (n >= SAN_BIG && n <= SAN_MAX && san_keep(p, n))
			return;
	}
	__interceptor_free(p);
}
