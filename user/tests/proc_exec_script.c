/* proc_exec_script: execve of a "#!" script whose interpreter is this very
 * program (found through PATH), with an interpreter argument; plus ENOEXEC,
 * EACCES and a missing interpreter. */
#include "t.h"

static char self[512];

static int find_self(const char *name)
{
	const char *P = getenv("PATH");
	if (name[0] == '/') { snprintf(self, sizeof self, "%s", name); return 1; }
	while (P && *P) {
		const char *e = strchr(P, ':');
		size_t n = e ? (size_t)(e - P) : strlen(P);
		snprintf(self, sizeof self, "%.*s/%s", (int)n, P, name);
		if (access(self, X_OK) == 0) return 1;
		P = e ? e + 1 : NULL;
	}
	return 0;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	write(fd, text, strlen(text));
	close(fd);
	chmod(path, mode);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc >= 2 && !strncmp(argv[1], "interp-arg", 10)) {
		/* argv: [interp, "interp-arg", script, user args...] */
		SAY("interpreter argc=%d\n", argc);
		for (int i = 1; i < argc; i++)
			SAY("interpreter argv[%d]=[%s]\n", i, argv[i]);
		return 5;
	}
	CHECK(find_self(argv[0]), "found self on PATH");
	t_scratch();
	char text[700];
	snprintf(text, sizeof text, "#!%s interp-arg\nthis line is never run\n", self);
	write_file(t_path("script"), text, 0755);
	snprintf(text, sizeof text, "#!   %s    interp-arg   \n", self);
	write_file(t_path("spaces"), text, 0755);
	snprintf(text, sizeof text, "#!%s interp-arg\r\n", self); /* a DOS line end: the \r stays in the argument */
	write_file(t_path("crlf"), text, 0755);
	write_file(t_path("noexec"), "just some text\n", 0755);
	write_file(t_path("nox"), "#!/bin/sh\n", 0644);
	write_file(t_path("badinterp"), "#!/nonexistent/interp\n", 0755);

	pid_t p = fork();
	if (p == 0) {
		char *a[] = { "script", "one", "two", NULL };
		char *env[] = { NULL };
		execve(t_path("script"), a, env);
		_exit(90 + (errno & 7));
	}
	SAY("script: %s\n", t_wait_desc(p));
	p = fork();
	if (p == 0) {
		char *a[] = { "spaces", NULL };
		execv(t_path("spaces"), a);
		_exit(90);
	}
	SAY("script with extra spaces: %s\n", t_wait_desc(p));
	p = fork();
	if (p == 0) {
		char *a[] = { "crlf", NULL };
		execv(t_path("crlf"), a);
		_exit(90);
	}
	SAY("script with a CRLF line end: %s\n", t_wait_desc(p));
	char *a[] = { "x", NULL };
	CHECK_ERR(execv(t_path("noexec"), a), ENOEXEC, "text file without #!");
	CHECK_ERR(execv(t_path("nox"), a), EACCES, "script without x bit");
	CHECK_ERR(execv(t_path("badinterp"), a), ENOENT, "missing interpreter");
	t_cleanup();
	return t_done();
}
