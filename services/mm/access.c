/* Another address space's words for ptrace(2): PEEKTEXT/PEEKDATA and a
 * forced POKETEXT/POKEDATA. Layer: services (safe C). Trusts the
 * framework's copy-on-write (fw_vm_cow_break) to give a private copy.
 *
 * A debugger writes breakpoints into read-only private text: like Linux's
 * FOLL_FORCE, a write into a private mapping without PROT_WRITE breaks
 * copy-on-write into the process's own copy of the page and puts the old
 * protection back. It never writes a page shared with a file (page cache
 * or MAP_SHARED), the vDSO, or a shared mapping that is not writable. */
#include "mm/mm.h"

struct word_bytes {
	uint8_t b[8];
};

/* The area holding addr (NULL if none). */
static const struct vma *area_of(const struct mm *mp, uint64_t addr)
{
	for (struct vma_ref c = mp->vmas;;) {
		const struct vma *v = vma_get(c);
		if (!v || addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
		c = v->next;
	}
}

/* The frame of the page at addr, ready to be written by ptrace: -EFAULT
 * when it may not be. Takes a reference the caller drops.
 *
 * The page is faulted in first, and that may sleep (a file page read from
 * the disk): the tracee's other threads run meanwhile and may put another
 * mapping at addr. So every decision is taken after it, from the area and
 * the page as they are then, and nothing from here to the caller's write
 * sleeps (lookups, the copy-on-write break, a reference): the write goes
 * to the page the checks saw. Checking the area before the fault let a
 * tracee swap a MAP_SHARED read-only mapping of a file it may not write
 * in during the sleep, and the poke wrote that file's page cache (attack
 * round 7). */
static int pin_for_poke(struct mm_ref m, uint64_t addr, struct fw_frame_ref *out)
{
	struct fw_frame_ref f;
	if (mm_pin_page(m, addr, false, &f)) /* present, readable; may sleep */
		return -EFAULT;
	fw_frame_put(f);
	struct mm *mp = mm_get(m);
	const struct vma *v = mp ? area_of(mp, addr) : NULL;
	if (!v)
		return -EFAULT;
	if (v->prot & FW_PROT_WRITE)
		return mm_pin_page(m, addr, true, out); /* the owner's own write (checks the page itself) */
	if (v->flags & (VMA_SHARED | VMA_ANON_SHARED | VMA_VDSO | VMA_NOWRITE))
		return -EFAULT;
	uint32_t prot = v->prot;
	uint64_t va = addr & ~4095ULL;
	struct fw_vm_page pg;
	if (fw_vm_lookup(mp->vm, va, &pg) || !pg.present)
		return -EFAULT; /* gone again: the poke fails, as one racing an munmap may */
	if (pg.cow) {
		/* A private copy (writable: cow_break's contract), then the
		 * area's protection back. */
		if (fw_vm_cow_break(mp->vm, va, prot) || fw_vm_protect(mp->vm, va, 4096, prot))
			return -EFAULT;
		if (fw_vm_lookup(mp->vm, va, &pg) || !pg.present || pg.cow)
			return -EFAULT;
	}
	/* Not copy-on-write in a private area: this space's own page. */
	if (fw_frame_dup(pg.frame))
		return -EFAULT;
	*out = pg.frame;
	return 0;
}

/* Up to 8 bytes at addr (one page at most) to or from w at woff. */
static int access_part(struct mm_ref m, uint64_t addr, struct word_bytes *w, uint32_t woff, uint32_t n, bool write)
{
	struct fw_frame_ref f;
	int e = write ? pin_for_poke(m, addr, &f) : mm_pin_page(m, addr, false, &f);
	if (e)
		return -EFAULT;
	uint32_t off = (uint32_t)(addr & 4095);
	e = write ? fw_frame_write_at(f, off, w, woff, n) : fw_frame_read_at(f, off, w, woff, n);
	fw_frame_put(f);
	return e ? -EFAULT : 0;
}

static int access_word(struct mm_ref m, uint64_t addr, struct word_bytes *w, bool write)
{
	if (addr >= FW_USER_TOP || FW_USER_TOP - addr < 8)
		return -EFAULT;
	uint32_t first = (uint32_t)FW_MIN(8ULL, 4096 - (addr & 4095));
	int e = access_part(m, addr, w, 0, first, write);
	if (e == 0 && first < 8)
		e = access_part(m, addr + first, w, first, 8 - first, write);
	return e;
}

int mm_peek_word(struct mm_ref m, uint64_t addr, uint64_t *out)
{
	struct word_bytes w = {{0}};
	int e = access_word(m, addr, &w, false);
	if (e)
		return e;
	uint64_t v = 0;
	for (uint32_t i = 0; i < 8; i++)
		v |= (uint64_t)w.b[i] << (8 * i);
	*out = v;
	return 0;
}

int mm_poke_word(struct mm_ref m, uint64_t addr, uint64_t val)
{
	struct word_bytes w;
	for (uint32_t i = 0; i < 8; i++)
		w.b[i] = (uint8_t)(val >> (8 * i));
	return access_word(m, addr, &w, true);
}
