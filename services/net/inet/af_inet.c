/* The AF_INET socket family: which protocol serves a socket() call, the
 * inet part every AF_INET socket has, bind and getsockname/getpeername,
 * SOL_IP options and the common ioctls. Layer: services (safe C). Checks
 * follow Linux's inet_bind/do_ip_setsockopt so errors match. */
#include "net/inet/inet.h"
#include "net/inet/tcp.h"
#include "proc/proc.h"

FW_POOL_DEFINE(inet, struct inet);

#define SOL_RAW 255
#define ICMP_FILTER 1

int inet_kind_for(int32_t type, int32_t *protocol)
{
	int32_t p = *protocol;
	switch (type) {
	case SOCK_STREAM:
		if (p != 0 && p != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		*protocol = IPPROTO_TCP;
		return SK_TCP;
	case SOCK_DGRAM:
		if (p == IPPROTO_ICMP)
			return SK_PING;
		if (p != 0 && p != IPPROTO_UDP)
			return -EPROTONOSUPPORT;
		*protocol = IPPROTO_UDP;
		return SK_UDP;
	case SOCK_RAW:
		if (p <= 0 || p > 255)
			return -EPROTONOSUPPORT;
		if (!cred_capable(CAP_NET_RAW))
			return -EPERM;
		return SK_RAW;
	default:
		return -ESOCKTNOSUPPORT;
	}
}

struct inet_ref inet_of(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	return sk ? sk->in : (struct inet_ref){0};
}

int inet_init_common(struct sock_ref s, uint8_t proto)
{
	struct inet_ref in;
	if (inet_alloc(&in))
		return -ENOBUFS;
	struct sock *sk = sock_get(s);
	sk->in = in;
	struct inet *ip = inet_get(in);
	ip->sk = s;
	ip->proto = proto;
	ip->kind = sk->kind;
	ip->ttl = 0;
	ip->pmtudisc = 1; /* IP_PMTUDISC_WANT */
	return 0;
}

void inet_destroy(struct sock_ref s)
{
	struct inet_ref in = inet_of(s);
	struct inet *ip = inet_get(in);
	if (ip) {
		conn_remove(in);
		port_unbind(in);
		ip = inet_get(in);
		pktq_purge(&ip->rq);
		inet_free(in);
	}
	sock_destroy(s);
}

int sin_parse(const struct sockaddr_k *a, uint32_t *addr, uint16_t *port)
{
	if (a->len < sizeof(struct linux_sockaddr_in))
		return -EINVAL;
	*port = (uint16_t)((a->b[2] << 8) | a->b[3]);
	*addr = ((uint32_t)a->b[4] << 24) | ((uint32_t)a->b[5] << 16) | ((uint32_t)a->b[6] << 8) | a->b[7];
	return 0;
}

void sin_make(struct sockaddr_k *a, uint32_t addr, uint16_t port)
{
	for (uint32_t i = 0; i < 16; i++)
		a->b[i] = 0;
	a->len = sizeof(struct linux_sockaddr_in);
	a->b[0] = AF_INET;
	a->b[2] = (uint8_t)(port >> 8);
	a->b[3] = (uint8_t)port;
	a->b[4] = (uint8_t)(addr >> 24);
	a->b[5] = (uint8_t)(addr >> 16);
	a->b[6] = (uint8_t)(addr >> 8);
	a->b[7] = (uint8_t)addr;
}

static uint16_t family_of(const struct sockaddr_k *a) { return (uint16_t)(a->b[0] | (a->b[1] << 8)); }

static bool addr_bindable(uint32_t addr)
{
	if (addr == INADDR_ANY || addr == INADDR_BROADCAST || addr_is_local(addr) || (addr >> 28) == 0xe)
		return true;
	for (uint32_t i = 1; i <= NETDEV_MAX; i++) {
		struct netdev *d = netdev_get(i);
		if (d && d->addr && addr == ((d->addr & d->netmask) | ~d->netmask))
			return true;
	}
	return false;
}

int inet_bind(struct sock_ref s, const struct sockaddr_k *a)
{
	struct inet_ref in = inet_of(s);
	uint32_t addr;
	uint16_t port;
	int e = sin_parse(a, &addr, &port);
	if (e)
		return e;
	if (family_of(a) != AF_INET && (family_of(a) != AF_UNSPEC || addr != INADDR_ANY))
		return -EAFNOSUPPORT;
	if (!addr_bindable(addr))
		return -EADDRNOTAVAIL;
	struct inet *ip = inet_get(in);
	if (ip->kind == SK_RAW) {
		ip->laddr = addr;
		return 0;
	}
	if (port && port < 1024 && ip->kind != SK_PING && !cred_capable(CAP_NET_BIND_SERVICE))
		return -EACCES;
	if (ip->bound || (ip->kind == SK_TCP && !tcp_is_closed(ip->tcb)))
		return -EINVAL;
	e = port_bind(in, addr, port);
	if (e)
		return e;
	ip = inet_get(in);
	ip->port_explicit = port != 0;
	return 0;
}

int inet_getname(struct sock_ref s, bool peer, struct sockaddr_k *out)
{
	struct inet *ip = inet_get(inet_of(s));
	if (!ip)
		return -EBADF;
	if (peer) {
		bool conn = ip->kind == SK_TCP ? tcp_has_peer(ip->tcb) : ip->connected;
		if (!conn)
			return -ENOTCONN;
		sin_make(out, ip->raddr, ip->kind == SK_RAW ? 0 : ip->rport);
		return 0;
	}
	sin_make(out, ip->laddr, ip->kind == SK_RAW ? 0 : ip->lport);
	return 0;
}

/* IP options read an int, or a byte when the caller gives less. */
static int ip_optint(const struct optval *v, int32_t *x)
{
	if (v->len >= 4)
		return optval_get_int(v, x);
	if (v->len >= 1) {
		*x = v->b[0];
		return 0;
	}
	return -EINVAL;
}

static int ip_setopt(struct inet *ip, int32_t name, const struct optval *v)
{
	int32_t x;
	if (name == IP_OPTIONS)
		return v->len == 0 ? 0 : -EINVAL;
	if (ip_optint(v, &x))
		return -EINVAL;
	switch (name) {
	case IP_TTL:
		if (x == -1)
			x = 0;
		else if (x < 1 || x > 255)
			return -EINVAL;
		ip->ttl = (uint8_t)x;
		return 0;
	case IP_TOS:
		ip->tos = (uint8_t)x;
		return 0;
	case IP_HDRINCL:
		if (ip->kind != SK_RAW)
			return -ENOPROTOOPT;
		ip->hdrincl = x != 0;
		return 0;
	case IP_PKTINFO:
		ip->pktinfo = x != 0;
		return 0;
	case IP_RECVTTL:
		ip->recvttl = x != 0;
		return 0;
	case 13: /* IP_RECVTOS */
		ip->recvtos = x != 0;
		return 0;
	case IP_RECVERR:
		ip->recverr = x != 0;
		return 0;
	case IP_MTU_DISCOVER:
		if (x < 0 || x > 5)
			return -EINVAL;
		ip->pmtudisc = (uint32_t)x;
		return 0;
	case IP_MULTICAST_TTL:
	case IP_MULTICAST_LOOP:
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

static int ip_getopt(struct inet *ip, int32_t name, struct optval *v)
{
	uint32_t want = v->len;
	int32_t x;
	switch (name) {
	case IP_TTL:
		x = ip->ttl ? ip->ttl : IP_DEFAULT_TTL;
		break;
	case IP_TOS:
		x = ip->tos;
		break;
	case IP_HDRINCL:
		if (ip->kind != SK_RAW)
			return -ENOPROTOOPT;
		x = ip->hdrincl;
		break;
	case IP_PKTINFO:
		x = ip->pktinfo;
		break;
	case IP_RECVTTL:
		x = ip->recvttl;
		break;
	case 13:
		x = ip->recvtos;
		break;
	case IP_RECVERR:
		x = ip->recverr;
		break;
	case IP_MTU_DISCOVER:
		x = (int32_t)ip->pmtudisc;
		break;
	case IP_MULTICAST_TTL:
	case IP_MULTICAST_LOOP:
		x = 1;
		break;
	case IP_MTU: {
		struct route rt;
		if (!(ip->kind == SK_TCP ? tcp_has_peer(ip->tcb) : ip->connected) || route_lookup(ip->raddr, &rt))
			return -ENOTCONN;
		x = (int32_t)rt.mtu;
		break;
	}
	case IP_OPTIONS:
		v->len = 0;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
	optval_int(v, x);
	if (want < 4 && want > 0 && x >= 0 && x <= 255)
		v->len = 1;
	return 0;
}

int inet_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	struct inet *ip = inet_get(inet_of(s));
	if (!ip)
		return -EBADF;
	if (level == SOL_IP)
		return ip_setopt(ip, name, v);
	if (level == SOL_TCP && ip->kind == SK_TCP)
		return tcp_setopt(s, name, v);
	if (level == SOL_SOCKET)
		return ip->kind == SK_TCP ? tcp_setopt_socket(s, name) : -ENOPROTOOPT;
	if (level == SOL_RAW && ip->kind == SK_RAW && ip->proto == IPPROTO_ICMP && name == ICMP_FILTER) {
		int32_t x;
		if (v->len < 4 || optval_get_int(v, &x))
			return -EINVAL;
		ip->icmp_filter = (uint32_t)x;
		return 0;
	}
	return -ENOPROTOOPT;
}

int inet_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v)
{
	struct inet *ip = inet_get(inet_of(s));
	if (!ip)
		return -EBADF;
	if (level == SOL_IP)
		return ip_getopt(ip, name, v);
	if (level == SOL_TCP && ip->kind == SK_TCP)
		return tcp_getopt(s, name, v);
	if (level == SOL_RAW && ip->kind == SK_RAW && ip->proto == IPPROTO_ICMP && name == ICMP_FILTER) {
		optval_int(v, (int32_t)ip->icmp_filter);
		return 0;
	}
	return -ENOPROTOOPT;
}

int64_t inet_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg)
{
	struct inet_ref in = inet_of(s);
	struct inet *ip = inet_get(in);
	if (!ip)
		return -EBADF;
	if (ip->kind == SK_TCP && (cmd == SIOCINQ || cmd == SIOCOUTQ || cmd == SIOCATMARK))
		return tcp_ioctl(s, cmd, arg);
	if (cmd == SIOCINQ || cmd == SIOCOUTQ) {
		int32_t v = 0;
		struct pkt *p = pkt_get(ip->rq.head);
		if (cmd == SIOCINQ && p)
			v = (int32_t)p->len;
		return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
	}
	return netdev_ioctl(cmd, arg);
}

static const struct sock_ops tcp_ops = {
        tcp_init, tcp_release,  inet_bind,    tcp_connect, tcp_listen,  tcp_accept,  tcp_send,
        tcp_recv, tcp_shutdown, inet_getname, tcp_poll,    inet_setopt, inet_getopt, inet_ioctl,
};
static const struct sock_ops udp_ops = {
        udp_init,   dgram_release,  inet_bind,    dgram_connect, no_listen,   no_accept,   dgram_send,
        dgram_recv, dgram_shutdown, inet_getname, dgram_poll,    inet_setopt, inet_getopt, inet_ioctl,
};
static const struct sock_ops raw_ops = {
        raw_init,   dgram_release,  inet_bind,    dgram_connect, no_listen,   no_accept,   dgram_send,
        dgram_recv, dgram_shutdown, inet_getname, dgram_poll,    inet_setopt, inet_getopt, inet_ioctl,
};
static const struct sock_ops ping_ops = {
        ping_init,  dgram_release,  inet_bind,    dgram_connect, no_listen,   no_accept,   dgram_send,
        dgram_recv, dgram_shutdown, inet_getname, dgram_poll,    inet_setopt, inet_getopt, inet_ioctl,
};

/* No IPv6 sockets exist: their tables are empty but present (netstat
 * reads them). */
static void proc_tcp6(struct ptext *t)
{
	PT_LIT(t, "  sl  local_address                         remote_address                        st tx_queue "
	          "rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
}

static void proc_udp6(struct ptext *t)
{
	PT_LIT(t, "  sl  local_address                         remote_address                        st tx_queue "
	          "rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
}

struct proc_entry {
	char name[12];
	void (*gen)(struct ptext *t);
};

static const struct proc_entry inet_proc[] = {
        {"tcp", inet_proc_tcp},   {"udp", inet_proc_udp}, {"route", inet_proc_route},
        {"snmp", inet_proc_snmp}, {"tcp6", proc_tcp6},    {"udp6", proc_udp6},
};

int inet_init(void)
{
	int e = sock_proto_register(SK_TCP, &tcp_ops);
	if (e == 0)
		e = sock_proto_register(SK_UDP, &udp_ops);
	if (e == 0)
		e = sock_proto_register(SK_RAW, &raw_ops);
	if (e == 0)
		e = sock_proto_register(SK_PING, &ping_ops);
	if (e == 0)
		e = sock_family_register(AF_INET, inet_kind_for);
	if (e)
		return e;
	sock_ifioctl_register(netdev_ioctl);
	netdev_set_input(ip_rcv, ether_rcv);
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(inet_proc); i++) {
		struct proc_entry pe = inet_proc[i];
		e = procfs_net_register(&pe.name, pe.gen);
	}
	return e ? e : route_init();
}
