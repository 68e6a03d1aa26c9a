/*
 * user/bench/net_pair.h - connected socket pairs for the network
 * benchmarks (tcp_*, udp_lat, unix_*), and the echo / writer children
 * they talk to.  User space; the same code runs on Keel and on Linux.
 * The Linux guest's /init does not configure lo, so lo_up() brings it up
 * (on Keel it is up from boot).
 */
#ifndef KEEL_BENCH_NET_PAIR_H
#define KEEL_BENCH_NET_PAIR_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int lo_up(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq r;

	if (s < 0)
		return -1;
	memset(&r, 0, sizeof r);
	strcpy(r.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &r) == 0 && !(r.ifr_flags & IFF_UP)) {
		r.ifr_flags |= IFF_UP | IFF_RUNNING;
		ioctl(s, SIOCSIFFLAGS, &r);
	}
	close(s);
	return 0;
}

/* a: the client end, b: the server end of a TCP connection over lo. */
static int tcp_pair(int *a, int *b, int nodelay)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);

	lo_up();
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof sa) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&sa, &sl))
		return -1;
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof sa))
		return -1;
	*b = accept(l, NULL, NULL);
	close(l);
	if (*b < 0)
		return -1;
	setsockopt(*a, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay);
	setsockopt(*b, IPPROTO_TCP, TCP_NODELAY, &nodelay, sizeof nodelay);
	return 0;
}

/* Two UDP sockets on lo, each connected to the other. */
static int udp_pair(int *a, int *b)
{
	struct sockaddr_in sa, sb;
	socklen_t l = sizeof sa;

	lo_up();
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sb = sa;
	*a = socket(AF_INET, SOCK_DGRAM, 0);
	*b = socket(AF_INET, SOCK_DGRAM, 0);
	if (*a < 0 || *b < 0 || bind(*a, (struct sockaddr *)&sa, sizeof sa) ||
	    bind(*b, (struct sockaddr *)&sb, sizeof sb) || getsockname(*a, (struct sockaddr *)&sa, &l))
		return -1;
	l = sizeof sb;
	if (getsockname(*b, (struct sockaddr *)&sb, &l) || connect(*a, (struct sockaddr *)&sb, sizeof sb) ||
	    connect(*b, (struct sockaddr *)&sa, sizeof sa))
		return -1;
	return 0;
}

static pid_t net_child = -1;
static int net_fd = -1;

/* Fork a child that echoes every byte it reads on `theirs` (we keep `ours`). */
static int net_echo_start(int ours, int theirs)
{
	net_child = fork();
	if (net_child < 0)
		return -1;
	if (net_child == 0) {
		char c[64];
		long r;

		close(ours);
		while ((r = read(theirs, c, sizeof c)) > 0)
			if (write(theirs, c, r) != r)
				break;
		_exit(0);
	}
	close(theirs);
	net_fd = ours;
	return 0;
}

static int net_roundtrips(long n)
{
	char c = 'x';

	for (long i = 0; i < n; i++)
		if (write(net_fd, &c, 1) != 1 || read(net_fd, &c, 1) != 1)
			return -1;
	return 0;
}

/* Fork a child that writes `chunk`-byte blocks to `theirs` until it fails. */
static int net_writer_start(int ours, int theirs, char *buf, long chunk)
{
	net_child = fork();
	if (net_child < 0)
		return -1;
	if (net_child == 0) {
		close(ours);
		signal(SIGPIPE, SIG_DFL);
		for (;;) {
			long off = 0;

			while (off < chunk) {
				long r = write(theirs, buf + off, chunk - off);

				if (r <= 0)
					_exit(0);
				off += r;
			}
		}
	}
	close(theirs);
	net_fd = ours;
	return 0;
}

static int net_read_chunks(long n, char *buf, long chunk)
{
	for (long i = 0; i < n; i++) {
		long off = 0;

		while (off < chunk) {
			long r = read(net_fd, buf + off, chunk - off);

			if (r <= 0)
				return -1;
			off += r;
		}
	}
	return 0;
}

static void net_stop(void)
{
	close(net_fd);
	if (net_child > 0) {
		kill(net_child, SIGKILL);
		waitpid(net_child, NULL, 0);
	}
}

#endif
