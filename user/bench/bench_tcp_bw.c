/*
 * TCP bandwidth over loopback: a child writes 64 KiB chunks into a
 * connection as fast as it can, the parent reads them.  Reports MB/s.
 */
#include "bench.h"
#include "net_pair.h"

#define CHUNK (64 * 1024)

static char buf[CHUNK];

static int setup(void)
{
	int a, b;

	return tcp_pair(&a, &b, 0) ? -1 : net_writer_start(a, b, buf, CHUNK);
}

static int op(long n) { return net_read_chunks(n, buf, CHUNK); }

const struct bench BENCH = { .name = "tcp_bw", .unit = "MB/s", .bytes_per_op = CHUNK,
	.setup = setup, .op = op, .teardown = net_stop };
