/* ext2: 4 KiB pwrites at random offsets of a cached 64 MiB file, then
 * fsync (ns per write, the fsync shared out).  User space. */
#include "ext2b.h"

static int op(long n) { return e2_random_io(n, 1); }

const struct bench BENCH = { .name = "ext2_rand_write", .unit = "ns/op",
	.setup = e2_setup_cached, .op = op, .teardown = e2_teardown };
