/* context switch among 2 processes, 16 KiB working set each: see ctx_ring.h. */
#define CTX_PROCS 2
#include "ctx_ring.h"

const struct bench BENCH = { .name = "ctx2_16k", .unit = "ns/op",
	.setup = setup, .op = op, .teardown = teardown, .adjust = adjust };
