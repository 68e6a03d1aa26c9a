/* open + close of an existing file, /tmp/.bench_oc.  User space. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"

#define PATH "/tmp/.bench_oc"

static int setup(void)
{
	int fd;

	mkdir("/tmp", 01777);
	fd = open(PATH, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	return close(fd);
}

static int op(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(PATH, O_RDONLY);

		if (fd < 0 || close(fd))
			return -1;
	}
	return 0;
}

static void teardown(void) { unlink(PATH); }

const struct bench BENCH = { .name = "open_close", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown };
