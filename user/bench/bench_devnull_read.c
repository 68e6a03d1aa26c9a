/* read(2) of 1 byte from /dev/null (returns 0, EOF).  User space; see bench.h. */
#include <fcntl.h>
#include <unistd.h>
#include "bench.h"

static int fd = -1;

static int setup(void)
{
	fd = open("/dev/null", O_RDONLY);
	return fd < 0 ? -1 : 0;
}

static int op(long n)
{
	char c;

	for (long i = 0; i < n; i++)
		if (read(fd, &c, 1) < 0)
			return -1;
	return 0;
}

static void teardown(void) { close(fd); }

const struct bench BENCH = { .name = "devnull_read", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown };
