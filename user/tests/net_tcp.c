/* net_tcp: TCP over 127.0.0.1: bind/listen/connect/accept and names,
 * data both ways (a large transfer checked byte by byte), shutdown and
 * EOF, EPIPE/SIGPIPE, resets (unread data at close, SO_LINGER 0),
 * ECONNREFUSED, EADDRINUSE and SO_REUSEADDR, non-blocking connect with
 * poll and SO_ERROR, MSG_PEEK/MSG_DONTWAIT/MSG_WAITALL, options, errors
 * on unconnected sockets, sendfile to a socket, /proc/net/tcp. */
#include "t.h"
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <arpa/inet.h>

static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A listener on 127.0.0.1 with a kernel-chosen port. */
static int listener(int backlog, int *port)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo_addr(0);
	if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, backlog))
		return -1;
	socklen_t al = sizeof a;
	getsockname(l, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return l;
}

static int connect_to(int port)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo_addr(port);
	return connect(c, (struct sockaddr *)&a, sizeof a) == 0 ? c : -1;
}

static const char *ev(int fd, short want)
{
	static char b[4][64];
	static int k;
	char *s = b[k++ & 3];
	struct pollfd p = {fd, want, 0};
	int r = poll(&p, 1, 0);
	snprintf(s, 64, "%d:%s%s%s%s%s", r, (p.revents & POLLIN) ? "IN " : "", (p.revents & POLLOUT) ? "OUT " : "",
		 (p.revents & POLLHUP) ? "HUP " : "", (p.revents & POLLERR) ? "ERR " : "", (p.revents & POLLRDHUP) ? "RDHUP" : "");
	return s;
}

static void basics(void)
{
	int port, v;
	socklen_t vl = sizeof v;
	int l = listener(5, &port);
	CHECK(l >= 0 && port > 0, "listen on an ephemeral port");
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
	SAY("SO_ACCEPTCONN %d\n", v);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	SAY("fresh socket: %s\n", ev(c, POLLIN | POLLOUT | POLLRDHUP));
	vl = sizeof v;
	getsockopt(c, IPPROTO_TCP, TCP_MAXSEG, &v, &vl);
	SAY("TCP_MAXSEG before connect: %d\n", v);
	getsockopt(c, SOL_SOCKET, SO_SNDBUF, &v, &vl);
	SAY("SO_SNDBUF %d", v);
	getsockopt(c, SOL_SOCKET, SO_RCVBUF, &v, &vl);
	SAY(" SO_RCVBUF %d\n", v);
	struct sockaddr_in a = lo_addr(port), cl, sv, pe;
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect");
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN, "connect again");
	SAY("listener with a pending connection: %s\n", ev(l, POLLIN | POLLOUT));
	socklen_t al = sizeof pe;
	int s = accept(l, (struct sockaddr *)&pe, &al);
	CHECK(s >= 0, "accept");
	al = sizeof cl;
	getsockname(c, (struct sockaddr *)&cl, &al);
	al = sizeof sv;
	getpeername(s, (struct sockaddr *)&sv, &al);
	SAY("accept's address is the client's: %s\n", pe.sin_port == cl.sin_port && pe.sin_addr.s_addr == cl.sin_addr.s_addr ? "yes" : "no");
	SAY("client port is ephemeral: %s, peer matches: %s\n", ntohs(cl.sin_port) >= 1024 ? "yes" : "no",
	    sv.sin_port == cl.sin_port ? "yes" : "no");
	SAY("connected: %s\n", ev(c, POLLIN | POLLOUT | POLLRDHUP));
	CHECK(write(c, "hello", 5) == 5, "write");
	char buf[256];
	int n = -1;
	ioctl(s, FIONREAD, &n);
	SAY("FIONREAD %d\n", n);
	long r = recv(s, buf, 3, MSG_PEEK);
	SAY("peek %ld, read %ld\n", r, (long)read(s, buf, sizeof buf));
	CHECK_ERR(recv(s, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "empty MSG_DONTWAIT");
	pid_t ch = fork();
	if (ch == 0) {
		for (int i = 0; i < 4; i++) { usleep(20000); write(c, "0123456789", 10); }
		_exit(0);
	}
	SAY("MSG_WAITALL 40: %ld\n", (long)recv(s, buf, 40, MSG_WAITALL));
	waitpid(ch, NULL, 0);
	v = 1;
	CHECK(setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) == 0, "TCP_NODELAY");
	vl = sizeof v;
	v = 0;
	getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl);
	SAY("TCP_NODELAY reads %d\n", v);
	CHECK_ERR(recv(s, buf, 1, MSG_OOB), EINVAL, "no urgent data");

	/* shutdown(SHUT_WR): EOF for the peer, EPIPE for us */
	CHECK(shutdown(c, SHUT_WR) == 0, "shutdown SHUT_WR");
	SAY("peer reads EOF: %ld\n", (long)read(s, buf, sizeof buf));
	SAY("peer after our FIN: %s\n", ev(s, POLLIN | POLLOUT | POLLRDHUP));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(c, "x", 1), EPIPE, "write after SHUT_WR");
	CHECK(write(s, "back", 4) == 4, "the peer still writes");
	SAY("we still read: %ld\n", (long)read(c, buf, sizeof buf));
	close(s);
	SAY("read after both closed: %ld\n", (long)read(c, buf, sizeof buf));
	close(c);
	signal(SIGPIPE, SIG_DFL);

	/* a large transfer from a child, checked byte by byte */
	c = connect_to(port);
	s = accept(l, NULL, NULL);
	ch = fork();
	if (ch == 0) {
		static char big[1 << 20];
		for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 13 + 7);
		close(s);
		size_t off = 0;
		while (off < sizeof big) { ssize_t k = write(c, big + off, sizeof big - off); if (k <= 0) _exit(1); off += k; }
		_exit(0);
	}
	close(c);
	long total = 0, bad = 0, k;
	static char rb[10000];
	while ((k = read(s, rb, sizeof rb)) > 0) {
		for (long i = 0; i < k; i++) if (rb[i] != (char)((total + i) * 13 + 7)) bad++;
		total += k;
	}
	SAY("1 MiB transfer: %ld bytes, %ld bad, %s\n", total, bad, t_wait_desc(ch));
	close(s);
	close(l);
}

static void errors(void)
{
	int port;
	char buf[16];
	int l = listener(1, &port);
	close(l);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = lo_addr(port);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), ECONNREFUSED, "connect to a closed port");
	CHECK_ERR(connect(c, (struct sockaddr *)&a, 4), EINVAL, "short address");
	close(c);
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK_ERR(read(c, buf, 1), ENOTCONN, "read unconnected");
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(c, buf, 1), EPIPE, "write unconnected");
	signal(SIGPIPE, SIG_DFL);
	CHECK_ERR(shutdown(c, SHUT_RDWR), ENOTCONN, "shutdown unconnected");
	socklen_t al = sizeof a;
	CHECK_ERR(getpeername(c, (struct sockaddr *)&a, &al), ENOTCONN, "getpeername unconnected");
	CHECK_ERR(accept(c, NULL, NULL), EINVAL, "accept not listening");
	struct sockaddr_in far = lo_addr(0);
	far.sin_addr.s_addr = inet_addr("192.0.2.1");
	CHECK_ERR(bind(c, (struct sockaddr *)&far, sizeof far), EADDRNOTAVAIL, "bind a foreign address");
	struct sockaddr_in un = lo_addr(0);
	un.sin_family = AF_UNIX;
	CHECK_ERR(bind(c, (struct sockaddr *)&un, sizeof un), EAFNOSUPPORT, "bind wrong family");
	close(c);
	int sv[2];
	CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP, "socketpair AF_INET");
	CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT, "stream with UDP");
	CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT, "seqpacket inet");

	/* EADDRINUSE and SO_REUSEADDR */
	l = listener(1, &port);
	int b = socket(AF_INET, SOCK_STREAM, 0);
	a = lo_addr(port);
	CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "bind a listening port");
	int one = 1;
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	CHECK_ERR(bind(b, (struct sockaddr *)&a, sizeof a), EADDRINUSE, "SO_REUSEADDR does not share a listener's port");
	close(l);
	CHECK(bind(b, (struct sockaddr *)&a, sizeof a) == 0, "port free after the listener closed");
	close(b);
	int x = socket(AF_INET, SOCK_STREAM, 0), y = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(x, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(y, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	a = lo_addr(0);
	bind(x, (struct sockaddr *)&a, sizeof a);
	al = sizeof a;
	getsockname(x, (struct sockaddr *)&a, &al);
	CHECK(bind(y, (struct sockaddr *)&a, sizeof a) == 0, "two SO_REUSEADDR sockets share a port");
	CHECK(listen(x, 1) == 0, "one of them listens");
	CHECK_ERR(listen(y, 1), EADDRINUSE, "the other cannot listen too");
	close(x);
	close(y);
}

static void resets(void)
{
	int port;
	char buf[16];
	int l = listener(4, &port);
	int c = connect_to(port), s = accept(l, NULL, NULL);
	write(c, "unread", 6);
	usleep(20000);
	close(s);
	usleep(20000);
	CHECK_ERR(read(c, buf, sizeof buf), ECONNRESET, "peer closed with unread data");
	SAY("then EOF: %ld\n", (long)read(c, buf, sizeof buf));
	close(c);
	c = connect_to(port);
	s = accept(l, NULL, NULL);
	struct linger lg = {1, 0};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	close(s);
	usleep(20000);
	SAY("after an abortive close: %s\n", ev(c, POLLIN | POLLOUT | POLLRDHUP));
	int v;
	socklen_t vl = sizeof v;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
	SAY("SO_ERROR %s\n", t_errname(v));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(c, "x", 1), EPIPE, "write after reset");
	signal(SIGPIPE, SIG_DFL);
	close(c);
	close(l);
}

static void nonblocking(void)
{
	int port;
	int l = listener(4, &port);
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = lo_addr(port);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EINPROGRESS, "non-blocking connect");
	struct pollfd p = {c, POLLOUT, 0};
	int pr = poll(&p, 1, 5000);
	SAY("poll for the connection: %d revents OUT %d\n", pr, !!(p.revents & POLLOUT));
	int v = -1;
	socklen_t vl = sizeof v;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
	SAY("SO_ERROR %d\n", v);
	CHECK(connect(c, (struct sockaddr *)&a, sizeof a) == 0, "connect again after it completed");
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EISCONN, "and once more");
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	SAY("accept4 flags: nonblock %d cloexec %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK), !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN, "accept with nothing pending");
	/* a full send buffer: EAGAIN, POLLOUT off, back when drained */
	static char big[65536];
	long total = 0, n;
	int small = 4096;
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	while ((n = write(c, big, sizeof big)) > 0) total += n;
	SAY("non-blocking writes stop with %s\n", t_errname(errno));
	long got = 0;
	while (got < total) {
		struct pollfd q = {s, POLLIN, 0};
		poll(&q, 1, 1000);
		n = read(s, big, sizeof big);
		if (n <= 0) break;
		got += n;
	}
	SAY("reader got all: %s\n", got == total ? "yes" : "no");
	struct pollfd w = {c, POLLOUT, 0};
	SAY("writable again: %d\n", poll(&w, 1, 2000));
	close(s);
	close(c);
	close(l);

	/* non-blocking connect to a closed port */
	l = listener(1, &port);
	close(l);
	c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	a = lo_addr(port);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, sizeof a), EINPROGRESS, "non-blocking connect to a closed port");
	p.fd = c;
	p.events = POLLOUT;
	poll(&p, 1, 5000);
	SAY("revents: OUT %d ERR %d HUP %d\n", !!(p.revents & POLLOUT), !!(p.revents & POLLERR), !!(p.revents & POLLHUP));
	vl = sizeof v;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
	SAY("SO_ERROR %s\n", t_errname(v));
	vl = sizeof v;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl);
	SAY("SO_ERROR again %s\n", t_errname(v));
	close(c);
}

static void misc(void)
{
	int port;
	int l = listener(4, &port);
	/* /proc/net/tcp shows the listener */
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256], want[32];
	snprintf(want, sizeof want, "0100007F:%04X", port);
	int found = 0;
	struct stat st;
	fstat(l, &st);
	while (f && fgets(line, sizeof line, f)) {
		unsigned long ino = 0;
		unsigned st_ = 0;
		char la[32], ra[32];
		if (sscanf(line, "%*d: %31s %31s %x %*s %*s %*s %*s %*s %lu", la, ra, &st_, &ino) == 4 && !strcmp(la, want)) {
			SAY("/proc/net/tcp: state %02X remote %s inode matches %s\n", st_, ra, ino == st.st_ino ? "yes" : "no");
			found = 1;
		}
	}
	if (f) fclose(f);
	if (!found) SAY("/proc/net/tcp: listener not found\n");
	/* sendfile from a file to a socket */
	t_scratch();
	int fd = open(t_path("data"), O_CREAT | O_RDWR, 0644);
	static char chunk[10000];
	for (int i = 0; i < 10000; i++) chunk[i] = (char)(i % 251);
	write(fd, chunk, sizeof chunk);
	int c = connect_to(port), s = accept(l, NULL, NULL);
	off_t off = 100;
	long sf = sendfile(c, fd, &off, 5000);
	SAY("sendfile: %ld, offset now %ld\n", sf, (long)off);
	static char in[6000];
	long got = 0, n;
	while (got < 5000 && (n = read(s, in + got, sizeof in - got)) > 0) got += n;
	SAY("received %ld, same bytes %s\n", got, got == 5000 && !memcmp(in, chunk + 100, 5000) ? "yes" : "no");
	close(fd);
	t_cleanup();
	int v = 3;
	socklen_t vl = sizeof v;
	CHECK_ERR(setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &(int){0}, sizeof(int)), EINVAL, "TCP_KEEPIDLE 0");
	setsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
	getsockopt(c, IPPROTO_TCP, TCP_KEEPIDLE, &v, &vl);
	SAY("TCP_KEEPIDLE %d\n", v);
	CHECK_ERR(setsockopt(c, IPPROTO_TCP, 999, &v, sizeof v), ENOPROTOOPT, "unknown TCP option");
	getsockopt(c, IPPROTO_IP, IP_TTL, &v, &vl);
	SAY("IP_TTL %d\n", v);
	struct tcp_info ti;
	vl = sizeof ti;
	CHECK(getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &vl) == 0, "TCP_INFO");
	SAY("TCP_INFO state established: %s\n", ti.tcpi_state == 1 ? "yes" : "no");
	close(c);
	close(s);
	close(l);
}

/* epoll on TCP: a listener wakes on a connection, a connection on data
 * (edge-triggered: once per arrival) and on the peer's FIN (EPOLLRDHUP). */
static void epolling(void)
{
	int port;
	int l = listener(4, &port);
	int ep = epoll_create1(0);
	struct epoll_event e = {EPOLLIN, {.fd = l}}, out[4];
	epoll_ctl(ep, EPOLL_CTL_ADD, l, &e);
	SAY("epoll idle listener: %d\n", epoll_wait(ep, out, 4, 0));
	pid_t ch = fork();
	if (ch == 0) {
		usleep(50000);
		int c = connect_to(port);
		usleep(50000);
		write(c, "data", 4);
		usleep(50000);
		write(c, "more", 4);
		usleep(50000);
		shutdown(c, SHUT_WR);
		usleep(200000);
		_exit(0);
	}
	int n = epoll_wait(ep, out, 4, 5000);
	SAY("listener woke: %d IN %d\n", n, n == 1 && (out[0].events & EPOLLIN));
	int s = accept(l, NULL, NULL);
	struct epoll_event se = {EPOLLIN | EPOLLET | EPOLLRDHUP, {.fd = s}};
	epoll_ctl(ep, EPOLL_CTL_DEL, l, NULL);
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &se);
	n = epoll_wait(ep, out, 4, 5000);
	SAY("data woke: %d IN %d\n", n, n == 1 && (out[0].events & EPOLLIN));
	SAY("edge-triggered, no new data: %d\n", epoll_wait(ep, out, 4, 0));
	char buf[16];
	n = epoll_wait(ep, out, 4, 5000);
	SAY("more data woke: %d\n", n);
	long r = read(s, buf, sizeof buf);
	SAY("read both: %ld\n", r);
	n = epoll_wait(ep, out, 4, 5000);
	SAY("FIN woke: %d RDHUP %d\n", n, n == 1 && !!(out[0].events & EPOLLRDHUP));
	waitpid(ch, NULL, 0);
	close(s);
	close(ep);
	close(l);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	basics();
	epolling();
	errors();
	resets();
	nonblocking();
	misc();
	return t_done();
}
