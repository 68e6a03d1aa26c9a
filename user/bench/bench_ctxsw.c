/*
 * context switch between two processes over pipes (lmbench lat_ctx style,
 * zero-size working set): a token bounces between parent and child over
 * two pipes; each round trip is two switches plus two write+read pairs.
 * The cost of a write+read pair on one pipe within one process (no switch)
 * is measured first and subtracted, so the figure is ns per switch.
 * User space; see bench.h.
 */
#include <unistd.h>
#include "bench.h"

static int self[2];
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
	return bench_echo_start();
}

/* round trip = 2 switches + 2 (write+read) */
static double adjust(double rt)
{
	double sw = (rt - 2 * overhead) / 2;

	return sw > 0 ? sw : 0;
}

const struct bench BENCH = { .name = "ctxsw", .unit = "ns/op",
	.setup = setup, .op = bench_echo_roundtrips, .teardown = bench_echo_stop, .adjust = adjust };
