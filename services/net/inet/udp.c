/* UDP, and the socket operations UDP, raw and ping sockets share: a
 * receive queue of datagrams bounded by SO_RCVBUF, connect/disconnect,
 * shutdown and readiness as Linux's datagram sockets behave. Layer:
 * services (safe C). Incoming datagrams are checked (length, checksum)
 * before a socket sees them. */
#include "net/inet/inet.h"

static struct inet_ref in_of(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	return sk ? sk->in : (struct inet_ref){0};
}

int udp_init(struct sock_ref s) { return inet_init_common(s, IPPROTO_UDP); }

void dgram_release(struct sock_ref s) { inet_destroy(s); }

int dgram_queue(struct inet_ref in, struct pkt_ref p)
{
	struct inet *ip = inet_get(in);
	struct sock *sk = ip ? sock_get(ip->sk) : NULL;
	struct pkt *pp = pkt_get(p);
	if (!sk || !pp || (sk->shut & RCV_SHUT)) {
		pkt_free_all(p);
		return -ENOTCONN;
	}
	pp->truesize = pkt_truesize(p);
	if (ip->rq.mem > sk->rcvbuf) {
		ip->drops++;
		pkt_free_all(p);
		return -ENOBUFS;
	}
	pktq_tail(&ip->rq, p);
	sock_changed(ip->sk);
	return 0;
}

void udp_rcv(struct pkt_ref p)
{
	struct net_stats *st = net_stats();
	struct hbuf h;
	struct pkt *pp = pkt_get(p);
	if (!pp || pkt_peek(p, 0, &h, UDP_HLEN)) {
		st->udp_in_errors++;
		pkt_free_all(p);
		return;
	}
	uint32_t ulen = hget16(&h, 4);
	if (ulen < UDP_HLEN || ulen > pp->len) {
		st->udp_in_errors++;
		pkt_free_all(p);
		return;
	}
	pkt_trim(p, ulen);
	pp = pkt_get(p);
	if (hget16(&h, 6) && !(pp->flags & PKT_CSUM_OK) &&
	    csum_fold(pkt_csum(p, 0, ulen, pseudo_sum(pp->saddr, pp->daddr, IPPROTO_UDP, ulen))) != 0) {
		st->udp_in_errors++;
		pkt_free_all(p);
		return;
	}
	pp->sport = hget16(&h, 0);
	pp->dport = hget16(&h, 2);
	struct inet_ref in = udp_lookup(pp->saddr, pp->sport, pp->daddr, pp->dport);
	if (!inet_ref_valid(in)) {
		st->udp_no_ports++;
		icmp_send_error(p, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH);
		pkt_free_all(p);
		return;
	}
	st->udp_in++;
	if (pkt_pull(p, UDP_HLEN)) {
		pkt_free_all(p);
		return;
	}
	if (dgram_queue(in, p) == -ENOBUFS)
		st->udp_rcvbuf_errors++;
}

void udp_err(uint32_t daddr, uint16_t dport, uint32_t saddr, uint16_t sport, int32_t err)
{
	struct inet_ref in = udp_lookup(daddr, dport, saddr, sport);
	struct inet *ip = inet_get(in);
	if (!ip)
		return;
	/* Linux reports hard errors only to connected sockets (or IP_RECVERR) */
	if (!ip->connected && !ip->recverr)
		return;
	struct sock *sk = sock_get(ip->sk);
	if (sk) {
		sk->err = err;
		sock_changed(ip->sk);
	}
}

int dgram_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	struct inet_ref in = in_of(s);
	struct inet *ip = inet_get(in);
	if (a->len >= 2 && (a->b[0] | (a->b[1] << 8)) == AF_UNSPEC) {
		/* disconnect: an address or port autobound at connect goes too */
		ip->connected = false;
		ip->raddr = 0;
		ip->rport = 0;
		if (ip->kind == SK_UDP && ip->bound && !ip->port_explicit) {
			port_unbind(in);
			ip = inet_get(in);
			ip->lport = 0;
			ip->laddr = 0;
		}
		sock_changed(s);
		return 0;
	}
	uint32_t addr;
	uint16_t port;
	int e = sin_parse(a, &addr, &port);
	if (e)
		return e;
	if ((a->b[0] | (a->b[1] << 8)) != AF_INET)
		return -EAFNOSUPPORT;
	struct route rt;
	e = route_lookup(addr, &rt);
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	if (rt.bcast && !(sk->opts & SOF_BROADCAST))
		return -EACCES;
	ip = inet_get(in);
	if (ip->kind != SK_RAW && !ip->bound) {
		e = port_bind(in, 0, 0);
		if (e)
			return e;
		ip = inet_get(in);
	}
	if (!ip->laddr)
		ip->laddr = rt.src;
	ip->raddr = addr;
	ip->rport = port;
	ip->connected = true;
	sock_changed(s);
	return 0;
}

/* Where a datagram goes: the given address or the connected peer. */
static int dgram_dest(struct inet *ip, const struct sock_msg *m, uint32_t *addr, uint16_t *port)
{
	if (m->addr.len) {
		int e = sin_parse(&m->addr, addr, port);
		if (e)
			return e;
		uint16_t fam = (uint16_t)(m->addr.b[0] | (m->addr.b[1] << 8));
		if (fam != AF_INET && fam != AF_UNSPEC)
			return -EAFNOSUPPORT;
		if (ip->kind == SK_UDP && *port == 0)
			return -EINVAL;
		return 0;
	}
	if (!ip->connected)
		return -EDESTADDRREQ;
	*addr = ip->raddr;
	*port = ip->rport;
	return 0;
}

static int64_t udp_send(struct sock_ref s, struct inet_ref in, struct sock_msg *m, uint32_t dst, uint16_t dport)
{
	uint64_t len = m->data.resid;
	if (len > 0xffff - UDP_HLEN - IP_HLEN)
		return -EMSGSIZE;
	struct inet *ip = inet_get(in);
	if (!ip->bound) {
		int e = port_bind(in, 0, 0);
		if (e)
			return e;
		ip = inet_get(in);
	}
	struct route rt;
	int e = route_lookup(dst, &rt);
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	if (rt.bcast && !(sk->opts & SOF_BROADCAST))
		return -EACCES;
	struct pkt_ref p;
	if ((e = pkt_new(&p)) != 0)
		return e;
	e = pkt_add_uio(p, &m->data, (uint32_t)len);
	if (e) {
		pkt_free_all(p);
		return e;
	}
	ip = inet_get(in);
	uint32_t src = ip->laddr ? ip->laddr : rt.src;
	struct hbuf h = {0};
	hput16(&h, 0, ip->lport);
	hput16(&h, 2, dport);
	hput16(&h, 4, (uint16_t)(len + UDP_HLEN));
	if (pkt_push(p, &h, UDP_HLEN)) {
		pkt_free_all(p);
		return -EINVAL;
	}
	if (!rt.local) {
		uint16_t c = csum_fold(pkt_csum(p, 0, (uint32_t)len + UDP_HLEN,
		                                pseudo_sum(src, dst, IPPROTO_UDP, (uint32_t)len + UDP_HLEN)));
		hput16(&h, 6, c ? c : 0xffff);
		if (pkt_pull(p, UDP_HLEN) || pkt_push(p, &h, UDP_HLEN)) {
			pkt_free_all(p);
			return -EINVAL;
		}
	}
	net_stats()->udp_out++;
	e = ip_output(p, src, dst, IPPROTO_UDP, ip->ttl, ip->tos);
	return e ? e : (int64_t)len;
}

int64_t dgram_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct inet_ref in = in_of(s);
	struct inet *ip = inet_get(in);
	struct sock *sk = sock_get(s);
	if (!ip || !sk)
		return -EBADF;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	uint32_t dst;
	uint16_t dport;
	int e = dgram_dest(ip, m, &dst, &dport);
	if (e)
		return e;
	/* what sock_alloc_send_skb checks in Linux: a pending error, then
	 * shutdown (EPIPE without SIGPIPE for datagrams) */
	e = sock_take_error(s);
	if (e)
		return e;
	if (sk->shut & SEND_SHUT)
		return -EPIPE;
	if (ip->kind == SK_UDP)
		return udp_send(s, in, m, dst, dport);
	return raw_send(s, in, m, dst);
}

/* Control messages a datagram socket asked for (IP_PKTINFO, IP_TTL, IP_TOS). */
static void put_ip_cmsgs(struct sock_msg *m, const struct inet *ip, const struct pkt *p)
{
	if (ip->pktinfo) {
		struct optval v = {0};
		struct optval t = {0};
		optval_int(&v, (int32_t)p->ifindex);
		uint32_t spec = be32(p->daddr), addr = be32(p->daddr);
		optval_int(&t, (int32_t)spec);
		for (uint32_t i = 0; i < 4; i++)
			v.b[4 + i] = t.b[i];
		optval_int(&t, (int32_t)addr);
		for (uint32_t i = 0; i < 4; i++)
			v.b[8 + i] = t.b[i];
		v.len = 12;
		cmsg_put(m, SOL_IP, IP_PKTINFO, &v);
	}
	if (ip->recvttl) {
		struct optval v = {0};
		optval_int(&v, p->ttl);
		cmsg_put(m, SOL_IP, IP_TTL, &v);
	}
	if (ip->recvtos) {
		struct optval v = {0};
		v.len = 1;
		v.b[0] = p->tos;
		cmsg_put(m, SOL_IP, IP_TOS, &v);
	}
}

static int wait_datagram(struct sock_ref s, struct inet_ref in, bool nonblock, uint64_t deadline)
{
	for (;;) {
		int e = sock_take_error(s);
		if (e)
			return e;
		struct inet *ip = inet_get(in);
		struct sock *sk = sock_get(s);
		if (!ip || !sk)
			return -EBADF;
		if (ip->rq.count)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (sk->shut & RCV_SHUT)
			return 1;
		e = sock_wait(s, deadline);
		if (e)
			return e;
	}
}

int64_t dgram_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct inet_ref in = in_of(s);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->flags & MSG_ERRQUEUE)
		return -EAGAIN;
	int e = wait_datagram(s, in, nonblock, sock_deadline(s, true));
	if (e)
		return e > 0 ? 0 : e;
	struct inet *ip = inet_get(in);
	struct pkt_ref p = ip->rq.head;
	bool peek = (m->flags & MSG_PEEK) != 0;
	if (!peek)
		p = pktq_pop(&ip->rq);
	struct pkt *pp = pkt_get(p);
	uint32_t len = pp->len;
	uint64_t n = FW_MIN((uint64_t)len, m->data.resid);
	if (n < len)
		m->oflags |= MSG_TRUNC;
	e = pkt_to_uio(p, 0, &m->data, (uint32_t)n);
	pp = pkt_get(p);
	sin_make(&m->addr, pp->saddr, ip->kind == SK_UDP ? pp->sport : 0);
	put_ip_cmsgs(m, ip, pp);
	if (!peek) {
		pkt_free_all(p);
		sock_changed(s);
	}
	if (e)
		return e;
	return (m->flags & MSG_TRUNC) ? (int64_t)len : (int64_t)n;
}

int dgram_shutdown(struct sock_ref s, uint32_t how)
{
	struct sock *sk = sock_get(s);
	struct inet *ip = inet_get(in_of(s));
	sk->shut |= how;
	sock_changed(s);
	/* Linux: an unconnected datagram socket is shut down all the same,
	 * and reports ENOTCONN */
	return ip && ip->connected ? 0 : -ENOTCONN;
}

uint32_t dgram_poll(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	struct inet *ip = inet_get(in_of(s));
	if (!sk || !ip)
		return POLLNVAL;
	uint32_t m = POLLOUT | POLLWRNORM | POLLWRBAND;
	if (sk->err)
		m |= POLLERR;
	if (sk->shut & RCV_SHUT)
		m |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (sk->shut == (RCV_SHUT | SEND_SHUT))
		m |= POLLHUP;
	if (ip->rq.count)
		m |= POLLIN | POLLRDNORM;
	return m;
}
