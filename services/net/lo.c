/* The loopback device: what is sent comes straight back in, through the
 * receive backlog. Checksums of loopback packets are trusted (the packet
 * never left memory), as Linux's lo does. Layer: services (safe C). */
#include "net/netdev.h"

int lo_xmit(uint32_t ifindex, struct pkt_ref p)
{
	struct pkt *pp = pkt_get(p);
	if (!pp)
		return -EINVAL;
	pp->flags |= PKT_CSUM_OK;
	netdev_rx(ifindex, p);
	return 0;
}
