/* unshare(2) and close_range(2): leave shared descriptor tables and other
 * per-process contexts. Layer: services (safe C).
 *
 * CLONE_FILES copies a shared descriptor table; CLONE_FS leaves the ring
 * of processes sharing cwd, root and umask (proc/share.c), keeping the
 * values; CLONE_SIGHAND needs signal actions nobody else shares (else
 * -EINVAL, as Linux); CLONE_SYSVSEM applies the undo adjustments now as
 * Linux does; CLONE_THREAD and CLONE_VM need a single-threaded caller.
 * CLONE_NEWNS and CLONE_NEWUTS move the caller into a copy of its mount
 * or UTS namespace (proc/ns.c; CLONE_NEWNS also unshares CLONE_FS); the
 * other namespace kinds exist only once, so they get what a Linux built
 * without them gives: -EPERM without CAP_SYS_ADMIN (checked first), else
 * -EINVAL. */
#include "ipc/ipc.h"
#include "syscall/syscall.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_NEWNS 0x20000
#define CLONE_SYSVSEM 0x40000
#define CLONE_NEWCGROUP 0x2000000
#define CLONE_NEWUTS 0x4000000
#define CLONE_NEWIPC 0x8000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEWTIME 0x80
#define NS_FLAGS                                                                                           \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |      \
	 CLONE_NEWNET | CLONE_NEWTIME)
#define UNSHARE_FLAGS (CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | NS_FLAGS)

#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

/* Give the caller its own copy of a shared descriptor table. */
static int unshare_files(void)
{
	struct proc *p = cur_proc();
	struct fdtable *t = fdtable_get(p->files);
	if (!t || t->refs <= 1)
		return 0;
	struct fdtable_ref copy;
	int e = fdtable_clone(p->files, &copy);
	if (e)
		return e;
	p = cur_proc();
	struct fdtable_ref old = p->files;
	p->files = copy;
	fdtable_put(old);
	return 0;
}

int64_t sys_unshare(struct fw_uregs *r)
{
	uint64_t flags = a0(r);
	if (flags & ~(uint64_t)UNSHARE_FLAGS)
		return -EINVAL;
	struct proc *p = cur_proc();
	/* Linux: CLONE_NEWUSER implies CLONE_THREAD and CLONE_FS, CLONE_VM
	 * implies CLONE_SIGHAND, which implies CLONE_THREAD, CLONE_NEWNS
	 * implies CLONE_FS; CLONE_THREAD needs a single-threaded caller. */
	if (flags & CLONE_NEWUSER)
		flags |= CLONE_THREAD | CLONE_FS;
	if (flags & CLONE_VM)
		flags |= CLONE_SIGHAND;
	if (flags & CLONE_SIGHAND)
		flags |= CLONE_THREAD;
	if ((flags & CLONE_THREAD) && p->nthreads > 1)
		return -EINVAL;
	if ((flags & (CLONE_SIGHAND | CLONE_VM)) && share_shared(cur_proc_ref(), SHARE_SIGHAND))
		return -EINVAL;
	if (flags & CLONE_NEWNS)
		flags |= CLONE_FS;
	if (flags & NS_FLAGS) {
		bool need_cap = (flags & NS_FLAGS) != CLONE_NEWUSER;
		if (need_cap && !proc_capable(p, CAP_SYS_ADMIN))
			return -EPERM;
		if (flags & NS_FLAGS & ~(uint64_t)(CLONE_NEWNS | CLONE_NEWUTS))
			return -EINVAL; /* kinds Keel has only the initial one of */
	}
	if (flags & CLONE_FILES) {
		int e = unshare_files();
		if (e)
			return e;
	}
	if (flags & CLONE_FS)
		share_leave(cur_proc_ref(), SHARE_FS);
	if (flags & CLONE_NEWNS) {
		int e = ns_make(cur_proc_ref(), NSK_MNT);
		if (e)
			return e == -ENOSPC || e == -ENOMEM ? e : -EINVAL;
	}
	if (flags & CLONE_NEWUTS) {
		int e = ns_make(cur_proc_ref(), NSK_UTS);
		if (e)
			return e;
	}
	if (flags & (CLONE_SYSVSEM | CLONE_NEWIPC)) {
		sem_exit(cur_proc()->pid); /* applied only if nobody shares the list */
		share_leave(cur_proc_ref(), SHARE_SYSVSEM);
	}
	return 0;
}

/* Linux's order: flags, then the range; CLOSE_RANGE_UNSHARE copies a
 * shared table first (so the other sharers keep their descriptors). */
int64_t sys_close_range(struct fw_uregs *r)
{
	uint32_t first = (uint32_t)a0(r), last = (uint32_t)a1(r);
	uint64_t flags = a2(r);
	if (flags & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if (first > last)
		return -EINVAL;
	if (flags & CLOSE_RANGE_UNSHARE) {
		int e = unshare_files();
		if (e)
			return e;
	}
	struct proc *p = cur_proc();
	for (uint64_t fd = first; fd <= last && fd < FD_MAX; fd++) {
		struct file_ref f;
		if (fd_get(p->files, (int64_t)fd, &f))
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fdtable_get(p->files)->cloexec[fd] = 1;
		else
			(void)fd_close(p->files, (int64_t)fd);
		p = cur_proc();
	}
	return 0;
}
