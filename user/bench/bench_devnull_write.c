/* write(2) of 1 byte to /dev/null.  User space; see bench.h. */
#include <fcntl.h>
#include <unistd.h>
#include "bench.h"

static int fd = -1;

static int setup(void)
{
	fd = open("/dev/null", O_WRONLY);
	return fd < 0 ? -1 : 0;
}

static int op(long n)
{
	char c = 'x';

	for (long i = 0; i < n; i++)
		if (write(fd, &c, 1) != 1)
			return -1;
	return 0;
}

static void teardown(void) { close(fd); }

const struct bench BENCH = { .name = "devnull_write", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown };
