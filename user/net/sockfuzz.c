/* Socket-call fuzzer: the generic syscall fuzzer (user/fuzz) rarely holds a
 * socket, so this one does. Each round a forked child opens a pool of every
 * socket kind Keel has (AF_UNIX stream/dgram/seqpacket and pairs, TCP
 * listener/client/accepted, UDP, ICMP datagram, raw, netlink, packet, an
 * epoll and a pipe) and then makes random socket calls on them: bind,
 * connect, listen, accept4, send/recv in all forms (with random control
 * messages, SCM_RIGHTS of random fds included), shutdown, get/setsockopt
 * at every level with random lengths, names, interface ioctls, poll,
 * epoll_ctl, sendfile, fcntl, dup and close, with flags mostly
 * MSG_DONTWAIT. An alarm ends a child that blocks. After the rounds the
 * stack must still work: a TCP exchange over 127.0.0.1, a UDP datagram, an
 * AF_UNIX pair and an rtnetlink dump. Addresses are only loopback, 0.0.0.0
 * or the guest's own (traffic stays on this machine). It runs only where lo
 * is the sole interface (tests/net.sh: keel exec --no-net), since as root
 * it reconfigures interfaces.
 * Usage: sockfuzz ROUNDS [SEED]. Prints relations, then "ok". */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_PACKET
#define AF_PACKET 17
#endif

static uint64_t rs = 88172645463325252ULL;
static uint64_t rnd(void){ rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return rs; }
static unsigned rn(unsigned n){ return (unsigned)(rnd() % n); }

#define NFD 24
static int fds[NFD];
static int nfd;
static char buf[70000];
static char big[256 * 1024];

static void add(int fd){ if (fd >= 0 && nfd < NFD) fds[nfd++] = fd; }
static int anyfd(void){
	switch (rn(16)) {
	case 0: return -1;
	case 1: return 1000;
	case 2: return rn(64);
	default: return nfd ? fds[rn(nfd)] : -1;
	}
}
static unsigned short ports[] = {0, 7, 80, 5555, 40000, 40001, 65535};
static unsigned short port(void){ return htons(ports[rn(sizeof ports / sizeof ports[0])]); }
static uint32_t inaddr(void){
	switch (rn(6)) {
	case 0: return htonl(INADDR_ANY);
	case 1: return htonl(0x7f000001);
	case 2: return htonl(0x7f000000 | (rn(1 << 24))); /* all of 127/8 */
	case 3: return htonl(0x7f0000ff);
	case 4: return htonl(0x0a00020f); /* the guest itself (no NIC under --no-net) */
	default: return htonl(0x7f000101);
	}
}
static const char *paths[] = {"/tmp/sf0", "/tmp/sf1", "/tmp/dir/sf", "/proc/self/x", "/", "/tmp"};

/* A socket address of some family, with the length sometimes wrong. */
static socklen_t addr(struct sockaddr_storage *ss){
	memset(ss, 0, sizeof *ss);
	socklen_t len;
	switch (rn(8)) {
	case 0: case 1: case 2: {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = port();
		a->sin_addr.s_addr = inaddr();
		len = sizeof *a;
		break;
	}
	case 3: case 4: {
		struct sockaddr_un *u = (struct sockaddr_un *)ss;
		u->sun_family = AF_UNIX;
		if (rn(3) == 0) { /* abstract */
			u->sun_path[0] = 0;
			u->sun_path[1] = 'a' + rn(3);
			len = offsetof(struct sockaddr_un, sun_path) + 2 + rn(3);
		} else if (rn(8) == 0) { /* unterminated, full length */
			memset(u->sun_path, 'x', sizeof u->sun_path);
			len = sizeof *u;
		} else {
			strcpy(u->sun_path, paths[rn(sizeof paths / sizeof paths[0])]);
			len = offsetof(struct sockaddr_un, sun_path) + strlen(u->sun_path) + rn(2);
		}
		break;
	}
	case 5: {
		struct sockaddr_nl *n = (struct sockaddr_nl *)ss;
		n->nl_family = AF_NETLINK;
		n->nl_pid = rn(4);
		n->nl_groups = rnd();
		len = sizeof *n;
		break;
	}
	case 6:
		ss->ss_family = AF_UNSPEC;
		len = rn(2) ? sizeof(struct sockaddr_in) : rn(32);
		break;
	default: { /* random bytes, never an inet family */
		unsigned char *p = (unsigned char *)ss;
		for (unsigned i = 0; i < sizeof *ss; i++) p[i] = rnd();
		do ss->ss_family = rn(50); while (ss->ss_family == AF_INET || ss->ss_family == AF_INET6 || ss->ss_family == AF_PACKET);
		len = rn(sizeof *ss + 8);
	}
	}
	if (rn(10) == 0) len = rn(130);
	return len;
}

static int flags(void){
	static const int f[] = {MSG_DONTWAIT, MSG_PEEK, MSG_WAITALL, MSG_TRUNC, MSG_OOB, MSG_NOSIGNAL,
		MSG_MORE, MSG_EOR, MSG_CMSG_CLOEXEC, MSG_ERRQUEUE, MSG_CONFIRM, MSG_DONTROUTE, 0x40000000};
	int v = MSG_DONTWAIT;
	for (int i = rn(3); i > 0; i--) v |= f[rn(sizeof f / sizeof f[0])];
	if (rn(50) == 0) v = rnd();
	return v;
}
static size_t len(void){
	switch (rn(6)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return rn(200);
	case 3: return rn(sizeof buf);
	case 4: return 65536 + rn(4000);
	default: return rn(2000);
	}
}

/* A control-message buffer: rights, credentials, IP options, or junk. */
static char cbuf[1024];
static size_t cmsgs(void){
	size_t off = 0;
	memset(cbuf, 0, sizeof cbuf);
	for (int k = rn(4); k > 0; k--) {
		struct cmsghdr *c = (struct cmsghdr *)(cbuf + off);
		if (sizeof cbuf - off < CMSG_SPACE(64)) break;
		size_t dl;
		switch (rn(5)) {
		case 0: {
			int n = 1 + rn(8);
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_RIGHTS;
			dl = n * sizeof(int);
			for (int i = 0; i < n; i++) ((int *)CMSG_DATA(c))[i] = anyfd();
			break;
		}
		case 1: {
			struct ucred u = {rn(2) ? getpid() : (pid_t)rn(100), rn(2) ? 0 : rn(2000), rn(2) ? 0 : rn(2000)};
			c->cmsg_level = SOL_SOCKET;
			c->cmsg_type = SCM_CREDENTIALS;
			dl = sizeof u;
			memcpy(CMSG_DATA(c), &u, sizeof u);
			break;
		}
		case 2:
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = rn(2) ? IP_PKTINFO : IP_TTL;
			dl = rn(20);
			for (unsigned i = 0; i < 20; i++) CMSG_DATA(c)[i] = rnd();
			break;
		default:
			c->cmsg_level = rn(2) ? SOL_SOCKET : (int)rnd();
			c->cmsg_type = rn(40);
			dl = rn(64);
			for (unsigned i = 0; i < 64; i++) CMSG_DATA(c)[i] = rnd();
		}
		c->cmsg_len = CMSG_LEN(dl);
		off += CMSG_SPACE(dl);
		if (rn(8) == 0) { c->cmsg_len = rn(3) ? rnd() : rn(16); break; } /* a broken length ends the list */
	}
	if (rn(10) == 0) off = rn(sizeof cbuf);
	return off;
}

static struct iovec iov[8];
static int iovs(void){
	int n = rn(9);
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = rn(20) == 0 ? (void *)0x10 : buf + rn(1000);
		iov[i].iov_len = rn(8) == 0 ? rnd() : rn(4000);
	}
	return n;
}

static void msg(struct msghdr *m, struct sockaddr_storage *ss){
	memset(m, 0, sizeof *m);
	if (rn(3) == 0) { m->msg_name = ss; m->msg_namelen = addr(ss); }
	m->msg_iov = iov;
	m->msg_iovlen = iovs();
	if (rn(20) == 0) m->msg_iovlen = 1 + rn(2000);
	if (rn(2)) { m->msg_control = cbuf; m->msg_controllen = cmsgs(); }
}

static void open_pool(void){
	nfd = 0;
	int sv[2];
	static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
	for (int i = 0; i < 3; i++) {
		add(socket(AF_UNIX, types[i] | (rn(2) ? SOCK_NONBLOCK : 0), 0));
		if (socketpair(AF_UNIX, types[i], 0, sv) == 0) { add(sv[0]); add(sv[1]); }
	}
	add(socket(AF_INET, SOCK_STREAM, 0));
	add(socket(AF_INET, SOCK_DGRAM, 0));
	add(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	add(socket(AF_INET, SOCK_RAW, rn(2) ? IPPROTO_ICMP : IPPROTO_UDP));
	add(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	add(socket(AF_PACKET, SOCK_RAW, htons(0x0003)));
	/* A TCP listener with a connected client and the accepted end. */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t al = sizeof a;
	if (l >= 0 && bind(l, (void *)&a, sizeof a) == 0 && listen(l, 4) == 0 && getsockname(l, (void *)&a, &al) == 0) {
		add(l);
		int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(c, (void *)&a, sizeof a);
		add(c);
		if (rn(2)) add(accept4(l, 0, 0, SOCK_NONBLOCK));
	}
	add(epoll_create1(0));
	if (pipe(sv) == 0) { add(sv[0]); add(sv[1]); }
	/* mostly non-blocking, so that a child spends its time calling */
	for (int i = 0; i < nfd; i++)
		if (rn(8)) fcntl(fds[i], F_SETFL, O_NONBLOCK);
}

static const int levels[] = {SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_UDP, SOL_NETLINK, SOL_PACKET, IPPROTO_ICMP, IPPROTO_RAW, IPPROTO_IPV6, -1};
static void sockopt(int fd){
	int level = rn(10) == 0 ? (int)rnd() : levels[rn(sizeof levels / sizeof levels[0])];
	int name = rn(8) == 0 ? (int)rnd() : (int)rn(80);
	socklen_t ol = rn(6) == 0 ? (socklen_t)rnd() : rn(4) == 0 ? rn(64) : sizeof(int) * (1 + rn(4));
	void *p = rn(20) == 0 ? (void *)0x10 : buf;
	if (rn(2)) {
		for (int i = 0; i < 64; i++) buf[i] = rn(4) ? 0 : rnd();
		if (rn(2)) *(int *)buf = rn(3) - 1;
		setsockopt(fd, level, name, p, ol);
	} else {
		getsockopt(fd, level, name, p, rn(20) == 0 ? (socklen_t *)0x10 : &ol);
	}
}

static const unsigned long ioctls[] = {FIONREAD, FIONBIO, SIOCGIFCONF, SIOCGIFADDR, SIOCGIFFLAGS, SIOCSIFFLAGS,
	SIOCGIFNETMASK, SIOCSIFNETMASK, SIOCGIFHWADDR, SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU, SIOCSIFMTU, SIOCGIFBRDADDR,
	TIOCOUTQ, SIOCATMARK, SIOCGSTAMP, SIOCGIFMETRIC, SIOCGIFTXQLEN, SIOCSIFADDR, SIOCADDRT, SIOCDELRT};
static void ifioctl(int fd){
	unsigned long req = rn(10) == 0 ? 0x8900 + rn(0x100) : ioctls[rn(sizeof ioctls / sizeof ioctls[0])];
	struct ifreq *r = (struct ifreq *)buf;
	for (int i = 0; i < 64; i++) buf[i] = rnd();
	switch (rn(4)) {
	case 0: strcpy(r->ifr_name, "lo"); break;
	case 1: strcpy(r->ifr_name, "eth9"); break; /* no such interface */
	case 2: break; /* unterminated name */
	default: r->ifr_name[0] = 0;
	}
	if (req == SIOCSIFFLAGS && rn(4)) r->ifr_flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING; /* keep lo up mostly */
	if (req == SIOCGIFCONF) {
		struct ifconf *c = (struct ifconf *)buf;
		c->ifc_len = rn(3) == 0 ? (int)rnd() : (int)rn(200);
		c->ifc_buf = rn(3) == 0 ? NULL : buf + 100;
	}
	ioctl(fd, req, rn(20) == 0 ? (void *)0x10 : (void *)buf);
}

static void one(void){
	struct sockaddr_storage ss;
	struct msghdr m;
	socklen_t sl;
	int fd = anyfd();
	switch (rn(30)) {
	case 0: sl = addr(&ss); bind(fd, (void *)&ss, sl); break;
	case 1: case 2: sl = addr(&ss); connect(fd, (void *)&ss, sl); break;
	case 3: listen(fd, rn(4) ? (int)rn(8) : (int)rnd()); break;
	case 4: sl = rn(4) == 0 ? (socklen_t)rnd() : sizeof ss; add(accept4(fd, rn(3) ? (void *)&ss : NULL, &sl, rn(2) ? SOCK_NONBLOCK : (int)rnd() & (SOCK_NONBLOCK | SOCK_CLOEXEC | 1))); break;
	case 5: case 6: send(fd, buf, len(), flags()); break;
	case 7: sl = addr(&ss); sendto(fd, buf, len(), flags(), (void *)&ss, sl); break;
	case 8: case 9: msg(&m, &ss); sendmsg(fd, &m, flags()); break;
	case 10: {
		struct mmsghdr mm[4];
		struct sockaddr_storage s4[4];
		unsigned n = rn(5);
		for (unsigned i = 0; i < n; i++) { msg(&mm[i].msg_hdr, &s4[i]); mm[i].msg_len = 0; }
		sendmmsg(fd, mm, rn(10) == 0 ? 1000 : n, flags());
		break;
	}
	case 11: case 12: recv(fd, buf, len(), flags()); break;
	case 13: sl = rn(4) == 0 ? (socklen_t)rnd() : sizeof ss; recvfrom(fd, buf, len(), flags(), rn(2) ? (void *)&ss : NULL, &sl); break;
	case 14: case 15: msg(&m, &ss); m.msg_controllen = rn(3) ? rn(sizeof cbuf) : 0; recvmsg(fd, &m, flags()); break;
	case 16: {
		struct mmsghdr mm[4];
		struct sockaddr_storage s4[4];
		unsigned n = rn(5);
		for (unsigned i = 0; i < n; i++) msg(&mm[i].msg_hdr, &s4[i]);
		struct timespec ts = {0, 1000000};
		recvmmsg(fd, mm, n, flags(), rn(2) ? &ts : NULL);
		break;
	}
	case 17: shutdown(fd, rn(4) == 0 ? (int)rnd() : (int)rn(3)); break;
	case 18: case 19: sockopt(fd); break;
	case 20: sl = rn(4) == 0 ? (socklen_t)rnd() : rn(sizeof ss); if (rn(2)) getsockname(fd, (void *)&ss, &sl); else getpeername(fd, (void *)&ss, &sl); break;
	case 21: ifioctl(fd); break;
	case 22: {
		struct pollfd p[4];
		for (int i = 0; i < 4; i++) { p[i].fd = anyfd(); p[i].events = rnd(); }
		poll(p, 4, 0);
		break;
	}
	case 23: {
		struct epoll_event e = {.events = rnd() & (EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP | EPOLLONESHOT | EPOLLPRI), .data.u64 = rnd()};
		epoll_ctl(anyfd(), 1 + rn(3), fd, &e);
		struct epoll_event out[8];
		epoll_wait(anyfd(), out, 8, 0);
		break;
	}
	case 24: {
		off_t off = rn(3) == 0 ? (off_t)rnd() : 0;
		sendfile(fd, anyfd(), rn(2) ? &off : NULL, len());
		break;
	}
	case 25: fcntl(fd, F_SETFL, rn(4) ? O_NONBLOCK : 0); break;
	case 26: if (rn(3) == 0) { close(fd); } else add(dup(fd)); break;
	case 27: write(fd, big, rn(2) ? rn(sizeof big) : rn(100)); break;
	case 28: read(fd, buf, len()); break;
	default: { /* a well-formed rtnetlink request of a random type */
		struct { struct nlmsghdr h; struct rtgenmsg g; char pad[60]; } rq;
		memset(&rq, 0, sizeof rq);
		rq.h.nlmsg_len = rn(4) == 0 ? (unsigned)rn(100) : sizeof rq.h + sizeof rq.g;
		rq.h.nlmsg_type = rn(4) == 0 ? (unsigned short)rnd() : RTM_NEWLINK + rn(40);
		rq.h.nlmsg_flags = NLM_F_REQUEST | (rn(2) ? NLM_F_DUMP : 0) | (rn(2) ? NLM_F_ACK : 0);
		rq.h.nlmsg_seq = rnd();
		rq.g.rtgen_family = rn(3) == 0 ? AF_INET : (unsigned char)rnd();
		send(fd, &rq, rn(2) ? sizeof rq : rq.h.nlmsg_len, MSG_DONTWAIT);
	}
	}
}

/* The stack still serves: TCP, UDP and AF_UNIX exchanges and an
 * rtnetlink dump, each checked. */
static int health(void){
	/* The fuzzer runs as root and may have reconfigured lo (down, another
	 * address or mask) as Linux lets root: report, then restore. */
	int q = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq r;
	memset(&r, 0, sizeof r);
	strcpy(r.ifr_name, "lo");
	if (ioctl(q, SIOCGIFFLAGS, &r)) return printf("SIOCGIFFLAGS lo: %s\n", strerror(errno)), 0;
	int was_up = !!(r.ifr_flags & IFF_UP);
	r.ifr_flags |= IFF_UP;
	if (ioctl(q, SIOCSIFFLAGS, &r)) return printf("SIOCSIFFLAGS lo: %s\n", strerror(errno)), 0;
	ioctl(q, SIOCGIFADDR, &r);
	uint32_t was = ntohl(((struct sockaddr_in *)&r.ifr_addr)->sin_addr.s_addr);
	((struct sockaddr_in *)&r.ifr_addr)->sin_family = AF_INET;
	((struct sockaddr_in *)&r.ifr_addr)->sin_addr.s_addr = htonl(0x7f000001);
	if (ioctl(q, SIOCSIFADDR, &r)) return printf("SIOCSIFADDR lo: %s\n", strerror(errno)), 0;
	((struct sockaddr_in *)&r.ifr_netmask)->sin_family = AF_INET;
	((struct sockaddr_in *)&r.ifr_netmask)->sin_addr.s_addr = htonl(0xff000000);
	if (ioctl(q, SIOCSIFNETMASK, &r)) return printf("SIOCSIFNETMASK lo: %s\n", strerror(errno)), 0;
	close(q);
	fprintf(stderr, "lo after fuzzing: %s, %u.%u.%u.%u\n", was_up ? "up" : "down", was >> 24, (was >> 16) & 255, (was >> 8) & 255, was & 255);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t al = sizeof a;
	if (l < 0 || c < 0 || bind(l, (void *)&a, sizeof a) || listen(l, 1) || getsockname(l, (void *)&a, &al)) return printf("tcp: set up: %s\n", strerror(errno)), 0;
	if (connect(c, (void *)&a, sizeof a)) return printf("tcp: connect: %s\n", strerror(errno)), 0;
	int s = accept(l, NULL, NULL);
	if (s < 0) return printf("tcp: accept: %s\n", strerror(errno)), 0;
	size_t got = 0;
	if (send(c, big, sizeof big, 0) != (ssize_t)sizeof big) return printf("tcp: send\n"), 0;
	while (got < sizeof big) {
		ssize_t n = recv(s, buf, sizeof buf, 0);
		if (n <= 0) return printf("tcp: recv %zd\n", n), 0;
		got += n;
	}
	close(c); close(s); close(l);
	printf("tcp exchange after fuzzing: %zu bytes\n", got);

	int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	al = sizeof a;
	if (bind(u1, (void *)&a, sizeof a) || getsockname(u1, (void *)&a, &al)) return printf("udp: bind\n"), 0;
	if (sendto(u2, "ping", 4, 0, (void *)&a, sizeof a) != 4 || recv(u1, buf, 10, 0) != 4) return printf("udp: exchange\n"), 0;
	close(u1); close(u2);
	printf("udp datagram after fuzzing: 4 bytes\n");

	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || write(sv[0], "abc", 3) != 3 || read(sv[1], buf, 3) != 3) return printf("unix pair\n"), 0;
	close(sv[0]); close(sv[1]);
	printf("unix pair after fuzzing: 3 bytes\n");

	int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	struct { struct nlmsghdr h; struct rtgenmsg g; } rq = {{sizeof rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, 0}, {AF_UNSPEC}};
	if (nl < 0 || send(nl, &rq, sizeof rq, 0) != sizeof rq) return printf("netlink: send\n"), 0;
	int links = 0, done = 0;
	while (!done) {
		ssize_t n = recv(nl, buf, sizeof buf, 0);
		if (n <= 0) return printf("netlink: recv\n"), 0;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) done = 1;
			else if (h->nlmsg_type == RTM_NEWLINK) links++;
			else return printf("netlink: type %d\n", h->nlmsg_type), 0;
		}
	}
	close(nl);
	printf("rtnetlink links after fuzzing >= 1: %s\n", links >= 1 ? "yes" : "no");
	return links >= 1;
}

/* As root the calls reconfigure interfaces (flags, addresses, MTU, routes).
 * Refuse to run anywhere but a guest with lo alone (keel exec --no-net):
 * never on a host, whose network it would break. */
static int lo_only(void){
	struct if_nameindex *ni = if_nameindex();
	if (!ni) return 0;
	int ok = 1;
	for (struct if_nameindex *i = ni; i->if_index; i++)
		if (strcmp(i->if_name, "lo")) { printf("refusing to run: interface %s besides lo (run under keel exec --no-net)\n", i->if_name); ok = 0; }
	if_freenameindex(ni);
	return ok;
}

int main(int argc, char **argv){
	if (!lo_only()) return 2;
	int rounds = argc > 1 ? atoi(argv[1]) : 100;
	rs ^= argc > 2 ? (uint64_t)atoll(argv[2]) * 0x9E3779B97F4A7C15ULL : 0;
	signal(SIGPIPE, SIG_IGN);
	int sigs[64] = {0}, exits = 0, killed = 0;
	for (int r = 0; r < rounds; r++) {
		uint64_t seed = rnd();
		pid_t p = fork();
		if (p == 0) {
			rs = seed ^ 0x9E3779B97F4A7C15ULL;
			ualarm(300000, 0); /* a child that blocks (a recv with MSG_WAITALL, a full send) ends */
			for (size_t i = 0; i < sizeof big; i++) big[i] = i * 7;
			int null = open("/dev/null", O_RDWR); /* keep the calls' writes off the output */
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			open_pool();
			for (int i = 0; i < 300; i++) one();
			_exit(0);
		}
		if (p < 0) { printf("fork failed at round %d\n", r); return 1; }
		int st = 0, waited = 0;
		while (waitpid(p, &st, WNOHANG) == 0) {
			if (++waited > 300) { kill(p, SIGKILL); waitpid(p, &st, 0); killed++; break; }
			usleep(10000);
		}
		if (WIFSIGNALED(st)) sigs[WTERMSIG(st) & 63]++; else exits++;
	}
	printf("rounds %d: %d exits, %d killed", rounds, exits, killed);
	for (int i = 0; i < 64; i++) if (sigs[i]) printf(", sig%d x%d", i, sigs[i]);
	printf("\n");
	if (!health()) { printf("FAILED\n"); return 1; }
	printf("ok\n");
	return 0;
}
