/* proc_exec_argv: execve with an empty or NULL argv gets "" as argv[0]
 * (Linux 5.18+), with envp intact; a NULL envp is an empty environment. */
#include "t.h"
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char **argv)
{
	const char *mode = getenv("EXEC_ARGV_CHILD");
	if (mode) {
		int n = 0;
		for (char **e = environ; *e; e++)
			n++;
		printf("child: argc %d, argv[0] '%s', argv[argc] NULL: %s, environment entries %d\n", argc,
		       argc > 0 ? argv[0] : "(none)", argv[argc] == NULL ? "yes" : "no", n);
		return 0;
	}
	t_init(argc, argv);
	char *envp[] = {"EXEC_ARGV_CHILD=1", "OTHER=2", NULL};
	char *empty[] = {NULL};
	for (int k = 0; k < 2; k++) {
		fflush(stdout);
		pid_t c = fork();
		if (c == 0) {
			syscall(SYS_execve, "/proc/self/exe", k == 0 ? empty : NULL, envp);
			_exit(99);
		}
		int st;
		waitpid(c, &st, 0);
		SAY("%s argv: exit %d\n", k == 0 ? "empty" : "NULL", WEXITSTATUS(st));
	}
	return t_done();
}
