/* Intel VT-d DMA remapping (legacy mode). Layer: framework/dev (trusted).
 * Trusts the ACPI DMAR table for the unit's register address, and the unit
 * to do what the VT-d specification says.
 *
 * One root table; a context table per bus that has a claimed device; for
 * each claimed DMA-capable device its own domain (DID = device index + 1)
 * with second-level page tables (3 or 4 levels, as SAGAW offers). A page
 * is present in a domain only while a DMA object or a virtqueue ring of
 * that device holds it; its I/O address equals its physical address, so
 * descriptors carry the same value with or without an IOMMU. Translation
 * is switched on at boot before any device is claimed, so until a claim
 * every device's DMA faults (unclaimed devices have no context entry).
 * Unmapping is followed by a domain-selective IOTLB invalidation that
 * completes before the page can be reused. Register-based invalidation
 * (no queued invalidation) keeps this short. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include <fw/log.h>

#define R_CAP 0x08
#define R_ECAP 0x10
#define R_GCMD 0x18
#define R_GSTS 0x1C
#define R_RTADDR 0x20
#define R_CCMD 0x28
#define R_FSTS 0x34
#define GCMD_TE (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF (1u << 27)
#define GSTS_ONESHOT_MASK 0x96FFFFFFu
#define SL_R 1ULL
#define SL_W 2ULL

struct iommu_domain {
	uint64_t pt_pa;
	uint16_t did;
};

static volatile uint8_t *regs;
static bool active, coherent, caching_mode, rwbf;
static uint32_t levels, aw_code, iotlb_off, fro, nfr, ndomains;
static uint64_t root_pa;

/* SAFETY (register accessors): regs maps the unit's 4 KiB register page
 * (uncached); every offset used is checked below 4096 at init. */
static uint32_t rd32(uint32_t off) { return *(volatile uint32_t *)(regs + off); }
static uint64_t rd64(uint32_t off) { return *(volatile uint64_t *)(regs + off); }
static void wr32(uint32_t off, uint32_t v) { *(volatile uint32_t *)(regs + off) = v; }
static void wr64(uint32_t off, uint64_t v) { *(volatile uint64_t *)(regs + off) = v; }

bool iommu_active(void) { return active; }

static void wait_clear64(uint32_t off, uint64_t bit)
{
	for (uint64_t n = 0; rd64(off) & bit; n++)
		if (n > 100000000)
			fw_panic("iommu: register %x stuck", off);
}

static void command(uint32_t bit, uint32_t status_bit, bool on)
{
	uint32_t sts = rd32(R_GSTS) & GSTS_ONESHOT_MASK;
	wr32(R_GCMD, on ? sts | bit : sts & ~bit);
	for (uint64_t n = 0; ((rd32(R_GSTS) & status_bit) != 0) != on; n++)
		if (n > 100000000)
			fw_panic("iommu: command %x not acknowledged", bit);
}

/* Make table writes visible to the unit. */
static void flush_entry(const volatile void *p)
{
	if (!coherent)
		arch_flush_line(p);
	arch_mb();
	if (rwbf) {
		wr32(R_GCMD, (rd32(R_GSTS) & GSTS_ONESHOT_MASK) | GCMD_WBF);
		for (uint64_t n = 0; rd32(R_GSTS) & GCMD_WBF; n++)
			if (n > 100000000)
				fw_panic("iommu: write-buffer flush stuck");
	}
}

static void inval_context_global(void)
{
	wr64(R_CCMD, 1ULL << 63 | 1ULL << 61);
	wait_clear64(R_CCMD, 1ULL << 63);
}

static void inval_iotlb(uint16_t did)
{
	uint64_t cmd = did ? (1ULL << 63 | 2ULL << 60 | (uint64_t)did << 32) : (1ULL << 63 | 1ULL << 60);
	wr64(iotlb_off + 8, cmd);
	wait_clear64(iotlb_off + 8, 1ULL << 63);
}

/* Which functions the unit translates: all of segment 0 (INCLUDE_PCI_ALL),
 * or those its device scopes list — QEMU lists every endpoint of bus 0
 * (type 1) and bridges whose buses it covers (type 2). A device outside
 * the scope would DMA untranslated, so it is not given an IOMMU domain
 * and the log says so. */
static bool include_all;
static uint8_t scope_dev[256 / 8 * 32];      /* bus 0 endpoints: bit slot*8+func */
static uint8_t scope_bridge[256 / 8 * 32];   /* bus 0 bridges */

static void bit_set(uint8_t *map, uint32_t n) { map[n / 8] |= (uint8_t)(1u << (n % 8)); }
static bool bit_get(const uint8_t *map, uint32_t n) { return map[n / 8] & (1u << (n % 8)); }

static void parse_scopes(const uint8_t *t, uint32_t off, uint32_t end)
{
	while (off + 6 <= end) {
		uint8_t type = t[off], len = t[off + 1], bus = t[off + 5];
		if (len < 6 || len > end - off)
			return;
		/* one path element (device, function) on bus 0 */
		if (len == 8 && bus == 0 && t[off + 6] < 32 && t[off + 7] < 8) {
			uint32_t devfn = (uint32_t)t[off + 6] * 8 + t[off + 7];
			if (type == 1)
				bit_set(scope_dev, devfn);
			if (type == 2)
				bit_set(scope_bridge, devfn);
		}
		off += len;
	}
}

static bool find_unit(uint64_t *base)
{
	uint32_t len;
	const uint8_t *t = acpi_table("DMAR", &len);
	for (uint32_t off = 48; t && off + 16 <= len;) {
		uint16_t type, slen, seg;
		memcpy(&type, t + off, 2);
		memcpy(&slen, t + off + 2, 2);
		memcpy(&seg, t + off + 6, 2);
		if (slen < 4 || slen > len - off)
			break;
		if (type == 0 && seg == 0 && slen >= 16) {
			memcpy(base, t + off + 8, 8);
			include_all = t[off + 4] & 1;
			parse_scopes(t, off + 16, off + slen);
			return true;
		}
		off += slen;
	}
	return false;
}

static bool covers(const struct pci_dev *d)
{
	if (include_all)
		return true;
	if (d->bus == 0)
		return bit_get(scope_dev, (uint32_t)d->slot * 8 + d->func);
	/* behind a listed bridge of bus 0 */
	for (uint32_t i = 0; i < pci_ndevs; i++) {
		const struct pci_dev *b = &pci_devs[i];
		if (b->bus != 0 || b->header != 1 || !bit_get(scope_bridge, (uint32_t)b->slot * 8 + b->func))
			continue;
		uint32_t sec = pci_cfg_read(b, 0x19, 1), sub = pci_cfg_read(b, 0x1A, 1);
		if (d->bus >= sec && d->bus <= sub)
			return true;
	}
	return false;
}

void iommu_init(void)
{
	uint64_t base;
	if (!find_unit(&base)) {
		fw_info("iommu: none (no usable DMAR unit)");
		return;
	}
	if (!pci_mem_range_ok(base, 4096) && (base < 0xFEC00000 || base >= 0xFF000000))
		return;
	regs = iomap(base, 4096, true);
	if (!regs)
		return;
	uint64_t cap = rd64(R_CAP), ecap = rd64(R_ECAP);
	uint32_t sagaw = (cap >> 8) & 0x1F;
	iotlb_off = (uint32_t)((ecap >> 8) & 0x3FF) * 16;
	fro = (uint32_t)((cap >> 24) & 0x3FF) * 16;
	nfr = (uint32_t)((cap >> 40) & 0xFF) + 1;
	ndomains = 1u << (4 + 2 * (cap & 7));
	coherent = ecap & 1;
	caching_mode = (cap >> 7) & 1;
	rwbf = (cap >> 4) & 1;
	if (sagaw & 4) {
		levels = 4;
		aw_code = 2;
	} else if (sagaw & 2) {
		levels = 3;
		aw_code = 1;
	}
	if (!levels || iotlb_off + 16 > 4096 || fro + 16 * nfr > 4096 || ndomains <= PCI_MAX_DEVS) {
		fw_warn("iommu: VT-d unit at %lx unusable (cap %lx ecap %lx)", base, cap, ecap);
		return;
	}
	root_pa = frame_alloc();
	if (!root_pa)
		fw_panic("iommu: no memory for the root table");
	wr64(R_RTADDR, root_pa);
	command(GCMD_SRTP, GCMD_SRTP, true);
	inval_context_global();
	inval_iotlb(0);
	command(GCMD_TE, GCMD_TE, true);
	active = true;
	fw_info("iommu: VT-d at %lx, %u-level tables, DMA remapping on", base, levels);
}

/* SAFETY (table walks): every table pointer followed below was written by
 * this file from frame_alloc() (framework frames in the physmap); indices
 * are 9-bit fields of the I/O address, inside the 512-entry table. */
static volatile uint64_t *table(uint64_t pa) { return phys_to_virt(pa & PTE_ADDR); }

static volatile uint64_t *context_entry(uint8_t bus, uint8_t devfn, bool create)
{
	volatile uint64_t *root = table(root_pa);
	if (!(root[2 * bus] & 1)) {
		if (!create)
			return NULL;
		uint64_t ct = frame_alloc();
		if (!ct)
			return NULL;
		root[2 * bus + 1] = 0;
		root[2 * bus] = ct | 1;
		flush_entry(&root[2 * bus]);
	}
	return table(root[2 * bus]) + 2 * devfn;
}

int iommu_attach(struct pci_dev *d)
{
	if (!active)
		return 0;
	if (!covers(d)) {
		fw_warn("iommu: %02x:%02x.%x is outside the unit's scope: its DMA is not remapped", d->bus, d->slot,
			d->func);
		return 0;
	}
	struct iommu_domain *dom = kalloc(sizeof(*dom));
	uint64_t pt = frame_alloc();
	volatile uint64_t *ce = context_entry(d->bus, (uint8_t)(d->slot << 3 | d->func), true);
	if (!dom || !pt || !ce) {
		if (pt)
			frame_put(pt);
		if (dom)
			kfree(dom, sizeof(*dom));
		return -12;
	}
	dom->pt_pa = pt;
	dom->did = (uint16_t)(d - pci_devs + 1);
	ce[1] = aw_code | (uint64_t)dom->did << 8;
	ce[0] = pt | 1; /* present, translation type 00: second-level only */
	flush_entry(ce);
	inval_context_global();
	inval_iotlb(0);
	d->dom = dom;
	return 0;
}

static void free_tables(uint64_t pa, uint32_t level)
{
	volatile uint64_t *t = table(pa);
	if (level > 1)
		for (int i = 0; i < 512; i++)
			if (t[i] & (SL_R | SL_W))
				free_tables(t[i], level - 1);
	frame_put(pa & PTE_ADDR);
}

void iommu_detach(struct pci_dev *d)
{
	if (!active || !d->dom)
		return;
	volatile uint64_t *ce = context_entry(d->bus, (uint8_t)(d->slot << 3 | d->func), false);
	if (ce) {
		ce[0] = 0;
		ce[1] = 0;
		flush_entry(ce);
	}
	inval_context_global();
	inval_iotlb(d->dom->did);
	free_tables(d->dom->pt_pa, levels);
	kfree(d->dom, sizeof(*d->dom));
	d->dom = NULL;
}

static volatile uint64_t *leaf(struct iommu_domain *dom, uint64_t iova, bool create)
{
	volatile uint64_t *t = table(dom->pt_pa);
	for (uint32_t l = levels; l > 1; l--) {
		volatile uint64_t *e = &t[(iova >> (12 + 9 * (l - 1))) & 511];
		if (!(*e & (SL_R | SL_W))) {
			if (!create)
				return NULL;
			uint64_t nt = frame_alloc();
			if (!nt)
				return NULL;
			*e = nt | SL_R | SL_W; /* the leaf decides the access */
			flush_entry(e);
		}
		t = table(*e);
	}
	return &t[(iova >> 12) & 511];
}

int iommu_map(struct pci_dev *d, uint64_t pa, bool writable)
{
	if (!active || !d->dom)
		return 0; /* no IOMMU, or a device outside its scope */
	volatile uint64_t *e = leaf(d->dom, pa, true);
	if (!e)
		return -12;
	uint64_t old = *e;
	/* A page shared by several objects keeps the widest access. */
	uint64_t v = (pa & PTE_ADDR) | SL_R | (writable ? SL_W : 0) | (old & SL_W);
	if (v == old)
		return 0;
	*e = v;
	flush_entry(e);
	if (caching_mode || (old & (SL_R | SL_W)))
		inval_iotlb(d->dom->did);
	return 0;
}

void iommu_unmap(struct pci_dev *d, uint64_t pa)
{
	if (!active || !d->dom)
		return;
	volatile uint64_t *e = leaf(d->dom, pa, false);
	if (!e || !(*e & (SL_R | SL_W)))
		return;
	*e = 0;
	flush_entry(e);
	inval_iotlb(d->dom->did); /* complete before the page is reused */
}

int iommu_fault_pop(uint16_t *source_id, uint64_t *addr, uint8_t *reason)
{
	if (!active)
		return 0;
	for (uint32_t i = 0; i < nfr; i++) {
		uint32_t rec = fro + 16 * i;
		uint32_t hi = rd32(rec + 12);
		if (!(hi & (1u << 31)))
			continue;
		*source_id = (uint16_t)rd32(rec + 8);
		*reason = (uint8_t)hi;
		*addr = rd64(rec) & ~0xFFFULL;
		wr32(rec + 12, 1u << 31); /* clear F */
		wr32(R_FSTS, 1);          /* and a primary overflow, if any */
		return 1;
	}
	return 0;
}

bool iommu_mapped(struct pci_dev *d, uint64_t pa)
{
	if (!active || !d->dom)
		return false;
	volatile uint64_t *e = leaf(d->dom, pa, false);
	return e && (*e & (SL_R | SL_W));
}
