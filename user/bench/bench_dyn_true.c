/*
 * fork + execve of a dynamically linked program (/bin/dyn_true: Debian's
 * /usr/bin/true from coreutils, glibc) + waitpid: the loader maps libc,
 * relocates, runs. The cost every dynamic command pays on top of
 * fork_exec. User space; see bench.h.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

#define DYN "/bin/dyn_true"

static int setup(void)
{
	return access(DYN, X_OK);
}

static int op(long n)
{
	static char *const argv[] = { "true", 0 };
	static char *const envp[] = { 0 };

	return bench_spawn_wait(n, DYN, argv, envp);
}

const struct bench BENCH = { .name = "dyn_true", .unit = "ns/op",
	.setup = setup, .op = op };
