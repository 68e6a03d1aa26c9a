/* virtio-net driver: each virtio network function becomes an Ethernet
 * device of the network stack (eth0, eth1...). Layer: services (safe C). */
#ifndef SVC_DRIVERS_VIRTIO_NET_VIRTIO_NET_H
#define SVC_DRIVERS_VIRTIO_NET_VIRTIO_NET_H

#include "lib/klib.h"

/* Bring up every virtio-net function: how many started. */
int virtio_net_probe_all(void);
/* The interface index of unit n (0: none). */
uint32_t virtio_net_ifindex(uint32_t unit);

#endif
