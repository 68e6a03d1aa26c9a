/* Packet sockets (AF_PACKET, SOCK_RAW; root only, as Linux's
 * CAP_NET_RAW): send whole link-layer frames on an interface, receive
 * copies of the frames arriving on one (or all). On lo a frame carries the
 * 14-byte Ethernet header Linux's loopback uses (zero addresses), so a
 * frame sent on lo goes through the same Ethernet, IP and transport
 * checks as one from a NIC -- which is how the fuzz test injects
 * malformed frames. Layer: services (safe C). */
#include "net/packet/packet.h"
#include "proc/proc.h"

FW_POOL_DEFINE(psock, struct psock);

#define ETH_P_ALL 0x0003
#define SLL_LEN 20
#define PACKET_HOST 0
#define PACKET_BROADCAST 1

struct packet_list {
	struct psock_ref head;
	uint32_t count;
};
FW_GLOBAL(struct packet_list, packet_list);

static struct psock_ref ps_of(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	return sk ? sk->pk : (struct psock_ref){0};
}

static int pk_init(struct sock_ref s)
{
	struct psock_ref r;
	if (psock_alloc(&r))
		return -ENOBUFS;
	struct sock *sk = sock_get(s);
	sk->pk = r;
	struct psock *p = psock_get(r);
	p->sk = s;
	p->proto = be16(sk->protocol);
	p->next = packet_list()->head;
	packet_list()->head = r;
	packet_list()->count++;
	return 0;
}

static void pk_release(struct sock_ref s)
{
	struct psock_ref r = ps_of(s);
	struct packet_list *l = packet_list();
	struct psock_ref prev = {0};
	for (struct psock_ref c = l->head; psock_ref_valid(c);) {
		struct psock *cp = psock_get(c);
		if (c.idx == r.idx && c.gen == r.gen) {
			struct psock *pp = psock_get(prev);
			if (pp)
				pp->next = cp->next;
			else
				l->head = cp->next;
			l->count--;
			break;
		}
		prev = c;
		c = cp->next;
	}
	struct psock *p = psock_get(r);
	if (p) {
		pktq_purge(&p->rq);
		psock_free(r);
	}
	sock_destroy(s);
}

struct sll {
	uint16_t family, protocol; /* protocol in network byte order */
	uint32_t ifindex;
};

static int sll_parse(const struct sockaddr_k *a, struct sll *out)
{
	if (a->len < 12)
		return -EINVAL;
	out->family = (uint16_t)(a->b[0] | (a->b[1] << 8));
	out->protocol = (uint16_t)((a->b[2] << 8) | a->b[3]);
	out->ifindex = a->b[4] | (a->b[5] << 8) | (a->b[6] << 16) | ((uint32_t)a->b[7] << 24);
	return out->family == AF_PACKET ? 0 : -EINVAL;
}

static int pk_bind(struct sock_ref s, const struct sockaddr_k *a)
{
	struct sll l;
	int e = sll_parse(a, &l);
	if (e)
		return e;
	if (l.ifindex && !netdev_get(l.ifindex))
		return -ENODEV;
	struct psock *p = psock_get(ps_of(s));
	p->ifindex = l.ifindex;
	if (l.protocol)
		p->proto = l.protocol;
	return 0;
}

static int pk_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock) { return -EOPNOTSUPP; }

static int64_t pk_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct psock *p = psock_get(ps_of(s));
	uint32_t ifindex = p->ifindex;
	if (m->addr.len) {
		struct sll l;
		int e = sll_parse(&m->addr, &l);
		if (e)
			return e;
		ifindex = l.ifindex;
	}
	struct netdev *d = netdev_get(ifindex);
	if (!d)
		return -ENXIO;
	uint64_t len = m->data.resid;
	if (len < ETH_HLEN)
		return -EINVAL;
	if (len > d->mtu + ETH_HLEN)
		return -EMSGSIZE;
	struct pkt_ref pk;
	int e = pkt_new(&pk);
	if (e)
		return e;
	e = pkt_add_uio(pk, &m->data, (uint32_t)len);
	if (e) {
		pkt_free_all(pk);
		return e;
	}
	if (d->kind == ND_LOOPBACK) {
		/* loopback: the frame comes straight back in, link header and all */
		pkt_get(pk)->flags |= PKT_FRAMED;
		netdev_rx(ifindex, pk);
	} else {
		e = netdev_xmit(ifindex, pk);
		if (e)
			return e;
	}
	return (int64_t)len;
}

void packet_tap(struct pkt_ref p, uint32_t ifindex, bool framed)
{
	struct packet_list *l = packet_list();
	if (!l->count)
		return;
	struct pkt *pp = pkt_get(p);
	if (!pp)
		return;
	struct hbuf eh = {0};
	uint16_t type = ETH_P_IP;
	if (framed) {
		if (pkt_peek(p, 0, &eh, ETH_HLEN))
			return;
		type = hget16(&eh, 12);
	}
	for (struct psock_ref r = l->head; psock_ref_valid(r);) {
		struct psock *ps = psock_get(r);
		r = ps->next;
		if ((ps->ifindex && ps->ifindex != ifindex) || (ps->proto != ETH_P_ALL && ps->proto != type))
			continue;
		struct sock *sk = sock_get(ps->sk);
		struct pkt_ref c;
		if (!sk || ps->rq.mem > sk->rcvbuf || pkt_copy(p, &c))
			continue;
		if (!framed) {
			/* lo's packets travel without a link header: show Linux's */
			struct hbuf z = {0};
			hput16(&z, 12, ETH_P_IP);
			if (pkt_push(c, &z, ETH_HLEN)) {
				pkt_free_all(c);
				continue;
			}
		}
		struct pkt *cp = pkt_get(c);
		cp->ifindex = ifindex;
		cp->truesize = pkt_truesize(c);
		pktq_tail(&ps->rq, c);
		sock_changed(ps->sk);
	}
}

static int64_t pk_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct psock_ref r = ps_of(s);
	uint64_t deadline = sock_deadline(s, true);
	for (;;) {
		struct psock *p = psock_get(r);
		if (!p)
			return -EBADF;
		if (p->rq.count)
			break;
		if (nonblock)
			return -EAGAIN;
		int e = sock_wait(s, deadline);
		if (e)
			return e;
	}
	struct psock *p = psock_get(r);
	bool peek = (m->flags & MSG_PEEK) != 0;
	struct pkt_ref pk = peek ? p->rq.head : pktq_pop(&p->rq);
	struct pkt *pp = pkt_get(pk);
	uint32_t len = pp->len;
	uint64_t n = FW_MIN((uint64_t)len, m->data.resid);
	if (n < len)
		m->oflags |= MSG_TRUNC;
	struct hbuf eh = {0};
	(void)pkt_peek(pk, 0, &eh, ETH_HLEN);
	int e = pkt_to_uio(pk, 0, &m->data, (uint32_t)n);
	for (uint32_t i = 0; i < SLL_LEN; i++)
		m->addr.b[i] = 0;
	m->addr.len = SLL_LEN;
	m->addr.b[0] = AF_PACKET;
	m->addr.b[2] = eh.b[12];
	m->addr.b[3] = eh.b[13];
	for (uint32_t i = 0; i < 4; i++)
		m->addr.b[4 + i] = (uint8_t)(pp->ifindex >> (8 * i));
	struct netdev *d = netdev_get(pp->ifindex);
	uint16_t hatype = d ? d->type : 0;
	m->addr.b[8] = (uint8_t)hatype;
	m->addr.b[9] = (uint8_t)(hatype >> 8);
	m->addr.b[10] = (pp->flags & PKT_BCAST) ? PACKET_BROADCAST : PACKET_HOST;
	m->addr.b[11] = ETH_ALEN;
	for (uint32_t i = 0; i < ETH_ALEN; i++)
		m->addr.b[12 + i] = eh.b[ETH_ALEN + i];
	if (!peek)
		pkt_free_all(pk);
	if (e)
		return e;
	return (m->flags & MSG_TRUNC) ? (int64_t)len : (int64_t)n;
}

static int pk_shutdown(struct sock_ref s, uint32_t how) { return -EOPNOTSUPP; }

static int pk_getname(struct sock_ref s, bool peer, struct sockaddr_k *out)
{
	if (peer)
		return -EOPNOTSUPP;
	struct psock *p = psock_get(ps_of(s));
	for (uint32_t i = 0; i < SLL_LEN; i++)
		out->b[i] = 0;
	out->len = SLL_LEN;
	out->b[0] = AF_PACKET;
	out->b[2] = (uint8_t)(p->proto >> 8);
	out->b[3] = (uint8_t)p->proto;
	for (uint32_t i = 0; i < 4; i++)
		out->b[4 + i] = (uint8_t)(p->ifindex >> (8 * i));
	return 0;
}

static uint32_t pk_poll(struct sock_ref s)
{
	struct psock *p = psock_get(ps_of(s));
	return p ? POLLOUT | POLLWRNORM | (p->rq.count ? POLLIN | POLLRDNORM : 0) : POLLNVAL;
}

static int pk_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	return level == SOL_SOCKET ? -ENOPROTOOPT : -ENOPROTOOPT;
}

static int pk_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v) { return -ENOPROTOOPT; }

static int64_t pk_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg) { return sock_ifioctl(cmd, arg); }

static int packet_kind_for(int32_t type, int32_t *protocol)
{
	if (type != SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	if (!cred_capable(CAP_NET_RAW))
		return -EPERM;
	return SK_PACKET;
}

static const struct sock_ops packet_ops = {
        pk_init, pk_release,  pk_bind,    pk_connect, no_listen, no_accept, pk_send,
        pk_recv, pk_shutdown, pk_getname, pk_poll,    pk_setopt, pk_getopt, pk_ioctl,
};

int packet_init(void)
{
	int e = sock_proto_register(SK_PACKET, &packet_ops);
	if (e == 0)
		e = sock_family_register(AF_PACKET, packet_kind_for);
	if (e == 0)
		netdev_set_tap(packet_tap);
	return e;
}
