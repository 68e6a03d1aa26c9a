/* Socket objects and the dispatch to protocols. Layer: services (safe C).
 * A socket is created here from (family, type, protocol), gets the
 * generic defaults Linux gives it, and hands every operation to the const
 * operation table of its kind. Trusts the protocols to keep their own
 * objects consistent; checks nothing they cannot check themselves. */
#include "net/socket.h"
#include "net/unix/unix.h"
#include "net/inet/inet.h"
#include "net/netlink/netlink.h"
#include "proc/proc.h"
#include "signal/signal.h"

FW_POOL_DEFINE(sock, struct sock);
FW_POOL_DEFINE(scm, struct scm);

static const struct sock_ops ops_by_kind[SK_KIND_MAX] = {
        [SK_UNIX] = {unix_init, unix_release, unix_bind, unix_connect, unix_listen, unix_accept, unix_send, unix_recv,
                     unix_shutdown, unix_getname, unix_poll, unix_setopt, unix_getopt, unix_ioctl},
        [SK_TCP] = {tcp_init, tcp_release, inet_bind, tcp_connect, tcp_listen, tcp_accept, tcp_send, tcp_recv,
                    tcp_shutdown, inet_getname, tcp_poll, inet_setopt, inet_getopt, inet_ioctl},
        [SK_UDP] = {udp_init, dgram_release, inet_bind, dgram_connect, no_listen, no_accept, dgram_send, dgram_recv,
                    dgram_shutdown, inet_getname, dgram_poll, inet_setopt, inet_getopt, inet_ioctl},
        [SK_RAW] = {raw_init, dgram_release, inet_bind, dgram_connect, no_listen, no_accept, dgram_send, dgram_recv,
                    dgram_shutdown, inet_getname, dgram_poll, inet_setopt, inet_getopt, inet_ioctl},
        [SK_PING] = {ping_init, dgram_release, inet_bind, dgram_connect, no_listen, no_accept, dgram_send, dgram_recv,
                     dgram_shutdown, inet_getname, dgram_poll, inet_setopt, inet_getopt, inet_ioctl},
        [SK_NETLINK] = {nl_init, nl_release, nl_bind, nl_connect, no_listen, no_accept, nl_send, nl_recv,
                        nl_shutdown, nl_getname, nl_poll, nl_setopt, nl_getopt, nl_ioctl},
};

int no_listen(struct sock_ref s, int32_t backlog) { return -EOPNOTSUPP; }
int no_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer) { return -EOPNOTSUPP; }

/* Which protocol serves (family, type, protocol): a kind, or -errno. */
static int kind_for(int32_t family, int32_t type, int32_t *protocol)
{
	switch (family) {
	case AF_UNIX:
		if (*protocol != 0 && *protocol != AF_UNIX)
			return -EPROTONOSUPPORT;
		if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET && type != SOCK_RAW)
			return -ESOCKTNOSUPPORT;
		*protocol = 0;
		return SK_UNIX;
	case AF_INET:
		return inet_kind_for(type, protocol);
	case AF_NETLINK:
		if (type != SOCK_RAW && type != SOCK_DGRAM)
			return -ESOCKTNOSUPPORT;
		if (*protocol != NETLINK_ROUTE)
			return -EPROTONOSUPPORT;
		return SK_NETLINK;
	default:
		return -EAFNOSUPPORT;
	}
}

static void set_defaults(struct sock *sk)
{
	sk->rcvbuf = SOCK_BUF_DEFAULT;
	sk->sndbuf = SOCK_BUF_DEFAULT;
	sk->rcvlowat = 1;
	sk->ino = net_next_ino();
	sk->uid = cur_proc()->euid;
	sk->peer_cred.uid = UINT32_MAX;
	sk->peer_cred.gid = UINT32_MAX;
}

int sock_create(int32_t family, int32_t type, int32_t protocol, struct sock_ref *out)
{
	int kind = kind_for(family, type, &protocol);
	if (kind < 0)
		return kind;
	if (kind >= SK_KIND_MAX || !ops_by_kind[kind].init)
		return -EAFNOSUPPORT;
	if (sock_alloc(out))
		return -ENOBUFS;
	struct sock *sk = sock_get(*out);
	sk->family = (uint16_t)family;
	/* AF_UNIX SOCK_RAW is a datagram socket, as in Linux */
	sk->type = (uint16_t)(family == AF_UNIX && type == SOCK_RAW ? SOCK_DGRAM : type);
	sk->protocol = (uint16_t)protocol;
	sk->kind = (uint32_t)kind;
	set_defaults(sk);
	int e = ops_by_kind[kind].init(*out);
	if (e) {
		sock_free(*out);
		return e;
	}
	return 0;
}

int sock_new_child(struct sock_ref parent, struct sock_ref *out)
{
	struct sock *pk = sock_get(parent);
	if (!pk)
		return -EINVAL;
	if (sock_alloc(out))
		return -ENOBUFS;
	struct sock *sk = sock_get(*out);
	pk = sock_get(parent);
	sk->family = pk->family;
	sk->type = pk->type;
	sk->protocol = pk->protocol;
	sk->kind = pk->kind;
	set_defaults(sk);
	return 0;
}

void sock_release(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	if (!sk || sk->dead)
		return;
	sk->dead = true;
	/* the protocol frees the socket when it is done with it (a TCP
	 * connection outlives its file until the close handshake ends) */
	ops_by_kind[sk->kind].release(s);
	vfs_io_wake();
}

void sock_changed(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	if (sk)
		sk->gen++;
	vfs_io_wake();
}

uint64_t sock_deadline(struct sock_ref s, bool rcv)
{
	struct sock *sk = sock_get(s);
	uint64_t t = !sk ? 0 : rcv ? sk->rcvtimeo : sk->sndtimeo;
	if (t == 0)
		return 0;
	uint64_t now = fw_time_monotonic_ns();
	return t >= UINT64_MAX - now ? 0 : now + t;
}

int sock_wait(struct sock_ref s, uint64_t deadline)
{
	int e = vfs_io_wait(deadline);
	if (e == -ETIMEDOUT)
		return -EAGAIN;
	if (e == -EINTR)
		return deadline ? -EINTR : -ERESTARTSYS;
	if (deadline && fw_time_monotonic_ns() >= deadline)
		return -EAGAIN;
	return 0;
}

int sock_take_error(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	if (!sk || !sk->err)
		return 0;
	int e = sk->err;
	sk->err = 0;
	return -e;
}

int64_t sock_epipe(int64_t e, uint32_t flags)
{
	if (e == -EPIPE && !(flags & MSG_NOSIGNAL))
		(void)signal_send_thread(cur_thread_ref(), SIGPIPE);
	return e;
}

struct linux_ucred sock_cur_cred(void)
{
	struct proc *p = cur_proc();
	struct linux_ucred c = {p->pid, p->euid, p->egid};
	return c;
}

int sock_bind(struct sock_ref s, const struct sockaddr_k *a)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].bind(s, a) : -EBADF;
}

int sock_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].connect(s, a, nonblock) : -EBADF;
}

int sock_listen(struct sock_ref s, int32_t backlog)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	/* net.core.somaxconn; a negative backlog is a huge unsigned one */
	if (backlog < 0 || backlog > 4096)
		backlog = 4096;
	return ops_by_kind[sk->kind].listen(s, backlog);
}

int sock_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].accept(s, nonblock, out, peer) : -EBADF;
}

int64_t sock_sendmsg(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (m->flags & MSG_DONTWAIT)
		nonblock = true;
	return ops_by_kind[sk->kind].send(s, m, nonblock);
}

int64_t sock_recvmsg(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (m->flags & MSG_DONTWAIT)
		nonblock = true;
	return ops_by_kind[sk->kind].recv(s, m, nonblock);
}

int sock_shutdown(struct sock_ref s, int32_t how)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return ops_by_kind[sk->kind].shutdown(s, (uint32_t)how + 1);
}

int sock_getname(struct sock_ref s, bool peer, struct sockaddr_k *out)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].getname(s, peer, out) : -EBADF;
}

int sock_proto_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].setopt(s, level, name, v) : -EBADF;
}

int sock_proto_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].getopt(s, level, name, v) : -EBADF;
}

int64_t sock_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg)
{
	struct sock *sk = sock_get(s);
	return sk ? ops_by_kind[sk->kind].ioctl(s, cmd, arg) : -EBADF;
}

uint32_t sock_poll(struct sock_ref s, uint64_t *gen)
{
	struct sock *sk = sock_get(s);
	*gen = 0;
	if (!sk)
		return POLLNVAL;
	*gen = sk->gen;
	return ops_by_kind[sk->kind].poll(s);
}
