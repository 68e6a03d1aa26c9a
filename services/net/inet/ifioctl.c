/* Interface requests (SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFADDR, ... as
 * ifconfig and libc's if_nametoindex use them), on any socket.
 * Layer: services (safe C). Every request names its interface by a
 * NUL-terminated name in a fixed 16-byte field; a missing one is ENODEV. */
#include "net/inet/inet.h"
#include "proc/proc.h"

#define IFREQ_SIZE 40

static void put_sin(struct linux_ifreq *r, uint32_t addr)
{
	struct sockaddr_k a;
	sin_make(&a, addr, 0);
	for (uint32_t i = 0; i < 16; i++)
		r->ifr_u[i] = a.b[i];
}

static uint32_t get_sin(const struct linux_ifreq *r)
{
	return ((uint32_t)r->ifr_u[4] << 24) | ((uint32_t)r->ifr_u[5] << 16) | ((uint32_t)r->ifr_u[6] << 8) |
	       r->ifr_u[7];
}

static void put_int(struct linux_ifreq *r, int32_t v)
{
	for (uint32_t i = 0; i < 4; i++)
		r->ifr_u[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

static int32_t get_int(const struct linux_ifreq *r)
{
	uint32_t u = 0;
	for (uint32_t i = 0; i < 4; i++)
		u |= (uint32_t)r->ifr_u[i] << (8 * i);
	return (int32_t)u;
}

static int64_t ifconf(uint64_t arg)
{
	struct linux_ifconf c;
	if (fw_copy_from_user(&c, fw_uaddr(arg)))
		return -EFAULT;
	int32_t used = 0;
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (!d || !d->addr)
			continue;
		if (c.ifc_buf) {
			if (used + IFREQ_SIZE > c.ifc_len)
				break;
			struct linux_ifreq r = {0};
			for (uint32_t k = 0; k < IFNAMSIZ; k++)
				r.ifr_name[k] = d->name[k];
			put_sin(&r, d->addr);
			if (fw_copy_to_user(fw_uaddr(c.ifc_buf + (uint64_t)used), &r))
				return -EFAULT;
		}
		used += IFREQ_SIZE;
	}
	c.ifc_len = used;
	return fw_copy_to_user(fw_uaddr(arg), &c) ? -EFAULT : 0;
}

static bool is_get(uint64_t cmd)
{
	return cmd == SIOCGIFFLAGS || cmd == SIOCGIFADDR || cmd == SIOCGIFNETMASK || cmd == SIOCGIFBRDADDR ||
	       cmd == SIOCGIFDSTADDR || cmd == SIOCGIFHWADDR || cmd == SIOCGIFINDEX || cmd == SIOCGIFMTU ||
	       cmd == SIOCGIFMETRIC || cmd == SIOCGIFTXQLEN || cmd == SIOCGIFMAP;
}

static int64_t if_get(struct netdev *d, uint64_t cmd, struct linux_ifreq *r)
{
	for (uint32_t i = 0; i < 24; i++)
		r->ifr_u[i] = 0;
	switch (cmd) {
	case SIOCGIFFLAGS:
		put_int(r, (int32_t)(d->flags & 0xffff));
		r->ifr_u[2] = r->ifr_u[3] = 0;
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
		if (!d->addr)
			return -EADDRNOTAVAIL;
		put_sin(r, cmd == SIOCGIFADDR      ? d->addr
		           : cmd == SIOCGIFNETMASK ? d->netmask
		           : cmd == SIOCGIFBRDADDR ? (d->kind == ND_LOOPBACK ? 0 : (d->addr | ~d->netmask))
		                                   : d->addr);
		return 0;
	case SIOCGIFHWADDR:
		r->ifr_u[0] = (uint8_t)d->type;
		r->ifr_u[1] = (uint8_t)(d->type >> 8);
		for (uint32_t i = 0; i < ETH_ALEN; i++)
			r->ifr_u[2 + i] = d->hwaddr[i];
		return 0;
	case SIOCGIFINDEX:
		put_int(r, (int32_t)d->index);
		return 0;
	case SIOCGIFMTU:
		put_int(r, (int32_t)d->mtu);
		return 0;
	case SIOCGIFTXQLEN:
		put_int(r, (int32_t)d->txqlen);
		return 0;
	default:
		return 0; /* SIOCGIFMETRIC, SIOCGIFMAP: zeros */
	}
}

static int64_t if_set(struct netdev *d, uint64_t cmd, const struct linux_ifreq *r)
{
	if (!cred_capable(CAP_NET_ADMIN))
		return -EPERM;
	switch (cmd) {
	case SIOCSIFFLAGS: {
		uint32_t want = (uint32_t)get_int(r) & 0xffff;
		d->flags = (d->flags & ~(uint32_t)IFF_UP) | (want & IFF_UP);
		d->flags = (d->flags & IFF_UP) ? d->flags | IFF_RUNNING : d->flags & ~(uint32_t)IFF_RUNNING;
		return 0;
	}
	case SIOCSIFADDR:
		d->addr = get_sin(r);
		if (!d->netmask) /* the class's mask, as Linux sets it */
			d->netmask = (d->addr >> 31) == 0   ? 0xff000000U
			             : (d->addr >> 30) == 2 ? 0xffff0000U
			                                    : 0xffffff00U;
		return 0;
	case SIOCSIFNETMASK:
		d->netmask = get_sin(r);
		return 0;
	case SIOCSIFMTU: {
		int32_t mtu = get_int(r);
		if (mtu < 68 || mtu > (d->kind == ND_LOOPBACK ? 65536 : 1500))
			return -EINVAL;
		d->mtu = (uint32_t)mtu;
		return 0;
	}
	default:
		return -ENOTTY;
	}
}

int64_t netdev_ioctl(uint64_t cmd, uint64_t arg)
{
	if (cmd == SIOCGIFCONF)
		return ifconf(arg);
	if (!is_get(cmd) && cmd != SIOCSIFFLAGS && cmd != SIOCSIFADDR && cmd != SIOCSIFNETMASK && cmd != SIOCSIFMTU &&
	    cmd != SIOCGIFNAME)
		return -ENOTTY;
	struct linux_ifreq r;
	if (fw_copy_from_user(&r, fw_uaddr(arg)))
		return -EFAULT;
	if (cmd == SIOCGIFNAME) {
		struct netdev *d = netdev_get((uint32_t)get_int(&r));
		if (!d)
			return -ENODEV;
		for (uint32_t i = 0; i < IFNAMSIZ; i++)
			r.ifr_name[i] = d->name[i];
		return fw_copy_to_user(fw_uaddr(arg), &r) ? -EFAULT : 0;
	}
	r.ifr_name[IFNAMSIZ - 1] = 0;
	struct netdev *d = netdev_by_name(&r.ifr_name);
	if (!d)
		return -ENODEV;
	int64_t e = is_get(cmd) ? if_get(d, cmd, &r) : if_set(d, cmd, &r);
	if (e || !is_get(cmd))
		return e;
	return fw_copy_to_user(fw_uaddr(arg), &r) ? -EFAULT : 0;
}
