/* Kernel mappings of device registers and firmware tables. Layer:
 * framework/dev (trusted). A bump allocator over a dedicated kernel
 * region (0xffffc80000000000, 64 GiB, below the kernel stacks); mappings
 * are never removed (device windows and ACPI tables live as long as the
 * machine), so no pointer into the region can dangle. */
#include "internal/dev.h"
#include "internal/arch.h"
#include "internal/mm.h"
#include <fw/log.h>

#define IOMAP_BASE 0xffffc80000000000UL
#define IOMAP_SIZE (64UL << 30)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)

static uint64_t iomap_next = IOMAP_BASE;

void *iomap(uint64_t pa, uint64_t len, bool uncached)
{
	uint64_t first = FW_ALIGN_DOWN(pa, 4096);
	if (len == 0 || pa + len < pa)
		return NULL;
	uint64_t last = FW_ALIGN_UP(pa + len, 4096);
	uint64_t pages = (last - first) / 4096;
	if (pages > (IOMAP_BASE + IOMAP_SIZE - iomap_next) / 4096)
		return NULL;
	uint64_t va = iomap_next;
	uint64_t flags = PTE_W | PTE_NX | (uncached ? PTE_PCD | PTE_PWT : 0);
	for (uint64_t i = 0; i < pages; i++)
		if (kmap_page(va + i * 4096, first + i * 4096, flags) < 0)
			return NULL; /* the VA range stays reserved: never reused */
	iomap_next += pages * 4096;
	/* SAFETY: va .. va + pages*4096 now maps [first, last), which holds
	 * [pa, pa + len); callers access only inside that range. */
	return (void *)(va + (pa - first));
}
