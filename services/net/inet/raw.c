/* Raw IPv4 sockets (root only, as Linux's CAP_NET_RAW: every packet of
 * their protocol, IP header included; IPPROTO_RAW / IP_HDRINCL send a
 * header the user wrote) and ICMP datagram ("ping") sockets (echo
 * requests whose identifier the kernel owns, replies matched to it).
 * Layer: services (safe C). */
#include "net/inet/inet.h"

#define ICMP_FILTER_TYPES 32

int raw_init(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	int e = inet_init_common(s, (uint8_t)sk->protocol);
	if (e)
		return e;
	struct inet_ref in = sock_get(s)->in;
	inet_get(in)->hdrincl = sk->protocol == IPPROTO_RAW;
	raw_link(in);
	return 0;
}

int ping_init(struct sock_ref s)
{
	/* net.ipv4.ping_group_range is "0 2147483647" on Keel: every group */
	return inet_init_common(s, IPPROTO_ICMP);
}

bool raw_deliver(struct pkt_ref p, uint8_t proto)
{
	bool taken = false;
	struct pkt *pp = pkt_get(p);
	uint32_t src = pp->saddr, dst = pp->daddr;
	struct hbuf ih;
	bool icmp_type_known = proto == IPPROTO_ICMP && pp->len > pp->iphlen && pkt_peek(p, pp->iphlen, &ih, 1) == 0;
	for (struct inet_ref r = raw_next(proto, (struct inet_ref){0}); inet_ref_valid(r); r = raw_next(proto, r)) {
		struct inet *ip = inet_get(r);
		if ((ip->laddr && ip->laddr != dst) || (ip->connected && ip->raddr != src))
			continue;
		if (icmp_type_known && ih.b[0] < ICMP_FILTER_TYPES && (ip->icmp_filter & (1U << ih.b[0])))
			continue;
		struct pkt_ref c;
		if (pkt_copy(p, &c))
			break;
		taken = true;
		(void)dgram_queue(r, c);
	}
	return taken;
}

bool ping_deliver(struct pkt_ref p, uint16_t id)
{
	struct inet_ref in = ping_lookup(id);
	struct inet *ip = inet_get(in);
	struct pkt *pp = pkt_get(p);
	if (!ip || !pp || (ip->laddr && ip->laddr != pp->daddr))
		return false;
	struct pkt_ref c;
	if (pkt_copy(p, &c))
		return false;
	(void)dgram_queue(in, c);
	return true;
}

/* An ICMP echo request from a ping socket: the kernel sets the
 * identifier and the checksum. */
static int64_t ping_send(struct inet_ref in, struct sock_msg *m, uint32_t dst)
{
	uint64_t len = m->data.resid;
	if (len < ICMP_HLEN)
		return -EINVAL;
	if (len > 0xffff - IP_HLEN)
		return -EMSGSIZE;
	struct inet *ip = inet_get(in);
	if (!ip->bound) {
		int e = port_bind(in, 0, 0);
		if (e)
			return e;
	}
	struct pkt_ref p;
	int e = pkt_new(&p);
	if (e)
		return e;
	e = pkt_add_uio(p, &m->data, (uint32_t)len);
	struct hbuf h;
	if (e == 0)
		e = pkt_peek(p, 0, &h, ICMP_HLEN);
	if (e == 0 && (h.b[0] != ICMP_ECHO || h.b[1] != 0))
		e = -EINVAL;
	if (e) {
		pkt_free_all(p);
		return e;
	}
	ip = inet_get(in);
	hput16(&h, 2, 0);
	hput16(&h, 4, ip->lport);
	if (pkt_pull(p, ICMP_HLEN) || pkt_push(p, &h, ICMP_HLEN)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	hput16(&h, 2, csum_fold(pkt_csum(p, 0, (uint32_t)len, 0)));
	if (pkt_pull(p, ICMP_HLEN) || pkt_push(p, &h, ICMP_HLEN)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	net_stats()->icmp_out++;
	e = ip_output(p, ip->laddr, dst, IPPROTO_ICMP, ip->ttl, ip->tos);
	return e ? e : (int64_t)len;
}

int64_t raw_send(struct sock_ref s, struct inet_ref in, struct sock_msg *m, uint32_t dst)
{
	struct inet *ip = inet_get(in);
	if (ip->kind == SK_PING)
		return ping_send(in, m, dst);
	uint64_t len = m->data.resid;
	if (len > 0xffff - (ip->hdrincl ? 0 : IP_HLEN))
		return -EMSGSIZE;
	struct pkt_ref p;
	int e = pkt_new(&p);
	if (e)
		return e;
	e = pkt_add_uio(p, &m->data, (uint32_t)len);
	if (e) {
		pkt_free_all(p);
		return e;
	}
	ip = inet_get(in);
	if (ip->hdrincl) {
		if (len < IP_HLEN) {
			pkt_free_all(p);
			return -EINVAL;
		}
		/* the header must be linear: move it out of the fragment */
		struct hbuf h;
		struct hbuf first;
		if (pkt_peek(p, 0, &first, 1) || pkt_peek(p, 0, &h, FW_MIN((uint32_t)len, (first.b[0] & 15) * 4U))) {
			pkt_free_all(p);
			return -EINVAL;
		}
		uint32_t ihl = FW_MIN((uint32_t)len, (first.b[0] & 15) * 4U);
		if (pkt_pull(p, ihl) || pkt_push(p, &h, ihl)) {
			pkt_free_all(p);
			return -EINVAL;
		}
		e = ip_output_raw(p);
	} else {
		e = ip_output(p, ip->laddr, dst, ip->proto, ip->ttl, ip->tos);
	}
	return e ? e : (int64_t)len;
}
