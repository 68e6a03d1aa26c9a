/* fs_etxtbsy: a running program's file cannot be opened for writing,
 * truncated or created over (ETXTBSY), a file open for writing cannot be
 * executed, and the denial ends when the last process running the file
 * (forked copies included) exits or execs something else. */
#include "t.h"
#include <sys/prctl.h>

static void copy_self(const char *dst)
{
	int in = open("/proc/self/exe", O_RDONLY);
	int out = open(dst, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	char buf[65536];
	long n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, (size_t)n);
	close(in);
	close(out);
}

/* Run prog with args; returns the child's pid (it blocks until fd rd has EOF). */
static pid_t spawn(const char *prog, const char *mode, int rd, int wr)
{
	pid_t c = fork();
	if (c == 0) {
		char fdarg[16];
		snprintf(fdarg, sizeof fdarg, "%d", rd);
		close(wr);
		char *args[] = {(char *)prog, (char *)mode, fdarg, NULL};
		execv(prog, args);
		_exit(100 + errno);
	}
	return c;
}

static void blocker(int rd, int fork_first)
{
	if (fork_first) {
		pid_t g = fork();
		if (g == 0) {
			char c;
			read(rd, &c, 1);
			_exit(0);
		}
		_exit(0); /* the forked copy keeps running the file */
	}
	char c;
	read(rd, &c, 1);
	_exit(0);
}

static void try_open(const char *what, const char *path, int flags)
{
	errno = 0;
	int fd = open(path, flags, 0644);
	SAY("%s: %s\n", what, fd >= 0 ? "ok" : t_errname(errno));
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "block"))
		blocker(atoi(argv[2]), 0);
	if (argc == 3 && !strcmp(argv[1], "forkblock"))
		blocker(atoi(argv[2]), 1);
	if (argc == 3 && !strcmp(argv[1], "exit"))
		_exit(7);
	t_scratch();
	const char *prog = t_path("prog");
	copy_self(prog);
	int p[2];
	pipe(p);
	pid_t c = spawn(prog, "block", p[0], p[1]);
	usleep(300000); /* let it exec */
	try_open("open O_WRONLY while running", prog, O_WRONLY);
	try_open("open O_RDWR while running", prog, O_RDWR);
	try_open("open O_RDONLY while running", prog, O_RDONLY);
	try_open("open O_RDONLY|O_TRUNC while running", prog, O_RDONLY | O_TRUNC);
	try_open("creat while running", prog, O_CREAT | O_WRONLY | O_TRUNC);
	errno = 0;
	SAY("truncate while running: %s\n", truncate(prog, 0) == 0 ? "ok" : t_errname(errno));
	struct stat st;
	stat(prog, &st);
	SAY("still intact: %s\n", st.st_size > 1000 ? "yes" : "no");
	close(p[1]);
	SAY("runner: %s\n", t_wait_desc(c));
	close(p[0]);
	try_open("open O_WRONLY after it ended", prog, O_WRONLY);

	/* open for writing: exec refuses it */
	int wfd = open(prog, O_WRONLY);
	c = spawn(prog, "exit", 0, -1);
	SAY("exec while open for writing: %s\n", t_wait_desc(c));
	close(wfd);
	c = spawn(prog, "exit", 0, -1);
	SAY("exec after close: %s\n", t_wait_desc(c));
	/* read-only opens do not block exec */
	int rfd = open(prog, O_RDONLY);
	c = spawn(prog, "exit", 0, -1);
	SAY("exec while open read-only: %s\n", t_wait_desc(c));
	close(rfd);

	/* a forked copy keeps the file busy after the exec'd process exits */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	pipe(p);
	c = spawn(prog, "forkblock", p[0], p[1]);
	SAY("forking runner: %s\n", t_wait_desc(c));
	try_open("open O_WRONLY while its fork runs", prog, O_WRONLY);
	close(p[1]);
	close(p[0]);
	pid_t g = wait(NULL);
	SAY("the fork ended: %s\n", g > 0 ? "yes" : "no");
	try_open("open O_WRONLY after the fork ended", prog, O_WRONLY);
	t_cleanup();
	return t_done();
}
