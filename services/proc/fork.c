/* fork, vfork and clone; the exec-time thread cleanup. Layer: services
 * (safe C). A new process gets a copy-on-write (or, with CLONE_VM, the
 * same) address space, a copied or shared descriptor table, the parent's
 * signal actions, mask, credentials and limits. A new thread joins the
 * calling process. Everything that can fail happens before the child's
 * task exists, and every failure undoes what was allocated, so fork until
 * -EAGAIN leaves the kernel as it was. */
#include "proc/proc.h"
#include "proc/futex.h"
#include <fw/log.h>
#include <fw/time.h>
#include <fw/user.h>
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "proc/seccomp.h"

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_VFORK 0x4000
#define CLONE_PARENT 0x8000
#define CLONE_THREAD 0x10000
#define CLONE_SETTLS 0x80000
#define CLONE_PARENT_SETTID 0x100000
#define CLONE_CHILD_CLEARTID 0x200000
#define CLONE_CHILD_SETTID 0x1000000
#define CLONE_IO 0x80000000ULL
#define CLONE_SYSVSEM 0x40000

#define PROCS_MAX 4000 /* processes per system (RLIMIT_NPROC-like) */

/* Start a thread in process p with the child's registers, in the same
 * address space as p, with fs base tls when settls. */
static int start_thread(struct proc_ref p, const struct fw_uregs *regs, bool settls, uint64_t tls,
			struct thread_ref *out)
{
	uint64_t old_fs = fw_task_fs_base();
	if (settls && fw_task_set_fs_base(tls))
		return -EPERM;
	/* the new task copies the caller's fs base */
	int r = proc_add_thread(p, regs, out);
	if (settls)
		(void)fw_task_set_fs_base(old_fs);
	return r;
}

static void init_thread_from(struct thread *t, const struct thread *me, uint64_t flags, uint64_t ctid)
{
	t->sig_mask = me->sig_mask;
	sched_inherit(t, me);
	seccomp_inherit(t, me);
	t->timer_slack_ns = me->timer_slack_ns;
	t->default_slack_ns = me->timer_slack_ns;
	t->tsc_mode = me->tsc_mode; /* the framework task copied the trap setting */
	/* CLONE_IO shares the I/O context; otherwise one that exists is copied */
	t->io_id = (flags & CLONE_IO) || me->io_id == 0 ? me->io_id : share_new_id();
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = ctid;
	if (flags & CLONE_CHILD_SETTID)
		t->set_child_tid = ctid;
}

static int64_t clone_thread(const struct fw_uregs *regs, uint64_t flags, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	if (!(flags & CLONE_SIGHAND) || !(flags & CLONE_VM))
		return -EINVAL;
	struct thread_ref tr;
	int r = start_thread(cur_proc_ref(), regs, (flags & CLONE_SETTLS) != 0, tls, &tr);
	if (r)
		return r;
	struct thread *t = thread_get(tr);
	init_thread_from(t, cur_thread(), flags, ctid);
	int32_t tid = t->tid;
	if (flags & CLONE_PARENT_SETTID)
		(void)fw_copy_to_user(fw_uaddr(ptid), &tid);
	ptrace_clone_event(tr, flags);
	return tid;
}

static void copy_proc_state(struct proc *c, const struct proc *me)
{
	c->pgid = me->pgid;
	c->sid = me->sid;
	c->cwd = me->cwd;
	c->root = me->root;
	c->umask = me->umask;
	c->uid = me->uid, c->euid = me->euid, c->suid = me->suid, c->fsuid = me->fsuid;
	c->gid = me->gid, c->egid = me->egid, c->sgid = me->sgid, c->fsgid = me->fsgid;
	c->ngroups = me->ngroups;
	c->caps = me->caps;
	for (uint32_t i = 0; i < 16; i++)
		c->groups[i] = me->groups[i];
	for (uint32_t i = 0; i < NSIG; i++)
		c->sigact[i] = me->sigact[i];
	for (uint32_t i = 0; i < 16; i++)
		c->rlim[i] = me->rlim[i];
	c->rlim_set = me->rlim_set;
	c->cpu_rlimit_armed = false;
	c->coredump_filter_x = me->coredump_filter_x; /* inherited, kept across exec (Linux) */
	c->comm = me->comm;
	c->nice = me->nice;
	c->personality = me->personality;
	c->nondumpable = me->nondumpable;
	c->thp_disable = me->thp_disable;
	c->state = PROC_ALIVE;
}

static int count_procs(void) { return (int)proc_count(); }

/* Undo a child that has no thread yet. */
static void discard_child(struct proc_ref cr)
{
	struct proc *c = proc_get(cr);
	if (!c)
		return;
	ns_exit(c);
	fdtable_put(c->files);
	c = proc_get(cr);
	mm_put(c->mm);
	c = proc_get(cr);
	fw_waitq_destroy(c->child_wait);
	fw_waitq_destroy(c->stop_wait);
	wq_destroy(c->sigfd_wq);
	proc_free(cr);
}

static int alloc_child(uint64_t flags, struct proc_ref *out)
{
	if (count_procs() >= PROCS_MAX)
		return -EAGAIN;
	struct proc *me = cur_proc();
	if (proc_alloc(out))
		return -EAGAIN;
	struct proc *c = proc_get(*out);
	copy_proc_state(c, proc_get(cur_proc_ref()));
	share_init(*out);
	ns_fork(proc_get(*out), cur_proc());
	c->start_ns = fw_time_monotonic_ns();
	int r = 0;
	if (fw_waitq_create(&c->child_wait) || fw_waitq_create(&proc_get(*out)->stop_wait))
		r = -ENOMEM;
	/* clone(CLONE_NEWNS / CLONE_NEWUTS): the child's own copy (privilege
	 * checked by the caller) */
	if (r == 0 && (flags & ns_clone_flag(NSK_MNT)))
		r = ns_make(*out, NSK_MNT);
	if (r == 0 && (flags & ns_clone_flag(NSK_UTS)))
		r = ns_make(*out, NSK_UTS);
	me = cur_proc();
	if (r == 0 && (flags & CLONE_VM)) {
		mm_hold(me->mm);
		proc_get(*out)->mm = me->mm;
	} else if (r == 0) {
		struct mm_ref nm;
		r = mm_fork(me->mm, &nm);
		if (r == 0)
			proc_get(*out)->mm = nm;
	}
	me = cur_proc();
	if (r == 0 && (flags & CLONE_FILES)) {
		struct fdtable *ft = fdtable_get(me->files);
		if (ft)
			ft->refs++;
		proc_get(*out)->files = me->files;
	} else if (r == 0) {
		struct fdtable_ref nf;
		r = fdtable_clone(me->files, &nf);
		if (r == 0)
			proc_get(*out)->files = nf;
	}
	if (r) {
		discard_child(*out);
		return r == -ENOMEM || r == -ENOSPC || r == -EMFILE ? r : -EAGAIN; /* EMFILE: past nr_open */
	}
	return 0;
}

static int64_t clone_process(const struct fw_uregs *regs, uint64_t flags, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	struct proc_ref cr;
	int r = alloc_child(flags, &cr);
	if (r)
		return r;
	struct thread_ref tr;
	r = start_thread(cr, regs, (flags & CLONE_SETTLS) != 0, tls, &tr);
	if (r) {
		discard_child(cr);
		return r;
	}
	if (flags & CLONE_FS)
		share_join(cr, cur_proc_ref(), SHARE_FS);
	if (flags & CLONE_SIGHAND)
		share_join(cr, cur_proc_ref(), SHARE_SIGHAND);
	if (flags & CLONE_SYSVSEM)
		share_join(cr, cur_proc_ref(), SHARE_SYSVSEM);
	struct thread *t = thread_get(tr);
	struct thread *me_t = cur_thread();
	init_thread_from(t, me_t, flags, ctid);
	/* fork keeps the alternate signal stack (a new thread does not) */
	t->ss_sp = me_t->ss_sp;
	t->ss_size = me_t->ss_size;
	t->ss_flags = me_t->ss_flags;
	struct proc *c = proc_get(cr);
	c->pid = t->tid;
	c->exit_signal = (int32_t)(flags & 0xff);
	pid_set_proc(c->pid, cr);
	struct proc *me = cur_proc();
	struct proc_ref parent = (flags & CLONE_PARENT) ? me->parent : cur_proc_ref();
	proc_link_child(parent, cr);
	cpu_rlimit_update(proc_get(cr)); /* an inherited RLIMIT_CPU counts the child's own time */
	c = proc_get(cr);
	int32_t pid = c->pid;
	if (flags & CLONE_PARENT_SETTID)
		(void)fw_copy_to_user(fw_uaddr(ptid), &pid);
	ptrace_clone_event(tr, flags);
	if (flags & CLONE_VFORK) {
		c->in_vfork = true;
		/* Wait (killably) until the child execs or exits. */
		for (;;) {
			c = proc_get(cr);
			if (!c || !c->in_vfork || cur_thread()->exiting)
				break;
			if (fw_waitq_wait(c->stop_wait, 0, false) == -EINVAL)
				break;
		}
		ptrace_vfork_done(pid);
	}
	return pid;
}

/* RLIMIT_NPROC (only when set; the default is above PROCS_MAX): the
 * tasks (threads, and zombies not yet reaped) of the caller's real user
 * may not reach it, unless that user is root or the caller privileged,
 * as Linux. */
static bool nproc_exceeded(const struct proc *me)
{
	if (!(me->rlim_set & (1u << 6)) || me->uid == 0 || cred_capable(CAP_SYS_ADMIN) || cred_capable(CAP_SYS_RESOURCE))
		return false;
	uint64_t lim = me->rlim[6].cur, n = 0;
	uint32_t uid = me->uid;
	for (int32_t pid = 1; pid < PID_MAX && n < lim; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (p && p->pid == pid && p->uid == uid && p->state != PROC_DEAD)
			n += p->nthreads ? p->nthreads : 1;
	}
	return n >= lim;
}

int64_t proc_clone(struct fw_uregs *r, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if (nproc_exceeded(cur_proc()))
		return -EAGAIN;
	struct fw_uregs child = *r;
	child.rax = 0;
	if (newsp)
		child.rsp = newsp;
	if (flags & CLONE_THREAD)
		return clone_thread(&child, flags, ptid, ctid, tls);
	return clone_process(&child, flags, ptid, ctid, tls);
}

void proc_vfork_release(struct proc *p)
{
	if (p && p->in_vfork) {
		p->in_vfork = false;
		fw_waitq_wake_all(p->stop_wait);
	}
}

/* Called by execve past its point of no return: the other threads die
 * and the caller becomes the thread group leader (Linux de_thread). */
void proc_exec_prepare(void)
{
	struct thread_ref me = cur_thread_ref();
	struct proc_ref pr = cur_proc_ref();
	struct proc *p = proc_get(pr);
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		if (c.idx == me.idx && c.gen == me.gen)
			continue;
		struct thread *t = thread_get(c);
		t->exiting = true;
		(void)fw_task_interrupt(t->task);
	}
	while ((p = proc_get(pr)) && p->nthreads > 1)
		(void)fw_waitq_wait(p->stop_wait, fw_time_monotonic_ns() + 10000000, false);
	p = proc_get(pr);
	struct thread *t = thread_get(me);
	if (t->tid != p->pid) {
		pid_clear_thread(t->tid);
		t->tid = p->pid;
		pid_set_thread(p->pid, me);
	}
	t->clear_child_tid = 0;
	t->set_child_tid = 0;
	ptimer_delete_all(proc_get(pr), false); /* POSIX timers do not survive exec */
	share_leave(pr, SHARE_SIGHAND); /* the new image gets its own signal actions */
	t = thread_get(me);
	/* The old image's robust futexes die with it (Linux futex_exec_release). */
	futex_robust_exit(t->robust_list, t->robust_len, t->tid);
	t = thread_get(me);
	t->robust_list = 0;
	t->robust_len = 0;
	futex_pi_owner_gone();
	cred_on_exec(proc_get(pr));
}
