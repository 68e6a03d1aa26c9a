/* Physical memory and kernel page tables. Layer: framework/mm (trusted,
 * internal). Services reach frames only through <fw/frame.h> handles. */
#ifndef INTERNAL_MM_H
#define INTERNAL_MM_H

#include <fw/types.h>
#include "internal/arch.h"

#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_COW (1UL << 9) /* software bit: shared copy-on-write */
#define PTE_NX (1UL << 63)
#define PTE_ADDR 0x000ffffffffff000UL

static inline void *phys_to_virt(uint64_t pa) { return (void *)(PHYSMAP_BASE + pa); }
static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)va;
	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYSMAP_BASE;
}

void mm_init(void);
extern bool physmap_live; /* the physmap is the active way to reach RAM */
/* Frames: 0 on failure. Zeroed. Reference count starts at 1. */
uint64_t frame_alloc(void);
void frame_get(uint64_t pa);
void frame_put(uint64_t pa);
uint32_t frame_refcount(uint64_t pa);
/* Mapping counts and service handles (see <fw/frame.h>). */
void frame_map_get(uint64_t pa);
void frame_map_put(uint64_t pa);
uint32_t frame_mapcount(uint64_t pa);
void frame_mark_service(uint64_t pa);
bool frame_handle_ok(uint32_t pfn, uint32_t gen);
/* Pin (see frame.c): the memory stays allocated until unpin. */
void frame_pin(uint64_t pa);
void frame_unpin(uint64_t pa);
void frame_handle_put(uint64_t pa);
uint32_t frame_gen(uint64_t pa);
bool frame_valid(uint64_t pa);
uint64_t frame_free_count(void);
uint64_t frame_total_count(void);

/* Page-table walk in a given PML4; allocates intermediate tables if `create`.
 * Returns a pointer to the leaf PTE or NULL. */
uint64_t *pt_walk(uint64_t pml4_pa, uint64_t va, bool create);
uint64_t kernel_pml4(void);
/* Map one 4 KiB kernel page (kernel stacks). */
int kmap_page(uint64_t va, uint64_t pa, uint64_t flags);
void kunmap_page(uint64_t va);

/* Small kernel allocations for framework objects (power-of-two classes up
 * to one page). Memory of a class never changes class. */
void *kalloc(size_t size);
void kfree(void *p, size_t size);

#endif
