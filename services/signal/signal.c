/* Signals: generation and default actions. Layer: services (safe C).
 * Handlers are recorded by rt_sigaction; a pending signal whose action is
 * the default terminates, stops or is ignored as Linux does. */
#include "signal/signal.h"
#include <fw/log.h>

static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static bool ignored(struct proc *p, int sig)
{
	uint64_t h = p->sigact[sig - 1].handler;
	return h == SIG_IGN || (h == SIG_DFL && default_ignored(sig));
}

int signal_send_proc(struct proc_ref pr, int sig)
{
	struct proc *p = proc_get(pr);
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	if (sig == 0)
		return 0;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (sig != SIGKILL && ignored(p, sig))
		return 0;
	p->sig_pending |= sig_bit(sig);
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		struct thread *t = thread_get(c);
		if (sig == SIGKILL || !(t->sig_mask & sig_bit(sig))) {
			(void)fw_task_interrupt(t->task);
			break;
		}
	}
	return 0;
}

int signal_send_thread(struct thread_ref tr, int sig)
{
	struct thread *t = thread_get(tr);
	if (!t)
		return -ESRCH;
	if (sig == 0)
		return 0;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	struct proc *p = proc_get(t->proc);
	if (sig != SIGKILL && ignored(p, sig))
		return 0;
	t->sig_pending |= sig_bit(sig);
	if (sig == SIGKILL || !(t->sig_mask & sig_bit(sig)))
		(void)fw_task_interrupt(t->task);
	return 0;
}

void proc_signal_parent_exit(struct proc_ref child)
{
	struct proc *c = proc_get(child);
	if (c)
		(void)signal_send_proc(c->parent, SIGCHLD);
}

bool signal_pending_current(void)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	return t && p && (((t->sig_pending | p->sig_pending) & ~t->sig_mask) != 0 || t->exiting);
}

FW_NORETURN static void die_by_signal(int sig)
{
	proc_exit_group(sig & 0x7f);
}

void signal_force_fault(struct fw_uregs *regs, int sig, int32_t si_code, uint64_t addr)
{
	struct proc *p = cur_proc();
	uint64_t h = p->sigact[sig - 1].handler;
	if (h == SIG_DFL || h == SIG_IGN || (cur_thread()->sig_mask & sig_bit(sig)))
		die_by_signal(sig);
	/* Handler frames arrive with the signal-delivery work (issue 4). */
	die_by_signal(sig);
}

void signal_deliver(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	if (!t)
		return;
	if (t->exiting)
		thread_exit(0);
	struct proc *p = proc_get(t->proc);
	uint64_t pend = (t->sig_pending | p->sig_pending) & ~(t->sig_mask & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP)));
	fw_task_clear_interrupt();
	for (int sig = 1; pend && sig <= NSIG; sig++) {
		if (!(pend & sig_bit(sig)))
			continue;
		t->sig_pending &= ~sig_bit(sig);
		p->sig_pending &= ~sig_bit(sig);
		pend &= ~sig_bit(sig);
		if (ignored(p, sig) && sig != SIGKILL)
			continue;
		uint64_t h = p->sigact[sig - 1].handler;
		if (h == SIG_DFL || sig == SIGKILL)
			die_by_signal(sig);
		/* Installed handlers: delivered once signal frames land. */
	}
}
