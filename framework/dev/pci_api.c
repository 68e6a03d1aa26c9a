/* The service-facing PCI API: claims, configuration reads and bounded
 * register windows. Layer: framework/dev (trusted).
 *
 * A window handle is {device index * 6 + bar + 1, claim generation}: it
 * needs no table of its own and dies with the claim. Every access checks
 * the claim, the width and alignment, the BAR bounds (without wrapping)
 * and the holes (MSI-X table and PBA: no access; virtio queue and feature
 * registers: read-only) before touching the device. */
#include "internal/dev.h"
#include "internal/arch.h"
#include <fw/log.h>

#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4

uint32_t fw_pci_count(void) { return pci_ndevs; }

int fw_pci_info(uint32_t index, struct fw_pci_info *out)
{
	if (index >= pci_ndevs)
		return -19; /* -ENODEV */
	const struct pci_dev *d = &pci_devs[index];
	*out = (struct fw_pci_info){
		.vendor = d->vendor, .device = d->device, .subsys_vendor = d->subsys_vendor,
		.subsys_device = d->subsys_device, .bus = d->bus, .slot = d->slot, .func = d->func,
		.class_code = d->class_code, .subclass = d->subclass, .prog_if = d->prog_if,
		.revision = d->revision, .irq_pin = d->irq_pin, .claimed = d->claimed,
	};
	for (int i = 0; i < 6; i++)
		if (d->bar[i].present && d->bar[i].usable)
			out->bar_len[i] = (uint32_t)FW_MIN(d->bar[i].len, 0xFFFFFFFFu);
	return 0;
}

int fw_pci_claim(uint32_t index, struct fw_pci_ref *out)
{
	if (index >= pci_ndevs || pci_devs[index].header != 0)
		return -19;
	struct pci_dev *d = &pci_devs[index];
	if (d->claimed)
		return -16; /* -EBUSY */
	/* Decode on for the BARs' kinds — unless a BAR of that kind sits where
	 * vetting refused it (over RAM, the APIC/IOAPIC/VT-d range, ECAM, the
	 * platform's ports): decoding would let the device answer for that
	 * range. Decode is per kind, so one such BAR keeps its kind off. */
	uint16_t cmd = (uint16_t)pci_cfg_read(d, 0x04, 2) & ~PCI_CMD_MASTER, off = 0;
	for (int i = 0; i < 6; i++) {
		const struct pci_bar *b = &d->bar[i];
		if (!b->present)
			continue;
		bool placed = b->io ? pci_port_range_ok(b->base, b->len) : pci_mem_range_ok(b->base, b->len);
		uint16_t kind = b->io ? PCI_CMD_IO : PCI_CMD_MEM;
		cmd |= kind;
		if (!placed)
			off |= kind;
	}
	cmd &= (uint16_t)~off;
	pci_cfg_write(d, 0x04, 2, cmd);
	d->dma_ok = false;
	if (d->virtio) {
		d->vcommon = pci_bar_va(d, d->vcommon_bar);
		if (d->vcommon) {
			d->vcommon += d->vcommon_off; /* SAFETY: inside the BAR (find_caps checked) */
			d->dma_ok = virtio_reset_device(d) == 0 && virtio_dma_type_ok(d);
		}
	}
	if (d->dma_ok) {
		if (iommu_attach(d) < 0)
			return -12;
		if (iommu_active() && !virtio_offers_access_platform(d))
			fw_warn("pci %02x:%02x.%x: virtio without ACCESS_PLATFORM: its DMA bypasses the IOMMU", d->bus,
				d->slot, d->func);
		pci_cfg_write(d, 0x04, 2, cmd | PCI_CMD_MASTER);
	}
	d->claimed = true;
	d->gen++;
	if (d->gen == 0)
		d->gen = 1;
	*out = (struct fw_pci_ref){index + 1, d->gen};
	return 0;
}

void fw_pci_release(struct fw_pci_ref r)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d)
		return;
	bool quiet = !d->dma_ok || virtio_reset_device(d) == 0;
	uint16_t cmd = (uint16_t)pci_cfg_read(d, 0x04, 2);
	pci_cfg_write(d, 0x04, 2, cmd & ~PCI_CMD_MASTER);
	irq_release_device(d);
	if (quiet) {
		vq_release_device(d);
		dma_release_device(d);
		iommu_detach(d);
	} else {
		/* The device did not confirm its reset: what it may still
		 * reach is never handed back (a leak, not a hazard). */
		fw_err("pci %02x:%02x.%x: no reset; its DMA memory is kept", d->bus, d->slot, d->func);
	}
	d->claimed = false;
	d->dma_ok = false;
	d->gen++;
}

int fw_pci_cfg_read(struct fw_pci_ref r, uint32_t off, uint32_t width, uint32_t *val)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d || (width != 1 && width != 2 && width != 4) || off % width || off >= d->cfg_size ||
	    width > d->cfg_size - off)
		return -22;
	*val = pci_cfg_read(d, off, width);
	return 0;
}

bool fw_pci_dma_capable(struct fw_pci_ref r)
{
	struct pci_dev *d = pci_claimed(r);
	return d && d->dma_ok;
}

int fw_pci_map_bar(struct fw_pci_ref r, uint32_t bar, struct fw_io_ref *out)
{
	struct pci_dev *d = pci_claimed(r);
	if (!d)
		return -22;
	if (bar >= 6 || !d->bar[bar].present)
		return -19;
	if (!d->bar[bar].usable)
		return -1; /* -EPERM */
	if (!d->bar[bar].io && !pci_bar_va(d, bar))
		return -12;
	*out = (struct fw_io_ref){(r.idx - 1) * 6 + bar + 1, r.gen};
	return 0;
}

static struct pci_bar *window(struct fw_io_ref io)
{
	if (io.idx == 0)
		return NULL;
	struct fw_pci_ref r = {(io.idx - 1) / 6 + 1, io.gen};
	struct pci_dev *d = pci_claimed(r);
	if (!d)
		return NULL;
	struct pci_bar *b = &d->bar[(io.idx - 1) % 6];
	return b->present && b->usable && (b->io || b->va) ? b : NULL;
}

uint64_t fw_io_len(struct fw_io_ref io)
{
	struct pci_bar *b = window(io);
	return b ? b->len : 0;
}

static int check(struct pci_bar *b, uint32_t off, uint32_t w, bool write)
{
	if (!b || off % w || (w == 8 && b->io))
		return -22;
	if (w > b->len || off > b->len - w)
		return -34; /* -ERANGE */
	/* 64-bit: in a BAR of 4 GiB or more, off + w can pass 2^32 */
	for (uint32_t i = 0; i < b->nholes; i++)
		if (off < b->hole[i].end && (uint64_t)off + w > b->hole[i].start && (write || !b->hole[i].ro))
			return -13; /* -EACCES */
	return 0;
}

/* SAFETY (all accessors below): check() proved off + w <= len, so the
 * access stays inside the vetted BAR — mapped uncached at b->va for
 * memory, ports base + off < 0x10000 for I/O — and outside every hole. */
static uint64_t do_read(struct pci_bar *b, uint32_t off, uint32_t w)
{
	if (b->io) {
		uint16_t port = (uint16_t)(b->base + off);
		return arch_port_in(port, w);
	}
	volatile uint8_t *p = b->va + off;
	switch (w) {
	case 1:
		return *p;
	case 2:
		return *(volatile uint16_t *)p;
	case 4:
		return *(volatile uint32_t *)p;
	default:
		return *(volatile uint64_t *)p;
	}
}

static void do_write(struct pci_bar *b, uint32_t off, uint32_t w, uint64_t v)
{
	if (b->io) {
		uint16_t port = (uint16_t)(b->base + off);
		arch_port_out(port, w, (uint32_t)v);
		return;
	}
	volatile uint8_t *p = b->va + off;
	if (w == 1)
		*p = (uint8_t)v;
	else if (w == 2)
		*(volatile uint16_t *)p = (uint16_t)v;
	else if (w == 4)
		*(volatile uint32_t *)p = (uint32_t)v;
	else
		*(volatile uint64_t *)p = v;
}

static int rd(struct fw_io_ref io, uint32_t off, uint32_t w, uint64_t *v)
{
	struct pci_bar *b = window(io);
	int e = check(b, off, w, false);
	if (e == 0)
		*v = do_read(b, off, w);
	return e;
}

static int wr(struct fw_io_ref io, uint32_t off, uint32_t w, uint64_t v)
{
	struct pci_bar *b = window(io);
	int e = check(b, off, w, true);
	if (e == 0)
		do_write(b, off, w, v);
	return e;
}

int fw_io_read8(struct fw_io_ref io, uint32_t off, uint8_t *val)
{
	uint64_t v = 0;
	int e = rd(io, off, 1, &v);
	*val = (uint8_t)v;
	return e;
}

int fw_io_read16(struct fw_io_ref io, uint32_t off, uint16_t *val)
{
	uint64_t v = 0;
	int e = rd(io, off, 2, &v);
	*val = (uint16_t)v;
	return e;
}

int fw_io_read32(struct fw_io_ref io, uint32_t off, uint32_t *val)
{
	uint64_t v = 0;
	int e = rd(io, off, 4, &v);
	*val = (uint32_t)v;
	return e;
}

int fw_io_read64(struct fw_io_ref io, uint32_t off, uint64_t *val) { return rd(io, off, 8, val); }
int fw_io_write8(struct fw_io_ref io, uint32_t off, uint8_t val) { return wr(io, off, 1, val); }
int fw_io_write16(struct fw_io_ref io, uint32_t off, uint16_t val) { return wr(io, off, 2, val); }
int fw_io_write32(struct fw_io_ref io, uint32_t off, uint32_t val) { return wr(io, off, 4, val); }
int fw_io_write64(struct fw_io_ref io, uint32_t off, uint64_t val) { return wr(io, off, 8, val); }
