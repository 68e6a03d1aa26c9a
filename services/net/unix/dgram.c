/* AF_UNIX datagram and seqpacket data paths: one record per send, one
 * record per receive (truncated with MSG_TRUNC), a receive queue bounded
 * by net.unix.max_dgram_qlen unless the two sockets are connected to each
 * other, and Linux's errors for dead or disconnected peers. Layer:
 * services (safe C). */
#include "net/unix/unix.h"

static bool same(struct usock_ref a, struct usock_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* Find where a datagram goes: the address given, or the peer. */
static int dgram_target(struct sock_ref s, struct usock_ref u, const struct sock_msg *m, struct usock_ref *out)
{
	struct usock *up = usock_get(u);
	if (m->addr.len) {
		struct unix_addr a;
		int e = unix_addr_parse(&m->addr, &a);
		if (e == 0 && a.len == UNIX_PATH_OFF)
			e = -EINVAL;
		return e ? e : unix_find(&a, up->type, out);
	}
	if (!usock_ref_valid(up->peer)) {
		if (up->state == US_CONNECTED) {
			/* the peer died: report it once, then we are unconnected */
			up->state = US_UNCONNECTED;
			up->peer = (struct usock_ref){0};
			return up->type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		}
		return -ENOTCONN;
	}
	*out = up->peer;
	return 0;
}

/* Deliver record r to the right receiver, waiting while its queue is
 * full: 0 (r is queued) or an error (r is still ours). */
static int dgram_deliver(struct sock_ref s, struct usock_ref u, const struct sock_msg *m, struct urec_ref r,
                         bool nonblock, uint64_t deadline)
{
	for (;;) {
		struct usock_ref other;
		int e = dgram_target(s, u, m, &other);
		if (e)
			return e;
		struct usock *op = usock_get(other);
		struct sock *ok = sock_get(op->sk);
		if (usock_ref_valid(op->peer) && !same(op->peer, u))
			return -EPERM;
		if (op->dead || !ok)
			return usock_get(u)->type == SOCK_SEQPACKET ? -EPIPE : -ECONNREFUSED;
		if (ok->shut & RCV_SHUT)
			return -EPIPE;
		bool full = !same(other, u) && !same(op->peer, u) && op->rq_len > UNIX_MAX_DGRAM_QLEN;
		if (!full) {
			unix_queue_tail(other, r);
			return 0;
		}
		if (nonblock)
			return -EAGAIN;
		/* the receiver reading makes room */
		e = sock_wait_on(op->sk, deadline);
		if (e)
			return e;
		if (!usock_ref_valid(u))
			return -EBADF;
	}
}

static int64_t dgram_send(struct sock_ref s, struct usock_ref u, struct sock_msg *m, bool nonblock)
{
	struct usock *up = usock_get(u);
	struct sock *sk = sock_get(s);
	if (m->addr.len) {
		struct unix_addr a;
		int e = unix_addr_parse(&m->addr, &a);
		if (e == 0 && a.len == UNIX_PATH_OFF)
			e = -EINVAL;
		if (e)
			return e;
	} else if (!usock_ref_valid(up->peer) && up->state != US_CONNECTED) {
		return -ENOTCONN;
	}
	if (sk->opts & SOF_PASSCRED) {
		int e = unix_autobind(u);
		if (e)
			return e;
	}
	uint64_t len = m->data.resid;
	if (len + 32 > sk->sndbuf || len > UREC_PAGES * 4096)
		return -EMSGSIZE;
	uint64_t deadline = sock_deadline(s, false);
	int e = unix_wait_sndbuf(s, u, nonblock, deadline);
	if (e)
		return e;
	struct urec_ref r;
	e = urec_new(u, &m->data, (uint32_t)len, &r);
	if (e)
		return e;
	struct urec *rp = urec_get(r);
	rp->cred = unix_sender_cred(m);
	rp->scm = m->scm;
	m->scm = (struct scm_ref){0};
	e = dgram_deliver(s, u, m, r, nonblock, deadline);
	if (e) {
		urec_destroy(r);
		return e;
	}
	return (int64_t)len;
}

int64_t unix_dgram_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	struct usock_ref u = sk->un;
	int64_t e = scm_from_user(m);
	if (e == 0 && (m->flags & MSG_OOB))
		e = -EOPNOTSUPP;
	if (e == 0 && usock_get(u)->type == SOCK_SEQPACKET) {
		if (usock_get(u)->state != US_CONNECTED)
			e = -ENOTCONN;
		m->addr.len = 0;
	}
	if (e == 0)
		e = dgram_send(s, u, m, nonblock);
	if (scm_ref_valid(m->scm)) {
		scm_destroy(m->scm);
		m->scm = (struct scm_ref){0};
	}
	return e;
}

/* Wait for a record: 0 to look again, 1 for end of file, <0 an error. */
static int wait_record(struct sock_ref s, struct usock_ref u, bool nonblock, uint64_t deadline)
{
	int e = sock_take_error(s);
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	struct usock *up = usock_get(u);
	if (!sk || !up)
		return -EBADF;
	if (nonblock)
		return (up->type == SOCK_SEQPACKET && (sk->shut & RCV_SHUT)) ? 1 : -EAGAIN;
	if (sk->shut & RCV_SHUT)
		return 1;
	if (up->type == SOCK_SEQPACKET && up->state != US_CONNECTED)
		return -ENOTCONN;
	return sock_wait(s, deadline);
}

int64_t unix_dgram_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	struct usock_ref u = sk->un;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (usock_get(u)->type == SOCK_SEQPACKET && usock_get(u)->state != US_CONNECTED)
		return -ENOTCONN;
	uint64_t deadline = sock_deadline(s, true);
	struct urec_ref r;
	for (;;) {
		struct usock *up = usock_get(u);
		if (!up)
			return -EBADF;
		r = up->rq_head;
		if (urec_ref_valid(r)) {
			int e = sock_take_error(s);
			if (e)
				return e;
			break;
		}
		int w = wait_record(s, u, nonblock, deadline);
		if (w == 1)
			return 0;
		if (w < 0)
			return w;
	}
	bool peek = (m->flags & MSG_PEEK) != 0;
	struct urec *rp = urec_get(r);
	m->addr.len = rp->from_addr.len;
	for (uint32_t i = 0; i < UNIX_ADDR_MAX; i++)
		m->addr.b[i] = rp->from_addr.b[i];
	uint32_t len = rp->len;
	uint64_t size = m->data.resid;
	if (size > len)
		size = len;
	else if (size < len)
		m->oflags |= MSG_TRUNC;
	int e = urec_copy_out(r, 0, &m->data, (uint32_t)size);
	if (e)
		return e;
	rp = urec_get(r);
	struct linux_ucred cred = rp->cred;
	struct scm_ref fds = rp->scm;
	if (!peek) {
		rp->scm = (struct scm_ref){0};
		urec_destroy(unix_queue_pop(u));
	}
	if (sock_get(s)->opts & SOF_PASSCRED)
		scm_put_cred(m, &cred);
	if (scm_ref_valid(fds))
		scm_put_files(m, fds, peek);
	return (m->flags & MSG_TRUNC) ? (int64_t)len : (int64_t)size;
}
