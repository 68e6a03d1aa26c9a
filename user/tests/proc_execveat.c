/* proc_execveat: execveat(2) relative to a directory descriptor, of a
 * descriptor itself (AT_EMPTY_PATH), with AT_SYMLINK_NOFOLLOW, and its
 * errors; the new image's AT_EXECFN ("/dev/fd/N/path") and comm. */
#include "t.h"
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

static const char *rc(long r) { return r < 0 ? t_errname(errno) : "ok"; }

static void run(const char *what, int dfd, const char *path, int flags, const char *show)
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		char *av[] = {"prog", "child", (char *)show, NULL};
		long e = syscall(SYS_execveat, dfd, path, av, environ, flags);
		printf("%s: %s\n", what, rc(e));
		fflush(stdout);
		_exit(1);
	}
	int st;
	waitpid(c, &st, 0);
}

int main(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "child") == 0) {
		char comm[32] = {0};
		int fd = open("/proc/self/comm", O_RDONLY);
		read(fd, comm, sizeof comm - 1);
		comm[strcspn(comm, "\n")] = 0;
		const char *fn = (const char *)getauxval(AT_EXECFN);
		if (!strcmp(argv[2], "all"))
			printf("  ran: argv[0] %s, execfn %s, comm %s\n", argv[0], fn ? fn : "?", comm);
		else
			printf("  ran: argv[0] %s\n", argv[0]);
		return 0;
	}
	t_init(argc, argv);
	t_scratch();
	/* a copy of ourselves in the scratch directory */
	int in = open("/proc/self/exe", O_RDONLY), out = open(t_path("prog"), O_CREAT | O_WRONLY, 0755);
	char buf[65536];
	long n;
	while ((n = read(in, buf, sizeof buf)) > 0)
		write(out, buf, (size_t)n);
	close(out);
	symlink("prog", t_path("lnk"));
	int dfd = open(t_dir, O_RDONLY | O_DIRECTORY);
	int pfd = open(t_path("prog"), O_RDONLY);
	int opfd = open(t_path("prog"), O_PATH);
	SAY("descriptors: dir %d, file %d, O_PATH %d\n", dfd, pfd, opfd);
	run("relative to a directory", dfd, "prog", 0, "all");
	run("through a symlink", dfd, "lnk", 0, "all");
	run("symlink with AT_SYMLINK_NOFOLLOW", dfd, "lnk", AT_SYMLINK_NOFOLLOW, "all");
	run("AT_EMPTY_PATH on the file", pfd, "", AT_EMPTY_PATH, "some");
	run("AT_EMPTY_PATH on an O_PATH descriptor", opfd, "", AT_EMPTY_PATH, "some");
	run("empty path without AT_EMPTY_PATH", pfd, "", 0, "some");
	run("AT_EMPTY_PATH on a directory", dfd, "", AT_EMPTY_PATH, "some");
	run("unknown flag", dfd, "prog", 0x4, "some");
	run("bad directory descriptor", 99, "prog", 0, "some");
	run("a file as the directory", pfd, "prog", 0, "some");
	run("absolute path, bad descriptor", 99, t_path("prog"), 0, "some");
	chdir(t_dir);
	run("AT_FDCWD relative", AT_FDCWD, "prog", 0, "all");
	run("missing file", dfd, "nothing", 0, "some");
	chmod(t_path("prog"), 0644);
	run("not executable", dfd, "prog", 0, "some");
	chdir("/");
	t_cleanup();
	return t_done();
}
