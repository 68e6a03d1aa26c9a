/* net_unix_scm: ancillary data on AF_UNIX sockets: SCM_RIGHTS (a pipe and
 * a socket passed between processes, several descriptors, MSG_CTRUNC when
 * the control buffer is short, MSG_CMSG_CLOEXEC, descriptors dropped by a
 * plain read, peeking), SCM_CREDENTIALS with SO_PASSCRED, SO_PEERCRED. */
#include "t.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static int send_fds(int s, const int *fds, int n, const char *data)
{
	char ctl[CMSG_SPACE(sizeof(int) * 8)];
	struct iovec iov = {(void *)data, strlen(data)};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	memset(ctl, 0, sizeof ctl);
	mh.msg_control = ctl;
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	return sendmsg(s, &mh, 0);
}

/* Receive with a control buffer of ctlsize bytes; fds get the descriptors. */
static long recv_fds(int s, int *fds, int *nfds, size_t ctlsize, int flags, int *mflags)
{
	char ctl[512], data[64];
	struct iovec iov = {data, sizeof data};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctlsize ? ctl : NULL;
	mh.msg_controllen = ctlsize;
	long r = recvmsg(s, &mh, flags);
	*nfds = 0;
	*mflags = mh.msg_flags;
	for (struct cmsghdr *c = ctlsize ? CMSG_FIRSTHDR(&mh) : NULL; c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds + *nfds, CMSG_DATA(c), sizeof(int) * n);
			*nfds += n;
		}
	return r;
}

static void rights(void)
{
	int sv[2], p[2], fds[8], n, mf;
	char buf[64];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	pipe(p);
	CHECK(send_fds(sv[0], &p[1], 1, "pipe") == 4, "send a pipe's write end");
	close(p[1]);
	pid_t c = fork();
	if (c == 0) {
		int got[8], k, f;
		long r = recv_fds(sv[1], got, &k, 256, 0, &f);
		if (r != 4 || k != 1) _exit(1);
		write(got[0], "via passed fd", 13);
		_exit(0);
	}
	SAY("child: %s\n", t_wait_desc(c));
	SAY("read through the pipe: %ld\n", (long)read(p[0], buf, sizeof buf));
	SAY("and EOF once the passed copy is closed: %ld\n", (long)read(p[0], buf, sizeof buf));
	close(p[0]);

	/* three descriptors, one cmsg */
	int three[3];
	for (int i = 0; i < 3; i++) three[i] = dup(1);
	send_fds(sv[0], three, 3, "x");
	long r = recv_fds(sv[1], fds, &n, 256, 0, &mf);
	SAY("three fds: r=%ld n=%d ctrunc=%d distinct=%s\n", r, n, !!(mf & MSG_CTRUNC),
	    n == 3 && fds[0] != fds[1] && fds[1] != fds[2] && fds[0] > 2 ? "yes" : "no");
	for (int i = 0; i < n; i++) close(fds[i]);
	/* a short control buffer: MSG_CTRUNC and only what fits */
	send_fds(sv[0], three, 3, "y");
	r = recv_fds(sv[1], fds, &n, CMSG_LEN(sizeof(int) * 2), 0, &mf);
	SAY("short control buffer: r=%ld n=%d ctrunc=%d\n", r, n, !!(mf & MSG_CTRUNC));
	for (int i = 0; i < n; i++) close(fds[i]);
	/* no control buffer: the descriptors are dropped */
	send_fds(sv[0], three, 3, "z");
	r = recv_fds(sv[1], fds, &n, 0, 0, &mf);
	SAY("no control buffer: r=%ld n=%d ctrunc=%d\n", r, n, !!(mf & MSG_CTRUNC));
	/* MSG_CMSG_CLOEXEC */
	send_fds(sv[0], three, 1, "c");
	r = recv_fds(sv[1], fds, &n, 256, MSG_CMSG_CLOEXEC, &mf);
	SAY("MSG_CMSG_CLOEXEC: n=%d cloexec=%d flag echoed=%d\n", n, n == 1 ? !!(fcntl(fds[0], F_GETFD) & FD_CLOEXEC) : -1,
	    !!(mf & MSG_CMSG_CLOEXEC));
	if (n == 1) close(fds[0]);
	/* peek delivers copies and keeps the message */
	send_fds(sv[0], three, 1, "pk");
	r = recv_fds(sv[1], fds, &n, 256, MSG_PEEK, &mf);
	SAY("peek: r=%ld n=%d\n", r, n);
	if (n == 1) close(fds[0]);
	r = recv_fds(sv[1], fds, &n, 256, 0, &mf);
	SAY("then read: r=%ld n=%d\n", r, n);
	if (n == 1) close(fds[0]);
	/* the stream stops at a message that carries descriptors */
	write(sv[0], "ab", 2);
	send_fds(sv[0], three, 1, "cd");
	write(sv[0], "ef", 2);
	r = recv_fds(sv[1], fds, &n, 256, 0, &mf);
	SAY("read across: r=%ld n=%d\n", r, n);
	if (n == 1) close(fds[0]);
	r = recv_fds(sv[1], fds, &n, 256, 0, &mf);
	SAY("rest: r=%ld n=%d\n", r, n);
	/* errors */
	int bad = 99;
	CHECK_ERR(send_fds(sv[0], &bad, 1, "e"), EBADF, "SCM_RIGHTS with a bad fd");
	char ctl[CMSG_SPACE(4)];
	struct iovec iov = {"q", 1};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof ctl;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = 77;
	cm->cmsg_len = CMSG_LEN(4);
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL, "unknown SOL_SOCKET cmsg type");
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = sizeof ctl + 8;
	CHECK_ERR(sendmsg(sv[0], &mh, 0), EINVAL, "cmsg_len past the buffer");
	for (int i = 0; i < 3; i++) close(three[i]);

	/* a socket passed over itself's peer, then both closed: no hang */
	int sp[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
	send_fds(sp[0], &sp[1], 1, "self");
	close(sp[0]);
	close(sp[1]);
	SAY("cycle closed: yes\n");
	close(sv[0]);
	close(sv[1]);
}

static void creds(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct ucred uc;
	socklen_t l = sizeof uc;
	CHECK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0, "SO_PEERCRED");
	SAY("peercred: len %d, pid is mine %s, uid %d gid %d\n", (int)l, uc.pid == getpid() ? "yes" : "no", (int)uc.uid, (int)uc.gid);
	int u = socket(AF_UNIX, SOCK_STREAM, 0);
	l = sizeof uc;
	getsockopt(u, SOL_SOCKET, SO_PEERCRED, &uc, &l);
	SAY("unconnected peercred: pid %d uid %d gid %d\n", uc.pid, (int)uc.uid, (int)uc.gid);
	close(u);

	int on = 1;
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0, "SO_PASSCRED");
	write(sv[0], "cred", 4);
	char ctl[256], data[16];
	struct iovec iov = {data, sizeof data};
	struct msghdr mh = {0};
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof ctl;
	long r = recvmsg(sv[1], &mh, 0);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	SAY("recv with SO_PASSCRED: r=%ld cmsg %s controllen %d\n", r,
	    c && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)) ? "creds" : "none",
	    (int)mh.msg_controllen);
	if (c) {
		struct ucred got;
		memcpy(&got, CMSG_DATA(c), sizeof got);
		SAY("creds: pid is mine %s uid %d gid %d\n", got.pid == getpid() ? "yes" : "no", (int)got.uid, (int)got.gid);
	}
	/* explicit SCM_CREDENTIALS from the sender */
	char sctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec siov = {"x", 1};
	struct msghdr sm = {0};
	sm.msg_iov = &siov;
	sm.msg_iovlen = 1;
	sm.msg_control = sctl;
	sm.msg_controllen = sizeof sctl;
	struct cmsghdr *sc = CMSG_FIRSTHDR(&sm);
	sc->cmsg_level = SOL_SOCKET;
	sc->cmsg_type = SCM_CREDENTIALS;
	sc->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred mine = {getpid(), getuid(), getgid()};
	memcpy(CMSG_DATA(sc), &mine, sizeof mine);
	CHECK(sendmsg(sv[0], &sm, 0) == 1, "sendmsg with SCM_CREDENTIALS");
	mh.msg_controllen = sizeof ctl;
	r = recvmsg(sv[1], &mh, 0);
	SAY("explicit creds received: %s\n", r == 1 && CMSG_FIRSTHDR(&mh) && CMSG_FIRSTHDR(&mh)->cmsg_type == SCM_CREDENTIALS ? "yes" : "no");
	struct ucred bogus = {999999, 0, 0};
	memcpy(CMSG_DATA(sc), &bogus, sizeof bogus);
	CHECK_ERR(sendmsg(sv[0], &sm, 0), ESRCH, "SCM_CREDENTIALS naming no process");
	close(sv[0]);
	close(sv[1]);

	/* a dgram socket with SO_PASSCRED is autobound when it sends */
	int d[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, d);
	setsockopt(d[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	send(d[0], "a", 1, 0);
	struct sockaddr_un a;
	socklen_t al = sizeof a;
	getsockname(d[0], (struct sockaddr *)&a, &al);
	SAY("autobound by SO_PASSCRED: len %d\n", (int)al);
	close(d[0]);
	close(d[1]);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	rights();
	creds();
	return t_done();
}
