/* ktests of the device framework that need its internals: BAR vetting
 * against RAM and the APIC range, IOMMU unmapping, and an IOMMU fault from
 * a device aimed outside its mapping. Layer: framework/ktest (trusted).
 * tests/ktest.sh attaches virtio-blk disks (disk 0 first). */
#include "internal/boot.h"
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
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
