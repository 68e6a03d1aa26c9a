/* io_epoll: epoll_create1/ctl/wait/pwait: level and edge triggered,
 * EPOLLONESHOT, MOD/DEL, errors, and data passthrough. */
#include "t.h"
#include <sys/epoll.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0, "epoll_create1");
	SAY("cloexec: %d\n", fcntl(ep, F_GETFD));
	int p[2];
	pipe(p);
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1122334455667788ULL }, out[4];
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "ADD level-triggered");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST, "ADD twice");
	SAY("wait on empty (timeout 0): %d\n", epoll_wait(ep, out, 4, 0));
	long long t0 = t_now_ms();
	SAY("wait on empty (timeout 100): %d\n", epoll_wait(ep, out, 4, 100));
	CHECK(t_now_ms() - t0 >= 99, "waited>=100ms");
	write(p[1], "ab", 2);
	int n = epoll_wait(ep, out, 4, 1000);
	SAY("after write: %d events=0x%x data ok=%s\n", n, out[0].events,
	    out[0].data.u64 == 0x1122334455667788ULL ? "yes" : "no");
	n = epoll_wait(ep, out, 4, 0);
	SAY("level-triggered again: %d\n", n);

	ev.events = EPOLLIN | EPOLLET;
	ev.data.u32 = 7;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "MOD to edge-triggered");
	n = epoll_wait(ep, out, 4, 0);
	SAY("edge after MOD (data pending): %d\n", n);
	n = epoll_wait(ep, out, 4, 0);
	SAY("edge again without new data: %d\n", n);
	write(p[1], "c", 1);
	n = epoll_wait(ep, out, 4, 0);
	SAY("edge after new data: %d data=%u\n", n, out[0].data.u32);
	n = epoll_wait(ep, out, 4, 0);
	SAY("edge once more: %d\n", n);
	char buf[16];
	SAY("drain: %ld\n", (long)read(p[0], buf, sizeof buf));

	ev.events = EPOLLIN | EPOLLONESHOT;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	write(p[1], "d", 1);
	SAY("oneshot first: %d\n", epoll_wait(ep, out, 4, 0));
	SAY("oneshot second: %d\n", epoll_wait(ep, out, 4, 0));
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	SAY("oneshot re-armed: %d\n", epoll_wait(ep, out, 4, 0));
	read(p[0], buf, sizeof buf);

	/* several fds; write end readiness; hangup */
	ev.events = EPOLLOUT;
	ev.data.u32 = 2;
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
	ev.events = EPOLLIN;
	ev.data.u32 = 1;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
	n = epoll_wait(ep, out, 4, 0);
	SAY("two fds, pipe empty: %d (data %u events 0x%x)\n", n, n > 0 ? out[0].data.u32 : 0, n > 0 ? out[0].events : 0);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0, "DEL write end");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT, "DEL again");
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT, "MOD unregistered");
	close(p[1]);
	n = epoll_wait(ep, out, 4, 0);
	SAY("writer closed: %d events=0x%x\n", n, n > 0 ? out[0].events : 0);

	/* wakeup from another process; epoll_pwait */
	int q[2];
	pipe(q);
	ev.events = EPOLLIN;
	ev.data.u32 = 3;
	epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL);
	epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev);
	pid_t c = fork();
	if (c == 0) { usleep(100000); write(q[1], "z", 1); _exit(0); }
	n = epoll_pwait(ep, out, 4, 5000, NULL);
	SAY("pwait woken by child: %d data=%u\n", n, out[0].data.u32);
	waitpid(c, NULL, 0);

	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL, "add epoll to itself");
	int f = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM, "add a directory");
	CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL, "maxevents 0");
	CHECK_ERR(epoll_wait(f, out, 4, 0), EINVAL, "wait on non-epoll fd");
	CHECK_ERR(epoll_create1(0x1234), EINVAL, "create1 bad flags");
	return t_done();
}
