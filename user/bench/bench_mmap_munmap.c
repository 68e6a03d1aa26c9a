/* mmap + munmap of 1 MiB anonymous memory, untouched.  User space. */
#include <sys/mman.h>
#include "bench.h"

#define SIZE (1L << 20)

static int op(long n)
{
	for (long i = 0; i < n; i++) {
		void *p = mmap(0, SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED || munmap(p, SIZE))
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "mmap_munmap", .unit = "ns/op", .op = op };
