/*
 * AF_UNIX stream bandwidth: a child writes 64 KiB chunks into a
 * socketpair, the parent reads them.  Reports MB/s.
 */
#include "bench.h"
#include "net_pair.h"

#define CHUNK (64 * 1024)

static char buf[CHUNK];

static int setup(void)
{
	int sv[2];

	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ? -1 : net_writer_start(sv[0], sv[1], buf, CHUNK);
}

static int op(long n) { return net_read_chunks(n, buf, CHUNK); }

const struct bench BENCH = { .name = "unix_bw", .unit = "MB/s", .bytes_per_op = CHUNK,
	.setup = setup, .op = op, .teardown = net_stop };
