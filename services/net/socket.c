/* Socket objects and the dispatch to protocols. Layer: services (safe C).
 * A socket is created here from (family, type, protocol), gets the
 * generic defaults Linux gives it, and hands every operation to the const
 * operation table of its kind. Trusts the protocols to keep their own
 * objects consistent; checks nothing they cannot check themselves. */
#include "net/socket.h"
#include "proc/proc.h"
#include "proc/signal.h"

FW_POOL_DEFINE(sock, struct sock);
FW_POOL_DEFINE(scm, struct scm);

/* The protocols and address families, registered at boot: the socket
 * layer names none of them. */
struct proto_table {
	struct sock_ops ops[SK_KIND_MAX];
	int (*family[AF_MAX_K])(int32_t type, int32_t *protocol);
	int64_t (*ifioctl)(uint64_t cmd, uint64_t arg);
};
FW_GLOBAL(struct proto_table, proto_table);

int sock_proto_register(uint32_t kind, const struct sock_ops *ops)
{
	/* every operation must be there: the socket layer calls them unchecked */
	if (kind == SK_NONE || kind >= SK_KIND_MAX || !ops->init || !ops->release || !ops->bind || !ops->connect ||
	    !ops->listen || !ops->accept || !ops->send || !ops->recv || !ops->shutdown || !ops->getname || !ops->poll ||
	    !ops->setopt || !ops->getopt || !ops->ioctl)
		return -EINVAL;
	proto_table()->ops[kind] = *ops;
	return 0;
}

int sock_family_register(uint32_t family, int (*kind_for)(int32_t type, int32_t *protocol))
{
	if (family >= AF_MAX_K || !kind_for)
		return -EINVAL;
	proto_table()->family[family] = kind_for;
	return 0;
}

void sock_ifioctl_register(int64_t (*fn)(uint64_t cmd, uint64_t arg)) { proto_table()->ifioctl = fn; }

int64_t sock_ifioctl(uint64_t cmd, uint64_t arg)
{
	struct proto_table *pt = proto_table();
	return pt->ifioctl ? pt->ifioctl(cmd, arg) : -ENOTTY;
}

/* The registered operations of a socket's kind (a copy: the table is
 * never changed after boot, but a copy keeps callers from holding a
 * pointer into it). */
int no_listen(struct sock_ref s, int32_t backlog) { return -EOPNOTSUPP; }
int no_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer) { return -EOPNOTSUPP; }

/* Which protocol serves (family, type, protocol): a kind, or -errno. */
static int kind_for(int32_t family, int32_t type, int32_t *protocol)
{
	if (family < 0 || family >= AF_MAX_K || !proto_table()->family[family])
		return -EAFNOSUPPORT;
	return proto_table()->family[family](type, protocol);
}

/* uid: the owner shown in /proc/net (the creator's, or a listener's for
 * its connections: packet processing has no current process). */
static void set_defaults(struct sock *sk, uint32_t uid)
{
	sk->rcvbuf = SOCK_BUF_DEFAULT;
	sk->sndbuf = SOCK_BUF_DEFAULT;
	sk->rcvlowat = 1;
	sk->ino = net_next_ino();
	sk->uid = uid;
	sk->peer_cred.uid = UINT32_MAX;
	sk->peer_cred.gid = UINT32_MAX;
}

int sock_create(int32_t family, int32_t type, int32_t protocol, struct sock_ref *out)
{
	int kind = kind_for(family, type, &protocol);
	if (kind < 0)
		return kind;
	if (kind >= SK_KIND_MAX || !proto_table()->ops[kind].init)
		return -EAFNOSUPPORT;
	if (sock_alloc(out))
		return -ENOBUFS;
	struct sock *sk = sock_get(*out);
	if (wq_create(&sk->wq)) {
		sock_free(*out);
		return -ENOBUFS;
	}
	sk->family = (uint16_t)family;
	/* AF_UNIX SOCK_RAW is a datagram socket, as in Linux */
	sk->type = (uint16_t)(family == AF_UNIX && type == SOCK_RAW ? SOCK_DGRAM : type);
	sk->protocol = (uint16_t)protocol;
	sk->kind = (uint32_t)kind;
	set_defaults(sk, cur_proc()->euid);
	int e = proto_table()->ops[kind].init(*out);
	if (e) {
		sock_destroy(*out);
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
	if (wq_create(&sk->wq)) {
		sock_free(*out);
		return -ENOBUFS;
	}
	pk = sock_get(parent);
	sk->family = pk->family;
	sk->type = pk->type;
	sk->protocol = pk->protocol;
	sk->kind = pk->kind;
	set_defaults(sk, pk->uid);
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
	proto_table()->ops[sk->kind].release(s);
}

void sock_destroy(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return;
	struct wq_ref wq = sk->wq;
	sock_free(s);
	wq_destroy(wq); /* wakes whoever still waits or polls */
}

void sock_changed(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	if (sk)
		wq_wake(sk->wq);
}

uint64_t sock_gen(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	return sk ? wq_gen(sk->wq) : 0;
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

int sock_wait(struct sock_ref s, uint64_t deadline) { return sock_wait_on(s, deadline); }

int sock_wait_on(struct sock_ref on, uint64_t deadline)
{
	struct sock *sk = sock_get(on);
	if (!sk)
		return 0; /* it went away: the caller looks again */
	int e = wq_wait(sk->wq, deadline);
	if (e == -EIDRM)
		return 0;
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
	return sk ? proto_table()->ops[sk->kind].bind(s, a) : -EBADF;
}

int sock_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	struct sock *sk = sock_get(s);
	return sk ? proto_table()->ops[sk->kind].connect(s, a, nonblock) : -EBADF;
}

int sock_listen(struct sock_ref s, int32_t backlog)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	/* net.core.somaxconn; a negative backlog is a huge unsigned one */
	if (backlog < 0 || backlog > 4096)
		backlog = 4096;
	return proto_table()->ops[sk->kind].listen(s, backlog);
}

int sock_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer)
{
	struct sock *sk = sock_get(s);
	return sk ? proto_table()->ops[sk->kind].accept(s, nonblock, out, peer) : -EBADF;
}

int64_t sock_sendmsg(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (m->flags & MSG_DONTWAIT)
		nonblock = true;
	return proto_table()->ops[sk->kind].send(s, m, nonblock);
}

int64_t sock_recvmsg(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (m->flags & MSG_DONTWAIT)
		nonblock = true;
	return proto_table()->ops[sk->kind].recv(s, m, nonblock);
}

int sock_shutdown(struct sock_ref s, int32_t how)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	return proto_table()->ops[sk->kind].shutdown(s, (uint32_t)how + 1);
}

int sock_getname(struct sock_ref s, bool peer, struct sockaddr_k *out)
{
	struct sock *sk = sock_get(s);
	return sk ? proto_table()->ops[sk->kind].getname(s, peer, out) : -EBADF;
}

int sock_proto_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	struct sock *sk = sock_get(s);
	return sk ? proto_table()->ops[sk->kind].setopt(s, level, name, v) : -EBADF;
}

int sock_proto_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v)
{
	struct sock *sk = sock_get(s);
	return sk ? proto_table()->ops[sk->kind].getopt(s, level, name, v) : -EBADF;
}

int64_t sock_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg)
{
	struct sock *sk = sock_get(s);
	return sk ? proto_table()->ops[sk->kind].ioctl(s, cmd, arg) : -EBADF;
}

uint32_t sock_poll(struct sock_ref s, struct poll_table *pt)
{
	struct sock *sk = sock_get(s);
	if (!sk)
		return POLLNVAL;
	poll_wait(pt, sk->wq);
	return proto_table()->ops[sk->kind].poll(s);
}
