/* virtio-pci modern transport: capabilities, status handshake, features,
 * interrupts, device configuration. Layer: services (safe C). Trusts the
 * framework's checked register windows; every register access below can
 * fail (stale claim, hole, range) and such failures are reported as -EIO. */
#include "drivers/virtio/virtio.h"

/* Common configuration registers the driver may write (virtio 1.x 4.1.4.3;
 * the feature, queue size, enable and address registers are the
 * framework's). */
#define VC_DEVICE_FEATURE_SELECT 0x00
#define VC_DEVICE_FEATURE 0x04
#define VC_CONFIG_MSIX_VECTOR 0x10
#define VC_DEVICE_STATUS 0x14
#define VC_QUEUE_SELECT 0x16
#define VC_QUEUE_MSIX_VECTOR 0x1A

#define CAP_VENDOR 0x09
#define CFG_COMMON 1
#define CFG_NOTIFY 2
#define CFG_ISR 3
#define CFG_DEVICE 4

int virtio_find(uint32_t type, uint32_t nth, uint32_t *pci_index)
{
	uint32_t seen = 0;
	for (uint32_t i = 0; i < fw_pci_count(); i++) {
		struct fw_pci_info info;
		if (fw_pci_info(i, &info) || info.vendor != VIRTIO_VENDOR)
			continue;
		/* modern IDs are 0x1040 + type; transitional ones 0x1000 + (1: net, 2: block) */
		bool match = info.device == 0x1040 + type || (type <= 2 && info.device == 0x1000 + (type == 1 ? 0 : 1));
		if (match && seen++ == nth) {
			*pci_index = i;
			return 0;
		}
	}
	return -ENODEV;
}

static int cfg8(struct virtio_dev *v, uint32_t off, uint32_t *val) { return fw_pci_cfg_read(v->pci, off, 1, val); }

static int map_region(struct virtio_dev *v, struct virtio_region *r, uint32_t cap)
{
	uint32_t bar, off, len;
	if (cfg8(v, cap + 4, &bar) || fw_pci_cfg_read(v->pci, cap + 8, 4, &off) ||
	    fw_pci_cfg_read(v->pci, cap + 12, 4, &len))
		return -EIO;
	if (fw_pci_map_bar(v->pci, bar, &r->io))
		return -EIO;
	uint64_t blen = fw_io_len(r->io);
	if (off > blen || len > blen - off)
		return -EIO;
	r->off = off;
	r->len = len;
	r->present = true;
	return 0;
}

static int find_caps(struct virtio_dev *v)
{
	uint32_t status, ptr;
	if (fw_pci_cfg_read(v->pci, 0x06, 2, &status) || !(status & 0x10) || cfg8(v, 0x34, &ptr))
		return -ENODEV;
	ptr &= 0xFC;
	for (int n = 0; n < 48 && ptr >= 0x40; n++) {
		uint32_t id, type, next;
		if (cfg8(v, ptr, &id) || cfg8(v, ptr + 1, &next) || cfg8(v, ptr + 3, &type))
			return -EIO;
		int e = 0;
		if (id == CAP_VENDOR && type == CFG_COMMON && !v->common.present)
			e = map_region(v, &v->common, ptr);
		if (id == CAP_VENDOR && type == CFG_ISR && !v->isr.present)
			e = map_region(v, &v->isr, ptr);
		if (id == CAP_VENDOR && type == CFG_DEVICE && !v->device.present)
			e = map_region(v, &v->device, ptr);
		if (id == CAP_VENDOR && type == CFG_NOTIFY && !v->notify.present) {
			e = map_region(v, &v->notify, ptr);
			if (e == 0 && fw_pci_cfg_read(v->pci, ptr + 16, 4, &v->notify_mult))
				e = -EIO;
		}
		if (e)
			return e;
		ptr = next & 0xFC;
	}
	return v->common.present && v->notify.present && v->isr.present ? 0 : -ENODEV;
}

int virtio_open(uint32_t pci_index, struct virtio_dev *v)
{
	v->pci_index = pci_index;
	int e = fw_pci_claim(pci_index, &v->pci);
	if (e)
		return e;
	e = find_caps(v);
	if (e == 0 && !fw_pci_dma_capable(v->pci))
		e = -ENODEV;
	if (e)
		fw_pci_release(v->pci);
	return e;
}

static int common_w8(struct virtio_dev *v, uint32_t reg, uint8_t val)
{
	return fw_io_write8(v->common.io, v->common.off + reg, val) ? -EIO : 0;
}

static int status_add(struct virtio_dev *v, uint8_t bits)
{
	uint8_t s;
	if (fw_io_read8(v->common.io, v->common.off + VC_DEVICE_STATUS, &s))
		return -EIO;
	return common_w8(v, VC_DEVICE_STATUS, (uint8_t)(s | bits));
}

static int device_features(struct virtio_dev *v, uint64_t *out)
{
	uint32_t lo, hi;
	uint32_t sel = v->common.off + VC_DEVICE_FEATURE_SELECT, val = v->common.off + VC_DEVICE_FEATURE;
	if (fw_io_write32(v->common.io, sel, 0) || fw_io_read32(v->common.io, val, &lo) ||
	    fw_io_write32(v->common.io, sel, 1) || fw_io_read32(v->common.io, val, &hi))
		return -EIO;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

int virtio_negotiate(struct virtio_dev *v, uint64_t wanted)
{
	uint64_t offered;
	if (fw_virtio_reset(v->pci) || status_add(v, VIRTIO_STATUS_ACK) || status_add(v, VIRTIO_STATUS_DRIVER) ||
	    device_features(v, &offered))
		return -EIO;
	if (!(offered & FW_VIRTIO_F_VERSION_1))
		return -ENODEV; /* legacy-only device */
	uint64_t f = offered & (wanted | FW_VIRTIO_F_VERSION_1 | FW_VIRTIO_F_ACCESS_PLATFORM);
	if (fw_virtio_set_features(v->pci, f) || status_add(v, VIRTIO_STATUS_FEATURES_OK))
		return -EIO;
	uint8_t s;
	if (fw_io_read8(v->common.io, v->common.off + VC_DEVICE_STATUS, &s))
		return -EIO;
	if (!(s & VIRTIO_STATUS_FEATURES_OK)) {
		(void)status_add(v, VIRTIO_STATUS_FAILED);
		return -ENODEV;
	}
	v->features = f;
	return 0;
}

static int set_vector(struct virtio_dev *v, uint32_t reg, uint16_t vec)
{
	uint16_t back;
	if (fw_io_write16(v->common.io, v->common.off + reg, vec) ||
	    fw_io_read16(v->common.io, v->common.off + reg, &back))
		return -EIO;
	return back == vec ? 0 : -ENODEV;
}

int virtio_irq_attach(struct virtio_dev *v, uint32_t qidx, void (*fn)(uint64_t), uint64_t cookie)
{
	if (fw_irq_msix_count(v->pci) > 0) {
		int e = fw_irq_attach_msix(v->pci, 0, fn, cookie, &v->irq);
		if (e == 0)
			e = set_vector(v, VC_CONFIG_MSIX_VECTOR, VIRTIO_NO_VECTOR);
		if (e == 0 && fw_io_write16(v->common.io, v->common.off + VC_QUEUE_SELECT, (uint16_t)qidx))
			e = -EIO;
		if (e == 0)
			e = set_vector(v, VC_QUEUE_MSIX_VECTOR, 0);
		if (e == 0) {
			v->msix = true;
			return 0;
		}
		fw_irq_detach(v->irq);
	}
	v->msix = false;
	return fw_irq_attach_intx(v->pci, fn, cookie, &v->irq);
}

int virtio_driver_ok(struct virtio_dev *v) { return status_add(v, VIRTIO_STATUS_DRIVER_OK); }

uint8_t virtio_isr(struct virtio_dev *v)
{
	uint8_t s = 0;
	if (fw_io_read8(v->isr.io, v->isr.off, &s))
		return 0;
	return s;
}

static int cfg_check(struct virtio_dev *v, uint32_t off, uint32_t n)
{
	return v->device.present && off <= v->device.len && n <= v->device.len - off ? 0 : -EINVAL;
}

int virtio_cfg_read8(struct virtio_dev *v, uint32_t off, uint8_t *val)
{
	if (cfg_check(v, off, 1))
		return -EINVAL;
	return fw_io_read8(v->device.io, v->device.off + off, val) ? -EIO : 0;
}

int virtio_cfg_read32(struct virtio_dev *v, uint32_t off, uint32_t *val)
{
	if (cfg_check(v, off, 4))
		return -EINVAL;
	return fw_io_read32(v->device.io, v->device.off + off, val) ? -EIO : 0;
}

/* A 64-bit field read as two halves, retried while the device's
 * configuration generation moves (virtio 1.x 4.1.4.3.1). */
int virtio_cfg_read64(struct virtio_dev *v, uint32_t off, uint64_t *val)
{
	for (int tries = 0; tries < 16; tries++) {
		uint8_t g0, g1;
		uint32_t lo, hi;
		if (fw_io_read8(v->common.io, v->common.off + 0x15, &g0) || virtio_cfg_read32(v, off, &lo) ||
		    virtio_cfg_read32(v, off + 4, &hi) || fw_io_read8(v->common.io, v->common.off + 0x15, &g1))
			return -EIO;
		if (g0 == g1) {
			*val = (uint64_t)hi << 32 | lo;
			return 0;
		}
	}
	return -EIO;
}

void virtio_close(struct virtio_dev *v)
{
	fw_pci_release(v->pci); /* resets the device, detaches, frees */
	*v = (struct virtio_dev){0};
}
