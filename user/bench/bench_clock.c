/*
 * clock_gettime(CLOCK_MONOTONIC) as libc calls it (through the vDSO where
 * the kernel provides one). User space; see bench.h.
 */
#include <time.h>
#include "bench.h"

static volatile long sink;

static int op(long n)
{
	struct timespec ts;

	for (long i = 0; i < n; i++) {
		if (clock_gettime(CLOCK_MONOTONIC, &ts))
			return -1;
		sink = ts.tv_nsec;
	}
	return 0;
}

const struct bench BENCH = { .name = "clock", .unit = "ns/op", .op = op };
