/* The framework's part of virtio-pci: feature and queue registers, and
 * split virtqueues whose rings live in framework memory. Layer:
 * framework/dev (trusted). Trusts the device to follow the virtio 1.x
 * split-ring protocol (read descriptors and the available ring, write
 * only the used ring and buffers marked WRITE) and to finish a reset
 * before device_status reads back 0.
 *
 * What a service can make the device reach is exactly the DMA objects it
 * put into descriptor slots: every address and length in the descriptor
 * table is written here from an object and a checked range, a published
 * chain is frozen (slot state INFLIGHT) until its head comes back in the
 * used ring, and the objects it names cannot be freed before. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include <fw/log.h>
#include <fw/virtio.h>

/* Common configuration structure (virtio 1.x, 4.1.4.3). */
#define VC_DEVICE_FEATURE_SELECT 0x00
#define VC_DEVICE_FEATURE 0x04
#define VC_DRIVER_FEATURE_SELECT 0x08
#define VC_DRIVER_FEATURE 0x0C
#define VC_DEVICE_STATUS 0x14
#define VC_QUEUE_SELECT 0x16
#define VC_QUEUE_SIZE 0x18
#define VC_QUEUE_ENABLE 0x1C
#define VC_QUEUE_DESC 0x20
#define VC_QUEUE_DRIVER 0x28
#define VC_QUEUE_DEVICE 0x30
#define STATUS_FEATURES_OK 8

#define VQ_MAX 256
#define DESC_F_NEXT 1

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct vused_elem {
	uint32_t id, len;
};

enum { SLOT_EMPTY, SLOT_SET, SLOT_INFLIGHT };
/* The framework's own record of a descriptor slot. Its flags and next are
 * what chain walks follow: the descriptor table is memory a device may
 * write (without an IOMMU, or one it bypasses), and a walk that followed
 * the device's copy could be led past the slot array or into another
 * chain in flight — releasing that chain's objects while the device still
 * uses them. */
struct vq_slot {
	struct dma_obj *obj;
	uint8_t state;
	bool head;
	uint8_t flags;
	uint16_t next; /* < size whenever flags has NEXT */
};

struct vq {
	struct pci_dev *dev;
	uint32_t qidx, size;
	bool live; /* the device may use the rings */
	uint64_t desc_pa, avail_pa, used_pa;
	volatile struct vdesc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;  /* flags, idx, then ring of vused_elem */
	uint16_t avail_idx, used_seen;
	struct vq_slot *slot; /* size entries, kalloc'd */
	uint32_t idx, gen;
	struct vq *next;
};
_Static_assert(sizeof(struct vq_slot) * VQ_MAX <= 4096, "slots fit kalloc");

static struct slots vq_slots;

/* SAFETY (common-config accessors): d->vcommon maps the device's common
 * configuration structure, at least 0x38 bytes inside a vetted BAR
 * (find_caps), and every offset used here is below 0x38. */
static uint8_t c_rd8(struct pci_dev *d, uint32_t off) { return d->vcommon[off]; }
static uint16_t c_rd16(struct pci_dev *d, uint32_t off) { return *(volatile uint16_t *)(d->vcommon + off); }
static uint32_t c_rd32(struct pci_dev *d, uint32_t off) { return *(volatile uint32_t *)(d->vcommon + off); }
static void c_wr8(struct pci_dev *d, uint32_t off, uint8_t v) { d->vcommon[off] = v; }
static void c_wr16(struct pci_dev *d, uint32_t off, uint16_t v) { *(volatile uint16_t *)(d->vcommon + off) = v; }
static void c_wr32(struct pci_dev *d, uint32_t off, uint32_t v) { *(volatile uint32_t *)(d->vcommon + off) = v; }
static void c_wr64(struct pci_dev *d, uint32_t off, uint64_t v)
{
	c_wr32(d, off, (uint32_t)v);
	c_wr32(d, off + 4, (uint32_t)(v >> 32));
}

static struct pci_dev *virtio_dev(struct fw_pci_ref r)
{
	struct pci_dev *d = pci_claimed(r);
	return d && d->virtio && d->vcommon ? d : NULL;
}

/* May this virtio device reach memory at all? Only if its device type is
 * one whose every guest-memory access is through the descriptors of its
 * queues — what the framework polices. Other types carry guest addresses
 * inside their requests and the device acts on them: a balloon's inflate
 * request is a list of page numbers the host takes away (QEMU discards
 * them through the system address space, past any IOMMU), a GPU's
 * ATTACH_BACKING a list of addresses the device reads and writes, a
 * virtio-iommu's MAP a translation for other devices' DMA. Audited types
 * (virtio 1.x, 5.x): net (1: packets, control commands of MACs, VLANs,
 * queue counts, offloads), block (2: sectors and data), console (3: bytes,
 * port control messages), entropy (4: random bytes). The type of a modern
 * device is its PCI device ID - 0x1040; of a transitional one (0x1000-
 * 0x103F) its subsystem device ID. */
bool virtio_dma_type_ok(const struct pci_dev *d)
{
	uint32_t type;
	if (d->vendor != 0x1AF4 || d->device < 0x1000 || d->device > 0x107F)
		return false;
	type = d->device >= 0x1040 ? d->device - 0x1040u : d->subsys_device;
	return type >= 1 && type <= 4;
}

/* Driver features the framework lets a device see. An allow-list, not a
 * deny-list: a transport feature changes how the device reads the rings,
 * and one the framework does not model breaks what it relies on — with
 * NOTIFICATION_DATA a notification carries the available index, so a
 * driver's doorbell could make the device consume ring entries the
 * framework never published (and the chains they name, which are not
 * frozen); RING_PACKED redefines the descriptor format; IN_ORDER lets one
 * used entry stand for several chains; RING_RESET, EVENT_IDX,
 * INDIRECT_DESC and the rest change ring state or layout. Allowed: the
 * device-type bits 0-23 (for the types above none names memory),
 * VERSION_1 and ACCESS_PLATFORM (the device then translates through the
 * IOMMU). */
/* Does the device translate its DMA through the platform's IOMMU? Without
 * VIRTIO_F_ACCESS_PLATFORM a virtio device reaches guest memory directly
 * (virtio 1.x, 6; QEMU: without iommu_platform=on its DMA bypasses both
 * the IOMMU and the bus-master bit). */
bool virtio_offers_access_platform(struct pci_dev *d)
{
	c_wr32(d, VC_DEVICE_FEATURE_SELECT, 1);
	return (c_rd32(d, VC_DEVICE_FEATURE) & (uint32_t)(FW_VIRTIO_F_ACCESS_PLATFORM >> 32)) != 0;
}

#define VIRTIO_F_ALLOWED (0xFFFFFFULL | FW_VIRTIO_F_VERSION_1 | FW_VIRTIO_F_ACCESS_PLATFORM)

int fw_virtio_set_features(struct fw_pci_ref r, uint64_t f)
{
	struct pci_dev *d = virtio_dev(r);
	if (!d || (f & ~VIRTIO_F_ALLOWED))
		return -22;
	c_wr32(d, VC_DRIVER_FEATURE_SELECT, 0);
	c_wr32(d, VC_DRIVER_FEATURE, (uint32_t)f);
	c_wr32(d, VC_DRIVER_FEATURE_SELECT, 1);
	c_wr32(d, VC_DRIVER_FEATURE, (uint32_t)(f >> 32));
	return 0;
}

uint32_t fw_virtio_queue_max(struct fw_pci_ref r, uint32_t qidx)
{
	struct pci_dev *d = virtio_dev(r);
	if (!d || qidx > 0xFFFF)
		return 0;
	c_wr16(d, VC_QUEUE_SELECT, (uint16_t)qidx);
	return c_rd16(d, VC_QUEUE_SIZE);
}

static void slot_release(struct vq *q, uint32_t i)
{
	struct vq_slot *s = &q->slot[i];
	if (s->obj)
		s->obj->slot_refs--;
	*s = (struct vq_slot){0};
	q->desc[i] = (struct vdesc){0};
}

/* The device no longer uses any queue: drop every slot's reference. */
static void vq_kill_all(struct pci_dev *d)
{
	for (struct vq *q = d->vqs; q; q = q->next) {
		for (uint32_t i = 0; i < q->size; i++)
			slot_release(q, i);
		q->live = false;
	}
}

int virtio_reset_device(struct pci_dev *d)
{
	if (!d->vcommon)
		return -22;
	c_wr8(d, VC_DEVICE_STATUS, 0);
	uint64_t t0 = arch_cycles(), limit = 2000000000ULL; /* ~1 s at 2 GHz; only a broken device waits that long */
	while (c_rd8(d, VC_DEVICE_STATUS) != 0)
		if (arch_cycles() - t0 > limit)
			return -110;
	vq_kill_all(d);
	return 0;
}

int fw_virtio_reset(struct fw_pci_ref r)
{
	struct pci_dev *d = virtio_dev(r);
	return d ? virtio_reset_device(d) : -22;
}

static struct vq *vq_get(struct fw_vq_ref r)
{
	struct vq *q = slots_get(&vq_slots, r.idx, r.gen);
	return q && q->dev->claimed ? q : NULL;
}

static void vq_free_rings(struct vq *q)
{
	uint64_t pages[3] = {q->desc_pa, q->avail_pa, q->used_pa};
	for (int i = 0; i < 3; i++)
		if (pages[i]) {
			iommu_unmap(q->dev, pages[i]);
			frame_put(pages[i]);
		}
	if (q->slot)
		kfree(q->slot, q->size * sizeof(struct vq_slot));
}

static int vq_alloc_rings(struct vq *q)
{
	q->slot = kalloc(q->size * sizeof(struct vq_slot));
	if (!q->slot)
		return -12;
	memset(q->slot, 0, q->size * sizeof(struct vq_slot));
	q->desc_pa = frame_alloc();
	q->avail_pa = frame_alloc();
	q->used_pa = frame_alloc();
	if (!q->desc_pa || !q->avail_pa || !q->used_pa)
		return -12;
	if (iommu_map(q->dev, q->desc_pa, false) < 0 || iommu_map(q->dev, q->avail_pa, false) < 0 ||
	    iommu_map(q->dev, q->used_pa, true) < 0)
		return -12;
	/* SAFETY: three fresh framework frames in the physmap; sizes fit a
	 * page for size <= 256 (16*256, 6+2*256, 6+8*256 bytes). */
	q->desc = phys_to_virt(q->desc_pa);
	q->avail = phys_to_virt(q->avail_pa);
	q->used = phys_to_virt(q->used_pa);
	return 0;
}

int fw_vq_create(struct fw_pci_ref r, uint32_t qidx, uint32_t size, struct fw_vq_ref *out)
{
	struct pci_dev *d = virtio_dev(r);
	if (!d || size < 2 || size > VQ_MAX || (size & (size - 1)) || qidx > 0xFFFF)
		return -22;
	if (!d->dma_ok)
		return -1;
	if (!(c_rd8(d, VC_DEVICE_STATUS) & STATUS_FEATURES_OK))
		return -22;
	for (struct vq *o = d->vqs; o; o = o->next)
		if (o->live && o->qidx == qidx)
			return -17; /* -EEXIST */
	c_wr16(d, VC_QUEUE_SELECT, (uint16_t)qidx);
	uint32_t max = c_rd16(d, VC_QUEUE_SIZE);
	if (max == 0 || size > max || c_rd16(d, VC_QUEUE_ENABLE))
		return -22;
	struct vq *q = kalloc(sizeof(*q));
	if (!q)
		return -12;
	memset(q, 0, sizeof(*q));
	q->dev = d;
	q->qidx = qidx;
	q->size = size;
	int e = vq_alloc_rings(q);
	if (e == 0)
		e = slots_add(&vq_slots, q, &q->idx, &q->gen);
	if (e < 0) {
		vq_free_rings(q);
		kfree(q, sizeof(*q));
		return e;
	}
	c_wr16(d, VC_QUEUE_SELECT, (uint16_t)qidx);
	c_wr16(d, VC_QUEUE_SIZE, (uint16_t)size);
	c_wr64(d, VC_QUEUE_DESC, q->desc_pa);
	c_wr64(d, VC_QUEUE_DRIVER, q->avail_pa);
	c_wr64(d, VC_QUEUE_DEVICE, q->used_pa);
	c_wr16(d, VC_QUEUE_ENABLE, 1);
	q->live = true;
	q->next = d->vqs;
	d->vqs = q;
	*out = (struct fw_vq_ref){q->idx, q->gen};
	return 0;
}

static void vq_unlink_free(struct vq *q)
{
	for (struct vq **pp = &q->dev->vqs; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	slots_remove(&vq_slots, q->idx, q->gen);
	vq_free_rings(q);
	kfree(q, sizeof(*q));
}

int fw_vq_destroy(struct fw_vq_ref r)
{
	struct vq *q = vq_get(r);
	if (!q)
		return -22;
	if (q->live)
		return -16;
	vq_unlink_free(q);
	return 0;
}

/* Device release after a confirmed reset. */
void vq_release_device(struct pci_dev *d)
{
	vq_kill_all(d);
	while (d->vqs)
		vq_unlink_free(d->vqs);
}

uint32_t fw_vq_size(struct fw_vq_ref r)
{
	struct vq *q = vq_get(r);
	return q ? q->size : 0;
}

int fw_vq_desc_set(struct fw_vq_ref r, uint32_t i, struct fw_dma_ref buf, uint32_t off, uint32_t len, uint32_t flags,
		   uint32_t next)
{
	struct vq *q = vq_get(r);
	if (!q || !q->live || i >= q->size || next >= q->size || (flags & ~(FW_VQ_F_NEXT | FW_VQ_F_WRITE)))
		return -22;
	if (q->slot[i].state == SLOT_INFLIGHT)
		return -16;
	struct dma_obj *o = dma_obj_get(buf.idx, buf.gen);
	if (!o || o->dev != q->dev || len == 0 || off > o->len || len > o->len - off)
		return -22;
	uint32_t need = (flags & FW_VQ_F_WRITE) ? FW_DMA_FROM_DEVICE : FW_DMA_TO_DEVICE;
	if (!(o->dir & need))
		return -22;
	slot_release(q, i);
	o->slot_refs++;
	q->slot[i] = (struct vq_slot){.obj = o, .state = SLOT_SET, .flags = (uint8_t)flags, .next = (uint16_t)next};
	q->desc[i] = (struct vdesc){o->pa + off, len, (uint16_t)flags, (uint16_t)next};
	return 0;
}

int vq_desc_set_raw_for_ktest(struct fw_vq_ref r, uint32_t i, uint64_t addr, uint32_t len, uint16_t flags,
			      uint16_t next)
{
	struct vq *q = vq_get(r);
	if (!q || i >= q->size || next >= q->size || q->slot[i].state == SLOT_INFLIGHT)
		return -22;
	slot_release(q, i);
	/* no object: nothing to pin */
	q->slot[i] = (struct vq_slot){.state = SLOT_SET, .flags = (uint8_t)(flags & DESC_F_NEXT), .next = next};
	q->desc[i] = (struct vdesc){addr, len, flags, next};
	return 0;
}

uint64_t vq_ring_pa_for_ktest(struct fw_vq_ref r, uint32_t which)
{
	struct vq *q = vq_get(r);
	if (!q)
		return 0;
	return which == 0 ? q->desc_pa : which == 1 ? q->avail_pa : q->used_pa;
}

int fw_vq_desc_clear(struct fw_vq_ref r, uint32_t i)
{
	struct vq *q = vq_get(r);
	if (!q || i >= q->size)
		return -22;
	if (q->slot[i].state == SLOT_INFLIGHT)
		return -16;
	slot_release(q, i);
	return 0;
}

int fw_vq_submit(struct fw_vq_ref r, uint32_t head)
{
	struct vq *q = vq_get(r);
	if (!q || head >= q->size)
		return -22;
	if (!q->live)
		return -5;
	uint32_t i = head, n = 0;
	for (;;) {
		if (q->slot[i].state == SLOT_EMPTY)
			return -22;
		if (q->slot[i].state == SLOT_INFLIGHT)
			return -16;
		if (++n > q->size)
			return -40; /* -ELOOP */
		if (!(q->slot[i].flags & DESC_F_NEXT))
			break;
		i = q->slot[i].next;
	}
	for (i = head; n > 0; n--) {
		q->slot[i].state = SLOT_INFLIGHT;
		i = q->slot[i].next;
	}
	q->slot[head].head = true;
	q->avail[2 + q->avail_idx % q->size] = (uint16_t)head;
	arch_barrier(); /* x86 keeps stores in order; the compiler must too */
	q->avail_idx++;
	q->avail[1] = q->avail_idx;
	arch_mb(); /* the index store must be visible before reading used->flags */
	return (q->used[0] & 1) ? 0 : 1;
}

int fw_vq_reap(struct fw_vq_ref r, uint32_t *head, uint32_t *len)
{
	struct vq *q = vq_get(r);
	if (!q)
		return -22;
	if (!q->live)
		return -5;
	if (q->used[1] == q->used_seen)
		return -11; /* -EAGAIN */
	arch_barrier();
	/* SAFETY: the used ring's entries start 4 bytes in; the index is
	 * reduced modulo size, so the element lies inside the used page. */
	volatile struct vused_elem *ring = (volatile struct vused_elem *)(q->used + 2);
	struct vused_elem e = ring[q->used_seen % q->size];
	q->used_seen++;
	if (e.id >= q->size || !q->slot[e.id].head || q->slot[e.id].state != SLOT_INFLIGHT) {
		fw_err("virtio %02x:%02x: used ring names %u, not an in-flight head", q->dev->bus, q->dev->slot, e.id);
		return -5;
	}
	uint32_t i = e.id;
	for (uint32_t n = 0; n < q->size; n++) {
		bool more = (q->slot[i].flags & DESC_F_NEXT) != 0;
		uint32_t next = q->slot[i].next;
		slot_release(q, i);
		if (!more)
			break;
		i = next;
	}
	*head = e.id;
	*len = e.len;
	return 0;
}

int fw_vq_set_interrupts(struct fw_vq_ref r, bool on)
{
	struct vq *q = vq_get(r);
	if (!q)
		return -22;
	q->avail[0] = on ? 0 : 1;
	arch_mb();
	return 0;
}
