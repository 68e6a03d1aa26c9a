/* mlock, munlock, mlock2, mlockall, munlockall, mincore. Layer: services
 * (safe C).
 * Checks flags, RLIMIT_MEMLOCK and privilege in Linux's order; the areas'
 * lock flags and populating live in mm/. Keel never swaps: a lock means
 * "resident now and counted", which is all Linux promises besides. */
#include "syscall/syscall.h"

#define RLIMIT_MEMLOCK 8
#define MLOCK_ONFAULT 1
#define MCL_CURRENT 1
#define MCL_FUTURE 2
#define MCL_ONFAULT 4

/* Root stands for CAP_IPC_LOCK. */
static bool privileged(void) { return cred_capable(CAP_IPC_LOCK); }

static uint64_t lock_limit(void) { return rlimit_of(cur_proc(), RLIMIT_MEMLOCK).cur; }

/* can_do_mlock: a non-zero limit or the capability. */
static int may_lock(void) { return lock_limit() != 0 || privileged() ? 0 : -EPERM; }

static int64_t do_mlock(uint64_t start, uint64_t len, uint32_t lock)
{
	int e = may_lock();
	if (e)
		return e;
	len = FW_ALIGN_UP(len + (start & 4095), 4096);
	start &= ~4095ULL;
	if (start + len < start)
		return -ENOMEM;
	if (len == 0)
		return 0;
	struct mm_ref m = cur_proc()->mm;
	uint64_t locked = mm_locked_in(m, 0, UINT64_MAX) + len - mm_locked_in(m, start, len);
	if (locked / 4096 > lock_limit() / 4096 && !privileged())
		return -ENOMEM;
	e = mm_lock(m, start, len, lock);
	if (e == 0 && !(lock & VMA_LOCKONFAULT))
		e = mm_populate(m, start, len);
	return e;
}

int64_t sys_mlock(struct fw_uregs *r) { return do_mlock(a0(r), a1(r), VMA_LOCKED); }

int64_t sys_mlock2(struct fw_uregs *r)
{
	if (a2(r) & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(a0(r), a1(r), VMA_LOCKED | ((a2(r) & MLOCK_ONFAULT) ? VMA_LOCKONFAULT : 0));
}

int64_t sys_munlock(struct fw_uregs *r)
{
	uint64_t start = a0(r), len = FW_ALIGN_UP(a1(r) + (a0(r) & 4095), 4096);
	start &= ~4095ULL;
	if (start + len < start)
		return -ENOMEM;
	return len ? mm_lock(cur_proc()->mm, start, len, 0) : 0;
}

int64_t sys_mlockall(struct fw_uregs *r)
{
	uint64_t flags = a0(r);
	if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	int e = may_lock();
	if (e)
		return e;
	struct mm_ref m = cur_proc()->mm;
	if ((flags & MCL_CURRENT) && mm_total_bytes(m) / 4096 > lock_limit() / 4096 && !privileged())
		return -ENOMEM;
	uint32_t lock = VMA_LOCKED | ((flags & MCL_ONFAULT) ? VMA_LOCKONFAULT : 0);
	e = mm_lock_all(m, lock, (flags & MCL_CURRENT) != 0, (flags & MCL_FUTURE) != 0);
	if (e == 0 && (flags & MCL_CURRENT) && !(flags & MCL_ONFAULT))
		e = mm_populate(m, 0, 0x800000000000ULL);
	return e;
}

int64_t sys_munlockall(struct fw_uregs *r)
{
	(void)r;
	return mm_lock_all(cur_proc()->mm, 0, true, false);
}

/* mincore(2): one byte per page, bit 0 set if resident. Linux's order:
 * alignment, the range, the vector, then each page's area. */
int64_t sys_mincore(struct fw_uregs *r)
{
	uint64_t start = a0(r), len = a1(r), vec = a2(r);
	if (start & 4095)
		return -EINVAL;
	if (!fw_user_range_ok(start, len))
		return -ENOMEM;
	uint64_t pages = len / 4096 + ((len & 4095) != 0);
	if (!fw_user_range_ok(vec, pages))
		return -EFAULT;
	uint8_t buf[256];
	for (uint64_t done = 0; done < pages;) {
		uint64_t n = FW_MIN(pages - done, (uint64_t)sizeof(buf));
		for (uint64_t i = 0; i < n; i++) {
			bool res;
			int e = mm_page_resident(cur_proc()->mm, start + (done + i) * 4096, &res);
			if (e)
				return e;
			buf[i] = res;
		}
		if (fw_copy_to_user_n(fw_uaddr(vec + done), &buf, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}
