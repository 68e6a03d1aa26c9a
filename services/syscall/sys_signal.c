/* Signal system calls: actions, masks, waiting for signals, sending,
 * alternate stacks, sigreturn, alarm and ITIMER_REAL. Layer: services
 * (safe C). Arguments are decoded and checked first, then acted on. */
#include "proc/signal.h"
#include "syscall/syscall.h"
#include <fw/time.h>

#define UNBLOCKABLE (sig_bit(SIGKILL) | sig_bit(SIGSTOP))

int64_t sys_rt_sigaction(struct fw_uregs *r)
{
	int sig = (int)a0(r);
	if (sig < 1 || sig > NSIG || a3(r) != 8)
		return -EINVAL;
	if (a1(r) && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct sigaction_k k;
	if (a1(r) && fw_copy_from_user(&k, fw_uaddr(a1(r))))
		return -EFAULT;
	struct proc *p = cur_proc();
	if (a2(r)) {
		struct sigaction_k old = p->sigact[sig - 1];
		if (fw_copy_to_user(fw_uaddr(a2(r)), &old))
			return -EFAULT;
		p = cur_proc();
	}
	if (!a1(r))
		return 0;
	k.mask &= ~UNBLOCKABLE;
	p->sigact[sig - 1] = k;
	share_publish_sigact(cur_proc_ref()); /* CLONE_SIGHAND sharers */
	/* Setting an action to ignore discards the pending signal. */
	if (sig_ignored(p, sig)) {
		p->sig_pending &= ~sig_bit(sig);
		signal_flush_queue(&p->rtq, &p->rtq_len, sig);
		for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
			struct thread *t = thread_get(c);
			t->sig_pending &= ~sig_bit(sig);
			signal_flush_queue(&t->rtq, &t->rtq_len, sig);
		}
	}
	return 0;
}

int64_t sys_rt_sigprocmask(struct fw_uregs *r)
{
	if (a3(r) != 8)
		return -EINVAL;
	uint64_t set = 0;
	if (a1(r)) {
		if (a0(r) > 2)
			return -EINVAL;
		if (fw_copy_from_user(&set, fw_uaddr(a1(r))))
			return -EFAULT;
		set &= ~UNBLOCKABLE;
	}
	struct thread *t = cur_thread();
	uint64_t old = t->sig_mask;
	if (a2(r) && fw_copy_to_user(fw_uaddr(a2(r)), &old))
		return -EFAULT;
	if (!a1(r))
		return 0;
	t = cur_thread();
	switch (a0(r)) {
	case 0:
		t->sig_mask |= set;
		break;
	case 1:
		t->sig_mask &= ~set;
		break;
	default:
		t->sig_mask = set;
		break;
	}
	fw_task_want_return_upcall(); /* a pending signal may be unblocked now */
	return 0;
}

int64_t sys_rt_sigreturn(struct fw_uregs *r) { return signal_sigreturn(r); }

/* Resume the sleep recorded in the restart block; with none, -EINTR (as
 * Linux's do_no_restart_syscall). */
int64_t sys_restart_syscall(struct fw_uregs *r)
{
	(void)r;
	struct thread *t = cur_thread();
	struct restart_block b = t->restart;
	t->restart.kind = RESTART_NONE;
	switch (b.kind) {
	case RESTART_NANOSLEEP:
		return nanosleep_resume(&b);
	case RESTART_POLL:
		return poll_resume(&b);
	case RESTART_FUTEX:
		return futex_resume(&b);
	default:
		return -EINTR;
	}
}

int64_t sys_rt_sigpending(struct fw_uregs *r)
{
	if (a1(r) > 8)
		return -EINVAL;
	struct thread *t = cur_thread();
	uint64_t pend = (t->sig_pending | cur_proc()->sig_pending) & t->sig_mask;
	return fw_copy_to_user_n(fw_uaddr(a0(r)), &pend, a1(r)) ? -EFAULT : 0;
}

/* Sleep until a signal may be pending (or the deadline passes). */
static int sleep_for_signal(uint64_t deadline)
{
	struct proc *p = cur_proc();
	return fw_waitq_wait(p->stop_wait, deadline, true);
}

int64_t sys_rt_sigsuspend(struct fw_uregs *r)
{
	if (a1(r) != 8)
		return -EINVAL;
	uint64_t set;
	if (fw_copy_from_user(&set, fw_uaddr(a0(r))))
		return -EFAULT;
	struct thread *t = cur_thread();
	t->saved_mask = t->sig_mask;
	t->restore_mask = true;
	t->sig_mask = set & ~UNBLOCKABLE;
	fw_task_clear_interrupt();
	while (!signal_pending_current())
		(void)sleep_for_signal(0);
	return -ERESTARTNOHAND; /* a stop and continue goes back to sleep */
}

int64_t sys_pause(struct fw_uregs *r)
{
	fw_task_clear_interrupt();
	while (!signal_pending_current())
		(void)sleep_for_signal(0);
	return -ERESTARTNOHAND;
}

int64_t sys_rt_sigtimedwait(struct fw_uregs *r)
{
	if (a3(r) != 8)
		return -EINVAL;
	uint64_t set;
	if (fw_copy_from_user(&set, fw_uaddr(a0(r))))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	uint64_t deadline = 0;
	if (a2(r)) {
		uint64_t ns;
		int e = timespec_from_user(a2(r), &ns);
		if (e)
			return e;
		uint64_t now = fw_time_monotonic_ns();
		deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	}
	fw_task_clear_interrupt();
	for (;;) {
		struct sig_info_k info;
		int sig = signal_dequeue(set, &info);
		if (sig) {
			struct linux_siginfo si;
			signal_fill_siginfo(&si, sig, &info);
			if (a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &si))
				return -EFAULT;
			return sig;
		}
		if (signal_pending_current())
			return -EINTR;
		if (deadline && fw_time_monotonic_ns() >= deadline)
			return -EAGAIN;
		/* Let the waited-for signals wake us while we sleep. */
		struct thread *t = cur_thread();
		uint64_t mask = t->sig_mask;
		t->real_blocked = mask;
		t->sig_mask &= ~set;
		int e = sleep_for_signal(deadline);
		t = cur_thread();
		t->sig_mask = mask;
		t->real_blocked = 0;
		fw_task_want_return_upcall();
		if (e == -EINTR)
			fw_task_clear_interrupt();
	}
}

int64_t sys_sigaltstack(struct fw_uregs *r)
{
	struct thread *t = cur_thread();
	uint64_t sp = r->rsp;
	bool on = t->ss_size && sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
	struct linux_stack old = {t->ss_sp, 0, 0, t->ss_size};
	old.ss_flags = !t->ss_size ? SS_DISABLE : on ? SS_ONSTACK : 0;
	if (a0(r)) {
		struct linux_stack ns;
		if (fw_copy_from_user(&ns, fw_uaddr(a0(r))))
			return -EFAULT;
		if (on)
			return -EPERM;
		int32_t mode = ns.ss_flags & ~(int32_t)0x80000000; /* SS_AUTODISARM */
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ns.ss_sp = 0;
			ns.ss_size = 0;
		} else if (ns.ss_size < MINSIGSTKSZ) {
			return -ENOMEM;
		}
		t = cur_thread();
		t->ss_sp = ns.ss_sp;
		t->ss_size = ns.ss_size;
		t->ss_flags = (uint32_t)ns.ss_flags;
	}
	if (a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &old))
		return -EFAULT;
	return 0;
}

static struct sig_info_k sender_info(int32_t code)
{
	struct proc *me = cur_proc();
	struct sig_info_k i = {code, me->pid, me->uid, 0, 0};
	return i;
}

/* kill and rt_sigqueueinfo name a process by any of its thread ids, as
 * Linux (the signal goes to the whole process). Zero ref if none. */
static struct proc_ref proc_of_id(int32_t id)
{
	struct proc_ref pr = proc_by_pid(id);
	struct proc *p = proc_get(pr);
	if (p && p->pid == id)
		return pr;
	struct thread *t = thread_get(pid_lookup(id));
	return t && t->tid == id ? t->proc : (struct proc_ref){0};
}

int64_t sys_kill(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	int sig = (int)a1(r);
	struct sig_info_k info = sender_info(SI_USER);
	if (pid > 0) {
		struct proc_ref pr = proc_of_id(pid);
		if (!proc_get(pr))
			return -ESRCH; /* Linux looks the process up before the signal */
		int e = signal_may_kill(pr, sig);
		return e ? e : signal_send_proc_info(pr, sig, &info);
	}
	if (pid == -1)
		return signal_kill_pgrp(0, sig, &info, true);
	if (pid == -2147483647 - 1)
		return -ESRCH;
	int32_t pgid = pid == 0 ? cur_proc()->pgid : -pid;
	return signal_kill_pgrp(pgid, sig, &info, false);
}

static int64_t send_tid(int32_t tgid, int32_t tid, int sig)
{
	struct thread *t = thread_get(pid_lookup(tid));
	if (!t || t->tid != tid)
		return -ESRCH;
	struct proc *p = proc_get(t->proc);
	if (tgid > 0 && (!p || p->pid != tgid))
		return -ESRCH;
	int e = signal_may_kill(t->proc, sig);
	if (e)
		return e;
	struct sig_info_k info = sender_info(SI_TKILL);
	return signal_send_thread_info(pid_lookup(tid), sig, &info);
}

int64_t sys_tkill(struct fw_uregs *r)
{
	if ((int32_t)a0(r) <= 0)
		return -EINVAL;
	return send_tid(0, (int32_t)a0(r), (int)a1(r));
}

int64_t sys_tgkill(struct fw_uregs *r)
{
	if ((int32_t)a0(r) <= 0 || (int32_t)a1(r) <= 0)
		return -EINVAL;
	return send_tid((int32_t)a0(r), (int32_t)a1(r), (int)a2(r));
}

static int queueinfo(int32_t pid, int32_t tid, int sig, uint64_t uinfo)
{
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct linux_siginfo si;
	if (fw_copy_from_user(&si, fw_uaddr(uinfo)))
		return -EFAULT;
	/* only to oneself (Linux compares with the caller's thread id) */
	if ((si.code >= 0 || si.code == SI_TKILL) && pid != cur_thread()->tid)
		return -EPERM;
	struct sig_info_k info = {si.code, (int32_t)(uint32_t)si.w[0], (uint32_t)(si.w[0] >> 32), 0, si.w[1]};
	if (tid) {
		struct thread *t = thread_get(pid_lookup(tid));
		if (!t || t->tid != tid || proc_get(t->proc)->pid != pid)
			return -ESRCH;
		int e = signal_may_kill(t->proc, sig);
		return e ? e : signal_send_thread_info(pid_lookup(tid), sig, &info);
	}
	struct proc_ref pr = proc_of_id(pid);
	if (!proc_get(pr))
		return -ESRCH;
	int e = signal_may_kill(pr, sig);
	return e ? e : signal_send_proc_info(pr, sig, &info);
}

int64_t sys_rt_sigqueueinfo(struct fw_uregs *r) { return queueinfo((int32_t)a0(r), 0, (int)a1(r), a2(r)); }

int64_t sys_rt_tgsigqueueinfo(struct fw_uregs *r)
{
	if ((int32_t)a0(r) <= 0 || (int32_t)a1(r) <= 0)
		return -EINVAL;
	return queueinfo((int32_t)a0(r), (int32_t)a1(r), (int)a2(r), a3(r));
}

/* ITIMER_REAL: one framework timer per process, created on first use;
 * its callback runs in a framework worker task and sends SIGALRM. */
static uint64_t proc_cookie(struct proc_ref p) { return ((uint64_t)p.idx << 32) | p.gen; }

static void alarm_fire(uint64_t cookie)
{
	struct proc_ref pr = {(uint32_t)(cookie >> 32), (uint32_t)cookie};
	struct sig_info_k info = {SI_KERNEL, 0, 0, 0, 0};
	(void)signal_send_proc_info(pr, SIGALRM, &info);
}

static int alarm_timer(struct proc *p)
{
	if (p->alarm_timer.gen)
		return 0;
	return fw_timer_create(alarm_fire, proc_cookie(cur_proc_ref()), &p->alarm_timer) ? -ENOMEM : 0;
}

static void itimer_get(struct proc *p, struct linux_itimerval *out)
{
	uint64_t rem = 0, period = 0;
	if (p->alarm_timer.gen)
		(void)fw_timer_get(p->alarm_timer, &rem, &period);
	if (rem == 0 && p->alarm_timer.gen)
		period = 0;
	*out = (struct linux_itimerval){{(int64_t)(period / 1000000000), (int64_t)(period % 1000000000 / 1000)},
					{(int64_t)(rem / 1000000000), (int64_t)(rem % 1000000000 / 1000)}};
	if (rem && out->value.tv_sec == 0 && out->value.tv_usec == 0)
		out->value.tv_usec = 1;
}

static int itimer_set(struct proc *p, uint64_t value_ns, uint64_t interval_ns)
{
	int e = alarm_timer(p);
	if (e)
		return e;
	p = cur_proc();
	uint64_t deadline = value_ns ? fw_time_monotonic_ns() + value_ns : 0;
	(void)fw_timer_arm(p->alarm_timer, deadline, value_ns ? interval_ns : 0);
	return 0;
}

static bool tv_ok(const struct linux_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static uint64_t tv_ns(const struct linux_timeval *tv)
{
	return (uint64_t)tv->tv_sec * 1000000000 + (uint64_t)tv->tv_usec * 1000;
}

static void ns_tv(uint64_t ns, struct linux_timeval *tv)
{
	tv->tv_sec = (int64_t)(ns / 1000000000);
	tv->tv_usec = (int64_t)(ns % 1000000000 / 1000);
	if (ns && !tv->tv_sec && !tv->tv_usec)
		tv->tv_usec = 1; /* pending but less than a microsecond */
}

/* ITIMER_VIRTUAL (1) and ITIMER_PROF (2): CPU-time timers (proc/ptimer.c). */
static void cpu_itimerval(uint32_t which, struct linux_itimerval *out)
{
	uint64_t left, interval;
	cpu_itimer_get(which - 1, &left, &interval);
	ns_tv(left, &out->value);
	ns_tv(interval, &out->interval);
}

int64_t sys_getitimer(struct fw_uregs *r)
{
	if (a0(r) > 2)
		return -EINVAL;
	struct linux_itimerval it = {0};
	if (a0(r) == 0)
		itimer_get(cur_proc(), &it);
	else
		cpu_itimerval((uint32_t)a0(r), &it);
	return fw_copy_to_user(fw_uaddr(a1(r)), &it) ? -EFAULT : 0;
}

int64_t sys_setitimer(struct fw_uregs *r)
{
	if (a0(r) > 2)
		return -EINVAL;
	struct linux_itimerval nv = {0}, old = {0};
	if (a1(r) && fw_copy_from_user(&nv, fw_uaddr(a1(r))))
		return -EFAULT;
	if (!tv_ok(&nv.value) || !tv_ok(&nv.interval))
		return -EINVAL;
	if (a0(r) != 0) {
		cpu_itimerval((uint32_t)a0(r), &old);
		cpu_itimer_set((uint32_t)a0(r) - 1, tv_ns(&nv.value), tv_ns(&nv.interval));
		return a2(r) && fw_copy_to_user(fw_uaddr(a2(r)), &old) ? -EFAULT : 0;
	}
	itimer_get(cur_proc(), &old);
	int e = itimer_set(cur_proc(), tv_ns(&nv.value), tv_ns(&nv.interval));
	if (e)
		return e;
	if (a2(r) && fw_copy_to_user(fw_uaddr(a2(r)), &old))
		return -EFAULT;
	return 0;
}

int64_t sys_alarm(struct fw_uregs *r)
{
	struct linux_itimerval old;
	itimer_get(cur_proc(), &old);
	uint64_t secs = (uint32_t)a0(r);
	if (itimer_set(cur_proc(), secs * 1000000000, 0))
		return -ENOMEM;
	int64_t left = old.value.tv_sec;
	if ((left == 0 && old.value.tv_usec) || old.value.tv_usec >= 500000)
		left++;
	return left;
}
