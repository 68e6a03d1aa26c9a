/* Signal delivery: the x86-64 rt signal frame, rt_sigreturn, syscall
 * restart. Layer: services (safe C). Trusts the framework to sanitise the
 * user register frame before returning to user mode (so any value restored
 * from user memory is harmless) and to validate an FPU image on load.
 *
 * Frame layout (as Linux): below the interrupted rsp (minus the 128-byte
 * red zone, or at the top of the alternate stack) the XSAVE image, 64-byte
 * aligned; below it struct rt_sigframe {pretcode, ucontext, siginfo} with
 * rsp % 16 == 8 at handler entry, as after a call. */
#include "proc/signal.h"
#include <fw/log.h>
#include <fw/user.h>

#define MAX_NESTED 8

void signal_fill_siginfo(struct linux_siginfo *si, int sig, const struct sig_info_k *info)
{
	*si = (struct linux_siginfo){0};
	si->signo = sig;
	si->code = info->code;
	bool fault = info->code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
					 sig == SIGTRAP);
	if (fault) {
		si->w[0] = info->value;
		return;
	}
	si->w[0] = (uint64_t)(uint32_t)info->pid | ((uint64_t)info->uid << 32);
	if (sig == SIGCHLD && info->code > 0)
		si->w[1] = (uint64_t)(uint32_t)info->status;
	else
		si->w[1] = info->value;
}

static bool is_restart_code(int64_t v)
{
	return v == -ERESTARTSYS || v == -ERESTARTNOINTR || v == -ERESTARTNOHAND || v == -ERESTART_RESTARTBLOCK;
}

/* Only a restart code leaves work for the way out, so every other return
 * skips the thread lookup: restart_err is already 0 (each return that
 * follows a restart runs the delivery path, which clears it). rt_sigreturn
 * hands back a saved rax, which is no restart request whatever its value
 * (Linux forgets orig_ax there too). */
void signal_syscall_done(struct fw_uregs *regs, uint64_t nr)
{
	if (nr == 15 || !is_restart_code((int64_t)regs->rax))
		return;
	struct thread *t = cur_thread();
	if (!t)
		return;
	t->restart_err = (int32_t)(int64_t)regs->rax;
	t->orig_rax = nr;
	fw_task_want_return_upcall();
}

int64_t signal_restart_block(uint32_t kind, uint64_t deadline, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	struct thread *t = cur_thread();
	t->restart = (struct restart_block){kind, deadline, {a, b, c, d}};
	return -ERESTART_RESTARTBLOCK;
}

static bool on_altstack(const struct thread *t, uint64_t sp)
{
	return t->ss_size && sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
}

static int32_t altstack_flags(const struct thread *t, uint64_t sp)
{
	if (!t->ss_size || (t->ss_flags & SS_DISABLE))
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

static void save_regs(struct linux_sigcontext *mc, const struct fw_uregs *r)
{
	mc->r8 = r->r8, mc->r9 = r->r9, mc->r10 = r->r10, mc->r11 = r->r11;
	mc->r12 = r->r12, mc->r13 = r->r13, mc->r14 = r->r14, mc->r15 = r->r15;
	mc->rdi = r->rdi, mc->rsi = r->rsi, mc->rbp = r->rbp, mc->rbx = r->rbx;
	mc->rdx = r->rdx, mc->rax = r->rax, mc->rcx = r->rcx, mc->rsp = r->rsp;
	mc->rip = r->rip, mc->eflags = r->rflags;
	mc->cs = (uint16_t)r->cs, mc->ss = (uint16_t)r->ss;
}

static void load_regs(struct fw_uregs *r, const struct linux_sigcontext *mc)
{
	r->r8 = mc->r8, r->r9 = mc->r9, r->r10 = mc->r10, r->r11 = mc->r11;
	r->r12 = mc->r12, r->r13 = mc->r13, r->r14 = mc->r14, r->r15 = mc->r15;
	r->rdi = mc->rdi, r->rsi = mc->rsi, r->rbp = mc->rbp, r->rbx = mc->rbx;
	r->rdx = mc->rdx, r->rax = mc->rax, r->rcx = mc->rcx, r->rsp = mc->rsp;
	r->rip = mc->rip;
	/* only the user-changeable flags come back (the framework masks too) */
	r->rflags = (r->rflags & ~0x254dd5ULL) | (mc->eflags & 0x254dd5ULL);
}

uint64_t signal_min_stack(void)
{
	/* what setup_frame below needs at most: the FPU state aligned to 64,
	 * the frame aligned to 16, plus the return-address slot */
	return FW_ALIGN_UP((uint64_t)fw_fpu_state_size() + 4, 64) + 64 + sizeof(struct linux_rt_sigframe) + 16 + 8;
}

/* Build the frame for handler `a` of signal sig; 0 or -EFAULT. */
static int setup_frame(struct fw_uregs *regs, int sig, const struct sig_info_k *info, const struct sigaction_k *a,
		       uint64_t oldmask)
{
	struct thread *t = cur_thread();
	uint64_t sp = regs->rsp;
	if ((a->flags & SA_ONSTACK) && altstack_flags(t, sp) == 0)
		sp = t->ss_sp + t->ss_size;
	else
		sp -= 128;
	uint64_t fpsz = fw_fpu_state_size();
	sp = (sp - fpsz - 4) & ~63ULL;
	uint64_t fpaddr = sp;
	sp -= sizeof(struct linux_rt_sigframe);
	sp = (sp & ~15ULL) - 8;
	struct linux_rt_sigframe f = {0};
	f.pretcode = a->restorer;
	f.uc.uc_flags = 0x6; /* UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS */
	f.uc.uc_stack.ss_sp = t->ss_sp;
	f.uc.uc_stack.ss_size = t->ss_size;
	f.uc.uc_stack.ss_flags = altstack_flags(t, regs->rsp);
	save_regs(&f.uc.uc_mcontext, regs);
	f.uc.uc_mcontext.fpstate = fpaddr;
	f.uc.uc_mcontext.oldmask = oldmask;
	if (info->code > 0 && (sig == SIGSEGV || sig == SIGBUS)) {
		f.uc.uc_mcontext.cr2 = info->value;
		f.uc.uc_mcontext.trapno = t->fault_trapno;
		f.uc.uc_mcontext.err = t->fault_err;
	}
	f.uc.uc_sigmask = oldmask;
	signal_fill_siginfo(&f.info, sig, info);
	if (fw_fpu_save_to_user(fw_uaddr(fpaddr)))
		return -EFAULT;
	if (fw_copy_to_user(fw_uaddr(sp), &f))
		return -EFAULT;
	regs->rdi = (uint64_t)sig;
	regs->rsi = sp + 8 + sizeof(struct linux_ucontext);
	regs->rdx = sp + 8;
	regs->rax = 0;
	regs->rip = a->handler;
	regs->rsp = sp;
	regs->rflags &= ~(0x400ULL | 0x100ULL | 0x10000ULL); /* DF, TF, RF */
	return 0;
}

/* Resolve a pending syscall restart before a handler runs (or, with
 * handler false, when no handler ran). Linux's rules: ERESTARTSYS restarts
 * unless a handler without SA_RESTART runs; ERESTARTNOHAND and
 * ERESTART_RESTARTBLOCK give EINTR whenever a handler runs, whatever
 * SA_RESTART says; ERESTARTNOINTR always restarts. A restart backs rip over
 * the 2-byte syscall instruction; the restart block resumes through
 * restart_syscall(2) with the time left instead of the original call. */
static void finish_restart(struct fw_uregs *regs, struct thread *t, bool handler, uint64_t flags)
{
	int32_t e = t->restart_err;
	if (!e)
		return;
	t->restart_err = 0;
	bool eintr = handler && e != -ERESTARTNOINTR && (e != -ERESTARTSYS || !(flags & SA_RESTART));
	if (eintr) {
		regs->rax = (uint64_t)(int64_t)-EINTR;
		return;
	}
	regs->rax = e == -ERESTART_RESTARTBLOCK ? SYS_RESTART_SYSCALL : t->orig_rax;
	regs->rip -= 2;
}

/* Run the action of one dequeued signal. Returns true if a handler frame
 * was set up. */
static bool handle_one(struct fw_uregs *regs, int sig, const struct sig_info_k *info)
{
	struct proc *p = cur_proc();
	struct sigaction_k a = p->sigact[sig - 1];
	if (sig == SIGKILL)
		signal_die(sig);
	if (a.handler == SIG_IGN)
		return false;
	if (a.handler == SIG_DFL) {
		if (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT)
			return false;
		if (sig_is_stop(sig)) {
			signal_stop(sig);
			return false;
		}
		signal_die(sig);
	}
	struct thread *t = cur_thread();
	finish_restart(regs, t, true, a.flags);
	uint64_t oldmask = t->restore_mask ? t->saved_mask : t->sig_mask;
	t->restore_mask = false;
	if (setup_frame(regs, sig, info, &a, oldmask)) {
		/* No room for the frame: Linux forces SIGSEGV (force_sigsegv).
		 * For another signal it is an ordinary forced SIGSEGV (its own
		 * handler runs, on its own stack); for SIGSEGV itself, death.
		 * The signal that could not be delivered is lost. */
		if (sig == SIGSEGV)
			signal_die(SIGSEGV);
		signal_force_fault(regs, SIGSEGV, SI_KERNEL, 0);
		return false;
	}
	t = cur_thread();
	t->sig_mask = oldmask | a.mask;
	if (!(a.flags & SA_NODEFER))
		t->sig_mask |= sig_bit(sig);
	t->sig_mask &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	if (a.flags & SA_RESETHAND) {
		p = cur_proc();
		p->sigact[sig - 1].handler = SIG_DFL; /* the flags stay, as on Linux */
		share_publish_sigact(cur_proc_ref());
	}
	return true;
}

void signal_deliver(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	if (!t)
		return;
	fw_task_clear_interrupt();
	for (int n = 0; n < MAX_NESTED; n++) {
		t = cur_thread();
		if (t->exiting)
			thread_exit(0);
		if (cur_proc()->stopped) {
			signal_wait_stopped();
			continue;
		}
		uint64_t allowed = ~t->sig_mask | sig_bit(SIGKILL) | sig_bit(SIGSTOP);
		struct sig_info_k info;
		int sig = signal_dequeue(allowed, &info);
		if (sig == 0)
			break;
		(void)handle_one(regs, sig, &info);
	}
	t = cur_thread();
	if (t->exiting)
		thread_exit(0);
	finish_restart(regs, t, false, 0);
	if (t->restore_mask) {
		t->restore_mask = false;
		t->sig_mask = t->saved_mask;
	}
	/* Signals left (more than MAX_NESTED, or unblocked by the restored
	 * mask) wait for the next return, as before the return work flag. */
	struct proc *p = cur_proc();
	if (p && signal_pending_in(t, p))
		fw_task_want_return_upcall();
}

void signal_return_to_user(struct fw_uregs *regs, struct thread *t)
{
	if (t->set_child_tid) {
		int32_t tid = t->tid;
		(void)fw_copy_to_user(fw_uaddr(t->set_child_tid), &tid);
		t = cur_thread();
		t->set_child_tid = 0;
	}
	cpu_timers_check(); /* CPU-time timers only advance while we run */
	t = cur_thread();
	struct proc *p = proc_get(t->proc);
	if (t->restart_err || t->restore_mask || (p && signal_pending_in(t, p)))
		signal_deliver(regs);
}

int64_t signal_sigreturn(struct fw_uregs *regs)
{
	struct linux_ucontext uc;
	uint64_t ucaddr = regs->rsp; /* the handler's ret popped pretcode */
	if (fw_copy_from_user(&uc, fw_uaddr(ucaddr)))
		signal_die(SIGSEGV);
	struct thread *t = cur_thread();
	t->sig_mask = uc.uc_sigmask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	t->restart_err = 0;
	t->restart.kind = RESTART_NONE;
	fw_task_want_return_upcall(); /* the restored mask may unblock a pending signal */
	load_regs(regs, &uc.uc_mcontext);
	if (uc.uc_mcontext.fpstate && fw_fpu_load_from_user(fw_uaddr(uc.uc_mcontext.fpstate)))
		signal_die(SIGSEGV);
	/* The dispatcher stores our return value in rax: give back the
	 * interrupted context's rax. */
	return (int64_t)uc.uc_mcontext.rax;
}

void signal_restore_mask_later(uint64_t saved)
{
	struct thread *t = cur_thread();
	t->saved_mask = saved;
	t->restore_mask = true;
	fw_task_want_return_upcall();
}
