/*
 * anonymous page fault: map fresh anonymous memory 1 MiB (256 pages) at a
 * time, write one byte to each page, unmap.  Reports ns per page touched
 * (mmap+munmap amortised over 256 faults).  User space; see bench.h.
 */
#include <sys/mman.h>
#include "bench.h"

#define PAGE 4096L
#define CHUNK_PAGES 256L

static int op(long n)
{
	while (n > 0) {
		long m = n < CHUNK_PAGES ? n : CHUNK_PAGES;
		volatile char *p = mmap(0, m * PAGE, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return -1;
		for (long i = 0; i < m; i++)
			p[i * PAGE] = 1;
		if (munmap((void *)p, m * PAGE))
			return -1;
		n -= m;
	}
	return 0;
}

const struct bench BENCH = { .name = "page_fault", .unit = "ns/op", .op = op };
