/* Helpers for ktests that drive a virtio device by hand through the
 * device APIs (<fw/pci.h>, <fw/irq.h>, <fw/dma.h>, <fw/virtio.h>), as a
 * buggy or hostile driver would. Layer: services (safe C; ktests). Uses
 * only <fw/...>, so the tests that include it also run on the framework
 * alone (tests/fw-only.sh). */
#ifndef SVC_KTEST_KT_VIRTIO_H
#define SVC_KTEST_KT_VIRTIO_H

#include <fw/dma.h>
#include <fw/irq.h>
#include <fw/pci.h>
#include <fw/time.h>
#include <fw/virtio.h>
#include <fw/wait.h>

#define EINVAL 22
#define ENODEV 19
#define EBUSY 16
#define EPERM 1
#define EACCES 13
#define ERANGE 34
#define EIO 5
#define EAGAIN 11
#define ELOOP 40
#define EEXIST 17
#define EDEADLK 35

#define VIRTIO_VENDOR 0x1AF4
#define KT_VIRTIO_BLK 0x1042     /* modern virtio PCI device IDs: 0x1040 + type */
#define KT_VIRTIO_BALLOON 0x1045
#define VC_DEVICE_FEATURE_SELECT 0x00
#define VC_DEVICE_FEATURE 0x04
#define VC_CONFIG_MSIX_VECTOR 0x10
#define VC_DEVICE_STATUS 0x14
#define VC_QUEUE_SELECT 0x16
#define VC_QUEUE_MSIX_VECTOR 0x1A
#define VC_QUEUE_NOTIFY_OFF 0x1E

/* A virtio disk driven by hand: these tests use only <fw/...>, so they
 * also run on the framework alone (tests/fw-only.sh). */
struct kt_vdev {
	struct fw_pci_ref pci;
	struct fw_io_ref common, notify, isr;
	uint32_t coff, noff, nmult, ioff;
	bool msix;
	struct fw_irq_ref irq;
};

/* The nth function with this virtio PCI device ID (0x1040 + type). */
static inline int kt_find(uint32_t device, uint32_t nth, uint32_t *idx)
{
	uint32_t seen = 0;
	for (uint32_t i = 0; i < fw_pci_count(); i++) {
		struct fw_pci_info info;
		if (fw_pci_info(i, &info) == 0 && info.vendor == VIRTIO_VENDOR && info.device == device &&
		    seen++ == nth) {
			*idx = i;
			return 0;
		}
	}
	return -ENODEV;
}

static inline int find_disk(uint32_t nth, uint32_t *idx) { return kt_find(KT_VIRTIO_BLK, nth, idx); }

/* Offset of the first capability with this id (and virtio cfg_type). */
static inline uint32_t find_cap(struct fw_pci_ref d, uint32_t id, uint32_t vtype)
{
	uint32_t ptr = 0, v;
	if (fw_pci_cfg_read(d, 0x34, 1, &ptr))
		return 0;
	for (int n = 0; n < 48 && (ptr & 0xFC) >= 0x40; n++) {
		ptr &= 0xFC;
		uint32_t cid = 0, t = 0;
		if (fw_pci_cfg_read(d, ptr, 1, &cid) || fw_pci_cfg_read(d, ptr + 3, 1, &t))
			return 0;
		if (cid == id && (id != 0x09 || t == vtype))
			return ptr;
		if (fw_pci_cfg_read(d, ptr + 1, 1, &v))
			return 0;
		ptr = v;
	}
	return 0;
}

static inline int map_cap(struct kt_vdev *v, uint32_t type, struct fw_io_ref *io, uint32_t *off)
{
	uint32_t cap = find_cap(v->pci, 0x09, type), bar = 0;
	if (!cap || fw_pci_cfg_read(v->pci, cap + 4, 1, &bar) || fw_pci_cfg_read(v->pci, cap + 8, 4, off))
		return -EIO;
	if (type == 2 && fw_pci_cfg_read(v->pci, cap + 16, 4, &v->nmult))
		return -EIO;
	return fw_pci_map_bar(v->pci, bar, io) ? -EIO : 0;
}

static inline int status_add(struct kt_vdev *v, uint8_t bits)
{
	uint8_t s = 0;
	if (fw_io_read8(v->common, v->coff + VC_DEVICE_STATUS, &s) ||
	    fw_io_write8(v->common, v->coff + VC_DEVICE_STATUS, (uint8_t)(s | bits)))
		return -EIO;
	return 0;
}

/* Claim disk nth and take it to FEATURES_OK (VERSION_1, plus
 * ACCESS_PLATFORM when the device offers it: it is behind the IOMMU). */
static inline int kt_open_dev(uint32_t device, uint32_t nth, struct kt_vdev *v)
{
	uint32_t idx, hi = 0;
	int e = kt_find(device, nth, &idx);
	if (e == 0)
		e = fw_pci_claim(idx, &v->pci);
	if (e == 0)
		e = map_cap(v, 1, &v->common, &v->coff);
	if (e == 0)
		e = map_cap(v, 2, &v->notify, &v->noff);
	if (e == 0)
		e = map_cap(v, 3, &v->isr, &v->ioff);
	if (e == 0)
		e = fw_virtio_reset(v->pci);
	if (e == 0)
		e = status_add(v, 1 | 2);
	if (e == 0 && (fw_io_write32(v->common, v->coff + VC_DEVICE_FEATURE_SELECT, 1) ||
		       fw_io_read32(v->common, v->coff + VC_DEVICE_FEATURE, &hi)))
		e = -EIO;
	uint64_t f = FW_VIRTIO_F_VERSION_1 | ((uint64_t)hi << 32 & FW_VIRTIO_F_ACCESS_PLATFORM);
	if (e == 0)
		e = fw_virtio_set_features(v->pci, f);
	if (e == 0)
		e = status_add(v, 8);
	return e;
}

static inline int kt_open(uint32_t nth, struct kt_vdev *v) { return kt_open_dev(KT_VIRTIO_BLK, nth, v); }

static inline int open_queue(uint32_t nth, uint32_t size, struct kt_vdev *v, struct fw_vq_ref *q)
{
	int e = kt_open(nth, v);
	return e ? e : fw_vq_create(v->pci, 0, size, q);
}

static inline void kt_close(struct kt_vdev *v) { fw_pci_release(v->pci); }

/* Notify queue qidx. */
static inline int doorbell_q(struct kt_vdev *v, uint16_t qidx)
{
	uint16_t noff;
	if (fw_io_write16(v->common, v->coff + VC_QUEUE_SELECT, qidx) ||
	    fw_io_read16(v->common, v->coff + VC_QUEUE_NOTIFY_OFF, &noff))
		return -EIO;
	return fw_io_write16(v->notify, v->noff + noff * v->nmult, qidx);
}

static inline int doorbell(struct kt_vdev *v) { return doorbell_q(v, 0); }

/* Queue 0's interrupts to fn: MSI-X entry 0 if there is MSI-X, else INTx. */
static inline int kt_irq_attach(struct kt_vdev *v, void (*fn)(uint64_t))
{
	if (fw_irq_msix_count(v->pci) == 0) {
		v->msix = false;
		return fw_irq_attach_intx(v->pci, fn, 0, &v->irq);
	}
	v->msix = true;
	int e = fw_irq_attach_msix(v->pci, 0, fn, 0, &v->irq);
	if (e == 0 && (fw_io_write16(v->common, v->coff + VC_CONFIG_MSIX_VECTOR, 0xFFFF) ||
		       fw_io_write16(v->common, v->coff + VC_QUEUE_SELECT, 0) ||
		       fw_io_write16(v->common, v->coff + VC_QUEUE_MSIX_VECTOR, 0)))
		e = -EIO;
	return e;
}

static inline int reap_wait(struct fw_vq_ref q, uint32_t *head, uint32_t *len)
{
	uint64_t end = fw_time_monotonic_ns() + 2000000000ULL;
	for (;;) {
		int e = fw_vq_reap(q, head, len);
		if (e != -EAGAIN || fw_time_monotonic_ns() > end)
			return e;
		(void)fw_sleep_until(fw_time_monotonic_ns() + 1000000, false);
	}
}

struct vblk_hdr_kt {
	uint32_t type, reserved;
	uint64_t sector;
};

/* A read request of sector `sector` into obj: header and status in hdr. */
static inline int prepare_read(struct fw_vq_ref q, struct fw_dma_ref hdr, struct fw_dma_ref obj, uint64_t sector)
{
	struct vblk_hdr_kt h = {0, 0, sector};
	uint8_t st = 0xFF;
	if (fw_dma_write(hdr, 0, &h, sizeof(h)) || fw_dma_write(hdr, 16, &st, 1))
		return -EIO;
	int e = fw_vq_desc_set(q, 0, hdr, 0, 16, FW_VQ_F_NEXT, 1);
	if (e == 0)
		e = fw_vq_desc_set(q, 1, obj, 0, 512, FW_VQ_F_NEXT | FW_VQ_F_WRITE, 2);
	if (e == 0)
		e = fw_vq_desc_set(q, 2, hdr, 16, 1, FW_VQ_F_WRITE, 0);
	return e;
}

#endif
