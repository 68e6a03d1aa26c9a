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

	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			execve(DYN, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "dyn_true", .unit = "ns/op",
	.setup = setup, .op = op };
