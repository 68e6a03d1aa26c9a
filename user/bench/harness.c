/*
 * user/bench/harness.c - calibration, timing and reporting for the
 * microbenchmarks (see bench.h).  Layer: user space; trusts the kernel's
 * CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sys/wait.h>
#include "bench.h"

#define MAX_RUNS 101

static long target_ns = 300L * 1000 * 1000;

double bench_now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		bench_fail("clock_gettime");
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

void bench_fail(const char *what)
{
	int e = errno;

	printf("BENCHFAIL %s %s: %s\n", BENCH.name, what, strerror(e));
	fflush(stdout);
	if (BENCH.teardown)
		BENCH.teardown();
	exit(1);
}

static double timed(int (*op)(long), long n)
{
	double t0 = bench_now_ns();

	if (op(n) != 0)
		bench_fail("operation");
	return bench_now_ns() - t0;
}

/* Find n such that op(n) takes about target_ns. */
static long calibrate(int (*op)(long))
{
	long n = 1;
	double t;

	for (;;) {
		t = timed(op, n);
		if (t >= (double)target_ns / 8 || n >= (1L << 40))
			break;
		if (t <= 0 && n >= 100000000L) {
			errno = ENOTSUP;
			bench_fail("CLOCK_MONOTONIC does not advance");
		}
		/* grow fast while the interval is too short to trust */
		if (t < (double)target_ns / 100)
			n *= 10;
		else
			n *= 2;
	}
	double scaled = (double)n * (double)target_ns / (t > 1 ? t : 1);
	if (scaled < 1)
		scaled = 1;
	return (long)scaled;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_measure(int (*op)(long n), int runs, long *iters_out,
		     double *min_out, double *max_out)
{
	double v[MAX_RUNS];
	long n = calibrate(op);

	for (int i = 0; i < runs; i++)
		v[i] = timed(op, n) / (double)n;
	qsort(v, (size_t)runs, sizeof v[0], cmp_double);
	if (iters_out)
		*iters_out = n;
	if (min_out)
		*min_out = v[0];
	if (max_out)
		*max_out = v[runs - 1];
	if (runs % 2)
		return v[runs / 2];
	return (v[runs / 2 - 1] + v[runs / 2]) / 2;
}

int main(int argc, char **argv)
{
	int runs = 5;
	long iters;
	double med, mn, mx;

	if (argc > 1)
		runs = atoi(argv[1]);
	if (runs < 1)
		runs = 1;
	if (runs > MAX_RUNS)
		runs = MAX_RUNS;
	if (argc > 2 && atol(argv[2]) > 0)
		target_ns = atol(argv[2]) * 1000L * 1000L;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (BENCH.setup && BENCH.setup() != 0)
		bench_fail("setup");
	med = bench_measure(BENCH.op, runs, &iters, &mn, &mx);
	if (BENCH.teardown)
		BENCH.teardown();

	if (BENCH.adjust) {
		med = BENCH.adjust(med);
		mn = BENCH.adjust(mn);
		mx = BENCH.adjust(mx);
	}
	if (strcmp(BENCH.unit, "MB/s") == 0) {
		/* ns/op -> MB/s; min time is max bandwidth */
		double b = BENCH.bytes_per_op * 1e3;
		double lo = b / mx, hi = b / mn;

		med = b / med;
		mn = lo;
		mx = hi;
		printf("BENCH %s %.1f MB/s higher runs=%d min=%.1f max=%.1f iters=%ld\n",
		       BENCH.name, med, runs, mn, mx, iters);
	} else {
		printf("BENCH %s %.1f ns/op lower runs=%d min=%.1f max=%.1f iters=%ld\n",
		       BENCH.name, med, runs, mn, mx, iters);
	}
	return 0;
}

static int echo_to[2], echo_from[2];
static pid_t echo_child = -1;

int bench_echo_start(void)
{
	if (pipe(echo_to) || pipe(echo_from))
		return -1;
	echo_child = fork();
	if (echo_child < 0)
		return -1;
	if (echo_child == 0) {
		char c;

		close(echo_to[1]);
		close(echo_from[0]);
		while (read(echo_to[0], &c, 1) == 1)
			if (write(echo_from[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(echo_to[0]);
	close(echo_from[1]);
	return 0;
}

int bench_echo_roundtrips(long n)
{
	char c = 'x';

	for (long i = 0; i < n; i++)
		if (write(echo_to[1], &c, 1) != 1 || read(echo_from[0], &c, 1) != 1)
			return -1;
	return 0;
}

void bench_echo_stop(void)
{
	close(echo_to[1]);
	close(echo_from[0]);
	if (echo_child > 0)
		waitpid(echo_child, NULL, 0);
}

int bench_spawn_wait(long n, const char *path, char *const argv[], char *const envp[])
{
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(path, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
	}
	return 0;
}
