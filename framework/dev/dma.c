/* DMA objects: device-visible memory that services fill by copies.
 * Layer: framework/dev (trusted).
 *
 * A coherent object is a framework frame (never reachable by a service
 * frame handle); a streaming object pins a service frame with a *mapping*
 * reference (frame_map_get), which no fw_frame_put can drop. Each object
 * belongs to one claimed device and sits on its list (hashed by page,
 * doubly linked: unlinking and the shared-page check cost one short
 * chain, not a walk of every object); with an IOMMU its
 * page is mapped into that device's domain at I/O address = physical
 * address. An object leaves only when no descriptor slot holds it
 * (slot_refs == 0): its IOMMU page is unmapped (when no other object of
 * the device shares the page) and the IOTLB invalidated before the memory
 * can be reused. x86 DMA is cache-coherent, so "coherent" and "streaming"
 * differ in who owns the memory, not in cache maintenance. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include <fw/dma.h>

static struct slots dma_slots;

struct dma_obj *dma_obj_get(uint32_t idx, uint32_t gen)
{
	struct dma_obj *o = slots_get(&dma_slots, idx, gen);
	return o && o->dev->claimed ? o : NULL;
}

static struct dma_obj **bucket(struct pci_dev *d, uint64_t pa) { return &d->dma_list[(pa >> 12) % DMA_BUCKETS]; }

static bool page_shared(const struct dma_obj *o)
{
	for (const struct dma_obj *p = *bucket(o->dev, o->pa); p; p = p->next)
		if (p != o && p->pa == o->pa)
			return true;
	return false;
}

static int publish(struct pci_dev *d, uint64_t pa, uint32_t len, uint32_t dir, bool streaming,
		   struct fw_dma_ref *out)
{
	struct dma_obj *o = kalloc(sizeof(*o));
	if (!o)
		return -12;
	*o = (struct dma_obj){.dev = d, .pa = pa, .len = len, .dir = dir, .streaming = streaming};
	if (iommu_map(d, pa, (dir & FW_DMA_FROM_DEVICE) != 0) < 0) {
		kfree(o, sizeof(*o));
		return -12;
	}
	int e = slots_add(&dma_slots, o, &o->idx, &o->gen);
	if (e < 0) {
		/* Not linked yet: another object of the device on the same page
		 * (a frame mapped twice) keeps its IOMMU entry. */
		if (!page_shared(o))
			iommu_unmap(d, pa);
		kfree(o, sizeof(*o));
		return e;
	}
	struct dma_obj **h = bucket(d, pa);
	o->next = *h;
	o->prev = NULL;
	if (*h)
		(*h)->prev = o;
	*h = o;
	*out = (struct fw_dma_ref){o->idx, o->gen};
	return 0;
}

int fw_dma_alloc(struct fw_pci_ref r, uint32_t len, uint32_t dir, struct fw_dma_ref *out)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d || len == 0 || len > 4096 || dir == 0 || dir > FW_DMA_BIDIR)
		return -22;
	if (!d->dma_ok)
		return -1;
	uint64_t pa = frame_alloc();
	if (!pa)
		return -12;
	int e = publish(d, pa, len, dir, false, out);
	if (e < 0)
		frame_put(pa);
	return e;
}

int fw_dma_map_frame(struct fw_pci_ref r, struct fw_frame_ref f, uint32_t dir, struct fw_dma_ref *out)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d || !frame_handle_ok(f.pfn, f.gen) || dir == 0 || dir > FW_DMA_BIDIR)
		return -22;
	if (!d->dma_ok)
		return -1;
	uint64_t pa = (uint64_t)f.pfn * 4096;
	frame_map_get(pa);
	int e = publish(d, pa, 4096, dir, true, out);
	if (e < 0)
		frame_map_put(pa);
	return e;
}

/* The object is off every slot; unmap, unlink, give the memory back. */
static void destroy(struct dma_obj *o)
{
	struct pci_dev *d = o->dev;
	if (!page_shared(o))
		iommu_unmap(d, o->pa);
	if (o->prev)
		o->prev->next = o->next;
	else
		*bucket(d, o->pa) = o->next;
	if (o->next)
		o->next->prev = o->prev;
	if (o->streaming)
		frame_map_put(o->pa);
	else
		frame_put(o->pa);
	kfree(o, sizeof(*o));
}

int fw_dma_free(struct fw_dma_ref r)
{
	struct dma_obj *o = dma_obj_get(r.idx, r.gen);
	if (!o)
		return -22;
	if (o->slot_refs)
		return -16; /* the device may still reach it */
	slots_remove(&dma_slots, r.idx, r.gen);
	destroy(o);
	return 0;
}

/* Device release, after the device was quiesced and its queues (and so
 * every slot reference) destroyed. */
void dma_release_device(struct pci_dev *d)
{
	for (uint32_t b = 0; b < DMA_BUCKETS; b++)
		while (d->dma_list[b]) {
			struct dma_obj *o = d->dma_list[b];
			slots_remove(&dma_slots, o->idx, o->gen);
			o->slot_refs = 0;
			destroy(o);
		}
}

uint32_t fw_dma_len(struct fw_dma_ref r)
{
	struct dma_obj *o = dma_obj_get(r.idx, r.gen);
	return o ? o->len : 0;
}

bool fw_dma_valid(struct fw_dma_ref r) { return dma_obj_get(r.idx, r.gen) != NULL; }

static void *obj_range(struct fw_dma_ref r, uint32_t off, size_t cap, size_t objoff, size_t n)
{
	struct dma_obj *o = dma_obj_get(r.idx, r.gen);
	if (!o || objoff > cap || n > cap - objoff || off > o->len || n > o->len - off)
		return NULL;
	/* SAFETY: off + n <= len <= 4096 inside the object's own page, which
	 * is RAM in the physmap held by this object (frame or mapping ref). */
	return (char *)phys_to_virt(o->pa) + off;
}

int fw_dma_read_raw(struct fw_dma_ref r, uint32_t off, void *dst, size_t cap, size_t objoff, size_t n)
{
	void *p = obj_range(r, off, cap, objoff, n);
	if (!p)
		return -22;
	/* SAFETY: objoff + n <= cap = sizeof(*dst) (from the macro). */
	memcpy((char *)dst + objoff, p, n);
	return 0;
}

int fw_dma_write_raw(struct fw_dma_ref r, uint32_t off, const void *src, size_t cap, size_t objoff, size_t n)
{
	void *p = obj_range(r, off, cap, objoff, n);
	if (!p)
		return -22;
	/* SAFETY: mirror of fw_dma_read_raw. */
	memcpy(p, (const char *)src + objoff, n);
	return 0;
}
