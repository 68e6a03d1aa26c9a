/* Sequential read of /dev/vda, 1 MiB O_DIRECT preads (MB/s).  User space. */
#include "blk.h"

static int setup(void) { return blk_open(O_RDONLY); }
static int op(long n) { return blk_ops(n, 0); }

const struct bench BENCH = { .name = "blk_read", .unit = "MB/s", .bytes_per_op = BLK_CHUNK,
	.setup = setup, .op = op, .teardown = blk_close };
