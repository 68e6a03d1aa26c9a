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

/* PROT_WRITE or PROT_EXEC without PROT_READ: mapped readable, shown as
 * asked in /proc/<pid>/maps. */
static bool asked_noread(uint64_t p) { return (p & (PROT_WRITE | PROT_EXEC)) && !(p & PROT_READ); }

int64_t sys_brk(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	struct mm *m = mm_get(p->mm);
	uint64_t want = a0(r);
	if (want < m->brk_start || want > m->brk_start + (1ULL << 40))
		return (int64_t)m->brk;
	uint64_t old_end = FW_ALIGN_UP(m->brk, 4096), new_end = FW_ALIGN_UP(want, 4096);
	if (new_end > old_end) {
		if (!mm_range_free(p->mm, old_end, new_end - old_end))
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

#define MAP_SHARED_VALIDATE 0x03
#define MAP_LOCKED 0x2000
#define MAP_HUGETLB 0x40000
/* The flags MAP_SHARED_VALIDATE accepts, as Linux 6 on x86-64 does
 * (LEGACY_MAP_MASK, MAP_32BIT, the hugetlb size bits; no file here
 * supports MAP_SYNC): 0x200, 0x400 and 0x80000-0x2000000 are refused */
#define MAP_LEGACY_MASK 0xfc07f9ffULL
#define RLIMIT_MEMLOCK 8

static bool is_dev_zero(const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	return ip && (ip->mode & S_IFMT) == S_IFCHR && ip->rdev == dev_make(1, 5);
}

/* The file side of mmap, in Linux's order once the descriptor is known:
 * the map type and flags, access mode, seals. /dev/zero maps anonymous
 * memory (shared: a hidden inode). Sets *anon for /dev/zero. */
static int mmap_file_checks(struct file_ref f, uint64_t prot, uint64_t flags, uint32_t *vflags,
			    struct inode_ref *file, bool *anon)
{
	struct file *fp = file_get(f);
	uint32_t type = flags & 0xf;
	if (type == MAP_SHARED_VALIDATE && (flags & ~(uint64_t)MAP_LEGACY_MASK))
		return -EOPNOTSUPP;
	bool shared = type != MAP_PRIVATE;
	if (shared && (prot & PROT_WRITE) && (fp->flags & O_ACCMODE) != O_RDWR)
		return -EACCES;
	if ((fp->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	if (shared && (fp->flags & O_ACCMODE) != O_RDWR)
		*vflags |= VMA_NOWRITE;
	if (is_dev_zero(fp)) {
		*anon = true;
		return 0;
	}
	int e = file_mmap(f, file);
	if (e)
		return e;
	fp = file_get(f);
	struct inode *sp = inode_get(fp->inode);
	uint32_t seals = sp ? inode_seals(sp) : 0;
	if (shared && (prot & PROT_WRITE) && (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM; /* a sealed memfd */
	*vflags |= VMA_FILE | VMA_EOF_BUS;
	if (shared && (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		*vflags |= VMA_NOWRITE;
	return 0;
}

/* MAP_LOCKED: mlock's permission and RLIMIT_MEMLOCK (EPERM with a zero
 * limit, EAGAIN past it; root is exempt). */
static int mmap_lock_ok(struct proc *p, uint64_t len)
{
	if (p->euid == 0)
		return 0;
	uint64_t limit = rlimit_of(p, RLIMIT_MEMLOCK).cur;
	if (limit == 0)
		return -EPERM;
	return (mm_locked_in(p->mm, 0, UINT64_MAX) + len) / 4096 > limit / 4096 ? -EAGAIN : 0;
}

int64_t sys_mmap(struct fw_uregs *r)
{
	uint64_t addr = a0(r), len = a1(r), prot = a2(r), flags = a3(r), off = a5(r);
	int32_t fd = (int32_t)a4(r);
	struct proc *p = cur_proc();
	/* Linux's order: the offset, the descriptor, the length, the
	 * address, then the type and the file's own conditions. */
	if (off & 4095)
		return -EINVAL;
	struct file_ref f = {0};
	if (!(flags & MAP_ANONYMOUS)) {
		int e = fd_get_io(fd, &f);
		if (e)
			return e;
		if (flags & MAP_HUGETLB)
			return -EINVAL; /* no file here is on hugetlbfs */
	}
	if (len == 0)
		return -EINVAL;
	if (len > 0x7ffffffff000ULL)
		return -ENOMEM;
	len = FW_ALIGN_UP(len, 4096);
	if ((off >> 12) + (len >> 12) < (off >> 12))
		return -EOVERFLOW;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & 4095))
		return -EINVAL;
	uint32_t type = flags & 0xf; /* Linux's MAP_TYPE */
	bool anon = (flags & MAP_ANONYMOUS) != 0;
	if (type == 0 || type > MAP_SHARED_VALIDATE || (anon && type == MAP_SHARED_VALIDATE))
		return -EINVAL;
	struct inode_ref file = {0};
	uint32_t vflags = type != MAP_PRIVATE ? VMA_SHARED : 0;
	if (!anon) {
		int e = mmap_file_checks(f, prot, flags, &vflags, &file, &anon);
		if (e)
			return e;
	}
	if (flags & MAP_LOCKED) {
		int e = mmap_lock_ok(p, len);
		if (e)
			return e;
		vflags |= VMA_LOCKED;
	}
	if (asked_noread(prot))
		vflags |= VMA_NOREAD;
	if (flags & MAP_GROWSDOWN) {
		/* a stack that grows on faults below it: private anonymous
		 * memory only (Linux: EINVAL for files and shared memory) */
		if (!anon || (vflags & VMA_SHARED))
			return -EINVAL;
		vflags |= VMA_GROWSDOWN;
	}
	addr &= ~4095ULL; /* a hint need not be aligned */
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
	if (anon && (vflags & VMA_SHARED)) {
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
	if (e == 0 && (vflags & VMA_LOCKED))
		e = mm_populate(p->mm, addr, len); /* MAP_LOCKED faults the pages in now */
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
	return mm_protect(cur_proc()->mm, addr, len, prot_from(prot), asked_noread(prot));
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
	/* MS_INVALIDATE of locked pages: EBUSY (Linux checks it per area) */
	if ((flags & MS_INVALIDATE) && mm_areas_check(cur_proc()->mm, addr, len, 0, VMA_LOCKED) == -EINVAL)
		return -EBUSY;
	if (!mm_range_mapped(cur_proc()->mm, addr, len))
		return -ENOMEM;
	return (flags & MS_SYNC) ? mm_sync_range(cur_proc()->mm, addr, len) : 0;
}

#define MADV_DONTNEED 4
#define MADV_FREE 8
#define MADV_REMOVE 9
#define MADV_DONTFORK 10
#define MADV_DOFORK 11
#define MADV_MERGEABLE 12
#define MADV_UNMERGEABLE 13
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#define MADV_DONTNEED_LOCKED 24
#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

/* The advice values Linux knows (5-7 were never used; MERGEABLE and
 * UNMERGEABLE need KSM, which Keel does not have: EINVAL as on a kernel
 * built without it). */
static bool advice_known(uint64_t a)
{
	return (a <= 25 && (a < 5 || a > 7) && a != MADV_MERGEABLE && a != MADV_UNMERGEABLE) || a == 100 || a == 101;
}

/* MADV_REMOVE: punch the hole in the file behind each shared area of the
 * range, as fallocate(PUNCH_HOLE) would. */
static int64_t advise_remove(struct mm_ref m, uint64_t addr, uint64_t len)
{
	int e = mm_areas_check(m, addr, len, VMA_FILE, VMA_LOCKED);
	if (e)
		return e;
	if (mm_areas_check(m, addr, len, VMA_SHARED, VMA_NOWRITE))
		return -EACCES; /* a private area, or not writable through this mapping */
	uint64_t end = addr + len;
	struct mm_area a;
	for (uint64_t at = addr; at < end && mm_next_file_area(m, at, &a) == 0 && a.start < end; at = a.end) {
		uint64_t lo = FW_MAX(a.start, addr), hi = FW_MIN(a.end, end);
		uint64_t off = a.file_off + (lo - a.start);
		for (int32_t pid = 1; pid < PID_MAX; pid++) {
			struct proc *p = proc_get(proc_by_pid(pid));
			if (p && p->state == PROC_ALIVE)
				mm_file_hole(p->mm, a.file, off, hi - lo);
		}
		e = vfs_fallocate(a.file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, hi - lo);
		if (e)
			return e;
	}
	return 0;
}

int64_t madvise_in(struct mm_ref m, uint64_t addr, uint64_t len, uint64_t advice)
{
	if (!advice_known(advice) || (addr & 4095))
		return -EINVAL;
	uint64_t alen = FW_ALIGN_UP(len, 4096);
	if ((len && !alen) || addr + alen < addr)
		return -EINVAL;
	len = alen;
	if (len == 0)
		return 0;
	/* Each advice's own conditions on the areas, as Linux's madvise:
	 * dropping pages of a locked area, MADV_FREE of anything but private
	 * anonymous memory, fork wiping of a file or shared area: EINVAL. */
	switch (advice) {
	case MADV_DONTNEED: {
		int e = mm_areas_check(m, addr, len, 0, VMA_LOCKED);
		return e ? e : mm_discard(m, addr, len);
	}
	case MADV_DONTNEED_LOCKED:
		return mm_discard(m, addr, len);
	case MADV_FREE: {
		int e = mm_areas_check(m, addr, len, 0, VMA_LOCKED | VMA_FILE | VMA_SHARED);
		return e ? e : mm_discard(m, addr, len);
	}
	case MADV_REMOVE:
		return advise_remove(m, addr, len);
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK: {
		int e = mm_areas_check(m, addr, len, 0, VMA_FILE | VMA_SHARED | VMA_VDSO);
		if (e)
			return e;
		return advice == MADV_WIPEONFORK ? mm_set_flags(m, addr, len, VMA_WIPEONFORK, 0)
						 : mm_set_flags(m, addr, len, 0, VMA_WIPEONFORK);
	}
	case MADV_DONTFORK:
	case MADV_DOFORK: {
		int e = mm_areas_check(m, addr, len, 0, 0);
		if (e)
			return e;
		return advice == MADV_DONTFORK ? mm_set_flags(m, addr, len, VMA_DONTFORK, 0)
					       : mm_set_flags(m, addr, len, 0, VMA_DONTFORK);
	}
	default:
		return mm_range_mapped(m, addr, len) ? 0 : -ENOMEM;
	}
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
