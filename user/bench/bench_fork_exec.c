/*
 * fork + execve of a tiny static binary (/bin/bench_true) + waitpid.
 * User space; see bench.h.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define TRUE_PATH "/bin/bench_true"

static int setup(void)
{
	return access(TRUE_PATH, X_OK);
}

static int op(long n)
{
	static char *const argv[] = { "bench_true", 0 };
	static char *const envp[] = { 0 };

	return bench_spawn_wait(n, TRUE_PATH, argv, envp);
}

const struct bench BENCH = { .name = "fork_exec", .unit = "ns/op",
	.setup = setup, .op = op };
