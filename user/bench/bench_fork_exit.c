/* fork + child _exit + parent waitpid.  User space; see bench.h. */
#include <sys/wait.h>
#include <unistd.h>
#include "bench.h"

static int op(long n)
{
	for (long i = 0; i < n; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
			return -1;
	}
	return 0;
}

const struct bench BENCH = { .name = "fork_exit", .unit = "ns/op", .op = op };
