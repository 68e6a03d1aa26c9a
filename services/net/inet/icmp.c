/* ICMP: echo replies, echo replies for ping sockets, errors about our
 * own datagrams and segments (reported to their sockets), and the errors
 * we send (port and protocol unreachable), rate-limited as Linux does
 * except towards loopback. Layer: services (safe C). */
#include "net/inet/inet.h"
#include <fw/time.h>

#define ICMP_BURST 50
#define ICMP_PER_SEC 1000

struct icmp_state {
	uint64_t last_ns;
	uint32_t tokens;
};
FW_GLOBAL(struct icmp_state, icmp_state);

static bool ratelimit_ok(uint32_t dst)
{
	if (addr_is_local(dst))
		return true;
	struct icmp_state *st = icmp_state();
	uint64_t now = fw_time_monotonic_ns();
	uint64_t add = (now - st->last_ns) / (1000000000ULL / ICMP_PER_SEC);
	if (add) {
		st->tokens = (uint32_t)FW_MIN((uint64_t)ICMP_BURST, st->tokens + add);
		st->last_ns = now;
	}
	if (!st->tokens)
		return false;
	st->tokens--;
	return true;
}

/* Fill in the checksum of the ICMP message that starts the packet. */
static int icmp_finish(struct pkt_ref p)
{
	struct hbuf h;
	if (pkt_peek(p, 0, &h, ICMP_HLEN))
		return -EINVAL;
	hput16(&h, 2, 0);
	if (pkt_pull(p, ICMP_HLEN) || pkt_push(p, &h, ICMP_HLEN))
		return -EINVAL;
	struct pkt *pp = pkt_get(p);
	hput16(&h, 2, csum_fold(pkt_csum(p, 0, pp->len, 0)));
	if (pkt_pull(p, ICMP_HLEN) || pkt_push(p, &h, ICMP_HLEN))
		return -EINVAL;
	return 0;
}

static void echo_reply(struct pkt_ref req, const struct hbuf *h)
{
	struct pkt *rq = pkt_get(req);
	if (rq->flags & PKT_BCAST)
		return; /* icmp_echo_ignore_broadcasts */
	struct pkt_ref rp;
	if (pkt_new(&rp))
		return;
	rq = pkt_get(req);
	uint32_t n = rq->len - ICMP_HLEN, src = rq->daddr, dst = rq->saddr;
	uint8_t tos = rq->tos;
	struct hbuf r = *h;
	r.b[0] = ICMP_ECHOREPLY;
	r.b[1] = 0;
	if (pkt_add_from(rp, req, ICMP_HLEN, n) || pkt_push(rp, &r, ICMP_HLEN) || icmp_finish(rp)) {
		pkt_free_all(rp);
		return;
	}
	net_stats()->icmp_out++;
	(void)ip_output(rp, src, dst, IPPROTO_ICMP, 0, tos);
}

static int32_t unreach_errno(uint8_t code)
{
	switch (code) {
	case 0:
		return ENETUNREACH;
	case 1:
		return EHOSTUNREACH;
	case ICMP_PROT_UNREACH:
		return ENOPROTOOPT;
	case ICMP_PORT_UNREACH:
		return ECONNREFUSED;
	case ICMP_FRAG_NEEDED:
		return EMSGSIZE;
	default:
		return EHOSTUNREACH;
	}
}

/* An error about a packet we sent: the inner header says which socket. */
static void icmp_error_rcv(struct pkt_ref p, const struct hbuf *h)
{
	struct hbuf in;
	struct pkt *pp = pkt_get(p);
	if (pp->len < ICMP_HLEN + IP_HLEN + 8 || pkt_peek(p, ICMP_HLEN, &in, IP_HLEN))
		return;
	uint32_t ihl = (in.b[0] & 15) * 4U;
	if ((in.b[0] >> 4) != 4 || ihl < IP_HLEN || pp->len < ICMP_HLEN + ihl + 8)
		return;
	struct hbuf ports;
	if (pkt_peek(p, ICMP_HLEN + ihl, &ports, 8))
		return;
	uint32_t src = hget32(&in, 12), dst = hget32(&in, 16);
	uint16_t sport = hget16(&ports, 0), dport = hget16(&ports, 2);
	int32_t err = h->b[0] == ICMP_DEST_UNREACH ? unreach_errno(h->b[1]) : EHOSTUNREACH;
	if (in.b[9] == IPPROTO_UDP)
		udp_err(dst, dport, src, sport, err);
	else if (in.b[9] == IPPROTO_TCP)
		tcp_err(dst, dport, src, sport, err);
}

void icmp_rcv(struct pkt_ref p)
{
	struct net_stats *st = net_stats();
	st->icmp_in++;
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	if (!pp || pkt_peek(p, 0, &h, ICMP_HLEN) ||
	    (!(pp->flags & PKT_CSUM_OK) && csum_fold(pkt_csum(p, 0, pp->len, 0)) != 0)) {
		st->icmp_in_errors++;
		pkt_free_all(p);
		return;
	}
	switch (h.b[0]) {
	case ICMP_ECHO:
		if (h.b[1] == 0)
			echo_reply(p, &h);
		break;
	case ICMP_ECHOREPLY:
		(void)ping_deliver(p, hget16(&h, 4));
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAMETERPROB:
		icmp_error_rcv(p, &h);
		break;
	default:
		break;
	}
	pkt_free_all(p);
}

void icmp_send_error(struct pkt_ref orig, uint8_t type, uint8_t code)
{
	struct pkt *op = pkt_get(orig);
	if (!op || (op->flags & PKT_BCAST) || !ratelimit_ok(op->saddr))
		return;
	if (op->proto == IPPROTO_ICMP) {
		/* never an error about an error */
		struct hbuf t;
		if (pkt_peek(orig, 0, &t, 1) || (t.b[0] != ICMP_ECHO && t.b[0] != ICMP_ECHOREPLY))
			return;
	}
	struct pkt_ref ep;
	if (pkt_new(&ep))
		return;
	op = pkt_get(orig);
	uint32_t n = FW_MIN(op->len, 8U);
	/* the offending header as it arrived (without options) */
	struct hbuf ih = {0};
	ih.b[0] = 0x45;
	ih.b[1] = op->tos;
	hput16(&ih, 2, (uint16_t)(op->len + IP_HLEN));
	ih.b[8] = op->ttl;
	ih.b[9] = op->proto;
	hput32(&ih, 12, op->saddr);
	hput32(&ih, 16, op->daddr);
	uint32_t s = 0;
	for (uint32_t i = 0; i < IP_HLEN; i += 2)
		s += hget16(&ih, i);
	hput16(&ih, 10, csum_fold(s));
	struct hbuf h = {0};
	h.b[0] = type;
	h.b[1] = code;
	uint32_t dst = op->saddr, src = op->daddr;
	if (pkt_add_from(ep, orig, 0, n) || pkt_push(ep, &ih, IP_HLEN) || pkt_push(ep, &h, ICMP_HLEN) ||
	    icmp_finish(ep)) {
		pkt_free_all(ep);
		return;
	}
	net_stats()->icmp_out++;
	(void)ip_output(ep, src, dst, IPPROTO_ICMP, 0, 0xc0);
}
