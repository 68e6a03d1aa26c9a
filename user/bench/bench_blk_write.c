/* Sequential write of /dev/vda, 1 MiB O_DIRECT pwrites (MB/s).  User space. */
#include "blk.h"

static int setup(void)
{
	for (int i = 0; i < BLK_CHUNK; i++)
		blk_buf[i] = (char)(i * 31 + 7);
	return blk_open(O_WRONLY);
}
static int op(long n) { return blk_ops(n, 1); }

const struct bench BENCH = { .name = "blk_write", .unit = "MB/s", .bytes_per_op = BLK_CHUNK,
	.setup = setup, .op = op, .teardown = blk_close };
