/*
 * user/bench/ctx_ring.h - lmbench lat_ctx style context switches with a
 * working set, shared by bench_ctx2_16k.c and bench_ctx8_16k.c.
 *
 * CTX_PROCS processes form a ring of pipes; a one-byte token goes round.
 * Each process, when it holds the token, sums its own CTX_WSET-byte array
 * (its working set, so a switch also costs the caches and, under TCG,
 * the software TLB refills of that data) and passes the token on. One op
 * is one hop (one switch). The same work done inside one process (pipe
 * write+read plus the sum) is measured first and subtracted, as lat_ctx
 * does with its overhead phase. User space; see bench.h.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define CTX_WSET (16 * 1024)

static int ring[CTX_PROCS][2]; /* ring[i]: the pipe into process i */
static pid_t kids[CTX_PROCS];
static double overhead;
static volatile long sink;
static long *wset;

static void sum_wset(void)
{
	long s = 0;

	for (size_t i = 0; i < CTX_WSET / sizeof(long); i++)
		s += wset[i];
	sink = s;
}

static int self_pipe[2];

static int self_op(long n)
{
	char c = 'x';

	for (long i = 0; i < n; i++) {
		if (write(self_pipe[1], &c, 1) != 1 || read(self_pipe[0], &c, 1) != 1)
			return -1;
		sum_wset();
	}
	return 0;
}

static void member(int i)
{
	char c;

	/* keep only this member's read end and its successor's write end,
	 * so closing the parent's ends unwinds the ring by EOF */
	for (int k = 0; k < CTX_PROCS; k++) {
		if (k != i)
			close(ring[k][0]);
		if (k != (i + 1) % CTX_PROCS)
			close(ring[k][1]);
	}
	wset = calloc(1, CTX_WSET);
	if (!wset)
		_exit(1);
	for (;;) {
		if (read(ring[i][0], &c, 1) != 1)
			_exit(0);
		sum_wset();
		if (write(ring[(i + 1) % CTX_PROCS][1], &c, 1) != 1)
			_exit(0);
	}
}

static int setup(void)
{
	wset = calloc(1, CTX_WSET);
	if (!wset || pipe(self_pipe))
		return -1;
	overhead = bench_measure(self_op, 3, 0, 0, 0);
	close(self_pipe[0]);
	close(self_pipe[1]);
	for (int i = 0; i < CTX_PROCS; i++)
		if (pipe(ring[i]))
			return -1;
	for (int i = 1; i < CTX_PROCS; i++) {
		kids[i] = fork();
		if (kids[i] < 0)
			return -1;
		if (kids[i] == 0)
			member(i);
	}
	return 0;
}

/* n hops: the token goes round n / CTX_PROCS times (at least once). */
static int op(long n)
{
	char c = 't';
	long laps = n / CTX_PROCS > 0 ? n / CTX_PROCS : 1;

	for (long l = 0; l < laps; l++) {
		if (write(ring[1 % CTX_PROCS][1], &c, 1) != 1)
			return -1;
		if (read(ring[0][0], &c, 1) != 1)
			return -1;
		sum_wset();
	}
	return 0;
}

static void teardown(void)
{
	for (int i = 0; i < CTX_PROCS; i++) {
		close(ring[i][0]);
		close(ring[i][1]);
	}
	for (int i = 1; i < CTX_PROCS; i++)
		if (kids[i] > 0)
			waitpid(kids[i], 0, 0);
}

/* measured: ns per hop including the hop's own work */
static double adjust(double hop)
{
	double sw = hop - overhead;

	return sw > 0 ? sw : 0;
}
