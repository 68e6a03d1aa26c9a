/* fs_dup3_sendfile: the order in which dup2/dup3 and sendfile judge their
 * arguments (which errno wins when several are wrong), and sendfile's
 * offsets. */
#include "t.h"
#include <sys/sendfile.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	int fd = open(t_path("src"), O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789abcdefghij", 20);

	/* dup3: flags first, then oldfd == newfd, then the descriptors */
	CHECK_ERR(syscall(SYS_dup3, fd, 50, 0x1234), EINVAL, "dup3 bad flags");
	CHECK_ERR(syscall(SYS_dup3, 999, 50, 0x1234), EINVAL, "dup3 bad flags and bad oldfd");
	CHECK_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL, "dup3 same fd");
	CHECK_ERR(syscall(SYS_dup3, 999, 999, 0), EINVAL, "dup3 same bad fd");
	CHECK_ERR(syscall(SYS_dup3, 999, 50, 0), EBADF, "dup3 bad oldfd");
	CHECK_ERR(syscall(SYS_dup3, fd, -1, 0), EBADF, "dup3 newfd -1");
	CHECK_ERR(syscall(SYS_dup3, fd, 1 << 20, 0), EBADF, "dup3 newfd past the limit");
	CHECK(syscall(SYS_dup3, fd, 50, O_CLOEXEC) == 50, "dup3 O_CLOEXEC");
	CHECK(fcntl(50, F_GETFD) == FD_CLOEXEC, "dup3 set FD_CLOEXEC");
	CHECK(syscall(SYS_dup2, fd, fd) == fd, "dup2 same fd returns it");
	CHECK_ERR(syscall(SYS_dup2, 999, 999), EBADF, "dup2 same bad fd");
	CHECK_ERR(syscall(SYS_dup2, 999, 50), EBADF, "dup2 bad oldfd");
	CHECK(syscall(SYS_dup2, fd, 50) == 50, "dup2 over an open fd");
	CHECK(fcntl(50, F_GETFD) == 0, "dup2 clears FD_CLOEXEC");
	close(50);

	/* sendfile: out must be writable even when nothing is copied */
	int ro = open(t_path("ro"), O_CREAT | O_RDONLY, 0644);
	int wo = open(t_path("wo"), O_CREAT | O_WRONLY | O_TRUNC, 0644);
	off_t off = 0;
	CHECK_ERR(sendfile(ro, fd, &off, 10), EBADF, "sendfile to a read-only fd");
	off = 20;
	CHECK_ERR(sendfile(ro, fd, &off, 10), EBADF, "sendfile to a read-only fd at EOF");
	CHECK_ERR(sendfile(ro, fd, &off, 0), EBADF, "sendfile to a read-only fd, count 0");
	CHECK_ERR(sendfile(wo, wo, NULL, 10), EBADF, "sendfile from a write-only fd");
	CHECK_ERR(sendfile(999, fd, NULL, 10), EBADF, "sendfile bad out fd");
	CHECK_ERR(sendfile(wo, 999, NULL, 10), EBADF, "sendfile bad in fd");
	CHECK_ERR(sendfile(wo, fd, (off_t *)8, 10), EFAULT, "sendfile bad offset pointer");
	CHECK_ERR(sendfile(999, 998, (off_t *)8, 10), EFAULT, "offset pointer before the fds");
	off = -1;
	CHECK_ERR(sendfile(wo, fd, &off, 10), EINVAL, "sendfile negative offset");
	int p[2];
	pipe(p);
	CHECK_ERR(sendfile(wo, p[0], &off, 10), ESPIPE, "sendfile from a pipe with an offset");

	/* with an offset: the offset moves, the file position does not */
	lseek(fd, 3, SEEK_SET);
	off = 5;
	CHECK(sendfile(wo, fd, &off, 4) == 4, "sendfile 4 bytes at offset 5");
	SAY("offset now %ld, file position %ld\n", (long)off, (long)lseek(fd, 0, SEEK_CUR));
	/* without: the file position moves */
	CHECK(sendfile(wo, fd, NULL, 4) == 4, "sendfile 4 bytes at the position");
	SAY("file position now %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	off = 18;
	SAY("sendfile past EOF copies %ld\n", (long)sendfile(wo, fd, &off, 10));
	off = 40;
	SAY("sendfile from beyond EOF copies %ld\n", (long)sendfile(wo, fd, &off, 10));
	char buf[32] = {0};
	int rd = open(t_path("wo"), O_RDONLY);
	SAY("copied: %.*s\n", (int)read(rd, buf, sizeof buf), buf);
	t_cleanup();
	return t_done();
}
