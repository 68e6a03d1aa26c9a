/* Packet sockets (AF_PACKET, SOCK_RAW): whole frames in and out of an
 * interface. Layer: services (safe C). Root only. */
#ifndef SVC_NET_PACKET_PACKET_H
#define SVC_NET_PACKET_PACKET_H

#include "net/netdev.h"

struct psock;
struct psock *psock_get(struct psock_ref r);
FW_MUST_CHECK int psock_alloc(struct psock_ref *out);
void psock_free(struct psock_ref r);
bool psock_ref_valid(struct psock_ref r);
uint32_t psock_count(void);
struct psock {
	struct sock_ref sk;
	struct psock_ref next;   /* every packet socket (the receive tap walks them) */
	uint32_t ifindex;        /* 0: every interface */
	uint16_t proto;          /* ethertype received (ETH_P_ALL: every one) */
	struct pktq rq;
};

/* Register AF_PACKET and the receive tap (boot). */
int packet_init(void);
/* A frame arrived on ifindex: give packet sockets a copy. framed: it
 * starts with its link header (lo's packets do not). */
void packet_tap(struct pkt_ref p, uint32_t ifindex, bool framed);

#endif
