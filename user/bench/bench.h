/*
 * user/bench/bench.h - microbenchmark harness shared by every bench_*.c.
 *
 * Layer: user space (static musl binaries run on Keel and on Linux alike).
 * Trusts: only the kernel it runs on, through ordinary Linux syscalls.
 *
 * A benchmark supplies a struct bench.  The harness calibrates the iteration
 * count against CLOCK_MONOTONIC so that one timed run lasts about
 * target_ms (default 300 ms), then does `runs` timed runs and prints one line:
 *
 *   BENCH <name> <median> <unit> <better> runs=<n> min=<x> max=<y> iters=<i>
 *
 * unit is "ns/op" (better=lower) or "MB/s" (better=higher).  On failure it
 * prints "BENCHFAIL <name> <what>: <strerror>" and exits 1.
 *
 * Command line (identical on both kernels): bench_<name> [runs] [target_ms]
 */
#ifndef KEEL_BENCH_H
#define KEEL_BENCH_H

struct bench {
	const char *name;
	const char *unit;               /* "ns/op" or "MB/s" */
	double bytes_per_op;            /* for MB/s: bytes moved by one op */
	int (*setup)(void);             /* optional; 0 or -1 (errno set) */
	int (*op)(long n);              /* do n operations; 0 or -1 (errno set) */
	void (*teardown)(void);         /* optional */
	/* optional: turn measured ns/op into the reported ns/op */
	double (*adjust)(double ns_per_op);
};

/* Defined by each benchmark file. */
extern const struct bench BENCH;

/* Harness services usable from benchmarks. */
void bench_fail(const char *what);             /* prints BENCHFAIL, exits 1 */
double bench_now_ns(void);
/* Calibrated measurement of op: ns per op (median of `runs` runs). */
double bench_measure(int (*op)(long n), int runs, long *iters_out,
		     double *min_out, double *max_out);

/* n times: fork, the child execve(path, argv, envp), wait for it; -1
 * unless every child exited 0. What the exec rows measure. */
int bench_spawn_wait(long n, const char *path, char *const argv[], char *const envp[]);

/* An echo child: a process that sends back every byte it receives over a
 * pair of pipes (pipe_lat and ctxsw bounce a token through it). */
int bench_echo_start(void);          /* fork it; 0 or -1 (errno set) */
int bench_echo_roundtrips(long n);   /* n one-byte round trips */
void bench_echo_stop(void);          /* close the pipes, reap the child */

#endif
