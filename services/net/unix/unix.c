/* AF_UNIX socket lifecycle: creation, names, connections (listen,
 * connect, accept, socketpair), shutdown, readiness and options. The data
 * paths are in stream.c and dgram.c. Layer: services (safe C). Follows
 * Linux's af_unix for the order of checks, so errors match. */
#include "net/unix/unix.h"
#include "proc/proc.h"

FW_POOL_DEFINE(usock, struct usock);

static bool conn_type(uint16_t t) { return t == SOCK_STREAM || t == SOCK_SEQPACKET; }

static struct usock_ref un_of(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	return sk ? sk->un : (struct usock_ref){0};
}

int unix_init(struct sock_ref s)
{
	struct usock_ref u;
	if (usock_alloc(&u))
		return -ENOBUFS;
	struct sock *sk = sock_get(s);
	sk->un = u;
	struct usock *up = usock_get(u);
	up->sk = s;
	up->type = sk->type;
	unix_list_add(u);
	return 0;
}

/* A peer of a connection-oriented socket learns that we are gone. */
static void hangup_peer(struct usock_ref peer, bool reset)
{
	struct usock *pp = usock_get(peer);
	struct sock *ps = pp ? sock_get(pp->sk) : NULL;
	if (!ps)
		return;
	ps->shut = RCV_SHUT | SEND_SHUT;
	if (reset)
		ps->err = ECONNRESET;
	sock_changed(pp->sk);
}

/* Release the connections a listener never accepted. */
static void drop_embryos(struct usock_ref u)
{
	for (;;) {
		struct usock *up = usock_get(u);
		struct usock_ref e = up->aq_head;
		struct usock *ep = usock_get(e);
		if (!ep)
			return;
		up->aq_head = ep->next_conn;
		up->aq_len--;
		ep->next_conn = (struct usock_ref){0};
		sock_release(ep->sk);
	}
}

void unix_release(struct sock_ref s)
{
	struct usock_ref u = un_of(s);
	struct usock *up = usock_get(u);
	if (!up) {
		sock_destroy(s);
		return;
	}
	up->dead = true;
	unix_unbind(u);
	if (up->state == US_LISTEN)
		drop_embryos(u);
	up = usock_get(u);
	struct usock_ref peer = up->peer;
	up->peer = (struct usock_ref){0};
	/* a connection-oriented peer sees EOF, and a reset if we leave
	 * unread data behind or were never accepted */
	if (conn_type(up->type))
		hangup_peer(peer, up->rq_len > 0 || up->embryo);
	unix_queue_purge(u);
	unix_list_del(u);
	usock_free(u);
	sock_destroy(s);
}

int unix_bind(struct sock_ref s, const struct sockaddr_k *a)
{
	struct usock_ref u = un_of(s);
	struct unix_addr addr;
	int e = unix_addr_parse(a, &addr);
	if (e)
		return e;
	if (addr.len == UNIX_PATH_OFF)
		return unix_autobind(u);
	return unix_bind_addr(u, &addr);
}

/* connect on a datagram socket: set or clear the default peer. */
static int dgram_connect(struct sock_ref s, const struct sockaddr_k *a)
{
	struct usock_ref u = un_of(s);
	if (a->len >= 2 && (a->b[0] | (a->b[1] << 8)) == AF_UNSPEC) {
		struct usock *up = usock_get(u);
		up->peer = (struct usock_ref){0};
		up->state = US_UNCONNECTED;
		sock_changed(s);
		return 0;
	}
	struct unix_addr addr;
	int e = unix_addr_parse(a, &addr);
	if (e == 0 && addr.len == UNIX_PATH_OFF)
		e = -EINVAL;
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	if ((sk->opts & SOF_PASSCRED) && (e = unix_autobind(u)) != 0)
		return e;
	struct usock_ref other;
	e = unix_find(&addr, SOCK_DGRAM, &other);
	if (e)
		return e;
	struct usock *op = usock_get(other);
	if (usock_ref_valid(op->peer) && !(op->peer.idx == u.idx && op->peer.gen == u.gen))
		return -EPERM;
	struct usock *up = usock_get(u);
	up->peer = other;
	up->state = US_CONNECTED;
	sock_changed(s);
	return 0;
}

/* Join two connected sockets (connect's embryo, socketpair). */
static void join(struct usock_ref a, struct usock_ref b)
{
	struct usock *ap = usock_get(a), *bp = usock_get(b);
	ap->peer = b;
	bp->peer = a;
	ap->state = US_CONNECTED;
	bp->state = US_CONNECTED;
}

static int stream_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	struct usock_ref u = un_of(s);
	struct unix_addr addr;
	int e = unix_addr_parse(a, &addr);
	if (e == 0 && addr.len == UNIX_PATH_OFF)
		e = -EINVAL;
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	if ((sk->opts & SOF_PASSCRED) && (e = unix_autobind(u)) != 0)
		return e;
	uint64_t deadline = sock_deadline(s, false);
	struct usock_ref other;
	struct usock *op;
	for (;;) {
		e = unix_find(&addr, usock_get(u)->type, &other);
		if (e)
			return e;
		op = usock_get(other);
		struct sock *ok = sock_get(op->sk);
		if (op->state != US_LISTEN || (ok->shut & RCV_SHUT))
			return -ECONNREFUSED;
		if (op->aq_len <= op->backlog)
			break;
		if (nonblock)
			return -EAGAIN;
		/* an accept on the listener makes room */
		e = sock_wait_on(op->sk, deadline);
		if (e)
			return e;
		if (!usock_ref_valid(u))
			return -EBADF;
	}
	struct usock *up = usock_get(u);
	if (up->state == US_CONNECTED)
		return -EISCONN;
	if (up->state != US_UNCONNECTED)
		return -EINVAL;
	/* the server side of the connection, queued until accepted */
	struct sock_ref child;
	e = sock_new_child(op->sk, &child);
	if (e)
		return e;
	e = unix_init(child);
	if (e) {
		sock_destroy(child);
		return e;
	}
	struct usock_ref cu = un_of(child);
	join(u, cu);
	struct usock *cp = usock_get(cu);
	op = usock_get(other);
	cp->addr = op->addr;
	cp->embryo = true;
	struct sock *ck = sock_get(child), *lk = sock_get(op->sk);
	ck->has_peer_cred = true;
	ck->peer_cred = sock_cur_cred();
	sk = sock_get(s);
	sk->has_peer_cred = lk->has_peer_cred;
	sk->peer_cred = lk->peer_cred;
	struct usock *tail = usock_get(op->aq_tail);
	if (tail && op->aq_len)
		tail->next_conn = cu;
	else
		op->aq_head = cu;
	op->aq_tail = cu;
	op->aq_len++;
	sock_changed(op->sk);
	sock_changed(s);
	return 0;
}

int unix_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	struct usock *up = usock_get(un_of(s));
	if (!up)
		return -EBADF;
	return conn_type(up->type) ? stream_connect(s, a, nonblock) : dgram_connect(s, a);
}

int unix_listen(struct sock_ref s, int32_t backlog)
{
	struct usock_ref u = un_of(s);
	struct usock *up = usock_get(u);
	if (!conn_type(up->type))
		return -EOPNOTSUPP;
	if (!up->addr.len)
		return -EINVAL;
	if (up->state != US_UNCONNECTED && up->state != US_LISTEN)
		return -EINVAL;
	up->backlog = (uint32_t)backlog;
	up->state = US_LISTEN;
	struct sock *sk = sock_get(s);
	sk->listening = true;
	sk->has_peer_cred = true;
	sk->peer_cred = sock_cur_cred();
	sock_changed(s);
	return 0;
}

int unix_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer)
{
	struct usock_ref u = un_of(s);
	struct usock *up = usock_get(u);
	if (!conn_type(up->type))
		return -EOPNOTSUPP;
	if (up->state != US_LISTEN)
		return -EINVAL;
	uint64_t deadline = sock_deadline(s, true);
	for (;;) {
		up = usock_get(u);
		struct sock *sk = sock_get(s);
		if (!up || !sk)
			return -EBADF;
		if (up->aq_len)
			break;
		if (sk->shut & RCV_SHUT)
			return -EINVAL;
		if (nonblock)
			return -EAGAIN;
		int e = sock_wait(s, deadline);
		if (e)
			return e;
	}
	struct usock_ref cu = up->aq_head;
	struct usock *cp = usock_get(cu);
	up->aq_head = cp->next_conn;
	up->aq_len--;
	if (!up->aq_len)
		up->aq_tail = (struct usock_ref){0};
	cp->next_conn = (struct usock_ref){0};
	cp->embryo = false;
	struct sock *ck = sock_get(cp->sk), *sk = sock_get(s);
	ck->opts |= sk->opts & SOF_PASSCRED;
	*out = cp->sk;
	sock_changed(s);
	if (unix_getname(cp->sk, true, peer))
		peer->len = 0;
	return 0;
}

int unix_pair(struct sock_ref a, struct sock_ref b)
{
	struct usock_ref ua = un_of(a), ub = un_of(b);
	join(ua, ub);
	struct sock *ak = sock_get(a), *bk = sock_get(b);
	ak->has_peer_cred = bk->has_peer_cred = true;
	ak->peer_cred = bk->peer_cred = sock_cur_cred();
	return 0;
}

int unix_shutdown(struct sock_ref s, uint32_t how)
{
	struct usock_ref u = un_of(s);
	struct usock *up = usock_get(u);
	struct sock *sk = sock_get(s);
	sk->shut |= how;
	sock_changed(s);
	struct usock *pp = usock_get(up->peer);
	if (pp && conn_type(up->type)) {
		uint32_t pm = ((how & RCV_SHUT) ? SEND_SHUT : 0) | ((how & SEND_SHUT) ? RCV_SHUT : 0);
		struct sock *pk = sock_get(pp->sk);
		if (pk) {
			pk->shut |= pm;
			sock_changed(pp->sk);
		}
	}
	return 0;
}

static void addr_out(const struct unix_addr *a, struct sockaddr_k *out)
{
	out->len = a->len ? a->len : UNIX_PATH_OFF;
	for (uint32_t i = 0; i < UNIX_ADDR_MAX; i++)
		out->b[i] = a->len ? a->b[i] : 0;
	out->b[0] = AF_UNIX;
	out->b[1] = 0;
}

int unix_getname(struct sock_ref s, bool peer, struct sockaddr_k *out)
{
	struct usock *up = usock_get(un_of(s));
	if (!up)
		return -EBADF;
	if (!peer) {
		addr_out(&up->addr, out);
		return 0;
	}
	struct usock *pp = usock_get(up->peer);
	if (pp) {
		addr_out(&pp->addr, out);
		return 0;
	}
	if (conn_type(up->type) && up->state == US_CONNECTED) {
		struct unix_addr none = {0};
		addr_out(&none, out);
		return 0;
	}
	return -ENOTCONN;
}

static bool writable(const struct usock *up, const struct sock *sk)
{
	return up->state != US_LISTEN && ((uint64_t)up->wmem << 2) <= sk->sndbuf;
}

uint32_t unix_poll(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	struct usock *up = usock_get(un_of(s));
	if (!sk || !up)
		return POLLNVAL;
	uint32_t m = 0;
	if (sk->err)
		m |= POLLERR;
	if (sk->shut == (RCV_SHUT | SEND_SHUT))
		m |= POLLHUP;
	if (sk->shut & RCV_SHUT)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (up->rq_len || (up->state == US_LISTEN && up->aq_len))
		m |= POLLIN | POLLRDNORM;
	if (conn_type(up->type) && up->state == US_UNCONNECTED)
		m |= POLLHUP;
	bool w = writable(up, sk);
	if (w && up->type == SOCK_DGRAM) {
		struct usock *op = usock_get(up->peer);
		bool mutual = op && op->peer.idx == un_of(s).idx && op->peer.gen == un_of(s).gen;
		if (op && !mutual && op->rq_len > UNIX_MAX_DGRAM_QLEN)
			w = false;
	}
	if (w)
		m |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return m;
}

int unix_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

int unix_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v)
{
	return level == SOL_SOCKET ? -ENOPROTOOPT : -EOPNOTSUPP;
}

int64_t unix_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg)
{
	struct usock *up = usock_get(un_of(s));
	if (!up)
		return -EBADF;
	int32_t v;
	if (cmd == SIOCINQ) {
		if (up->state == US_LISTEN)
			return -EINVAL;
		struct urec *r = urec_get(up->rq_head);
		v = up->type == SOCK_DGRAM ? (r ? (int32_t)r->len : 0) : (int32_t)up->rq_bytes;
	} else if (cmd == SIOCOUTQ) {
		v = (int32_t)up->wmem;
	} else {
		return sock_ifioctl(cmd, arg); /* interface requests work on any socket */
	}
	return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
}

int64_t unix_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct usock *up = usock_get(un_of(s));
	if (!up)
		return -EBADF;
	return up->type == SOCK_STREAM ? unix_stream_send(s, m, nonblock) : unix_dgram_send(s, m, nonblock);
}

int64_t unix_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct usock *up = usock_get(un_of(s));
	if (!up)
		return -EBADF;
	return up->type == SOCK_STREAM ? unix_stream_recv(s, m, nonblock) : unix_dgram_recv(s, m, nonblock);
}

static int unix_kind_for(int32_t type, int32_t *protocol)
{
	if (*protocol != 0 && *protocol != AF_UNIX)
		return -EPROTONOSUPPORT;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET && type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	*protocol = 0;
	return SK_UNIX;
}

static const struct sock_ops unix_ops = {
        unix_init, unix_release,  unix_bind,    unix_connect, unix_listen, unix_accept, unix_send,
        unix_recv, unix_shutdown, unix_getname, unix_poll,    unix_setopt, unix_getopt, unix_ioctl,
};

int unix_proto_init(void)
{
	int e = sock_proto_register(SK_UNIX, &unix_ops);
	if (e == 0)
		e = sock_family_register(AF_UNIX, unix_kind_for);
	const char name[12] = "unix";
	if (e == 0)
		e = procfs_net_register(&name, unix_proc_net);
	return e;
}
