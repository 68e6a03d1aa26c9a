/*
 * user/bench/blk.h - shared by bench_blk_read.c and bench_blk_write.c:
 * sequential 1 MiB transfers on /dev/vda with O_DIRECT (Linux's page cache
 * would otherwise serve the reads from memory; Keel has no block cache),
 * wrapping around at the end of the disk.  User space.
 */
#ifndef KEEL_BENCH_BLK_H
#define KEEL_BENCH_BLK_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "bench.h"

#define BLK_CHUNK (1 << 20)
#define BLKGETSIZE64_ 0x80081272

static int blk_fd = -1;
static unsigned long long blk_size, blk_pos;
static char blk_buf[BLK_CHUNK] __attribute__((aligned(4096)));

static int blk_open(int flags)
{
	blk_fd = open("/dev/vda", flags | O_DIRECT);
	if (blk_fd < 0 || ioctl(blk_fd, BLKGETSIZE64_, &blk_size) != 0 || blk_size < BLK_CHUNK)
		return -1;
	blk_size -= blk_size % BLK_CHUNK;
	return 0;
}

static int blk_ops(long n, int write)
{
	for (long i = 0; i < n; i++) {
		ssize_t r = write ? pwrite(blk_fd, blk_buf, BLK_CHUNK, (off_t)blk_pos)
				  : pread(blk_fd, blk_buf, BLK_CHUNK, (off_t)blk_pos);
		if (r != BLK_CHUNK)
			return -1;
		blk_pos = (blk_pos + BLK_CHUNK) % blk_size;
	}
	return 0;
}

static void blk_close(void) { close(blk_fd); }

#endif
