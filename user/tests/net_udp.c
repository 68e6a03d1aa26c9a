/* net_udp: UDP and raw ICMP over 127.0.0.1: sendto/recvfrom addresses,
 * datagram boundaries and MSG_TRUNC, connect/disconnect, ECONNREFUSED on
 * a connected socket after an ICMP port unreachable, EDESTADDRREQ,
 * EADDRINUSE and SO_REUSEADDR, poll, FIONREAD, IP_TTL/IP_RECVTTL/
 * IP_PKTINFO, shutdown, and an ICMP echo through a raw socket. */
#include "t.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int bound(int *port)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = lo_addr(0);
	bind(s, (struct sockaddr *)&a, sizeof a);
	socklen_t al = sizeof a;
	getsockname(s, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return s;
}

static void datagrams(void)
{
	int pa, pb;
	int a = bound(&pa), b = bound(&pb);
	struct sockaddr_in to = lo_addr(pb), from;
	socklen_t fl = sizeof from;
	char buf[256];
	SAY("fresh: poll %d\n", poll(&(struct pollfd){a, POLLIN | POLLOUT, 0}, 1, 0));
	CHECK(sendto(a, "one", 3, 0, (struct sockaddr *)&to, sizeof to) == 3, "sendto");
	sendto(a, "three", 5, 0, (struct sockaddr *)&to, sizeof to);
	sendto(a, "", 0, 0, (struct sockaddr *)&to, sizeof to);
	int n = -1;
	ioctl(b, FIONREAD, &n);
	SAY("FIONREAD %d\n", n);
	long r = recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
	SAY("recvfrom %ld, from the sender's port %s, len %d\n", r, ntohs(from.sin_port) == pa ? "yes" : "no", (int)fl);
	r = recv(b, buf, 2, 0);
	SAY("short read %ld; ", r);
	r = recv(b, buf, sizeof buf, 0);
	SAY("empty datagram %ld\n", r);
	sendto(a, "truncate me", 11, 0, (struct sockaddr *)&to, sizeof to);
	struct iovec iov = {buf, 4};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	r = recvmsg(b, &mh, 0);
	SAY("recvmsg %ld MSG_TRUNC %d\n", r, !!(mh.msg_flags & MSG_TRUNC));
	sendto(a, "0123456789", 10, 0, (struct sockaddr *)&to, sizeof to);
	r = recv(b, buf, 2, MSG_TRUNC);
	SAY("MSG_TRUNC gives the real length: %ld\n", r);
	CHECK_ERR(recv(b, buf, 1, MSG_DONTWAIT), EAGAIN, "empty");
	CHECK_ERR(send(a, "x", 1, 0), EDESTADDRREQ, "send unconnected");
	struct sockaddr_in zero = lo_addr(0);
	CHECK_ERR(sendto(a, "x", 1, 0, (struct sockaddr *)&zero, sizeof zero), EINVAL, "sendto port 0");
	CHECK_ERR(sendto(a, "x", 1, 0, (struct sockaddr *)&to, 8), EINVAL, "short address");
	/* connected sockets */
	CHECK(connect(a, (struct sockaddr *)&to, sizeof to) == 0, "connect");
	CHECK(send(a, "conn", 4, 0) == 4, "send connected");
	r = recv(b, buf, sizeof buf, 0);
	SAY("got %ld\n", r);
	struct sockaddr_in pe;
	socklen_t pl = sizeof pe;
	CHECK(getpeername(a, (struct sockaddr *)&pe, &pl) == 0 && pe.sin_port == to.sin_port, "getpeername");
	/* a connected socket hears only its peer */
	int c3, p3;
	c3 = bound(&p3);
	struct sockaddr_in ta = lo_addr(pa);
	sendto(c3, "stranger", 8, 0, (struct sockaddr *)&ta, sizeof ta);
	sendto(b, "peer", 4, 0, (struct sockaddr *)&ta, sizeof ta);
	r = recv(a, buf, sizeof buf, 0);
	SAY("connected socket gets its peer's: %ld\n", r);
	CHECK_ERR(recv(a, buf, 1, MSG_DONTWAIT), EAGAIN, "nothing from the stranger");
	/* a closed port: ICMP port unreachable, ECONNREFUSED on the next call */
	close(b);
	send(a, "lost", 4, 0);
	usleep(10000);
	CHECK_ERR(recv(a, buf, sizeof buf, MSG_DONTWAIT), ECONNREFUSED, "connected socket learns of the refusal");
	CHECK_ERR(recv(a, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "the error is reported once");
	struct sockaddr un = {AF_UNSPEC};
	CHECK(connect(a, &un, sizeof un) == 0, "disconnect");
	CHECK_ERR(getpeername(a, (struct sockaddr *)&pe, &pl), ENOTCONN, "no peer after disconnect");
	/* an unconnected socket is not told */
	sendto(c3, "lost", 4, 0, (struct sockaddr *)&to, sizeof to);
	usleep(10000);
	CHECK_ERR(recv(c3, buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "unconnected socket is not told");
	close(c3);
	CHECK_ERR(shutdown(a, SHUT_RD), ENOTCONN, "shutdown unconnected");
	SAY("recv after that: %ld\n", (long)recv(a, buf, sizeof buf, 0));
	close(a);
}

static void ports(void)
{
	int p;
	int a = bound(&p);
	int b = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ad = lo_addr(p);
	CHECK_ERR(bind(b, (struct sockaddr *)&ad, sizeof ad), EADDRINUSE, "bind a used port");
	close(a);
	close(b);
	int one = 1;
	a = socket(AF_INET, SOCK_DGRAM, 0);
	b = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	ad = lo_addr(0);
	bind(a, (struct sockaddr *)&ad, sizeof ad);
	socklen_t al = sizeof ad;
	getsockname(a, (struct sockaddr *)&ad, &al);
	CHECK(bind(b, (struct sockaddr *)&ad, sizeof ad) == 0, "SO_REUSEADDR shares a UDP port");
	CHECK_ERR(bind(b, (struct sockaddr *)&ad, sizeof ad), EINVAL, "bind twice");
	close(a);
	close(b);
	/* an unbound socket is bound on first send */
	a = socket(AF_INET, SOCK_DGRAM, 0);
	al = sizeof ad;
	getsockname(a, (struct sockaddr *)&ad, &al);
	SAY("unbound: port %d addr any %s\n", ntohs(ad.sin_port), ad.sin_addr.s_addr == 0 ? "yes" : "no");
	int pb;
	b = bound(&pb);
	struct sockaddr_in to = lo_addr(pb);
	sendto(a, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
	al = sizeof ad;
	getsockname(a, (struct sockaddr *)&ad, &al);
	SAY("after sendto: port assigned %s\n", ntohs(ad.sin_port) ? "yes" : "no");
	close(a);
	close(b);
}

static void options(void)
{
	int pa, pb;
	int a = bound(&pa), b = bound(&pb);
	int v = 17;
	socklen_t vl = sizeof v;
	setsockopt(a, IPPROTO_IP, IP_TTL, &v, sizeof v);
	v = 0;
	getsockopt(a, IPPROTO_IP, IP_TTL, &v, &vl);
	SAY("IP_TTL %d\n", v);
	CHECK_ERR(setsockopt(a, IPPROTO_IP, IP_TTL, &(int){300}, sizeof(int)), EINVAL, "IP_TTL 300");
	int one = 1;
	setsockopt(b, IPPROTO_IP, IP_RECVTTL, &one, sizeof one);
	setsockopt(b, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	struct sockaddr_in to = lo_addr(pb);
	sendto(a, "ttl", 3, 0, (struct sockaddr *)&to, sizeof to);
	char buf[16], ctl[256];
	struct iovec iov = {buf, sizeof buf};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof ctl;
	long r = recvmsg(b, &mh, 0);
	SAY("recvmsg %ld", r);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			SAY(" ttl=%d", *(int *)CMSG_DATA(c));
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			SAY(" pktinfo addr=%s", inet_ntoa(pi.ipi_addr));
		}
	}
	SAY("\n");
	vl = sizeof v;
	getsockopt(a, SOL_SOCKET, SO_TYPE, &v, &vl);
	SAY("SO_TYPE %d", v);
	getsockopt(a, SOL_SOCKET, SO_PROTOCOL, &v, &vl);
	SAY(" SO_PROTOCOL %d\n", v);
	close(a);
	close(b);
}

static unsigned short csum(const void *p, int n)
{
	const unsigned short *w = p;
	unsigned long s = 0;
	for (; n > 1; n -= 2) s += *w++;
	if (n) s += *(const unsigned char *)w;
	s = (s >> 16) + (s & 0xffff);
	s += s >> 16;
	return (unsigned short)~s;
}

static void raw_icmp(void)
{
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	CHECK(s >= 0, "raw ICMP socket (root)");
	struct icmphdr h = {0};
	h.type = ICMP_ECHO;
	h.un.echo.id = htons(0x4b45);
	h.un.echo.sequence = htons(7);
	char pkt[64];
	memcpy(pkt, &h, sizeof h);
	memcpy(pkt + sizeof h, "keel-ping", 9);
	int len = sizeof h + 9;
	((struct icmphdr *)pkt)->checksum = csum(pkt, len);
	struct sockaddr_in to = lo_addr(0);
	CHECK(sendto(s, pkt, len, 0, (struct sockaddr *)&to, sizeof to) == len, "send echo request");
	/* the raw socket sees our request and the reply; find the reply */
	char in[256];
	for (int i = 0; i < 4; i++) {
		struct pollfd p = {s, POLLIN, 0};
		if (poll(&p, 1, 2000) != 1)
			break;
		long r = recv(s, in, sizeof in, 0);
		struct iphdr *ip = (struct iphdr *)in;
		int hl = ip->ihl * 4;
		struct icmphdr *rh = (struct icmphdr *)(in + hl);
		if (r < hl + 8 || rh->un.echo.id != htons(0x4b45))
			continue;
		if (rh->type == ICMP_ECHOREPLY) {
			SAY("echo reply: ip header %d, total %ld, seq %d, payload same %s, checksum ok %s\n", hl, r,
			    ntohs(rh->un.echo.sequence), !memcmp(in + hl + 8, "keel-ping", 9) ? "yes" : "no",
			    csum(in + hl, r - hl) == 0 ? "yes" : "no");
			break;
		}
	}
	close(s);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	datagrams();
	ports();
	options();
	raw_icmp();
	return t_done();
}
