/* Split virtqueue bookkeeping on the driver side. Layer: services (safe
 * C). The rings themselves are framework objects (<fw/virtio.h>); this
 * file keeps the free-descriptor list, the links of the chains it hands
 * out, and rings the doorbell. A chain is allocated here, its slots are
 * pointed at DMA objects by the driver (fw_vq_desc_set, with the NEXT
 * links this file chose), submitted, and comes back through virtq_reap. */
#include "drivers/virtio/virtio.h"
#include <fw/log.h>

#define VC_QUEUE_SELECT 0x16
#define VC_QUEUE_NOTIFY_OFF 0x1E

int virtq_setup(struct virtio_dev *v, struct virtq *q, uint32_t qidx, uint32_t want)
{
	uint32_t max = fw_virtio_queue_max(v->pci, qidx);
	uint32_t size = 2;
	while (size * 2 <= FW_MIN(FW_MIN(want, max), VIRTQ_MAX))
		size *= 2;
	if (max < 2)
		return -ENODEV;
	uint16_t noff;
	if (fw_io_write16(v->common.io, v->common.off + VC_QUEUE_SELECT, (uint16_t)qidx) ||
	    fw_io_read16(v->common.io, v->common.off + VC_QUEUE_NOTIFY_OFF, &noff))
		return -EIO;
	uint64_t doorbell = (uint64_t)noff * v->notify_mult;
	if (doorbell + 2 > v->notify.len)
		return -EIO;
	int e = fw_vq_create(v->pci, qidx, size, &q->vq);
	if (e)
		return e;
	q->qidx = qidx;
	q->size = size;
	q->notify_off = v->notify.off + (uint32_t)doorbell;
	for (uint32_t i = 0; i < size; i++)
		q->next[i] = (uint16_t)(i + 1);
	q->free_head = 0;
	q->nfree = (uint16_t)size;
	return 0;
}

int virtq_alloc(struct virtq *q, uint32_t n, uint16_t *head)
{
	if (n == 0 || n > q->nfree)
		return -EAGAIN;
	uint16_t h = q->free_head, last = h;
	for (uint32_t k = 1; k < n; k++)
		last = q->next[last % VIRTQ_MAX];
	q->free_head = q->next[last % VIRTQ_MAX];
	q->nfree = (uint16_t)(q->nfree - n);
	q->chain_len[h % VIRTQ_MAX] = (uint16_t)n;
	*head = h;
	return 0;
}

uint16_t virtq_chain_at(const struct virtq *q, uint16_t head, uint32_t k)
{
	uint16_t i = head;
	while (k-- > 0)
		i = q->next[i % VIRTQ_MAX];
	return i;
}

/* Give a chain's descriptors back to the free list. */
static void put_chain(struct virtq *q, uint16_t head)
{
	uint32_t n = q->chain_len[head % VIRTQ_MAX];
	uint16_t last = virtq_chain_at(q, head, n - 1);
	q->next[last % VIRTQ_MAX] = q->free_head;
	q->free_head = head;
	q->nfree = (uint16_t)(q->nfree + n);
	q->chain_len[head % VIRTQ_MAX] = 0;
}

void virtq_free_chain(struct virtq *q, uint16_t head)
{
	uint32_t n = q->chain_len[head % VIRTQ_MAX];
	for (uint32_t k = 0; k < n; k++)
		(void)fw_vq_desc_clear(q->vq, virtq_chain_at(q, head, k));
	if (n)
		put_chain(q, head);
}

int virtq_submit(struct virtio_dev *v, struct virtq *q, uint16_t head)
{
	int r = fw_vq_submit(q->vq, head);
	if (r < 0)
		return r;
	/* Published: from here the chain belongs to the device, whatever the
	 * doorbell does. */
	if (r == 1 && fw_io_write16(v->notify.io, q->notify_off, (uint16_t)q->qidx))
		fw_warn("virtio: doorbell of queue %u refused", q->qidx);
	return 0;
}

int virtq_reap(struct virtq *q, uint16_t *head, uint32_t *len)
{
	uint32_t h;
	int e = fw_vq_reap(q->vq, &h, len);
	if (e)
		return e;
	if (h >= q->size || q->chain_len[h % VIRTQ_MAX] == 0)
		return -EIO; /* the framework vouched for it: cannot happen */
	*head = (uint16_t)h;
	put_chain(q, (uint16_t)h);
	return 0;
}
