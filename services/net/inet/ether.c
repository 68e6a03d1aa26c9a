/* Ethernet framing and ARP (RFC 826) for IPv4 over Ethernet devices.
 * Layer: services (safe C). The neighbour cache is a small fixed table:
 * an unresolved next hop queues at most ARP_QUEUE packets while up to
 * ARP_TRIES requests go out a second apart, then they are dropped (and
 * counted). Every field of an arriving frame is checked before use. */
#include "net/inet/inet.h"
#include <fw/time.h>

#define ARP_ENTRIES 64
#define ARP_QUEUE 3
#define ARP_TRIES 3
#define ARP_RETRY_NS 1000000000ULL
#define ARP_REACHABLE_NS (60ULL * 1000000000ULL)
#define ARP_HLEN 28
#define ARPHRD_ETHER_HW 1
#define ARPOP_REQUEST 1
#define ARPOP_REPLY 2

enum arp_state { ARP_FREE, ARP_INCOMPLETE, ARP_REACHABLE, ARP_FAILED };

struct arp_entry {
	uint32_t state;
	uint32_t ifindex, ip;
	uint8_t mac[ETH_ALEN];
	uint64_t expires; /* reachable until / next retry at */
	uint32_t tries;
	struct pktq pending;
};

FW_POOL_REF(arpent);
FW_POOL_PRIVATE(arpent, struct arp_entry);

struct arp_table {
	struct arpent_ref e[ARP_ENTRIES];
	struct fw_timer_ref timer;
	bool timer_ok;
	uint64_t dropped;
};
FW_GLOBAL(struct arp_table, arp_table);

static const uint8_t bcast_mac[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static int push_ether(struct pkt_ref p, const struct netdev *d, const uint8_t (*dst)[ETH_ALEN], uint16_t type)
{
	struct hbuf h = {0};
	for (uint32_t i = 0; i < ETH_ALEN; i++) {
		h.b[i] = (*dst)[i];
		h.b[ETH_ALEN + i] = d->hwaddr[i];
	}
	hput16(&h, 12, type);
	return pkt_push(p, &h, ETH_HLEN);
}

static void send_arp(uint32_t ifindex, uint16_t op, const uint8_t (*tha)[ETH_ALEN], uint32_t tip)
{
	struct netdev *d = netdev_get(ifindex);
	struct pkt_ref p;
	if (!d || pkt_new(&p))
		return;
	struct hbuf h = {0};
	hput16(&h, 0, ARPHRD_ETHER_HW);
	hput16(&h, 2, ETH_P_IP);
	h.b[4] = ETH_ALEN;
	h.b[5] = 4;
	hput16(&h, 6, op);
	for (uint32_t i = 0; i < ETH_ALEN; i++) {
		h.b[8 + i] = d->hwaddr[i];
		h.b[18 + i] = op == ARPOP_REPLY ? (*tha)[i] : 0;
	}
	hput32(&h, 14, d->addr);
	hput32(&h, 24, tip);
	if (pkt_push(p, &h, ARP_HLEN) || push_ether(p, d, op == ARPOP_REPLY ? tha : &bcast_mac, ETH_P_ARP)) {
		pkt_free_all(p);
		return;
	}
	(void)netdev_xmit(ifindex, p);
}

static void arp_timer(uint64_t cookie);

static void arm_timer(uint64_t at)
{
	struct arp_table *t = arp_table();
	if (!t->timer_ok) {
		if (fw_timer_create(arp_timer, 0, &t->timer))
			return;
		t->timer_ok = true;
	}
	uint64_t rem, per;
	if (fw_timer_get(t->timer, &rem, &per) == 0 && rem && fw_time_monotonic_ns() + rem <= at)
		return;
	(void)fw_timer_arm(t->timer, at, 0);
}

static void arp_timer(uint64_t cookie)
{
	struct arp_table *t = arp_table();
	uint64_t now = fw_time_monotonic_ns(), next = 0;
	for (uint32_t i = 0; i < ARP_ENTRIES; i++) {
		t = arp_table();
		struct arp_entry *e = arpent_get(t->e[i]);
		if (!e || e->state != ARP_INCOMPLETE)
			continue;
		if (e->expires > now) {
			next = next && next < e->expires ? next : e->expires;
			continue;
		}
		if (e->tries >= ARP_TRIES) {
			t->dropped += e->pending.count;
			pktq_purge(&e->pending);
			e->state = ARP_FAILED;
			e->expires = now + ARP_RETRY_NS;
			continue;
		}
		e->tries++;
		e->expires = now + ARP_RETRY_NS;
		next = next && next < e->expires ? next : e->expires;
		send_arp(e->ifindex, ARPOP_REQUEST, &bcast_mac, e->ip);
	}
	if (next)
		arm_timer(next);
}

/* The entry for (ifindex, ip), or a new one (reusing the stalest). */
static struct arp_entry *find_entry(uint32_t ifindex, uint32_t ip, bool create)
{
	struct arp_table *t = arp_table();
	int free_slot = -1, oldest = -1;
	uint64_t oldest_exp = UINT64_MAX;
	for (uint32_t i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = arpent_get(t->e[i]);
		if (!e || e->state == ARP_FREE) {
			if (free_slot < 0)
				free_slot = (int)i;
			continue;
		}
		if (e->ip == ip && e->ifindex == ifindex)
			return arpent_get(t->e[i]);
		if (e->expires < oldest_exp) {
			oldest_exp = e->expires;
			oldest = (int)i;
		}
	}
	if (!create)
		return NULL;
	int s = free_slot >= 0 ? free_slot : oldest;
	if (s < 0)
		return NULL;
	if (!arpent_ref_valid(t->e[s])) {
		struct arpent_ref nr;
		if (arpent_alloc(&nr))
			return NULL;
		t->e[s] = nr;
	}
	struct arp_entry *e = arpent_get(t->e[s]);
	pktq_purge(&e->pending);
	e->state = ARP_INCOMPLETE;
	e->ifindex = ifindex;
	e->ip = ip;
	e->tries = 0;
	e->expires = 0;
	return arpent_get(t->e[s]);
}

int ether_output(uint32_t ifindex, uint32_t nexthop, struct pkt_ref p)
{
	struct netdev *d = netdev_get(ifindex);
	if (!d) {
		pkt_free_all(p);
		return -ENODEV;
	}
	uint32_t bcast = (d->addr & d->netmask) | ~d->netmask;
	if (nexthop == INADDR_BROADCAST || nexthop == bcast) {
		if (push_ether(p, d, &bcast_mac, ETH_P_IP)) {
			pkt_free_all(p);
			return -EINVAL;
		}
		return netdev_xmit(ifindex, p);
	}
	uint64_t now = fw_time_monotonic_ns();
	struct arp_entry *e = find_entry(ifindex, nexthop, true);
	struct arp_table *t = arp_table();
	if (!e) {
		t->dropped++;
		pkt_free_all(p);
		return -ENOBUFS;
	}
	if (e->state == ARP_REACHABLE && e->expires > now) {
		uint8_t mac[ETH_ALEN];
		for (uint32_t k = 0; k < ETH_ALEN; k++)
			mac[k] = e->mac[k];
		if (push_ether(p, d, &mac, ETH_P_IP)) {
			pkt_free_all(p);
			return -EINVAL;
		}
		return netdev_xmit(ifindex, p);
	}
	if (e->state == ARP_FAILED && e->expires > now) {
		pkt_free_all(p);
		return -EHOSTUNREACH;
	}
	if (e->state != ARP_INCOMPLETE) {
		e->state = ARP_INCOMPLETE;
		e->tries = 0;
		e->expires = 0;
	}
	if (e->pending.count >= ARP_QUEUE) {
		t->dropped++;
		pkt_free_all(pktq_pop(&e->pending));
	}
	pktq_tail(&e->pending, p);
	if (e->expires <= now) {
		e->tries++;
		e->expires = now + ARP_RETRY_NS;
		send_arp(ifindex, ARPOP_REQUEST, &bcast_mac, nexthop);
		arm_timer(now + ARP_RETRY_NS);
	}
	return 0;
}

/* A mapping learned: remember it and send what waited for it. */
static void arp_learn(uint32_t ifindex, uint32_t ip, const uint8_t (*mac)[ETH_ALEN], bool create)
{
	struct arp_entry *e = find_entry(ifindex, ip, create);
	if (!e)
		return;
	for (uint32_t k = 0; k < ETH_ALEN; k++)
		e->mac[k] = (*mac)[k];
	e->state = ARP_REACHABLE;
	e->expires = fw_time_monotonic_ns() + ARP_REACHABLE_NS;
	struct netdev *d = netdev_get(ifindex);
	for (;;) {
		struct pkt_ref p = pktq_pop(&e->pending);
		if (!pkt_ref_valid(p))
			break;
		if (!d || push_ether(p, d, mac, ETH_P_IP)) {
			pkt_free_all(p);
			continue;
		}
		(void)netdev_xmit(ifindex, p);
	}
}

static void arp_rcv(struct pkt_ref p)
{
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	struct netdev *d = pp ? netdev_get(pp->ifindex) : NULL;
	if (!d || pkt_peek(p, 0, &h, ARP_HLEN) || hget16(&h, 0) != ARPHRD_ETHER_HW || hget16(&h, 2) != ETH_P_IP ||
	    h.b[4] != ETH_ALEN || h.b[5] != 4) {
		pkt_free_all(p);
		return;
	}
	uint16_t op = hget16(&h, 6);
	uint32_t sip = hget32(&h, 14), tip = hget32(&h, 24);
	uint8_t sha[ETH_ALEN];
	for (uint32_t i = 0; i < ETH_ALEN; i++)
		sha[i] = h.b[8 + i];
	uint32_t ifindex = d->index;
	bool for_me = d->addr && tip == d->addr;
	pkt_free_all(p);
	if (sip == 0 || (sha[0] & 1))
		return;
	arp_learn(ifindex, sip, &sha, for_me);
	if (op == ARPOP_REQUEST && for_me)
		send_arp(ifindex, ARPOP_REPLY, &sha, sip);
}

void ether_rcv(struct pkt_ref p)
{
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	struct netdev *d = pp ? netdev_get(pp->ifindex) : NULL;
	if (!d || pkt_peek(p, 0, &h, ETH_HLEN)) {
		pkt_free_all(p);
		return;
	}
	bool bcast = true, mine = true;
	for (uint32_t i = 0; i < ETH_ALEN; i++) {
		bcast = bcast && h.b[i] == 0xff;
		mine = mine && h.b[i] == d->hwaddr[i];
	}
	uint16_t type = hget16(&h, 12);
	if ((!bcast && !mine) || pkt_pull(p, ETH_HLEN)) {
		pkt_free_all(p);
		return;
	}
	if (bcast)
		pkt_get(p)->flags |= PKT_BCAST;
	if (type == ETH_P_IP)
		ip_rcv(p);
	else if (type == ETH_P_ARP)
		arp_rcv(p);
	else
		pkt_free_all(p);
}
