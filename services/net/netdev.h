/* Network devices: the interface table (lo, and eth0 when a NIC exists),
 * per-device counters, addresses, transmit through a const table of device
 * operations, and the receive backlog. Layer: services (safe C).
 *
 * Receiving: a driver (or the loopback transmit) hands a packet to
 * netdev_rx(), which queues it on the backlog; the backlog is processed
 * iteratively by whoever queued first (a syscall, a timer callback, the
 * driver's receive task), so a reply generated while processing (an ACK,
 * an echo reply) is queued, never handled recursively. The backlog is
 * bounded (netdev_max_backlog); beyond it packets are dropped and
 * counted. */
#ifndef SVC_NET_NETDEV_H
#define SVC_NET_NETDEV_H

#include "net/pkt.h"
#include "fs/procfs/procfs.h"

#define NETDEV_MAX 4
#define BACKLOG_MAX 1000
#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806

enum netdev_kind { ND_NONE, ND_LOOPBACK, ND_ETHER, ND_KIND_MAX };

struct netdev {
	bool present;
	uint32_t kind; /* enum netdev_kind */
	char name[IFNAMSIZ];
	uint32_t index; /* ifindex (1 = lo) */
	uint32_t flags; /* IFF_* */
	uint32_t mtu;
	uint32_t txqlen;
	uint8_t hwaddr[ETH_ALEN];
	uint16_t type;          /* ARPHRD_* */
	uint32_t addr, netmask; /* IPv4, host byte order (0: none) */
	/* Ethernet devices: the driver's transmit (the frame, Ethernet header
	 * in front, is the driver's from then on) and its unit number */
	int (*xmit)(uint32_t unit, struct pkt_ref p);
	uint32_t unit;
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
};

/* Device operations (a const table per kind, in netdev.c). */
struct netdev_ops {
	/* Send a packet whose link-layer header is already in front; the
	 * device owns the packet from here on. */
	int (*xmit)(uint32_t ifindex, struct pkt_ref p);
};

struct netdev *netdev_get(uint32_t ifindex);
struct netdev *netdev_by_name(const char (*name)[IFNAMSIZ]);
/* Register a device: its ifindex, or -ENOSPC. */
int netdev_register(uint32_t kind, const char (*name)[IFNAMSIZ], uint32_t mtu);
/* An Ethernet NIC: named ethN, its MAC, its driver's transmit and unit. */
int netdev_register_ether(const uint8_t (*mac)[ETH_ALEN], uint32_t mtu, int (*xmit)(uint32_t unit, struct pkt_ref p),
			  uint32_t unit);
/* The socket layer's file operations, lo up (127.0.0.1/8) and
 * /proc/net/dev (boot; before the protocols register). */
int net_init(void);
/* Where received packets go (IPv4 registers at boot). */
void netdev_set_input(void (*l3_rcv)(struct pkt_ref p), void (*ether_rcv)(struct pkt_ref p));
/* Who sees a copy of every received frame (packet sockets). */
void netdev_set_tap(void (*tap)(struct pkt_ref p, uint32_t ifindex, bool framed));

/* Transmit: count and hand to the device (frees p on failure). */
int netdev_xmit(uint32_t ifindex, struct pkt_ref p);
/* Queue a received packet (link-layer header in front for ether
 * devices, none for lo) and process the backlog unless someone already
 * is. Drops (and counts) when the backlog is full. */
void netdev_rx(uint32_t ifindex, struct pkt_ref p);
/* Process every queued packet. */
void net_rx_drain(void);


/* Loopback (lo.c). */
int lo_xmit(uint32_t ifindex, struct pkt_ref p);

/* /proc/net/dev. */
void netdev_proc(struct ptext *t);

#endif
