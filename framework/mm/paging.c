/* Kernel page tables. Layer: framework/mm (trusted).
 * Builds the final kernel address space: the kernel image at KERNEL_VMA with
 * 4 KiB pages (text read-only+executable, rodata read-only+NX, data/bss
 * NX), all RAM at PHYSMAP_BASE (NX), nothing at all in the low half, so page
 * 0 and every user address fault in kernel mode unless a user space is
 * active. The kernel half of the PML4 (entries 256..511) is shared by every
 * user address space; those entries are created here and never change. */
#include "internal/init.h"
#include "internal/boot.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include <fw/log.h>
#include <fw/user.h>
#include <abi/errno.h>

extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __kernel_end[];

static uint64_t kpml4;

uint64_t kernel_pml4(void) { return kpml4; }

/* SAFETY: pa is a page-table frame the framework allocated (early frames
 * lie in the first GiB, which the boot tables map at KERNEL_VMA). */
static uint64_t *table_va(uint64_t pa) { return physmap_live ? phys_to_virt(pa) : (uint64_t *)(KERNEL_VMA + pa); }

static uint64_t new_table(void)
{
	if (!physmap_live)
		return early_frame();
	return frame_alloc();
}

uint64_t *pt_walk(uint64_t pml4_pa, uint64_t va, bool create)
{
	uint64_t *t = table_va(pml4_pa);
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t pa = new_table();
			if (!pa)
				return NULL;
			/* Intermediate entries are permissive; the leaf decides. */
			*e = pa | PTE_P | PTE_W | (va < FW_USER_TOP ? PTE_U : 0);
		}
		if (*e & PTE_PS)
			return NULL;
		t = table_va(*e & PTE_ADDR);
	}
	return &t[(va >> 12) & 511];
}

static void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags)
{
	for (uint64_t off = 0; off < len; off += FW_PAGE_SIZE) {
		uint64_t *pte = pt_walk(kpml4, va + off, true);
		*pte = (pa + off) | flags | PTE_P | PTE_G;
	}
}

static void map_physmap(void)
{
	uint64_t top = 0;
	for (int i = 0; i < boot_info.nram; i++)
		top = FW_MAX(top, boot_info.ram[i].end);
	top = FW_ALIGN_UP(top, 1UL << 21);
	uint64_t *pml4 = table_va(kpml4);
	for (uint64_t pa = 0; pa < top; pa += 1UL << 21) {
		uint64_t va = PHYSMAP_BASE + pa;
		uint64_t *e4 = &pml4[(va >> 39) & 511];
		if (!(*e4 & PTE_P))
			*e4 = early_frame() | PTE_P | PTE_W;
		uint64_t *pdpt = table_va(*e4 & PTE_ADDR);
		uint64_t *e3 = &pdpt[(va >> 30) & 511];
		if (!(*e3 & PTE_P))
			*e3 = early_frame() | PTE_P | PTE_W;
		uint64_t *pd = table_va(*e3 & PTE_ADDR);
		pd[(va >> 21) & 511] = pa | PTE_P | PTE_W | PTE_PS | PTE_G | PTE_NX;
	}
}

void mm_init(void)
{
	early_frames_init();
	kpml4 = early_frame();
	uint64_t *pml4 = table_va(kpml4);
	/* Pre-create every kernel-half PDPT so the shared entries never change. */
	for (int i = 256; i < 512; i++)
		pml4[i] = early_frame() | PTE_P | PTE_W;
	uint64_t t0 = (uint64_t)__text_start, t1 = (uint64_t)__text_end;
	uint64_t r1 = (uint64_t)__rodata_end, k1 = FW_ALIGN_UP((uint64_t)__kernel_end, FW_PAGE_SIZE);
	/* The .boot section (1 MiB .. text) is not mapped: it is dead after entry. */
	map_range(t0, t0 - KERNEL_VMA, t1 - t0, 0);
	map_range(t1, t1 - KERNEL_VMA, r1 - t1, PTE_NX);
	map_range(r1, r1 - KERNEL_VMA, k1 - r1, PTE_W | PTE_NX);
	map_physmap();
	arch_set_page_table(kpml4);
	physmap_live = true;
	frames_init();
	kalloc_init();
}

int kmap_page(uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *pte = pt_walk(kpml4, va, true);
	if (!pte)
		return -ENOMEM;
	*pte = pa | flags | PTE_P;
	arch_flush_page(va);
	return 0;
}

void kunmap_page(uint64_t va)
{
	uint64_t *pte = pt_walk(kpml4, va, false);
	if (pte) {
		*pte = 0;
		arch_flush_page(va);
	}
}
