/* User address spaces. Layer: framework/mm (trusted).
 * Each vm has its own PML4 whose kernel half (entries 256..511) is copied
 * from the kernel's and never changes. Leaf PTEs in the user half point
 * only at service frames and each one holds a mapping reference on its
 * frame. Software bits: PTE_COW marks a copy-on-write page; PTE_NONE keeps
 * a frame mapped with no access (PROT_NONE) and P clear. */
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include "internal/task.h"
#include <fw/vm.h>
#include <abi/errno.h>

#define PTE_NONE (1UL << 10)

struct vm {
	uint64_t pml4;
	uint32_t users; /* service handle + tasks */
	bool handle_dropped;
	uint64_t resident;
};

static struct slots vms;

static struct vm *vm_get(struct fw_vm_ref r) { return slots_get(&vms, r.idx, r.gen); }

static bool va_ok(uint64_t va) { return (va & (FW_PAGE_SIZE - 1)) == 0 && va < FW_USER_TOP; }

/* Where a new leaf mapping may go: nothing below FW_USER_MIN, so NULL plus
 * a small offset never reaches a user page (<fw/user.h>). fw_vm_map and
 * fw_vm_map_cow are the only creators of leaf PTEs (fork copies existing
 * ones), so this is the one check. */
static bool map_va_ok(uint64_t va) { return va_ok(va) && va >= FW_USER_MIN; }

/* The first page address >= va (and < end) whose last-level table exists,
 * or end. Range operations use it to skip unpopulated gigabytes at the
 * cost of one table walk, so munmap of a huge range stays fast. */
static uint64_t next_table(uint64_t pml4, uint64_t va, uint64_t end)
{
	while (va < end) {
		uint64_t *t = phys_to_virt(pml4);
		int shift = 39;
		for (; shift > 12; shift -= 9) {
			uint64_t e = t[(va >> shift) & 511];
			if (!(e & PTE_P))
				break;
			t = phys_to_virt(e & PTE_ADDR);
		}
		if (shift == 12)
			return va;
		uint64_t step = 1UL << shift;
		va = (va + step) & ~(step - 1);
	}
	return end;
}

/* The next span of last-level entries of [*va, end): *va moves to the
 * first page address at or after it whose table exists (end if none) and
 * the result points at that page's entry, with *n entries following it in
 * the same table and inside the range. A span whose table cannot be
 * walked (a large page, which user space never has) gives NULL with *n
 * covering it, so callers skip it. Range operations so walk each table
 * once and touch only the populated ones: unmapping, protecting or
 * forking a large area costs its tables, not its pages. */
static uint64_t *leaves(uint64_t pml4, uint64_t *va, uint64_t end, uint64_t *n)
{
	uint64_t a = next_table(pml4, *va, end);
	*va = a;
	*n = 0;
	if (a >= end)
		return NULL;
	uint64_t table_end = (a | ((1UL << 21) - 1)) + 1;
	*n = (FW_MIN(end, table_end) - a + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;
	return pt_walk(pml4, a, false);
}

int fw_vm_create(struct fw_vm_ref *out)
{
	struct vm *v = kalloc(sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->pml4 = frame_alloc();
	if (!v->pml4) {
		kfree(v, sizeof(*v));
		return -ENOMEM;
	}
	/* SAFETY: both are page-table frames the framework allocated; the
	 * kernel half is shared by copying its top-level entries. */
	uint64_t *dst = phys_to_virt(v->pml4), *src = phys_to_virt(kernel_pml4());
	for (int i = 256; i < 512; i++)
		dst[i] = src[i];
	v->users = 1;
	int r = slots_add(&vms, v, &out->idx, &out->gen);
	if (r < 0) {
		frame_put(v->pml4);
		kfree(v, sizeof(*v));
	}
	return r;
}

static void free_level(uint64_t table_pa, int level)
{
	uint64_t *t = phys_to_virt(table_pa);
	int n = level == 4 ? 256 : 512;
	for (int i = 0; i < n; i++) {
		uint64_t e = t[i];
		if (!(e & (PTE_P | PTE_NONE)))
			continue;
		if (level == 1)
			frame_map_put(e & PTE_ADDR);
		else
			free_level(e & PTE_ADDR, level - 1);
	}
	frame_put(table_pa);
}

static void vm_release(struct vm *v)
{
	if (--v->users > 0)
		return;
	if (arch_page_table() == v->pml4)
		arch_set_page_table(kernel_pml4());
	free_level(v->pml4, 4);
	kfree(v, sizeof(*v));
}

void fw_vm_destroy(struct fw_vm_ref r)
{
	struct vm *v = slots_remove(&vms, r.idx, r.gen);
	if (v)
		vm_release(v);
}

/* Task side: a task holds a use of its vm (by pointer: the framework owns
 * both ends, so it cannot dangle while users > 0). */
void *vm_task_attach(struct fw_vm_ref r, uint64_t *pml4)
{
	struct vm *v = vm_get(r);
	if (!v)
		return NULL;
	v->users++;
	*pml4 = v->pml4;
	return v;
}

void vm_task_detach(void *vp)
{
	if (vp)
		vm_release(vp);
}

struct fw_vm_ref vm_ref_of_current(void);

static void flush(struct vm *v, uint64_t va)
{
	if (arch_page_table() == v->pml4)
		arch_flush_page(va);
}

static uint64_t prot_bits(uint32_t prot)
{
	if (!(prot & (FW_PROT_READ | FW_PROT_WRITE | FW_PROT_EXEC)))
		return PTE_NONE;
	uint64_t b = PTE_P | PTE_U;
	if (prot & FW_PROT_WRITE)
		b |= PTE_W;
	if (!(prot & FW_PROT_EXEC))
		b |= PTE_NX;
	return b;
}

static uint32_t pte_prot(uint64_t e)
{
	if (!(e & PTE_P))
		return 0;
	uint32_t p = FW_PROT_READ;
	if (e & (PTE_W | PTE_COW))
		p |= e & PTE_W ? FW_PROT_WRITE : 0;
	if (!(e & PTE_NX))
		p |= FW_PROT_EXEC;
	return p;
}

static void set_pte(struct vm *v, uint64_t *pte, uint64_t va, uint64_t val)
{
	uint64_t old = *pte;
	if (val & PTE_ADDR)
		frame_map_get(val & PTE_ADDR);
	*pte = val;
	if (old & (PTE_P | PTE_NONE)) {
		frame_map_put(old & PTE_ADDR);
		v->resident--;
		flush(v, va);
	}
	if (val & (PTE_P | PTE_NONE))
		v->resident++;
}

int fw_vm_map(struct fw_vm_ref r, uint64_t va, struct fw_frame_ref f, uint32_t prot)
{
	struct vm *v = vm_get(r);
	if (!v || !map_va_ok(va) || !fw_frame_valid(f))
		return -EINVAL;
	uint64_t *pte = pt_walk(v->pml4, va, true);
	if (!pte)
		return -ENOMEM;
	set_pte(v, pte, va, ((uint64_t)f.pfn * FW_PAGE_SIZE) | prot_bits(prot));
	return 0;
}

int fw_vm_map_cow(struct fw_vm_ref r, uint64_t va, struct fw_frame_ref f, uint32_t prot)
{
	struct vm *v = vm_get(r);
	if (!v || !map_va_ok(va) || !fw_frame_valid(f))
		return -EINVAL;
	uint64_t *pte = pt_walk(v->pml4, va, true);
	if (!pte)
		return -ENOMEM;
	/* PTE_COW with W clear: fw_vm_protect keeps it write-protected and
	 * only fw_vm_cow_break (which copies while handles remain) can make
	 * the page writable. */
	uint64_t bits = (prot_bits(prot) & ~PTE_W) | PTE_COW;
	set_pte(v, pte, va, ((uint64_t)f.pfn * FW_PAGE_SIZE) | bits);
	return 0;
}

int fw_vm_map_zeroed(struct fw_vm_ref r, uint64_t va, uint32_t prot)
{
	struct fw_frame_ref f;
	int e = fw_frame_alloc(&f);
	if (e)
		return e;
	e = fw_vm_map(r, va, f, prot);
	fw_frame_put(f);
	return e;
}

int fw_vm_unmap(struct fw_vm_ref r, uint64_t va, uint64_t len)
{
	struct vm *v = vm_get(r);
	if (!v || !va_ok(va) || len > FW_USER_TOP - va)
		return -EINVAL;
	uint64_t end = va + len, n;
	for (uint64_t a = va; a < end; a += n * FW_PAGE_SIZE) {
		uint64_t *pte = leaves(v->pml4, &a, end, &n);
		/* SAFETY: pte[0..n) are entries of one last-level table
		 * (leaves). */
		for (uint64_t i = 0; pte && i < n; i++)
			if (pte[i] & (PTE_P | PTE_NONE))
				set_pte(v, &pte[i], a + i * FW_PAGE_SIZE, 0);
	}
	return 0;
}

int fw_vm_protect(struct fw_vm_ref r, uint64_t va, uint64_t len, uint32_t prot)
{
	struct vm *v = vm_get(r);
	if (!v || !va_ok(va) || len > FW_USER_TOP - va)
		return -EINVAL;
	uint64_t end = va + len, n, nb = prot_bits(prot);
	for (uint64_t a = va; a < end; a += n * FW_PAGE_SIZE) {
		uint64_t *pte = leaves(v->pml4, &a, end, &n);
		for (uint64_t i = 0; pte && i < n; i++) {
			/* SAFETY: as in fw_vm_unmap. */
			uint64_t e = pte[i], b = nb;
			if (!(e & (PTE_P | PTE_NONE)))
				continue;
			/* A COW page stays COW through every protection change,
			 * PROT_NONE included: dropping the bit would let a later
			 * PROT_WRITE map a frame another address space still uses. */
			if (e & PTE_COW)
				b = (b & ~PTE_W) | PTE_COW;
			pte[i] = (e & PTE_ADDR) | b;
			flush(v, a + i * FW_PAGE_SIZE);
		}
	}
	return 0;
}

int fw_vm_lookup(struct fw_vm_ref r, uint64_t va, struct fw_vm_page *out)
{
	struct vm *v = vm_get(r);
	if (!v || va >= FW_USER_TOP)
		return -EINVAL;
	*out = (struct fw_vm_page){0};
	uint64_t *pte = pt_walk(v->pml4, va & ~(FW_PAGE_SIZE - 1), false);
	if (!pte || !(*pte & (PTE_P | PTE_NONE)))
		return 0;
	uint64_t pa = *pte & PTE_ADDR;
	out->present = true;
	out->cow = (*pte & PTE_COW) != 0;
	out->prot = pte_prot(*pte);
	out->frame = (struct fw_frame_ref){(uint32_t)(pa / FW_PAGE_SIZE), frame_gen(pa)};
	return 0;
}

int fw_vm_fork(struct fw_vm_ref dr, struct fw_vm_ref sr, uint64_t va, uint64_t len, bool share)
{
	struct vm *d = vm_get(dr), *s = vm_get(sr);
	if (!d || !s || d == s || !va_ok(va) || len > FW_USER_TOP - va)
		return -EINVAL;
	uint64_t end = va + len, n;
	for (uint64_t a = va; a < end; a += n * FW_PAGE_SIZE) {
		uint64_t *spte = leaves(s->pml4, &a, end, &n);
		uint64_t *dpte = NULL; /* d's table for the same span, made on first use */
		for (uint64_t i = 0; spte && i < n; i++) {
			/* SAFETY: spte[0..n) as in fw_vm_unmap; dpte[0..n) are
			 * the entries of d's table at the same addresses (pt_walk
			 * of a, the span's first page, which lies in the same
			 * last-level table). */
			uint64_t e = spte[i];
			if (!(e & (PTE_P | PTE_NONE)))
				continue;
			if (!dpte && !(dpte = pt_walk(d->pml4, a, true)))
				return -ENOMEM;
			/* Private: every page becomes COW, read-only and PROT_NONE
			 * ones too, since mprotect may make them writable later. */
			if (!share) {
				e = (e & ~PTE_W) | PTE_COW;
				spte[i] = e;
				flush(s, a + i * FW_PAGE_SIZE);
			}
			set_pte(d, &dpte[i], a + i * FW_PAGE_SIZE, e);
		}
	}
	return 0;
}

int fw_vm_cow_break(struct fw_vm_ref r, uint64_t va, uint32_t prot)
{
	struct vm *v = vm_get(r);
	if (!v || !va_ok(va))
		return -EINVAL;
	uint64_t *pte = pt_walk(v->pml4, va, false);
	if (!pte || !(*pte & PTE_COW))
		return -EINVAL;
	uint64_t pa = *pte & PTE_ADDR;
	uint64_t bits = prot_bits(prot | FW_PROT_WRITE);
	if (frame_mapcount(pa) == 1 && frame_refcount(pa) == 0) {
		*pte = pa | bits;
		flush(v, va);
		return 0;
	}
	uint64_t npa = frame_alloc();
	if (!npa)
		return -ENOMEM;
	frame_mark_service(npa);
	/* SAFETY: pa is the frame mapped at va (a live service frame), npa a
	 * fresh one; both whole pages in the physmap. */
	memcpy(phys_to_virt(npa), phys_to_virt(pa), FW_PAGE_SIZE);
	set_pte(v, pte, va, npa | bits);
	frame_put(npa); /* the mapping keeps it */
	return 0;
}

uint64_t fw_vm_resident_pages(struct fw_vm_ref r)
{
	struct vm *v = vm_get(r);
	return v ? v->resident : 0;
}
