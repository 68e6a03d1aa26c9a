/* Page faults: demand paging and copy-on-write. Layer: services (safe C). */
#include "mm/mm.h"

#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2

static struct vma *find_vma(struct mm *mp, uint64_t addr)
{
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (addr < v->start)
			return NULL;
		if (addr < v->end)
			return v;
	}
	return NULL;
}

/* Grow a stack area down to cover addr (within the stack limit). */
static struct vma *grow_stack(struct mm *mp, uint64_t addr)
{
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (!(v->flags & VMA_GROWSDOWN) || addr >= v->start)
			continue;
		uint64_t page = addr & ~4095ULL;
		if (v->end - page > USER_STACK_MAX)
			return NULL;
		v->start = page;
		return v;
	}
	return NULL;
}

/* Fill a fresh private page from the area's file (rest zero). */
static int fill_from_file(struct vma *v, uint64_t page, struct fw_frame_ref f)
{
	uint64_t rel = page - v->start;
	if (rel >= v->file_len)
		return 0;
	uint64_t n = FW_MIN(4096, v->file_len - rel);
	uint64_t foff = v->file_off + rel;
	uint64_t done = 0;
	while (done < n) {
		uint64_t pos = foff + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref src;
		if (inode_page(v->file, pos / 4096, false, &src) == 0) {
			int e = fw_frame_move(f, (uint32_t)done, src, poff, chunk);
			if (e)
				return e;
		}
		done += chunk;
	}
	return 0;
}

static int populate(struct mm *mp, struct vma *v, uint64_t page)
{
	if ((v->flags & VMA_FILE) && (v->flags & VMA_SHARED)) {
		struct fw_frame_ref f;
		uint64_t off = v->file_off + (page - v->start);
		int e = inode_page(v->file, off / 4096, true, &f);
		if (e)
			return e;
		return fw_vm_map(mp->vm, page, f, v->prot);
	}
	struct fw_frame_ref f;
	if (fw_frame_alloc(&f))
		return -ENOMEM;
	int e = (v->flags & VMA_FILE) ? fill_from_file(v, page, f) : 0;
	if (e == 0)
		e = fw_vm_map(mp->vm, page, f, v->prot);
	fw_frame_put(f);
	return e;
}

int mm_fault(struct mm_ref m, uint64_t addr, bool write, bool exec, int32_t *si_code)
{
	struct mm *mp = mm_get(m);
	*si_code = SEGV_MAPERR;
	if (!mp || addr >= FW_USER_TOP)
		return -EFAULT;
	struct vma *v = find_vma(mp, addr);
	if (!v)
		v = grow_stack(mp, addr);
	if (!v)
		return -EFAULT;
	*si_code = SEGV_ACCERR;
	if ((write && !(v->prot & FW_PROT_WRITE)) || (exec && !(v->prot & FW_PROT_EXEC)) ||
	    (!write && !exec && !(v->prot & (FW_PROT_READ | FW_PROT_WRITE | FW_PROT_EXEC))))
		return -EFAULT;
	uint64_t page = addr & ~4095ULL;
	if (v->flags & VMA_EOF_BUS) {
		struct inode *ip = inode_get(v->file);
		uint64_t off = v->file_off + (page - v->start);
		if (!ip || off >= FW_ALIGN_UP(ip->size, 4096)) {
			*si_code = BUS_ADRERR;
			return -EIO;
		}
	}
	struct fw_vm_page pg;
	if (fw_vm_lookup(mp->vm, page, &pg))
		return -EFAULT;
	if (!pg.present)
		return populate(mp, v, page) ? -ENOMEM : 0; /* no frame left */
	if (write && pg.cow)
		return fw_vm_cow_break(mp->vm, page, v->prot) ? -ENOMEM : 0;
	/* Present with the right rights: a stale TLB entry or a spurious
	 * fault; nothing to do. */
	return 0;
}
