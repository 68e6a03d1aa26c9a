/* fs_emfile: with RLIMIT_NOFILE lowered to 64, opening files until failure
 * ends with EMFILE at fd 63; the limit also bounds dup2/F_DUPFD; closing
 * makes room again. */
#include "t.h"
#include <sys/resource.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	close(open(t_path("f"), O_CREAT | O_WRONLY, 0644));
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 64;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "set NOFILE soft limit 64");
	int maxfd = -1, fd, err = 0, count = 0;
	while (count < 1000) {
		fd = open(t_path("f"), O_RDONLY);
		if (fd < 0) { err = errno; break; }
		if (fd > maxfd) maxfd = fd;
		count++;
	}
	SAY("stopped with: %s\n", t_errname(err));
	SAY("highest fd: %d\n", maxfd);
	CHECK_ERR(dup(0), EMFILE, "dup at the limit");
	int p[2];
	CHECK_ERR(pipe(p), EMFILE, "pipe at the limit");
	close(maxfd);
	CHECK_ERR(pipe(p), EMFILE, "pipe with one free slot");
	CHECK(dup(0) == maxfd, "one slot free again: dup gets it");
	CHECK_ERR(dup2(0, 64), EBADF, "dup2 to fd 64");
	CHECK_ERR(fcntl(0, F_DUPFD, 64), EINVAL, "F_DUPFD from 64");
	for (int i = 3; i <= maxfd; i++) close(i);
	fd = open(t_path("f"), O_RDONLY);
	SAY("after closing all, open returns: %d\n", fd);
	close(fd);
	t_cleanup();
	return t_done();
}
