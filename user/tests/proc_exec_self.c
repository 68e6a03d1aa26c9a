/* proc_exec_self: fork + execvp of our own name with an argv and envp to
 * check; the exec'd image reports its argv and exits 7. */
#include "t.h"

extern char **environ;

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "child")) {
		SAY("child argc=%d\n", argc);
		for (int i = 1; i < argc; i++)
			SAY("child argv[%d]=[%s]\n", i, argv[i]);
		const char *v = getenv("KEEL_TEST_VAR");
		SAY("child env KEEL_TEST_VAR=[%s]\n", v ? v : "(null)");
		SAY("child env HIDDEN unset: %s\n", getenv("KEEL_HIDDEN") ? "no" : "yes");
		return 7;
	}
	setenv("KEEL_TEST_VAR", "value with spaces", 1);
	pid_t p = fork();
	if (p == 0) {
		char *args[] = { argv[0], "child", "two words", "", "last", NULL };
		execvp(argv[0], args);
		_exit(99);
	}
	SAY("child 1: %s\n", t_wait_desc(p));
	/* execve with an explicit environment: only what we pass is visible. */
	p = fork();
	if (p == 0) {
		char *args[] = { argv[0], "child", NULL };
		char *env[] = { "KEEL_TEST_VAR=explicit", NULL };
		/* find ourselves on PATH by hand, since execve does not search */
		char path[512];
		const char *P = getenv("PATH");
		while (P && *P) {
			const char *e = strchr(P, ':');
			size_t n = e ? (size_t)(e - P) : strlen(P);
			snprintf(path, sizeof path, "%.*s/%s", (int)n, P, argv[0]);
			execve(path, args, env);
			P = e ? e + 1 : NULL;
		}
		execve(argv[0], args, env);
		_exit(98);
	}
	SAY("child 2: %s\n", t_wait_desc(p));
	/* exec failure leaves the process intact */
	char *none[] = { "/nonexistent/prog", NULL };
	CHECK_ERR(execv("/nonexistent/prog", none), ENOENT, "execv missing file");
	CHECK_ERR(execv("/", none), EACCES, "execv directory");
	return t_done();
}
