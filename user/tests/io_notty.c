/* io_notty: the test's stdio is not a terminal (stdin /dev/null, output a
 * pipe-like stream): isatty is false and terminal ioctls fail with ENOTTY. */
#include "t.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	SAY("isatty(0)=%d isatty(1)=%d isatty(2)=%d\n", isatty(0), isatty(1), isatty(2));
	struct termios tio;
	struct winsize ws;
	CHECK_ERR(tcgetattr(1, &tio), ENOTTY, "tcgetattr on stdout");
	CHECK_ERR(ioctl(0, TIOCGWINSZ, &ws), ENOTTY, "TIOCGWINSZ on stdin");
	CHECK_ERR(ioctl(99, TIOCGWINSZ, &ws), EBADF, "ioctl on closed fd");
	int p[2];
	pipe(p);
	CHECK_ERR(tcgetattr(p[0], &tio), ENOTTY, "tcgetattr on a pipe");
	CHECK(ttyname(1) == NULL, "ttyname(1) is NULL");
	/* stdout and stderr are the same open stream: a write to one then the
	 * other arrives in order */
	SAY("line on stdout\n");
	write(2, "line on stderr\n", 15);
	SAY("stdout again\n");
	struct stat a, b;
	fstat(1, &a);
	fstat(2, &b);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "stdout and stderr share one stream");
	CHECK(S_ISFIFO(a.st_mode) || S_ISCHR(a.st_mode) || S_ISSOCK(a.st_mode), "stdout is a pipe or device");
	return t_done();
}
