/* pidfd_open(2), pidfd_send_signal(2), pidfd_getfd(2). Layer: services
 * (safe C). Decodes and checks the arguments as Linux 6.18 does; the
 * pidfd files themselves are proc/pidfd.c's. Not supported: /proc/<pid>
 * directory descriptors in place of a pidfd (EBADF here; Linux accepts
 * them in pidfd_send_signal). */
#include "fs/procfs/procfs.h"
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "syscall/fs.h"

#define PIDFD_NONBLOCK O_NONBLOCK
#define PIDFD_SIGNAL_THREAD 1
#define PIDFD_SIGNAL_THREAD_GROUP 2
#define PIDFD_SIGNAL_PROCESS_GROUP 4
#define PIDFD_SELF_THREAD (-10000)
#define PIDFD_SELF_THREAD_GROUP (-10001)

static int install(struct file_ref f)
{
	int fd = fd_install_limited(f, 0, true);
	if (fd < 0)
		file_drop(f);
	return fd;
}

int64_t sys_pidfd_open(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	uint64_t flags = a1(r);
	if (flags & ~(uint64_t)(PIDFD_NONBLOCK | PIDFD_THREAD))
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	struct file_ref f;
	int e = pidfd_new(pid, (uint32_t)flags, &f);
	return e ? e : install(f);
}

int pidfd_for_child(int32_t pid, bool thread, uint64_t uptr)
{
	struct file_ref f;
	int e = pidfd_new(pid, thread ? PIDFD_THREAD : 0, &f);
	if (e)
		return e;
	int fd = install(f);
	if (fd < 0)
		return fd;
	int32_t v = fd;
	if (fw_copy_to_user(fw_uaddr(uptr), &v)) {
		(void)fd_close(cur_proc()->files, fd);
		return -EFAULT;
	}
	return 0;
}

/* Which scope a signal goes to (Linux's PIDTYPE_PID < TGID < PGID). */
enum scope { TO_THREAD, TO_PROCESS, TO_GROUP };

/* A descriptor of a /proc/<pid> directory names its process as a pidfd
 * does (Linux); a process gone since is stale: -ESRCH later. */
static int proc_dir_target(struct file_ref f, struct pidfd_info *out)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	*out = (struct pidfd_info){0};
	return procfs_pid_dir(fp->inode, &out->proc, &out->pid);
}

int64_t sys_pidfd_send_signal(struct fw_uregs *r)
{
	int32_t pidfd = (int32_t)a0(r);
	int sig = (int)a1(r);
	uint64_t uinfo = a2(r), flags = a3(r);
	uint64_t scope_flags = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
	if (flags & ~scope_flags)
		return -EINVAL;
	if (flags & (flags - 1))
		return -EINVAL; /* at most one scope */
	struct pidfd_info t = {0};
	uint32_t scope;
	if (pidfd == PIDFD_SELF_THREAD || pidfd == PIDFD_SELF_THREAD_GROUP) {
		t.proc = cur_proc_ref();
		t.tref = cur_thread_ref();
		t.pid = pidfd == PIDFD_SELF_THREAD ? cur_thread()->tid : cur_proc()->pid;
		t.thread = pidfd == PIDFD_SELF_THREAD;
	} else {
		struct file_ref f;
		if (fd_get(cur_proc()->files, pidfd, &f))
			return -EBADF;
		int e = pidfd_target(f, &t);
		if (e)
			e = proc_dir_target(f, &t);
		if (e)
			return e;
	}
	scope = t.thread ? TO_THREAD : TO_PROCESS;
	if (flags == PIDFD_SIGNAL_THREAD)
		scope = TO_THREAD;
	else if (flags == PIDFD_SIGNAL_THREAD_GROUP)
		scope = TO_PROCESS;
	else if (flags == PIDFD_SIGNAL_PROCESS_GROUP)
		scope = TO_GROUP;
	struct proc *me = cur_proc();
	struct sig_info_k info = {scope == TO_THREAD ? SI_TKILL : SI_USER, me->pid, me->uid, 0, 0, 0};
	if (uinfo) {
		struct linux_siginfo si;
		if (fw_copy_from_user(&si, fw_uaddr(uinfo)))
			return -EFAULT;
		if (si.signo != sig)
			return -EINVAL;
		bool self = t.pid == cur_thread()->tid; /* Linux: the calling thread's own pid */
		if ((!self || scope == TO_GROUP) && (si.code >= 0 || si.code == SI_TKILL))
			return -EPERM; /* only yourself gets arbitrary siginfo */
		info = (struct sig_info_k){si.code, (int32_t)(uint32_t)si.w[0], (uint32_t)(si.w[0] >> 32), 0, si.w[1], 0};
	}
	if (scope == TO_GROUP)
		return signal_kill_pgrp(t.pid, sig, &info, false);
	struct proc *p = proc_get(t.proc);
	if (!p || p->state == PROC_DEAD)
		return -ESRCH;
	int e = signal_may_kill(t.proc, sig);
	if (e)
		return e;
	if (scope == TO_PROCESS)
		return signal_send_proc_info(t.proc, sig, &info);
	/* one thread: the pidfd's thread, or the one with the process's id */
	struct thread_ref tr = t.thread ? t.tref : pid_lookup(t.pid);
	struct thread *th = thread_get(tr);
	if (!th || th->proc.idx != t.proc.idx || th->proc.gen != t.proc.gen)
		return p->state == PROC_ZOMBIE ? 0 : -ESRCH;
	return signal_send_thread_info(tr, sig, &info);
}

int64_t sys_pidfd_getfd(struct fw_uregs *r)
{
	if (a2(r))
		return -EINVAL;
	struct file_ref pf;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &pf))
		return -EBADF;
	struct pidfd_info t;
	int e = pidfd_target(pf, &t);
	if (e)
		return e;
	struct proc *p = proc_get(t.proc);
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH; /* Linux 6.18: an exited process, reaped or not */
	if (ptrace_may_access(p))
		return -EPERM; /* PTRACE_MODE_ATTACH_REALCREDS */
	struct file_ref f;
	if (!fdtable_ref_valid(p->files) || fd_get(p->files, (int64_t)(int32_t)a1(r), &f))
		return -EBADF;
	file_hold(f);
	return install(f);
}
