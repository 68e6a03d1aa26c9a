/* TCP data transfer for the socket calls: send (into the send ring, then
 * out within the windows), receive (from the in-order queue, with
 * MSG_PEEK, MSG_WAITALL, MSG_TRUNC and SO_RCVLOWAT), urgent data refused
 * as a kernel without it would. Layer: services (safe C). Blocking waits
 * release the socket lock (tcp_wait). */
#include "net/inet/tcp.h"

static bool can_send_state(uint32_t st) { return st == TCPS_ESTABLISHED || st == TCPS_CLOSE_WAIT; }

/* Wait for a connection in progress (Linux sk_stream_wait_connect). */
static int wait_connect(struct tcb_ref t, bool nonblock, uint64_t deadline)
{
	for (;;) {
		struct tcb *tp = tcb_get(t);
		if (!tp)
			return -EPIPE;
		int e = sock_take_error(tp->sk);
		if (e)
			return e;
		if (can_send_state(tp->state))
			return 0;
		if (tp->state != TCPS_SYN_SENT && tp->state != TCPS_SYN_RECV)
			return -EPIPE;
		if (nonblock)
			return -EAGAIN;
		e = tcp_wait(t, deadline);
		if (e)
			return e;
	}
}

static int64_t send_loop(struct sock_ref s, struct tcb_ref t, struct sock_msg *m, bool nonblock)
{
	uint64_t deadline = sock_deadline(s, false);
	int e = wait_connect(t, nonblock, deadline);
	if (e)
		return e;
	uint64_t copied = 0;
	while (m->data.resid > 0) {
		struct tcb *tp = tcb_get(t);
		struct sock *sk = sock_get(s);
		if (!tp || !sk)
			return copied ? (int64_t)copied : -EPIPE;
		if (sk->err) {
			int err = sock_take_error(s);
			return copied ? (int64_t)copied : err;
		}
		if ((sk->shut & SEND_SHUT) || !can_send_state(tp->state))
			return copied ? (int64_t)copied : -EPIPE;
		uint32_t room = tsnd_room(tp);
		if (room == 0) {
			tcp_output(t);
			if (nonblock)
				return copied ? (int64_t)copied : -EAGAIN;
			e = tcp_wait(t, deadline);
			if (e)
				return copied ? (int64_t)copied : e;
			continue;
		}
		uint32_t n = (uint32_t)FW_MIN((uint64_t)room, m->data.resid);
		e = tsnd_append_uio(t, &m->data, n);
		if (e)
			return copied ? (int64_t)copied : e;
		copied += n;
		tp = tcb_get(t);
		bool more = (m->flags & MSG_MORE) && m->data.resid == 0;
		bool cork = tp->cork;
		if (more)
			tp->cork = true;
		tcp_output(t);
		tp = tcb_get(t);
		if (tp)
			tp->cork = cork;
	}
	return (int64_t)copied;
}

int64_t tcp_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP; /* no urgent data */
	struct tcb_ref t = tcb_of(s);
	tcp_lock(t);
	int64_t r = send_loop(s, t, m, nonblock);
	tcp_unlock(t);
	return sock_epipe(r, m->flags);
}

int64_t tcp_send_frame(struct sock_ref s, struct fw_frame_ref f, uint32_t off, uint32_t n, bool nonblock)
{
	struct sock_msg m = {0};
	uio_init_frame(&m.data, f, off, n);
	return tcp_send(s, &m, nonblock);
}

/* Copy (or peek at) up to `want` bytes from the in-order queue. */
static int64_t take_data(struct tcb_ref t, struct sock_msg *m, uint64_t want, bool peek, uint32_t *peek_off)
{
	uint64_t done = 0;
	bool trunc = (m->flags & MSG_TRUNC) != 0;
	struct tcb *tp = tcb_get(t);
	/* empty packets at the head (a FIN that came out of order) go first */
	for (struct pkt *hp = pkt_get(tp->rcvq.head); !peek && hp && hp->len <= tp->rcv_off;
	     hp = pkt_get(tp->rcvq.head)) {
		struct pkt_ref h = pktq_pop(&tp->rcvq);
		tp->rmem -= FW_MIN(tp->rmem, hp->truesize);
		tp->rcv_off = 0;
		pkt_free_all(h);
	}
	struct pkt_ref r = tp->rcvq.head;
	uint32_t skip = tp->rcv_off + (peek ? *peek_off : 0);
	while (done < want) {
		tp = tcb_get(t);
		struct pkt *pp = pkt_get(r);
		if (!pp)
			break;
		if (skip >= pp->len) {
			skip -= pp->len;
			r = pp->next;
			continue;
		}
		uint32_t n = (uint32_t)FW_MIN((uint64_t)(pp->len - skip), want - done);
		if (!trunc) {
			int e = pkt_to_uio(r, skip, &m->data, n);
			if (e)
				return done ? (int64_t)done : e;
		}
		done += n;
		if (peek) {
			*peek_off += n;
			skip += n;
			continue;
		}
		tp->rcv_off += n;
		skip = tp->rcv_off;
		if (tp->rcv_off >= pp->len) {
			struct pkt_ref h = pktq_pop(&tp->rcvq);
			tp->rmem -= FW_MIN(tp->rmem, pkt_get(h)->truesize);
			tp->rcv_off = 0;
			skip = 0;
			pkt_free_all(h);
			r = tp->rcvq.head;
		}
	}
	return (int64_t)done;
}

/* Nothing (more) to read: 0 to wait, 1 to return what we have, <0. */
static int recv_idle(struct sock_ref s, struct tcb_ref t, uint64_t copied, bool nonblock)
{
	struct tcb *tp = tcb_get(t);
	struct sock *sk = sock_get(s);
	if (!tp || !sk)
		return 1;
	if (copied)
		return (sk->err || tp->state == TCPS_CLOSED || (sk->shut & RCV_SHUT) || nonblock) ? 1 : 0;
	if (tp->done)
		return 1;
	if (sk->err)
		return sock_take_error(s);
	if (sk->shut & RCV_SHUT)
		return 1;
	if (tp->state == TCPS_CLOSED)
		return -ENOTCONN;
	return nonblock ? -EAGAIN : 0;
}

static int64_t recv_loop(struct sock_ref s, struct tcb_ref t, struct sock_msg *m, bool nonblock)
{
	struct sock *sk = sock_get(s);
	struct tcb *tp = tcb_get(t);
	if (tp->state == TCPS_LISTEN)
		return -ENOTCONN;
	bool peek = (m->flags & MSG_PEEK) != 0;
	uint64_t want = m->data.resid;
	uint64_t target = (m->flags & MSG_WAITALL) ? want : FW_MIN((uint64_t)FW_MAX(sk->rcvlowat, 1), want);
	uint64_t deadline = sock_deadline(s, true);
	uint64_t copied = 0;
	uint32_t peek_off = 0;
	for (;;) {
		if (copied < want) {
			int64_t n = take_data(t, m, want - copied, peek, &peek_off);
			if (n < 0)
				return copied ? (int64_t)copied : n;
			copied += (uint64_t)n;
		}
		if (copied >= target || (copied && peek))
			break;
		int w = recv_idle(s, t, copied, nonblock);
		if (w < 0)
			return copied ? (int64_t)copied : w;
		if (w > 0)
			break;
		tcp_window_update(t);
		int e = tcp_wait(t, deadline);
		if (e)
			return copied ? (int64_t)copied : e;
		if (!tcb_get(t))
			break;
	}
	if (!peek)
		tcp_window_update(t);
	return (int64_t)copied;
}

int64_t tcp_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	if (m->flags & MSG_OOB)
		return -EINVAL; /* no urgent data is ever pending */
	struct tcb_ref t = tcb_of(s);
	tcp_lock(t);
	int64_t r = recv_loop(s, t, m, nonblock);
	tcp_unlock(t); /* TCP reports no source address (msg_namelen 0) */
	return r;
}
