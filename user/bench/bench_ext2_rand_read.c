/* ext2: 4 KiB preads at random offsets of a cached 64 MiB file (ns/op).  User space. */
#include "ext2b.h"

static int op(long n) { return e2_random_io(n, 0); }

const struct bench BENCH = { .name = "ext2_rand_read", .unit = "ns/op",
	.setup = e2_setup_cached, .op = op, .teardown = e2_teardown };
