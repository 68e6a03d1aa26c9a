/*
 * file create + write 4 KiB + close + unlink in /tmp (tmpfs on Linux).
 * User space; see bench.h.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bench.h"

#define PATH "/tmp/.bench_cwcu"

static char buf[4096];

static int setup(void)
{
	mkdir("/tmp", 01777);
	unlink(PATH);
	return 0;
}

static int op(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open(PATH, O_CREAT | O_EXCL | O_WRONLY, 0644);

		if (fd < 0)
			return -1;
		if (write(fd, buf, sizeof buf) != (long)sizeof buf)
			return -1;
		if (close(fd) || unlink(PATH))
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "file_cwcu", .unit = "ns/op",
	.setup = setup, .op = op };
