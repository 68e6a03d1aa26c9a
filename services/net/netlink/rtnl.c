/* rtnetlink: dumps of links (RTM_NEWLINK), IPv4 addresses (RTM_NEWADDR)
 * and the main routing table (RTM_NEWROUTE), built from the interface
 * and route tables in Linux's message layout; other requests are
 * answered with an NLMSG_ERROR (EOPNOTSUPP), or an empty dump. Layer:
 * services (safe C). */
#include "net/netlink/netlink.h"
#include "net/inet/inet.h"

#define NLMSG_HDRLEN 16
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_QDISC 6
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE 17
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_FLAGS 8
#define IFA_F_PERMANENT 0x80
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define RT_TABLE_MAIN 254
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RTN_UNICAST 1
#define IF_OPER_UNKNOWN 0
#define IF_OPER_UP 6

static void put_le32(struct hbuf *h, uint32_t at, uint32_t v)
{
	for (uint32_t i = 0; i < 4; i++)
		h->b[(at + i) % PKT_HDR] = (uint8_t)(v >> (8 * i));
}

void nlb_put(struct nlb *b, const struct hbuf *h, uint32_t n)
{
	uint32_t padded = (n + 3) & ~3U;
	if (b->overflow || b->len + padded > NLB_MAX || n > PKT_HDR) {
		b->overflow = true;
		return;
	}
	for (uint32_t i = 0; i < padded; i++)
		b->b[b->len + i] = i < n ? h->b[i] : 0;
	b->len += padded;
}

void nlb_begin(struct nlb *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t portid)
{
	struct hbuf h = {0};
	put_le32(&h, 0, 0);
	h.b[4] = (uint8_t)type;
	h.b[5] = (uint8_t)(type >> 8);
	h.b[6] = (uint8_t)flags;
	h.b[7] = (uint8_t)(flags >> 8);
	put_le32(&h, 8, seq);
	put_le32(&h, 12, portid);
	b->msg_start = b->len;
	nlb_put(b, &h, NLMSG_HDRLEN);
}

void nlb_end(struct nlb *b)
{
	if (b->overflow || b->msg_start + 4 > NLB_MAX)
		return;
	uint32_t len = b->len - b->msg_start;
	for (uint32_t i = 0; i < 4; i++)
		b->b[b->msg_start + i] = (uint8_t)(len >> (8 * i));
}

void nlb_attr(struct nlb *b, uint16_t type, const struct hbuf *h, uint32_t n)
{
	struct hbuf a = {0};
	if (n + 4 > PKT_HDR) {
		b->overflow = true;
		return;
	}
	a.b[0] = (uint8_t)(n + 4);
	a.b[1] = (uint8_t)((n + 4) >> 8);
	a.b[2] = (uint8_t)type;
	a.b[3] = (uint8_t)(type >> 8);
	for (uint32_t i = 0; i < n; i++)
		a.b[4 + i] = h->b[i];
	nlb_put(b, &a, n + 4);
}

void nlb_attr_u32(struct nlb *b, uint16_t type, uint32_t v)
{
	struct hbuf h = {0};
	put_le32(&h, 0, v);
	nlb_attr(b, type, &h, 4);
}

static void attr_u8(struct nlb *b, uint16_t type, uint8_t v)
{
	struct hbuf h = {0};
	h.b[0] = v;
	nlb_attr(b, type, &h, 1);
}

static void attr_addr(struct nlb *b, uint16_t type, uint32_t addr)
{
	struct hbuf h = {0};
	hput32(&h, 0, addr); /* network byte order */
	nlb_attr(b, type, &h, 4);
}

void nlb_attr_str(struct nlb *b, uint16_t type, const char (*s)[IFNAMSIZ])
{
	struct hbuf h = {0};
	uint32_t n = 0;
	while (n < IFNAMSIZ - 1 && (*s)[n]) {
		h.b[n] = (uint8_t)(*s)[n];
		n++;
	}
	nlb_attr(b, type, &h, n + 1);
}

/* Send what is built so far if a message of up to 512 bytes may not fit. */
static void maybe_flush(struct nlsock_ref n, struct nlb *b)
{
	if (b->len + 512 > NLB_MAX) {
		(void)nl_deliver(n, b);
		b->len = 0;
	}
}

static void link_msg(struct nlb *b, const struct netdev *d, uint32_t seq, uint32_t portid)
{
	nlb_begin(b, RTM_NEWLINK, NLM_F_MULTI, seq, portid);
	struct hbuf h = {0};
	h.b[0] = AF_UNSPEC;
	h.b[2] = (uint8_t)d->type;
	h.b[3] = (uint8_t)(d->type >> 8);
	put_le32(&h, 4, d->index);
	put_le32(&h, 8, d->flags);
	put_le32(&h, 12, 0);
	nlb_put(b, &h, 16);
	nlb_attr_str(b, IFLA_IFNAME, &d->name);
	nlb_attr_u32(b, IFLA_TXQLEN, d->txqlen);
	attr_u8(b, IFLA_OPERSTATE, d->kind == ND_LOOPBACK ? IF_OPER_UNKNOWN : (d->flags & IFF_UP) ? IF_OPER_UP : 2);
	attr_u8(b, IFLA_LINKMODE, 0);
	nlb_attr_u32(b, IFLA_MTU, d->mtu);
	const char noqueue[IFNAMSIZ] = "noqueue", fifo[IFNAMSIZ] = "pfifo_fast";
	if (d->kind == ND_LOOPBACK)
		nlb_attr_str(b, IFLA_QDISC, &noqueue);
	else
		nlb_attr_str(b, IFLA_QDISC, &fifo);
	struct hbuf mac = {0}, bc = {0};
	for (uint32_t i = 0; i < ETH_ALEN; i++) {
		mac.b[i] = d->hwaddr[i];
		bc.b[i] = d->kind == ND_LOOPBACK ? 0 : 0xff;
	}
	nlb_attr(b, IFLA_ADDRESS, &mac, ETH_ALEN);
	nlb_attr(b, IFLA_BROADCAST, &bc, ETH_ALEN);
	nlb_end(b);
}

static uint8_t prefix_len(uint32_t mask)
{
	uint8_t n = 0;
	while (n < 32 && (mask & (0x80000000U >> n)))
		n++;
	return n;
}

static void addr_msg(struct nlb *b, const struct netdev *d, uint32_t seq, uint32_t portid)
{
	nlb_begin(b, RTM_NEWADDR, NLM_F_MULTI, seq, portid);
	struct hbuf h = {0};
	h.b[0] = AF_INET;
	h.b[1] = prefix_len(d->netmask);
	h.b[2] = IFA_F_PERMANENT;
	h.b[3] = (d->addr >> 24) == 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	put_le32(&h, 4, d->index);
	nlb_put(b, &h, 8);
	attr_addr(b, IFA_ADDRESS, d->addr);
	attr_addr(b, IFA_LOCAL, d->addr);
	if (d->kind != ND_LOOPBACK)
		attr_addr(b, IFA_BROADCAST, d->addr | ~d->netmask);
	nlb_attr_str(b, IFA_LABEL, &d->name);
	nlb_attr_u32(b, IFA_FLAGS, IFA_F_PERMANENT);
	nlb_end(b);
}

static void route_msg(struct nlb *b, uint32_t seq, uint32_t portid, uint32_t dst, uint8_t dst_len, uint32_t gw,
		      uint32_t oif, uint32_t src)
{
	nlb_begin(b, RTM_NEWROUTE, NLM_F_MULTI, seq, portid);
	struct hbuf h = {0};
	h.b[0] = AF_INET;
	h.b[1] = dst_len;
	h.b[4] = RT_TABLE_MAIN;
	h.b[5] = gw ? RTPROT_BOOT : RTPROT_KERNEL;
	h.b[6] = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	h.b[7] = RTN_UNICAST;
	nlb_put(b, &h, 12);
	nlb_attr_u32(b, RTA_TABLE, RT_TABLE_MAIN);
	if (dst_len)
		attr_addr(b, RTA_DST, dst);
	if (gw)
		attr_addr(b, RTA_GATEWAY, gw);
	if (src && !gw)
		attr_addr(b, RTA_PREFSRC, src);
	nlb_attr_u32(b, RTA_OIF, oif);
	nlb_end(b);
}

static void dump(struct nlsock_ref n, struct nlb *b, uint16_t type, uint32_t seq, uint32_t portid, uint32_t family)
{
	if (type == RTM_GETROUTE && (family == AF_INET || family == AF_UNSPEC)) {
		uint32_t gw = route_default_gw();
		struct netdev *dd = netdev_get(route_default_if());
		if (dd && gw)
			route_msg(b, seq, portid, 0, 0, gw, dd->index, 0);
	}
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (!d)
			continue;
		maybe_flush(n, b);
		if (type == RTM_GETLINK)
			link_msg(b, d, seq, portid);
		else if (type == RTM_GETADDR && d->addr && (family == AF_INET || family == AF_UNSPEC))
			addr_msg(b, d, seq, portid);
		else if (type == RTM_GETROUTE && d->addr && d->kind != ND_LOOPBACK && (d->flags & IFF_UP) &&
			 (family == AF_INET || family == AF_UNSPEC))
			route_msg(b, seq, portid, d->addr & d->netmask, prefix_len(d->netmask), 0, d->index, d->addr);
	}
	maybe_flush(n, b);
	nlb_begin(b, NLMSG_DONE, NLM_F_MULTI, seq, portid);
	struct hbuf z = {0};
	nlb_put(b, &z, 4);
	nlb_end(b);
}

static void error_msg(struct nlb *b, int32_t err, uint16_t type, uint16_t flags, uint32_t seq, uint32_t portid)
{
	nlb_begin(b, NLMSG_ERROR, 0, seq, portid);
	struct hbuf h = {0};
	put_le32(&h, 0, (uint32_t)err);
	put_le32(&h, 4, NLMSG_HDRLEN);
	h.b[8] = (uint8_t)type;
	h.b[9] = (uint8_t)(type >> 8);
	h.b[10] = (uint8_t)flags;
	h.b[11] = (uint8_t)(flags >> 8);
	put_le32(&h, 12, seq);
	put_le32(&h, 16, portid);
	nlb_put(b, &h, 20);
	nlb_end(b);
}

void rtnl_request(struct nlsock_ref n, struct nlb_ref out, uint16_t type, uint16_t flags, uint32_t seq,
		  uint32_t family)
{
	struct nlb *b = nlb_get(out);
	struct nlsock *np = nlsock_get(n);
	if (!b || !np)
		return;
	uint32_t portid = np->portid;
	b->len = 0;
	b->overflow = false;
	bool is_get = type == RTM_GETLINK || type == RTM_GETADDR || type == RTM_GETROUTE || type == RTM_GETNEIGH ||
		      type == RTM_GETRULE || type == RTM_GETQDISC;
	if (is_get && (flags & NLM_F_DUMP) == NLM_F_DUMP) {
		if (type == RTM_GETLINK || type == RTM_GETADDR || type == RTM_GETROUTE) {
			dump(n, b, type, seq, portid, family);
		} else {
			nlb_begin(b, NLMSG_DONE, NLM_F_MULTI, seq, portid);
			struct hbuf z = {0};
			nlb_put(b, &z, 4);
			nlb_end(b);
		}
	} else {
		error_msg(b, -EOPNOTSUPP, type, flags, seq, portid);
	}
	(void)nl_deliver(n, b);
}
