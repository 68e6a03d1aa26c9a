/* ext2: 4 KiB preads at random offsets of a 64 MiB file, from a cold
 * cache (a remount before each timed run; ns/op).  User space. */
#include "ext2b.h"

static int op(long n) { return e2_remount() == 0 ? e2_random_io(n, 0) : -1; }

const struct bench BENCH = { .name = "ext2_rand_read_cold", .unit = "ns/op",
	.setup = e2_setup_file, .op = op, .teardown = e2_teardown };
