/* IPv4 routing: local addresses (delivered through lo), directly
 * connected subnets of each interface, and one default route. Layer:
 * services (safe C). The table is small and fixed by configuration (lo
 * at boot, eth0 by the virtio-net driver), so lookups scan it. */
#include "net/inet/inet.h"

struct route_state {
	uint32_t default_if, default_gw;
};
FW_GLOBAL(struct route_state, route_state);

int route_init(void) { return 0; }

int route_set_default(uint32_t ifindex, uint32_t gw)
{
	if (!netdev_get(ifindex))
		return -ENODEV;
	route_state()->default_if = ifindex;
	route_state()->default_gw = gw;
	return 0;
}

uint32_t route_default_gw(void) { return route_state()->default_gw; }
uint32_t route_default_if(void) { return route_state()->default_if; }

static uint32_t lo_index(void)
{
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (d && d->kind == ND_LOOPBACK)
			return i;
	}
	return 0;
}

bool addr_is_local(uint32_t addr)
{
	if ((addr >> 24) == 127)
		return true;
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (d && d->addr && d->addr == addr)
			return true;
	}
	return false;
}

int route_lookup(uint32_t dst, struct route *rt)
{
	*rt = (struct route){0};
	if (addr_is_local(dst)) {
		struct netdev *lo = netdev_get(lo_index());
		if (!lo || !(lo->flags & IFF_UP))
			return -ENETUNREACH;
		rt->ifindex = lo->index;
		rt->src = dst;
		rt->nexthop = dst;
		rt->mtu = lo->mtu;
		rt->local = true;
		return 0;
	}
	if ((dst >> 28) == 0xe || dst == 0)
		return -ENETUNREACH;
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (!d || d->kind == ND_LOOPBACK || !d->addr || !(d->flags & IFF_UP))
			continue;
		uint32_t bcast = (d->addr & d->netmask) | ~d->netmask;
		if ((dst & d->netmask) == (d->addr & d->netmask) || dst == INADDR_BROADCAST) {
			rt->ifindex = i;
			rt->src = d->addr;
			rt->nexthop = dst;
			rt->mtu = d->mtu;
			rt->bcast = dst == bcast || dst == INADDR_BROADCAST;
			return 0;
		}
	}
	struct route_state *st = route_state();
	struct netdev *d = netdev_get(st->default_if);
	if (!d || !st->default_gw || !(d->flags & IFF_UP))
		return -ENETUNREACH;
	rt->ifindex = d->index;
	rt->src = d->addr;
	rt->nexthop = st->default_gw;
	rt->mtu = d->mtu;
	return 0;
}

int inet_iface_config(uint32_t ifindex, uint32_t addr, uint32_t prefix, uint32_t gw)
{
	struct netdev *d = netdev_get(ifindex);
	if (!d || prefix > 32)
		return -ENODEV;
	d->addr = addr;
	d->netmask = prefix ? ~0U << (32 - prefix) : 0;
	d->flags |= IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
	return gw ? route_set_default(ifindex, gw) : 0;
}
