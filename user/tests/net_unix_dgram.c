/* net_unix_dgram: AF_UNIX datagram and seqpacket sockets: record
 * boundaries, truncation (MSG_TRUNC), sendto/recvfrom addresses, connect
 * and disconnect, ECONNREFUSED after the peer closes, EPERM, the receive
 * queue limit, EMSGSIZE, seqpacket EOF and errors, sendmmsg/recvmmsg. */
#include "t.h"
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t path_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	snprintf(a->sun_path, sizeof(a->sun_path), "%s", path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static void dgram(void)
{
	int sv[2];
	char buf[256];
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair dgram");
	send(sv[0], "one", 3, 0);
	send(sv[0], "three", 5, 0);
	send(sv[0], "", 0, 0);
	int n = -1;
	ioctl(sv[1], FIONREAD, &n);
	SAY("FIONREAD is the next datagram: %d\n", n);
	long r1 = recv(sv[1], buf, sizeof buf, 0);
	long r2 = recv(sv[1], buf, sizeof buf, 0);
	long r3 = recv(sv[1], buf, sizeof buf, 0);
	SAY("records: %ld %ld %ld\n", r1, r2, r3);
	send(sv[0], "truncated", 9, 0);
	struct iovec iov = {buf, 4};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	r1 = recvmsg(sv[1], &mh, 0);
	SAY("short read: %ld, MSG_TRUNC %d\n", r1, !!(mh.msg_flags & MSG_TRUNC));
	CHECK_ERR(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "rest of the datagram is gone");
	send(sv[0], "0123456789", 10, 0);
	SAY("recv with MSG_TRUNC gives the real length: %ld\n", (long)recv(sv[1], buf, 2, MSG_TRUNC));
	send(sv[0], "peek", 4, 0);
	r1 = recv(sv[1], buf, 2, MSG_PEEK);
	r2 = recv(sv[1], buf, sizeof buf, 0);
	SAY("peek %ld then read %ld\n", r1, r2);
	/* a socketpair is mutually connected: no queue limit but the send buffer */
	int sent = 0;
	while (send(sv[0], "x", 1, MSG_DONTWAIT) == 1 && sent < 100000) sent++;
	SAY("mutual pair fills past the queue limit: %s (stops with %s)\n", sent > 11 ? "yes" : "no", t_errname(errno));
	close(sv[0]);
	SAY("queued data survives the sender: %ld\n", (long)recv(sv[1], buf, sizeof buf, 0));
	close(sv[1]);

	/* named datagram sockets */
	struct sockaddr_un a, b, from;
	socklen_t al = path_addr(&a, t_path("d1")), bl = path_addr(&b, t_path("d2")), fl;
	int s1 = socket(AF_UNIX, SOCK_DGRAM, 0), s2 = socket(AF_UNIX, SOCK_DGRAM, 0), s3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK(bind(s1, (struct sockaddr *)&a, al) == 0, "bind d1");
	CHECK(bind(s2, (struct sockaddr *)&b, bl) == 0, "bind d2");
	CHECK(sendto(s2, "from2", 5, 0, (struct sockaddr *)&a, al) == 5, "sendto d1");
	fl = sizeof from;
	r1 = recvfrom(s1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
	SAY("recvfrom: %ld, sender name ok %s\n", r1, fl == bl && !strcmp(from.sun_path, b.sun_path) ? "yes" : "no");
	CHECK(sendto(s3, "anon", 4, 0, (struct sockaddr *)&a, al) == 4, "sendto from unbound");
	fl = sizeof from;
	r1 = recvfrom(s1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
	SAY("recvfrom unbound sender: %ld, namelen %d\n", r1, (int)fl);
	CHECK_ERR(send(s3, "x", 1, 0), ENOTCONN, "send unconnected dgram");
	CHECK_ERR(sendto(s3, "x", 1, 0, (struct sockaddr *)&a, 2), EINVAL, "sendto family-only address");
	struct sockaddr_un none;
	socklen_t nl = path_addr(&none, t_path("nothere"));
	CHECK_ERR(sendto(s3, "x", 1, 0, (struct sockaddr *)&none, nl), ENOENT, "sendto missing path");
	/* the receive queue limit (net.unix.max_dgram_qlen = 10) */
	int q = 0;
	while (sendto(s3, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&a, al) == 1 && q < 1000) q++;
	SAY("queue limit reached after %d (%s)\n", q, t_errname(errno));
	while (recv(s1, buf, sizeof buf, MSG_DONTWAIT) >= 0) ;
	/* connect: the default destination, and only the peer may send to us */
	CHECK(connect(s3, (struct sockaddr *)&a, al) == 0, "connect dgram");
	CHECK(send(s3, "c", 1, 0) == 1, "send connected");
	fl = sizeof from;
	recvfrom(s1, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
	SAY("connected unbound sender namelen %d\n", (int)fl);
	CHECK(connect(s1, (struct sockaddr *)&b, bl) == 0, "connect d1 to d2");
	CHECK_ERR(sendto(s3, "x", 1, 0, (struct sockaddr *)&a, al), EPERM, "send to a socket connected elsewhere");
	struct sockaddr unspec = {AF_UNSPEC};
	CHECK(connect(s1, &unspec, sizeof unspec) == 0, "disconnect with AF_UNSPEC");
	CHECK(send(s3, "ok", 2, 0) == 2, "send after the receiver disconnected");
	recv(s1, buf, sizeof buf, 0);
	CHECK_ERR(getpeername(s1, (struct sockaddr *)&from, &fl), ENOTCONN, "getpeername after disconnect");
	close(s1);
	CHECK_ERR(send(s3, "x", 1, 0), ECONNREFUSED, "send to a closed peer");
	CHECK_ERR(send(s3, "x", 1, 0), ENOTCONN, "then not connected");
	CHECK_ERR(sendto(s3, "x", 1, 0, (struct sockaddr *)&a, al), ECONNREFUSED, "sendto a dead socket's path");
	CHECK_ERR(listen(s2, 1), EOPNOTSUPP, "listen on dgram");
	CHECK_ERR(accept(s2, NULL, NULL), EOPNOTSUPP, "accept on dgram");
	int big = 300000;
	char *bp = calloc(1, big);
	CHECK_ERR(sendto(s3, bp, big, 0, (struct sockaddr *)&b, bl), EMSGSIZE, "datagram larger than SO_SNDBUF");
	CHECK(sendto(s3, bp, 100000, 0, (struct sockaddr *)&b, bl) == 100000, "100000-byte datagram");
	SAY("received whole: %ld\n", (long)recv(s2, bp, big, 0));
	free(bp);
	shutdown(s2, SHUT_RD);
	SAY("recv after SHUT_RD: %ld\n", (long)recv(s2, buf, sizeof buf, 0));
	CHECK_ERR(sendto(s3, "x", 1, 0, (struct sockaddr *)&b, bl), EPIPE, "sendto a socket shut for reading");
	close(s2);
	close(s3);
}

static void seqpacket(void)
{
	int sv[2];
	char buf[256];
	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair seqpacket");
	send(sv[0], "rec1", 4, 0);
	send(sv[0], "record2", 7, 0);
	struct iovec iov = {buf, 3};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	long r1 = recvmsg(sv[1], &mh, 0);
	SAY("seqpacket short read: %ld, MSG_TRUNC %d, EOR %d\n", r1, !!(mh.msg_flags & MSG_TRUNC), !!(mh.msg_flags & MSG_EOR));
	SAY("next record: %ld\n", (long)recv(sv[1], buf, sizeof buf, 0));
	close(sv[0]);
	SAY("EOF after peer close: %ld\n", (long)recv(sv[1], buf, sizeof buf, 0));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(send(sv[1], "x", 1, 0), EPIPE, "send to closed seqpacket peer");
	signal(SIGPIPE, SIG_DFL);
	pid_t c = fork();
	if (c == 0) { send(sv[1], "x", 1, 0); _exit(0); }
	SAY("seqpacket EPIPE signal: %s\n", t_wait_desc(c));
	close(sv[1]);

	struct sockaddr_un a;
	socklen_t al = path_addr(&a, t_path("sp"));
	int l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK_ERR(send(l, "x", 1, 0), ENOTCONN, "send unconnected seqpacket");
	CHECK_ERR(recv(l, buf, 1, 0), ENOTCONN, "recv unconnected seqpacket");
	bind(l, (struct sockaddr *)&a, al);
	CHECK(listen(l, 2) == 0, "listen seqpacket");
	int cl = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	CHECK(connect(cl, (struct sockaddr *)&a, al) == 0, "connect seqpacket");
	int s = accept(l, NULL, NULL);
	CHECK(s >= 0, "accept seqpacket");
	CHECK(send(cl, "hello", 5, 0) == 5, "send");
	SAY("server record: %ld\n", (long)recv(s, buf, sizeof buf, 0));
	shutdown(cl, SHUT_WR);
	SAY("EOF after SHUT_WR: %ld\n", (long)recv(s, buf, sizeof buf, 0));
	int st = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(st, (struct sockaddr *)&a, al), EPROTOTYPE, "stream connect to a seqpacket name");
	close(st);
	close(s);
	close(cl);
	close(l);
}

static void mmsg(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct mmsghdr mm[3];
	struct iovec iov[3];
	char out[3][8] = {"a", "bb", "ccc"}, in[3][8];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = out[i];
		iov[i].iov_len = strlen(out[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	int k = sendmmsg(sv[0], mm, 3, 0);
	SAY("sendmmsg: %d, lens %u %u %u\n", k, mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 3; i++) {
		iov[i].iov_base = in[i];
		iov[i].iov_len = sizeof in[i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	k = recvmmsg(sv[1], mm, 3, 0, NULL);
	SAY("recvmmsg: %d, lens %u %u %u\n", k, mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	send(sv[0], "z", 1, 0);
	SAY("recvmmsg MSG_WAITFORONE: %d\n", recvmmsg(sv[1], mm, 3, MSG_WAITFORONE, NULL));
	close(sv[0]);
	close(sv[1]);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	dgram();
	seqpacket();
	mmsg();
	t_cleanup();
	return t_done();
}
