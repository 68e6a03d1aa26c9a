/* context switch among 8 processes, 16 KiB working set each: see ctx_ring.h. */
#define CTX_PROCS 8
#include "ctx_ring.h"

const struct bench BENCH = { .name = "ctx8_16k", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown, .adjust = adjust };
