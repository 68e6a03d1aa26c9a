/*
 * pipe round-trip latency between two processes: the parent writes 1 byte
 * into pipe A, the child echoes it back through pipe B.  Reports ns per
 * round trip.  User space; see bench.h.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int a[2], b[2];
static pid_t child = -1;

static int setup(void)
{
	if (pipe(a) || pipe(b))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		char c;

		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1)
			if (write(b[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	return 0;
}

static int op(long n)
{
	char c = 'x';

	for (long i = 0; i < n; i++)
		if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
			return -1;
	return 0;
}

static void teardown(void)
{
	close(a[1]);
	close(b[0]);
	if (child > 0)
		waitpid(child, NULL, 0);
}

const struct bench BENCH = { .name = "pipe_lat", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown };
