/* net_unix_poll: readiness and options of AF_UNIX sockets: poll revents
 * for fresh, connected, shut-down, listening and full sockets of each
 * type; select and epoll (level- and edge-triggered) waking on data and
 * connections; SOL_SOCKET options (SO_TYPE, SO_DOMAIN, SO_PROTOCOL,
 * SO_ERROR, buffer sizes, timeouts, SO_LINGER, unknown options). */
#include "t.h"
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

static const char *ev(int fd, short want)
{
	static char b[8][96];
	static int k;
	char *s = b[k++ & 7];
	struct pollfd p = {fd, want, 0};
	int r = poll(&p, 1, 0);
	snprintf(s, 96, "%d:%s%s%s%s%s", r, (p.revents & POLLIN) ? "IN " : "", (p.revents & POLLOUT) ? "OUT " : "",
		 (p.revents & POLLHUP) ? "HUP " : "", (p.revents & POLLERR) ? "ERR " : "", (p.revents & POLLRDHUP) ? "RDHUP" : "");
	return s;
}

#define ALL (POLLIN | POLLOUT | POLLRDHUP)

static void poll_states(void)
{
	const int types[3] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
	const char *names[3] = {"stream", "dgram", "seqpacket"};
	for (int t = 0; t < 3; t++) {
		int s = socket(AF_UNIX, types[t], 0), sv[2];
		SAY("%s fresh: %s\n", names[t], ev(s, ALL));
		close(s);
		socketpair(AF_UNIX, types[t], 0, sv);
		SAY("%s pair idle: %s\n", names[t], ev(sv[0], ALL));
		send(sv[1], "x", 1, 0);
		SAY("%s pair data: %s\n", names[t], ev(sv[0], ALL));
		shutdown(sv[0], SHUT_RD);
		SAY("%s after SHUT_RD: %s\n", names[t], ev(sv[0], ALL));
		shutdown(sv[0], SHUT_WR);
		SAY("%s after SHUT_RDWR: %s\n", names[t], ev(sv[0], ALL));
		SAY("%s peer after our SHUT_RDWR: %s\n", names[t], ev(sv[1], ALL));
		close(sv[0]);
		SAY("%s peer after close: %s\n", names[t], ev(sv[1], ALL));
		close(sv[1]);
	}
	/* a listener: readable with a pending connection */
	struct sockaddr_un a = {AF_UNIX};
	snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "keeltest-poll-%d", (int)getpid());
	socklen_t al = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	bind(l, (struct sockaddr *)&a, al);
	listen(l, 4);
	SAY("listener idle: %s\n", ev(l, ALL));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, al);
	SAY("listener pending: %s\n", ev(l, ALL));
	SAY("connected client: %s\n", ev(c, ALL));
	/* a stream fills: POLLOUT goes away, comes back when drained */
	fcntl(c, F_SETFL, O_NONBLOCK);
	static char big[65536];
	long total = 0, n;
	while ((n = write(c, big, sizeof big)) > 0) total += n;
	SAY("full stream: %s (write stopped with %s)\n", ev(c, POLLOUT), t_errname(errno));
	int s = accept(l, NULL, NULL);
	while (total > 0 && (n = read(s, big, sizeof big)) > 0) total -= n;
	SAY("drained stream: %s\n", ev(c, POLLOUT));
	close(s);
	close(c);
	close(l);
}

static void waiting(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pid_t c = fork();
	if (c == 0) { usleep(50000); write(sv[1], "wake", 4); usleep(50000); write(sv[1], "more", 4); _exit(0); }
	fd_set rf;
	FD_ZERO(&rf);
	FD_SET(sv[0], &rf);
	struct timeval tv = {5, 0};
	int r = select(sv[0] + 1, &rf, NULL, NULL, &tv);
	SAY("select woke: %d readable %d\n", r, FD_ISSET(sv[0], &rf));
	char buf[16];
	read(sv[0], buf, sizeof buf);
	int ep = epoll_create1(0);
	struct epoll_event e = {EPOLLIN | EPOLLET, {.fd = sv[0]}}, out[2];
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e);
	SAY("epoll empty: %d\n", epoll_wait(ep, out, 2, 0));
	r = epoll_wait(ep, out, 2, 5000);
	SAY("epoll woke: %d events IN %d\n", r, r == 1 && (out[0].events & EPOLLIN));
	SAY("edge-triggered, nothing new: %d\n", epoll_wait(ep, out, 2, 0));
	waitpid(c, NULL, 0);
	close(sv[1]);
	r = epoll_wait(ep, out, 2, 1000);
	SAY("after peer close: %d events HUP %d RDHUP %d\n", r, r == 1 && (out[0].events & EPOLLHUP), r == 1 && !!(out[0].events & EPOLLRDHUP));
	close(ep);
	close(sv[0]);
}

static void options(void)
{
	int s = socket(AF_UNIX, SOCK_DGRAM, 0), v;
	socklen_t l = sizeof v;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l);
	SAY("SO_TYPE %d", v);
	getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v, &l);
	SAY(" SO_DOMAIN %d", v);
	getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &l);
	SAY(" SO_PROTOCOL %d", v);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &v, &l);
	SAY(" SO_ERROR %d", v);
	getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &l);
	SAY(" SO_ACCEPTCONN %d\n", v);
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l);
	int def = v;
	v = 10000;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
	getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l);
	SAY("SO_SNDBUF set 10000 reads %d (default > 0: %s)\n", v, def > 0 ? "yes" : "no");
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
	getsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, &l);
	SAY("SO_RCVBUF set 1 reads %d\n", v);
	v = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v);
	v = 0;
	getsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, &l);
	SAY("SO_REUSEADDR %d", v);
	v = 5;
	setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v);
	getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, &l);
	SAY(" SO_KEEPALIVE %d\n", v);
	short sh = 1;
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &sh, sizeof sh), EINVAL, "int option with 2 bytes");
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT, "set SO_TYPE");
	CHECK_ERR(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT, "unknown option");
	CHECK_ERR(getsockopt(s, SOL_SOCKET, 9999, &v, &l), ENOPROTOOPT, "get unknown option");
	CHECK_ERR(setsockopt(s, 6, 1, &v, sizeof v), EOPNOTSUPP, "TCP option on AF_UNIX");
	l = 2;
	v = 0;
	getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l);
	SAY("short getsockopt: len %d value %d\n", (int)l, v);
	struct timeval tv = {1, 500000}, tg;
	CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0, "SO_RCVTIMEO");
	l = sizeof tg;
	getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tg, &l);
	SAY("SO_RCVTIMEO reads %ld.%06ld len %d\n", (long)tg.tv_sec, (long)tg.tv_usec, (int)l);
	tv.tv_usec = 2000000;
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM, "SO_RCVTIMEO usec out of range");
	CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL, "SO_RCVTIMEO short");
	tv.tv_sec = 0;
	tv.tv_usec = 100000;
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	char buf[4];
	long long t0 = t_now_ms();
	CHECK_ERR(recv(s, buf, sizeof buf, 0), EAGAIN, "recv times out");
	long long dt = t_now_ms() - t0;
	SAY("waited about the timeout: %s\n", dt >= 90 && dt < 3000 ? "yes" : "no");
	struct linger lg = {1, 7}, lo;
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	l = sizeof lo;
	getsockopt(s, SOL_SOCKET, SO_LINGER, &lo, &l);
	SAY("SO_LINGER %d %d len %d\n", lo.l_onoff, lo.l_linger, (int)l);
	close(s);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	poll_states();
	waiting();
	options();
	return t_done();
}
