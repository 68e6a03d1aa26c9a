/* io_devzero: the memory devices' reads and writes (/dev/zero, /dev/null,
 * /dev/full, /dev/urandom), including a /dev/zero read that runs into an
 * unmapped page: it returns the bytes cleared before the hole. */
#include "t.h"
#include <fcntl.h>
#include <sys/mman.h>

static long sum(const char *b, long n)
{
	long s = 0;
	for (long i = 0; i < n; i++)
		s += (unsigned char)b[i];
	return s;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	static char b[10000];
	memset(b, 7, sizeof b);
	int z = open("/dev/zero", O_RDONLY), n = open("/dev/null", O_RDWR), f = open("/dev/full", O_WRONLY);
	int u = open("/dev/urandom", O_RDONLY);
	CHECK(z >= 0 && n >= 0 && f >= 0 && u >= 0, "open the memory devices");
	char c = 9;
	SAY("zero 1 byte: %ld, byte %d\n", (long)read(z, &c, 1), c);
	SAY("zero 9000 bytes: %ld, sum of the 10000 %ld\n", (long)read(z, b, 9000), sum(b, sizeof b));
	SAY("null read %ld write %ld\n", (long)read(n, b, 10), (long)write(n, b, 10));
	CHECK_ERR(write(f, b, 1), ENOSPC, "write to /dev/full");
	SAY("full read %ld\n", (long)read(open("/dev/full", O_RDONLY), b, 5));
	CHECK(read(u, b, 600) == 600, "600 random bytes");
	char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED && munmap(m + 4096, 4096) == 0, "a page followed by a hole");
	memset(m, 5, 4096);
	SAY("zero into the hole: %ld, sum of the page %ld\n", (long)read(z, m + 4096 - 1000, 3000), sum(m, 4096));
	SAY("zero at its start: %ld\n", (long)read(z, m + 4095, 1));
	CHECK_ERR(read(z, m + 4096, 10), EFAULT, "zero into the hole itself");
	CHECK_ERR(read(z, (char *)8, 1), EFAULT, "zero to a bad address");
	int p = open("/dev/zero", O_PATH);
	CHECK_ERR(read(p, b, 1), EBADF, "read through O_PATH");
	int d = dup(z);
	SAY("zero through a dup: %ld\n", (long)read(d, b, 100));
	return t_done();
}
