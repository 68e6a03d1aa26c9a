/* netfuzz: inject thousands of mutated Ethernet/IPv4/TCP/UDP/ICMP/ARP
 * frames into Keel's stack through a packet socket on lo (each frame goes
 * through the same Ethernet, IP and transport checks as one from a NIC),
 * and show the stack stays up and keeps serving: every 250 frames a TCP
 * connection, a UDP round trip and a ping must still work. Fixed seed:
 * the same frames every run. Prints relations only, ends with "ok".
 * Usage (tests/net.sh):
 *   netfuzz [frames [seed]]          inside Keel: inject on lo, check health
 *   netfuzz --serve SECONDS          inside Keel: bring up eth1 (10.9.0.2/24),
 *                                    serve TCP 7777 / UDP 7778, check health
 *   netfuzz --udp PORT frames seed   on the host: send the frames to QEMU's
 *                                    socket backend listening on 127.0.0.1:PORT,
 *                                    which hands them to the guest's eth1 */
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
#include <time.h>
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
/* Who the frames are for: lo (zero MACs, 127.0.0.1), or the guest's
 * second NIC when they come from the host through QEMU's socket backend. */
static uint32_t src_ip = 0x7f000001, dst_ip = 0x7f000001;
static uint8_t dst_mac[6], src_mac[6];

/* A valid frame of some kind, addressed to our servers; returns its length. */
static int template(uint8_t *f)
{
	memset(f, 0, 1600);
	int kind = rnd() % 6;
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, src_mac, 6);
	if (rnd() % 16 == 0) /* broadcasts too */
		memset(f, 0xff, 6);
	put16(f + 12, kind == 5 ? 0x0806 : 0x0800);
	uint8_t *ip = f + 14;
	if (kind == 5) { /* ARP request */
		put16(ip, 1); put16(ip + 2, 0x0800); ip[4] = 6; ip[5] = 4; put16(ip + 6, 1);
		memcpy(ip + 8, src_mac, 6); put32(ip + 14, src_ip); put32(ip + 24, dst_ip);
		return 14 + 28;
	}
	int ihl = 20 + ((rnd() % 4 == 0) ? 4 * (rnd() % 10) : 0);
	ip[0] = 0x40 | (ihl / 4);
	put16(ip + 6, rnd() % 8 == 0 ? 0x2000 | (rnd() & 0x1fff) : 0x4000);
	ip[8] = 64;
	put32(ip + 12, src_ip);
	put32(ip + 16, dst_ip);
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
		uint32_t ps = (src_ip >> 16) + (src_ip & 0xffff) + (dst_ip >> 16) + (dst_ip & 0xffff) + ip[9] + l4len;
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

#define FZ_GUEST_IP 0x0a090002U /* 10.9.0.2: the guest's eth1 */
#define FZ_HOST_IP 0x0a090001U
static const uint8_t fz_guest_mac[6] = {0x52, 0x54, 0x00, 0xfa, 0x22, 0x01};
static const uint8_t fz_host_mac[6] = {0x52, 0x54, 0x00, 0xfa, 0x22, 0x02};

/* After the fuzz, the host pings the guest's eth1 the way a neighbour on
 * the link would (answering the guest's ARP request for us): the NIC path
 * must still work. Frames from the guest arrive on `s` (QEMU sends them
 * to the port it was given as udp=). */
static int host_ping(int s, const struct sockaddr_in *to)
{
	int replies = 0;
	/* first let the guest's answers to the fuzz (resets, errors) pass */
	for (int quiet = 0; quiet < 3;) {
		struct pollfd p = {s, POLLIN, 0};
		uint8_t junk[1600];
		if (poll(&p, 1, 100) == 1 && recv(s, junk, sizeof junk, 0) >= 0)
			quiet = 0;
		else
			quiet++;
	}
	for (int k = 0; k < 5 && !replies; k++) {
		uint8_t f[128] = {0};
		memcpy(f, fz_guest_mac, 6);
		memcpy(f + 6, fz_host_mac, 6);
		put16(f + 12, 0x0800);
		uint8_t *ip = f + 14, *ic = f + 34;
		ip[0] = 0x45;
		put16(ip + 2, 20 + 16);
		ip[8] = 64;
		ip[9] = 1;
		put32(ip + 12, FZ_HOST_IP);
		put32(ip + 16, FZ_GUEST_IP);
		put16(ip + 10, csum(ip, 20, 0));
		ic[0] = 8;
		put16(ic + 4, 0x4242);
		put16(ic + 6, (uint16_t)k);
		memcpy(ic + 8, "afterfz!", 8);
		put16(ic + 2, csum(ic, 16, 0));
		sendto(s, f, 50, 0, (const struct sockaddr *)to, sizeof *to);
		for (int w = 0; w < 200 && !replies; w++) {
			struct pollfd p = {s, POLLIN, 0};
			if (poll(&p, 1, 100) != 1)
				continue;
			uint8_t in[1600];
			long n = recv(s, in, sizeof in, 0);
			if (n >= 42 && in[12] == 0x08 && in[13] == 0x06 && in[21] == 1 &&
			    !memcmp(in + 38, (uint8_t[]){10, 9, 0, 1}, 4)) {
				uint8_t r[42];
				memcpy(r, in + 6, 6);
				memcpy(r + 6, fz_host_mac, 6);
				put16(r + 12, 0x0806);
				memcpy(r + 14, in + 14, 6);
				put16(r + 20, 2);
				memcpy(r + 22, fz_host_mac, 6);
				put32(r + 28, FZ_HOST_IP);
				memcpy(r + 32, in + 22, 10);
				sendto(s, r, 42, 0, (const struct sockaddr *)to, sizeof *to);
				sendto(s, f, 50, 0, (const struct sockaddr *)to, sizeof *to);
			} else if (n >= 42 && in[12] == 0x08 && in[13] == 0x00 && in[23] == 1 && in[34] == 0 &&
				   in[38] == 0x42 && in[39] == 0x42) {
				replies++;
			}
		}
	}
	return replies;
}

/* Host side: frames for the guest's eth1 through QEMU's socket backend
 * (QEMU listens on 127.0.0.1:port and sends the guest's frames to
 * 127.0.0.1:port+1). */
static int host_send(int port, int frames)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = {AF_INET, htons(port), {htonl(INADDR_LOOPBACK)}};
	struct sockaddr_in me = {AF_INET, htons(port + 1), {htonl(INADDR_LOOPBACK)}};
	bind(s, (struct sockaddr *)&me, sizeof me);
	memcpy(dst_mac, fz_guest_mac, 6);
	memcpy(src_mac, fz_host_mac, 6);
	src_ip = FZ_HOST_IP;
	dst_ip = FZ_GUEST_IP;
	tcp_port = 7777;
	udp_port = 7778;
	uint8_t f[1600];
	int sent = 0;
	for (int i = 0; i < frames; i++) {
		int len = template(f);
		if (rnd() % 8)
			len = mutate(f, len);
		sent += sendto(s, f, len, 0, (struct sockaddr *)&to, sizeof to) == len;
		if (i % 50 == 49)
			usleep(5000); /* let QEMU's queue drain: frames are not lost to pace */
	}
	printf("host sent %d of %d frames\n", sent, frames);
	int pong = host_ping(s, &to);
	printf("the guest answers a ping on eth1 after the fuzz: %s\n", pong ? "yes" : "no");
	return sent == frames && pong ? 0 : 1;
}

static int ifreq_set(int s, unsigned long req, const char *name, uint32_t addr, short flags)
{
	struct ifreq r;
	memset(&r, 0, sizeof r);
	strcpy(r.ifr_name, name);
	if (req == SIOCSIFFLAGS) {
		r.ifr_flags = flags;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&r.ifr_addr;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(addr);
	}
	return ioctl(s, req, &r);
}

/* Guest side of the NIC fuzz: serve on eth1 and keep checking health. */
static int serve(int seconds)
{
	int c = socket(AF_INET, SOCK_DGRAM, 0);
	int up = !ifreq_set(c, SIOCSIFADDR, "eth1", FZ_GUEST_IP, 0) &&
		 !ifreq_set(c, SIOCSIFNETMASK, "eth1", 0xffffff00U, 0) &&
		 !ifreq_set(c, SIOCSIFFLAGS, "eth1", 0, IFF_UP | IFF_RUNNING);
	close(c);
	printf("eth1 configured: %s\n", up ? "yes" : "no");
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {AF_INET, htons(7777), {0}};
	bind(l, (struct sockaddr *)&a, sizeof a);
	listen(l, 64);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(7778);
	bind(u, (struct sockaddr *)&a, sizeof a);
	tcp_port = 7777;
	udp_port = 7778;
	fcntl(l, F_SETFL, O_NONBLOCK);
	long free_before = mem_free_kb();
	printf("READY\n");
	int checks = 0, healthy = 0;
	long long end = 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec + seconds;
	for (;;) {
		int s;
		while ((s = accept(l, NULL, NULL)) >= 0) close(s);
		fcntl(l, F_SETFL, 0);
		checks++;
		healthy += serve_tcp(l) && serve_udp(u) && ping_ok();
		fcntl(l, F_SETFL, O_NONBLOCK);
		usleep(200000);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec >= end)
			break;
	}
	FILE *dev = fopen("/proc/net/dev", "r");
	char line[512];
	unsigned long rx = 0;
	while (dev && fgets(line, sizeof line, dev))
		if (sscanf(line, " eth1: %*u %lu", &rx) == 1)
			break;
	if (dev) fclose(dev);
	fprintf(stderr, "netfuzz: eth1 received %lu frames\n", rx);
	printf("frames arrived on eth1: %s\n", rx > 1000 ? "yes" : "no");
	printf("health checks passed: %s\n", healthy == checks && checks > 0 ? "all" : "not all");
	long used_kb = free_before - mem_free_kb();
	printf("memory held after the run below 16 MiB: %s\n", used_kb < 16384 ? "yes" : "no");
	int ok = up && rx > 1000 && healthy == checks && checks > 0 && used_kb < 16384;
	printf("%s\n", ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 4 && !strcmp(argv[1], "--udp")) {
		rng ^= strtoull(argv[4], NULL, 0) * 0x9e3779b97f4a7c15ULL;
		return host_send(atoi(argv[2]), atoi(argv[3]));
	}
	if (argc > 2 && !strcmp(argv[1], "--serve"))
		return serve(atoi(argv[2]));
	int frames = argc > 1 ? atoi(argv[1]) : 5000;
	if (argc > 2)
		rng ^= strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ULL;
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
