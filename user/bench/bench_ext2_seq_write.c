/* ext2: write a 64 MiB file in 1 MiB writes, fsync, unlink (MB/s).  User space. */
#include "ext2b.h"

static int setup(void) { return e2_mount(); }

static int op(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open("/mnt/w64", O_CREAT | O_WRONLY | O_TRUNC, 0644);
		if (fd < 0)
			return -1;
		for (long done = 0; done < E2_FILE_SIZE; done += E2_CHUNK)
			if (write(fd, e2_buf, E2_CHUNK) != E2_CHUNK)
				return -1;
		if (fsync(fd) != 0 || close(fd) != 0 || unlink("/mnt/w64") != 0)
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "ext2_seq_write", .unit = "MB/s", .bytes_per_op = E2_FILE_SIZE,
	.setup = setup, .op = op, .teardown = e2_teardown };
