/* fs_cloexec: O_CLOEXEC, FD_CLOEXEC and pipe2(O_CLOEXEC) descriptors are
 * closed by execve; plain ones survive with their offset. */
#include "t.h"

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc == 6 && !strcmp(argv[1], "child")) {
		int a = atoi(argv[2]), b = atoi(argv[3]), c = atoi(argv[4]), d = atoi(argv[5]);
		SAY("child: plain fd open: %s\n", fcntl(a, F_GETFD) >= 0 ? "yes" : "no");
		SAY("child: plain fd offset: %ld\n", (long)lseek(a, 0, SEEK_CUR));
		errno = 0;
		SAY("child: O_CLOEXEC fd: %s\n", fcntl(b, F_GETFD) < 0 ? t_errname(errno) : "open");
		errno = 0;
		SAY("child: FD_CLOEXEC fd: %s\n", fcntl(c, F_GETFD) < 0 ? t_errname(errno) : "open");
		errno = 0;
		SAY("child: pipe2 O_CLOEXEC fd: %s\n", fcntl(d, F_GETFD) < 0 ? t_errname(errno) : "open");
		return 0;
	}
	t_scratch();
	int a = open(t_path("a"), O_RDWR | O_CREAT, 0644);
	write(a, "abcdef", 6);
	lseek(a, 4, SEEK_SET);
	int b = open(t_path("b"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int c = open(t_path("c"), O_RDWR | O_CREAT, 0644);
	fcntl(c, F_SETFD, FD_CLOEXEC);
	int p[2];
	pipe2(p, O_CLOEXEC);
	SAY("pipe2 O_CLOEXEC flag: %d\n", fcntl(p[0], F_GETFD));
	char s[4][16];
	snprintf(s[0], 16, "%d", a);
	snprintf(s[1], 16, "%d", b);
	snprintf(s[2], 16, "%d", c);
	snprintf(s[3], 16, "%d", p[0]);
	pid_t ch = fork();
	if (ch == 0) {
		char *args[] = { argv[0], "child", s[0], s[1], s[2], s[3], NULL };
		execvp(argv[0], args);
		_exit(99);
	}
	SAY("child: %s\n", t_wait_desc(ch));
	CHECK(fcntl(b, F_GETFD) == FD_CLOEXEC, "parent keeps its O_CLOEXEC fd");
	t_cleanup();
	return t_done();
}
