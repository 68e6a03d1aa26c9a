/* virtio-net driver. Layer: services (safe C). Trusts the virtio transport
 * (services/drivers/virtio) and the device layer of the network stack
 * (services/net/netdev.h); the framework keeps what the device can reach
 * (<fw/virtio.h>, <fw/dma.h>).
 *
 * Two queues: receive (0) and transmit (1), each of one-descriptor
 * chains. Every slot owns a frame mapped once for the device's DMA; the
 * device writes a received frame (after the 12-byte virtio_net_hdr) into
 * a receive slot's frame, the driver copies it into a fresh frame for the
 * stack and gives the slot back; a frame to send is copied into a free
 * transmit slot's frame behind a zero header. No offloads are negotiated,
 * so every checksum is the stack's. Receive completions arrive by MSI-X
 * (or INTx) in the framework's IRQ worker; transmit completions are
 * reaped when the driver next transmits or receives. Frames that find the
 * transmit ring full wait in a short queue, beyond which they are dropped
 * (and counted). */
#include "drivers/virtio_net/virtio_net.h"
#include "drivers/virtio/virtio.h"
#include "net/netdev.h"
#include <fw/log.h>

#define VNET_F_MAC (1ULL << 5)
#define VNET_F_STATUS (1ULL << 16)
#define VNET_HDR 12 /* virtio 1.x: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers */
#define VNET_QSIZE 64
#define VNET_MTU 1500
#define VNET_TXQ_MAX 128
#define VNET_MAX_UNITS 4

/* One queue's slots: a mapped frame per descriptor head. */
struct vnet_q {
	struct virtq q;
	struct fw_frame_ref frame[VNET_QSIZE];
	struct fw_dma_ref dma[VNET_QSIZE];
	bool busy[VNET_QSIZE]; /* transmit: in flight */
};
FW_POOL_REF(vnet_q);
FW_POOL_PRIVATE(vnet_q, struct vnet_q);

struct vnet {
	struct virtio_dev v;
	struct vnet_q_ref rx, tx;
	uint32_t ifindex;
	uint8_t mac[ETH_ALEN];
	struct pktq waiting; /* frames that found the transmit ring full */
	uint64_t bad_completions, runts;
};
FW_POOL_REF(vnet);
FW_POOL_PRIVATE(vnet, struct vnet);

struct vnet_units {
	struct vnet_ref unit[VNET_MAX_UNITS];
	uint32_t n;
};
FW_GLOBAL(struct vnet_units, vnet_units);

static uint64_t cookie_of(struct vnet_ref r) { return (uint64_t)r.idx << 32 | r.gen; }
static struct vnet_ref ref_of(uint64_t c) { return (struct vnet_ref){(uint32_t)(c >> 32), (uint32_t)c}; }

static struct vnet_ref unit_ref(uint32_t unit)
{
	struct vnet_units *u = vnet_units();
	return unit < u->n && unit < VNET_MAX_UNITS ? u->unit[unit] : (struct vnet_ref){0};
}

/* Give receive slot `head` (its frame) to the device. */
static int rx_post(struct vnet *n, struct vnet_q *rq, uint16_t head)
{
	int e = fw_vq_desc_set(rq->q.vq, head, rq->dma[head % VNET_QSIZE], 0, 4096, FW_VQ_F_WRITE, 0);
	return e ? e : virtq_submit(&n->v, &rq->q, head);
}

/* A received frame for the stack: copied out of the slot's frame. */
static void rx_deliver(struct vnet *n, struct vnet_q *rq, uint16_t head, uint32_t len)
{
	struct netdev *d = netdev_get(n->ifindex);
	if (len <= VNET_HDR + ETH_HLEN || len > 4096) {
		n->runts++;
		if (d)
			d->rx_errors++;
		return;
	}
	uint32_t flen = len - VNET_HDR;
	struct pkt_ref p;
	struct fw_frame_ref f;
	if (pkt_new(&p)) {
		if (d)
			d->rx_dropped++;
		return;
	}
	if (net_frame_get(&f)) {
		pkt_free_all(p);
		if (d)
			d->rx_dropped++;
		return;
	}
	int e = fw_frame_move(f, 0, rq->frame[head % VNET_QSIZE], VNET_HDR, flen);
	if (e == 0)
		e = pkt_add_frag(p, f, 0, flen);
	fw_frame_put(f); /* the packet holds its own reference */
	if (e) {
		pkt_free_all(p);
		return;
	}
	netdev_rx(n->ifindex, p);
}

/* Transmit slots the device finished with become free again. */
static void tx_reap(struct vnet *n, struct vnet_q *tq)
{
	uint16_t head;
	uint32_t len;
	for (;;) {
		int e = virtq_reap(&tq->q, &head, &len);
		if (e == -EAGAIN)
			return;
		if (e) {
			n->bad_completions++;
			return;
		}
		tq->busy[head % VNET_QSIZE] = false;
	}
}

/* Put frame p on the wire now: 0, -EAGAIN (no free slot: p is still the
 * caller's), or another error (p consumed). */
static int tx_one(struct vnet *n, struct vnet_q *tq, struct pkt_ref p)
{
	struct pkt *pp = pkt_get(p);
	uint32_t len = pp ? pp->len : 0;
	if (!pp || len > VNET_MTU + ETH_HLEN) {
		pkt_free_all(p);
		return -EMSGSIZE;
	}
	uint16_t head;
	if (virtq_alloc(&tq->q, 1, &head))
		return -EAGAIN;
	uint32_t slot = head % VNET_QSIZE;
	struct fw_frame_ref f = tq->frame[slot];
	int e = fw_frame_zero(f, 0, VNET_HDR);
	if (e == 0)
		e = pkt_to_frame(p, 0, f, VNET_HDR, len);
	if (e == 0)
		e = fw_vq_desc_set(tq->q.vq, head, tq->dma[slot], 0, VNET_HDR + len, 0, 0);
	if (e == 0) {
		tq->busy[slot] = true;
		e = virtq_submit(&n->v, &tq->q, head);
		if (e)
			tq->busy[slot] = false;
	}
	if (e)
		virtq_free_chain(&tq->q, head);
	pkt_free_all(p);
	return e;
}

/* Send what waited for a free transmit slot. */
static void tx_flush(struct vnet *n, struct vnet_q *tq)
{
	for (;;) {
		struct pkt_ref p = n->waiting.head;
		if (!pkt_ref_valid(p))
			return;
		struct pkt *pp = pkt_get(p);
		if (!pp)
			return;
		uint16_t head;
		if (virtq_alloc(&tq->q, 1, &head))
			return;
		virtq_free_chain(&tq->q, head);
		(void)tx_one(n, tq, pktq_pop(&n->waiting));
	}
}

static int vnet_xmit(uint32_t unit, struct pkt_ref p)
{
	struct vnet *n = vnet_get(unit_ref(unit));
	struct vnet_q *tq = n ? vnet_q_get(n->tx) : NULL;
	if (!tq) {
		pkt_free_all(p);
		return -ENODEV;
	}
	tx_reap(n, tq);
	tx_flush(n, tq);
	if (n->waiting.count == 0) {
		int e = tx_one(n, tq, p);
		if (e != -EAGAIN)
			return e;
	}
	if (n->waiting.count >= VNET_TXQ_MAX) {
		struct netdev *d = netdev_get(n->ifindex);
		if (d)
			d->tx_dropped++;
		pkt_free_all(p);
		return -ENOBUFS;
	}
	pktq_tail(&n->waiting, p);
	return 0;
}

/* The interrupt handler (IRQ worker; must not sleep). */
static void vnet_irq(uint64_t cookie)
{
	struct vnet_ref nr = ref_of(cookie);
	struct vnet *n = vnet_get(nr);
	if (!n)
		return;
	if (!n->v.msix)
		(void)virtio_isr(&n->v); /* deasserts INTx */
	struct vnet_q *rq = vnet_q_get(n->rx);
	uint16_t head;
	uint32_t len;
	for (uint32_t budget = 0; rq && budget < 4 * VNET_QSIZE; budget++) {
		int e = virtq_reap(&rq->q, &head, &len);
		if (e == -EAGAIN)
			break;
		if (e) {
			n->bad_completions++;
			break;
		}
		rx_deliver(n, rq, head, len);
		/* the stack ran (and may have transmitted): re-borrow */
		n = vnet_get(nr);
		rq = n ? vnet_q_get(n->rx) : NULL;
		if (!rq)
			return;
		uint16_t h2;
		if (virtq_alloc(&rq->q, 1, &h2) == 0 && rx_post(n, rq, h2))
			virtq_free_chain(&rq->q, h2);
	}
	n = vnet_get(nr);
	struct vnet_q *tq = n ? vnet_q_get(n->tx) : NULL;
	if (tq) {
		tx_reap(n, tq);
		tx_flush(n, tq);
	}
}

/* Map one frame per slot of a queue. */
static int slots_setup(struct vnet *n, struct vnet_q *q, uint32_t dir)
{
	for (uint32_t i = 0; i < q->q.size && i < VNET_QSIZE; i++) {
		struct fw_frame_ref f;
		if (fw_frame_alloc(&f))
			return -ENOMEM;
		q->frame[i] = f;
		struct fw_dma_ref d;
		int e = fw_dma_map_frame(n->v.pci, f, dir, &d);
		if (e)
			return e;
		q->dma[i] = d;
	}
	return 0;
}

static void slots_release(struct vnet_q *q)
{
	for (uint32_t i = 0; i < VNET_QSIZE; i++) {
		if (fw_dma_valid(q->dma[i]))
			(void)fw_dma_free(q->dma[i]);
		if (q->frame[i].pfn)
			fw_frame_put(q->frame[i]);
		q->frame[i] = (struct fw_frame_ref){0};
	}
}

static int queues_setup(struct vnet *n)
{
	struct vnet_q *rq = vnet_q_get(n->rx), *tq = vnet_q_get(n->tx);
	int e = virtq_setup(&n->v, &rq->q, 0, VNET_QSIZE);
	if (e == 0)
		e = virtq_setup(&n->v, &tq->q, 1, VNET_QSIZE);
	if (e == 0)
		e = slots_setup(n, rq, FW_DMA_FROM_DEVICE);
	if (e == 0)
		e = slots_setup(n, tq, FW_DMA_TO_DEVICE);
	if (e == 0)
		(void)fw_vq_set_interrupts(tq->q.vq, false);
	return e;
}

/* Hand every receive slot to the device (after DRIVER_OK). */
static int rx_fill(struct vnet *n)
{
	struct vnet_q *rq = vnet_q_get(n->rx);
	uint16_t head;
	while (virtq_alloc(&rq->q, 1, &head) == 0) {
		int e = rx_post(n, rq, head);
		if (e) {
			virtq_free_chain(&rq->q, head);
			return e;
		}
	}
	return 0;
}

static int read_mac(struct vnet *n)
{
	/* without VIRTIO_NET_F_MAC the driver picks one (locally administered) */
	const uint8_t fallback[ETH_ALEN] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	for (uint32_t i = 0; i < ETH_ALEN; i++) {
		uint8_t b = fallback[i];
		if ((n->v.features & VNET_F_MAC) && virtio_cfg_read8(&n->v, i, &b))
			return -EIO;
		n->mac[i] = b;
	}
	return 0;
}

static int start(struct vnet_ref nr, uint32_t pci_index, uint32_t unit)
{
	struct vnet *n = vnet_get(nr);
	int e = virtio_open(pci_index, &n->v);
	if (e)
		return e;
	e = virtio_negotiate(&n->v, VNET_F_MAC | VNET_F_STATUS);
	if (e == 0 && (vnet_q_alloc(&n->rx) || vnet_q_alloc(&n->tx)))
		e = -ENOMEM;
	if (e == 0)
		e = read_mac(n);
	if (e == 0)
		e = queues_setup(n);
	if (e == 0)
		e = virtio_irq_attach(&n->v, 0, vnet_irq, cookie_of(nr));
	if (e == 0)
		e = virtio_driver_ok(&n->v);
	if (e == 0)
		e = rx_fill(n);
	int idx = e ? e : netdev_register_ether(&n->mac, VNET_MTU, vnet_xmit, unit);
	if (idx < 0) {
		virtio_close(&n->v); /* the reset frees the slots' mappings */
		struct vnet_q *rq = vnet_q_get(n->rx), *tq = vnet_q_get(n->tx);
		if (rq)
			slots_release(rq);
		if (tq)
			slots_release(tq);
		vnet_q_free(n->rx);
		vnet_q_free(n->tx);
		return idx;
	}
	n->ifindex = (uint32_t)idx;
	if (n->v.msix)
		fw_info("virtio-net: pci device %u, eth%u, %u-entry queues, MSI-X", pci_index, unit,
		        vnet_q_get(n->rx)->q.size);
	else
		fw_info("virtio-net: pci device %u, eth%u, %u-entry queues, INTx", pci_index, unit,
		        vnet_q_get(n->rx)->q.size);
	return 0;
}

int virtio_net_probe_all(void)
{
	uint32_t idx, found = 0;
	for (uint32_t k = 0; virtio_find(VIRTIO_ID_NET, k, &idx) == 0; k++) {
		struct vnet_units *u = vnet_units();
		if (u->n >= VNET_MAX_UNITS)
			break;
		struct vnet_ref nr;
		if (vnet_alloc(&nr))
			return -ENOMEM;
		u->unit[u->n] = nr;
		int e = start(nr, idx, u->n);
		if (e) {
			fw_warn("virtio-net: device %u failed to start (%d)", idx, e);
			vnet_free(nr);
			vnet_units()->unit[vnet_units()->n] = (struct vnet_ref){0};
			continue;
		}
		vnet_units()->n++;
		found++;
	}
	return (int)found;
}

uint32_t virtio_net_ifindex(uint32_t unit)
{
	struct vnet *n = vnet_get(unit_ref(unit));
	return n ? n->ifindex : 0;
}
