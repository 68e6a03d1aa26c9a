/* Page faults: demand paging and copy-on-write. Layer: services (safe C). */
#include "mm/mm.h"

#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRERR 2

/* The area holding addr. The area of the previous fault is tried first:
 * faults come in runs over one area, and the list is walked through a
 * pool lookup per area. The hint needs no invalidation: an area is in
 * its mm's list from insertion until it is freed (which makes the handle
 * stale), and areas never overlap, so a live area holding addr is the
 * one. */
static struct vma *find_vma(struct mm *mp, uint64_t addr)
{
	struct vma *h = vma_get(mp->last_found);
	if (h && addr >= h->start && addr < h->end)
		return h;
	for (struct vma_ref c = mp->vmas;;) {
		struct vma *v = vma_get(c); /* one pool lookup per area */
		if (!v || addr < v->start)
			return NULL;
		if (addr < v->end) {
			mp->last_found = c;
			return v;
		}
		c = v->next;
	}
}

/* Linux's stack_guard_gap: a stack never grows closer than this to an
 * accessible area below it. */
#define STACK_GUARD_GAP (256ULL * 4096)

/* Grow a stack area (the main stack or a MAP_GROWSDOWN mapping) down to
 * cover addr: only the area right above the hole addr is in, within the
 * stack limit, and not into the guard gap above the area below. */
static struct vma *grow_stack(struct mm *mp, uint64_t addr)
{
	uint64_t below_end = 0;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= addr) {
			/* the area below: a stack or an inaccessible one sets no gap */
			below_end = (v->flags & VMA_GROWSDOWN) || !v->prot ? 0 : v->end;
			continue;
		}
		if (!(v->flags & VMA_GROWSDOWN) || addr >= v->start)
			return NULL;
		uint64_t page = addr & ~4095ULL;
		if (v->end - page > USER_STACK_MAX)
			return NULL;
		if (below_end && page - below_end < STACK_GUARD_GAP)
			return NULL;
		v->start = page;
		return v;
	}
	return NULL;
}

/* Pages a fault on a disk file reads after the faulting one, in the same
 * batch (the fault-around window then finds them cached). */
#define FAULT_READAHEAD 15u

/* Fill a fresh private page from the area's file (rest zero). A hole
 * reads as zero; a read error fails the fault (-EIO: SIGBUS, as Linux),
 * never mapping zeros in place of the file's bytes; a page that must come
 * from the disk gives -EAGAIN and its index in *need. */
static int fill_from_file(struct vma *v, uint64_t page, struct fw_frame_ref f, uint64_t *need)
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
		/* a hole of a memory file gets its (zero) page in the cache, as
		 * Linux's tmpfs fault does: other mappers see it resident */
		int e = inode_page_fault(v->file, pos / 4096, 0, true, true, &src);
		if (e == -EAGAIN)
			*need = pos / 4096;
		if (e == 0)
			e = fw_frame_move(f, (uint32_t)done, src, poff, chunk);
		if (e && e != -ENOENT)
			return e == -EAGAIN || e == -ENOMEM ? e : -EIO;
		done += chunk;
	}
	return 0;
}

/* The file's own frame for page of a private file area, when the page
 * lies wholly inside the file part of the area and the file has it (a
 * hole or a partial last page is filled by copying instead). Only a page
 * the page cache holds: none is read here. */
static bool file_frame(const struct vma *v, uint64_t page, struct fw_frame_ref *f)
{
	uint64_t rel = page - v->start;
	if (!(v->flags & VMA_FILE) || (v->flags & VMA_SHARED) || rel >= v->file_len || v->file_len - rel < 4096 ||
	    (v->file_off & 4095))
		return false;
	return inode_page_fault(v->file, (v->file_off + rel) / 4096, 0, true, false, f) == 0;
}

/* The cached frame of page in a read-only shared file area, for
 * fault-around: only a page the cache already holds (none is read, no
 * hole is made) and none past the end of the file, whose access must
 * still fault (SIGBUS). */
static bool shared_frame(const struct vma *v, uint64_t page, struct fw_frame_ref *f)
{
	struct inode *ip = inode_get(v->file);
	uint64_t off = v->file_off + (page - v->start);
	if (!ip || off >= FW_ALIGN_UP(ip->size, 4096))
		return false;
	return inode_page_fault(v->file, off / 4096, 0, true, false, f) == 0;
}

/* Fault-around: after a read fault on a file page, map the file's
 * cached pages in the surrounding aligned window too, so a program's
 * start-up (or a reader of a mapped file) takes one fault per window
 * instead of one per page. Private areas get them copy-on-write, as the
 * faulting one; shared areas only when not writable (a writable shared
 * page must be marked for write-back when mapped, and mapping one makes
 * it dirty for good), as the faulting one. Pages already mapped are left
 * alone; pages not cached are not read (as Linux's fault-around). */
#define FAULT_AROUND_PAGES 16ULL

static void map_around(struct mm *mp, struct vma *v, uint64_t page)
{
	bool shared = (v->flags & VMA_SHARED) != 0;
	if (shared && (v->prot & FW_PROT_WRITE))
		return;
	uint64_t lo = FW_MAX(v->start, page & ~(FAULT_AROUND_PAGES * 4096 - 1));
	uint64_t hi = FW_MIN(v->end, lo + FAULT_AROUND_PAGES * 4096);
	for (uint64_t a = lo; a < hi; a += 4096) {
		struct fw_vm_page pg;
		struct fw_frame_ref f;
		if (a == page || fw_vm_lookup(mp->vm, a, &pg) || pg.present)
			continue;
		if (shared ? !shared_frame(v, a, &f) : !file_frame(v, a, &f))
			continue;
		if (shared)
			inode_page_mapped_shared(v->file, (v->file_off + (a - v->start)) / 4096);
		if ((shared ? fw_vm_map(mp->vm, a, f, v->prot) : fw_vm_map_cow(mp->vm, a, f, v->prot)) != 0)
			return; /* out of page-table memory: the fault itself is done */
	}
}

/* Map a frame at page: 0, -ENOMEM, -EIO (the file could not be read) or
 * -EAGAIN with the index of the file page that must first come from the
 * disk in *need. Never sleeps: mp and v are borrowed. */
static int populate(struct mm *mp, struct vma *v, uint64_t page, bool write, uint64_t *need)
{
	if ((v->flags & VMA_FILE) && (v->flags & VMA_SHARED)) {
		struct fw_frame_ref f;
		uint64_t off = v->file_off + (page - v->start);
		int e = inode_page_fault(v->file, off / 4096, 0, true, true, &f);
		if (e == -EAGAIN)
			*need = off / 4096;
		if (e)
			return e == -EAGAIN || e == -ENOMEM ? e : -EIO;
		/* A page user space may write without faulting again is written
		 * back on every sync (there is no dirty bit to ask). */
		if (v->prot & FW_PROT_WRITE)
			inode_page_mapped_writable(v->file, off / 4096);
		else
			inode_page_mapped_shared(v->file, off / 4096);
		e = fw_vm_map(mp->vm, page, f, v->prot);
		if (e == 0)
			map_around(mp, v, page);
		return e;
	}
	struct fw_frame_ref f;
	if (!write && file_frame(v, page, &f)) {
		/* Share the file's page until someone writes to it. */
		int e = fw_vm_map_cow(mp->vm, page, f, v->prot);
		if (e == 0)
			map_around(mp, v, page);
		return e;
	}
	if (fw_frame_alloc(&f))
		return -ENOMEM;
	int e = (v->flags & VMA_FILE) ? fill_from_file(v, page, f, need) : 0;
	if (e == 0)
		e = fw_vm_map(mp->vm, page, f, v->prot);
	fw_frame_put(f);
	return e;
}

/* Read page `index` of a backed file into the page cache (with readahead)
 * for a fault; sleeps. */
static int fault_read(struct inode_ref file, uint64_t index, bool shared)
{
	struct fw_frame_ref f;
	int e = inode_page_fault(file, index, FAULT_READAHEAD, false, shared, &f);
	return e == -ENOENT ? 0 : e;
}

static int fault_once(struct mm_ref m, uint64_t addr, bool write, bool exec, int32_t *si_code, struct inode_ref *file,
		      uint64_t *need, bool *shared)
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
	if (!pg.present) {
		int e = populate(mp, v, page, write, need);
		if (e == -EAGAIN) {
			*file = v->file;
			*shared = (v->flags & VMA_SHARED) != 0;
			return e;
		}
		if (e == -EIO) {
			*si_code = BUS_ADRERR;
			return e;
		}
		return e ? -ENOMEM : 0; /* no frame left */
	}
	if (write && pg.cow)
		return fw_vm_cow_break(mp->vm, page, v->prot) ? -ENOMEM : 0;
	/* Present with the right rights: a stale TLB entry or a spurious
	 * fault; nothing to do. */
	return 0;
}

/* A file page the fault needs is read from the disk with nothing
 * borrowed across the sleep, then the fault is looked at afresh (the area
 * may have changed meanwhile). */
int mm_fault(struct mm_ref m, uint64_t addr, bool write, bool exec, int32_t *si_code)
{
	pc_reclaim(true);
	for (uint32_t tries = 0;; tries++) {
		struct inode_ref file = {0};
		uint64_t need = 0;
		bool shared = false;
		int e = fault_once(m, addr, write, exec, si_code, &file, &need, &shared);
		if (e != -EAGAIN)
			return e;
		e = tries < 8 ? fault_read(file, need, shared) : -EIO;
		if (e) {
			*si_code = BUS_ADRERR;
			return e == -ENOMEM ? e : -EIO;
		}
	}
}

int mm_fault_nowait(struct mm_ref m, uint64_t addr, bool write, int32_t *si_code)
{
	struct inode_ref file;
	uint64_t need;
	bool shared;
	return fault_once(m, addr, write, false, si_code, &file, &need, &shared);
}

int mm_pin_page(struct mm_ref m, uint64_t addr, bool write, struct fw_frame_ref *out)
{
	int32_t code;
	struct mm *mp = mm_get(m);
	struct fw_vm_page pg;
	if (!mp || addr >= FW_USER_TOP)
		return -EFAULT;
	/* Fast path: already present with the access needed. */
	if (fw_vm_lookup(mp->vm, addr & ~4095ULL, &pg) == 0 && pg.present && (pg.prot & FW_PROT_READ) &&
	    (!write || (!pg.cow && (pg.prot & FW_PROT_WRITE)))) {
		if (fw_frame_dup(pg.frame))
			return -EFAULT;
		*out = pg.frame;
		return 0;
	}
	if (mm_fault(m, addr, write, false, &code))
		return -EFAULT;
	mp = mm_get(m);
	if (!mp || fw_vm_lookup(mp->vm, addr & ~4095ULL, &pg) || !pg.present || (write && pg.cow) ||
	    (write && !(pg.prot & FW_PROT_WRITE)) || fw_frame_dup(pg.frame))
		return -EFAULT;
	*out = pg.frame;
	return 0;
}

/* process_vm_readv/writev: copy n bytes (within one page) between the page
 * at raddr of address space m and the caller's memory at laddr, faulting
 * the remote page in (breaking copy-on-write for a write) as the owner's
 * own access would. The remote frame is pinned across the copy (which may
 * sleep on the caller's own faults). -EFAULT if either side cannot be
 * reached. */
int mm_copy_remote(struct mm_ref m, uint64_t raddr, uint64_t laddr, uint32_t n, bool write)
{
	if (n == 0 || (raddr & 4095) + n > 4096)
		return -EINVAL;
	struct fw_frame_ref f;
	if (mm_pin_page(m, raddr, write, &f))
		return -EFAULT;
	uint32_t off = (uint32_t)(raddr & 4095);
	int e = write ? fw_frame_from_user(f, off, fw_uaddr(laddr), n) : fw_frame_to_user(f, off, fw_uaddr(laddr), n);
	fw_frame_put(f);
	return e ? -EFAULT : 0;
}
