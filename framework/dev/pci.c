/* PCI configuration space and enumeration. Layer: framework/dev (trusted).
 *
 * Configuration space: on q35 through ECAM (memory-mapped, 4 KiB per
 * function) at the address the firmware reports in the ACPI MCFG table —
 * the chipset's PCIEXBAR is whatever the firmware programmed, so a fixed
 * window would be a guess; on pc (no MCFG) through ports 0xCF8/0xCFC
 * (256 bytes per function). ECAM is used only if it agrees with the ports
 * on the host bridge's IDs. Services never get configuration space: they
 * read it through fw_pci_cfg_read and cannot write it at all.
 *
 * At boot every function is recorded, its BARs sized and vetted, its
 * MSI-X and virtio capabilities located, and bus mastering is turned off
 * on every endpoint: nothing the firmware left running may DMA until a
 * claim turns it back on for a device the framework can police. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/boot.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include <fw/log.h>

struct pci_dev pci_devs[PCI_MAX_DEVS];
uint32_t pci_ndevs;
bool pci_ecam;

static uint64_t ecam_base;
static uint8_t ecam_start, ecam_end;
static volatile uint8_t *ecam_bus[256];

#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4

static volatile uint8_t *ecam_va(uint8_t bus, uint8_t slot, uint8_t func)
{
	if (bus < ecam_start || bus > ecam_end)
		return NULL;
	if (!ecam_bus[bus])
		ecam_bus[bus] = iomap(ecam_base + ((uint64_t)(bus - ecam_start) << 20), 1 << 20, true);
	if (!ecam_bus[bus])
		return NULL;
	/* SAFETY: the bus's 1 MiB of ECAM is mapped; slot < 32 and func < 8
	 * select one 4 KiB function page inside it. */
	return ecam_bus[bus] + ((uint32_t)slot << 15) + ((uint32_t)func << 12);
}

static uint32_t port_addr(uint8_t bus, uint8_t slot, uint8_t func, uint32_t off)
{
	return 0x80000000u | (uint32_t)bus << 16 | (uint32_t)slot << 11 | (uint32_t)func << 8 | (off & 0xFC);
}

/* Raw access by address; off is aligned to width by every caller. */
static uint32_t cfg_rd(uint8_t bus, uint8_t slot, uint8_t func, uint32_t off, uint32_t width)
{
	if (pci_ecam) {
		volatile uint8_t *p = ecam_va(bus, slot, func);
		if (!p)
			return 0xFFFFFFFF;
		/* SAFETY: p is this function's mapped 4 KiB page and off + width
		 * <= 4096 (checked by the callers). */
		if (width == 1)
			return p[off];
		if (width == 2)
			return *(volatile uint16_t *)(p + off);
		return *(volatile uint32_t *)(p + off);
	}
	if (off >= 256)
		return 0xFFFFFFFF;
	bool was = irq_save();
	arch_port_out(0xCF8, 4, port_addr(bus, slot, func, off));
	uint32_t v = arch_port_in((uint16_t)(0xCFC + (off & 3)), width);
	irq_restore(was);
	return v;
}

static void cfg_wr(uint8_t bus, uint8_t slot, uint8_t func, uint32_t off, uint32_t width, uint32_t v)
{
	if (pci_ecam) {
		volatile uint8_t *p = ecam_va(bus, slot, func);
		if (!p)
			return;
		/* SAFETY: as in cfg_rd. */
		if (width == 1)
			p[off] = (uint8_t)v;
		else if (width == 2)
			*(volatile uint16_t *)(p + off) = (uint16_t)v;
		else
			*(volatile uint32_t *)(p + off) = v;
		return;
	}
	if (off >= 256)
		return;
	bool was = irq_save();
	arch_port_out(0xCF8, 4, port_addr(bus, slot, func, off));
	arch_port_out((uint16_t)(0xCFC + (off & 3)), width, v);
	irq_restore(was);
}

uint32_t pci_cfg_read(const struct pci_dev *d, uint32_t off, uint32_t width)
{
	return cfg_rd(d->bus, d->slot, d->func, off, width);
}

void pci_cfg_write(const struct pci_dev *d, uint32_t off, uint32_t width, uint32_t val)
{
	cfg_wr(d->bus, d->slot, d->func, off, width, val);
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool pci_mem_range_ok(uint64_t base, uint64_t len)
{
	if (len == 0 || base + len < base || base < 0x100000)
		return false;
	for (int i = 0; i < boot_info.nram; i++)
		if (overlaps(base, len, boot_info.ram[i].start, boot_info.ram[i].end - boot_info.ram[i].start))
			return false;
	if (overlaps(base, len, 0xFEC00000, 0x400000)) /* IOAPIC, HPET, VT-d, LAPIC */
		return false;
	if (pci_ecam && overlaps(base, len, ecam_base, (uint64_t)(ecam_end - ecam_start + 1) << 20))
		return false;
	return true;
}

bool pci_port_range_ok(uint64_t base, uint64_t len)
{
	if (len == 0 || base < 0x1000 || base + len > 0x10000)
		return false;
	return !overlaps(base, len, 0xAE00, 0x300); /* ACPI hotplug and PM blocks on pc */
}

static void add_hole(struct pci_dev *d, uint32_t bar, uint64_t start, uint64_t len, bool ro)
{
	struct pci_bar *b = &d->bar[bar];
	if (bar >= 6 || !b->present)
		return;
	if (b->nholes >= PCI_MAX_HOLES || start > 0xFFFFFFFFu || len > 0xFFFFFFFFu - start) {
		b->usable = false; /* cannot describe the hole: refuse the BAR */
		return;
	}
	b->hole[b->nholes++] = (struct io_hole){(uint32_t)start, (uint32_t)(start + len), ro};
}

static void size_bars(struct pci_dev *d)
{
	uint32_t nbars = d->header == 0 ? 6 : 0;
	uint16_t cmd = (uint16_t)pci_cfg_read(d, 0x04, 2);
	pci_cfg_write(d, 0x04, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (uint32_t i = 0; i < nbars; i++) {
		uint32_t off = 0x10 + 4 * i;
		uint32_t lo = pci_cfg_read(d, off, 4);
		pci_cfg_write(d, off, 4, 0xFFFFFFFF);
		uint32_t szlo = pci_cfg_read(d, off, 4);
		pci_cfg_write(d, off, 4, lo);
		if (szlo == 0 || szlo == 0xFFFFFFFF)
			continue;
		struct pci_bar *b = &d->bar[i];
		if (lo & 1) {
			b->io = true;
			b->base = lo & ~3u;
			b->len = (uint32_t)(~((szlo & ~3u) | 0xFFFF0000u) + 1u);
		} else {
			uint64_t mask = 0xFFFFFFFF00000000ULL | (szlo & ~0xFu);
			b->base = lo & ~0xFu;
			if (((lo >> 1) & 3) == 2 && i < 5) {
				uint32_t hi = pci_cfg_read(d, off + 4, 4);
				pci_cfg_write(d, off + 4, 4, 0xFFFFFFFF);
				uint32_t szhi = pci_cfg_read(d, off + 4, 4);
				pci_cfg_write(d, off + 4, 4, hi);
				mask = (uint64_t)szhi << 32 | (szlo & ~0xFu);
				b->base |= (uint64_t)hi << 32;
				i++;
			}
			b->len = ~mask + 1;
		}
		b->present = b->len != 0;
		b->usable = b->present && (b->io ? pci_port_range_ok(b->base, b->len) : pci_mem_range_ok(b->base, b->len));
	}
	pci_cfg_write(d, 0x04, 2, cmd);
}

static void find_caps(struct pci_dev *d)
{
	if (!(pci_cfg_read(d, 0x06, 2) & 0x10))
		return;
	uint32_t ptr = pci_cfg_read(d, 0x34, 1) & 0xFC;
	bool have_common = false;
	for (int n = 0; n < 48 && ptr >= 0x40; n++) {
		uint32_t id = pci_cfg_read(d, ptr, 1);
		if (id == 0x11 && !d->msix_cap) {
			uint32_t ctrl = pci_cfg_read(d, ptr + 2, 2);
			uint32_t tbl = pci_cfg_read(d, ptr + 4, 4), pba = pci_cfg_read(d, ptr + 8, 4);
			d->msix_cap = (uint8_t)ptr;
			d->msix_n = (uint16_t)((ctrl & 0x7FF) + 1);
			d->msix_bir = tbl & 7;
			d->msix_off = tbl & ~7u;
			d->pba_bir = pba & 7;
			d->pba_off = pba & ~7u;
		}
		if (id == 0x09 && d->vendor == 0x1AF4 && pci_cfg_read(d, ptr + 3, 1) == 1 && !have_common) {
			have_common = true;
			d->vcommon_bar = (uint8_t)pci_cfg_read(d, ptr + 4, 1);
			d->vcommon_off = pci_cfg_read(d, ptr + 8, 4);
			uint32_t len = pci_cfg_read(d, ptr + 12, 4);
			struct pci_bar *b = d->vcommon_bar < 6 ? &d->bar[d->vcommon_bar] : NULL;
			d->virtio = b && b->usable && !b->io && len >= 0x38 && d->vcommon_off <= b->len &&
				    len <= b->len - d->vcommon_off;
		}
		ptr = pci_cfg_read(d, ptr + 1, 1) & 0xFC;
	}
}

/* Cut what services must never touch out of the BARs. */
static void cut_holes(struct pci_dev *d)
{
	if (d->msix_cap) {
		add_hole(d, d->msix_bir, d->msix_off, 16u * d->msix_n, false);
		add_hole(d, d->pba_bir, d->pba_off, 8u * ((d->msix_n + 63u) / 64u), false);
	}
	if (d->vendor == 0x1AF4 && d->device < 0x1040 && d->bar[0].present && d->bar[0].io)
		d->bar[0].usable = false; /* legacy virtio: QUEUE_PFN takes a raw address */
	if (d->virtio) {
		uint32_t c = d->vcommon_off, b = d->vcommon_bar;
		add_hole(d, b, c + 0x08, 8, true);  /* driver_feature_select, driver_feature */
		add_hole(d, b, c + 0x18, 2, true);  /* queue_size */
		add_hole(d, b, c + 0x1C, 2, true);  /* queue_enable */
		/* queue_desc, queue_driver, queue_device; then queue_notify_data
		 * and queue_reset (virtio 1.2: a queue reset rewinds the device's
		 * position in the rings behind the framework's back) */
		add_hole(d, b, c + 0x20, 28, true);
		d->virtio = d->bar[b].usable;
	}
}

static void add_function(uint8_t bus, uint8_t slot, uint8_t func)
{
	if (pci_ndevs >= PCI_MAX_DEVS) {
		/* Never claimable, but quiesced like the rest: nothing the
		 * firmware left mastering may keep doing DMA. */
		uint16_t cmd = (uint16_t)cfg_rd(bus, slot, func, 0x04, 2);
		if ((cfg_rd(bus, slot, func, 0x0E, 1) & 0x7F) == 0)
			cfg_wr(bus, slot, func, 0x04, 2, cmd & ~PCI_CMD_MASTER);
		fw_warn("pci: more than %d functions, ignoring %x:%x.%x", PCI_MAX_DEVS, bus, slot, func);
		return;
	}
	struct pci_dev *d = &pci_devs[pci_ndevs++];
	d->bus = bus;
	d->slot = slot;
	d->func = func;
	d->cfg_size = pci_ecam ? 4096 : 256;
	d->vendor = (uint16_t)pci_cfg_read(d, 0x00, 2);
	d->device = (uint16_t)pci_cfg_read(d, 0x02, 2);
	d->revision = (uint8_t)pci_cfg_read(d, 0x08, 1);
	d->prog_if = (uint8_t)pci_cfg_read(d, 0x09, 1);
	d->subclass = (uint8_t)pci_cfg_read(d, 0x0A, 1);
	d->class_code = (uint8_t)pci_cfg_read(d, 0x0B, 1);
	d->header = (uint8_t)pci_cfg_read(d, 0x0E, 1) & 0x7F;
	if (d->header == 0) {
		d->subsys_vendor = (uint16_t)pci_cfg_read(d, 0x2C, 2);
		d->subsys_device = (uint16_t)pci_cfg_read(d, 0x2E, 2);
		d->irq_line = (uint8_t)pci_cfg_read(d, 0x3C, 1);
		d->irq_pin = (uint8_t)pci_cfg_read(d, 0x3D, 1);
	}
	d->command_boot = (uint16_t)pci_cfg_read(d, 0x04, 2);
	size_bars(d);
	find_caps(d);
	cut_holes(d);
	/* Quiesce what the firmware left on: no DMA (and so no MSI) from an
	 * endpoint until it is claimed. */
	if (d->header == 0)
		pci_cfg_write(d, 0x04, 2, d->command_boot & ~PCI_CMD_MASTER);
	fw_info("pci %02x:%02x.%x %04x:%04x class %02x%02x%s%s", bus, slot, func, d->vendor, d->device,
		d->class_code, d->subclass, d->msix_cap ? " msix" : "", d->virtio ? " virtio" : "");
}

/* Re-read a function's BARs and capabilities (ktests reprogram BARs to
 * show what vetting refuses). Only for an unclaimed device. */
void pci_rescan(struct pci_dev *d)
{
	if (d->claimed)
		return;
	for (int i = 0; i < 6; i++)
		d->bar[i] = (struct pci_bar){0};
	d->msix_cap = 0;
	d->msix_table = NULL;
	d->virtio = false;
	d->vcommon = NULL;
	size_bars(d);
	find_caps(d);
	cut_holes(d);
}

static void scan_bus(uint8_t bus, uint32_t depth)
{
	static bool seen[256];
	if (seen[bus] || depth > 8)
		return;
	seen[bus] = true;
	for (uint8_t slot = 0; slot < 32; slot++) {
		if ((cfg_rd(bus, slot, 0, 0, 2) & 0xFFFF) == 0xFFFF)
			continue;
		uint8_t nfunc = (cfg_rd(bus, slot, 0, 0x0E, 1) & 0x80) ? 8 : 1;
		for (uint8_t func = 0; func < nfunc; func++) {
			if ((cfg_rd(bus, slot, func, 0, 2) & 0xFFFF) == 0xFFFF)
				continue;
			add_function(bus, slot, func);
			if ((cfg_rd(bus, slot, func, 0x0E, 1) & 0x7F) == 1)
				scan_bus((uint8_t)cfg_rd(bus, slot, func, 0x19, 1), depth + 1);
		}
	}
}

static void ecam_probe(void)
{
	uint32_t len;
	const uint8_t *mcfg = acpi_table("MCFG", &len);
	for (uint32_t off = 44; mcfg && off + 16 <= len; off += 16) {
		uint64_t base;
		uint16_t seg;
		memcpy(&base, mcfg + off, 8);
		memcpy(&seg, mcfg + off + 8, 2);
		if (seg != 0 || !base)
			continue;
		ecam_base = base;
		ecam_start = mcfg[off + 10];
		ecam_end = mcfg[off + 11];
		break;
	}
	if (!ecam_base || ecam_end < ecam_start)
		return;
	uint32_t via_ports = cfg_rd(0, 0, 0, 0, 4);
	pci_ecam = true;
	if (cfg_rd(0, 0, 0, 0, 4) != via_ports) {
		fw_warn("pci: ECAM at %lx disagrees with the ports; using ports", ecam_base);
		pci_ecam = false;
	}
}

void pci_init(void)
{
	ecam_probe();
	fw_info("pci: configuration via %s", pci_ecam ? "ECAM (ACPI MCFG)" : "ports 0xCF8/0xCFC");
	scan_bus(0, 0);
}

struct pci_dev *pci_claimed(struct fw_pci_ref r)
{
	if (r.idx == 0 || r.idx > pci_ndevs)
		return NULL;
	struct pci_dev *d = &pci_devs[r.idx - 1];
	return d->claimed && d->gen == r.gen ? d : NULL;
}

volatile uint8_t *pci_bar_va(struct pci_dev *d, uint32_t bar)
{
	struct pci_bar *b = &d->bar[bar];
	if (bar >= 6 || !b->present || b->io)
		return NULL;
	if (!b->va && pci_mem_range_ok(b->base, b->len))
		b->va = iomap(b->base, b->len, true);
	return b->va;
}
