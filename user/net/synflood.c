/* synflood: a SYN flood and a crowd of connections against Keel's TCP,
 * with memory held bounded and service continuing.
 *  1. 4000 SYNs from forged off-host sources (their SYN-ACKs go nowhere)
 *     at a listener, injected through a packet socket on lo: half-open
 *     connections stay at most the SYN queue's bound, the rest are
 *     answered with SYN cookies, and a real client still connects.
 *  2. 1840 established connections held by 8 processes, then more until
 *     the kernel refuses (ENOBUFS, or a connection attempt that times
 *     out): refusals are clean and memory stays bounded; after they all
 *     close, a new connection works.
 * Prints relations only and ends with "ok" (tests/net.sh). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_packet.h>

static int failures;
static void say(const char *what, int ok)
{
	printf("%s: %s\n", what, ok ? "yes" : "no");
	if (!ok) failures++;
}

static long mem_free_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[128];
	long v = -1;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "MemFree: %ld kB", &v) == 1)
			break;
	if (f) fclose(f);
	return v;
}

/* Lines of /proc/net/tcp in state st for local port port. */
static int count_state(int port, unsigned st)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256];
	int n = 0;
	while (f && fgets(line, sizeof line, f)) {
		unsigned lp, s;
		if (sscanf(line, "%*d: %*8x:%4x %*8x:%*4x %2x", &lp, &s) == 2 && (int)lp == port && s == st)
			n++;
	}
	if (f) fclose(f);
	return n;
}

static uint16_t csum(const uint8_t *p, int n, uint32_t s)
{
	for (int i = 0; i + 1 < n; i += 2) s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1) s += (uint32_t)p[n - 1] << 8;
	while (s >> 16) s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, (uint16_t)v); }

static void flood(int port, int n)
{
	int ps = socket(AF_PACKET, SOCK_RAW, htons(3));
	struct sockaddr_ll ll = {0};
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = if_nametoindex("lo");
	uint8_t f[64];
	for (int i = 0; i < n; i++) {
		memset(f, 0, sizeof f);
		put16(f + 12, 0x0800);
		uint8_t *ip = f + 14, *t = f + 34;
		uint32_t src = 0x0a630000 | (uint32_t)(i + 1); /* 10.99.x.y: no route back */
		ip[0] = 0x45;
		put16(ip + 2, 40);
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = 6;
		put32(ip + 12, src);
		put32(ip + 16, 0x7f000001);
		put16(ip + 10, csum(ip, 20, 0));
		put16(t, (uint16_t)(1024 + i));
		put16(t + 2, (uint16_t)port);
		put32(t + 4, 0x1000u * (uint32_t)i);
		t[12] = 5 << 4;
		t[13] = 0x02;
		put16(t + 14, 65535);
		uint32_t ps_sum = (src >> 16) + (src & 0xffff) + 0x7f00 + 0x0001 + 6 + 20;
		put16(t + 16, csum(t, 20, ps_sum));
		sendto(ps, f, 54, 0, (struct sockaddr *)&ll, sizeof ll);
	}
	close(ps);
}

static int connect_to(int port, int timeout_ms, int *err)
{
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c < 0) { *err = errno; return -1; }
	struct sockaddr_in a = {AF_INET, htons(port), {htonl(INADDR_LOOPBACK)}};
	if (connect(c, (struct sockaddr *)&a, sizeof a) && errno != EINPROGRESS) { *err = errno; close(c); return -1; }
	struct pollfd p = {c, POLLOUT, 0};
	int v = 0;
	socklen_t vl = sizeof v;
	if (poll(&p, 1, timeout_ms) != 1 || getsockopt(c, SOL_SOCKET, SO_ERROR, &v, &vl) || v) {
		*err = v ? v : ETIMEDOUT;
		close(c);
		return -1;
	}
	fcntl(c, F_SETFL, 0);
	return c;
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	long free0 = mem_free_kb();
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {AF_INET, 0, {htonl(INADDR_LOOPBACK)}};
	socklen_t al = sizeof a;
	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 4096);
	getsockname(l, (struct sockaddr *)&a, &al);
	int port = ntohs(a.sin_port);

	/* 1. the flood */
	flood(port, 4000);
	int half = count_state(port, 3);
	say("half-open connections after 4000 SYNs are bounded (<= 256)", half > 0 && half <= 256);
	int err = 0;
	int c = connect_to(port, 3000, &err);
	int s = c >= 0 ? accept(l, NULL, NULL) : -1;
	char buf[8] = {0};
	say("a real client connects during the flood", c >= 0 && s >= 0 && write(c, "hi", 2) == 2 && read(s, buf, 8) == 2);
	close(c);
	close(s);
	long used = free0 - mem_free_kb();
	say("memory after the flood below 16 MiB", used < 16384);
	fprintf(stderr, "synflood: %d half-open, %ld KiB used after the flood\n", half, used);

	/* 2. a crowd of connections held by 8 processes */
	int pfd[2];
	pipe(pfd);
	pid_t kids[8];
	for (int k = 0; k < 8; k++) {
		if ((kids[k] = fork()) == 0) {
			int ok = 0, e;
			for (int i = 0; i < 230; i++)
				ok += connect_to(port, 5000, &e) >= 0;
			write(pfd[1], &ok, sizeof ok);
			pause(); /* hold them until killed */
			_exit(0);
		}
	}
	int made = 0;
	for (int k = 0; k < 8; k++) {
		int ok = 0;
		read(pfd[0], &ok, sizeof ok);
		made += ok;
	}
	say("1840 connections established", made == 1840);
	long used2 = free0 - mem_free_kb();
	fprintf(stderr, "synflood: %d connections, %ld KiB used\n", made, used2);
	say("memory with 1840 connections below 48 MiB", used2 < 49152);
	/* beyond the kernel's bound: refused cleanly, not hanging */
	int more = 0, refused = 0, other = 0;
	int extra[300];
	for (int i = 0; i < 300; i++) {
		extra[i] = connect_to(port, 1500, &err);
		if (extra[i] >= 0)
			more++;
		else if (err == ENOBUFS || err == ETIMEDOUT || err == ENOMEM)
			refused++;
		else
			other++;
	}
	fprintf(stderr, "synflood: %d more, %d refused, %d other\n", more, refused, other);
	say("connections past the bound are refused with ENOBUFS or time out", refused > 0 && other == 0);
	for (int i = 0; i < 300; i++)
		if (extra[i] >= 0) close(extra[i]);
	for (int k = 0; k < 8; k++) {
		kill(kids[k], 9);
		waitpid(kids[k], NULL, 0);
	}
	close(l);
	/* what the crowd held is given back (TIME_WAIT remnants aside) */
	int l2 = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = 0;
	bind(l2, (struct sockaddr *)&a, sizeof a);
	listen(l2, 8);
	al = sizeof a;
	getsockname(l2, (struct sockaddr *)&a, &al);
	c = connect_to(ntohs(a.sin_port), 3000, &err);
	s = c >= 0 ? accept(l2, NULL, NULL) : -1;
	say("a new connection works afterwards", c >= 0 && s >= 0);
	printf("%s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
