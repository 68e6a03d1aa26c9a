/* SMAP on CPUs that lack it. Layer: framework/arch (trusted).
 * stac and clac raise #UD where CPUID does not report SMAP, and they sit on
 * every trap entry and user copy. Every one is emitted through SMAP_SITE
 * (smap.h), which records its address; on such a CPU they are rewritten
 * into NOPs once, at boot, before the first trap can run one. Keel then
 * runs without the SMAP guarantee (docs/safety.md says what that costs). */
#include "arch/x86_64/smap.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "arch/x86_64/x86.h"

extern const uint64_t __smap_sites_start[], __smap_sites_end[];

void smap_patch_sites(void)
{
	static const uint8_t nop3[3] = {0x0f, 0x1f, 0x00};
	for (const uint64_t *s = __smap_sites_start; s < __smap_sites_end; s++) {
		/* SAFETY: each entry is the address of a 3-byte stac/clac in the
		 * kernel image, recorded by SMAP_SITE at build time. The text
		 * mapping is read-only, so the bytes are written through the
		 * physmap alias of the same RAM (RW), with interrupts off and
		 * before any trap or user copy has run. */
		memcpy(phys_to_virt(virt_to_phys((const void *)*s)), nop3, sizeof(nop3));
	}
	/* CPUID serialises: nothing prefetched before the rewrite runs. */
	uint32_t a, b, c, d;
	cpuid(0, 0, &a, &b, &c, &d);
}
