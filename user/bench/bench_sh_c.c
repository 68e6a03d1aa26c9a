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

	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve("/bin/sh", argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "sh_c", .unit = "ns/op",
	.setup = setup, .op = op };
