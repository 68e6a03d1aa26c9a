/*
 * signal delivery to self: kill(getpid(), SIGUSR1) with a handler installed
 * by sigaction; the handler runs and sigreturns.  User space; see bench.h.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

static volatile long caught;
static pid_t me;

static void handler(int sig)
{
	(void)sig;
	caught++;
}

static int setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	me = getpid();
	return sigaction(SIGUSR1, &sa, 0);
}

static int op(long n)
{
	long before = caught;

	for (long i = 0; i < n; i++)
		if (kill(me, SIGUSR1))
			return -1;
	/* the last signal may still be pending on a lazy kernel: give it time */
	for (int spin = 0; spin < 1000 && caught - before < n; spin++)
		sched_yield();
	if (caught - before != n) {
		/* the handler must run once per kill */
		printf("BENCHFAIL signal handler ran %ld times for %ld kills\n",
		       caught - before, n);
		exit(1);
	}
	return 0;
}

const struct bench BENCH = { .name = "signal", .unit = "ns/op",
	.setup = setup, .op = op };
