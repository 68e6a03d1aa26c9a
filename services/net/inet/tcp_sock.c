/* TCP sockets: creation, the socket lock, connection lifecycle (connect,
 * listen, accept, shutdown, close with orphaned connections finishing
 * their handshakes), readiness, options and ioctls. Layer: services (safe
 * C). The order of checks follows Linux's inet_stream_connect,
 * inet_listen, inet_shutdown and tcp_close so that errors match. */
#include "net/inet/tcp.h"
#include "proc/proc.h"
#include <fw/console.h>
#include <fw/time.h>

FW_POOL_DEFINE(tcb, struct tcb);

#define TCP_MAX_SOCKS 4096

struct tcp_counts {
	uint32_t time_wait;
};
FW_GLOBAL(struct tcp_counts, tcp_counts);

uint32_t tcp_time_wait_count(void) { return tcp_counts()->time_wait; }

struct tcb_ref tcb_of(struct sock_ref s)
{
	struct inet *ip = inet_get(inet_of(s));
	return ip ? ip->tcb : (struct tcb_ref){0};
}

uint32_t tcp_sndbuf(const struct tcb *tp)
{
	struct sock *sk = sock_get(tp->sk);
	return sk && sk->sndbuf_set ? sk->sndbuf : TCP_BUF_AUTO;
}

uint32_t tcp_rcvbuf(const struct tcb *tp)
{
	struct sock *sk = sock_get(tp->sk);
	return sk && sk->rcvbuf_set ? sk->rcvbuf : TCP_BUF_AUTO;
}

static struct tcb *tcb_of_in(struct inet_ref in)
{
	struct inet *ip = inet_get(in);
	return ip ? tcb_get(ip->tcb) : NULL;
}

bool tcp_is_closed(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	return !tp || tp->state == TCPS_CLOSED;
}

bool tcp_has_peer(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	return tp && tp->state != TCPS_CLOSED && tp->state != TCPS_SYN_SENT && tp->state != TCPS_LISTEN;
}

static void tcb_defaults(struct tcb *tp)
{
	tp->state = TCPS_CLOSED;
	tp->ss = SS_UNCONN;
	tp->rto = TCP_RTO_INIT_US;
	tp->mss = TCP_MSS_DEFAULT;
	tp->ssthresh = 0x7fffffff;
	tp->keepidle = TCP_KEEPIDLE_DEFAULT;
	tp->keepintvl = TCP_KEEPINTVL_DEFAULT;
	tp->keepcnt = TCP_KEEPCNT_DEFAULT;
	tp->syncnt = TCP_SYN_RETRIES;
	tp->rcv_wscale = TCP_RCV_WSCALE;
	tp->quickack = false;
}

int tcp_init(struct sock_ref s)
{
	if (tcb_count() >= TCP_MAX_SOCKS)
		return -ENOBUFS;
	int e = inet_init_common(s, IPPROTO_TCP);
	if (e)
		return e;
	struct tcb_ref t;
	if (tcb_alloc(&t)) {
		inet_destroy(s);
		return -ENOBUFS;
	}
	struct sock *sk = sock_get(s);
	struct inet *ip = inet_get(sk->in);
	ip->tcb = t;
	struct tcb *tp = tcb_get(t);
	tp->sk = s;
	tp->in = sk->in;
	tcb_defaults(tp);
	sk->sndbuf = TCP_SNDBUF_DEFAULT;
	sk->rcvbuf = TCP_RCVBUF_DEFAULT;
	e = tcp_timer_init(t);
	if (e) {
		tcb_free(t);
		inet_destroy(s);
	}
	return e;
}

void tcp_lock(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (tp)
		tp->owned = true;
}

void tcp_unlock(struct tcb_ref t)
{
	for (;;) {
		struct tcb *tp = tcb_get(t);
		if (!tp)
			return;
		struct pkt_ref p = pktq_pop(&tp->held);
		if (pkt_ref_valid(p)) {
			tcp_process(t, p);
			continue;
		}
		if (tp->deferred_timer) {
			tp->deferred_timer = false;
			tcp_handle_timers(t);
			continue;
		}
		tp->owned = false;
		if (tp->destroy_pending)
			tcp_destroy(t);
		return;
	}
}

int tcp_wait(struct tcb_ref t, uint64_t deadline)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return -EBADF;
	struct sock *sk = sock_get(tp->sk);
	uint64_t gen = sock_gen(tp->sk);
	struct sock_ref s = tp->sk;
	tcp_unlock(t);
	/* the backlog may already have brought what we wait for */
	sk = sock_get(s);
	int e = 0;
	if (sk && sock_gen(s) == gen)
		e = sock_wait(s, deadline);
	tcp_lock(t);
	return e;
}

/* Unlink a child from its listener's SYN list or accept queue. */
static void unlink_child(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	struct inet *pi = tp ? inet_get(tp->parent) : NULL;
	struct tcb *lp = pi ? tcb_get(pi->tcb) : NULL;
	if (!lp || (!tp->in_synq && !tp->in_acq)) {
		if (tp)
			tp->parent = (struct inet_ref){0};
		return;
	}
	bool synq = tp->in_synq;
	struct inet_ref me = tp->in, prev = {0};
	struct inet_ref cur = synq ? lp->synq_head : lp->acq_head;
	while (inet_ref_valid(cur)) {
		struct tcb *cp = tcb_of_in(cur);
		if (!cp)
			break;
		if (cur.idx == me.idx && cur.gen == me.gen) {
			struct inet_ref next = cp->next_acq;
			struct tcb *pp = tcb_of_in(prev);
			if (pp)
				pp->next_acq = next;
			else if (synq)
				lp->synq_head = next;
			else
				lp->acq_head = next;
			if (!synq && lp->acq_tail.idx == me.idx && lp->acq_tail.gen == me.gen)
				lp->acq_tail = prev;
			break;
		}
		prev = cur;
		cur = cp->next_acq;
	}
	if (synq)
		lp->synq_len--;
	else
		lp->acq_len--;
	tp->next_acq = (struct inet_ref){0};
	tp->in_synq = false;
	tp->in_acq = false;
	tp->parent = (struct inet_ref){0};
}

/* A child that completed its handshake goes to the accept queue. */
static void child_established(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	struct inet_ref parent = tp->parent;
	if (!tp->in_synq)
		return;
	unlink_child(t);
	struct inet *pi = inet_get(parent);
	struct tcb *lp = pi ? tcb_get(pi->tcb) : NULL;
	tp = tcb_get(t);
	if (!lp || lp->state != TCPS_LISTEN)
		return;
	tp->parent = parent;
	tp->in_acq = true;
	tp->next_acq = (struct inet_ref){0};
	struct tcb *tail = tcb_of_in(lp->acq_tail);
	if (tail && lp->acq_len)
		tail->next_acq = tp->in;
	else
		lp->acq_head = tp->in;
	lp->acq_tail = tp->in;
	lp->acq_len++;
	sock_changed(lp->sk);
}

void tcp_set_state(struct tcb_ref t, uint32_t st)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	if (tp->state == TCPS_TIME_WAIT && st != TCPS_TIME_WAIT)
		tcp_counts()->time_wait--;
	else if (tp->state != TCPS_TIME_WAIT && st == TCPS_TIME_WAIT)
		tcp_counts()->time_wait++;
	tp->state = st;
	if (st == TCPS_ESTABLISHED) {
		/* the socket state moves in connect() and accept(), as in Linux */
		child_established(t);
	} else if (st == TCPS_CLOSED) {
		tp->t_rexmt = tp->t_delack = tp->t_persist = tp->t_keep = tp->t_close = 0;
		conn_remove(tp->in);
		struct inet *ip = inet_get(tp->in);
		if (ip && !ip->port_explicit)
			port_unbind(tp->in);
		tp = tcb_get(t);
		if (inet_ref_valid(tp->parent))
			unlink_child(t);
		tp = tcb_get(t);
		if (tp->orphan)
			tp->destroy_pending = true;
	}
	sock_changed(tp->sk);
}

void tcp_abort(struct tcb_ref t, int32_t err)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	struct sock *sk = sock_get(tp->sk);
	if (sk) {
		sk->err = err;
		sk->shut = RCV_SHUT | SEND_SHUT;
	}
	if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_CLOSE_WAIT)
		net_stats()->tcp_estab_resets++;
	tsnd_release(t);
	tcp_set_state(t, TCPS_CLOSED);
}

/* Close every connection a listener still holds (with a reset). */
static void drop_children(struct tcb_ref lt)
{
	for (int pass = 0; pass < 2; pass++) {
		for (;;) {
			struct tcb *lp = tcb_get(lt);
			if (!lp)
				return;
			struct inet *ci = inet_get(pass == 0 ? lp->synq_head : lp->acq_head);
			struct tcb_ref ct = ci ? ci->tcb : (struct tcb_ref){0};
			struct tcb *cp = tcb_get(ct);
			if (!cp)
				break;
			unlink_child(ct);
			if (cp->state != TCPS_CLOSED)
				(void)tcp_send_ctl(ct, TH_RST | TH_ACK, tcb_get(ct)->snd_nxt);
			tcp_set_state(ct, TCPS_CLOSED);
			cp = tcb_get(ct);
			if (cp && !cp->owned)
				tcp_destroy(ct);
		}
	}
}

void tcp_destroy(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	struct sock_ref s = tp->sk;
	if (tp->state == TCPS_TIME_WAIT)
		tcp_counts()->time_wait--;
	if (tp->state == TCPS_LISTEN)
		drop_children(t);
	tp = tcb_get(t);
	unlink_child(t);
	conn_remove(tp->in);
	pktq_purge(&tp->held);
	pktq_purge(&tp->rcvq);
	pktq_purge(&tp->ooo);
	tsnd_release(t);
	tp = tcb_get(t);
	if (tp->timer_ok)
		fw_timer_destroy(tp->timer);
	tcb_free(t);
	inet_destroy(s);
}

int tcp_child_new(struct inet_ref listener, struct inet_ref *out)
{
	struct inet *li = inet_get(listener);
	if (!li || tcb_count() >= TCP_MAX_SOCKS)
		return -ENOBUFS;
	struct sock_ref ls = li->sk, cs;
	int e = sock_new_child(ls, &cs);
	if (e)
		return e;
	struct sock *lk = sock_get(ls), *ck = sock_get(cs);
	ck->opts = lk->opts;
	ck->sndbuf = lk->sndbuf;
	ck->rcvbuf = lk->rcvbuf;
	ck->sndbuf_set = lk->sndbuf_set;
	ck->rcvbuf_set = lk->rcvbuf_set;
	ck->rcvtimeo = lk->rcvtimeo;
	ck->sndtimeo = lk->sndtimeo;
	ck->linger = lk->linger;
	ck->priority = lk->priority;
	ck->rcvlowat = lk->rcvlowat;
	e = tcp_init(cs);
	if (e) {
		sock_destroy(cs);
		return e;
	}
	ck = sock_get(cs);
	ck->sndbuf = lk->sndbuf;
	ck->rcvbuf = lk->rcvbuf;
	li = inet_get(listener);
	struct inet *ci = inet_get(ck->in);
	ci->ttl = li->ttl;
	ci->tos = li->tos;
	port_link_child(ck->in, li->lport);
	struct tcb *lp = tcb_get(li->tcb), *cp = tcb_get(ci->tcb);
	cp->nodelay = lp->nodelay;
	cp->keepidle = lp->keepidle;
	cp->keepintvl = lp->keepintvl;
	cp->keepcnt = lp->keepcnt;
	cp->user_mss = lp->user_mss;
	cp->window_clamp = lp->window_clamp;
	cp->linger2 = lp->linger2;
	cp->advmss = lp->advmss;
	cp->orphan = true;
	cp->parent = listener;
	cp->in_synq = true;
	cp->next_acq = lp->synq_head;
	lp->synq_head = ck->in;
	lp->synq_len++;
	*out = ck->in;
	return 0;
}

uint32_t tcp_advmss_for(uint32_t dst)
{
	struct route rt;
	if (route_lookup(dst, &rt))
		return TCP_MSS_DEFAULT;
	return rt.mtu > 40 + TCP_MIN_MSS ? FW_MIN(rt.mtu - 40, 65495U) : TCP_MSS_DEFAULT;
}

/* Start an active open: the SYN goes out, the state is SYN_SENT. */
static int start_connect(struct sock_ref s, struct tcb_ref t, const struct sockaddr_k *a)
{
	uint32_t addr;
	uint16_t port;
	int e = sin_parse(a, &addr, &port);
	if (e)
		return e;
	if ((a->b[0] | (a->b[1] << 8)) != AF_INET)
		return -EAFNOSUPPORT;
	if (addr == INADDR_ANY)
		addr = INADDR_LOOPBACK; /* Linux connects 0.0.0.0 to the local host */
	struct route rt;
	e = route_lookup(addr, &rt);
	if (e)
		return e;
	struct tcb *tp = tcb_get(t);
	struct inet_ref in = tp->in;
	struct inet *ip = inet_get(in);
	if (!ip->laddr || !ip->bound) {
		uint32_t la = ip->laddr ? ip->laddr : rt.src;
		if (!ip->bound && (e = port_bind(in, la, 0)) != 0)
			return e;
		ip = inet_get(in);
		ip->laddr = la;
	}
	if (inet_ref_valid(conn_lookup(ip->laddr, ip->lport, addr, port)))
		return -EADDRNOTAVAIL;
	ip->raddr = addr;
	ip->rport = port;
	conn_insert(in);
	tp = tcb_get(t);
	uint32_t iss = 0;
	fw_random_fill(&iss, sizeof(iss));
	tp->iss = iss;
	tp->snd_una = iss;
	tp->snd_nxt = iss + 1;
	tp->snd_max = iss + 1;
	tp->advmss = tp->user_mss ? FW_MIN(tcp_advmss_for(addr), tp->user_mss) : tcp_advmss_for(addr);
	tp->rcv_wscale = TCP_RCV_WSCALE;
	tp->state = TCPS_SYN_SENT;
	tp->ss = SS_CONNECTING;
	tp->done = false;
	struct sock *sk = sock_get(s);
	sk->shut = 0;
	net_stats()->tcp_active_opens++;
	tp->rtt_timing = true;
	tp->rtt_start = fw_time_monotonic_ns();
	(void)tcp_send_ctl(t, TH_SYN, iss);
	tcp_set_rexmt(t);
	tcp_timers_update(t);
	return 0;
}

/* connect(AF_UNSPEC), and shutdown of a listener or a connecting socket. */
static int disconnect(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	uint32_t st = tp->state;
	if (st == TCPS_LISTEN) {
		drop_children(t);
	} else if (st != TCPS_CLOSED && st != TCPS_SYN_SENT && st != TCPS_TIME_WAIT) {
		(void)tcp_send_ctl(t, TH_RST | TH_ACK, tp->snd_nxt);
	}
	tsnd_release(t);
	tp = tcb_get(t);
	pktq_purge(&tp->rcvq);
	pktq_purge(&tp->ooo);
	tp->rcv_off = 0;
	tp->rmem = 0;
	tcp_set_state(t, TCPS_CLOSED);
	tp = tcb_get(t);
	struct sock *sk = sock_get(tp->sk);
	sk->listening = false;
	sk->shut = 0;
	sk->err = 0;
	struct inet *ip = inet_get(tp->in);
	ip->raddr = 0;
	ip->rport = 0;
	if (!ip->port_explicit)
		ip->laddr = 0;
	tcb_defaults(tp);
	return 0;
}

int tcp_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	struct tcb_ref t = tcb_of(s);
	if (a->len < 2)
		return -EINVAL;
	tcp_lock(t);
	int e;
	struct tcb *tp = tcb_get(t);
	if ((a->b[0] | (a->b[1] << 8)) == AF_UNSPEC) {
		e = disconnect(t);
		tcp_unlock(t);
		return e;
	}
	if (tp->ss == SS_CONNECTED) {
		e = -EISCONN;
	} else if (tp->ss == SS_CONNECTING) {
		e = -EALREADY;
	} else if (tp->state != TCPS_CLOSED) {
		e = -EISCONN;
	} else {
		e = start_connect(s, t, a);
		if (e) {
			tcp_unlock(t);
			return e;
		}
		e = -EINPROGRESS;
	}
	tp = tcb_get(t);
	if (e != -EINPROGRESS && e != -EALREADY) {
		tcp_unlock(t);
		return e;
	}
	uint64_t deadline = sock_deadline(s, false);
	while (tp && (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECV)) {
		if (nonblock) {
			tcp_unlock(t);
			return e;
		}
		int w = tcp_wait(t, deadline);
		if (w == -EAGAIN) {
			tcp_unlock(t);
			return e;
		}
		if (w) {
			tcp_unlock(t);
			return w;
		}
		tp = tcb_get(t);
	}
	if (!tp || tp->state == TCPS_CLOSED) {
		int err = sock_take_error(s);
		if (tp)
			tp->ss = SS_UNCONN;
		tcp_unlock(t);
		return err ? err : -ECONNABORTED;
	}
	tp->ss = SS_CONNECTED;
	tcp_unlock(t);
	return 0;
}

/* Another socket already listening on this port and address? */
static bool listen_conflict(struct inet_ref in)
{
	struct inet *me = inet_get(in);
	struct sock *ms = sock_get(me->sk);
	struct inet_ref other = tcp_lookup_listener(me->laddr ? me->laddr : INADDR_LOOPBACK, me->lport);
	if (!inet_ref_valid(other) || (other.idx == in.idx && other.gen == in.gen))
		return false;
	struct inet *oi = inet_get(other);
	struct sock *os = sock_get(oi->sk);
	if ((ms->opts & SOF_REUSEPORT) && (os->opts & SOF_REUSEPORT))
		return false;
	return !me->laddr || !oi->laddr || me->laddr == oi->laddr;
}

int tcp_listen(struct sock_ref s, int32_t backlog)
{
	struct tcb_ref t = tcb_of(s);
	tcp_lock(t);
	struct tcb *tp = tcb_get(t);
	int e = 0;
	if (tp->ss != SS_UNCONN || (tp->state != TCPS_CLOSED && tp->state != TCPS_LISTEN)) {
		e = -EINVAL;
	} else if (tp->state == TCPS_CLOSED) {
		struct inet *ip = inet_get(tp->in);
		if (!ip->bound)
			e = port_bind(tp->in, ip->laddr, 0);
		if (e == 0 && listen_conflict(tp->in))
			e = -EADDRINUSE;
		if (e == 0) {
			tp = tcb_get(t);
			tp->advmss = TCP_MSS_DEFAULT;
			if (tp->user_mss)
				tp->advmss = tp->user_mss;
			tp->state = TCPS_LISTEN;
		}
	}
	if (e == 0) {
		tp = tcb_get(t);
		tp->backlog = (uint32_t)backlog;
		struct sock *sk = sock_get(s);
		sk->listening = true;
		sock_changed(s);
	}
	tcp_unlock(t);
	return e;
}

int tcp_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer)
{
	struct tcb_ref t = tcb_of(s);
	tcp_lock(t);
	uint64_t deadline = sock_deadline(s, true);
	int e = 0;
	for (;;) {
		struct tcb *tp = tcb_get(t);
		if (!tp || tp->state != TCPS_LISTEN) {
			e = -EINVAL;
			break;
		}
		if (tp->acq_len) {
			struct inet_ref child = tp->acq_head;
			struct inet *ci = inet_get(child);
			struct tcb_ref ct = ci->tcb;
			unlink_child(ct);
			struct tcb *cp = tcb_get(ct);
			cp->orphan = false;
			cp->ss = SS_CONNECTED;
			ci = inet_get(child);
			sin_make(peer, ci->raddr, ci->rport);
			*out = ci->sk;
			sock_changed(s);
			break;
		}
		if (nonblock) {
			e = -EAGAIN;
			break;
		}
		e = tcp_wait(t, deadline);
		if (e)
			break;
	}
	tcp_unlock(t);
	return e;
}

/* Queue our FIN (shutdown for writing, close). */
static void send_fin(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	switch (tp->state) {
	case TCPS_ESTABLISHED:
	case TCPS_SYN_RECV:
		tcp_set_state(t, TCPS_FIN_WAIT1);
		break;
	case TCPS_CLOSE_WAIT:
		tcp_set_state(t, TCPS_LAST_ACK);
		break;
	default:
		return;
	}
	tp = tcb_get(t);
	tp->fin_queued = true;
	tcp_output(t);
}

int tcp_shutdown(struct sock_ref s, uint32_t how)
{
	struct tcb_ref t = tcb_of(s);
	tcp_lock(t);
	struct tcb *tp = tcb_get(t);
	struct sock *sk = sock_get(s);
	int e = 0;
	if (tp->ss == SS_CONNECTING)
		tp->ss = (tp->state == TCPS_SYN_SENT || tp->state == TCPS_SYN_RECV || tp->state == TCPS_CLOSED)
		                 ? SS_UNCONN
		                 : SS_CONNECTED;
	switch (tp->state) {
	case TCPS_LISTEN:
		if (how & RCV_SHUT)
			e = disconnect(t);
		break;
	case TCPS_SYN_SENT:
		e = disconnect(t);
		break;
	case TCPS_CLOSED:
		e = -ENOTCONN;
		sk->shut |= how;
		break;
	default:
		sk->shut |= how;
		if (how & SEND_SHUT)
			send_fin(t);
		break;
	}
	sock_changed(s);
	tcp_unlock(t);
	return e;
}

void tcp_release(struct sock_ref s)
{
	struct tcb_ref t = tcb_of(s);
	struct tcb *tp = tcb_get(t);
	if (!tp) {
		inet_destroy(s);
		return;
	}
	tcp_lock(t);
	tp = tcb_get(t);
	tp->orphan = true;
	struct sock *sk = sock_get(s);
	sk->shut = RCV_SHUT | SEND_SHUT;
	bool unread = tp->rcvq.bytes > tp->rcv_off;
	switch (tp->state) {
	case TCPS_LISTEN:
		drop_children(t);
		tcp_set_state(t, TCPS_CLOSED);
		break;
	case TCPS_CLOSED:
	case TCPS_SYN_SENT:
		tcp_set_state(t, TCPS_CLOSED);
		break;
	default:
		if (unread || (sk->linger.l_onoff && sk->linger.l_linger == 0)) {
			/* data thrown away, or an abortive close: reset (RFC 2525 2.17) */
			if (tp->state != TCPS_TIME_WAIT)
				(void)tcp_send_ctl(t, TH_RST | TH_ACK, tp->snd_nxt);
			tcp_set_state(t, TCPS_CLOSED);
			break;
		}
		send_fin(t);
		tp = tcb_get(t);
		if (tp && tp->state == TCPS_FIN_WAIT2) {
			tp->t_close = fw_time_monotonic_ns() + TCP_FIN_TIMEOUT_NS;
			tcp_timers_update(t);
		}
		break;
	}
	tcp_unlock(t);
}

uint32_t tcp_poll(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	struct tcb *tp = tcb_get(tcb_of(s));
	if (!sk || !tp)
		return POLLNVAL;
	if (tp->state == TCPS_LISTEN)
		return tp->acq_len ? POLLIN | POLLRDNORM : 0;
	uint32_t m = 0;
	if (sk->shut == (RCV_SHUT | SEND_SHUT) || tp->state == TCPS_CLOSED)
		m |= POLLHUP;
	if (sk->shut & RCV_SHUT)
		m |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (tp->state != TCPS_SYN_SENT && tp->state != TCPS_SYN_RECV) {
		uint32_t avail = tp->rcvq.bytes - tp->rcv_off;
		uint32_t target = (uint32_t)FW_MAX(sk->rcvlowat, 1);
		if (avail >= target || (avail && tp->fin_rcvd))
			m |= POLLIN | POLLRDNORM;
		if (!(sk->shut & SEND_SHUT)) {
			uint32_t cap = FW_MIN(tcp_sndbuf(tp), (uint32_t)(TCP_SND_PAGES - 1) * 4096U);
			if (cap - FW_MIN(cap, tp->snd_len) >= tp->snd_len / 2 && tsnd_room(tp) > 0)
				m |= POLLOUT | POLLWRNORM;
		} else {
			m |= POLLOUT | POLLWRNORM;
		}
	}
	if (sk->err)
		m |= POLLERR;
	return m;
}

int tcp_setopt_socket(struct sock_ref s, int32_t name)
{
	struct tcb_ref t = tcb_of(s);
	if (name == SO_KEEPALIVE) {
		tcp_lock(t);
		tcp_keepalive_reset(t);
		tcp_unlock(t);
	} else if (name == SO_RCVBUF) {
		tcp_lock(t);
		tcp_window_update(t);
		tcp_unlock(t);
	}
	sock_changed(s);
	return 0;
}

int64_t tcp_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg)
{
	struct tcb *tp = tcb_get(tcb_of(s));
	if (!tp)
		return -EBADF;
	int32_t v = 0;
	if (cmd == SIOCINQ || cmd == SIOCOUTQ) {
		if (tp->state == TCPS_LISTEN)
			return -EINVAL;
		v = cmd == SIOCINQ ? (int32_t)(tp->rcvq.bytes - tp->rcv_off) : (int32_t)tp->snd_len;
	}
	return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
}
