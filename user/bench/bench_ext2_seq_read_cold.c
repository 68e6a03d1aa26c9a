/* ext2: read a 64 MiB file in 1 MiB reads after a remount (cold cache, MB/s).  User space. */
#include "ext2b.h"

static int op(long n)
{
	for (long i = 0; i < n; i++)
		if (e2_remount() != 0 || e2_read_all() != 0)
			return -1;
	return 0;
}

const struct bench BENCH = { .name = "ext2_seq_read_cold", .unit = "MB/s", .bytes_per_op = E2_FILE_SIZE,
	.setup = e2_setup_file, .op = op, .teardown = e2_teardown };
