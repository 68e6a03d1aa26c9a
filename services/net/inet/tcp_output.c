/* TCP output: building segments (data from the send ring by reference,
 * options on SYNs), the send loop with its window, congestion window,
 * Nagle (RFC 896) and sender silly-window rules, ACKs, window updates,
 * retransmission of the first segment, and resets. Layer: services
 * (safe C). */
#include "net/inet/tcp.h"
#include <fw/time.h>

#define OPT_MSS 2
#define OPT_WSCALE 3
#define OPT_NOP 1

uint32_t tcp_flight(const struct tcb *tp) { return tp->snd_nxt - tp->snd_una; }

uint32_t tcp_rcv_window(const struct tcb *tp)
{
	uint32_t buf = tcp_rcvbuf(tp);
	uint32_t free = buf > tp->rmem ? buf - tp->rmem : 0;
	uint32_t win = free - free / 4;
	uint32_t maxw = tp->wscale_ok ? (65535U << tp->rcv_wscale) : 65535U;
	if (tp->window_clamp && win > tp->window_clamp)
		win = tp->window_clamp;
	win = FW_MIN(win, maxw);
	if (tp->wscale_ok)
		win &= ~((1U << tp->rcv_wscale) - 1);
	/* never move the right edge back (RFC 9293 3.8.6) */
	uint32_t left = seq_gt(tp->rcv_adv, tp->rcv_nxt) ? tp->rcv_adv - tp->rcv_nxt : 0;
	return FW_MAX(win, left);
}

/* Write header + options for a segment into h; returns the header length. */
static uint32_t build_header(const struct tcb *tp, const struct inet *ip, struct hbuf *h, uint32_t seq, uint8_t flags,
                             uint32_t *win_out)
{
	uint32_t hl = TCP_HLEN;
	hput16(h, 0, ip->lport);
	hput16(h, 2, ip->rport);
	hput32(h, 4, seq);
	hput32(h, 8, (flags & TH_ACK) ? tp->rcv_nxt : 0);
	if (flags & TH_SYN) {
		h->b[20] = OPT_MSS;
		h->b[21] = 4;
		hput16(h, 22, (uint16_t)tp->advmss);
		hl += 4;
		/* offer window scaling on a SYN; answer it only if offered */
		if (!(flags & TH_ACK) || tp->wscale_ok) {
			h->b[24] = OPT_NOP;
			h->b[25] = OPT_WSCALE;
			h->b[26] = 3;
			h->b[27] = tp->rcv_wscale;
			hl += 4;
		}
	}
	uint32_t win = (flags & TH_RST) ? 0 : tcp_rcv_window(tp);
	uint32_t field = (flags & TH_SYN) || !tp->wscale_ok ? FW_MIN(win, 65535U) : win >> tp->rcv_wscale;
	*win_out = (flags & TH_SYN) || !tp->wscale_ok ? field : field << tp->rcv_wscale;
	h->b[12] = (uint8_t)((hl / 4) << 4);
	h->b[13] = flags;
	hput16(h, 14, (uint16_t)FW_MIN(field, 65535U));
	hput16(h, 16, 0);
	hput16(h, 18, 0);
	return hl;
}

/* Send one segment: seq, flags, and n bytes from offset off of the ring. */
static int send_segment(struct tcb_ref t, uint32_t seq, uint8_t flags, uint32_t off, uint32_t n)
{
	struct tcb *tp = tcb_get(t);
	struct inet *ip = tp ? inet_get(tp->in) : NULL;
	if (!ip)
		return -EINVAL;
	struct pkt_ref p;
	int e = pkt_new(&p);
	if (e)
		return e;
	if (n && (e = tsnd_to_pkt(t, off, n, p)) != 0) {
		pkt_free_all(p);
		return e;
	}
	tp = tcb_get(t);
	ip = inet_get(tp->in);
	struct hbuf h = {0};
	uint32_t win;
	uint32_t hl = build_header(tp, ip, &h, seq, flags, &win);
	struct route rt;
	bool local = route_lookup(ip->raddr, &rt) == 0 && rt.local;
	if (pkt_push(p, &h, hl)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	if (!local) {
		uint32_t len = hl + n;
		hput16(&h, 16, csum_fold(pkt_csum(p, 0, len, pseudo_sum(ip->laddr, ip->raddr, IPPROTO_TCP, len))));
		if (pkt_pull(p, hl) || pkt_push(p, &h, hl)) {
			pkt_free_all(p);
			return -EINVAL;
		}
	}
	if (flags & TH_ACK) {
		tp->rcv_adv = tp->rcv_nxt + win;
		tp->rcv_wup = tp->rcv_nxt;
		tp->unacked_segs = 0;
		tp->t_delack = 0;
	}
	net_stats()->tcp_out++;
	if (flags & TH_RST)
		net_stats()->tcp_rst_out++;
	uint32_t laddr = ip->laddr, raddr = ip->raddr;
	uint8_t ttl = ip->ttl, tos = ip->tos;
	return ip_output(p, laddr, raddr, IPPROTO_TCP, ttl, tos);
}

int tcp_send_ctl(struct tcb_ref t, uint8_t flags, uint32_t seq) { return send_segment(t, seq, flags, 0, 0); }

void tcp_send_ack(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (tp)
		(void)send_segment(t, tp->snd_nxt, TH_ACK, 0, 0);
}

void tcp_window_update(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (!tp || (tp->state != TCPS_ESTABLISHED && tp->state != TCPS_FIN_WAIT1 && tp->state != TCPS_FIN_WAIT2))
		return;
	uint32_t now_right = tp->rcv_nxt + tcp_rcv_window(tp);
	uint32_t grow = seq_gt(now_right, tp->rcv_adv) ? now_right - tp->rcv_adv : 0;
	bool was_closed = tp->rcv_adv == tp->rcv_nxt;
	if (grow >= 2 * tp->mss || (was_closed && grow >= tp->mss) || (was_closed && grow >= tcp_rcvbuf(tp) / 2))
		tcp_send_ack(t);
}

/* How many bytes to put in the next segment (0: wait). */
static uint32_t next_len(const struct tcb *tp, uint32_t avail, bool *fin)
{
	uint32_t flight = tcp_flight(tp);
	uint32_t wnd = FW_MIN(tp->snd_wnd, tp->cwnd);
	uint32_t usable = wnd > flight ? wnd - flight : 0;
	uint32_t len = FW_MIN(FW_MIN(avail, tp->mss), usable);
	*fin = tp->fin_queued && !tp->fin_sent && len == avail;
	if (len == 0)
		return 0;
	if (len < tp->mss && len < avail) {
		/* window-limited: avoid silly small segments (RFC 1122) */
		if (len < tp->max_window / 2)
			return 0;
		*fin = false;
		return len;
	}
	if (len < tp->mss && !*fin) {
		if (tp->cork)
			return 0;
		if (!tp->nodelay && flight > 0)
			return 0; /* Nagle */
	}
	return len;
}

void tcp_output(struct tcb_ref t)
{
	for (;;) {
		struct tcb *tp = tcb_get(t);
		if (!tp)
			return;
		uint32_t st = tp->state;
		if (st != TCPS_ESTABLISHED && st != TCPS_CLOSE_WAIT && st != TCPS_FIN_WAIT1 && st != TCPS_CLOSING &&
		    st != TCPS_LAST_ACK)
			return;
		uint32_t sent = tp->snd_nxt - tp->snd_una;
		if (tp->fin_sent)
			sent = sent > 0 ? sent - 1 : 0;
		uint32_t avail = tp->snd_len > sent ? tp->snd_len - sent : 0;
		bool fin;
		uint32_t len = next_len(tp, avail, &fin);
		if (len == 0 && !fin) {
			if (avail > 0 && tp->snd_wnd == 0 && !tp->t_rexmt && !tp->t_persist) {
				tp->t_persist = fw_time_monotonic_ns() + (uint64_t)tp->rto * 1000;
				tcp_timers_update(t);
			}
			return;
		}
		uint8_t flags = TH_ACK | (len && len == avail ? TH_PSH : 0) | (fin ? TH_FIN : 0);
		uint32_t seq = tp->snd_nxt;
		bool fresh = seq_ge(seq, tp->snd_max);
		if (send_segment(t, seq, flags, sent, len)) {
			/* Not sent (no route: lo down; no buffers): retry from
			 * the retransmission timer, else data or a FIN with
			 * nothing in flight would wait for ever (Linux arms its
			 * probe timer here). */
			tp = tcb_get(t);
			if (tp && !tp->t_rexmt && !tp->t_persist)
				tcp_set_rexmt(t);
			return;
		}
		tp = tcb_get(t);
		tp->snd_nxt = seq + len + (fin ? 1 : 0);
		if (fin)
			tp->fin_sent = true;
		if (seq_gt(tp->snd_nxt, tp->snd_max))
			tp->snd_max = tp->snd_nxt;
		if (!tp->rtt_timing && len && fresh) {
			tp->rtt_timing = true;
			tp->rtt_seq = tp->snd_nxt;
			tp->rtt_start = fw_time_monotonic_ns();
		}
		tp->t_persist = 0;
		if (!tp->t_rexmt)
			tcp_set_rexmt(t);
		if (fin)
			return;
	}
}

void tcp_retransmit(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return;
	net_stats()->tcp_retrans++;
	tp->rtt_timing = false; /* Karn: no sample from a retransmitted segment */
	if (tp->state == TCPS_SYN_SENT) {
		(void)tcp_send_ctl(t, TH_SYN, tp->iss);
		return;
	}
	if (tp->state == TCPS_SYN_RECV) {
		(void)tcp_send_ctl(t, TH_SYN | TH_ACK, tp->iss);
		return;
	}
	uint32_t outstanding = tp->snd_max - tp->snd_una;
	uint32_t data = FW_MIN(tp->snd_len, outstanding);
	uint32_t len = FW_MIN(data, tp->mss);
	bool fin = tp->fin_sent && len == data && outstanding > data;
	if (len == 0 && !fin)
		return;
	(void)send_segment(t, tp->snd_una, TH_ACK | (fin ? TH_FIN : 0) | (len ? TH_PSH : 0), 0, len);
}

/* A segment with no connection behind it (resets, SYN cookies), in
 * answer to `seg`. */
static void send_stateless(struct pkt_ref seg, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t mss)
{
	struct pkt *sp = pkt_get(seg);
	if (!sp || (sp->flags & PKT_BCAST))
		return;
	struct pkt_ref p;
	if (pkt_new(&p))
		return;
	sp = pkt_get(seg);
	struct hbuf h = {0};
	uint32_t hl = TCP_HLEN + (mss ? 4 : 0);
	hput16(&h, 0, sp->dport);
	hput16(&h, 2, sp->sport);
	hput32(&h, 4, seq);
	hput32(&h, 8, ack);
	h.b[12] = (uint8_t)((hl / 4) << 4);
	h.b[13] = flags;
	if (mss) {
		hput16(&h, 14, 65535);
		h.b[20] = OPT_MSS;
		h.b[21] = 4;
		hput16(&h, 22, mss);
	}
	uint32_t src = sp->daddr, dst = sp->saddr;
	if (pkt_push(p, &h, hl)) {
		pkt_free_all(p);
		return;
	}
	hput16(&h, 16, csum_fold(pkt_csum(p, 0, hl, pseudo_sum(src, dst, IPPROTO_TCP, hl))));
	if (pkt_pull(p, hl) || pkt_push(p, &h, hl)) {
		pkt_free_all(p);
		return;
	}
	net_stats()->tcp_out++;
	if (flags & TH_RST)
		net_stats()->tcp_rst_out++;
	(void)ip_output(p, src, dst, IPPROTO_TCP, 0, 0);
}

void tcp_send_reset_for(struct pkt_ref seg, uint32_t seq, uint32_t ack, uint8_t flags)
{
	send_stateless(seg, seq, ack, flags, 0);
}

void tcp_send_synack_for(struct pkt_ref syn, uint32_t iss, uint16_t mss)
{
	struct pkt *sp = pkt_get(syn);
	if (sp)
		send_stateless(syn, iss, sp->seq + 1, TH_SYN | TH_ACK, mss);
}
