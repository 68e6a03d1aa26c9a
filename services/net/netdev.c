/* The interface table, transmit and the receive backlog (see netdev.h).
 * Layer: services (safe C). Trusts drivers to hand over whole packets;
 * everything in a packet is checked by the protocol that parses it. */
#include "net/netdev.h"

FW_POOL_REF(ndev);
FW_POOL_PRIVATE(ndev, struct netdev);

struct netdev_table {
	struct ndev_ref dev[NETDEV_MAX];
	struct pktq backlog;
	bool draining;
	/* the network layer's input (registered by IPv4 at boot) */
	void (*l3_rcv)(struct pkt_ref p);                             /* a packet starting with its IP header */
	void (*ether_rcv)(struct pkt_ref p);                          /* a frame starting with its Ethernet header */
	void (*tap)(struct pkt_ref p, uint32_t ifindex, bool framed); /* packet sockets */
};
FW_GLOBAL(struct netdev_table, netdev_table);

static int ether_dev_xmit(uint32_t ifindex, struct pkt_ref p);

static const struct netdev_ops ops_by_kind[ND_KIND_MAX] = {
        [ND_LOOPBACK] = {lo_xmit},
        [ND_ETHER] = {ether_dev_xmit},
};

/* An Ethernet device's transmit: its driver's. */
static int ether_dev_xmit(uint32_t ifindex, struct pkt_ref p)
{
	struct netdev *d = netdev_get(ifindex);
	if (!d || !d->xmit) {
		pkt_free_all(p);
		return -ENODEV;
	}
	return d->xmit(d->unit, p);
}

struct netdev *netdev_get(uint32_t ifindex)
{
	struct netdev_table *t = netdev_table();
	if (ifindex == 0 || ifindex > NETDEV_MAX)
		return NULL;
	return ndev_get(t->dev[ifindex - 1]);
}

static bool name_eq(const char (*a)[IFNAMSIZ], const char (*b)[IFNAMSIZ])
{
	for (uint32_t i = 0; i < IFNAMSIZ; i++) {
		if ((*a)[i] != (*b)[i])
			return false;
		if (!(*a)[i])
			return true;
	}
	return true;
}

struct netdev *netdev_by_name(const char (*name)[IFNAMSIZ])
{
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (d && name_eq(&d->name, name))
			return d;
	}
	return NULL;
}

int netdev_register(uint32_t kind, const char (*name)[IFNAMSIZ], uint32_t mtu)
{
	struct netdev_table *t = netdev_table();
	for (uint32_t i = 0; i < NETDEV_MAX; i++) {
		if (ndev_ref_valid(t->dev[i]))
			continue;
		struct ndev_ref nr;
		if (ndev_alloc(&nr))
			return -ENOMEM;
		t->dev[i] = nr;
		struct netdev *d = ndev_get(t->dev[i]);
		d->present = true;
		d->kind = kind;
		for (uint32_t k = 0; k < IFNAMSIZ; k++)
			d->name[k] = (*name)[k];
		d->name[IFNAMSIZ - 1] = 0;
		d->index = i + 1;
		d->mtu = mtu;
		d->txqlen = 1000;
		return (int)(i + 1);
	}
	return -ENOSPC;
}

int netdev_register_ether(const uint8_t (*mac)[ETH_ALEN], uint32_t mtu, int (*xmit)(uint32_t unit, struct pkt_ref p),
                          uint32_t unit)
{
	uint32_t n = 0;
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		n += d && d->kind == ND_ETHER;
	}
	char name[IFNAMSIZ] = "eth0";
	name[3] = (char)('0' + n % 10);
	int idx = netdev_register(ND_ETHER, &name, mtu);
	if (idx < 0)
		return idx;
	struct netdev *d = netdev_get((uint32_t)idx);
	for (uint32_t i = 0; i < ETH_ALEN; i++)
		d->hwaddr[i] = (*mac)[i];
	d->type = ARPHRD_ETHER;
	d->flags = IFF_BROADCAST | IFF_MULTICAST;
	d->xmit = xmit;
	d->unit = unit;
	return idx;
}

int netdev_xmit(uint32_t ifindex, struct pkt_ref p)
{
	struct netdev *d = netdev_get(ifindex);
	struct pkt *pp = pkt_get(p);
	if (!d || !pp || !(d->flags & IFF_UP)) {
		if (d)
			d->tx_dropped++;
		pkt_free_all(p);
		return -ENETDOWN;
	}
	d->tx_packets++;
	d->tx_bytes += pp->len;
	pp->ifindex = ifindex;
	return ops_by_kind[d->kind].xmit(ifindex, p);
}

void netdev_rx(uint32_t ifindex, struct pkt_ref p)
{
	struct netdev_table *t = netdev_table();
	struct netdev *d = netdev_get(ifindex);
	struct pkt *pp = pkt_get(p);
	if (!d || !pp || !(d->flags & IFF_UP) || t->backlog.count >= BACKLOG_MAX) {
		if (d)
			d->rx_dropped++;
		pkt_free_all(p);
		return;
	}
	d->rx_packets++;
	d->rx_bytes += pp->len;
	pp->ifindex = ifindex;
	pktq_tail(&t->backlog, p);
	net_rx_drain();
}

/* One received packet: strip the link layer and hand it up. */
static void rx_one(struct pkt_ref p)
{
	struct pkt *pp = pkt_get(p);
	struct netdev *d = pp ? netdev_get(pp->ifindex) : NULL;
	if (!d) {
		pkt_free_all(p);
		return;
	}
	struct netdev_table *t = netdev_table();
	bool framed = d->kind != ND_LOOPBACK || (pp->flags & PKT_FRAMED);
	if (t->tap)
		t->tap(p, pp->ifindex, framed);
	void (*up)(struct pkt_ref) = framed ? t->ether_rcv : t->l3_rcv;
	if (!up) {
		d->rx_dropped++;
		pkt_free_all(p);
		return;
	}
	up(p);
}

void netdev_set_tap(void (*tap)(struct pkt_ref p, uint32_t ifindex, bool framed)) { netdev_table()->tap = tap; }

void netdev_set_input(void (*l3_rcv)(struct pkt_ref p), void (*ether_rcv)(struct pkt_ref p))
{
	netdev_table()->l3_rcv = l3_rcv;
	netdev_table()->ether_rcv = ether_rcv;
}

void net_rx_drain(void)
{
	struct netdev_table *t = netdev_table();
	if (t->draining)
		return;
	t->draining = true;
	for (;;) {
		struct pkt_ref p = pktq_pop(&netdev_table()->backlog);
		if (!pkt_ref_valid(p))
			break;
		rx_one(p);
	}
	netdev_table()->draining = false;
}

int net_init(void)
{
	const char lo[IFNAMSIZ] = "lo";
	int idx = netdev_register(ND_LOOPBACK, &lo, 65536);
	if (idx < 0)
		return idx;
	struct netdev *d = netdev_get((uint32_t)idx);
	d->type = ARPHRD_LOOPBACK;
	d->flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP;
	d->addr = 0x7f000001;
	d->netmask = 0xff000000;
	int e = sock_file_init();
	const char dev[12] = "dev";
	if (e == 0)
		e = procfs_net_register(&dev, netdev_proc);
	return e;
}

void netdev_proc(struct ptext *t)
{
	PT_LIT(t, "Inter-|   Receive                                                |  Transmit\n");
	PT_LIT(t, " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
	          "colls carrier compressed\n");
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (!d)
			continue;
		uint32_t n = 0;
		while (n < IFNAMSIZ && d->name[n])
			n++;
		for (uint32_t k = n; k < 6; k++)
			pt_char(t, ' ');
		for (uint32_t k = 0; k < n; k++)
			pt_char(t, d->name[k]);
		pt_char(t, ':');
		uint64_t v[16] = {d->rx_bytes, d->rx_packets, d->rx_errors, d->rx_dropped, 0, 0, 0, 0,
		                  d->tx_bytes, d->tx_packets, d->tx_errors, d->tx_dropped, 0, 0, 0, 0};
		const uint32_t w[16] = {8, 7, 4, 4, 4, 5, 10, 9, 8, 7, 4, 4, 4, 5, 7, 10};
		for (uint32_t k = 0; k < 16; k++) {
			if (k)
				pt_char(t, ' ');
			pt_u64w(t, v[k], w[k]);
		}
		pt_char(t, '\n');
	}
}
