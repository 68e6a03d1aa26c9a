/* Keel framework public API — the unsafe core of a virtio-pci transport.
 *
 * Layer: framework (trusted). The virtio driver (services/drivers/virtio)
 * does nearly everything itself through register windows (<fw/pci.h>):
 * capability parsing, status handshake, notifications, ISR, device config,
 * descriptor allocation and request bookkeeping. The framework keeps only
 * what decides which memory the device can reach:
 *  - the driver-feature registers: only the device-type bits 0-23,
 *    VERSION_1 and ACCESS_PLATFORM are accepted; every other transport
 *    feature changes how the device reads the rings (RING_PACKED's
 *    descriptor format, NOTIFICATION_DATA's available index carried by a
 *    doorbell, IN_ORDER, EVENT_IDX, RING_RESET, INDIRECT_DESC, ...);
 *  - queue size, queue addresses and queue enable, written from a
 *    framework-owned split virtqueue (descriptor table, available ring and
 *    used ring live in framework memory; services cannot write them);
 *  - every descriptor's address and length, written by fw_vq_desc_set from
 *    a DMA object of the same device and a checked range;
 *  - publishing and completing chains: a submitted chain is frozen (its
 *    slots cannot be changed or freed) until the device returns its head in
 *    the used ring; a used entry that does not name an in-flight head is
 *    refused (-EIO) and changes nothing;
 *  - device reset, after which (and only after which) queues may be
 *    destroyed and their in-flight buffers released.
 *
 * Safety contract: handles are generation-checked; indices are checked
 * against the queue size; descriptor flags are limited to NEXT and WRITE
 * (INDIRECT is refused); a WRITE descriptor needs a device-writable object;
 * chains are walked — on the framework's own record of each slot, never on
 * the descriptor table a device could rewrite — at most `size` steps (a
 * loop is -ELOOP) and may not share a slot with another chain (-EBUSY).
 */
#ifndef FW_VIRTIO_H
#define FW_VIRTIO_H

#include <fw/dma.h>
#include <fw/pci.h>

struct fw_vq_ref {
	uint32_t idx;
	uint32_t gen;
};

#define FW_VQ_F_NEXT 1u
#define FW_VQ_F_WRITE 2u

#define FW_VIRTIO_F_EVENT_IDX (1ULL << 29)
#define FW_VIRTIO_F_VERSION_1 (1ULL << 32)
#define FW_VIRTIO_F_ACCESS_PLATFORM (1ULL << 33)
#define FW_VIRTIO_F_RING_PACKED (1ULL << 34)

/* Write the driver-feature registers. -EINVAL (stale, not a modern virtio
 * device, or a bit outside 0-23, VERSION_1, ACCESS_PLATFORM). */
FW_API FW_MUST_CHECK int fw_virtio_set_features(struct fw_pci_ref d, uint64_t features);
/* Reset the device (device_status = 0, waiting until it reads back 0) and
 * then release everything its queues held. -ETIMEDOUT if the device does
 * not finish the reset (its queues then stay live). */
FW_API FW_MUST_CHECK int fw_virtio_reset(struct fw_pci_ref d);
/* Largest queue size the device offers for queue `qidx` (0: no such queue). */
FW_API uint32_t fw_virtio_queue_max(struct fw_pci_ref d, uint32_t qidx);

/* Create queue `qidx` with `size` entries (a power of two, 2..256, at most
 * the device maximum), program its addresses and enable it. The device
 * must have FEATURES_OK set. -EINVAL, -EPERM (no DMA), -EEXIST, -ENOMEM. */
FW_API FW_MUST_CHECK int fw_vq_create(struct fw_pci_ref d, uint32_t qidx, uint32_t size, struct fw_vq_ref *out);
/* Destroy a queue: only after fw_virtio_reset (else -EBUSY). */
FW_API FW_MUST_CHECK int fw_vq_destroy(struct fw_vq_ref q);
FW_API uint32_t fw_vq_size(struct fw_vq_ref q);
/* Point slot i at bytes [off, off + len) of `buf` with flags and next.
 * -EINVAL (stale, range, flags, other device), -EBUSY (slot in flight). */
FW_API FW_MUST_CHECK int fw_vq_desc_set(struct fw_vq_ref q, uint32_t i, struct fw_dma_ref buf, uint32_t off,
					uint32_t len, uint32_t flags, uint32_t next);
/* Empty slot i (-EBUSY in flight). */
FW_API FW_MUST_CHECK int fw_vq_desc_clear(struct fw_vq_ref q, uint32_t i);
/* Publish the chain starting at `head` in the available ring. Returns 1 if
 * the device asks to be notified, 0 if not, or -EINVAL (empty slot),
 * -EBUSY (slot in flight), -ELOOP (cyclic chain), -EIO (queue dead). */
FW_API FW_MUST_CHECK int fw_vq_submit(struct fw_vq_ref q, uint32_t head);
/* Take the next completion from the used ring: its head and the byte count
 * the device wrote; the chain's slots become empty. -EAGAIN (none),
 * -EIO (the device returned something that is not an in-flight head). */
FW_API FW_MUST_CHECK int fw_vq_reap(struct fw_vq_ref q, uint32_t *head, uint32_t *len);
/* Ask the device not to interrupt on completions (or to again). */
FW_API int fw_vq_set_interrupts(struct fw_vq_ref q, bool on);

#endif
