/* ktests of the device framework that need its internals: BAR vetting
 * against RAM and the APIC range, IOMMU unmapping, and an IOMMU fault from
 * a device aimed outside its mapping, and a device that rewrites its own
 * rings. Layer: framework/ktest (trusted).
 * tests/ktest.sh attaches virtio-blk disks (disk 0 first). */
#include "internal/boot.h"
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include <abi/errno.h>
#include <fw/dma.h>
#include <fw/ktest.h>
#include <fw/time.h>
#include <fw/virtio.h>
#include <fw/wait.h>

static int disk0(void)
{
	for (uint32_t i = 0; i < pci_ndevs; i++)
		if (pci_devs[i].vendor == 0x1AF4 && pci_devs[i].device == 0x1042)
			return (int)i;
	return -1;
}

FW_KTEST(dev_bar_vetting_refuses_ram_and_platform_ranges)
{
	/* The range checks themselves. */
	uint64_t ram = boot_info.ram[boot_info.nram - 1].start;
	FW_EXPECT(t, !pci_mem_range_ok(ram, 4096));
	FW_EXPECT(t, !pci_mem_range_ok(ram - 4096, 8192)); /* straddling */
	FW_EXPECT(t, !pci_mem_range_ok(0xFEE00000, 4096)); /* local APIC */
	FW_EXPECT(t, !pci_mem_range_ok(0xFEC00000, 16));   /* I/O APIC */
	FW_EXPECT(t, !pci_mem_range_ok(0xA0000, 4096));    /* below 1 MiB */
	FW_EXPECT(t, !pci_mem_range_ok(0xFFFFFFFFFFFFF000ULL, 8192)); /* wraps */
	FW_EXPECT(t, !pci_port_range_ok(0xCF8, 8));          /* configuration ports */
	FW_EXPECT(t, !pci_port_range_ok(0x3F8, 8));          /* the console UART */
	/* A real BAR moved onto RAM, then onto the local APIC. */
	int i = disk0();
	FW_EXPECT(t, i >= 0);
	if (i < 0)
		return;
	struct pci_dev *d = &pci_devs[i];
	uint32_t bar = d->vcommon_bar, off = 0x10 + 4 * bar;
	uint32_t lo = pci_cfg_read(d, off, 4), hi = pci_cfg_read(d, off + 4, 4);
	uint64_t targets[2] = {FW_ALIGN_UP(ram + 0x100000, 0x100000), 0xFEE00000};
	for (int k = 0; k < 2; k++) {
		uint16_t cmd = (uint16_t)pci_cfg_read(d, 0x04, 2);
		pci_cfg_write(d, 0x04, 2, cmd & ~2u); /* decoding off while it points there */
		pci_cfg_write(d, off, 4, (uint32_t)targets[k] | (lo & 0xF));
		pci_cfg_write(d, off + 4, 4, (uint32_t)(targets[k] >> 32));
		pci_rescan(d);
		struct fw_pci_ref r;
		struct fw_io_ref io;
		FW_EXPECT(t, fw_pci_claim((uint32_t)i, &r) == 0);
		FW_EXPECT(t, fw_pci_map_bar(r, bar, &io) == -1); /* -EPERM */
		FW_EXPECT(t, !fw_pci_dma_capable(r));           /* its queues would be unreachable */
		FW_EXPECT(t, !(pci_cfg_read(d, 0x04, 2) & 2));  /* and the claim left memory decode off */
		fw_pci_release(r);
		pci_cfg_write(d, 0x04, 2, cmd);
	}
	pci_cfg_write(d, off, 4, lo);
	pci_cfg_write(d, off + 4, 4, hi);
	pci_rescan(d);
	struct fw_pci_ref r;
	struct fw_io_ref io;
	FW_EXPECT(t, fw_pci_claim((uint32_t)i, &r) == 0 && fw_pci_map_bar(r, bar, &io) == 0);
	FW_EXPECT(t, fw_pci_dma_capable(r));
	fw_pci_release(r);
}

FW_KTEST(iommu_unmaps_dma_objects_when_freed)
{
	int i = disk0();
	struct fw_pci_ref r = {0};
	struct fw_dma_ref o;
	FW_EXPECT(t, iommu_active() && i >= 0 && fw_pci_claim((uint32_t)i, &r) == 0);
	struct pci_dev *d = pci_claimed(r);
	FW_EXPECT(t, d && fw_dma_alloc(r, 64, FW_DMA_BIDIR, &o) == 0);
	if (!d)
		return;
	struct dma_obj *obj = dma_obj_get(o.idx, o.gen);
	uint64_t pa = obj ? obj->pa : 0;
	FW_EXPECT(t, pa && iommu_mapped(d, pa));
	FW_EXPECT(t, fw_dma_free(o) == 0);
	FW_EXPECT(t, !iommu_mapped(d, pa));
	fw_pci_release(r);
}

/* Locate a virtio capability's register window (framework mapping). */
static volatile uint8_t *vcap(struct pci_dev *d, uint32_t type, uint32_t *mult)
{
	uint32_t ptr = pci_cfg_read(d, 0x34, 1) & 0xFC;
	for (int n = 0; n < 48 && ptr >= 0x40; n++) {
		if (pci_cfg_read(d, ptr, 1) == 0x09 && pci_cfg_read(d, ptr + 3, 1) == type) {
			volatile uint8_t *b = pci_bar_va(d, pci_cfg_read(d, ptr + 4, 1));
			if (mult)
				*mult = pci_cfg_read(d, ptr + 16, 4);
			return b ? b + pci_cfg_read(d, ptr + 8, 4) : NULL;
		}
		ptr = pci_cfg_read(d, ptr + 1, 1) & 0xFC;
	}
	return NULL;
}

FW_KTEST(iommu_fault_when_device_aimed_outside_mapping)
{
	int i = disk0();
	struct fw_pci_ref r = {0};
	FW_EXPECT(t, iommu_active() && i >= 0 && fw_pci_claim((uint32_t)i, &r) == 0);
	struct pci_dev *d = pci_claimed(r);
	if (!d)
		return;
	uint16_t sid = 0;
	uint64_t addr = 0;
	uint8_t reason = 0;
	while (iommu_fault_pop(&sid, &addr, &reason))
		; /* start clean */
	/* Handshake: ACK | DRIVER, VERSION_1 | ACCESS_PLATFORM, FEATURES_OK. */
	volatile uint8_t *common = d->vcommon;
	common[0x14] = 3;
	FW_EXPECT(t, fw_virtio_set_features(r, FW_VIRTIO_F_VERSION_1 | FW_VIRTIO_F_ACCESS_PLATFORM) == 0);
	common[0x14] = 3 | 8;
	struct fw_vq_ref q = {0};
	struct fw_dma_ref h = {0};
	FW_EXPECT(t, fw_vq_create(r, 0, 8, &q) == 0 && fw_dma_alloc(r, 64, FW_DMA_BIDIR, &h) == 0);
	uint32_t hdr[4] = {0, 0, 0, 0}; /* read sector 0 */
	uint8_t st = 0xFF;
	FW_EXPECT(t, fw_dma_write(h, 0, &hdr, 16) == 0 && fw_dma_write(h, 16, &st, 1) == 0);
	/* The victim: a framework page no DMA object maps. */
	uint64_t victim = frame_alloc();
	memset(phys_to_virt(victim), 0xAA, 4096);
	FW_EXPECT(t, fw_vq_desc_set(q, 0, h, 0, 16, FW_VQ_F_NEXT, 1) == 0);
	FW_EXPECT(t, vq_desc_set_raw_for_ktest(q, 1, victim, 512, FW_VQ_F_WRITE | FW_VQ_F_NEXT, 2) == 0);
	FW_EXPECT(t, fw_vq_desc_set(q, 2, h, 16, 1, FW_VQ_F_WRITE, 0) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 0) >= 0);
	uint32_t mult = 0;
	volatile uint8_t *notify = vcap(d, 2, &mult);
	common[0x16] = 0;
	uint16_t noff = *(volatile uint16_t *)(common + 0x1E);
	FW_EXPECT(t, notify != NULL);
	if (notify)
		*(volatile uint16_t *)(notify + noff * mult) = 0; /* SAFETY: doorbell inside the notify window */
	bool faulted = false;
	uint64_t end = fw_time_monotonic_ns() + 1000000000ULL;
	while (!faulted && fw_time_monotonic_ns() < end) {
		faulted = iommu_fault_pop(&sid, &addr, &reason) == 1;
		if (!faulted)
			(void)fw_sleep_until(fw_time_monotonic_ns() + 1000000, false);
	}
	FW_EXPECT(t, faulted);
	FW_EXPECT(t, sid == (uint16_t)(d->bus << 8 | d->slot << 3 | d->func));
	FW_EXPECT(t, addr == victim);
	const uint8_t *v = phys_to_virt(victim);
	bool intact = true;
	for (int k = 0; k < 4096; k++)
		intact = intact && v[k] == 0xAA;
	FW_EXPECT(t, intact);
	FW_EXPECT(t, fw_virtio_reset(r) == 0);
	fw_pci_release(r);
	frame_put(victim);
}

/* Claim disk 0 and take it to FEATURES_OK with one queue of 8. */
static int disk0_queue(struct fw_pci_ref *r, struct fw_vq_ref *q)
{
	int i = disk0();
	if (i < 0 || fw_pci_claim((uint32_t)i, r) != 0)
		return -1;
	struct pci_dev *d = pci_claimed(*r);
	volatile uint8_t *common = d->vcommon;
	common[0x14] = 3; /* ACK | DRIVER */
	*(volatile uint32_t *)(common + 0x00) = 1; /* SAFETY: device_feature_select, inside the window */
	uint64_t f = FW_VIRTIO_F_VERSION_1;
	if (*(volatile uint32_t *)(common + 0x04) & 2) /* SAFETY: device_feature (bits 32-63) */
		f |= FW_VIRTIO_F_ACCESS_PLATFORM;
	if (fw_virtio_set_features(*r, f) != 0)
		return -1;
	common[0x14] = 3 | 8;
	return fw_vq_create(*r, 0, 8, q);
}

struct kt_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* A device that writes its descriptor table (no IOMMU, or one it
 * bypasses) and lies in the used ring: the framework's chain walks must
 * follow its own record, not the device's copy. Before, submit followed a
 * rewritten `next` past the slot array, and reap followed a tail the
 * device pointed into another chain in flight and released it: that
 * chain's objects could then be freed while the device still held them. */
FW_KTEST(dev_vq_walks_ignore_a_device_rewriting_its_ring)
{
	struct fw_pci_ref r = {0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref a = {0}, b = {0};
	uint32_t head = 99, len = 0;
	FW_EXPECT(t, disk0_queue(&r, &q) == 0);
	FW_EXPECT(t, fw_dma_alloc(r, 64, FW_DMA_BIDIR, &a) == 0 && fw_dma_alloc(r, 64, FW_DMA_BIDIR, &b) == 0);
	uint64_t dpa = vq_ring_pa_for_ktest(q, 0), upa = vq_ring_pa_for_ktest(q, 2);
	FW_EXPECT(t, dpa && upa);
	if (!dpa || !upa)
		return;
	/* SAFETY: the queue's own descriptor table and used ring (framework
	 * frames, alive until the queue is destroyed), written as the device
	 * would. */
	volatile struct kt_desc *desc = phys_to_virt(dpa);
	volatile uint16_t *used = phys_to_virt(upa);
	volatile uint32_t *elem = (volatile uint32_t *)(used + 2);
	FW_EXPECT(t, fw_vq_desc_set(q, 0, a, 0, 8, FW_VQ_F_NEXT, 1) == 0 && fw_vq_desc_set(q, 1, a, 8, 8, 0, 0) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 0) >= 0);                               /* chain A: 0 -> 1 */
	FW_EXPECT(t, fw_vq_desc_set(q, 2, b, 0, 8, 0, 0) == 0 && fw_vq_submit(q, 2) >= 0); /* chain B: 2 */
	FW_EXPECT(t, fw_vq_desc_set(q, 4, a, 16, 8, FW_VQ_F_NEXT, 5) == 0 && fw_vq_desc_set(q, 5, a, 24, 8, 0, 0) == 0);
	desc[1].flags = FW_VQ_F_NEXT; /* the device points A's tail into B */
	desc[1].next = 2;
	desc[4].next = 200; /* and a prepared chain's link past the ring */
	FW_EXPECT(t, fw_vq_submit(q, 4) >= 0);   /* chain 4 -> 5, as prepared */
	FW_EXPECT(t, fw_vq_desc_clear(q, 5) == -EBUSY);
	elem[0] = 0;  /* used entry 0: id 0 (chain A) ... */
	elem[1] = 16; /* ... 16 bytes */
	used[1] = 1;
	FW_EXPECT(t, fw_vq_reap(q, &head, &len) == 0 && head == 0);
	FW_EXPECT(t, fw_vq_desc_clear(q, 2) == -EBUSY); /* B is still the device's */
	FW_EXPECT(t, fw_dma_free(b) == -EBUSY);
	FW_EXPECT(t, fw_virtio_reset(r) == 0);
	FW_EXPECT(t, fw_dma_free(b) == 0);
	fw_pci_release(r);
}

/* A device that lies in the used ring: an id past the ring, the tail of a
 * chain in flight, a prepared chain never published, a head already
 * returned, an index run far ahead. Each entry is refused (-EIO) and
 * changes nothing: the chains in flight stay frozen until the device
 * returns their real heads. */
FW_KTEST(dev_vq_used_ring_lies_refused)
{
	struct fw_pci_ref r = {0};
	struct fw_vq_ref q = {0};
	struct fw_dma_ref a = {0};
	uint32_t head = 99, len = 0;
	FW_EXPECT(t, disk0_queue(&r, &q) == 0);
	FW_EXPECT(t, fw_dma_alloc(r, 64, FW_DMA_BIDIR, &a) == 0);
	uint64_t upa = vq_ring_pa_for_ktest(q, 2);
	FW_EXPECT(t, upa != 0);
	if (!upa)
		return;
	/* SAFETY: the queue's own used ring (a framework frame alive until the
	 * queue is destroyed), written as the device would. */
	volatile uint16_t *used = phys_to_virt(upa);
	volatile uint32_t *elem = (volatile uint32_t *)(used + 2);
	FW_EXPECT(t, fw_vq_desc_set(q, 0, a, 0, 8, FW_VQ_F_NEXT, 1) == 0 && fw_vq_desc_set(q, 1, a, 8, 8, 0, 0) == 0);
	FW_EXPECT(t, fw_vq_submit(q, 0) >= 0);                  /* in flight: 0 -> 1 */
	FW_EXPECT(t, fw_vq_desc_set(q, 3, a, 16, 8, 0, 0) == 0); /* prepared, not published */
	uint32_t lies[4] = {8, 0xFFFFFFFF, 1, 3};              /* past the ring, a tail, unpublished */
	uint16_t idx = 0;
	for (uint32_t k = 0; k < 4; k++) {
		elem[2 * (idx % 8)] = lies[k];
		elem[2 * (idx % 8) + 1] = 4096;
		used[1] = ++idx;
		FW_EXPECT(t, fw_vq_reap(q, &head, &len) == -5); /* -EIO */
		FW_EXPECT(t, fw_vq_desc_clear(q, 1) == -EBUSY && fw_dma_free(a) == -EBUSY);
	}
	elem[2 * (idx % 8)] = 0; /* the real head */
	elem[2 * (idx % 8) + 1] = 16;
	used[1] = ++idx;
	FW_EXPECT(t, fw_vq_reap(q, &head, &len) == 0 && head == 0 && len == 16);
	elem[2 * (idx % 8)] = 0; /* and again: no longer in flight */
	used[1] = ++idx;
	FW_EXPECT(t, fw_vq_reap(q, &head, &len) == -5);
	used[1] = (uint16_t)(idx + 1000); /* the index runs ahead: one refused entry per reap */
	for (uint32_t k = 0; k < 16; k++)
		FW_EXPECT(t, fw_vq_reap(q, &head, &len) == -5);
	FW_EXPECT(t, fw_vq_desc_clear(q, 3) == 0 && fw_dma_free(a) == 0);
	FW_EXPECT(t, fw_virtio_reset(r) == 0);
	fw_pci_release(r);
}
