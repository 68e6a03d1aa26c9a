/* Netlink sockets: port ids, requests parsed message by message from the
 * sender's bytes, replies queued as datagrams. Layer: services (safe C).
 * Every nlmsghdr length is checked against what remains of the request
 * before its body is read. */
#include "net/netlink/netlink.h"
#include "proc/proc.h"

FW_POOL_DEFINE(nlsock, struct nlsock);
FW_POOL_DEFINE(nlb, struct nlb);

#define NLMSG_HDRLEN 16
#define NL_RQ_MAX (256 * 1024)

static struct nlsock_ref nl_of(struct sock_ref s)
{
	struct sock *sk = sock_get(s);
	return sk ? sk->nl : (struct nlsock_ref){0};
}

int nl_init(struct sock_ref s)
{
	struct nlsock_ref n;
	if (nlsock_alloc(&n))
		return -ENOBUFS;
	struct sock *sk = sock_get(s);
	sk->nl = n;
	nlsock_get(n)->sk = s;
	return 0;
}

void nl_release(struct sock_ref s)
{
	struct nlsock_ref n = nl_of(s);
	struct nlsock *np = nlsock_get(n);
	if (np) {
		pktq_purge(&np->rq);
		nlsock_free(n);
	}
	sock_destroy(s);
}

/* Port ids: the process id, as Linux gives the first netlink socket of a
 * process (replies are addressed by socket, so a second socket of the
 * same process sharing it confuses no one here). */
static int autobind(struct nlsock_ref n)
{
	struct nlsock *np = nlsock_get(n);
	if (np && !np->portid)
		np->portid = (uint32_t)cur_proc()->pid;
	return 0;
}

int nl_bind(struct sock_ref s, const struct sockaddr_k *a)
{
	if (a->len < sizeof(struct linux_sockaddr_nl) || (a->b[0] | (a->b[1] << 8)) != AF_NETLINK)
		return -EINVAL;
	struct nlsock_ref n = nl_of(s);
	struct nlsock *np = nlsock_get(n);
	uint32_t pid = a->b[4] | (a->b[5] << 8) | (a->b[6] << 16) | ((uint32_t)a->b[7] << 24);
	uint32_t groups = a->b[8] | (a->b[9] << 8) | (a->b[10] << 16) | ((uint32_t)a->b[11] << 24);
	if (np->portid && pid && pid != np->portid)
		return -EINVAL;
	if (pid)
		np->portid = pid;
	else if (!np->portid)
		(void)autobind(n);
	np->groups = groups;
	return 0;
}

int nl_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock)
{
	if (a->len < 2)
		return -EINVAL;
	struct nlsock *np = nlsock_get(nl_of(s));
	if ((a->b[0] | (a->b[1] << 8)) == AF_UNSPEC) {
		np->dst_portid = 0;
		return 0;
	}
	if (a->len < sizeof(struct linux_sockaddr_nl) || (a->b[0] | (a->b[1] << 8)) != AF_NETLINK)
		return -EINVAL;
	np->dst_portid = a->b[4] | (a->b[5] << 8) | (a->b[6] << 16) | ((uint32_t)a->b[7] << 24);
	return autobind(nl_of(s));
}

int nl_getname(struct sock_ref s, bool peer, struct sockaddr_k *out)
{
	struct nlsock *np = nlsock_get(nl_of(s));
	for (uint32_t i = 0; i < sizeof(struct linux_sockaddr_nl); i++)
		out->b[i] = 0;
	out->len = sizeof(struct linux_sockaddr_nl);
	out->b[0] = AF_NETLINK;
	uint32_t pid = peer ? np->dst_portid : np->portid, groups = peer ? 0 : np->groups;
	for (uint32_t i = 0; i < 4; i++) {
		out->b[4 + i] = (uint8_t)(pid >> (8 * i));
		out->b[8 + i] = (uint8_t)(groups >> (8 * i));
	}
	return 0;
}

int nl_deliver(struct nlsock_ref n, const struct nlb *b)
{
	struct nlsock *np = nlsock_get(n);
	if (!np || b->len == 0)
		return 0;
	if (np->rq.bytes + b->len > NL_RQ_MAX)
		return -ENOBUFS;
	struct pkt_ref p;
	struct fw_frame_ref f;
	if (pkt_new(&p))
		return -ENOBUFS;
	if (net_frame_get(&f)) {
		pkt_free_all(p);
		return -ENOBUFS;
	}
	int e = fw_frame_write(f, 0, &b->b, b->len);
	if (e == 0)
		e = pkt_add_frag(p, f, 0, b->len);
	fw_frame_put(f);
	if (e) {
		pkt_free_all(p);
		return e;
	}
	np = nlsock_get(n);
	pktq_tail(&np->rq, p);
	sock_changed(np->sk);
	return 0;
}

/* One request message header, read from the sender's bytes. */
struct nl_req {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq;
	uint32_t family; /* first byte of the body, 0 if none */
};

static int read_req(struct uio *u, uint64_t left, struct nl_req *r, uint64_t *consumed)
{
	struct fw_frame_ref f;
	if (net_frame_get(&f))
		return -ENOBUFS;
	uint32_t n = (uint32_t)FW_MIN(left, (uint64_t)4096);
	int e = uio_frame(u, f, 0, n, true);
	struct hbuf h = {0};
	if (e == 0)
		e = fw_frame_read(f, 0, &h.b, FW_MIN(n, 20U));
	net_frame_put(f);
	if (e)
		return e;
	r->len = h.b[0] | (h.b[1] << 8) | (h.b[2] << 16) | ((uint32_t)h.b[3] << 24);
	r->type = (uint16_t)(h.b[4] | (h.b[5] << 8));
	r->flags = (uint16_t)(h.b[6] | (h.b[7] << 8));
	r->seq = h.b[8] | (h.b[9] << 8) | (h.b[10] << 16) | ((uint32_t)h.b[11] << 24);
	r->family = r->len > NLMSG_HDRLEN ? h.b[16] : 0;
	*consumed = n;
	return 0;
}

int64_t nl_send(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct nlsock_ref n = nl_of(s);
	(void)autobind(n);
	uint64_t total = m->data.resid;
	struct nlb_ref out;
	if (nlb_alloc(&out))
		return -ENOBUFS;
	/* each message starts where the previous one ended, 4-byte aligned */
	uint64_t off = 0;
	while (off + NLMSG_HDRLEN <= total) {
		struct uio u = m->data;
		uio_skip(&u, off);
		struct nl_req r;
		uint64_t got;
		int e = read_req(&u, total - off, &r, &got);
		if (e) {
			nlb_free(out);
			return e;
		}
		if (r.len < NLMSG_HDRLEN || r.len > total - off)
			break;
		if (r.flags & NLM_F_REQUEST)
			rtnl_request(n, out, r.type, r.flags, r.seq, r.family);
		off += (r.len + 3) & ~3U;
	}
	nlb_free(out);
	uio_skip(&m->data, total);
	return (int64_t)total;
}

int64_t nl_recv(struct sock_ref s, struct sock_msg *m, bool nonblock)
{
	struct nlsock_ref n = nl_of(s);
	uint64_t deadline = sock_deadline(s, true);
	for (;;) {
		struct nlsock *np = nlsock_get(n);
		if (!np)
			return -EBADF;
		if (np->rq.count)
			break;
		if (nonblock)
			return -EAGAIN;
		int e = sock_wait(s, deadline);
		if (e)
			return e;
	}
	struct nlsock *np = nlsock_get(n);
	bool peek = (m->flags & MSG_PEEK) != 0;
	struct pkt_ref p = peek ? np->rq.head : pktq_pop(&np->rq);
	struct pkt *pp = pkt_get(p);
	uint32_t len = pp->len;
	uint64_t k = FW_MIN((uint64_t)len, m->data.resid);
	if (k < len)
		m->oflags |= MSG_TRUNC;
	int e = pkt_to_uio(p, 0, &m->data, (uint32_t)k);
	struct sockaddr_k *a = &m->addr;
	for (uint32_t i = 0; i < sizeof(struct linux_sockaddr_nl); i++)
		a->b[i] = 0;
	a->b[0] = AF_NETLINK;
	a->len = sizeof(struct linux_sockaddr_nl);
	if (!peek)
		pkt_free_all(p);
	if (e)
		return e;
	return (m->flags & MSG_TRUNC) ? (int64_t)len : (int64_t)k;
}

int netlink_send_bytes(struct sock_ref s, const struct kchunk *c, uint32_t n)
{
	struct sock *sk = sock_get(s);
	if (!sk || sk->family != AF_NETLINK || n > sizeof(c->b))
		return -EINVAL;
	struct nlb_ref br;
	if (nlb_alloc(&br))
		return -ENOBUFS;
	struct nlb *b = nlb_get(br);
	for (uint32_t i = 0; i < n; i++)
		b->b[i] = c->b[i];
	b->len = n;
	int e = nl_deliver(nl_of(s), b);
	nlb_free(br);
	return e;
}

int nl_shutdown(struct sock_ref s, uint32_t how)
{
	struct sock *sk = sock_get(s);
	sk->shut |= how;
	sock_changed(s);
	return 0;
}

uint32_t nl_poll(struct sock_ref s)
{
	struct nlsock *np = nlsock_get(nl_of(s));
	if (!np)
		return POLLNVAL;
	return POLLOUT | POLLWRNORM | (np->rq.count ? POLLIN | POLLRDNORM : 0);
}

int nl_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v)
{
	/* NETLINK_ADD_MEMBERSHIP, NETLINK_EXT_ACK...: accepted, no events are sent */
	return level == SOL_NETLINK ? 0 : -ENOPROTOOPT;
}

int nl_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v) { return -ENOPROTOOPT; }

int64_t nl_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg) { return sock_ifioctl(cmd, arg); }

static int nl_kind_for(int32_t type, int32_t *protocol)
{
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (*protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	return SK_NETLINK;
}

static const struct sock_ops nl_ops = {
        nl_init, nl_release,  nl_bind,    nl_connect, no_listen, no_accept, nl_send,
        nl_recv, nl_shutdown, nl_getname, nl_poll,    nl_setopt, nl_getopt, nl_ioctl,
};

int netlink_init(void)
{
	int e = sock_proto_register(SK_NETLINK, &nl_ops);
	return e ? e : sock_family_register(AF_NETLINK, nl_kind_for);
}
