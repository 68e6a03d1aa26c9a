/*
 * TCP round-trip latency over loopback: 1 byte to an echoing child and
 * back, TCP_NODELAY on both ends.  Reports ns per round trip.  User space.
 */
#include "bench.h"
#include "net_pair.h"

static int setup(void)
{
	int a, b;

	return tcp_pair(&a, &b, 1) ? -1 : net_echo_start(a, b);
}

const struct bench BENCH = { .name = "tcp_lat", .unit = "ns/op",
	.setup = setup, .op = net_roundtrips, .teardown = net_stop };
