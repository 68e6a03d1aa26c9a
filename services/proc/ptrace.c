/* ptrace: tracer/tracee links, trace stops and their reports to wait.
 * Layer: services (safe C). Trusts proc/ for the process tree and
 * signal.c for queueing; the framework only through tasks and wait
 * queues.
 *
 * A tracee stops in its own context: it copies its registers into its link
 * (plain data), marks the link stopped, tells its tracer (wake its wait
 * queue, SIGCHLD with CLD_TRAPPED) and sleeps on its process's stop queue
 * until the tracer resumes or detaches it, or it is killed. The tracer
 * reads and writes the copy; the tracee loads it back on the way out.
 * Links are pool objects named by handles: a tracer that exits, a tracee
 * that exits or detaches leaves no dangling reference, only a stale handle.
 */
#include "proc/ptrace.h"
#include "proc/signal.h"
#include "proc/cred.h"
#include <fw/log.h>

#define CLD_TRAPPED 4
#define TF 0x100ULL
#define TRAP_BRKPT 1
#define CLONE_VFORK 0x4000

FW_POOL_DEFINE(ptlink, struct ptlink);

struct pt_global {
	uint32_t live; /* links whose tracee is alive */
};
FW_GLOBAL(struct pt_global, pt_global);

bool ptrace_any(void) { return pt_global()->live != 0; }

struct ptlink *ptrace_link_of(const struct thread *t) { return t ? ptlink_get(t->pt) : NULL; }

static bool proc_ref_same(struct proc_ref a, struct proc_ref b) { return a.idx == b.idx && a.gen == b.gen; }

int32_t ptrace_tracer_pid(struct thread_ref tr)
{
	struct ptlink *l = ptrace_link_of(thread_get(tr));
	struct proc *p = l ? proc_get(l->tracer) : NULL;
	return p ? p->pid : 0;
}

int ptrace_may_access(const struct proc *p)
{
	const struct proc *me = cur_proc();
	if (!me || !p)
		return -ESRCH;
	if (me == p)
		return 0;
	bool same = me->uid == p->uid && me->uid == p->euid && me->uid == p->suid && me->gid == p->gid &&
		    me->gid == p->egid && me->gid == p->sgid;
	bool privileged = proc_capable(me, CAP_SYS_PTRACE);
	if (!same && !privileged)
		return -EPERM;
	if (p->nondumpable && !privileged)
		return -EPERM;
	return 0;
}

/* Unlink l from its tracer's list (the link itself stays). */
static void list_remove(struct ptlink_ref lr)
{
	struct ptlink *l = ptlink_get(lr);
	struct proc *tr = l ? proc_get(l->tracer) : NULL;
	if (!tr)
		return;
	struct ptlink_ref prev = {0, 0};
	for (struct ptlink_ref it = tr->first_tracee; ptlink_ref_valid(it);) {
		struct ptlink *il = ptlink_get(it);
		if (it.idx == lr.idx && it.gen == lr.gen) {
			if (ptlink_ref_valid(prev))
				ptlink_get(prev)->next = il->next;
			else
				tr->first_tracee = il->next;
			return;
		}
		prev = it;
		it = il->next;
	}
}

static int new_link(struct thread_ref tr, struct proc_ref tracer, bool seized, uint32_t options)
{
	struct thread *t = thread_get(tr);
	struct proc *trp = proc_get(tracer);
	if (!t || !trp)
		return -ESRCH;
	struct ptlink_ref lr;
	if (ptlink_alloc(&lr))
		return -ENOMEM;
	struct ptlink *l = ptlink_get(lr);
	l->tracer = tracer;
	l->tracee = tr;
	l->tracee_proc = t->proc;
	l->tid = t->tid;
	l->seized = seized;
	l->options = options;
	l->state = PT_RUNNING;
	l->orig_rax = (uint64_t)-1;
	l->next = trp->first_tracee;
	trp->first_tracee = lr;
	t->pt = lr;
	pt_global()->live++;
	return 0;
}

int ptrace_attach(struct thread_ref tr, bool seize, uint32_t options)
{
	struct thread *t = thread_get(tr);
	struct proc *p = t ? proc_get(t->proc) : NULL;
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (t->exiting || proc_ref_same(t->proc, cur_proc_ref()))
		return -EPERM;
	int e = ptrace_may_access(p);
	if (e)
		return e;
	if (ptlink_ref_valid(t->pt))
		return -EPERM;
	e = new_link(tr, cur_proc_ref(), seize, options);
	if (e)
		return e;
	t = thread_get(tr);
	p = proc_get(t->proc);
	if (!seize) {
		struct sig_info_k i = {SI_KERNEL, 0, 0, 0, 0, 0};
		(void)signal_send_thread_info(tr, SIGSTOP, &i);
	}
	if (p->stopped) {
		/* Already in a group-stop: report it to the new tracer. */
		ptlink_get(t->pt)->trap_pending = true;
		(void)fw_task_interrupt(t->task);
		fw_waitq_wake_all(p->stop_wait);
	}
	return 0;
}

int ptrace_traceme(void)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	if (ptlink_ref_valid(t->pt))
		return -EPERM;
	if (!proc_get(p->parent))
		return -EPERM;
	return new_link(cur_thread_ref(), p->parent, false, 0);
}

int ptrace_traced_by_me(int32_t tid, bool any_state, struct ptlink_ref *out)
{
	struct thread *t = tid > 0 ? thread_get(pid_lookup(tid)) : NULL;
	struct ptlink *l = ptrace_link_of(t);
	struct proc *p = l ? proc_get(l->tracee_proc) : NULL;
	if (!l || !p || !proc_ref_same(l->tracer, cur_proc_ref()) || l->state == PT_DEAD || p->sigkilled ||
	    (t->exiting && !t->pt_exit_stop))
		return -ESRCH;
	if (!any_state && l->state != PT_STOPPED)
		return -ESRCH;
	*out = t->pt;
	return 0;
}

static void wake_tracee(struct ptlink *l)
{
	struct proc *p = proc_get(l->tracee_proc);
	if (p)
		fw_waitq_wake_all(p->stop_wait);
}

int ptrace_resume(struct ptlink_ref lr, uint32_t mode, int32_t sig)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l)
		return -ESRCH;
	l->resume_mode = mode;
	l->resume_sig = sig;
	l->stepping = mode == PT_RESUME_STEP || mode == PT_RESUME_SYSEMU_STEP;
	l->state = PT_RUNNING;
	l->report = false;
	wake_tracee(l);
	return 0;
}

/* Break the link of a tracee that is not sleeping in a stop. */
static void drop_link(struct ptlink_ref lr)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l)
		return;
	struct thread *t = thread_get(l->tracee);
	if (t && t->pt.idx == lr.idx && t->pt.gen == lr.gen)
		t->pt = (struct ptlink_ref){0, 0};
	if (l->state != PT_DEAD && pt_global()->live)
		pt_global()->live--;
	list_remove(lr);
	ptlink_free(lr);
}

int ptrace_detach(struct ptlink_ref lr, int32_t sig)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l)
		return -ESRCH;
	if (l->state != PT_STOPPED && l->state != PT_LISTENING) {
		drop_link(lr);
		return 0;
	}
	/* The tracee sleeps in the stop: it frees the link when it wakes. */
	list_remove(lr);
	l = ptlink_get(lr);
	l->tracer = (struct proc_ref){0, 0};
	l->detach_pending = true;
	l->stepping = false;
	l->resume_mode = PT_RESUME_CONT;
	l->resume_sig = sig;
	l->state = PT_RUNNING;
	l->report = false;
	wake_tracee(l);
	return 0;
}

int ptrace_interrupt(struct ptlink_ref lr)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l)
		return -ESRCH;
	if (!l->seized)
		return -EIO;
	l->trap_pending = true;
	if (l->state == PT_LISTENING) {
		wake_tracee(l);
		return 0;
	}
	struct thread *t = thread_get(l->tracee);
	if (t && l->state == PT_RUNNING)
		(void)fw_task_interrupt(t->task);
	return 0;
}

int ptrace_listen(struct ptlink_ref lr)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l)
		return -ESRCH;
	if (!l->seized || l->stop_kind != PT_STOP_GROUP || (l->exit_code >> 8) != PTRACE_EVENT_STOP)
		return -EIO;
	l->state = PT_LISTENING;
	l->report = false;
	wake_tracee(l);
	return 0;
}

/* SIGCHLD (CLD_TRAPPED or an exit code) to the tracer, and wake its wait. */
static void notify_tracer(const struct ptlink *l, int32_t code, int32_t si_status)
{
	struct proc *tr = proc_get(l->tracer);
	struct proc *p = proc_get(l->tracee_proc);
	if (!tr)
		return;
	fw_waitq_wake_all(tr->child_wait);
	if (code == CLD_TRAPPED && (tr->sigact[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		return;
	struct sig_info_k info = {code, l->tid, p ? p->uid : 0, si_status, 0, 0};
	(void)signal_send_proc_info(l->tracer, SIGCHLD, &info);
}

static void record_regs(struct ptlink *l, const struct fw_uregs *regs)
{
	l->regs = *regs;
	l->fs_base = fw_task_fs_base();
}

/* Load the (possibly changed) copy back; single-step sets TF. */
static void apply_regs(const struct ptlink *l, struct fw_uregs *regs)
{
	*regs = l->regs;
	if (l->fs_base != fw_task_fs_base())
		(void)fw_task_set_fs_base(l->fs_base);
}

static void set_step_flag(const struct ptlink *l, struct fw_uregs *regs)
{
	if (l->stepping)
		regs->rflags |= TF;
	else
		regs->rflags &= ~TF;
}

static bool killed(void)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	return t->exiting && (!p || p->sigkilled || !t->pt_exit_stop);
}

/* A listening tracee traps again (PTRACE_EVENT_STOP) when the group-stop
 * ends, a signal arrives or the tracer interrupts it. */
static void listen_retrap(struct ptlink *l, const struct thread *t, const struct proc *p)
{
	bool sigp = ((t->sig_pending | p->sig_pending) & ~t->sig_mask) != 0;
	if (p->stopped && !sigp && !l->trap_pending)
		return;
	l->trap_pending = false;
	l->state = PT_STOPPED;
	l->exit_code = (p->stopped ? p->stop_sig : SIGTRAP) | (PTRACE_EVENT_STOP << 8);
	l->report = true;
	notify_tracer(l, CLD_TRAPPED, l->exit_code & 0x7f);
}

/* Stop in a trace stop until resumed; returns the signal the tracer gave
 * (0 when detached without one or killed). The registers are l->regs. */
static int32_t do_stop(struct ptlink_ref lr, uint32_t kind, int32_t exit_code)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l || !proc_get(l->tracer))
		return 0;
	fw_fpu_get_fxsave(&l->fpu);
	l->fpu_dirty = false;
	l->state = PT_STOPPED;
	l->stop_kind = kind;
	l->exit_code = exit_code;
	l->report = true;
	l->resume_sig = 0;
	notify_tracer(l, CLD_TRAPPED, exit_code & 0x7f);
	for (;;) {
		l = ptlink_get(lr);
		if (!l || l->state == PT_RUNNING || killed())
			break;
		struct thread *t = cur_thread();
		struct proc *p = cur_proc();
		if (l->state == PT_LISTENING) {
			listen_retrap(l, t, p);
			if (l->state == PT_STOPPED)
				continue;
		}
		fw_task_clear_interrupt();
		(void)fw_waitq_wait(p->stop_wait, 0, true);
	}
	fw_task_want_return_upcall(); /* signals that came meanwhile */
	l = ptlink_get(lr);
	if (!l)
		return 0;
	if (l->fpu_dirty && fw_fpu_set_fxsave(&l->fpu) == 0)
		l->fpu_dirty = false; /* SETFPREGS checked MXCSR: this cannot fail but for memory */
	int32_t sig = l->state == PT_RUNNING ? l->resume_sig : 0;
	return sig;
}

/* After a stop: a detached link is the tracee's to free. */
static void finish_stop(struct ptlink_ref lr)
{
	struct ptlink *l = ptlink_get(lr);
	if (!l || !l->detach_pending)
		return;
	struct thread *t = cur_thread();
	if (t->pt.idx == lr.idx && t->pt.gen == lr.gen)
		t->pt = (struct ptlink_ref){0, 0};
	if (pt_global()->live)
		pt_global()->live--;
	ptlink_free(lr);
}

static void fill_trap_siginfo(struct ptlink *l, int32_t exit_code)
{
	struct proc *p = cur_proc();
	struct sig_info_k i = {exit_code, l->tid, p->uid, 0, 0, 0};
	signal_fill_siginfo(&l->si, exit_code & 0x7f, &i);
	l->si.code = exit_code;
	l->has_siginfo = true;
}

/* A stop that reports SIGTRAP | extra << 8 (syscall and event stops):
 * a signal the tracer resumes with is sent to the tracee. */
static void trap_stop(struct ptlink_ref lr, uint32_t kind, int32_t exit_code, struct fw_uregs *regs)
{
	struct ptlink *l = ptlink_get(lr);
	if (regs)
		record_regs(l, regs);
	fill_trap_siginfo(l, exit_code);
	int32_t sig = do_stop(lr, kind, exit_code);
	l = ptlink_get(lr);
	if (l && regs) {
		apply_regs(l, regs);
		set_step_flag(l, regs);
	}
	finish_stop(lr);
	if (sig > 0 && sig <= NSIG) {
		struct sig_info_k i = {SI_KERNEL, 0, 0, 0, 0, 0};
		(void)signal_send_thread_info(cur_thread_ref(), sig, &i);
	}
}

static void event_stop(int event, uint64_t msg, struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	if (!l)
		return;
	l->eventmsg = msg;
	trap_stop(t->pt, PT_STOP_EVENT, SIGTRAP | (event << 8), regs);
}

/* The kernel record of a siginfo the tracer may have rewritten. */
static void info_from_si(const struct linux_siginfo *si, int sig, struct sig_info_k *out)
{
	*out = (struct sig_info_k){si->code, 0, 0, 0, 0, 0};
	bool fault = si->code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP);
	if (fault) {
		out->value = si->w[0];
		return;
	}
	out->pid = (int32_t)(uint32_t)si->w[0];
	out->uid = (uint32_t)(si->w[0] >> 32);
	if (sig == SIGCHLD && si->code > 0)
		out->status = (int32_t)(uint32_t)si->w[1];
	else
		out->value = si->w[1];
}

int ptrace_signal_stop(struct fw_uregs *regs, int sig, struct sig_info_k *info)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	if (!l)
		return sig;
	struct ptlink_ref lr = t->pt;
	record_regs(l, regs);
	signal_fill_siginfo(&l->si, sig, info);
	l->has_siginfo = true;
	int32_t nsig = do_stop(lr, PT_STOP_SIGNAL, sig);
	l = ptlink_get(lr);
	if (l) {
		apply_regs(l, regs);
		set_step_flag(l, regs);
		if (nsig == sig)
			info_from_si(&l->si, sig, info);
	}
	struct proc *tracer = l ? proc_get(l->tracer) : NULL;
	finish_stop(lr);
	if (nsig <= 0 || nsig > NSIG)
		return 0;
	if (nsig != sig)
		*info = (struct sig_info_k){SI_USER, tracer ? tracer->pid : 0, tracer ? tracer->uid : 0, 0, 0, 0};
	t = cur_thread();
	if (t->sig_mask & sig_bit(nsig)) {
		/* blocked now: queue it again for later */
		(void)signal_send_thread_info(cur_thread_ref(), nsig, info);
		return 0;
	}
	return nsig;
}

bool ptrace_return_work(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	if (!l)
		return false;
	struct ptlink_ref lr = t->pt;
	struct proc *p = cur_proc();
	int32_t code = 0;
	if (p->stopped && !l->gstop_done) {
		l->gstop_done = true;
		code = p->stop_sig | (l->seized ? PTRACE_EVENT_STOP << 8 : 0);
	} else if (l->trap_pending && l->seized) {
		code = (p->stopped ? p->stop_sig : SIGTRAP) | (PTRACE_EVENT_STOP << 8);
	} else {
		l->trap_pending = false;
		return true;
	}
	l->trap_pending = false;
	record_regs(l, regs);
	if (l->seized)
		fill_trap_siginfo(l, code); /* PTRACE_EVENT_STOP: signo, code signo | EVENT_STOP << 8 */
	else
		l->has_siginfo = false; /* a legacy group-stop has none (EINVAL) */
	(void)do_stop(lr, PT_STOP_GROUP, code);
	l = ptlink_get(lr);
	if (l) {
		apply_regs(l, regs);
		set_step_flag(l, regs);
	}
	finish_stop(lr);
	return true;
}

void ptrace_continued(struct proc *p)
{
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		struct ptlink *l = ptrace_link_of(thread_get(c));
		if (l)
			l->gstop_done = false;
	}
}

bool ptrace_syscall_entry(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	if (!l)
		return true;
	struct ptlink_ref lr = t->pt;
	record_regs(l, regs);
	l->orig_rax = regs->rax;
	l->regs.rax = (uint64_t)(int64_t)-ENOSYS;
	l->in_syscall = true;
	l->sc_exit_pending = false;
	uint32_t m = l->resume_mode;
	bool emu = m == PT_RESUME_SYSEMU || m == PT_RESUME_SYSEMU_STEP;
	if (m != PT_RESUME_SYSCALL && !emu)
		return true;
	int32_t code = SIGTRAP | ((l->options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
	l->sc_exit_pending = !emu;
	trap_stop(lr, PT_STOP_SC_ENTER, code, NULL);
	l = ptlink_get(lr);
	if (!l) {
		/* detached in the stop: run the call as it was */
		return true;
	}
	*regs = l->regs;
	if (l->fs_base != fw_task_fs_base())
		(void)fw_task_set_fs_base(l->fs_base);
	set_step_flag(l, regs);
	uint64_t nr = l->orig_rax;
	if (emu || (int64_t)nr < 0) {
		l->in_syscall = emu ? false : l->in_syscall;
		return false; /* skipped: rax keeps what the tracer left (-ENOSYS) */
	}
	regs->rax = nr;
	return true;
}

void ptrace_user_fault(void)
{
	struct ptlink *l = ptrace_link_of(cur_thread());
	if (l)
		l->orig_rax = (uint64_t)-1;
}

void ptrace_syscall_exit(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	if (!l || !l->in_syscall)
		return;
	struct ptlink_ref lr = t->pt;
	l->in_syscall = false;
	l->sc_rval = (int64_t)regs->rax;
	if (t->pt_exec_event) {
		t->pt_exec_event = false;
		if (l->options & PTRACE_O_TRACEEXEC) {
			event_stop(PTRACE_EVENT_EXEC, (uint64_t)(int64_t)t->pt_exec_old_tid, regs);
		} else if (!l->seized) {
			struct sig_info_k i = {SI_USER, 0, 0, 0, 0, 0};
			(void)signal_send_thread_info(cur_thread_ref(), SIGTRAP, &i);
		}
		l = ptlink_get(lr);
		if (!l)
			return;
	}
	if (l->sc_exit_pending && l->resume_mode == PT_RESUME_SYSCALL) {
		l->sc_exit_pending = false;
		int32_t code = SIGTRAP | ((l->options & PTRACE_O_TRACESYSGOOD) ? 0x80 : 0);
		trap_stop(lr, PT_STOP_SC_EXIT, code, regs);
		l = ptlink_get(lr);
		if (!l)
			return;
	}
	set_step_flag(l, regs);
	if (l->stepping && (l->resume_mode == PT_RESUME_STEP)) {
		/* Linux reports a step over a system call at its end. */
		struct sig_info_k i = {TRAP_BRKPT, 0, 0, 0, regs->rip, 0};
		(void)signal_send_thread_info(cur_thread_ref(), SIGTRAP, &i);
	}
}

void ptrace_clone_event(struct thread_ref ctr, uint64_t flags)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	struct thread *c = thread_get(ctr);
	if (!l || !c)
		return;
	int event = PTRACE_EVENT_FORK;
	uint32_t opt = PTRACE_O_TRACEFORK;
	if (flags & CLONE_VFORK) {
		event = PTRACE_EVENT_VFORK;
		opt = PTRACE_O_TRACEVFORK;
	} else if ((flags & 0xff) != SIGCHLD) {
		event = PTRACE_EVENT_CLONE;
		opt = PTRACE_O_TRACECLONE;
	}
	if (!(l->options & opt))
		return;
	int32_t ctid = c->tid;
	if (new_link(ctr, l->tracer, l->seized, l->options) == 0) {
		l = ptrace_link_of(cur_thread());
		struct ptlink *cl = ptrace_link_of(thread_get(ctr));
		if (l->seized) {
			cl->trap_pending = true;
		} else {
			struct sig_info_k i = {SI_USER, 0, 0, 0, 0, 0};
			(void)signal_send_thread_info(ctr, SIGSTOP, &i);
		}
	}
	event_stop(event, (uint64_t)ctid, NULL);
}

void ptrace_vfork_done(int32_t child_pid)
{
	struct ptlink *l = ptrace_link_of(cur_thread());
	if (l && (l->options & PTRACE_O_TRACEVFORKDONE))
		event_stop(PTRACE_EVENT_VFORK_DONE, (uint64_t)child_pid, NULL);
}

void ptrace_exec_event(int32_t old_tid)
{
	struct thread *t = cur_thread();
	if (!ptrace_link_of(t))
		return;
	t->pt_exec_event = true;
	t->pt_exec_old_tid = old_tid;
}

void ptrace_exit_event(int32_t wstatus)
{
	struct thread *t = cur_thread();
	struct ptlink *l = ptrace_link_of(t);
	struct proc *p = cur_proc();
	if (!l || !(l->options & PTRACE_O_TRACEEXIT) || p->sigkilled)
		return;
	t->pt_exit_stop = true;
	event_stop(PTRACE_EVENT_EXIT, (uint64_t)(int64_t)wstatus, NULL);
	t = cur_thread();
	t->pt_exit_stop = false;
}

void ptrace_thread_gone(struct thread_ref tr, int32_t wstatus, bool last)
{
	struct thread *t = thread_get(tr);
	struct ptlink *l = ptrace_link_of(t);
	if (!l)
		return;
	struct ptlink_ref lr = t->pt;
	struct proc *p = proc_get(t->proc);
	if (!proc_get(l->tracer) || (last && p && proc_ref_same(l->tracer, p->parent))) {
		drop_link(lr); /* the parent reaps it as its child */
		return;
	}
	t->pt = (struct ptlink_ref){0, 0};
	l->tracee = (struct thread_ref){0, 0};
	l->state = PT_DEAD;
	l->exit_code = wstatus;
	l->report = true;
	if (pt_global()->live)
		pt_global()->live--;
	if (last && p)
		p->pt_hold = true;
	int32_t si_status;
	int32_t code = proc_status_code(wstatus, &si_status);
	notify_tracer(l, code, si_status);
}

void ptrace_tracer_exit(struct proc_ref pr)
{
	struct proc *me = proc_get(pr);
	while (me && ptlink_ref_valid(me->first_tracee)) {
		struct ptlink_ref lr = me->first_tracee;
		struct ptlink *l = ptlink_get(lr);
		if (l->state == PT_DEAD) {
			struct proc_ref tp = l->tracee_proc;
			drop_link(lr);
			struct proc *p = proc_get(tp);
			if (p && p->pt_hold)
				proc_zombie_unhold(tp);
		} else {
			if (l->options & PTRACE_O_EXITKILL)
				proc_kill(l->tracee_proc, SIGKILL);
			(void)ptrace_detach(lr, 0);
		}
		me = proc_get(pr);
	}
}

static bool link_matches(const struct proc *me, const struct ptlink *l, int32_t idtype, int32_t id)
{
	const struct proc *p = proc_get(l->tracee_proc);
	switch (idtype) {
	case 1: /* P_PID */
		return l->tid == id;
	case 2: /* P_PGID */
		return p && p->pgid == (id ? id : me->pgid);
	default:
		return true;
	}
}

#define WEXITED 4
#define WNOWAIT 0x01000000

int ptrace_wait_scan(struct proc_ref mer, int32_t idtype, int32_t id, uint32_t options, struct wait_result *out)
{
	struct proc *me = proc_get(mer);
	bool any = false;
	for (struct ptlink_ref lr = me ? me->first_tracee : (struct ptlink_ref){0, 0}; ptlink_ref_valid(lr);) {
		struct ptlink *l = ptlink_get(lr);
		struct ptlink_ref next = l->next;
		if (!link_matches(me, l, idtype, id)) {
			lr = next;
			continue;
		}
		any = true;
		struct proc *p = proc_get(l->tracee_proc);
		uint32_t uid = p ? p->uid : 0;
		if (l->state == PT_DEAD && l->report && (options & WEXITED)) {
			*out = (struct wait_result){l->tid, l->exit_code, 0, 0, uid, 0, 0, 0};
			out->code = proc_status_code(l->exit_code, &out->si_status);
			if (!(options & WNOWAIT)) {
				struct proc_ref tp = l->tracee_proc;
				drop_link(lr);
				p = proc_get(tp);
				if (p && p->pt_hold)
					proc_zombie_unhold(tp);
			}
			return 1;
		}
		if (l->state == PT_STOPPED && l->report) {
			*out = (struct wait_result){l->tid, (l->exit_code << 8) | 0x7f, CLD_TRAPPED, l->exit_code, uid, 0, 0, 0};
			if (!(options & WNOWAIT))
				l->report = false;
			return 1;
		}
		lr = next;
	}
	return any ? 0 : -ECHILD;
}
