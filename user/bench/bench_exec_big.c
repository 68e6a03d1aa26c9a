/*
 * fork + execve of a large static binary (/bin/busybox true, ~2 MB,
 * glibc static) + waitpid: what every shell command costs. With exec
 * mapping the file's pages instead of copying them, this should cost
 * about what fork_exec of a tiny binary costs. User space; see bench.h.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define BIG "/bin/busybox"

static int setup(void)
{
	return access(BIG, X_OK);
}

static int op(long n)
{
	static char *const argv[] = { "true", 0 };
	static char *const envp[] = { 0 };

	return bench_spawn_wait(n, BIG, argv, envp);
}

const struct bench BENCH = { .name = "exec_big", .unit = "ns/op",
	.setup = setup, .op = op };
