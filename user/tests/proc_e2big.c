/* proc_e2big: execve with too much argument data fails with E2BIG and
 * leaves the caller running. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc == 1001) return 0; /* the 1000-argument child */
	if (argc > 1) { SAY("exec unexpectedly succeeded\n"); return 3; }
	/* 256 strings of 64 KiB: 16 MiB, beyond any Linux argument limit. */
	enum { N = 256, LEN = 64 * 1024 };
	char **big = calloc(N + 2, sizeof *big);
	char *s = malloc(LEN);
	memset(s, 'x', LEN - 1);
	s[LEN - 1] = 0;
	big[0] = argv[0];
	for (int i = 1; i <= N; i++) big[i] = s;
	CHECK_ERR(execvp(argv[0], big), E2BIG, "16 MiB of argv");
	/* environment counts too */
	char **env = calloc(N + 1, sizeof *env);
	for (int i = 0; i < N; i++) env[i] = s;
	char *small[] = { argv[0], "x", NULL };
	CHECK_ERR(execvpe(argv[0], small, env), E2BIG, "16 MiB of envp");
	/* one string longer than 128 KiB (MAX_ARG_STRLEN) */
	char *one = malloc(200 * 1024);
	memset(one, 'y', 200 * 1024 - 1);
	one[200 * 1024 - 1] = 0;
	char *single[] = { argv[0], one, NULL };
	CHECK_ERR(execvp(argv[0], single), E2BIG, "one 200 KiB argument");
	/* a moderate argv still works */
	pid_t p = fork();
	if (p == 0) {
		char **ok = calloc(1002, sizeof *ok);
		ok[0] = argv[0];
		for (int i = 1; i <= 1000; i++) ok[i] = "argument";
		execvp(argv[0], ok);
		_exit(99);
	}
	SAY("1000 small args: %s\n", t_wait_desc(p));
	SAY("still running after failed execs: yes\n");
	return t_done();
}
