/*
 * fork + execve("/bin/sh", "-c", "/bin/bench_true") + waitpid (lmbench
 * lat_proc "shell" style): the shell (busybox, static) starts, then
 * runs the program. User space; see bench.h.
 */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int setup(void)
{
	return access("/bin/sh", X_OK) || access("/bin/bench_true", X_OK) ? -1 : 0;
}

static int op(long n)
{
	/* "; exit" keeps the shell from exec'ing the command in place, as
	 * a shell running a script would. */
	static char *const argv[] = { "sh", "-c", "/bin/bench_true; exit", 0 };
	static char *const envp[] = { "PATH=/bin", 0 };

	return bench_spawn_wait(n, "/bin/sh", argv, envp);
}

const struct bench BENCH = { .name = "sh_c", .unit = "ns/op",
	.setup = setup, .op = op };
