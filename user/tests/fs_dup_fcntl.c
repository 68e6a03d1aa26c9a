/* fs_dup_fcntl: dup/dup2/dup3/F_DUPFD, shared offsets (also across fork),
 * F_GETFD/F_SETFD, F_GETFL/F_SETFL. */
#include "t.h"
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	int fd = open(t_path("f"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(fd, "0123456789", 10);
	lseek(fd, 0, SEEK_SET);
	int d = dup(fd);
	CHECK(d > fd, "dup returns a higher fd");
	char c;
	read(d, &c, 1);
	read(fd, &c, 1);
	SAY("shared offset: read '%c', offset %ld\n", c, (long)lseek(fd, 0, SEEK_CUR));
	close(d);
	CHECK(dup2(fd, 20) == 20, "dup2 to 20");
	CHECK(dup2(fd, fd) == fd, "dup2 to itself");
	CHECK_ERR(dup3(fd, fd, 0), EINVAL, "dup3 to itself");
	CHECK(dup3(fd, 21, O_CLOEXEC) == 21, "dup3 O_CLOEXEC");
	SAY("F_GETFD 20=%d 21=%d\n", fcntl(20, F_GETFD), fcntl(21, F_GETFD));
	CHECK_ERR(syscall(SYS_dup3, fd, 22, 0x4), EINVAL, "dup3 bad flags (raw)");
	/* dup2 over an open fd closes it */
	int other = open(t_path("g"), O_RDWR | O_CREAT, 0644);
	dup2(fd, other);
	SAY("dup2 over open fd: offset via it %ld\n", (long)lseek(other, 0, SEEK_CUR));
	close(other);
	CHECK_ERR(dup2(fd, -1), EBADF, "dup2 to -1");
	CHECK_ERR(dup(100), EBADF, "dup of closed fd");
	SAY("F_DUPFD min 30: %d\n", fcntl(fd, F_DUPFD, 30));
	SAY("F_DUPFD min 30 again: %d\n", fcntl(fd, F_DUPFD, 30));
	int cx = fcntl(fd, F_DUPFD_CLOEXEC, 40);
	SAY("F_DUPFD_CLOEXEC: %d flags %d\n", cx, fcntl(cx, F_GETFD));
	CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_SETFD");
	CHECK(fcntl(20, F_GETFD) == 0, "close-on-exec is per descriptor");
	fcntl(fd, F_SETFD, 0);

	int fl = fcntl(fd, F_GETFL);
	SAY("F_GETFL accmode RDWR: %s append: %s nonblock: %s\n", (fl & O_ACCMODE) == O_RDWR ? "yes" : "no",
	    (fl & O_APPEND) ? "yes" : "no", (fl & O_NONBLOCK) ? "yes" : "no");
	fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK);
	fl = fcntl(20, F_GETFL); /* status flags are shared by dups */
	SAY("after F_SETFL via dup: append: %s nonblock: %s\n", (fl & O_APPEND) ? "yes" : "no",
	    (fl & O_NONBLOCK) ? "yes" : "no");
	fcntl(fd, F_SETFL, O_RDONLY); /* access mode cannot change */
	fl = fcntl(fd, F_GETFL);
	SAY("access mode unchanged: %s\n", (fl & O_ACCMODE) == O_RDWR ? "yes" : "no");
	CHECK_ERR(fcntl(99, F_GETFL), EBADF, "F_GETFL on closed fd");
	CHECK_ERR(fcntl(fd, 9999), EINVAL, "unknown cmd");

	/* offsets shared across fork */
	lseek(fd, 0, SEEK_SET);
	pid_t ch = fork();
	if (ch == 0) { char b[3]; read(fd, b, 3); _exit(0); }
	waitpid(ch, NULL, 0);
	SAY("offset after child read 3: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	ch = fork();
	if (ch == 0) { close(fd); _exit(0); } /* closing in the child does not affect us */
	waitpid(ch, NULL, 0);
	CHECK(read(fd, &c, 1) == 1 && c == '3', "fd still open after child closed its copy");
	/* separate opens have separate offsets */
	int fd2 = open(t_path("f"), O_RDONLY);
	SAY("new open offset: %ld\n", (long)lseek(fd2, 0, SEEK_CUR));
	/* the lowest free descriptor is used */
	close(fd2);
	int lo = open(t_path("f"), O_RDONLY);
	SAY("reuses lowest free fd: %s\n", lo == fd2 ? "yes" : "no");
	t_cleanup();
	return t_done();
}
