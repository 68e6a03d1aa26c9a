/* Memory system calls: brk, mmap, munmap, mprotect. Layer: services
 * (safe C). */
#include "syscall/fs.h"

static uint32_t prot_from(uint64_t p)
{
	uint32_t r = 0;
	if (p & PROT_READ)
		r |= FW_PROT_READ;
	if (p & PROT_WRITE)
		r |= FW_PROT_WRITE | FW_PROT_READ;
	if (p & PROT_EXEC)
		r |= FW_PROT_EXEC | FW_PROT_READ;
	return r;
}

static bool vma_is_data(const struct vma *v)
{
	return (v->prot & FW_PROT_WRITE) && !(v->flags & (VMA_SHARED | VMA_GROWSDOWN));
}

/* RLIMIT_AS and RLIMIT_DATA (Linux's may_expand_vm): may [addr, addr+len)
 * be mapped (data: a private writable mapping)? What is mapped there now
 * is replaced, so it counts once. Compared in pages, as Linux. */
static bool may_expand(struct proc *p, uint64_t addr, uint64_t len, bool data)
{
	uint64_t as = rlimit_of(p, 9).cur, dl = rlimit_of(p, 2).cur; /* RLIMIT_AS, RLIMIT_DATA */
	if (as == UINT64_MAX && (!data || dl == UINT64_MAX))
		return true;
	uint64_t total = 0, dtotal = 0, end = addr + len;
	struct mm *m = mm_get(p->mm);
	for (struct vma_ref c = m ? m->vmas : (struct vma_ref){0}; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		uint64_t lo = FW_MAX(v->start, addr), hi = FW_MIN(v->end, end);
		uint64_t n = (v->end - v->start) - (hi > lo ? hi - lo : 0);
		total += n;
		if (vma_is_data(v))
			dtotal += n;
	}
	if ((total + len) / 4096 > as / 4096)
		return false;
	return !data || (dtotal + len) / 4096 <= dl / 4096;
}

int64_t sys_brk(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	struct mm *m = mm_get(p->mm);
	uint64_t want = a0(r);
	if (want < m->brk_start || want > m->brk_start + (1ULL << 40))
		return (int64_t)m->brk;
	uint64_t old_end = FW_ALIGN_UP(m->brk, 4096), new_end = FW_ALIGN_UP(want, 4096);
	if (new_end > old_end) {
		if (!mm_range_free(p->mm, old_end, new_end - old_end) || !may_expand(p, old_end, new_end - old_end, true))
			return (int64_t)m->brk;
		if (mm_map(p->mm, old_end, new_end - old_end, FW_PROT_READ | FW_PROT_WRITE, 0, (struct inode_ref){0}, 0,
			   0))
			return (int64_t)m->brk;
	} else if (new_end < old_end) {
		(void)mm_unmap(p->mm, new_end, old_end - new_end);
	}
	m = mm_get(p->mm);
	m->brk = want;
	return (int64_t)want;
}

int64_t sys_mmap(struct fw_uregs *r)
{
	uint64_t addr = a0(r), len = a1(r), prot = a2(r), flags = a3(r), off = a5(r);
	int32_t fd = (int32_t)a4(r);
	struct proc *p = cur_proc();
	if (len == 0 || (addr & 4095) || (off & 4095))
		return -EINVAL;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	uint32_t type = flags & 3;
	if (type != MAP_SHARED && type != MAP_PRIVATE)
		return -EINVAL;
	if (len > 0x7ffffffff000ULL)
		return -ENOMEM;
	len = FW_ALIGN_UP(len, 4096);
	struct inode_ref file = {0};
	uint32_t vflags = type == MAP_SHARED ? VMA_SHARED : 0;
	if (!(flags & MAP_ANONYMOUS)) {
		struct file_ref f;
		int e = fd_get_io(fd, &f);
		if (e)
			return e;
		e = file_mmap(f, &file);
		if (e)
			return e;
		struct file *fp = file_get(f);
		if (type == MAP_SHARED && (prot & PROT_WRITE) && (fp->flags & O_ACCMODE) != O_RDWR)
			return -EACCES;
		struct inode *sp = inode_get(fp->inode);
		if (sp && type == MAP_SHARED && (prot & PROT_WRITE) &&
		    (inode_seals(sp) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
			return -EPERM; /* a sealed memfd */
		if ((fp->flags & O_ACCMODE) == O_WRONLY)
			return -EACCES;
		vflags |= VMA_FILE | VMA_EOF_BUS;
		if (type == MAP_SHARED && ((fp->flags & O_ACCMODE) != O_RDWR ||
					   (sp && (inode_seals(sp) & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))))
			vflags |= VMA_NOWRITE;
	}
	bool fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
	if (fixed) {
		if (addr < FW_USER_MIN || addr + len > FW_USER_TOP || addr + len < addr)
			return -EINVAL;
		if ((flags & MAP_FIXED_NOREPLACE) && !mm_range_free(p->mm, addr, len))
			return -EEXIST;
	} else {
		if (addr && addr >= FW_USER_MIN && addr + len <= MMAP_BASE && mm_range_free(p->mm, addr, len))
			; /* honour the hint */
		else
			addr = mm_find_free(p->mm, len);
		if (!addr)
			return -ENOMEM;
	}
	if (!may_expand(p, addr, len, type == MAP_PRIVATE && (prot & PROT_WRITE) && !(flags & MAP_GROWSDOWN)))
		return -ENOMEM;
	if ((flags & MAP_ANONYMOUS) && type == MAP_SHARED) {
		/* Shared anonymous memory: pages of a hidden inode, so they stay
		 * shared with children even if first touched after fork. */
		if (inode_new(S_IFREG | 0600, &file))
			return -ENOMEM;
		vflags |= VMA_FILE | VMA_ANON_SHARED;
		off = 0;
	}
	uint64_t flen = 0;
	if (vflags & VMA_ANON_SHARED) {
		flen = len;
	} else if (vflags & VMA_FILE) {
		uint64_t size = inode_get(file)->size;
		flen = off < size ? FW_MIN(len, size - off) : 0;
		if (vflags & VMA_SHARED)
			flen = len;
	}
	int e = mm_map(p->mm, addr, len, prot_from(prot), vflags, file, off, flen);
	if (vflags & VMA_ANON_SHARED)
		inode_put_if_unused(file); /* freed now unless the area holds it */
	return e ? e : (int64_t)addr;
}

int64_t sys_munmap(struct fw_uregs *r)
{
	uint64_t addr = a0(r), len = a1(r);
	if ((addr & 4095) || len == 0 || addr >= FW_USER_TOP || len > FW_USER_TOP - addr)
		return -EINVAL;
	return mm_unmap(cur_proc()->mm, addr, FW_ALIGN_UP(len, 4096));
}

int64_t mprotect_pkey(uint64_t addr, uint64_t len, uint64_t prot, int32_t pkey)
{
	/* Linux's order: grows flags, alignment, length, range, prot bits, key */
	uint64_t grows = prot & (0x01000000 | 0x02000000); /* PROT_GROWSDOWN, PROT_GROWSUP */
	prot &= ~grows;
	if (grows == (0x01000000 | 0x02000000) || (addr & 4095))
		return -EINVAL;
	if (len == 0)
		return 0;
	len = FW_ALIGN_UP(len, 4096);
	if (addr + len < addr || addr + len > FW_USER_TOP)
		return -ENOMEM;
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC | 0x8 /* PROT_SEM */))
		return -EINVAL;
	if (pkey != -1)
		return -EINVAL; /* no protection keys: none is ever allocated */
	return mm_protect(cur_proc()->mm, addr, len, prot_from(prot));
}

int64_t sys_mprotect(struct fw_uregs *r) { return mprotect_pkey(a0(r), a1(r), a2(r), -1); }

#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

/* msync: shared file pages are the page cache itself; MS_SYNC writes the
 * files of the shared areas in the range back (MS_ASYNC leaves it to the
 * next sync, as Linux does). */
int64_t sys_msync(struct fw_uregs *r)
{
	uint64_t addr = a0(r), len = a1(r), flags = a2(r);
	if ((addr & 4095) || (flags & ~(uint64_t)(MS_ASYNC | MS_INVALIDATE | MS_SYNC)))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = FW_ALIGN_UP(len, 4096);
	if (addr + len < addr)
		return -ENOMEM;
	if (len == 0)
		return 0;
	if (!mm_range_mapped(cur_proc()->mm, addr, len))
		return -ENOMEM;
	return (flags & MS_SYNC) ? mm_sync_range(cur_proc()->mm, addr, len) : 0;
}

#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

int64_t madvise_in(struct mm_ref m, uint64_t addr, uint64_t len, uint64_t advice)
{
	if (addr & 4095)
		return -EINVAL;
	len = FW_ALIGN_UP(len, 4096);
	if (addr + len < addr)
		return -EINVAL;
	if (advice > 25 && advice != 100 && advice != 101)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (advice == MADV_DONTNEED || advice == MADV_FREE)
		return mm_discard(m, addr, len);
	return mm_range_mapped(m, addr, len) ? 0 : -ENOMEM;
}

int64_t sys_madvise(struct fw_uregs *r) { return madvise_in(cur_proc()->mm, a0(r), a1(r), a2(r)); }

int64_t sys_mremap(struct fw_uregs *r)
{
	uint64_t old = a0(r), olen = a1(r), nlen = a2(r), flags = a3(r), naddr = a4(r);
	if ((old & 4095) || (flags & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED | 4)))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	olen = FW_ALIGN_UP(olen, 4096);
	nlen = FW_ALIGN_UP(nlen, 4096);
	if (nlen == 0 || nlen > 0x7ffffffff000ULL || olen > 0x7ffffffff000ULL)
		return -EINVAL;
	return mm_remap(cur_proc()->mm, old, olen, nlen, (flags & MREMAP_MAYMOVE) != 0,
			(flags & MREMAP_FIXED) ? naddr : 0);
}
