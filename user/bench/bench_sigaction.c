/*
 * signal handler installation: sigaction(SIGUSR1) with a handler, as
 * lmbench's lat_sig "install". User space; see bench.h.
 */
#include <signal.h>
#include <string.h>
#include "bench.h"

static void handler(int sig)
{
	(void)sig;
}

static int op(long n)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	for (long i = 0; i < n; i++)
		if (sigaction(SIGUSR1, &sa, 0))
			return -1;
	return 0;
}

const struct bench BENCH = { .name = "sigaction", .unit = "ns/op", .op = op };
