/* process_vm_readv(2), process_vm_writev(2): copy between the caller's
 * memory and another process's. Layer: services (safe C). Decodes and
 * checks both iovec arrays and the flags in Linux's order, checks
 * ptrace-attach access (root, or the caller's real ids equal to all of the
 * target's), then copies page by page through mm/. As Linux: the local
 * vector is read first, a zero total copies nothing, a failure after some
 * bytes returns the bytes copied, a remote page that cannot be reached
 * (or, for writing, is not writable) stops the copy with EFAULT. */
#include "syscall/syscall.h"

#define UIO_MAXIOV 1024

struct iovec_k {
	uint64_t base, len;
};

/* Total length of an iovec array (-EINVAL on overflow past SSIZE_MAX). */
static int64_t iov_total(uint64_t uvec, uint64_t cnt)
{
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		struct iovec_k v;
		if (fw_copy_from_user(&v, fw_uaddr(uvec + i * sizeof(v))))
			return -EFAULT;
		if ((int64_t)v.len < 0 || total + v.len > (uint64_t)INT64_MAX)
			return -EINVAL;
		total += v.len;
	}
	return (int64_t)total;
}

static bool may_attach(const struct proc *p)
{
	const struct proc *me = cur_proc();
	if (proc_capable(me, CAP_SYS_PTRACE))
		return true;
	return p->uid == me->uid && p->euid == me->uid && p->suid == me->uid && p->gid == me->gid &&
	       p->egid == me->gid && p->sgid == me->gid;
}

/* Walk both vectors in step, copying at most a page at a time. */
static int64_t copy_vectors(struct mm_ref m, uint64_t lvec, uint64_t lcnt, uint64_t rvec, uint64_t rcnt, bool write)
{
	uint64_t li = 0, ri = 0, loff = 0, roff = 0, done = 0;
	struct iovec_k l = {0, 0}, rv = {0, 0};
	for (;;) {
		while (loff == l.len && li < lcnt) {
			if (fw_copy_from_user(&l, fw_uaddr(lvec + li++ * sizeof(l))))
				return done ? (int64_t)done : -EFAULT;
			loff = 0;
		}
		while (roff == rv.len && ri < rcnt) {
			if (fw_copy_from_user(&rv, fw_uaddr(rvec + ri++ * sizeof(rv))))
				return done ? (int64_t)done : -EFAULT;
			roff = 0;
		}
		if (loff == l.len || roff == rv.len)
			return (int64_t)done;
		uint64_t raddr = rv.base + roff;
		uint64_t n = FW_MIN(FW_MIN(l.len - loff, rv.len - roff), 4096 - (raddr & 4095));
		int e = mm_copy_remote(m, raddr, l.base + loff, (uint32_t)n, write);
		if (e)
			return done ? (int64_t)done : e;
		done += n;
		loff += n;
		roff += n;
	}
}

static int64_t process_vm(struct fw_uregs *r, bool write)
{
	int32_t pid = (int32_t)a0(r);
	uint64_t lvec = a1(r), lcnt = a2(r), rvec = a3(r), rcnt = a4(r);
	if (a5(r))
		return -EINVAL;
	int64_t ltotal = iov_total(lvec, lcnt);
	if (ltotal <= 0)
		return ltotal;
	int64_t rtotal = iov_total(rvec, rcnt);
	if (rtotal < 0)
		return rtotal;
	struct thread *t = pid > 0 ? thread_get(pid_lookup(pid)) : NULL;
	struct proc *p = t ? proc_get(t->proc) : NULL;
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (!may_attach(p))
		return -EPERM;
	struct mm_ref m = p->mm;
	mm_hold(m); /* the target may exit while we copy */
	int64_t ret = copy_vectors(m, lvec, lcnt, rvec, rcnt, write);
	mm_put(m);
	return ret;
}

int64_t sys_process_vm_readv(struct fw_uregs *r) { return process_vm(r, false); }
int64_t sys_process_vm_writev(struct fw_uregs *r) { return process_vm(r, true); }

/* process_madvise(2): madvise on the ranges of an iovec array, in the
 * address space of the process a pidfd names. As Linux 6.18: flags must be
 * 0; another process takes only the non-destructive hints (COLD, PAGEOUT,
 * WILLNEED, COLLAPSE: EINVAL for others) and needs privilege (EPERM);
 * the result is the bytes advised, or the first error if none was. Keel
 * never swaps, so the hints leave memory as it is. */
#define MADV_WILLNEED 3
#define MADV_COLD 20
#define MADV_PAGEOUT 21
#define MADV_COLLAPSE 25

static bool remote_hint(uint64_t advice)
{
	return advice == MADV_COLD || advice == MADV_PAGEOUT || advice == MADV_WILLNEED || advice == MADV_COLLAPSE;
}

int64_t sys_process_madvise(struct fw_uregs *r)
{
	uint64_t uvec = a1(r), cnt = a2(r), advice = a3(r);
	if (a4(r))
		return -EINVAL;
	int64_t total = iov_total(uvec, cnt);
	if (total < 0)
		return total;
	struct file_ref f;
	struct pidfd_info t;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &f) || pidfd_target(f, &t))
		return -EBADF;
	struct proc *p = proc_get(t.proc);
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (!may_attach(p))
		return -EACCES; /* Linux's mm_access */
	bool self = p == cur_proc();
	if (!self && !remote_hint(advice))
		return -EINVAL;
	if (!self && !cred_capable(CAP_SYS_NICE))
		return -EPERM;
	if (advice == MADV_COLLAPSE)
		return -EINVAL; /* no transparent huge pages */
	struct mm_ref m = p->mm;
	mm_hold(m);
	int64_t done = 0, e = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		struct iovec_k v;
		if (fw_copy_from_user(&v, fw_uaddr(uvec + i * sizeof(v)))) {
			e = -EFAULT;
			break;
		}
		e = madvise_in(m, v.base, v.len, advice);
		if (e)
			break;
		done += (int64_t)v.len;
	}
	mm_put(m);
	return done ? done : e;
}

/* process_mrelease(2): release a dying process's memory early. Keel frees
 * an address space when its last thread exits, so an exited process has
 * nothing left (0) and a live one is not dying (EINVAL, as Linux when no
 * SIGKILL is on its way). */
int64_t sys_process_mrelease(struct fw_uregs *r)
{
	if (a1(r))
		return -EINVAL;
	struct file_ref f;
	struct pidfd_info t;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &f) || pidfd_target(f, &t))
		return -EBADF;
	struct proc *p = proc_get(t.proc);
	if (!p)
		return -ESRCH;
	return p->state == PROC_ALIVE ? -EINVAL : 0;
}
