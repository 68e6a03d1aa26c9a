/*
 * pipe round-trip latency between two processes: the parent writes 1 byte
 * into pipe A, the child echoes it back through pipe B.  Reports ns per
 * round trip.  User space; see bench.h.
 */
#include "bench.h"

const struct bench BENCH = { .name = "pipe_lat", .unit = "ns/op",
	.setup = bench_echo_start, .op = bench_echo_roundtrips, .teardown = bench_echo_stop };
