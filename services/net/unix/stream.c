/* AF_UNIX stream data path. A send becomes records of at most 64 KiB
 * queued at the peer, blocking while the sender's records in flight
 * exceed its send buffer; a receive reads across records until its
 * buffer is full, stopping where ancillary data or (with SO_PASSCRED) a
 * different writer begins, as Linux does. Layer: services (safe C). */
#include "net/unix/unix.h"

#define MAX_CHUNK 65536U /* bytes per record of a stream */

static bool peer_gone(struct usock_ref peer)
{
	struct usock *pp = usock_get(peer);
	struct sock *pk = pp ? sock_get(pp->sk) : NULL;
	return !pk || pp->dead || (pk->shut & RCV_SHUT);
}

static int64_t stream_send_loop(struct sock_ref s, struct usock_ref u, struct sock_msg *m, bool nonblock)
{
	uint64_t len = m->data.resid, sent = 0;
	uint64_t deadline = sock_deadline(s, false);
	struct linux_ucred cred = unix_sender_cred(m);
	while (sent < len) {
		int e = unix_wait_sndbuf(s, u, nonblock, deadline);
		if (e)
			return sent ? (int64_t)sent : e;
		struct sock *sk = sock_get(s);
		uint64_t size = FW_MIN(len - sent, (uint64_t)(sk->sndbuf / 2 - 64));
		size = FW_MIN(size, (uint64_t)MAX_CHUNK);
		struct usock_ref peer = usock_get(u)->peer;
		if (peer_gone(peer))
			return sent ? (int64_t)sent : -EPIPE;
		struct urec_ref r;
		e = urec_new(u, &m->data, (uint32_t)size, &r);
		if (e)
			return sent ? (int64_t)sent : e;
		struct urec *rp = urec_get(r);
		rp->cred = cred;
		/* ancillary data rides on the first record only */
		rp->scm = m->scm;
		m->scm = (struct scm_ref){0};
		unix_queue_tail(peer, r);
		sent += size;
	}
	return (int64_t)sent;
}

int64_t unix_stream_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	struct usock_ref u = sk->un;
	struct usock *up = usock_get(u);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->addr.len)
		return up->state == US_CONNECTED ? -EISCONN : -EOPNOTSUPP;
	int64_t e = scm_from_user(m);
	if (e == 0 && up->state != US_CONNECTED)
		e = -ENOTCONN;
	if (e == 0 && (sk->shut & SEND_SHUT))
		e = -EPIPE;
	if (e == 0)
		e = stream_send_loop(s, u, m, nonblock);
	if (scm_ref_valid(m->scm)) {
		scm_destroy(m->scm);
		m->scm = (struct scm_ref){0};
	}
	return sock_epipe(e, m->flags);
}

static bool cred_eq(const struct linux_ucred *a, const struct linux_ucred *b)
{
	return a->pid == b->pid && a->uid == b->uid && a->gid == b->gid;
}

/* What a receive collects besides the bytes. */
struct recv_state {
	bool check_creds;
	struct linux_ucred cred;
	struct scm_ref fds; /* files to deliver (detached, or peeked) */
	bool peek_fds;
	bool addr_done;
};

/* Wait for data: 0 to look again, 1 to stop with what was copied, <0. */
static int wait_data(struct sock_ref s, uint64_t copied, uint64_t target, bool nonblock, uint64_t deadline)
{
	if (copied >= target)
		return 1;
	int e = sock_take_error(s);
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	if (!sk)
		return -EBADF;
	if (sk->shut & RCV_SHUT)
		return 1;
	if (nonblock)
		return -EAGAIN;
	return sock_wait(s, deadline);
}

/* Consume chunk bytes of the head record r (not peeking): true to stop. */
static bool consume(struct usock_ref u, struct urec_ref r, uint32_t chunk, struct recv_state *st)
{
	struct urec *rp = urec_get(r);
	struct usock *up = usock_get(u);
	rp->off += chunk;
	up->rq_bytes -= chunk;
	bool fds = scm_ref_valid(rp->scm) && scm_get(rp->scm)->nfd > 0;
	if (fds) {
		st->fds = rp->scm;
		rp->scm = (struct scm_ref){0};
	}
	if (rp->off < rp->len)
		return true;
	urec_destroy(unix_queue_pop(u));
	return fds;
}

int64_t unix_stream_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	struct usock_ref u = sk->un;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (usock_get(u)->state != US_CONNECTED)
		return -EINVAL;
	bool peek = (m->flags & MSG_PEEK) != 0;
	uint64_t size = m->data.resid, copied = 0;
	uint64_t target =
	        (m->flags & MSG_WAITALL) ? size : FW_MIN((uint64_t)(sk->rcvlowat > 0 ? sk->rcvlowat : 1), size);
	uint64_t deadline = sock_deadline(s, true);
	struct recv_state st = {0};
	int64_t err = 0;
	struct urec_ref cur = {0};
	uint32_t skip = 0;
	while (size > 0 || copied == 0) {
		struct usock *up = usock_get(u);
		if (!up)
			break;
		struct urec_ref r = peek && urec_ref_valid(cur) ? cur : up->rq_head;
		struct urec *rp = urec_get(r);
		if (!rp) {
			if (peek && urec_ref_valid(cur))
				break;
			int w = wait_data(s, copied, target, nonblock, deadline);
			if (w == 0)
				continue;
			err = w < 0 ? w : 0;
			break;
		}
		if (st.check_creds) {
			if (!cred_eq(&rp->cred, &st.cred))
				break;
		} else if (sock_get(s)->opts & SOF_PASSCRED) {
			st.cred = rp->cred;
			st.check_creds = true;
		}
		if (!st.addr_done) {
			st.addr_done = true;
			m->addr.len = rp->from_addr.len ? rp->from_addr.len : 0;
			for (uint32_t i = 0; i < UNIX_ADDR_MAX; i++)
				m->addr.b[i] = rp->from_addr.b[i];
		}
		uint32_t avail = rp->len - rp->off - skip;
		uint32_t chunk = (uint32_t)FW_MIN((uint64_t)avail, size);
		int e = urec_copy_out(r, rp->off + skip, &m->data, chunk);
		if (e) {
			err = copied ? 0 : e;
			break;
		}
		copied += chunk;
		size -= chunk;
		if (!peek) {
			if (consume(u, r, chunk, &st))
				break;
			if (size == 0)
				break;
			continue;
		}
		rp = urec_get(r);
		if (scm_ref_valid(rp->scm) && scm_get(rp->scm)->nfd > 0) {
			st.fds = rp->scm;
			st.peek_fds = true;
			break;
		}
		skip = 0;
		cur = rp->next;
		if (!urec_ref_valid(cur) || size == 0)
			break;
	}
	if (st.check_creds)
		scm_put_cred(m, &st.cred);
	if (scm_ref_valid(st.fds))
		scm_put_files(m, st.fds, st.peek_fds);
	return copied ? (int64_t)copied : err;
}
