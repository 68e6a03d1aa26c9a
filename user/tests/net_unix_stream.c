/* net_unix_stream: AF_UNIX stream sockets: socketpair, path and abstract
 * names, listen/connect/accept, getsockname/getpeername, shutdown and EOF,
 * EPIPE/SIGPIPE and MSG_NOSIGNAL, MSG_PEEK/MSG_WAITALL/MSG_DONTWAIT, the
 * errors of bind/connect/listen/accept, backlog, FIONREAD. */
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

static socklen_t abstract_addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* the pid keeps concurrent runs on the host apart; never printed */
	int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "keeltest-%d-%s", (int)getpid(), name);
	return offsetof(struct sockaddr_un, sun_path) + 1 + n;
}

/* The /proc/net/unix line of a socket bound to the abstract name `name`:
 * print its flags, type and state, and whether its inode is fstat's. */
static void proc_line(int fd, const char *name)
{
	char want[128], line[512];
	snprintf(want, sizeof want, "@keeltest-%d-%s\n", (int)getpid(), name);
	FILE *f = fopen("/proc/net/unix", "r");
	int found = 0;
	struct stat st;
	fstat(fd, &st);
	while (f && fgets(line, sizeof line, f)) {
		size_t n = strlen(line), w = strlen(want);
		if (n < w || strcmp(line + n - w, want))
			continue;
		unsigned ref, proto, flags, type, state;
		unsigned long ino;
		char num[32];
		if (sscanf(line, "%31s %x %x %x %x %x %lu", num, &ref, &proto, &flags, &type, &state, &ino) == 7) {
			SAY("/proc/net/unix: flags %x type %x state %x inode matches: %s\n", flags, type, state,
			    ino == st.st_ino ? "yes" : "no");
			found = 1;
		}
	}
	if (f)
		fclose(f);
	if (!found)
		SAY("/proc/net/unix: %s not found\n", name);
}

static void pair_basics(void)
{
	int sv[2];
	char buf[64];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair stream");
	CHECK(write(sv[0], "hello", 5) == 5, "write 5");
	CHECK(write(sv[0], "world", 5) == 5, "write 5 more");
	SAY("read merges writes: %ld\n", (long)read(sv[1], buf, sizeof buf));
	CHECK(send(sv[1], "back", 4, 0) == 4, "send back");
	SAY("recv: %ld\n", (long)recv(sv[0], buf, sizeof buf, 0));
	CHECK_ERR(recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN, "empty MSG_DONTWAIT");
	int n = -1;
	write(sv[0], "abcdef", 6);
	CHECK(ioctl(sv[1], FIONREAD, &n) == 0 && n == 6, "FIONREAD 6");
	SAY("peek: %ld\n", (long)recv(sv[1], buf, 3, MSG_PEEK));
	SAY("peek again sees same: %s\n", recv(sv[1], buf, 6, MSG_PEEK) == 6 && !memcmp(buf, "abcdef", 6) ? "yes" : "no");
	SAY("read 4: %ld\n", (long)read(sv[1], buf, 4));
	SAY("rest: %ld %.2s\n", (long)read(sv[1], buf, sizeof buf), buf);

	/* shutdown(SHUT_WR): the peer reads EOF, we can still read */
	CHECK(shutdown(sv[0], SHUT_WR) == 0, "shutdown SHUT_WR");
	SAY("peer reads EOF: %ld\n", (long)read(sv[1], buf, sizeof buf));
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR(write(sv[0], "x", 1), EPIPE, "write after SHUT_WR");
	CHECK(write(sv[1], "yz", 2) == 2, "peer still writes");
	SAY("we still read: %ld\n", (long)read(sv[0], buf, sizeof buf));
	CHECK_ERR(shutdown(sv[0], 7), EINVAL, "shutdown bad how");
	close(sv[0]);
	CHECK_ERR(write(sv[1], "x", 1), EPIPE, "write to closed peer");
	SAY("read from closed peer: %ld\n", (long)read(sv[1], buf, sizeof buf));
	close(sv[1]);
	signal(SIGPIPE, SIG_DFL);

	/* SIGPIPE kills, MSG_NOSIGNAL does not */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[1]);
	pid_t c = fork();
	if (c == 0) { write(sv[0], "x", 1); _exit(0); }
	SAY("write to closed peer: %s\n", t_wait_desc(c));
	c = fork();
	if (c == 0) { _exit(send(sv[0], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE ? 3 : 4); }
	SAY("MSG_NOSIGNAL: %s\n", t_wait_desc(c));
	close(sv[0]);

	/* unread data at close resets the peer */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "unread", 6);
	close(sv[1]);
	CHECK_ERR(read(sv[0], buf, sizeof buf), ECONNRESET, "peer closed with unread data");
	SAY("then EOF: %ld\n", (long)read(sv[0], buf, sizeof buf));
	close(sv[0]);

	/* MSG_WAITALL waits for the whole buffer */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	c = fork();
	if (c == 0) {
		for (int i = 0; i < 4; i++) { usleep(20000); write(sv[1], "0123456789", 10); }
		_exit(0);
	}
	SAY("MSG_WAITALL 40: %ld\n", (long)recv(sv[0], buf, 40, MSG_WAITALL));
	waitpid(c, NULL, 0);
	close(sv[0]);
	close(sv[1]);

	/* a big transfer through a child, checked byte for byte */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	c = fork();
	if (c == 0) {
		static char big[300000];
		for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7 + 3);
		close(sv[0]);
		size_t off = 0;
		while (off < sizeof big) { ssize_t k = write(sv[1], big + off, sizeof big - off); if (k <= 0) _exit(1); off += k; }
		_exit(0);
	}
	close(sv[1]);
	long total = 0, bad = 0, k;
	static char rb[7000];
	while ((k = read(sv[0], rb, sizeof rb)) > 0) {
		for (long i = 0; i < k; i++) if (rb[i] != (char)((total + i) * 7 + 3)) bad++;
		total += k;
	}
	SAY("big transfer: %ld bytes, %ld bad, %s\n", total, bad, t_wait_desc(c));
	close(sv[0]);
}

static void names(void)
{
	struct sockaddr_un a, b;
	socklen_t al, bl;
	char buf[64];
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0, "socket");
	bl = sizeof b;
	CHECK(getsockname(l, (struct sockaddr *)&b, &bl) == 0, "getsockname unbound");
	SAY("unbound name len: %d family %d\n", (int)bl, b.sun_family);
	CHECK_ERR(listen(l, 5), EINVAL, "listen unbound");
	CHECK_ERR(accept(l, NULL, NULL), EINVAL, "accept not listening");
	al = path_addr(&a, t_path("srv"));
	CHECK_ERR(bind(l, (struct sockaddr *)&a, 1), EINVAL, "bind short len");
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0, "bind path");
	CHECK_ERR(bind(l, (struct sockaddr *)&a, al), EINVAL, "bind twice");
	struct stat st;
	CHECK(stat(t_path("srv"), &st) == 0 && S_ISSOCK(st.st_mode), "path is a socket");
	SAY("socket file mode: %o\n", st.st_mode & 0777);
	bl = sizeof b;
	getsockname(l, (struct sockaddr *)&b, &bl);
	SAY("bound name len ok: %s, same path: %s\n", bl == al ? "yes" : "no", strcmp(b.sun_path, a.sun_path) ? "no" : "yes");
	int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(l2, (struct sockaddr *)&a, al), EADDRINUSE, "bind existing path");
	close(l2);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, al), ECONNREFUSED, "connect before listen");
	CHECK(listen(l, 1) == 0, "listen");
	int v = 0;
	socklen_t vl = sizeof v;
	getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl);
	SAY("SO_ACCEPTCONN: %d\n", v);
	CHECK(connect(c, (struct sockaddr *)&a, al) == 0, "connect path");
	CHECK_ERR(connect(c, (struct sockaddr *)&a, al), EISCONN, "connect twice");
	bl = sizeof b;
	CHECK(getpeername(c, (struct sockaddr *)&b, &bl) == 0 && bl == al, "getpeername is the listener's name");
	int s = accept(l, (struct sockaddr *)&b, &bl);
	CHECK(s >= 0, "accept");
	SAY("accepted peer name len: %d\n", (int)bl);
	bl = sizeof b;
	getsockname(s, (struct sockaddr *)&b, &bl);
	SAY("accepted socket has the listener's name: %s\n", bl == al && !strcmp(b.sun_path, a.sun_path) ? "yes" : "no");
	write(c, "ping", 4);
	SAY("server reads: %ld\n", (long)read(s, buf, sizeof buf));
	CHECK_ERR(sendto(c, "x", 1, 0, (struct sockaddr *)&a, al), EISCONN, "sendto on connected stream");
	close(s);
	close(c);

	/* nonblocking accept, accept4 flags */
	fcntl(l, F_SETFL, O_NONBLOCK);
	CHECK_ERR(accept(l, NULL, NULL), EAGAIN, "nonblocking accept");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, al);
	CHECK_ERR(accept4(l, NULL, NULL, 0x1234), EINVAL, "accept4 bad flags");
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	CHECK(s >= 0, "accept4");
	SAY("accept4 flags: nonblock %d cloexec %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK), !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
	close(s);
	close(c);

	/* backlog: listen(1) admits two, the third waits (EAGAIN when nonblocking) */
	int cs[3];
	for (int i = 0; i < 3; i++) {
		cs[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		errno = 0;
		int r = connect(cs[i], (struct sockaddr *)&a, al);
		SAY("connect %d with backlog 1: %s\n", i, r == 0 ? "ok" : t_errname(errno));
	}
	for (int i = 0; i < 3; i++) close(cs[i]);
	while ((s = accept(l, NULL, NULL)) >= 0) close(s);

	/* listener closes with a pending connection: the client is reset */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	connect(c, (struct sockaddr *)&a, al);
	close(l);
	CHECK_ERR(read(c, buf, 1), ECONNRESET, "pending connection of a closed listener");
	close(c);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(connect(c, (struct sockaddr *)&a, al), ECONNREFUSED, "connect to a dead listener's path");
	unlink(t_path("srv"));
	CHECK_ERR(connect(c, (struct sockaddr *)&a, al), ENOENT, "connect to a missing path");
	al = path_addr(&a, t_path("plain"));
	close(open(t_path("plain"), O_CREAT | O_WRONLY, 0644));
	CHECK_ERR(connect(c, (struct sockaddr *)&a, al), ECONNREFUSED, "connect to a regular file");
	close(c);

	/* abstract names */
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	al = abstract_addr(&a, "abs");
	CHECK(bind(l, (struct sockaddr *)&a, al) == 0, "bind abstract");
	l2 = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(bind(l2, (struct sockaddr *)&a, al), EADDRINUSE, "bind abstract twice");
	listen(l, 4);
	proc_line(l, "abs");
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(connect(c, (struct sockaddr *)&a, al) == 0, "connect abstract");
	struct stat st2;
	fstat(c, &st2);
	SAY("fstat of a socket: S_ISSOCK %d\n", S_ISSOCK(st2.st_mode));
	bl = sizeof b;
	getpeername(c, (struct sockaddr *)&b, &bl);
	SAY("abstract peer name: len ok %s, first byte %d\n", bl == al ? "yes" : "no", b.sun_path[0]);
	int dg = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHECK_ERR(connect(dg, (struct sockaddr *)&a, al), EPROTOTYPE, "dgram connect to a stream name");
	close(dg);
	close(c);
	close(l);
	CHECK(bind(l2, (struct sockaddr *)&a, al) == 0, "abstract name free after close");
	close(l2);

	/* autobind: bind with only the family */
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	a.sun_family = AF_UNIX;
	CHECK(bind(l, (struct sockaddr *)&a, sizeof(sa_family_t)) == 0, "autobind");
	bl = sizeof b;
	getsockname(l, (struct sockaddr *)&b, &bl);
	SAY("autobind name: len %d, abstract %s\n", (int)bl, b.sun_path[0] == 0 ? "yes" : "no");
	close(l);
	CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 5), EPROTONOSUPPORT, "bad protocol");
	CHECK_ERR(socket(AF_UNIX, 77, 0), EINVAL, "bad type");
	CHECK_ERR(socket(1234, SOCK_STREAM, 0), EAFNOSUPPORT, "bad family");
	CHECK_ERR(getsockname(0, (struct sockaddr *)&b, &bl), ENOTSOCK, "getsockname on a non-socket");
	CHECK_ERR(getsockname(99, (struct sockaddr *)&b, &bl), EBADF, "getsockname on a bad fd");
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK_ERR(read(s, buf, 1), EINVAL, "read unconnected stream");
	CHECK_ERR(write(s, buf, 1), ENOTCONN, "write unconnected stream");
	CHECK_ERR(getpeername(s, (struct sockaddr *)&b, &bl), ENOTCONN, "getpeername unconnected");
	close(s);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	pair_basics();
	names();
	t_cleanup();
	return t_done();
}
