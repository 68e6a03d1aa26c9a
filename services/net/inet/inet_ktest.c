/* ktests of IPv4 and TCP logic that needs no device: sequence-number
 * order across the wrap, RFC 6298's retransmission timeout, the
 * announced window with and without scaling, TCP option parsing of
 * malformed lists, SYN cookies, and IPv4 input's header checks on
 * truncated and lying packets (counted drops). Layer: services (safe C).
 * They trust pkt.c (tested in net/pkt_ktest.c) and the pools; in ktest
 * mode no interface exists, so no packet here is delivered anywhere. */
#include "net/inet/tcp.h"
#include <fw/ktest.h>

FW_KTEST(svc_inet_tcp_seq_order_across_wrap)
{
	FW_EXPECT(t, seq_lt(0xfffffff0u, 0x10) && seq_gt(0x10, 0xfffffff0u));
	FW_EXPECT(t, seq_le(5, 5) && seq_ge(5, 5) && !seq_lt(5, 5) && !seq_gt(5, 5));
	FW_EXPECT(t, seq_lt(0x7ffffffe, 0x7fffffff) && seq_lt(0xffffffffu, 0));
	/* 2^31 - 1 ahead is still ahead; 2^31 + 1 ahead reads as behind */
	FW_EXPECT(t, seq_lt(100, 100 + 0x7fffffffu) && seq_gt(100, 100 + 0x80000001u));
}

FW_KTEST(svc_inet_tcp_rto_follows_rfc6298)
{
	struct tcb_ref r = {0};
	FW_EXPECT(t, tcb_alloc(&r) == 0);
	/* first sample R: SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4 RTTVAR) */
	tcp_rtt_sample(r, 100000);
	struct tcb *tp = tcb_get(r);
	FW_EXPECT(t, tp->rtt_valid && tp->srtt == 100000 && tp->rttvar == 50000 && tp->rto == 300000);
	/* then RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R| (the old SRTT), SRTT = 7/8 SRTT + 1/8 R */
	tcp_rtt_sample(r, 200000);
	tp = tcb_get(r);
	FW_EXPECT(t, tp->rttvar == 62500 && tp->srtt == 112500 && tp->rto == 362500);
	tcp_rtt_sample(r, 112500); /* no deviation: the variance decays */
	tp = tcb_get(r);
	FW_EXPECT(t, tp->rttvar == 46875 && tp->srtt == 112500 && tp->rto == 300000);
	/* the floor (200 ms, as Linux) and the ceiling (120 s) */
	tcb_free(r);
	FW_EXPECT(t, tcb_alloc(&r) == 0);
	tcp_rtt_sample(r, 10);
	FW_EXPECT(t, tcb_get(r)->srtt == 10 && tcb_get(r)->rto == TCP_RTO_MIN_US);
	tcb_free(r);
	FW_EXPECT(t, tcb_alloc(&r) == 0);
	tcp_rtt_sample(r, 1ULL << 40); /* a sample off the clock: capped, no overflow */
	tp = tcb_get(r);
	FW_EXPECT(t, tp->srtt == TCP_RTO_MAX_US && tp->rto == TCP_RTO_MAX_US);
	tcp_rtt_sample(r, 1ULL << 40);
	FW_EXPECT(t, tcb_get(r)->srtt == TCP_RTO_MAX_US && tcb_get(r)->rto == TCP_RTO_MAX_US);
	tcb_free(r);
}

FW_KTEST(svc_inet_tcp_receive_window_scaling)
{
	struct tcb_ref r = {0};
	FW_EXPECT(t, tcb_alloc(&r) == 0);
	struct tcb *tp = tcb_get(r);
	/* no socket: the automatic buffer (1 MiB), three quarters of it offered */
	FW_EXPECT(t, tcp_rcv_window(tp) == 65535); /* unscaled: the 16-bit field's limit */
	tp->wscale_ok = true;
	tp->rcv_wscale = 7;
	FW_EXPECT(t, tcp_rcv_window(tp) == 786432);
	tp->rmem = 1000; /* 1047576 free, 785682 offered, rounded down to 128 */
	FW_EXPECT(t, tcp_rcv_window(tp) == 785664);
	tp->window_clamp = 1000;
	FW_EXPECT(t, tcp_rcv_window(tp) == 896);
	/* never shrink below what was announced, across the sequence wrap */
	tp->rcv_nxt = 0xfffffff0u;
	tp->rcv_adv = 0xfffffff0u + 5000;
	FW_EXPECT(t, tcp_rcv_window(tp) == 5000);
	tp->rcv_adv = 0xfffffff0u - 5000; /* stale: behind rcv_nxt */
	FW_EXPECT(t, tcp_rcv_window(tp) == 896);
	tp->rmem = 2 << 20; /* over the buffer */
	tp->window_clamp = 0;
	FW_EXPECT(t, tcp_rcv_window(tp) == 0);
	tp->rmem = 0;
	tp->rcv_wscale = 14; /* the largest scale: the field still fits */
	FW_EXPECT(t, tcp_rcv_window(tp) == 786432 && (tcp_rcv_window(tp) >> 14) <= 65535);
	tcb_free(r);
}

/* Options after a 20-byte header: n bytes of o, header length hl. */
static void opts(struct pkt *pp, const uint8_t (*o)[40], uint32_t n, uint32_t hl)
{
	struct hbuf h = {0};
	for (uint32_t i = 0; i < n && i < 40; i++)
		h.b[TCP_HLEN + i] = (*o)[i];
	pp->opt_mss = 7;
	pp->opt_wscale = 9;
	tcp_parse_options(&h, hl, pp);
}

FW_KTEST(svc_inet_tcp_options_malformed_lists)
{
	struct pkt_ref r = {0};
	FW_EXPECT(t, pkt_new(&r) == 0);
	struct pkt *pp = pkt_get(r);
	uint8_t good[40] = {2, 4, 0x05, 0xb4, 1, 3, 3, 7, 0};
	opts(pp, &good, 9, 32);
	FW_EXPECT(t, pp->opt_mss == 1460 && pp->opt_wscale == 7);
	opts(pp, &good, 9, 20); /* no options: the header ends at 20 */
	FW_EXPECT(t, pp->opt_mss == 0 && pp->opt_wscale == -1);
	uint8_t big[40] = {3, 3, 15, 1, 2, 4, 0, 0};
	opts(pp, &big, 8, 28); /* a scale past 14 counts as 14; MSS 0 reads as none */
	FW_EXPECT(t, pp->opt_wscale == 14 && pp->opt_mss == 0);
	uint8_t zero[40] = {8, 0, 3, 3, 5};
	opts(pp, &zero, 5, 28); /* length 0 would loop forever: the parse stops */
	FW_EXPECT(t, pp->opt_mss == 0 && pp->opt_wscale == -1);
	uint8_t one[40] = {8, 1, 3, 3, 5};
	opts(pp, &one, 5, 28);
	FW_EXPECT(t, pp->opt_wscale == -1);
	uint8_t past[40] = {1, 1, 2, 4, 0x05, 0xb4};
	opts(pp, &past, 6, 24); /* the MSS option runs 2 bytes past the header */
	FW_EXPECT(t, pp->opt_mss == 0);
	uint8_t last[40] = {1, 1, 1, 3};
	opts(pp, &last, 4, 24); /* a kind in the header's last byte, its length outside */
	FW_EXPECT(t, pp->opt_wscale == -1);
	uint8_t odd[40] = {2, 3, 9, 8, 10, 1, 2, 3, 4, 5, 6, 7, 8, 3, 3, 5};
	opts(pp, &odd, 16, 36); /* MSS of the wrong length and a timestamp are skipped */
	FW_EXPECT(t, pp->opt_mss == 0 && pp->opt_wscale == 5);
	/* a header length past the largest TCP header (60) reads no further */
	uint8_t pad[40] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
			   1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct hbuf h = {0};
	for (uint32_t i = 0; i < 40; i++)
		h.b[TCP_HLEN + i] = pad[i];
	h.b[60] = 3;
	h.b[61] = 3;
	h.b[62] = 6;
	tcp_parse_options(&h, 200, pp);
	FW_EXPECT(t, pp->opt_wscale == -1);
	pkt_free_all(r);
}

FW_KTEST(svc_inet_tcp_syn_cookie_round_trip)
{
	struct pkt_ref sr = {0}, ar = {0};
	FW_EXPECT(t, pkt_new(&sr) == 0 && pkt_new(&ar) == 0);
	struct pkt *syn = pkt_get(sr), *ack = pkt_get(ar);
	syn->saddr = 0x0a000002;
	syn->daddr = 0x0a000001;
	syn->sport = 40000;
	syn->dport = 80;
	syn->seq = 0xfffffffe; /* the ISN + 1 wraps */
	syn->opt_mss = 1400;
	uint32_t mss = 0, got = 0;
	uint32_t cookie = tcp_cookie_make(syn, 1460, &mss);
	FW_EXPECT(t, mss == 1300); /* the largest table entry under both MSSes */
	ack->saddr = syn->saddr;
	ack->daddr = syn->daddr;
	ack->sport = syn->sport;
	ack->dport = syn->dport;
	ack->seq = syn->seq + 1;
	ack->ack = cookie + 1;
	FW_EXPECT(t, tcp_cookie_check(ack, &got) && got == 1300);
	/* the same ACK from another address or port is refused (the keyed
	 * hash differs: a false accept has odds 2^-21) */
	ack->saddr = 0x0a000003;
	FW_EXPECT(t, !tcp_cookie_check(ack, &got));
	ack->saddr = syn->saddr;
	ack->sport = 40001;
	FW_EXPECT(t, !tcp_cookie_check(ack, &got));
	ack->sport = syn->sport;
	/* a time counter two periods off either way (about 2 minutes) */
	ack->ack = cookie + 1 + (2U << 24);
	FW_EXPECT(t, !tcp_cookie_check(ack, &got));
	ack->ack = cookie + 1 - (2U << 24);
	FW_EXPECT(t, !tcp_cookie_check(ack, &got));
	ack->ack = cookie + 1;
	FW_EXPECT(t, tcp_cookie_check(ack, &got) && got == 1300);
	/* no MSS option: 536, the smallest */
	syn->opt_mss = 0;
	(void)tcp_cookie_make(syn, 1460, &mss);
	FW_EXPECT(t, mss == 536);
	pkt_free_all(sr);
	pkt_free_all(ar);
}

/* An IPv4 packet: a header of ihl bytes (version 4, valid checksum unless
 * bad_sum) claiming total length tot, then payload up to len bytes. */
struct ipkt {
	uint32_t ihl, tot, len;
	uint16_t frag;
	uint32_t src, dst;
	uint8_t ver;
	bool bad_sum, csum_ok;
};

static int ip_make(const struct ipkt *k, struct pkt_ref *out)
{
	struct hbuf h = {0};
	h.b[0] = (uint8_t)(k->ver << 4 | ((k->ihl / 4) & 15));
	hput16(&h, 2, (uint16_t)k->tot);
	hput16(&h, 6, k->frag);
	h.b[8] = 64;
	h.b[9] = IPPROTO_UDP;
	hput32(&h, 12, k->src);
	hput32(&h, 16, k->dst);
	for (uint32_t i = 20; i < k->ihl && i < 60; i++)
		h.b[i] = 1; /* NOP options */
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < k->ihl && i < 60; i += 2)
		s += hget16(&h, i);
	hput16(&h, 10, (uint16_t)(csum_fold(s) ^ (k->bad_sum ? 1 : 0)));
	if (pkt_new(out))
		return -ENOBUFS;
	pkt_get(*out)->flags = k->csum_ok ? PKT_CSUM_OK : 0;
	return pkt_push(*out, &h, FW_MIN(k->len, (uint32_t)PKT_HDR));
}

/* Feed the packet to IPv4 input; which counter moved (1 hdr, 2 frag,
 * 3 addr, 0 none or several), and that the packet was freed. */
static int ip_verdict(const struct ipkt *k)
{
	struct net_stats *st = net_stats();
	uint64_t hdr = st->ip_in_hdr_errors, frag = st->ip_frag_dropped, addr = st->ip_in_addr_errors;
	uint32_t before = pkt_count();
	struct pkt_ref p = {0};
	if (ip_make(k, &p))
		return -1;
	ip_rcv(p);
	if (pkt_count() != before || pkt_ref_valid(p))
		return -2;
	st = net_stats();
	uint64_t dh = st->ip_in_hdr_errors - hdr, df = st->ip_frag_dropped - frag, da = st->ip_in_addr_errors - addr;
	if (dh + df + da != 1)
		return 0;
	return dh ? 1 : df ? 2 : 3;
}

FW_KTEST(svc_inet_ip_input_rejects_truncated_and_lying_headers)
{
	/* a good header to a host that is not this one: dropped for its address */
	struct ipkt g = {.ihl = 20, .tot = 40, .len = 40, .src = 0x0a000002, .dst = 0x0a010203, .ver = 4};
	struct ipkt k = g;
	FW_EXPECT(t, ip_verdict(&k) == 3);
	k.len = 19; /* shorter than any header */
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k = g;
	k.ver = 6;
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k = g;
	k.ihl = 16; /* below the minimum header */
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k = g;
	k.ihl = 60; /* options longer than the packet */
	k.len = 40;
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k = g;
	k.tot = 19; /* total length shorter than the header */
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k.tot = 41; /* total length longer than what arrived */
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k.tot = 0xffff;
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k = g;
	k.bad_sum = true;
	FW_EXPECT(t, ip_verdict(&k) == 1);
	k.csum_ok = true; /* loopback: the checksum is not looked at */
	FW_EXPECT(t, ip_verdict(&k) == 3);
	k = g;
	k.ihl = 60; /* a full header of options, checksummed whole */
	k.tot = 60;
	k.len = 60;
	FW_EXPECT(t, ip_verdict(&k) == 3);
	k = g;
	k.frag = 0x2000; /* more fragments */
	FW_EXPECT(t, ip_verdict(&k) == 2);
	k.frag = 0x0001; /* a later fragment */
	FW_EXPECT(t, ip_verdict(&k) == 2);
	k.frag = 0x4000; /* don't fragment: a whole packet */
	FW_EXPECT(t, ip_verdict(&k) == 3);
	k = g;
	k.dst = INADDR_LOOPBACK; /* for us, but from a broadcast or multicast source */
	k.src = INADDR_BROADCAST;
	FW_EXPECT(t, ip_verdict(&k) == 3);
	k.src = 0xe0000001;
	FW_EXPECT(t, ip_verdict(&k) == 3);
}
