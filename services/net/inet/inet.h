/* IPv4: the AF_INET part of sockets, port tables, routing, IP input and
 * output, Ethernet and ARP, ICMP, UDP, raw and ping sockets. TCP has its
 * own header (tcp.h). Layer: services (safe C).
 *
 * Object model (stored references are pool handles):
 *   inet — the AF_INET part of a socket: addresses and ports (host byte
 *          order), IP options, the datagram receive queue (UDP, raw,
 *          ping) or the TCP control block. Sockets with a local port are
 *          chained in their protocol's bind table; TCP connections also in
 *          the connection table (4-tuple).
 * Every packet field is checked before it is used; a malformed packet is
 * dropped and counted in net_stats(), never trusted. */
#ifndef SVC_NET_INET_INET_H
#define SVC_NET_INET_INET_H

#include "net/netdev.h"

#define INADDR_ANY 0U
#define INADDR_LOOPBACK 0x7f000001U
#define INADDR_BROADCAST 0xffffffffU
#define IP_DEFAULT_TTL 64
#define IP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define EPHEMERAL_LO 32768
#define EPHEMERAL_HI 60999

FW_POOL_REF(tcb);

struct inet;
struct inet *inet_get(struct inet_ref r);
FW_MUST_CHECK int inet_alloc(struct inet_ref *out);
void inet_free(struct inet_ref r);
bool inet_ref_valid(struct inet_ref r);
uint32_t inet_count(void);

struct inet {
	struct sock_ref sk;
	uint8_t proto;             /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, raw: any */
	uint32_t kind;             /* enum sock_kind of the socket */
	uint32_t laddr, raddr;     /* host byte order; 0: any / none */
	uint16_t lport, rport;     /* host byte order; 0: none */
	bool bound;                /* in the bind table */
	bool port_explicit;        /* bind() chose the port (not autobind) */
	bool connected;            /* UDP/raw/ping: a default destination */
	struct inet_ref next_bind; /* bind table chain (by local port) */
	struct inet_ref next_conn; /* TCP connection table chain */
	bool in_conn;              /* linked in the connection table */
	uint8_t ttl;               /* 0: IP_DEFAULT_TTL */
	uint8_t tos;
	bool hdrincl; /* raw IPPROTO_RAW / IP_HDRINCL */
	bool recverr, pktinfo, recvttl, recvtos;
	uint32_t pmtudisc;
	uint32_t icmp_filter; /* raw ICMP: ICMP_FILTER bitmask of types dropped */
	struct pktq rq;       /* datagrams waiting (UDP, raw, ping) */
	struct tcb_ref tcb;   /* TCP */
	uint64_t drops;       /* datagrams dropped for a full buffer */
};

/* Which protocol serves (SOCK_*, protocol) in AF_INET: a sock_kind or
 * -errno; sets *protocol to the real one. */
int inet_kind_for(int32_t type, int32_t *protocol);

/* Addresses to and from sockaddr_in. */
int sin_parse(const struct sockaddr_k *a, uint32_t *addr, uint16_t *port);
void sin_make(struct sockaddr_k *a, uint32_t addr, uint16_t port);

/* The generic AF_INET socket operations (af_inet.c). */
int inet_init_common(struct sock_ref s, uint8_t proto);
int inet_bind(struct sock_ref s, const struct sockaddr_k *a);
int inet_getname(struct sock_ref s, bool peer, struct sockaddr_k *out);
int inet_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v);
int inet_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v);
int64_t inet_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg);
struct inet_ref inet_of(struct sock_ref s);
/* Free the inet part (unbind, purge) and the socket. */
void inet_destroy(struct sock_ref s);

/* Port tables (ports.c). */
enum bind_table { BT_TCP, BT_UDP, BT_RAW, BT_PING, BT_MAX };
uint32_t bind_table_of(uint8_t proto, uint32_t kind);
/* Bind (addr, port); port 0 picks an ephemeral one. -EADDRINUSE. */
int port_bind(struct inet_ref in, uint32_t addr, uint16_t port);
void port_unbind(struct inet_ref in);
/* An accepted connection shares its listener's port (no conflict check). */
void port_link_child(struct inet_ref in, uint16_t port);
/* The socket a datagram for (daddr, dport) from (saddr, sport) reaches. */
struct inet_ref udp_lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
/* Listening TCP socket for (daddr, dport). */
struct inet_ref tcp_lookup_listener(uint32_t daddr, uint16_t dport);
/* TCP connection table. */
void conn_insert(struct inet_ref in);
void conn_remove(struct inet_ref in);
struct inet_ref conn_lookup(uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport);
/* Iterate the bind tables (/proc/net): the next socket after cur in
 * table t (cur invalid: the first). */
struct inet_ref bind_next(uint32_t t, struct inet_ref cur);
struct inet_ref conn_next(struct inet_ref cur);
/* Raw sockets of a protocol (each gets a copy of matching packets). */
void raw_link(struct inet_ref in);
struct inet_ref raw_next(uint8_t proto, struct inet_ref cur);
/* The ping socket using ICMP echo identifier id. */
struct inet_ref ping_lookup(uint16_t id);

/* Routes (route.c). */
struct route {
	uint32_t ifindex;
	uint32_t src;     /* preferred source address */
	uint32_t nexthop; /* gateway or the destination itself */
	uint32_t mtu;
	bool local; /* delivered to this host (via lo) */
	bool bcast;
};
int route_init(void);
/* Where a packet to dst goes (-ENETUNREACH). */
int route_lookup(uint32_t dst, struct route *rt);
/* Is addr one of this host's addresses (or a loopback address)? */
bool addr_is_local(uint32_t addr);
/* Add the default route through gw on ifindex (virtio-net setup). */
int route_set_default(uint32_t ifindex, uint32_t gw);
uint32_t route_default_gw(void);
uint32_t route_default_if(void);

/* IPv4 (ip.c). */
void ip_rcv(struct pkt_ref p);
/* Send p (transport header in front) from src to dst with protocol
 * proto. Frees p. src 0: the route's source. */
int ip_output(struct pkt_ref p, uint32_t src, uint32_t dst, uint8_t proto, uint8_t ttl, uint8_t tos);
/* Send a packet whose IP header the caller wrote (IP_HDRINCL). */
int ip_output_raw(struct pkt_ref p);
uint16_t ip_next_id(void);
/* Pseudo-header sum for TCP/UDP checksums. */
uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t len);

/* Register AF_INET (TCP, UDP, raw, ping), IPv4 input, the interface
 * ioctls and the /proc/net files (boot, after net_init). */
int inet_init(void);
/* Give an interface its address (addr/prefix), bring it up, and route
 * everything off its subnet through gw (0: no default route). */
int inet_iface_config(uint32_t ifindex, uint32_t addr, uint32_t prefix, uint32_t gw);
/* Interface ioctls (SIOCGIF*), any socket (ifioctl.c). */
int64_t netdev_ioctl(uint64_t cmd, uint64_t arg);

/* Ethernet and ARP (ether.c). */
void ether_rcv(struct pkt_ref p);
/* Send an IP packet out of an Ethernet device to nexthop (resolving it
 * with ARP, queueing while it resolves). */
int ether_output(uint32_t ifindex, uint32_t nexthop, struct pkt_ref p);

/* ICMP (icmp.c). */
void icmp_rcv(struct pkt_ref p);
/* Answer a packet with an ICMP error (destination unreachable...). */
void icmp_send_error(struct pkt_ref orig, uint8_t type, uint8_t code);
#define ICMP_ECHOREPLY 0
#define ICMP_DEST_UNREACH 3
#define ICMP_ECHO 8
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ICMP_PORT_UNREACH 3
#define ICMP_PROT_UNREACH 2
#define ICMP_FRAG_NEEDED 4

/* Datagram sockets: UDP, raw and ping share the receive queue and the
 * socket operations (udp.c, raw.c). */
int udp_init(struct sock_ref s);
int raw_init(struct sock_ref s);
int ping_init(struct sock_ref s);
void dgram_release(struct sock_ref s);
int dgram_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock);
int64_t dgram_send(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t dgram_recv(struct sock_ref s, struct sock_msg *m, bool nonblock);
int dgram_shutdown(struct sock_ref s, uint32_t how);
uint32_t dgram_poll(struct sock_ref s);
/* Send on a raw or ping socket to dst (raw.c). */
int64_t raw_send(struct sock_ref s, struct inet_ref in, struct sock_msg *m, uint32_t dst);
/* Queue a datagram on a socket (-ENOBUFS if its buffer is full). */
int dgram_queue(struct inet_ref in, struct pkt_ref p);
void udp_rcv(struct pkt_ref p);
/* Copies of an IP packet for raw sockets of its protocol (header in
 * front). True if some raw socket took it. */
bool raw_deliver(struct pkt_ref p, uint8_t proto);
/* An echo reply for ping sockets. True if one took it. */
bool ping_deliver(struct pkt_ref p, uint16_t id);
/* An ICMP error about a datagram we sent: report it to its socket. */
void udp_err(uint32_t daddr, uint16_t dport, uint32_t saddr, uint16_t sport, int32_t err);

/* TCP's socket operations (tcp_sock.c). */
int tcp_init(struct sock_ref s);
void tcp_release(struct sock_ref s);
int tcp_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock);
int tcp_listen(struct sock_ref s, int32_t backlog);
int tcp_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer);
int64_t tcp_send(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t tcp_recv(struct sock_ref s, struct sock_msg *m, bool nonblock);
int tcp_shutdown(struct sock_ref s, uint32_t how);
uint32_t tcp_poll(struct sock_ref s);
int tcp_setopt(struct sock_ref s, int32_t name, const struct optval *v);
int tcp_getopt(struct sock_ref s, int32_t name, struct optval *v);
int64_t tcp_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg);
void tcp_rcv(struct pkt_ref p);
void tcp_err(uint32_t daddr, uint16_t dport, uint32_t saddr, uint16_t sport, int32_t err);
/* sendfile to a TCP socket: n bytes of a frame at off. */
int64_t tcp_send_frame(struct sock_ref s, struct fw_frame_ref f, uint32_t off, uint32_t n, bool nonblock);

/* /proc/net (procnet.c). */
void inet_proc_tcp(struct ptext *t);
void inet_proc_udp(struct ptext *t);
void inet_proc_route(struct ptext *t);
void inet_proc_snmp(struct ptext *t);

#endif
