/* Port tables: which sockets own which local ports (bind conflicts with
 * SO_REUSEADDR/SO_REUSEPORT as Linux decides them, ephemeral ports), the
 * demultiplexing of arriving datagrams and segments, and the TCP
 * connection table keyed by the 4-tuple. Layer: services (safe C).
 * Chains are handles through struct inet; a socket is on at most one
 * bind chain and one connection chain. */
#include "net/inet/inet.h"
#include "net/inet/tcp.h"
#include "proc/proc.h"
#include <fw/console.h>

#define BIND_BUCKETS 256
#define CONN_BUCKETS 1024

struct port_tables {
	struct inet_ref bind[BT_MAX][BIND_BUCKETS];
	struct inet_ref conn[CONN_BUCKETS];
	uint32_t next_port;
};
FW_GLOBAL(struct port_tables, port_tables);

uint32_t bind_table_of(uint8_t proto, uint32_t kind)
{
	if (kind == SK_TCP)
		return BT_TCP;
	if (kind == SK_UDP)
		return BT_UDP;
	if (kind == SK_PING)
		return BT_PING;
	return BT_RAW;
}

static uint32_t bucket_of(uint16_t port) { return port % BIND_BUCKETS; }

static bool same(struct inet_ref a, struct inet_ref b) { return a.idx == b.idx && a.gen == b.gen; }

static bool is_listening(const struct inet *x)
{
	struct sock *sk = sock_get(x->sk);
	return sk && sk->listening;
}

/* May `in` (wanting addr:port) share the port with `old`? */
static bool compatible(const struct inet *in, const struct inet *old, uint32_t addr, uint32_t t)
{
	if (old->laddr != 0 && addr != 0 && old->laddr != addr)
		return true; /* different specific addresses never conflict */
	struct sock *a = sock_get(in->sk), *b = sock_get(old->sk);
	if (!a || !b)
		return true;
	if ((a->opts & SOF_REUSEPORT) && (b->opts & SOF_REUSEPORT) && a->uid == b->uid)
		return true;
	if ((a->opts & SOF_REUSEADDR) && (b->opts & SOF_REUSEADDR))
		return t != BT_TCP || !is_listening(old);
	return false;
}

static bool port_free(struct inet_ref in, uint32_t t, uint32_t addr, uint16_t port, bool strict)
{
	struct inet *me = inet_get(in);
	for (struct inet_ref r = port_tables()->bind[t][bucket_of(port)]; inet_ref_valid(r);) {
		struct inet *x = inet_get(r);
		if (x->lport == port && !same(r, in) && (strict || !compatible(me, x, addr, t)))
			return false;
		r = x->next_bind;
	}
	return true;
}

int port_bind(struct inet_ref in, uint32_t addr, uint16_t port)
{
	struct inet *ip = inet_get(in);
	if (!ip || ip->bound)
		return -EINVAL;
	uint32_t t = bind_table_of(ip->proto, ip->kind);
	struct port_tables *pt = port_tables();
	if (port == 0) {
		if (pt->next_port == 0) {
			uint32_t r = 0;
			fw_random_fill(&r, sizeof(r));
			pt->next_port = r;
		}
		uint32_t range = EPHEMERAL_HI - EPHEMERAL_LO + 1;
		for (uint32_t i = 0; i < range && port == 0; i++) {
			uint16_t cand = (uint16_t)(EPHEMERAL_LO + (pt->next_port++ % range));
			if (port_free(in, t, addr, cand, true))
				port = cand;
		}
		if (port == 0)
			return -EADDRINUSE;
	} else if (!port_free(in, t, addr, port, false)) {
		return -EADDRINUSE;
	}
	ip = inet_get(in);
	ip->laddr = addr;
	ip->lport = port;
	ip->bound = true;
	uint32_t b = bucket_of(port);
	ip->next_bind = pt->bind[t][b];
	pt->bind[t][b] = in;
	return 0;
}

void port_link_child(struct inet_ref in, uint16_t port)
{
	struct inet *ip = inet_get(in);
	if (!ip || ip->bound)
		return;
	ip->lport = port;
	ip->bound = true;
	ip->port_explicit = true; /* the listener's port: never released early */
	uint32_t b = bucket_of(port);
	ip->next_bind = port_tables()->bind[BT_TCP][b];
	port_tables()->bind[BT_TCP][b] = in;
}

void port_unbind(struct inet_ref in)
{
	struct inet *ip = inet_get(in);
	if (!ip || !ip->bound)
		return;
	uint32_t t = bind_table_of(ip->proto, ip->kind);
	struct port_tables *pt = port_tables();
	uint32_t b = bucket_of(ip->lport);
	struct inet_ref prev = {0};
	for (struct inet_ref r = pt->bind[t][b]; inet_ref_valid(r);) {
		struct inet *x = inet_get(r);
		if (same(r, in)) {
			if (inet_ref_valid(prev))
				inet_get(prev)->next_bind = x->next_bind;
			else
				pt->bind[t][b] = x->next_bind;
			break;
		}
		prev = r;
		r = x->next_bind;
	}
	ip = inet_get(in);
	ip->next_bind = (struct inet_ref){0};
	ip->bound = false;
}

struct inet_ref udp_lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport)
{
	struct inet_ref best = {0};
	int best_score = -1;
	for (struct inet_ref r = port_tables()->bind[BT_UDP][bucket_of(dport)]; inet_ref_valid(r);) {
		struct inet_ref cur = r;
		struct inet *x = inet_get(r);
		r = x->next_bind;
		if (x->lport != dport)
			continue;
		int score = 0;
		if (x->laddr) {
			if (x->laddr != daddr)
				continue;
			score += 2;
		}
		if (x->connected) {
			if (x->raddr != saddr || x->rport != sport)
				continue;
			score += 4;
		}
		if (score > best_score) {
			best_score = score;
			best = cur;
		}
	}
	return best;
}

struct inet_ref tcp_lookup_listener(uint32_t daddr, uint16_t dport)
{
	struct inet_ref any = {0};
	for (struct inet_ref r = port_tables()->bind[BT_TCP][bucket_of(dport)]; inet_ref_valid(r);) {
		struct inet *x = inet_get(r);
		if (x->lport == dport && is_listening(x)) {
			if (x->laddr == daddr)
				return r;
			if (x->laddr == 0 && !inet_ref_valid(any))
				any = r;
		}
		r = x->next_bind;
	}
	return any;
}

static uint32_t conn_hash(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	uint32_t h = laddr * 2654435761U ^ raddr * 40503U ^ ((uint32_t)lport << 16 | rport) * 2246822519U;
	return (h ^ (h >> 15)) % CONN_BUCKETS;
}

void conn_insert(struct inet_ref in)
{
	struct inet *ip = inet_get(in);
	if (!ip || ip->in_conn)
		return;
	uint32_t h = conn_hash(ip->laddr, ip->lport, ip->raddr, ip->rport);
	ip->next_conn = port_tables()->conn[h];
	port_tables()->conn[h] = in;
	ip->in_conn = true;
}

void conn_remove(struct inet_ref in)
{
	struct inet *ip = inet_get(in);
	if (!ip || !ip->in_conn)
		return;
	uint32_t h = conn_hash(ip->laddr, ip->lport, ip->raddr, ip->rport);
	struct port_tables *pt = port_tables();
	struct inet_ref prev = {0};
	for (struct inet_ref r = pt->conn[h]; inet_ref_valid(r);) {
		struct inet *x = inet_get(r);
		if (same(r, in)) {
			if (inet_ref_valid(prev))
				inet_get(prev)->next_conn = x->next_conn;
			else
				pt->conn[h] = x->next_conn;
			break;
		}
		prev = r;
		r = x->next_conn;
	}
	ip = inet_get(in);
	ip->next_conn = (struct inet_ref){0};
	ip->in_conn = false;
}

struct inet_ref conn_lookup(uint32_t laddr, uint16_t lport, uint32_t raddr, uint16_t rport)
{
	uint32_t h = conn_hash(laddr, lport, raddr, rport);
	for (struct inet_ref r = port_tables()->conn[h]; inet_ref_valid(r);) {
		struct inet *x = inet_get(r);
		if (x->lport == lport && x->rport == rport && x->raddr == raddr && x->laddr == laddr)
			return r;
		r = x->next_conn;
	}
	return (struct inet_ref){0};
}

/* The next socket in a chain walk over all buckets of an array. */
struct inet_ref bind_next(uint32_t t, struct inet_ref cur)
{
	struct port_tables *pt = port_tables();
	uint32_t b = 0;
	if (inet_ref_valid(cur)) {
		struct inet *x = inet_get(cur);
		if (inet_ref_valid(x->next_bind))
			return x->next_bind;
		b = bucket_of(x->lport) + 1;
	}
	for (; b < BIND_BUCKETS && t < BT_MAX; b++)
		if (inet_ref_valid(pt->bind[t][b]))
			return pt->bind[t][b];
	return (struct inet_ref){0};
}

struct inet_ref conn_next(struct inet_ref cur)
{
	struct port_tables *pt = port_tables();
	uint32_t b = 0;
	if (inet_ref_valid(cur)) {
		struct inet *x = inet_get(cur);
		if (inet_ref_valid(x->next_conn))
			return x->next_conn;
		b = conn_hash(x->laddr, x->lport, x->raddr, x->rport) + 1;
	}
	for (; b < CONN_BUCKETS; b++)
		if (inet_ref_valid(pt->conn[b]))
			return pt->conn[b];
	return (struct inet_ref){0};
}

/* Raw sockets are chained by protocol (their "port", as in Linux) and
 * never conflict. */
void raw_link(struct inet_ref in)
{
	struct inet *ip = inet_get(in);
	if (!ip || ip->bound)
		return;
	ip->lport = ip->proto;
	ip->bound = true;
	uint32_t b = bucket_of(ip->lport);
	ip->next_bind = port_tables()->bind[BT_RAW][b];
	port_tables()->bind[BT_RAW][b] = in;
}

struct inet_ref raw_next(uint8_t proto, struct inet_ref cur)
{
	struct inet_ref r = inet_ref_valid(cur) ? inet_get(cur)->next_bind : port_tables()->bind[BT_RAW][proto];
	while (inet_ref_valid(r)) {
		struct inet *x = inet_get(r);
		if (x->proto == proto)
			return r;
		r = x->next_bind;
	}
	return (struct inet_ref){0};
}

struct inet_ref ping_lookup(uint16_t id)
{
	for (struct inet_ref r = port_tables()->bind[BT_PING][bucket_of(id)]; inet_ref_valid(r);) {
		struct inet *x = inet_get(r);
		if (x->lport == id)
			return r;
		r = x->next_bind;
	}
	return (struct inet_ref){0};
}
