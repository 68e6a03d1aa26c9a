/* Virtual memory areas of a process. Layer: services (safe C).
 * The list is sorted by start address and areas never overlap; mapping over
 * an existing range first unmaps it (splitting areas at the edges). */
#include "mm/mm.h"

FW_POOL_DEFINE(vma, struct vma);
FW_POOL_DEFINE(mm, struct mm);

/* /proc/sys/vm/max_map_count: Linux's default; 0 means the default was
 * never changed (a global starts zeroed). */
#define MAX_MAP_COUNT_DEFAULT 65530
struct mm_knobs {
	int64_t max_map_count;
	bool set;
};
FW_GLOBAL(struct mm_knobs, mm_knobs);

int64_t mm_max_map_count(void) { return mm_knobs()->set ? mm_knobs()->max_map_count : MAX_MAP_COUNT_DEFAULT; }

int mm_set_max_map_count(int64_t v)
{
	if (v < 0 || v > 0x7fffffffLL)
		return -EINVAL;
	mm_knobs()->max_map_count = v;
	mm_knobs()->set = true;
	return 0;
}

/* The areas of mm (Linux's map_count: Keel never merges areas, so a
 * region Linux would merge counts more than once here). */
static int64_t areas_of(const struct mm *mp) { return mp->nvmas; }

int mm_new(struct mm_ref *out)
{
	if (mm_alloc(out))
		return -ENOMEM;
	struct mm *m = mm_get(*out);
	int r = fw_vm_create(&m->vm);
	if (r) {
		mm_free(*out);
		return -ENOMEM;
	}
	m->refs = 1;
	m->mmap_hint = MMAP_BASE;
	return 0;
}

void mm_hold(struct mm_ref m)
{
	struct mm *mp = mm_get(m);
	if (mp)
		mp->refs++;
}

/* Each file-backed area counts as one opener of its inode, so an unlinked
 * file (or the hidden inode of shared anonymous memory) keeps its pages
 * until the last area using it goes. */
static void vma_hold_file(const struct vma *v)
{
	struct inode *ip = (v->flags & VMA_FILE) ? inode_get(v->file) : NULL;
	if (ip)
		ip->open_count++;
}

static void vma_release(struct vma_ref r)
{
	struct vma *v = vma_get(r);
	if (!v)
		return;
	struct inode_ref file = v->file;
	bool has_file = (v->flags & VMA_FILE) != 0;
	vma_free(r);
	struct inode *ip = has_file ? inode_get(file) : NULL;
	if (ip && ip->open_count > 0) {
		ip->open_count--;
		inode_put_if_unused(file);
	}
}

static void free_vmas(struct vma_ref v)
{
	while (vma_ref_valid(v)) {
		struct vma_ref next = vma_get(v)->next;
		vma_release(v);
		v = next;
	}
}

void mm_put(struct mm_ref m)
{
	struct mm *mp = mm_get(m);
	if (!mp || --mp->refs > 0)
		return;
	if (mp->exe_denied)
		inode_allow_write(mp->exe);
	mp = mm_get(m);
	free_vmas(mp->vmas);
	fw_vm_destroy(mp->vm);
	mm_free(m);
}

/* Insert a fully built area in address order. */
static void insert_vma(struct mm *mp, struct vma_ref nv)
{
	struct vma *n = vma_get(nv);
	struct vma_ref prev = {0};
	struct vma_ref cur = mp->vmas;
	while (vma_ref_valid(cur) && vma_get(cur)->start < n->start) {
		prev = cur;
		cur = vma_get(cur)->next;
	}
	n->next = cur;
	if (vma_ref_valid(prev))
		vma_get(prev)->next = nv;
	else
		mp->vmas = nv;
	mp->nvmas++;
}

/* Split area v at addr (inside it): v keeps [start, addr). */
static int split_vma(struct mm_ref m, struct vma_ref v, uint64_t addr)
{
	struct vma_ref nv;
	if (vma_alloc(&nv))
		return -ENOMEM;
	mm_get(m)->nvmas++;
	struct vma *a = vma_get(v), *b = vma_get(nv);
	*b = *a;
	uint64_t delta = addr - a->start;
	b->start = addr;
	b->file_off = a->file_off + delta;
	b->file_len = a->file_len > delta ? a->file_len - delta : 0;
	a->end = addr;
	if (a->file_len > delta)
		a->file_len = delta;
	a->next = nv;
	vma_hold_file(b);
	return 0;
}

int mm_unmap(struct mm_ref m, uint64_t start, uint64_t len)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	uint64_t end = start + len;
	struct vma_ref prev = {0};
	struct vma_ref cur = mp->vmas;
	while (vma_ref_valid(cur)) {
		struct vma *v = vma_get(cur);
		if (v->end <= start) {
			prev = cur;
			cur = v->next;
			continue;
		}
		if (v->start >= end)
			break;
		if (v->start < start) {
			/* a hole in the middle adds an area: not at the limit (Linux) */
			if (v->end > end && areas_of(mm_get(m)) >= mm_max_map_count())
				return -ENOMEM;
			if (split_vma(m, cur, start))
				return -ENOMEM;
			prev = cur;
			cur = vma_get(cur)->next;
			continue;
		}
		if (v->end > end && split_vma(m, cur, end))
			return -ENOMEM;
		v = vma_get(cur);
		struct vma_ref next = v->next;
		if (vma_ref_valid(prev))
			vma_get(prev)->next = next;
		else
			mp->vmas = next;
		vma_release(cur);
		mp = mm_get(m);
		mp->nvmas--;
		cur = next;
	}
	return fw_vm_unmap(mp->vm, start, len);
}

int mm_map(struct mm_ref m, uint64_t start, uint64_t len, uint32_t prot, uint32_t flags, struct inode_ref file,
	   uint64_t file_off, uint64_t file_len)
{
	struct mm *mp = mm_get(m);
	if (mp && areas_of(mp) > mm_max_map_count())
		return -ENOMEM; /* Linux's check before a new mapping */
	int r = mm_unmap(m, start, len);
	if (r)
		return r;
	struct vma_ref nv;
	if (vma_alloc(&nv))
		return -ENOMEM;
	struct vma *v = vma_get(nv);
	v->start = start;
	v->end = start + len;
	v->prot = prot;
	v->flags = flags;
	v->file = file;
	v->file_off = file_off;
	v->file_len = file_len;
	v->flags |= mm_get(m)->lock_future;
	vma_hold_file(v);
	insert_vma(mm_get(m), nv);
	return 0;
}

/* Make area c, which overlaps [start, end), lie inside it: 1 when c was
 * split at start (the part inside is the next area), 0 when c now lies
 * inside, -ENOMEM. */
static int isolate(struct mm_ref m, struct vma_ref c, uint64_t start, uint64_t end)
{
	struct vma *v = vma_get(c);
	if (v->start < start)
		return split_vma(m, c, start) ? -ENOMEM : 1;
	if (v->end > end && split_vma(m, c, end))
		return -ENOMEM;
	return 0;
}

int mm_protect(struct mm_ref m, uint64_t start, uint64_t len, uint32_t prot, bool noread)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	uint64_t end = start + len;
	/* Every page must be mapped (Linux: -ENOMEM otherwise). */
	uint64_t covered = start;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= covered || v->start > covered)
			continue;
		covered = v->end;
		if ((v->flags & VMA_NOWRITE) && (prot & FW_PROT_WRITE))
			return -EACCES; /* the file was not opened for writing, or is write-sealed */
		if (covered >= end)
			break;
	}
	if (covered < end)
		return -ENOMEM;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= start || v->start >= end)
			continue;
		int k = isolate(m, c, start, end);
		if (k < 0)
			return k;
		if (k)
			continue; /* the part from start is the next area */
		v = vma_get(c);
		bool gains_write = (prot & FW_PROT_WRITE) && !(v->prot & FW_PROT_WRITE);
		v->prot = prot;
		v->flags = noread ? v->flags | VMA_NOREAD : v->flags & ~(uint32_t)VMA_NOREAD;
		/* A shared file page mapped read-only was never marked for
		 * write-back (populate marks only pages mapped writable): made
		 * writable in place, the writes through it would never reach
		 * the disk. Unmap them instead; the next access faults them in
		 * writable and marked. */
		if (gains_write && (v->flags & VMA_FILE) && (v->flags & VMA_SHARED))
			(void)fw_vm_unmap(mp->vm, v->start, v->end - v->start);
	}
	return fw_vm_protect(mp->vm, start, len, prot);
}

bool mm_range_free(struct mm_ref m, uint64_t start, uint64_t len)
{
	struct mm *mp = mm_get(m);
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->start < start + len && v->end > start)
			return false;
	}
	return true;
}

uint64_t mm_find_free(struct mm_ref m, uint64_t len)
{
	struct mm *mp = mm_get(m);
	uint64_t top = mp->mmap_hint;
	/* Walk down from the hint until a gap fits (areas are few). */
	for (int tries = 0; tries < 4096 && top >= len + FW_USER_MIN; tries++) {
		uint64_t start = top - len;
		bool clash = false;
		for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
			struct vma *v = vma_get(c);
			if (v->start < start + len && v->end > start) {
				top = v->start;
				clash = true;
				break;
			}
		}
		if (!clash)
			return start;
	}
	return 0;
}

int mm_fork(struct mm_ref src, struct mm_ref *out)
{
	int r = mm_new(out);
	if (r)
		return r;
	struct mm *s = mm_get(src), *d = mm_get(*out);
	d->brk_start = s->brk_start;
	d->brk = s->brk;
	d->mmap_hint = s->mmap_hint;
	d->exe_ino = s->exe_ino;
	d->exe = s->exe;
	d->stack_limit = s->stack_limit;
	d->exe_denied = s->exe_denied && inode_deny_write(s->exe) == 0; /* the child runs it too */
	s = mm_get(src);
	d = mm_get(*out);
	d->arg_start = s->arg_start;
	d->arg_end = s->arg_end;
	d->env_end = s->env_end;
	d->vdso_base = s->vdso_base;
	d->membarrier = s->membarrier; /* registrations follow fork (not exec) */
	d->pkey_spent = s->pkey_spent;
	struct vma_ref tail = {0};
	for (struct vma_ref c = s->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		if (vma_get(c)->flags & VMA_DONTFORK)
			continue; /* MADV_DONTFORK: not in the child at all */
		struct vma_ref nv;
		if (vma_alloc(&nv)) {
			mm_put(*out);
			return -ENOMEM;
		}
		struct vma *v = vma_get(c), *n = vma_get(nv);
		*n = *v;
		n->next = (struct vma_ref){0};
		n->flags &= ~(uint32_t)(VMA_LOCKED | VMA_LOCKONFAULT); /* fork does not inherit locks */
		vma_hold_file(n);
		if (vma_ref_valid(tail))
			vma_get(tail)->next = nv;
		else
			mm_get(*out)->vmas = nv;
		mm_get(*out)->nvmas++;
		tail = nv;
		if (v->flags & VMA_WIPEONFORK)
			continue; /* private anonymous: the child demand-pages zeroes */
		r = fw_vm_fork(mm_get(*out)->vm, s->vm, v->start, v->end - v->start, (v->flags & VMA_SHARED) != 0);
		if (r) {
			mm_put(*out);
			return -ENOMEM;
		}
	}
	return 0;
}

int mm_next_file_area(struct mm_ref m, uint64_t from, struct mm_area *out)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -ENOENT;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= from || !(v->flags & VMA_FILE))
			continue;
		*out = (struct mm_area){v->start, v->end, v->file, v->file_off};
		return 0;
	}
	return -ENOENT;
}

/* --- mlock ----------------------------------------------------------------
 * A locked area keeps its pages resident: Keel never swaps, so locking
 * changes residency only by populating the pages up front (unless
 * MLOCK_ONFAULT), and is counted for RLIMIT_MEMLOCK and VmLck. */
int mm_lock(struct mm_ref m, uint64_t start, uint64_t len, uint32_t lock)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	uint64_t end = start + len;
	if (!mm_range_mapped(m, start, len))
		return -ENOMEM;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= start || v->start >= end)
			continue;
		int k = isolate(m, c, start, end);
		if (k < 0)
			return k;
		if (k)
			continue; /* the part from start is the next area */
		v = vma_get(c);
		v->flags = (v->flags & ~(uint32_t)(VMA_LOCKED | VMA_LOCKONFAULT)) | lock;
	}
	return 0;
}

int mm_areas_check(struct mm_ref m, uint64_t start, uint64_t len, uint32_t need, uint32_t forbid)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	uint64_t end = start + len;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= start || v->start >= end)
			continue;
		if ((v->flags & forbid) || (v->flags & need) != need)
			return -EINVAL;
	}
	return mm_range_mapped(m, start, len) ? 0 : -ENOMEM;
}

int mm_set_flags(struct mm_ref m, uint64_t start, uint64_t len, uint32_t set, uint32_t clear)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	uint64_t end = start + len;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= start || v->start >= end)
			continue;
		int k = isolate(m, c, start, end);
		if (k < 0)
			return k;
		if (k)
			continue; /* the part from start is the next area */
		v = vma_get(c);
		v->flags = (v->flags & ~clear) | set;
	}
	return 0;
}

int mm_set_policy(struct mm_ref m, uint64_t start, uint64_t len, uint32_t pol)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	uint64_t end = start + len;
	if (!mm_range_mapped(m, start, len))
		return -EFAULT;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->end <= start || v->start >= end)
			continue;
		int k = isolate(m, c, start, end);
		if (k < 0)
			return k;
		if (k)
			continue; /* the part from start is the next area */
		vma_get(c)->mpol = pol;
	}
	return 0;
}

int mm_policy_at(struct mm_ref m, uint64_t addr, uint32_t *pol)
{
	struct mm *mp = mm_get(m);
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (v->start <= addr && addr < v->end) {
			*pol = v->mpol;
			return 0;
		}
	}
	return -EFAULT;
}

int mm_lock_all(struct mm_ref m, uint32_t lock, bool current, bool future)
{
	struct mm *mp = mm_get(m);
	if (!mp)
		return -EINVAL;
	mp->lock_future = future ? lock : 0;
	if (!current && lock)
		return 0;
	for (struct vma_ref c = mp->vmas; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		v->flags = (v->flags & ~(uint32_t)(VMA_LOCKED | VMA_LOCKONFAULT)) | lock;
	}
	return 0;
}

uint64_t mm_locked_in(struct mm_ref m, uint64_t start, uint64_t len)
{
	struct mm *mp = mm_get(m);
	uint64_t n = 0, end = start + len;
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; vma_ref_valid(c); c = vma_get(c)->next) {
		struct vma *v = vma_get(c);
		if (!(v->flags & VMA_LOCKED) || v->end <= start || v->start >= end)
			continue;
		n += FW_MIN(v->end, end) - FW_MAX(v->start, start);
	}
	return n;
}

uint64_t mm_total_bytes(struct mm_ref m)
{
	struct mm *mp = mm_get(m);
	uint64_t n = 0;
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; vma_ref_valid(c); c = vma_get(c)->next)
		n += vma_get(c)->end - vma_get(c)->start;
	return n;
}

/* Fault in every page of the locked, accessible areas in the range (a
 * write fault for private writable ones, so copy-on-write is resolved
 * now, as Linux's populate does). */
int mm_populate(struct mm_ref m, uint64_t start, uint64_t len)
{
	uint64_t end = start + len;
	struct mm *mp = mm_get(m);
	for (struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0}; vma_ref_valid(c);) {
		struct vma v = *vma_get(c);
		if (v.end > start && v.start < end && (v.flags & VMA_LOCKED) && !(v.flags & VMA_LOCKONFAULT) && v.prot) {
			bool write = (v.prot & FW_PROT_WRITE) && !(v.flags & VMA_SHARED);
			for (uint64_t a = FW_MAX(v.start, start); a < FW_MIN(v.end, end); a += 4096) {
				int32_t code;
				int e = mm_fault(m, a, write, false, &code);
				if (e == -ENOMEM)
					return -ENOMEM;
			}
		}
		mp = mm_get(m);
		/* the list may have changed (stack growth): find our place again */
		struct vma_ref next = {0};
		for (struct vma_ref d = mp->vmas; vma_ref_valid(d); d = vma_get(d)->next)
			if (vma_get(d)->start >= v.end) {
				next = d;
				break;
			}
		c = next;
	}
	return 0;
}

/* mincore: a page is resident if this address space maps it, or, for a
 * file area, if the file holds the page (Linux looks at the page cache). */
uint64_t mm_pagemap_entry(struct mm_ref m, uint64_t addr, bool with_pfn)
{
	struct mm *mp = mm_get(m);
	struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0};
	for (; vma_ref_valid(c); c = vma_get(c)->next)
		if (vma_get(c)->start <= addr && addr < vma_get(c)->end)
			break;
	struct vma *v = vma_get(c);
	struct fw_vm_page pg;
	if (!v || fw_vm_lookup(mp->vm, addr & ~4095ULL, &pg) || !pg.present)
		return 0;
	uint64_t e = 1ULL << 63;
	bool shared = (v->flags & VMA_SHARED) != 0;
	struct fw_frame_ref f;
	/* a private file page still shared with the file's own copy */
	bool file_page = (v->flags & VMA_FILE) && !shared && pg.cow &&
			 inode_page(v->file, (v->file_off + (addr & ~4095ULL) - v->start) / 4096, false, &f) == 0 &&
			 fw_frame_ref_eq(f, pg.frame);
	if (shared || file_page)
		e |= 1ULL << 61;
	else if (!pg.cow)
		e |= 1ULL << 56;
	if (with_pfn)
		e |= pg.frame.pfn & ((1ULL << 55) - 1);
	return e;
}

int mm_page_resident(struct mm_ref m, uint64_t addr, bool *res)
{
	struct mm *mp = mm_get(m);
	struct vma_ref c = mp ? mp->vmas : (struct vma_ref){0};
	for (; vma_ref_valid(c); c = vma_get(c)->next)
		if (vma_get(c)->start <= addr && addr < vma_get(c)->end)
			break;
	struct vma *v = vma_get(c);
	if (!v)
		return -ENOMEM;
	struct fw_vm_page pg;
	*res = fw_vm_lookup(mp->vm, addr & ~4095ULL, &pg) == 0 && pg.present;
	if (!*res && (v->flags & VMA_FILE)) {
		struct fw_frame_ref f;
		*res = inode_page(v->file, (v->file_off + (addr & ~4095ULL) - v->start) / 4096, false, &f) == 0;
	}
	return 0;
}
