/* io_poll_select: poll/ppoll/select/pselect on pipes: timeouts, readiness,
 * POLLHUP, POLLNVAL, POLLERR and the fd_set results. */
#include "t.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int p[2];
	pipe(p);
	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
	long long t0 = t_now_ms();
	fds[1].fd = -1; /* ignored entry */
	int r = poll(fds, 2, 100);
	long long el = t_now_ms() - t0;
	SAY("poll empty pipe: %d, waited>=100ms: %s\n", r, el >= 99 ? "yes" : "no");
	fds[1].fd = p[1];
	r = poll(fds, 2, 0);
	SAY("poll: %d, read revents=0x%x write revents=0x%x\n", r, fds[0].revents, fds[1].revents);
	write(p[1], "x", 1);
	r = poll(fds, 2, 1000);
	SAY("after write: %d, read revents=0x%x\n", r, fds[0].revents);
	close(p[1]);
	fds[1].fd = -1;
	r = poll(fds, 1, 1000);
	SAY("writer closed with data: revents=0x%x\n", fds[0].revents);
	char c;
	read(p[0], &c, 1);
	r = poll(fds, 1, 1000);
	SAY("writer closed, empty: revents=0x%x\n", fds[0].revents);
	struct pollfd bad = { 999, POLLIN, 0 };
	r = poll(&bad, 1, 0);
	SAY("closed fd: %d revents=0x%x\n", r, bad.revents);
	int q[2];
	pipe(q);
	close(q[0]);
	struct pollfd wr = { q[1], POLLOUT, 0 };
	poll(&wr, 1, 0);
	SAY("write end, reader closed: revents=0x%x\n", wr.revents);
	close(q[1]);
	close(p[0]);

	/* wakeup from another process */
	pipe(p);
	pid_t ch = fork();
	if (ch == 0) { usleep(100000); write(p[1], "y", 1); _exit(0); }
	struct pollfd one = { p[0], POLLIN, 0 };
	t0 = t_now_ms();
	r = poll(&one, 1, 5000);
	el = t_now_ms() - t0;
	SAY("woken by child: %d revents=0x%x early: %s\n", r, one.revents, el < 4000 ? "yes" : "no");
	waitpid(ch, NULL, 0);

	/* select */
	fd_set rs, ws;
	FD_ZERO(&rs); FD_ZERO(&ws);
	FD_SET(p[0], &rs); FD_SET(p[1], &ws);
	struct timeval tv = { 1, 0 };
	r = select(p[1] + 1, &rs, &ws, NULL, &tv);
	SAY("select: %d readable=%d writable=%d\n", r, FD_ISSET(p[0], &rs) != 0, FD_ISSET(p[1], &ws) != 0);
	read(p[0], &c, 1);
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	tv.tv_sec = 0; tv.tv_usec = 100000;
	t0 = t_now_ms();
	r = select(p[0] + 1, &rs, NULL, NULL, &tv);
	el = t_now_ms() - t0;
	SAY("select timeout: %d set cleared: %s waited>=100ms: %s\n", r, FD_ISSET(p[0], &rs) ? "no" : "yes", el >= 99 ? "yes" : "no");
	FD_ZERO(&rs);
	int gone = dup(0);
	close(gone);
	FD_SET(gone, &rs);
	tv.tv_sec = 0; tv.tv_usec = 0;
	CHECK_ERR(select(gone + 1, &rs, NULL, NULL, &tv), EBADF, "select on closed fd");
	tv.tv_usec = -1;
	CHECK_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL, "select negative timeout");

	/* ppoll/pselect with a signal mask: a blocked signal does not interrupt */
	sigset_t blk, none;
	sigemptyset(&blk);
	sigaddset(&blk, SIGUSR1);
	sigprocmask(SIG_BLOCK, &blk, NULL);
	signal(SIGUSR1, SIG_DFL);
	struct timespec ts = { 0, 50000000 };
	r = ppoll(&one, 1, &ts, &blk);
	SAY("ppoll timeout: %d\n", r);
	sigemptyset(&none);
	signal(SIGUSR1, (void (*)(int))SIG_IGN);
	ts.tv_nsec = 50000000;
	FD_ZERO(&rs);
	FD_SET(p[0], &rs);
	r = pselect(p[0] + 1, &rs, NULL, NULL, &ts, &none);
	SAY("pselect timeout: %d\n", r);
	CHECK(poll(NULL, 0, 10) == 0, "poll with no fds sleeps and returns 0");
	return t_done();
}
