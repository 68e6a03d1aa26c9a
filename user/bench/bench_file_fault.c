/*
 * page fault on a mapped file: map a 1 MiB file in /tmp read-only and
 * private, read one byte of each page, unmap; ns per page touched
 * (mmap+munmap amortised over 256 pages). The file's pages are in
 * memory on both kernels (tmpfs). User space; see bench.h.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

#define PAGE 4096L
#define CHUNK_PAGES 256L
#define PATH "/tmp/bench_file_fault"

static int fd = -1;
static volatile char sink;

static int setup(void)
{
	static char buf[PAGE];

	fd = open(PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	for (long i = 0; i < CHUNK_PAGES; i++) {
		buf[0] = (char)i;
		if (write(fd, buf, PAGE) != PAGE)
			return -1;
	}
	return 0;
}

static int op(long n)
{
	while (n > 0) {
		long m = n < CHUNK_PAGES ? n : CHUNK_PAGES;
		volatile char *p = mmap(0, m * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED)
			return -1;
		for (long i = 0; i < m; i++)
			sink = p[i * PAGE];
		if (munmap((void *)p, m * PAGE))
			return -1;
		n -= m;
	}
	return 0;
}

static void teardown(void)
{
	close(fd);
	unlink(PATH);
}

const struct bench BENCH = { .name = "file_fault", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown };
