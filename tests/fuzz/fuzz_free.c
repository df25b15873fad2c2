/* fuzz_free.c: libFuzzer target for ofs_free_tail, which reads LMDB's
 * free list out of an image file with pread when the file ends before
 * the pages its meta page counts.  Each input is such a file, page after
 * page (the seed is a small LMDB environment with a free list); the
 * walk may find anything at all there and must neither crash, nor read
 * past the file, nor hang, nor leak. */
#include "orionfs/internal.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PAGE = 4096 };

/* LLVMFuzzerTestOneInput: the input as an image file; the last byte says
 * how many pages past its end are sought. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("image", MFD_CLOEXEC);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	uint64_t pages = size / PAGE, n = size ? 1 + data[size - 1] % 64 : 1;
	(void)ofs_free_tail(fd, PAGE, pages, pages, n);
	(void)ofs_free_tail(fd, PAGE, pages, 2, pages > 2 ? pages - 2 : 0);
	close(fd);
	return 0;
}
