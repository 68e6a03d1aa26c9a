/* Data and FINs sent while lo is down reach the peer once it is up again
 * (the sender retries from its retransmission timer, as Linux does from
 * its probe timer), and /proc/net/tcp shows the pending timer meanwhile.
 * Takes lo down as root, so it runs only where lo is the sole interface
 * (tests/net.sh: keel exec --no-net). Prints relations, then "ok". */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int lo_only(void){
	struct if_nameindex *ni = if_nameindex();
	if (!ni) return 0;
	int ok = 1;
	for (struct if_nameindex *i = ni; i->if_index; i++)
		if (strcmp(i->if_name, "lo")) { printf("refusing to run: interface %s besides lo (run under keel exec --no-net)\n", i->if_name); ok = 0; }
	if_freenameindex(ni);
	return ok;
}

static int set_lo(int up){
	int q = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq r;
	memset(&r, 0, sizeof r);
	strcpy(r.ifr_name, "lo");
	int e = ioctl(q, SIOCGIFFLAGS, &r);
	if (!e) {
		if (up) r.ifr_flags |= IFF_UP; else r.ifr_flags &= ~IFF_UP;
		e = ioctl(q, SIOCSIFFLAGS, &r);
	}
	close(q);
	return e;
}

/* The timer column ("tr") of the connection from local port `port`. */
static int timer_of(int port){
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256], want[32];
	snprintf(want, sizeof want, "0100007F:%04X", port);
	int tr = -1;
	while (f && fgets(line, sizeof line, f)) {
		char la[32];
		int t;
		if (sscanf(line, "%*d: %31s %*s %*x %*s %x:", la, &t) == 2 && !strcmp(la, want)) tr = t;
	}
	if (f) fclose(f);
	return tr;
}

static int wait_in(int fd, int ms){
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, ms);
}

int main(void){
	if (!lo_only()) return 2;
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	socklen_t al = sizeof a;
	if (bind(l, (void *)&a, sizeof a) || listen(l, 1) || getsockname(l, (void *)&a, &al) || connect(c, (void *)&a, sizeof a)) {
		printf("set up: %s\n", strerror(errno));
		return 1;
	}
	int s = accept(l, NULL, NULL);
	struct sockaddr_in ca;
	al = sizeof ca;
	getsockname(c, (void *)&ca, &al);
	int fails = 0;
#define CHECK(what, cond) do { int ok_ = (cond); printf("%s: %s\n", what, ok_ ? "yes" : "no"); fails += !ok_; } while (0)

	CHECK("lo down", set_lo(0) == 0);
	CHECK("send while lo is down queues the data", send(c, "hello", 5, 0) == 5);
	CHECK("peer sees nothing while lo is down", wait_in(s, 300) == 0);
	CHECK("/proc/net/tcp: retransmission timer pending", timer_of(ntohs(ca.sin_port)) == 1);
	CHECK("lo up", set_lo(1) == 0);
	char b[16] = {0};
	CHECK("the data arrives once lo is up", wait_in(s, 5000) == 1 && recv(s, b, sizeof b, 0) == 5 && !memcmp(b, "hello", 5));

	CHECK("lo down again", set_lo(0) == 0);
	shutdown(c, SHUT_WR);
	CHECK("peer sees no FIN while lo is down", wait_in(s, 300) == 0);
	CHECK("lo up again", set_lo(1) == 0);
	CHECK("the FIN arrives once lo is up (EOF)", wait_in(s, 5000) == 1 && recv(s, b, sizeof b, 0) == 0);
	close(c);
	close(s);
	close(l);
	if (fails) { printf("FAILED\n"); return 1; }
	printf("ok\n");
	return 0;
}
