/* mremap and madvise(MADV_DONTNEED): moving and discarding pages of an
 * address space. Layer: services (safe C). Trusts the framework's vm API
 * for page tables and frames; private pages are copied when moved (a
 * copy-on-write frame must never become writable in two places), shared
 * pages move as the same frame. */
#include "mm/mm.h"

static struct vma *vma_at(struct mm *mp, uint64_t addr)
{
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (addr >= v->start && addr < v->end)
			return v;
	}
	return NULL;
}

bool mm_addr_shared(struct mm_ref m, uint64_t addr)
{
	struct mm *mp = mm_get(m);
	struct vma *v = mp ? vma_at(mp, addr) : NULL;
	return v && (v->flags & VMA_SHARED);
}

int mm_sync_range(struct mm_ref m, uint64_t start, uint64_t len)
{
	int first = 0;
	uint64_t end = start + len;
	struct mm *mp = mm_get(m);
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= start || v->start >= end || (v->flags & (VMA_SHARED | VMA_FILE)) != (VMA_SHARED | VMA_FILE))
			continue;
		int e = vfs_fsync_inode(v->file, false);
		if (e && !first)
			first = e;
	}
	return first;
}

bool mm_range_mapped(struct mm_ref m, uint64_t start, uint64_t len)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return false;
	uint64_t end = start + len, covered = start;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= covered || v->start > covered)
			continue;
		covered = v->end;
		if (covered >= end)
			return true;
	}
	return covered >= end;
}

int mm_discard(struct mm_ref m, uint64_t start, uint64_t len)
{
	if (!mm_range_mapped(m, start, len))
		return -ENOMEM;
	/* Dropping the pages is enough: the next touch demand-pages zeroes
	 * (private anonymous), the file (private file) or the shared page. */
	return fw_vm_unmap(mm_get(m)->vm, start, len);
}

/* Move the pages of [old, old+len) to [nw, nw+len) (the new area exists). */
static int move_pages(struct mm *mp, uint64_t old, uint64_t nw, uint64_t len, bool shared, uint32_t prot)
{
	for (uint64_t off = 0; off < len; off += 4096) {
		struct fw_vm_page pg;
		if (fw_vm_lookup(mp->vm, old + off, &pg) || !pg.present)
			continue;
		if (shared) {
			int e = fw_vm_map(mp->vm, nw + off, pg.frame, prot);
			if (e)
				return e;
			continue;
		}
		struct fw_frame_ref f;
		if (fw_frame_alloc(&f))
			return -ENOMEM;
		int e = fw_frame_copy(f, pg.frame);
		if (e == 0)
			e = fw_vm_map(mp->vm, nw + off, f, prot);
		fw_frame_put(f);
		if (e)
			return e;
	}
	return 0;
}

int64_t mm_remap(struct mm_ref m, uint64_t old, uint64_t olen, uint64_t nlen, bool maymove, uint64_t fixed)
{
	struct mm *mp = mm_get(m);
	struct vma *v = vma_at(mp, old);
	if (!v || olen == 0 || old + olen > v->end)
		return -EFAULT;
	if (fixed && ((fixed & 4095) || fixed < FW_USER_MIN || fixed + nlen > FW_USER_TOP ||
		      (fixed < old + olen && old < fixed + nlen)))
		return -EINVAL;
	struct vma a = *v;
	uint64_t rel = old - a.start;
	if (!fixed && nlen <= olen) {
		if (nlen < olen)
			return mm_unmap(m, old + nlen, olen - nlen) ? -ENOMEM : (int64_t)old;
		return (int64_t)old;
	}
	uint64_t foff = a.file_off + rel;
	uint64_t flen = a.file_len > rel ? a.file_len - rel : 0;
	if (!fixed && old + olen == a.end && old + nlen <= MMAP_BASE && mm_range_free(m, old + olen, nlen - olen)) {
		uint64_t ext = olen;
		int e = mm_map(m, old + olen, nlen - olen, a.prot, a.flags, a.file, foff + ext,
			       (a.flags & VMA_SHARED) ? nlen - olen : (flen > ext ? FW_MIN(flen - ext, nlen - olen) : 0));
		return e ? e : (int64_t)old;
	}
	if (!maymove)
		return -ENOMEM;
	uint64_t nw = fixed ? fixed : mm_find_free(m, nlen);
	if (!nw)
		return -ENOMEM;
	int e = mm_map(m, nw, nlen, a.prot, a.flags, a.file, foff, (a.flags & VMA_SHARED) ? nlen : FW_MIN(flen, nlen));
	if (e)
		return e;
	mp = mm_get(m);
	e = move_pages(mp, old, nw, FW_MIN(olen, nlen), (a.flags & VMA_SHARED) != 0, a.prot);
	if (e) {
		(void)mm_unmap(m, nw, nlen);
		return -ENOMEM;
	}
	(void)mm_unmap(m, old, olen);
	return (int64_t)nw;
}

void mm_file_truncated(struct mm_ref m, struct inode_ref file, uint64_t size)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return;
	uint64_t boundary = FW_ALIGN_UP(size, 4096);
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (!(v->flags & VMA_EOF_BUS) || v->file.idx != file.idx || v->file.gen != file.gen)
			continue;
		uint64_t len = v->end - v->start;
		if (v->file_off + len <= boundary)
			continue;
		uint64_t skip = boundary > v->file_off ? boundary - v->file_off : 0;
		(void)fw_vm_unmap(mp->vm, v->start + skip, len - skip);
	}
}

/* fallocate(FALLOC_FL_PUNCH_HOLE): unmap the file's own pages that lie
 * wholly in [off, off+len) so the next touch sees the hole; pages a
 * private area has already copied stay (Linux keeps COWed pages too). */
void mm_file_hole(struct mm_ref m, struct inode_ref file, uint64_t off, uint64_t len)
{
	struct mm *mp = mm_get(m);
	uint64_t lo = FW_ALIGN_UP(off, 4096), hi = (off + len) & ~4095ULL;
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; lo < hi && vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma v = *vma_get(c);
		if (!(v.flags & VMA_FILE) || v.file.idx != file.idx || v.file.gen != file.gen || (v.file_off & 4095))
			continue;
		uint64_t vlo = v.file_off, vhi = v.file_off + (v.end - v.start);
		for (uint64_t fo = FW_MAX(lo, vlo); fo < FW_MIN(hi, vhi); fo += 4096) {
			uint64_t a = v.start + (fo - v.file_off);
			struct fw_vm_page pg;
			struct fw_frame_ref f;
			if (fw_vm_lookup(mp->vm, a, &pg) || !pg.present)
				continue;
			if (inode_page(file, fo / 4096, false, &f) == 0 && fw_frame_ref_eq(pg.frame, f))
				(void)fw_vm_unmap(mp->vm, a, 4096);
		}
	}
}

bool mm_file_mapped_writable(struct mm_ref m, struct inode_ref file)
{
	struct mm *mp = mm_get(m);
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if ((v->flags & VMA_FILE) && (v->flags & VMA_SHARED) && (v->prot & FW_PROT_WRITE) &&
		    v->file.idx == file.idx && v->file.gen == file.gen)
			return true;
	}
	return false;
}
