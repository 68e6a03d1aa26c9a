/* TCP input: header checks and demultiplexing, listeners (SYN ->
 * SYN_RECV child), and the "segment arrives" processing of RFC 9293
 * 3.10.7 for every other state: acceptability and trimming, RST (with
 * RFC 5961's exact-match rule), ACK processing with RTT samples, NewReno
 * fast retransmit/recovery and window updates, in-order and out-of-order
 * data, FIN. Layer: services (safe C). Every header field is checked
 * before use; a bad segment is dropped and counted. */
#include "net/inet/tcp.h"
#include <fw/console.h>
#include <fw/time.h>

#define OOW_ACK_INTERVAL_NS 500000000ULL /* net.ipv4.tcp_invalid_ratelimit */

/* An ACK answering a segment we could not accept (out of window, a
 * challenge ACK of RFC 5961, an ACK of unsent data): at most one per
 * half second per connection, as Linux, so two endpoints that disagree
 * (a forged or self-connected segment) cannot bounce ACKs forever. */
static void oow_ack(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	uint64_t now = fw_time_monotonic_ns();
	if (!tp || (tp->last_oow_ns && now - tp->last_oow_ns < OOW_ACK_INTERVAL_NS))
		return;
	tp->last_oow_ns = now;
	tcp_send_ack(t);
}

static void drop(struct pkt_ref p)
{
	net_stats()->tcp_in_errs++;
	pkt_free_all(p);
}

/* Parse MSS and window-scale options from a header of hl bytes. */
void tcp_parse_options(const struct hbuf *h, uint32_t hl, struct pkt *pp)
{
	pp->opt_mss = 0;
	pp->opt_wscale = -1;
	hl = FW_MIN(hl, 60U); /* the largest data offset: no byte past it is an option */
	uint32_t i = TCP_HLEN;
	while (i < hl && i < PKT_HDR) {
		uint8_t kind = h->b[i];
		if (kind == 0)
			return;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= hl)
			return;
		uint8_t len = h->b[i + 1];
		if (len < 2 || i + len > hl)
			return;
		if (kind == 2 && len == 4)
			pp->opt_mss = hget16(h, i + 2);
		else if (kind == 3 && len == 3)
			pp->opt_wscale = (int8_t)FW_MIN(h->b[i + 2], 14);
		i += len;
	}
}

void tcp_rcv(struct pkt_ref p)
{
	struct net_stats *st = net_stats();
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	if (!pp || pkt_peek(p, 0, &h, TCP_HLEN)) {
		drop(p);
		return;
	}
	uint32_t hl = (h.b[12] >> 4) * 4U;
	if (hl < TCP_HLEN || hl > pp->len || pkt_peek(p, 0, &h, hl) || (pp->flags & PKT_BCAST)) {
		drop(p);
		return;
	}
	if (!(pp->flags & PKT_CSUM_OK) &&
	    csum_fold(pkt_csum(p, 0, pp->len, pseudo_sum(pp->saddr, pp->daddr, IPPROTO_TCP, pp->len))) != 0) {
		drop(p);
		return;
	}
	st->tcp_in++;
	pp->sport = hget16(&h, 0);
	pp->dport = hget16(&h, 2);
	pp->seq = hget32(&h, 4);
	pp->ack = hget32(&h, 8);
	pp->tflags = h.b[13];
	pp->win = hget16(&h, 14);
	tcp_parse_options(&h, hl, pp);
	if (pkt_pull(p, hl)) {
		drop(p);
		return;
	}
	pp = pkt_get(p);
	struct inet_ref in = conn_lookup(pp->daddr, pp->dport, pp->saddr, pp->sport);
	if (!inet_ref_valid(in))
		in = tcp_lookup_listener(pp->daddr, pp->dport);
	struct inet *ip = inet_get(in);
	struct tcb *tp = ip ? tcb_get(ip->tcb) : NULL;
	if (!tp) {
		/* no connection: answer with a reset (RFC 9293 3.10.7.1) */
		uint32_t len = pp->len + ((pp->tflags & TH_SYN) ? 1 : 0) + ((pp->tflags & TH_FIN) ? 1 : 0);
		if (!(pp->tflags & TH_RST)) {
			if (pp->tflags & TH_ACK)
				tcp_send_reset_for(p, pp->ack, 0, TH_RST);
			else
				tcp_send_reset_for(p, 0, pp->seq + len, TH_RST | TH_ACK);
		}
		pkt_free_all(p);
		return;
	}
	struct tcb_ref t = ip->tcb;
	if (tp->owned) {
		if (tp->held.count >= TCP_BACKLOG_MAX) {
			pkt_free_all(p);
			return;
		}
		pktq_tail(&tp->held, p);
		return;
	}
	tcp_lock(t);
	tcp_process(t, p);
	tcp_unlock(t);
}

/* A child connection for segment p (addresses from it). */
static int child_for(struct tcb_ref lt, struct pkt_ref p, struct tcb_ref *out)
{
	struct tcb *lp = tcb_get(lt);
	struct inet_ref child;
	if (tcp_child_new(lp->in, &child))
		return -ENOBUFS;
	struct inet *ci = inet_get(child);
	struct pkt *pp = pkt_get(p);
	ci->laddr = pp->daddr;
	ci->raddr = pp->saddr;
	ci->rport = pp->sport;
	conn_insert(child);
	*out = ci->tcb;
	struct tcb *cp = tcb_get(*out);
	cp->last_rcv_ns = fw_time_monotonic_ns();
	uint32_t adv = tcp_advmss_for(pp->saddr);
	cp->advmss = cp->user_mss ? FW_MIN(adv, cp->user_mss) : adv;
	return 0;
}

/* The ACK that completes a SYN-cookie handshake: the connection is
 * re-created established. False if the cookie is not one of ours. */
static bool cookie_ack(struct tcb_ref lt, struct pkt_ref p)
{
	struct tcb *lp = tcb_get(lt);
	struct pkt *pp = pkt_get(p);
	uint32_t mss;
	if (!lp->cookies_until || fw_time_monotonic_ns() > lp->cookies_until ||
	    (pp->tflags & (TH_SYN | TH_RST | TH_FIN)) || !tcp_cookie_check(pp, &mss))
		return false;
	if (lp->acq_len > lp->backlog) {
		pkt_free_all(p); /* accept queue full: the peer retransmits */
		return true;
	}
	struct tcb_ref ct;
	if (child_for(lt, p, &ct)) {
		pkt_free_all(p);
		return true;
	}
	pp = pkt_get(p);
	struct tcb *cp = tcb_get(ct);
	cp->irs = pp->seq - 1;
	cp->rcv_nxt = pp->seq;
	cp->rcv_adv = cp->rcv_nxt;
	cp->rcv_wup = cp->rcv_nxt;
	cp->iss = pp->ack - 1;
	cp->snd_una = pp->ack;
	cp->snd_nxt = pp->ack;
	cp->snd_max = pp->ack;
	cp->peer_mss = mss;
	cp->mss = FW_MIN(mss, cp->advmss);
	cp->wscale_ok = false;
	cp->rcv_wscale = 0;
	cp->snd_wnd = pp->win;
	cp->max_window = pp->win;
	cp->snd_wl1 = pp->seq;
	cp->snd_wl2 = pp->ack;
	cp->cwnd = TCP_INIT_CWND * cp->mss;
	net_stats()->tcp_passive_opens++;
	tcp_lock(ct);
	tcp_set_state(ct, TCPS_ESTABLISHED);
	tcp_keepalive_reset(ct);
	/* what the ACK carries (data) is processed as on any connection */
	tcp_process(ct, p);
	tcp_unlock(ct);
	return true;
}

/* A SYN for a listener: a child in SYN_RECV answers with SYN-ACK; when
 * the SYN queue is full, a stateless SYN cookie does. */
static void listen_input(struct tcb_ref lt, struct pkt_ref p)
{
	struct pkt *pp = pkt_get(p);
	struct tcb *lp = tcb_get(lt);
	if (pp->tflags & TH_RST) {
		pkt_free_all(p);
		return;
	}
	if (pp->tflags & TH_ACK) {
		if (cookie_ack(lt, p))
			return;
		pp = pkt_get(p);
		tcp_send_reset_for(p, pp->ack, 0, TH_RST);
		pkt_free_all(p);
		return;
	}
	if (!(pp->tflags & TH_SYN) || lp->acq_len > lp->backlog) {
		if (pp->tflags & TH_SYN)
			net_stats()->tcp_syn_dropped++;
		pkt_free_all(p);
		return;
	}
	uint32_t synq_limit = FW_MIN(FW_MAX(lp->backlog, 16U), (uint32_t)TCP_SYNQ_MAX);
	struct tcb_ref ct;
	if (lp->synq_len >= synq_limit || child_for(lt, p, &ct)) {
		uint32_t mss, iss = tcp_cookie_make(pp, tcp_advmss_for(pp->saddr), &mss);
		lp->cookies_until = fw_time_monotonic_ns() + 128ULL * 1000000000ULL;
		net_stats()->tcp_syn_cookies++;
		tcp_send_synack_for(p, iss, (uint16_t)mss);
		pkt_free_all(p);
		return;
	}
	pp = pkt_get(p);
	struct tcb *cp = tcb_get(ct);
	cp->irs = pp->seq;
	cp->rcv_nxt = pp->seq + 1;
	cp->rcv_adv = cp->rcv_nxt;
	cp->rcv_wup = cp->rcv_nxt;
	uint32_t iss = 0;
	fw_random_fill(&iss, sizeof(iss));
	cp->iss = iss;
	cp->snd_una = iss;
	cp->snd_nxt = iss + 1;
	cp->snd_max = iss + 1;
	cp->snd_wnd = pp->win;
	cp->max_window = pp->win;
	cp->snd_wl1 = pp->seq;
	cp->snd_wl2 = iss;
	cp->peer_mss = pp->opt_mss ? pp->opt_mss : TCP_MSS_DEFAULT;
	cp->mss = FW_MAX(FW_MIN(cp->peer_mss, cp->advmss), (uint32_t)TCP_MIN_MSS);
	if (cp->user_mss)
		cp->mss = FW_MIN(cp->mss, cp->user_mss);
	if (pp->opt_wscale >= 0) {
		cp->wscale_ok = true;
		cp->snd_wscale = (uint8_t)pp->opt_wscale;
	} else {
		cp->rcv_wscale = 0;
	}
	cp->cwnd = TCP_INIT_CWND * cp->mss;
	cp->state = TCPS_SYN_RECV;
	pkt_free_all(p);
	net_stats()->tcp_passive_opens++;
	(void)tcp_send_ctl(ct, TH_SYN | TH_ACK, iss);
	tcp_set_rexmt(ct);
	tcp_timers_update(ct);
}

/* SYN_SENT (RFC 9293 3.10.7.3). */
static void syn_sent_input(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	uint8_t fl = pp->tflags;
	if ((fl & TH_ACK) && (seq_le(pp->ack, tp->iss) || seq_gt(pp->ack, tp->snd_max))) {
		if (!(fl & TH_RST))
			tcp_send_reset_for(p, pp->ack, 0, TH_RST);
		pkt_free_all(p);
		return;
	}
	if (fl & TH_RST) {
		if (fl & TH_ACK)
			tcp_abort(t, ECONNREFUSED);
		pkt_free_all(p);
		return;
	}
	if (!(fl & TH_SYN)) {
		pkt_free_all(p);
		return;
	}
	tp->irs = pp->seq;
	tp->rcv_nxt = pp->seq + 1;
	tp->rcv_adv = tp->rcv_nxt;
	tp->rcv_wup = tp->rcv_nxt;
	tp->peer_mss = pp->opt_mss ? pp->opt_mss : TCP_MSS_DEFAULT;
	tp->mss = FW_MAX(FW_MIN(tp->peer_mss, tp->advmss), (uint32_t)TCP_MIN_MSS);
	if (tp->user_mss)
		tp->mss = FW_MIN(tp->mss, tp->user_mss);
	if (pp->opt_wscale >= 0) {
		tp->wscale_ok = true;
		tp->snd_wscale = (uint8_t)pp->opt_wscale;
	} else {
		tp->wscale_ok = false;
		tp->rcv_wscale = 0;
	}
	tp->cwnd = TCP_INIT_CWND * tp->mss;
	tp->snd_wnd = pp->win;
	tp->max_window = pp->win;
	tp->snd_wl1 = pp->seq;
	tp->snd_wl2 = pp->ack;
	if (fl & TH_ACK) {
		tp->snd_una = pp->ack;
		if (tp->rtt_timing) {
			tcp_rtt_sample(t, (fw_time_monotonic_ns() - tp->rtt_start) / 1000);
			tp = tcb_get(t);
		}
		tp->t_rexmt = 0;
		tp->backoff = 0;
		tp->retrans = 0;
		tcp_set_state(t, TCPS_ESTABLISHED);
		tcp_send_ack(t);
		tcp_keepalive_reset(t);
		tcp_output(t);
	} else {
		/* simultaneous open */
		tcp_set_state(t, TCPS_SYN_RECV);
		(void)tcp_send_ctl(t, TH_SYN | TH_ACK, tp->iss);
	}
	pkt_free_all(p);
}

/* Is the segment (seq, len) acceptable in the receive window? */
static bool acceptable(const struct tcb *tp, uint32_t seq, uint32_t len)
{
	uint32_t wnd = seq_gt(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	if (len == 0)
		return wnd == 0 ? seq == tp->rcv_nxt : seq_ge(seq, tp->rcv_nxt) && seq_lt(seq, tp->rcv_nxt + wnd);
	if (wnd == 0)
		return false;
	return (seq_ge(seq, tp->rcv_nxt) && seq_lt(seq, tp->rcv_nxt + wnd)) ||
	       (seq_ge(seq + len - 1, tp->rcv_nxt) && seq_lt(seq + len - 1, tp->rcv_nxt + wnd));
}

/* Cut what precedes rcv_nxt and what lies beyond the window. */
static void trim(struct tcb *tp, struct pkt_ref p)
{
	struct pkt *pp = pkt_get(p);
	if (pp->tflags & TH_SYN) {
		pp->tflags &= (uint8_t)~TH_SYN;
		pp->seq++;
	}
	if (seq_lt(pp->seq, tp->rcv_nxt)) {
		uint32_t cut = FW_MIN(tp->rcv_nxt - pp->seq, pp->len);
		(void)pkt_pull(p, cut);
		pp = pkt_get(p);
		pp->seq += cut;
	}
	uint32_t wnd = seq_gt(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	uint32_t room = tp->rcv_nxt + wnd - pp->seq;
	if (seq_gt(pp->seq + pp->len, tp->rcv_nxt + wnd) && (int32_t)room >= 0) {
		pkt_trim(p, room);
		pp = pkt_get(p);
		pp->tflags &= (uint8_t)~TH_FIN;
	}
}

static void enter_time_wait(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (tcp_time_wait_count() >= TCP_MAX_TIME_WAIT) {
		/* too many connections waiting out 2 MSL (net.ipv4.tcp_max_tw_buckets):
		 * this one closes at once rather than hold memory */
		tcp_set_state(t, TCPS_CLOSED);
		return;
	}
	tcp_set_state(t, TCPS_TIME_WAIT);
	tp = tcb_get(t);
	tp->t_rexmt = 0;
	tp->t_persist = 0;
	tp->t_keep = 0;
	tp->t_delack = 0;
	tp->t_close = fw_time_monotonic_ns() + TCP_TIMEWAIT_NS;
	tcp_timers_update(t);
}

/* Congestion control on an ACK of `acked` new bytes (RFC 5681, 6582). */
static void cong_on_ack(struct tcb *tp, uint32_t acked, uint32_t ack)
{
	if (tp->in_recovery) {
		if (seq_ge(ack, tp->recover)) {
			tp->in_recovery = false;
			tp->cwnd = FW_MIN(tp->ssthresh, tcp_flight(tp) + tp->mss);
		} else {
			/* partial ACK: deflate, the next hole is retransmitted */
			tp->cwnd = tp->cwnd > acked ? tp->cwnd - acked + tp->mss : tp->mss;
		}
		return;
	}
	if (tp->cwnd < tp->ssthresh)
		tp->cwnd += FW_MIN(acked, tp->mss);
	else
		tp->cwnd += FW_MAX(1U, tp->mss * tp->mss / FW_MAX(tp->cwnd, 1U));
	tp->cwnd = FW_MIN(tp->cwnd, 1U << 30);
}

/* A new ACK: drop acknowledged bytes, sample the RTT, adjust windows.
 * Returns false if the connection went away. */
static bool ack_new(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	uint32_t ack = pp->ack;
	uint32_t acked = ack - tp->snd_una;
	bool fin_acked = tp->fin_sent && ack == tp->snd_max;
	uint32_t data = fin_acked ? acked - 1 : acked;
	if (tp->state == TCPS_SYN_RECV || seq_le(tp->snd_una, tp->iss))
		data = data > 0 ? data - 1 : 0; /* our SYN */
	tsnd_ack(t, data);
	tp = tcb_get(t);
	tp->snd_una = ack;
	if (seq_lt(tp->snd_nxt, ack))
		tp->snd_nxt = ack;
	if (tp->rtt_timing && seq_ge(ack, tp->rtt_seq)) {
		tp->rtt_timing = false;
		tcp_rtt_sample(t, (fw_time_monotonic_ns() - tp->rtt_start) / 1000);
		tp = tcb_get(t);
	}
	cong_on_ack(tp, acked, ack);
	bool partial = tp->in_recovery;
	tp->dupacks = 0;
	tp->backoff = 0;
	tp->retrans = 0;
	tp->t_rexmt = 0;
	if (tp->snd_una != tp->snd_max)
		tcp_set_rexmt(t);
	if (partial)
		tcp_retransmit(t);
	sock_changed(tp->sk);
	if (!fin_acked)
		return true;
	tp = tcb_get(t);
	switch (tp->state) {
	case TCPS_FIN_WAIT1:
		tcp_set_state(t, TCPS_FIN_WAIT2);
		tp = tcb_get(t);
		if (tp->orphan) {
			tp->t_close = fw_time_monotonic_ns() + TCP_FIN_TIMEOUT_NS;
			tcp_timers_update(t);
		}
		return true;
	case TCPS_CLOSING:
		enter_time_wait(t);
		return true;
	case TCPS_LAST_ACK:
		tcp_set_state(t, TCPS_CLOSED);
		return false;
	default:
		return true;
	}
}

static void dup_ack(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	tp->dupacks++;
	if (tp->dupacks == 3 && !tp->in_recovery) {
		/* fast retransmit (RFC 5681 3.2) */
		uint32_t flight = tcp_flight(tp);
		tp->ssthresh = FW_MAX(flight / 2, 2 * tp->mss);
		tp->recover = tp->snd_max;
		tp->in_recovery = true;
		tcp_retransmit(t);
		tp = tcb_get(t);
		tp->cwnd = tp->ssthresh + 3 * tp->mss;
	} else if (tp->dupacks > 3) {
		tp->cwnd += tp->mss;
		tcp_output(t);
	}
}

/* Window update rule (RFC 9293 3.10.7.4, fifth check). */
static void update_window(struct tcb *tp, const struct pkt *pp)
{
	if (seq_lt(tp->snd_wl1, pp->seq) || (tp->snd_wl1 == pp->seq && seq_le(tp->snd_wl2, pp->ack))) {
		uint32_t w = tp->wscale_ok ? pp->win << tp->snd_wscale : pp->win;
		tp->snd_wnd = w;
		tp->max_window = FW_MAX(tp->max_window, w);
		tp->snd_wl1 = pp->seq;
		tp->snd_wl2 = pp->ack;
		if (w)
			tp->t_persist = 0;
	}
}

static struct tcb *parent_tcb(const struct tcb *tp)
{
	struct inet *pi = inet_get(tp->parent);
	return pi ? tcb_get(pi->tcb) : NULL;
}

/* The ACK field of a segment in a synchronized state: false to stop. */
static bool process_ack(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	uint32_t ack = pp->ack;
	if (tp->state == TCPS_SYN_RECV) {
		if (seq_le(ack, tp->snd_una) || seq_gt(ack, tp->snd_max)) {
			tcp_send_reset_for(p, ack, 0, TH_RST);
			return false;
		}
		struct tcb *lp = parent_tcb(tp);
		if (lp && lp->acq_len > lp->backlog)
			return false; /* accept queue overflow: the peer retries */
		tcp_set_state(t, TCPS_ESTABLISHED);
		tp = tcb_get(t);
		tp->snd_wnd = tp->wscale_ok ? pp->win << tp->snd_wscale : pp->win;
		tp->max_window = FW_MAX(tp->max_window, tp->snd_wnd);
		tp->snd_wl1 = pp->seq;
		tp->snd_wl2 = ack;
		tcp_keepalive_reset(t);
	}
	tp = tcb_get(t);
	if (seq_gt(ack, tp->snd_max)) {
		oow_ack(t);
		return false;
	}
	uint32_t old_wnd = tp->snd_wnd;
	if (seq_gt(ack, tp->snd_una)) {
		if (!ack_new(t, p))
			return false;
	} else if (ack == tp->snd_una && pp->len == 0 && !(pp->tflags & (TH_SYN | TH_FIN)) &&
	           tp->snd_max != tp->snd_una && (tp->wscale_ok ? pp->win << tp->snd_wscale : pp->win) == old_wnd) {
		dup_ack(t);
	}
	tp = tcb_get(t);
	if (!tp)
		return false;
	update_window(tp, pkt_get(p));
	if (tp->state == TCPS_TIME_WAIT && (pkt_get(p)->tflags & TH_FIN)) {
		oow_ack(t);
		enter_time_wait(t);
	}
	return true;
}

/* Append in-order data, then whatever out-of-order segments now fit. */
static void queue_data(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	pp->truesize = pkt_truesize(p);
	tp->rcv_nxt += pp->len;
	tp->rmem += pp->truesize;
	pktq_tail(&tp->rcvq, p);
	for (;;) {
		tp = tcb_get(t);
		struct pkt *op = pkt_get(tp->ooo.head);
		if (!op || seq_gt(op->seq, tp->rcv_nxt))
			return;
		struct pkt_ref o = pktq_pop(&tp->ooo);
		op = pkt_get(o);
		uint32_t end = op->seq + op->len;
		if (seq_le(end, tp->rcv_nxt) && !(op->tflags & TH_FIN)) {
			tp->rmem -= FW_MIN(tp->rmem, op->truesize);
			pkt_free_all(o);
			continue;
		}
		uint32_t cut = tp->rcv_nxt - op->seq;
		(void)pkt_pull(o, FW_MIN(cut, op->len));
		op = pkt_get(o);
		op->seq = tp->rcv_nxt;
		tp->rcv_nxt += op->len;
		bool fin = (op->tflags & TH_FIN) != 0;
		pktq_tail(&tp->rcvq, o);
		if (fin)
			return;
	}
}

/* Insert an out-of-order segment, sorted by sequence number. */
static void queue_ooo(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	pp->truesize = pkt_truesize(p);
	if (tp->rmem + pp->truesize > 2 * tcp_rcvbuf(tp) || tp->ooo.count >= 256) {
		net_stats()->tcp_ofo_dropped++;
		pkt_free_all(p);
		return;
	}
	tp->rmem += pp->truesize;
	/* rebuild the queue in order (it is short) */
	struct pktq q = {0};
	bool placed = false;
	for (;;) {
		struct pkt_ref o = pktq_pop(&tp->ooo);
		struct pkt *op = pkt_get(o);
		if (!op)
			break;
		if (!placed && seq_lt(pkt_get(p)->seq, op->seq)) {
			pktq_tail(&q, p);
			placed = true;
		}
		pktq_tail(&q, o);
	}
	if (!placed)
		pktq_tail(&q, p);
	tp->ooo = q;
}

/* Text (payload) and FIN processing in a synchronized state. */
static void process_data(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	uint32_t st = tp->state;
	bool can_rcv = st == TCPS_ESTABLISHED || st == TCPS_FIN_WAIT1 || st == TCPS_FIN_WAIT2 || st == TCPS_SYN_RECV;
	if (!can_rcv || (pp->len == 0 && !(pp->tflags & TH_FIN))) {
		pkt_free_all(p);
		return;
	}
	if (pp->seq != tp->rcv_nxt) {
		queue_ooo(t, p);
		tcp_send_ack(t); /* a duplicate ACK tells the sender about the hole */
		return;
	}
	bool had_ooo = tp->ooo.count > 0;
	bool fin = (pp->tflags & TH_FIN) != 0;
	uint32_t len = pp->len;
	if (len)
		queue_data(t, p);
	else
		pkt_free_all(p);
	tp = tcb_get(t);
	/* a FIN in order, possibly carried by a queued out-of-order segment */
	struct pkt *last = pkt_get(tp->rcvq.tail);
	if (last && (last->tflags & TH_FIN) && last->seq + last->len == tp->rcv_nxt && !tp->fin_rcvd)
		fin = true;
	if (len) {
		tp->unacked_segs++;
		sock_changed(tp->sk);
	}
	if (fin && !tp->fin_rcvd) {
		tp->fin_rcvd = true;
		tp->rcv_nxt++;
		struct sock *sk = sock_get(tp->sk);
		if (sk)
			sk->shut |= RCV_SHUT;
		tp->done = true;
		if (tp->state == TCPS_ESTABLISHED || tp->state == TCPS_SYN_RECV)
			tcp_set_state(t, TCPS_CLOSE_WAIT);
		else if (tp->state == TCPS_FIN_WAIT1)
			tcp_set_state(t, TCPS_CLOSING);
		else if (tp->state == TCPS_FIN_WAIT2)
			enter_time_wait(t);
		tcp_send_ack(t);
		sock_changed(tp->sk);
		return;
	}
	tp = tcb_get(t);
	if (had_ooo || tp->quickack || tp->unacked_segs >= 2 || len >= tp->mss * 2) {
		tcp_send_ack(t);
	} else if (len && !tp->t_delack) {
		tp->t_delack = fw_time_monotonic_ns() + TCP_DELACK_NS;
		tcp_timers_update(t);
	}
}

/* RST in a synchronized state. */
static void reset_input(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	if (pp->seq != tp->rcv_nxt) {
		/* RFC 5961 3.2: in window but not exact: challenge ACK */
		oow_ack(t);
		return;
	}
	switch (tp->state) {
	case TCPS_SYN_RECV:
		if (inet_ref_valid(tp->parent)) {
			/* a passive open that never completed: the child just goes */
			tcp_set_state(t, TCPS_CLOSED);
			return;
		}
		tcp_abort(t, ECONNREFUSED);
		return;
	case TCPS_CLOSE_WAIT:
		tcp_abort(t, EPIPE);
		return;
	case TCPS_CLOSING:
	case TCPS_LAST_ACK:
	case TCPS_TIME_WAIT:
		tcp_set_state(t, TCPS_CLOSED);
		return;
	default:
		net_stats()->tcp_estab_resets++;
		tcp_abort(t, ECONNRESET);
		return;
	}
}

void tcp_process(struct tcb_ref t, struct pkt_ref p)
{
	struct tcb *tp = tcb_get(t);
	struct pkt *pp = pkt_get(p);
	if (!tp || !pp) {
		pkt_free_all(p);
		return;
	}
	tp->last_rcv_ns = fw_time_monotonic_ns();
	tp->keep_probes = 0;
	switch (tp->state) {
	case TCPS_LISTEN:
		listen_input(t, p);
		return;
	case TCPS_SYN_SENT:
		syn_sent_input(t, p);
		return;
	case TCPS_CLOSED:
	case TCPS_NONE: {
		uint32_t len = pp->len + ((pp->tflags & TH_SYN) ? 1 : 0) + ((pp->tflags & TH_FIN) ? 1 : 0);
		if (!(pp->tflags & TH_RST))
			tcp_send_reset_for(p, (pp->tflags & TH_ACK) ? pp->ack : 0, pp->seq + len,
			                   (pp->tflags & TH_ACK) ? TH_RST : TH_RST | TH_ACK);
		pkt_free_all(p);
		return;
	}
	default:
		break;
	}
	uint32_t seglen = pp->len + ((pp->tflags & TH_SYN) ? 1 : 0) + ((pp->tflags & TH_FIN) ? 1 : 0);
	if (!acceptable(tp, pp->seq, seglen)) {
		if (!(pp->tflags & TH_RST))
			oow_ack(t);
		pkt_free_all(p);
		return;
	}
	if (pp->tflags & TH_RST) {
		reset_input(t, p);
		pkt_free_all(p);
		return;
	}
	if (pp->tflags & TH_SYN) {
		if (tp->state == TCPS_SYN_RECV && pp->seq == tp->irs) {
			uint64_t now = fw_time_monotonic_ns();
			if (!tp->last_oow_ns || now - tp->last_oow_ns >= OOW_ACK_INTERVAL_NS) {
				tp->last_oow_ns = now;
				(void)tcp_send_ctl(t, TH_SYN | TH_ACK, tp->iss);
			}
		} else {
			oow_ack(t); /* RFC 5961 4.2: challenge ACK */
		}
		pkt_free_all(p);
		return;
	}
	trim(tp, p);
	pp = pkt_get(p);
	if (!(pp->tflags & TH_ACK) || !process_ack(t, p)) {
		pkt_free_all(p);
		return;
	}
	process_data(t, p);
	tcp_output(t);
}

/* An ICMP error about a segment we sent: a connection attempt fails at
 * once; an established connection only remembers it (a soft error,
 * reported if it later times out), as Linux's tcp_v4_err does. */
void tcp_err(uint32_t daddr, uint16_t dport, uint32_t saddr, uint16_t sport, int32_t err)
{
	struct inet *ip = inet_get(conn_lookup(saddr, sport, daddr, dport));
	struct tcb_ref t = ip ? ip->tcb : (struct tcb_ref){0};
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	if (tp->state == TCPS_SYN_SENT && !tp->owned) {
		tcp_lock(t);
		tcp_abort(t, err);
		tcp_unlock(t);
		return;
	}
	tp->soft_err = err;
}
