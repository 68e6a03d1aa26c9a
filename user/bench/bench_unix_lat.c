/*
 * AF_UNIX stream round-trip latency: 1 byte to an echoing child over a
 * socketpair and back.  Reports ns per round trip.
 */
#include "bench.h"
#include "net_pair.h"

static int setup(void)
{
	int sv[2];

	return socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ? -1 : net_echo_start(sv[0], sv[1]);
}

const struct bench BENCH = { .name = "unix_lat", .unit = "ns/op",
	.setup = setup, .op = net_roundtrips, .teardown = net_stop };
