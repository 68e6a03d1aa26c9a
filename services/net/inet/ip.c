/* IPv4 input and output. Layer: services (safe C). Input checks every
 * header field before anything above sees the packet (version, header
 * length, checksum, total length, addresses); fragments are dropped and
 * counted (Keel does not reassemble); packets for other hosts are
 * dropped (no forwarding). Output builds the header, routes, and hands
 * the packet to lo or to Ethernet. */
#include "net/inet/inet.h"

struct ip_state {
	uint16_t next_id;
};
FW_GLOBAL(struct ip_state, ip_state);

uint16_t ip_next_id(void) { return ++ip_state()->next_id; }

uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

static uint32_t hdr_sum(const struct hbuf *h, uint32_t n)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i + 1 < n && i + 1 < PKT_HDR; i += 2)
		s += hget16(h, i);
	return s;
}

static void drop(struct pkt_ref p, uint64_t *counter)
{
	(*counter)++;
	pkt_free_all(p);
}

/* Is a packet to dst ours to receive? */
static bool for_us(uint32_t dst, uint32_t ifindex)
{
	if (addr_is_local(dst) || dst == INADDR_BROADCAST)
		return true;
	struct netdev *d = netdev_get(ifindex);
	return d && d->addr && dst == ((d->addr & d->netmask) | ~d->netmask);
}

void ip_rcv(struct pkt_ref p)
{
	struct net_stats *st = net_stats();
	st->ip_in++;
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	if (!pp || pkt_peek(p, 0, &h, IP_HLEN)) {
		drop(p, &st->ip_in_hdr_errors);
		return;
	}
	uint32_t ihl = (h.b[0] & 15) * 4U, tot = hget16(&h, 2);
	if ((h.b[0] >> 4) != 4 || ihl < IP_HLEN || ihl > pp->len || tot < ihl || tot > pp->len) {
		drop(p, &st->ip_in_hdr_errors);
		return;
	}
	if (pkt_peek(p, 0, &h, ihl)) {
		drop(p, &st->ip_in_hdr_errors);
		return;
	}
	if (!(pp->flags & PKT_CSUM_OK) && csum_fold(hdr_sum(&h, ihl)) != 0) {
		drop(p, &st->ip_in_hdr_errors);
		return;
	}
	pkt_trim(p, tot);
	if (hget16(&h, 6) & 0x3fff) {
		drop(p, &st->ip_frag_dropped);
		return;
	}
	uint32_t src = hget32(&h, 12), dst = hget32(&h, 16);
	if (!for_us(dst, pp->ifindex)) {
		drop(p, &st->ip_in_addr_errors);
		return;
	}
	if (src == INADDR_BROADCAST || (src >> 28) == 0xe) {
		drop(p, &st->ip_in_addr_errors);
		return;
	}
	pp = pkt_get(p);
	pp->saddr = src;
	pp->daddr = dst;
	pp->proto = h.b[9];
	pp->ttl = h.b[8];
	pp->tos = h.b[1];
	pp->iphlen = ihl;
	if (dst == INADDR_BROADCAST || !addr_is_local(dst))
		pp->flags |= PKT_BCAST;
	uint8_t proto = h.b[9];
	bool raw = raw_deliver(p, proto);
	if (pkt_pull(p, ihl)) {
		drop(p, &st->ip_in_hdr_errors);
		return;
	}
	st->ip_in_delivers++;
	switch (proto) {
	case IPPROTO_ICMP:
		icmp_rcv(p);
		return;
	case IPPROTO_UDP:
		udp_rcv(p);
		return;
	case IPPROTO_TCP:
		tcp_rcv(p);
		return;
	default:
		if (!raw) {
			st->ip_in_unknown_proto++;
			icmp_send_error(p, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH);
		}
		pkt_free_all(p);
		return;
	}
}

/* Route, check the size and send a packet with its IP header in front. */
static int ip_send(struct pkt_ref p, const struct route *rt)
{
	struct pkt *pp = pkt_get(p);
	if (pp->len > rt->mtu) {
		pkt_free_all(p);
		return -EMSGSIZE;
	}
	net_stats()->ip_out++;
	if (rt->local || netdev_get(rt->ifindex)->kind == ND_LOOPBACK)
		return netdev_xmit(rt->ifindex, p);
	return ether_output(rt->ifindex, rt->nexthop, p);
}

int ip_output(struct pkt_ref p, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint8_t tos)
{
	struct route rt;
	int e = route_lookup(dst, &rt);
	if (e) {
		net_stats()->ip_out_no_routes++;
		pkt_free_all(p);
		return e;
	}
	struct pkt *pp = pkt_get(p);
	if (!pp || pkt_headroom(pp) < IP_HLEN) {
		pkt_free_all(p);
		return -EINVAL;
	}
	struct hbuf h = {0};
	h.b[0] = 0x45;
	h.b[1] = tos;
	hput16(&h, 2, (uint16_t)(pp->len + IP_HLEN));
	hput16(&h, 4, ip_next_id());
	hput16(&h, 6, 0x4000); /* DF: path MTU discovery, as Linux */
	h.b[8] = ttl ? ttl : IP_DEFAULT_TTL;
	h.b[9] = proto;
	hput32(&h, 12, src ? src : rt.src);
	hput32(&h, 16, dst);
	hput16(&h, 10, csum_fold(hdr_sum(&h, IP_HLEN)));
	if (pkt_push(p, &h, IP_HLEN)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	return ip_send(p, &rt);
}

int ip_output_raw(struct pkt_ref p)
{
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	if (!pp || pkt_peek(p, 0, &h, IP_HLEN)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	uint32_t ihl = (h.b[0] & 15) * 4U;
	if (ihl < IP_HLEN || ihl > pp->len || pkt_peek(p, 0, &h, ihl)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	struct route rt;
	uint32_t dst = hget32(&h, 16);
	int e = route_lookup(dst, &rt);
	if (e) {
		pkt_free_all(p);
		return e;
	}
	/* Linux fills in the total length and checksum always, the id and
	 * source when they are zero */
	hput16(&h, 2, (uint16_t)pp->len);
	if (!hget16(&h, 4))
		hput16(&h, 4, ip_next_id());
	if (!hget32(&h, 12))
		hput32(&h, 12, rt.src);
	hput16(&h, 10, 0);
	hput16(&h, 10, csum_fold(hdr_sum(&h, ihl)));
	if (pkt_pull(p, ihl) || pkt_push(p, &h, ihl)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	return ip_send(p, &rt);
}
