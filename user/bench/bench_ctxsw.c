/*
 * context switch between two processes over pipes (lmbench lat_ctx style,
 * zero-size working set): a token bounces between parent and child over
 * two pipes; each round trip is two switches plus two write+read pairs.
 * The cost of a write+read pair on one pipe within one process (no switch)
 * is measured first and subtracted, so the figure is ns per switch.
 * User space; see bench.h.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int a[2], b[2], self[2];
static pid_t child = -1;
static double overhead;

static int self_op(long n)
{
	char c = 'x';

	for (long i = 0; i < n; i++)
		if (write(self[1], &c, 1) != 1 || read(self[0], &c, 1) != 1)
			return -1;
	return 0;
}

static int setup(void)
{
	if (pipe(self))
		return -1;
	overhead = bench_measure(self_op, 3, 0, 0, 0);
	close(self[0]);
	close(self[1]);
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

/* round trip = 2 switches + 2 (write+read) */
static double adjust(double rt)
{
	double sw = (rt - 2 * overhead) / 2;

	return sw > 0 ? sw : 0;
}

const struct bench BENCH = { .name = "ctxsw", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown, .adjust = adjust };
