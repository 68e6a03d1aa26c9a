/* Netlink sockets (AF_NETLINK, NETLINK_ROUTE only): the socket side
 * (bind to a port id, send requests, receive queued replies) and the
 * rtnetlink requests busybox's ip and libc need: RTM_GETLINK,
 * RTM_GETADDR and RTM_GETROUTE dumps, answered from the interface and
 * route tables. Layer: services (safe C). Requests are parsed from user
 * bytes with every length checked; replies are built in a bounded buffer. */
#ifndef SVC_NET_NETLINK_NETLINK_H
#define SVC_NET_NETLINK_NETLINK_H

#include "net/netdev.h"

struct nlsock;
struct nlsock *nlsock_get(struct nlsock_ref r);
FW_MUST_CHECK int nlsock_alloc(struct nlsock_ref *out);
void nlsock_free(struct nlsock_ref r);
bool nlsock_ref_valid(struct nlsock_ref r);
uint32_t nlsock_count(void);

struct nlsock {
	struct sock_ref sk;
	uint32_t portid; /* 0 until bound (autobound on first send) */
	uint32_t groups;
	uint32_t dst_portid; /* connect() */
	struct pktq rq;      /* replies, one datagram each */
};

/* A reply under construction (at most one page). */
#define NLB_MAX 4000
struct nlb {
	uint8_t b[NLB_MAX];
	uint32_t len;
	uint32_t msg_start; /* offset of the message being built */
	bool overflow;
};
FW_POOL_DECLARE(nlb, struct nlb);

/* Register AF_NETLINK with the socket layer (boot). */
int netlink_init(void);

/* socket operations (netlink.c) */
int nl_init(struct sock_ref s);
void nl_release(struct sock_ref s);
int nl_bind(struct sock_ref s, const struct sockaddr_k *a);
int nl_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock);
int64_t nl_send(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t nl_recv(struct sock_ref s, struct sock_msg *m, bool nonblock);
int nl_shutdown(struct sock_ref s, uint32_t how);
int nl_getname(struct sock_ref s, bool peer, struct sockaddr_k *out);
uint32_t nl_poll(struct sock_ref s);
int nl_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v);
int nl_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v);
int64_t nl_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg);

/* Queue n raw bytes (n <= 512) on netlink socket s as one datagram, no
 * header (mq_notify's SIGEV_THREAD cookie, which libc's helper thread
 * reads): -EINVAL when s is no netlink socket, -ENOBUFS. */
int netlink_send_bytes(struct sock_ref s, const struct kchunk *c, uint32_t n);

/* Queue the reply in b on socket s as one datagram. */
int nl_deliver(struct nlsock_ref n, const struct nlb *b);

/* rtnetlink (rtnl.c): handle one request message; replies go to n. */
void rtnl_request(struct nlsock_ref n, struct nlb_ref out, uint16_t type, uint16_t flags, uint32_t seq,
                  uint32_t family);

/* reply building */
void nlb_begin(struct nlb *b, uint16_t type, uint16_t flags, uint32_t seq, uint32_t portid);
void nlb_put(struct nlb *b, const struct hbuf *h, uint32_t n);
void nlb_attr(struct nlb *b, uint16_t type, const struct hbuf *h, uint32_t n);
void nlb_attr_u32(struct nlb *b, uint16_t type, uint32_t v);
void nlb_attr_str(struct nlb *b, uint16_t type, const char (*s)[IFNAMSIZ]);
void nlb_end(struct nlb *b);

#endif
