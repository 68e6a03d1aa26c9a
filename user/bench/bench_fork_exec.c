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

	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(TRUE_PATH, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "fork_exec", .unit = "ns/op",
	.setup = setup, .op = op };
