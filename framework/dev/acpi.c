/* ACPI table lookup (MCFG for PCI Express configuration space, DMAR for
 * the IOMMU). Layer: framework/dev (trusted). Trusts the firmware's tables
 * only as far as their checksums and declared lengths: every table is
 * mapped with its declared length and checksummed before use. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include <fw/log.h>

struct acpi_header {
	char sig[4];
	uint32_t len;
	uint8_t rev, csum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __attribute__((packed));

static uint64_t root_pa;  /* RSDT or XSDT */
static bool root_is_xsdt;

static bool csum_ok(const uint8_t *p, uint32_t n)
{
	uint8_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += p[i];
	return s == 0;
}

/* The RSDP sits on a 16-byte boundary in the EBDA's first KiB or in
 * 0xE0000-0xFFFFF; both are low memory inside the physmap. */
static bool find_rsdp(void)
{
	/* SAFETY: the BIOS data area word at 0x40E and the ranges scanned are
	 * in the first MiB, which the physmap maps (it starts at 0). */
	uint64_t ebda = (uint64_t)*(const volatile uint16_t *)phys_to_virt(0x40E) << 4;
	uint64_t ranges[2][2] = {{ebda, ebda + 1024}, {0xE0000, 0x100000}};
	for (int r = 0; r < 2; r++) {
		if (ranges[r][0] < 0x80000 && r == 0)
			continue; /* no plausible EBDA */
		for (uint64_t pa = ranges[r][0]; pa + 36 <= ranges[r][1]; pa += 16) {
			const uint8_t *p = phys_to_virt(pa);
			if (memcmp(p, "RSD PTR ", 8) != 0 || !csum_ok(p, 20))
				continue;
			uint8_t rev = p[15];
			uint32_t rsdt, xlen;
			uint64_t xsdt;
			memcpy(&rsdt, p + 16, 4);
			memcpy(&xlen, p + 20, 4);
			memcpy(&xsdt, p + 24, 8);
			if (rev >= 2 && xsdt && xlen >= 36 && csum_ok(p, 36)) {
				root_pa = xsdt;
				root_is_xsdt = true;
			} else {
				root_pa = rsdt;
			}
			return root_pa != 0;
		}
	}
	return false;
}

static const uint8_t *map_table(uint64_t pa, uint32_t *len)
{
	const struct acpi_header *h = iomap(pa, sizeof(*h), false);
	if (!h || h->len < sizeof(*h) || h->len > (1u << 20))
		return NULL;
	const uint8_t *t = iomap(pa, h->len, false);
	if (!t || !csum_ok(t, h->len))
		return NULL;
	*len = h->len;
	return t;
}

const uint8_t *acpi_table(const char sig[4], uint32_t *len)
{
	static bool searched;
	if (!searched) {
		searched = true;
		if (!find_rsdp())
			fw_info("acpi: no RSDP");
	}
	if (!root_pa)
		return NULL;
	uint32_t rlen;
	const uint8_t *root = map_table(root_pa, &rlen);
	if (!root)
		return NULL;
	uint32_t esize = root_is_xsdt ? 8 : 4;
	for (uint32_t off = 36; off + esize <= rlen; off += esize) {
		uint64_t pa = 0;
		memcpy(&pa, root + off, esize);
		const struct acpi_header *h = iomap(pa, sizeof(*h), false);
		if (!h || memcmp(h->sig, sig, 4) != 0)
			continue;
		return map_table(pa, len);
	}
	return NULL;
}
