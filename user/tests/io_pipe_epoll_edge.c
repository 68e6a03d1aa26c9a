/* io_pipe_epoll_edge: a pipe's capacity (F_GETPIPE_SZ/F_SETPIPE_SZ:
 * powers of two pages, EBUSY when the unread bytes would not fit, EPERM
 * past pipe-max-size for a user, bytes kept in order across a resize),
 * edge-triggered epoll on the two ends of a one-page pipe (a read does
 * not re-trigger the read end, emptying it triggers the write end),
 * epoll_wait's fairness with more ready descriptors than maxevents, and
 * EPOLLEXCLUSIVE waking one waiter per event. */
#include "t.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mman.h>

static void sizes(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	SAY("default size: %d\n", fcntl(p[0], F_GETPIPE_SZ));
	int r = fcntl(p[0], F_SETPIPE_SZ, 0);
	SAY("set 0: %d, get on the other end %d\n", r, fcntl(p[1], F_GETPIPE_SZ));
	SAY("set 5000: %d\n", fcntl(p[1], F_SETPIPE_SZ, 5000));
	SAY("set 65537: %d\n", fcntl(p[1], F_SETPIPE_SZ, 65537));
	SAY("set 1 MiB: %d\n", fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, -1), EINVAL, "set -1 (past 2 GiB)");
	/* fill a one-page pipe */
	CHECK(fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096, "one page");
	static char buf[70000], back[70000];
	for (int i = 0; i < (int)sizeof buf; i++)
		buf[i] = (char)('a' + i % 23);
	SAY("write 4096: %zd\n", write(p[1], buf, 4096));
	CHECK_ERR(write(p[1], buf, 1), EAGAIN, "one byte more");
	struct pollfd pf = {p[1], POLLOUT, 0};
	SAY("full: POLLOUT %s\n", poll(&pf, 1, 0) == 1 ? "yes" : "no");
	SAY("read 100: %zd\n", read(p[0], back, 100));
	SAY("partly read: POLLOUT %s\n", poll(&pf, 1, 0) == 1 ? "yes" : "no");
	CHECK_ERR(write(p[1], buf + 4096, 100), EAGAIN, "write 100: no page slot free");
	SAY("read 3900: %zd\n", read(p[0], back, 3900));
	CHECK_ERR(write(p[1], buf + 4096, 100), EAGAIN, "write 100 with 96 bytes left in the page");
	/* 96 bytes at the end of the ring page: grow, then read in order */
	SAY("grow to 16384: %d\n", fcntl(p[1], F_SETPIPE_SZ, 16384));
	SAY("write 8000 more: %zd\n", write(p[1], buf + 4096, 8000));
	ssize_t n = read(p[0], back, sizeof back);
	SAY("read back %zd bytes in order: %s\n", n, n == 8096 && !memcmp(back, buf + 4000, 8096) ? "yes" : "no");
	/* shrinking below what is unread */
	SAY("write 9000: %zd\n", write(p[1], buf, 9000));
	CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY, "shrink below the unread bytes");
	SAY("shrink to 16384 with 9000 unread: %d\n", fcntl(p[1], F_SETPIPE_SZ, 16384));
	n = read(p[0], back, sizeof back);
	SAY("read %zd in order: %s\n", n, n == 9000 && !memcmp(back, buf, 9000) ? "yes" : "no");
	pid_t c = fork();
	if (c == 0) {
		setuid(4242);
		SAY("user: set 1 MiB: %d\n", fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
		CHECK_ERR(fcntl(p[1], F_SETPIPE_SZ, 2 << 20), EPERM, "user: set 2 MiB");
		_exit(0);
	}
	t_wait_desc(c);
	close(p[0]);
	close(p[1]);
}

static int ep_count(int ep, int want_fd, unsigned want_ev)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);
	if (n == 1 && (ev[0].data.fd != want_fd || !(ev[0].events & want_ev)))
		return -1;
	return n;
}

static void edge_triggered(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	int ep = epoll_create1(0);
	struct epoll_event e = {.events = EPOLLIN | EPOLLET, .data.fd = p[0]};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e);
	e = (struct epoll_event){.events = EPOLLOUT | EPOLLET, .data.fd = p[1]};
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &e);
	SAY("empty pipe: %d event (the write end)\n", ep_count(ep, p[1], EPOLLOUT));
	SAY("nothing changed: %d\n", ep_count(ep, -1, 0));
	char buf[4096];
	memset(buf, 'x', sizeof buf);
	write(p[1], buf, 4096);
	CHECK_ERR(write(p[1], buf, 4096), EAGAIN, "full");
	SAY("after filling: %d event (the read end)\n", ep_count(ep, p[0], EPOLLIN));
	read(p[0], buf, 2048);
	SAY("after reading half: %d events\n", ep_count(ep, -1, 0));
	read(p[0], buf, 2048);
	SAY("after emptying: %d event (the write end)\n", ep_count(ep, p[1], EPOLLOUT));
	write(p[1], buf, 10);
	SAY("after a small write: %d event (the read end)\n", ep_count(ep, p[0], EPOLLIN));
	write(p[1], buf, 10);
	SAY("after another small write: %d event (the read end)\n", ep_count(ep, p[0], EPOLLIN));
	close(ep);
	close(p[0]);
	close(p[1]);
}

#define NREADY 13
#define MAXEV 3

static void fairness(void)
{
	int ep = epoll_create1(0);
	int fds[NREADY][2], count[NREADY] = {0};
	for (int i = 0; i < NREADY; i++) {
		pipe(fds[i]);
		write(fds[i][1], "x", 1);
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = (unsigned)i};
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i][0], &e);
	}
	for (int round = 0; round < NREADY; round++) {
		struct epoll_event ev[MAXEV];
		int n = epoll_wait(ep, ev, MAXEV, 0);
		for (int k = 0; k < n; k++)
			count[ev[k].data.u32]++;
	}
	int lo = 1000, hi = 0;
	for (int i = 0; i < NREADY; i++) {
		lo = count[i] < lo ? count[i] : lo;
		hi = count[i] > hi ? count[i] : hi;
		close(fds[i][0]);
		close(fds[i][1]);
	}
	SAY("13 ready, maxevents 3, 13 calls: each reported %d to %d times\n", lo, hi);
	close(ep);
}

#define NWAIT 4

static void exclusive(void)
{
	int p[2], ready[2], woke[2];
	pipe(p);
	pipe(ready);
	pipe(woke);
	int ep0 = epoll_create1(0);
	struct epoll_event e = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	CHECK(epoll_ctl(ep0, EPOLL_CTL_ADD, p[0], &e) == 0, "EPOLLEXCLUSIVE add");
	CHECK_ERR(epoll_ctl(ep0, EPOLL_CTL_MOD, p[0], &e), EINVAL, "EPOLLEXCLUSIVE mod");
	e.events = EPOLLIN;
	CHECK_ERR(epoll_ctl(ep0, EPOLL_CTL_MOD, p[0], &e), EINVAL, "mod of an exclusive item");
	int ep1 = epoll_create1(0);
	e.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	CHECK_ERR(epoll_ctl(ep1, EPOLL_CTL_ADD, p[0], &e), EINVAL, "EPOLLEXCLUSIVE with EPOLLONESHOT");
	e.events = EPOLLIN | EPOLLEXCLUSIVE;
	CHECK_ERR(epoll_ctl(ep1, EPOLL_CTL_ADD, ep0, &e), EINVAL, "EPOLLEXCLUSIVE on an epoll file");
	close(ep0);
	close(ep1);
	pid_t kids[NWAIT];
	for (int i = 0; i < NWAIT; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			int ep = epoll_create1(0);
			struct epoll_event ce = {.events = EPOLLIN | EPOLLET | EPOLLEXCLUSIVE};
			epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ce);
			write(ready[1], "r", 1);
			int n = epoll_wait(ep, &ce, 1, 20000);
			write(woke[1], n == 1 ? "w" : "t", 1);
			_exit(0);
		}
	}
	char c;
	for (int i = 0; i < NWAIT; i++)
		read(ready[0], &c, 1);
	/* every child asleep (its next blocking call is epoll_wait) */
	for (int i = 0; i < NWAIT; i++) {
		char path[64], st[512];
		snprintf(path, sizeof path, "/proc/%d/stat", kids[i]);
		for (int tries = 0; tries < 2000; tries++) {
			int fd = open(path, O_RDONLY);
			ssize_t n = fd >= 0 ? read(fd, st, sizeof st - 1) : -1;
			close(fd);
			st[n > 0 ? n : 0] = 0;
			char *rp = strrchr(st, ')');
			if (rp && rp[2] == 'S')
				break;
			usleep(1000);
		}
	}
	fcntl(woke[0], F_SETFL, O_NONBLOCK);
	int total = 0, extra = 0;
	for (int round = 0; round < NWAIT; round++) {
		write(p[1], "x", 1);
		fcntl(woke[0], F_SETFL, 0);
		if (read(woke[0], &c, 1) == 1 && c == 'w')
			total++;
		read(p[0], &c, 1);
		/* a second waiter woken by the same event would report now; a
		 * late one only makes this check miss it, never fail wrongly */
		usleep(50000);
		fcntl(woke[0], F_SETFL, O_NONBLOCK);
		while (read(woke[0], &c, 1) == 1)
			extra++;
	}
	SAY("EPOLLEXCLUSIVE: %d events woke %d waiters, %d more\n", NWAIT, total, extra);
	for (int i = 0; i < NWAIT; i++)
		waitpid(kids[i], NULL, 0);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	sizes();
	edge_triggered();
	fairness();
	exclusive();
	return t_done();
}
