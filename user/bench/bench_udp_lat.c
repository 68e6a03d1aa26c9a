/*
 * UDP round-trip latency over loopback: a 1-byte datagram to an echoing
 * child and back (connected sockets).  Reports ns per round trip.
 */
#include "bench.h"
#include "net_pair.h"

static int setup(void)
{
	int a, b;

	return udp_pair(&a, &b) ? -1 : net_echo_start(a, b);
}

const struct bench BENCH = { .name = "udp_lat", .unit = "ns/op",
	.setup = setup, .op = net_roundtrips, .teardown = net_stop };
