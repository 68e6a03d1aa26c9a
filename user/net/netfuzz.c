/* netfuzz: inject thousands of mutated Ethernet/IPv4/TCP/UDP/ICMP/ARP
 * frames into Keel's stack through a packet socket on lo (each frame goes
 * through the same Ethernet, IP and transport checks as one from a NIC),
 * and show the stack stays up and keeps serving: every 250 frames a TCP
 * connection, a UDP round trip and a ping must still work. Fixed seed:
 * the same frames every run. Prints relations only, ends with "ok".
 * Usage: netfuzz [frames [seed]]   (run by tests/net.sh, as root inside Keel) */
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_packet.h>

static uint64_t rng = 0x6b65656c2d6e6574ULL;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
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

static int tcp_port, udp_port;

/* A valid frame of some kind, addressed to our servers; returns its length. */
static int template(uint8_t *f)
{
	memset(f, 0, 1600);
	int kind = rnd() % 6;
	put16(f + 12, kind == 5 ? 0x0806 : 0x0800);
	uint8_t *ip = f + 14;
	if (kind == 5) { /* ARP request */
		put16(ip, 1); put16(ip + 2, 0x0800); ip[4] = 6; ip[5] = 4; put16(ip + 6, 1);
		put32(ip + 14, 0x7f000001); put32(ip + 24, 0x7f000001);
		return 14 + 28;
	}
	int ihl = 20 + ((rnd() % 4 == 0) ? 4 * (rnd() % 10) : 0);
	ip[0] = 0x40 | (ihl / 4);
	put16(ip + 6, rnd() % 8 == 0 ? 0x2000 | (rnd() & 0x1fff) : 0x4000);
	ip[8] = 64;
	put32(ip + 12, 0x7f000001);
	put32(ip + 16, 0x7f000001);
	for (int i = 20; i < ihl; i++) ip[i] = (uint8_t)rnd();
	uint8_t *l4 = ip + ihl;
	int l4len;
	if (kind <= 2) { /* TCP: SYN, ACK, data, FIN, RST at the listener */
		ip[9] = 6;
		int doff = 20 + ((rnd() % 3 == 0) ? 4 * (rnd() % 10) : 0);
		put16(l4, 1024 + rnd() % 60000);
		put16(l4 + 2, tcp_port);
		put32(l4 + 4, rnd());
		put32(l4 + 8, rnd());
		l4[12] = (uint8_t)((doff / 4) << 4);
		const uint8_t flags[] = {0x02, 0x10, 0x18, 0x11, 0x04, 0x12, 0x3f, 0x00};
		l4[13] = flags[rnd() % 8];
		put16(l4 + 14, rnd());
		for (int i = 20; i < doff; i++) l4[i] = (uint8_t)(rnd() % 5 == 0 ? rnd() % 4 : rnd());
		int data = rnd() % 3 == 0 ? rnd() % 200 : 0;
		for (int i = 0; i < data; i++) l4[doff + i] = (uint8_t)rnd();
		l4len = doff + data;
	} else if (kind == 3) { /* UDP to the UDP server */
		ip[9] = 17;
		put16(l4, 1024 + rnd() % 60000);
		put16(l4 + 2, rnd() % 4 ? udp_port : rnd());
		int data = rnd() % 300;
		for (int i = 0; i < data; i++) l4[8 + i] = (uint8_t)rnd();
		l4len = 8 + data;
		put16(l4 + 4, l4len);
	} else { /* ICMP: echo, or an error quoting a header */
		ip[9] = 1;
		l4[0] = rnd() % 2 ? 8 : (uint8_t)(rnd() % 20);
		l4[1] = (uint8_t)(rnd() % 16);
		int data = 8 + rnd() % 100;
		for (int i = 0; i < data; i++) l4[8 + i] = (uint8_t)rnd();
		if (l4[0] == 3) { l4[8] = 0x45; l4[17] = rnd() % 2 ? 6 : 17; }
		l4len = 8 + data;
	}
	put16(ip + 2, ihl + l4len);
	/* transport checksums over the pseudo-header (ICMP: without) */
	if (ip[9] == 1) {
		put16(l4 + 2, 0);
		put16(l4 + 2, csum(l4, l4len, 0));
	} else {
		uint32_t ps = 0x7f00 + 0x0001 + 0x7f00 + 0x0001 + ip[9] + l4len;
		int at = ip[9] == 6 ? 16 : 6;
		put16(l4 + at, 0);
		put16(l4 + at, csum(l4, l4len, ps));
	}
	put16(ip + 10, csum(ip, ihl, 0));
	return 14 + ihl + l4len;
}

/* Damage a frame: flipped bits, a changed length field, a cut or an
 * extension, header fields set to extremes; sometimes the IP checksum is
 * mended so the damage reaches the transport layer. */
static int mutate(uint8_t *f, int len)
{
	int n = 1 + rnd() % 6;
	for (int i = 0; i < n; i++) {
		int pos = rnd() % len;
		switch (rnd() % 6) {
		case 0: f[pos] ^= (uint8_t)(1 << (rnd() % 8)); break;
		case 1: f[pos] = (uint8_t)rnd(); break;
		case 2: f[pos] = rnd() % 2 ? 0 : 0xff; break;
		case 3: if (len > 15) len = 14 + rnd() % (len - 14); break;
		case 4: { int add = rnd() % 64; for (int k = 0; k < add && len < 1514; k++) f[len++] = (uint8_t)rnd(); break; }
		default: { int fld = 14 + 2 * (rnd() % 20); if (fld + 1 < len) put16(f + fld, (uint16_t)rnd()); break; }
		}
	}
	if (len >= 34 && rnd() % 2 && (f[14] >> 4) == 4) {
		int ihl = (f[14] & 15) * 4;
		if (ihl >= 20 && 14 + ihl <= len) {
			put16(f + 24, 0);
			put16(f + 24, csum(f + 14, ihl, 0));
		}
	}
	return len;
}

static int serve_tcp(int l)
{
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {AF_INET, htons(tcp_port), {htonl(INADDR_LOOPBACK)}};
	if (connect(c, (struct sockaddr *)&a, sizeof a)) { close(c); return 0; }
	int s = accept(l, NULL, NULL);
	char buf[8] = {0};
	int ok = s >= 0 && write(c, "ping", 4) == 4 && read(s, buf, sizeof buf) == 4 && !memcmp(buf, "ping", 4);
	close(c);
	if (s >= 0) close(s);
	return ok;
}

static int serve_udp(int u)
{
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {AF_INET, htons(udp_port), {htonl(INADDR_LOOPBACK)}};
	char buf[64];
	/* drain what the fuzzer left in the server's queue first */
	while (recv(u, buf, sizeof buf, MSG_DONTWAIT) >= 0) ;
	sendto(c, "udp-ok", 6, 0, (struct sockaddr *)&a, sizeof a);
	struct pollfd p = {u, POLLIN, 0};
	int ok = poll(&p, 1, 2000) == 1 && recv(u, buf, sizeof buf, 0) == 6 && !memcmp(buf, "udp-ok", 6);
	close(c);
	return ok;
}

static int ping_ok(void)
{
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	uint8_t req[16] = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'k', 'e', 'e', 'l'};
	put16(req + 2, csum(req, 12, 0));
	struct sockaddr_in a = {AF_INET, 0, {htonl(INADDR_LOOPBACK)}};
	sendto(s, req, 12, 0, (struct sockaddr *)&a, sizeof a);
	int ok = 0;
	for (int i = 0; i < 8 && !ok; i++) {
		struct pollfd p = {s, POLLIN, 0};
		uint8_t in[256];
		if (poll(&p, 1, 1000) != 1) break;
		long r = recv(s, in, sizeof in, 0);
		int hl = (in[0] & 15) * 4;
		ok = r >= hl + 8 && in[hl] == 0 && in[hl + 4] == 0x12 && in[hl + 5] == 0x34;
	}
	close(s);
	return ok;
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

int main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 5000;
	if (argc > 2)
		rng ^= strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {AF_INET, 0, {htonl(INADDR_LOOPBACK)}};
	socklen_t al = sizeof a;
	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 64);
	getsockname(l, (struct sockaddr *)&a, &al);
	tcp_port = ntohs(a.sin_port);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	bind(u, (struct sockaddr *)&a, sizeof a);
	al = sizeof a;
	getsockname(u, (struct sockaddr *)&a, &al);
	udp_port = ntohs(a.sin_port);
	fcntl(l, F_SETFL, O_NONBLOCK);

	int ps = socket(AF_PACKET, SOCK_RAW, htons(0x0003));
	if (ps < 0) { printf("packet socket: %s\n", strerror(errno)); return 1; }
	struct sockaddr_ll ll = {0};
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = if_nametoindex("lo");
	printf("lo has an index: %s\n", ll.sll_ifindex > 0 ? "yes" : "no");
	int sent = 0, refused = 0, checks = 0, healthy = 0;
	long free_before = mem_free_kb();
	uint8_t f[1600];
	for (int i = 0; i < frames; i++) {
		int len = template(f);
		if (rnd() % 8) /* one frame in eight stays valid */
			len = mutate(f, len);
		if (sendto(ps, f, len, 0, (struct sockaddr *)&ll, sizeof ll) == len) sent++;
		else refused++;
		/* accept and drop whatever the fuzzer's SYNs managed to open */
		int s;
		while ((s = accept(l, NULL, NULL)) >= 0) close(s);
		if ((i + 1) % 250 == 0) {
			fcntl(l, F_SETFL, 0);
			checks++;
			healthy += serve_tcp(l) && serve_udp(u) && ping_ok();
			fcntl(l, F_SETFL, O_NONBLOCK);
		}
	}
	printf("frames sent: %s (%d of %d; the rest refused at the socket)\n", sent + refused == frames ? "all" : "some lost",
	       sent, frames);
	printf("health checks passed: %d of %d\n", healthy, checks);
	FILE *snmp = fopen("/proc/net/snmp", "r");
	char line[512];
	long hdr_errors = -1;
	while (snmp && fgets(line, sizeof line, snmp))
		if (!strncmp(line, "Ip: ", 4) && line[4] >= '0' && line[4] <= '9')
			sscanf(line, "Ip: %*d %*d %*d %ld", &hdr_errors);
	if (snmp) fclose(snmp);
	printf("malformed packets counted: %s\n", hdr_errors > 0 ? "yes" : "no");
	long used_kb = free_before - mem_free_kb();
	fprintf(stderr, "netfuzz: memory used during the run: %ld KiB\n", used_kb);
	printf("memory held after the run below 16 MiB: %s\n", used_kb < 16384 ? "yes" : "no");
	int ok = healthy == checks && checks > 0 && hdr_errors > 0 && used_kb < 16384;
	printf("%s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
