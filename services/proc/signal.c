/* Signals: generation, queueing, default actions, stop and continue.
 * Layer: services (safe C). Trusts proc/ for the process tree; the frame
 * setup and sigreturn live in proc/sigframe.c.
 *
 * A process-directed signal is pending on the process and wakes one thread
 * that does not block it; a thread-directed one (tkill, faults) is pending
 * on the thread. Standard signals do not queue (the first one's siginfo is
 * kept); realtime signals queue one record (siginfo) per send, up to
 * SIGQ_MAX per list. */
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "vfs/vfs.h"
#include <fw/log.h>

#define CLD_STOPPED 5
#define CLD_CONTINUED 6

static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

bool sig_is_stop(int sig) { return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU; }

bool sig_is_core(int sig)
{
	return sig == SIGQUIT || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGBUS || sig == SIGFPE ||
	       sig == SIGSEGV || sig == SIGSYS || sig == 24 || sig == 25; /* SIGXCPU, SIGXFSZ */
}

bool sig_ignored(const struct proc *p, int sig)
{
	if (sig < 1 || sig > NSIG)
		return true;
	uint64_t h = p->sigact[sig - 1].handler;
	return h == SIG_IGN || (h == SIG_DFL && default_ignored(sig));
}

/* A queued realtime signal: one record per send, oldest first. It is
 * charged to the real user of the process it was sent to. */
struct sigq {
	struct sigq_ref next;
	int32_t sig;
	uint32_t uid;
	struct sig_info_k info;
};
FW_POOL_PRIVATE(sigq, struct sigq);

/* Queued realtime signals per user, checked against the target's
 * RLIMIT_SIGPENDING as Linux counts them (one count per user, over all its
 * processes). Users beyond the table are limited by SIGQ_MAX alone. */
#define SIGQ_USERS 64
#define SIGPENDING_DEFAULT 4000 /* rlimit_of's default for RLIMIT_SIGPENDING */
struct sigq_users {
	uint32_t uid[SIGQ_USERS];
	uint32_t count[SIGQ_USERS];
};
FW_GLOBAL(struct sigq_users, sigq_users);

static int sigq_user_slot(uint32_t uid, bool make)
{
	struct sigq_users *u = sigq_users();
	int free_slot = -1;
	for (int i = 0; i < SIGQ_USERS; i++) {
		if (u->count[i] && u->uid[i] == uid)
			return i;
		if (!u->count[i] && free_slot < 0)
			free_slot = i;
	}
	if (make && free_slot >= 0)
		u->uid[free_slot] = uid;
	return make ? free_slot : -1;
}

static uint64_t sigpending_limit(const struct proc *p)
{
	return (p->rlim_set & (1u << 11)) ? p->rlim[11].cur : SIGPENDING_DEFAULT;
}

static bool sigq_charge(const struct proc *p)
{
	int i = sigq_user_slot(p->uid, true);
	if (i < 0)
		return true;
	struct sigq_users *u = sigq_users();
	if ((uint64_t)u->count[i] + 1 > sigpending_limit(p))
		return false;
	u->count[i]++;
	return true;
}

static void sigq_uncharge(uint32_t uid)
{
	int i = sigq_user_slot(uid, false);
	struct sigq_users *u = sigq_users();
	if (i >= 0 && u->count[i] > 0)
		u->count[i]--;
}

/* Append a record at the tail; -EAGAIN when the list is full, the user's
 * RLIMIT_SIGPENDING is reached or there is no memory. */
static int rtq_append(const struct proc *p, struct sigq_ref *head, uint32_t *len, int sig,
		      const struct sig_info_k *info)
{
	if (*len >= SIGQ_MAX)
		return -EAGAIN;
	uint32_t uid = p->uid;
	if (!sigq_charge(p))
		return -EAGAIN;
	struct sigq_ref nr;
	if (sigq_alloc(&nr)) {
		sigq_uncharge(uid);
		return -EAGAIN;
	}
	struct sigq *n = sigq_get(nr);
	n->sig = sig;
	n->uid = uid;
	n->info = *info;
	(*len)++;
	if (!sigq_ref_valid(*head)) {
		*head = nr;
		return 0;
	}
	struct sigq_ref it = *head;
	for (;;) {
		struct sigq *e = sigq_get(it);
		if (!sigq_ref_valid(e->next)) {
			e->next = nr;
			return 0;
		}
		it = e->next;
	}
}

/* Remove records of sig (0: all). first_only: just the oldest one, into
 * *info. Returns whether a record of sig is left. */
static bool rtq_take(struct sigq_ref *head, uint32_t *len, int sig, bool first_only, struct sig_info_k *info)
{
	struct sigq_ref prev = {0, 0}, it = *head;
	bool taken = false;
	while (sigq_ref_valid(it)) {
		struct sigq *e = sigq_get(it);
		struct sigq_ref next = e->next;
		if (sig && e->sig != sig) {
			prev = it;
			it = next;
			continue;
		}
		if (taken && first_only)
			return true;
		if (first_only && info)
			*info = e->info;
		taken = true;
		if (sigq_ref_valid(prev))
			sigq_get(prev)->next = next;
		else
			*head = next;
		sigq_uncharge(e->uid);
		sigq_free(it);
		if (*len > 0)
			(*len)--;
		it = next;
	}
	return false;
}

void signal_flush_queue(struct sigq_ref *head, uint32_t *len, int sig)
{
	(void)rtq_take(head, len, sig, false, NULL);
}

/* Record a pending signal with its info in a pending set. A realtime
 * signal that cannot be queued is still pending (without its info) unless
 * it came from sigqueue (si_code < 0), which gets -EAGAIN as on Linux. */
static int queue_info(const struct proc *p, uint64_t *pending, struct sig_info_k (*infos)[NSIG_STD],
		      struct sigq_ref *q, uint32_t *qlen, int sig, const struct sig_info_k *info)
{
	if (sig <= NSIG_STD) {
		if (!(*pending & sig_bit(sig)))
			(*infos)[sig - 1] = *info;
	} else if (rtq_append(p, q, qlen, sig, info) && info->code < 0) {
		return -EAGAIN;
	}
	*pending |= sig_bit(sig);
	return 0;
}

/* SIGCONT resumes a stopped process; a stop signal discards a pending
 * SIGCONT and vice versa (Linux prepare_signal). */
static void prepare_signal(struct proc_ref pr, struct proc *p, int sig)
{
	if (sig_is_stop(sig)) {
		p->sig_pending &= ~sig_bit(SIGCONT);
		for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc)
			thread_get(c)->sig_pending &= ~sig_bit(SIGCONT);
		return;
	}
	if (sig != SIGCONT && sig != SIGKILL)
		return;
	uint64_t stops = sig_bit(SIGSTOP) | sig_bit(SIGTSTP) | sig_bit(SIGTTIN) | sig_bit(SIGTTOU);
	p->sig_pending &= ~stops;
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc)
		thread_get(c)->sig_pending &= ~stops;
	if (p->stopped) {
		p->stopped = false;
		p->stop_report = false;
		ptrace_continued(p);
		fw_waitq_wake_all(p->stop_wait);
		if (sig == SIGCONT) {
			p->cont_report = true;
			proc_notify_parent(pr, CLD_CONTINUED, SIGCONT);
		}
	}
}

/* Linux never discards a signal its target blocks, even one whose action
 * is to ignore it: the action may change before it is unblocked, and
 * sigwait/sigtimedwait must see it (a blocked SIGCHLD). A process-directed
 * signal asks the first thread. */
static bool blocks(const struct thread *t, int sig)
{
	return t && ((t->sig_mask | t->real_blocked) & sig_bit(sig)) != 0;
}

static bool discard(const struct proc *p, const struct thread *t, int sig)
{
	if (t && ptlink_ref_valid(t->pt))
		return false; /* a tracer sees even ignored signals (Linux sig_ignored) */
	return sig != SIGKILL && sig_ignored(p, sig) && !blocks(t, sig);
}

static bool thread_wants(const struct thread *t, int sig)
{
	return sig == SIGKILL || sig == SIGSTOP || !(t->sig_mask & sig_bit(sig));
}

int signal_send_proc_info(struct proc_ref pr, int sig, const struct sig_info_k *info)
{
	struct proc *p = proc_get(pr);
	if (!p)
		return -ESRCH;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (p->state != PROC_ALIVE || sig == 0)
		return 0;
	if (sig_is_stop(sig) || sig == SIGCONT || sig == SIGKILL) {
		prepare_signal(pr, p, sig);
		p = proc_get(pr);
	}
	struct thread *first = thread_get(p->first_thread);
	if (discard(p, first, sig))
		return 0;
	if (sig == SIGKILL) {
		proc_kill(pr, SIGKILL);
		return 0;
	}
	int e = queue_info(p, &p->sig_pending, &p->sig_info, &p->rtq, &p->rtq_len, sig, info);
	if (e)
		return e;
	/* One pool lookup per thread (thread_get is NULL at the end of the
	 * list); the first thread is the one we already have. */
	for (struct thread *t = first; t; t = thread_get(t->next_in_proc)) {
		if (thread_wants(t, sig)) {
			(void)fw_task_interrupt(t->task);
			return 0;
		}
	}
	wq_wake(p->sigfd_wq); /* blocked everywhere: signalfd readers and pollers look */
	return 0;
}

int signal_send_thread_info(struct thread_ref tr, int sig, const struct sig_info_k *info)
{
	struct thread *t = thread_get(tr);
	if (!t)
		return -ESRCH;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	struct proc *p = proc_get(t->proc);
	if (!p || p->state != PROC_ALIVE || sig == 0)
		return 0;
	prepare_signal(t->proc, p, sig);
	if (discard(p, thread_get(tr), sig))
		return 0;
	if (sig == SIGKILL) {
		proc_kill(t->proc, SIGKILL);
		return 0;
	}
	t = thread_get(tr);
	int e = queue_info(proc_get(t->proc), &t->sig_pending, &t->sig_info, &t->rtq, &t->rtq_len, sig, info);
	if (e)
		return e;
	if (thread_wants(t, sig))
		(void)fw_task_interrupt(t->task);
	else
		wq_wake(proc_get(t->proc)->sigfd_wq); /* blocked: signalfd readers and pollers look */
	return 0;
}

static struct sig_info_k user_info(int32_t code)
{
	struct proc *me = cur_proc();
	struct sig_info_k i = {code, me ? me->pid : 0, me ? me->uid : 0, 0, 0, 0};
	return i;
}

int signal_send_proc(struct proc_ref pr, int sig)
{
	struct sig_info_k i = user_info(SI_USER);
	return signal_send_proc_info(pr, sig, &i);
}

int signal_send_thread(struct thread_ref tr, int sig)
{
	struct sig_info_k i = user_info(SI_TKILL);
	return signal_send_thread_info(tr, sig, &i);
}

int signal_send_pgrp(int32_t pgid, int sig)
{
	struct sig_info_k i = user_info(SI_USER);
	return signal_send_pgrp_info(pgid, sig, &i, false);
}

/* kill(-pgid) and kill(-1): walk the pid table. */
int signal_send_pgrp_info(int32_t pgid, int sig, const struct sig_info_k *info, bool all)
{
	int found = 0;
	struct proc_ref me = cur_proc_ref();
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc_ref pr = proc_by_pid(pid);
		struct proc *p = proc_get(pr);
		if (!p || p->state != PROC_ALIVE)
			continue;
		if (all ? (pid == 1 || (pr.idx == me.idx && pr.gen == me.gen)) : p->pgid != pgid)
			continue;
		found++;
		(void)signal_send_proc_info(pr, sig, info);
	}
	return found ? 0 : -ESRCH;
}

int signal_may_kill(struct proc_ref target, int sig)
{
	struct proc *me = cur_proc(), *t = proc_get(target);
	if (!t)
		return -ESRCH;
	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (!me || me == t || proc_capable(me, CAP_KILL))
		return 0;
	if (me->euid == t->suid || me->euid == t->uid || me->uid == t->suid || me->uid == t->uid)
		return 0;
	if (sig == SIGCONT && me->sid == t->sid)
		return 0;
	return -EPERM;
}

int signal_kill_pgrp(int32_t pgid, int sig, const struct sig_info_k *info, bool all)
{
	struct proc_ref me = cur_proc_ref();
	int count = 0, ok = 0, last = 0;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc_ref pr = proc_by_pid(pid);
		struct proc *p = proc_get(pr);
		if (!p || p->pid != pid || (p->state != PROC_ALIVE && p->state != PROC_ZOMBIE))
			continue;
		if (all ? (pid == 1 || (pr.idx == me.idx && pr.gen == me.gen)) : p->pgid != pgid)
			continue;
		count++;
		int e = signal_may_kill(pr, sig);
		if (e == 0)
			e = signal_send_proc_info(pr, sig, info);
		if (e == 0)
			ok++;
		if (all ? e != -EPERM : e != 0)
			last = e;
	}
	if (!count)
		return -ESRCH;
	if (all)
		return last;
	return ok ? 0 : last;
}

void proc_signal_parent_exit(struct proc_ref child)
{
	struct proc *c = proc_get(child);
	if (c)
		(void)signal_send_proc(c->parent, SIGCHLD);
}

bool signal_pending_in(const struct thread *t, const struct proc *p)
{
	if (((t->sig_pending | p->sig_pending) & ~t->sig_mask) != 0 || t->exiting || p->stopped)
		return true;
	const struct ptlink *l = ptlink_ref_valid(t->pt) ? ptrace_link_of(t) : NULL;
	return l && l->trap_pending;
}

/* Whoever sees a pending signal makes sure the way out looks at it: a
 * wait that gives up with -EINTR or -ERESTARTSYS because of it has the
 * return_to_user upcall requested even if no sender interrupted us (a
 * signal pending before the wait, unblocked by sigsuspend's mask). */
bool signal_pending_current(void)
{
	struct thread *t = cur_thread();
	struct proc *p = t ? proc_get(t->proc) : NULL;
	bool pending = t && p && signal_pending_in(t, p);
	if (pending)
		fw_task_want_return_upcall();
	return pending;
}

FW_NORETURN void signal_die(int sig)
{
	proc_exit_group(sig_is_core(sig) ? (sig & 0x7f) | 0x80 : sig & 0x7f);
}

/* Stop the process (default action of a stop signal) and sleep until
 * SIGCONT or SIGKILL. */
void signal_stop(int sig)
{
	struct proc_ref pr = cur_proc_ref();
	struct proc *p = proc_get(pr);
	if (!p->stopped) {
		p->stopped = true;
		p->stop_sig = sig;
		p->stop_report = true;
		p->cont_report = false;
		struct thread_ref me = cur_thread_ref();
		for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc)
			if (c.idx != me.idx || c.gen != me.gen)
				(void)fw_task_interrupt(thread_get(c)->task);
		proc_notify_parent(pr, CLD_STOPPED, sig);
	}
	signal_wait_stopped();
}

void signal_wait_stopped(void)
{
	for (;;) {
		struct proc *p = cur_proc();
		struct thread *t = cur_thread();
		if (!p->stopped || t->exiting || ptlink_ref_valid(t->pt))
			return; /* a tracee's group-stop is a trace stop (proc/ptrace.c) */
		fw_task_clear_interrupt();
		(void)fw_waitq_wait(p->stop_wait, 0, true);
	}
}

/* Take the lowest-numbered deliverable signal (thread first). 0 if none. */
static int dequeue_one(struct thread *t, struct proc *p, uint64_t allowed, struct sig_info_k *info);

/* A POSIX timer's signal tells its timer it was taken (overrun count,
 * re-arm); one whose timer was deleted meanwhile is dropped. t and p are
 * the current thread and its process (they stay valid while it runs). */
int signal_dequeue_in(struct thread *t, struct proc *p, uint64_t allowed, struct sig_info_k *info)
{
	for (uint32_t tries = 0; tries < 64; tries++) {
		int sig = dequeue_one(t, p, allowed, info);
		if (sig == 0 || info->code != SI_TIMER || ptimer_dequeued(info))
			return sig;
	}
	return 0;
}

int signal_dequeue(uint64_t allowed, struct sig_info_k *info)
{
	struct thread *t = cur_thread();
	struct proc *p = t ? proc_get(t->proc) : NULL;
	if (!t || !p)
		return 0;
	return signal_dequeue_in(t, p, allowed, info);
}

bool signal_cannot_queue(struct proc_ref pr, struct thread_ref tr, int sig)
{
	struct proc *p = proc_get(pr);
	if (!p || p->state != PROC_ALIVE)
		return true;
	struct thread *t = thread_ref_valid(tr) ? thread_get(tr) : thread_get(p->first_thread);
	if (discard(p, t, sig))
		return true;
	if (sig > NSIG_STD)
		return false;
	return ((p->sig_pending | (t ? t->sig_pending : 0)) & sig_bit(sig)) != 0;
}

/* The lowest signal in a non-empty set: a binary search, not a walk over
 * up to 64 bits. */
static int lowest_sig(uint64_t set)
{
	int sig = 1;
	for (uint32_t w = 32; w; w >>= 1) {
		uint64_t low = (1ULL << w) - 1;
		if (!(set & low)) {
			set >>= w;
			sig += (int)w;
		}
	}
	return sig;
}

static int dequeue_one(struct thread *t, struct proc *p, uint64_t allowed, struct sig_info_k *info)
{
	uint64_t tp = t->sig_pending & allowed, pp = p->sig_pending & allowed;
	if (!tp && !pp)
		return 0;
	bool from_thread = tp != 0;
	uint64_t set = from_thread ? tp : pp;
	int sig = lowest_sig(set);
	if (sig <= NSIG_STD) {
		*info = from_thread ? t->sig_info[sig - 1] : p->sig_info[sig - 1];
		if (from_thread)
			t->sig_pending &= ~sig_bit(sig);
		else
			p->sig_pending &= ~sig_bit(sig);
		return sig;
	}
	/* A record lost to a full queue leaves the bit alone: SI_USER, no info. */
	*info = (struct sig_info_k){SI_USER, 0, 0, 0, 0, 0};
	bool more = from_thread ? rtq_take(&t->rtq, &t->rtq_len, sig, true, info)
				: rtq_take(&p->rtq, &p->rtq_len, sig, true, info);
	if (!more) {
		if (from_thread)
			t->sig_pending &= ~sig_bit(sig);
		else
			p->sig_pending &= ~sig_bit(sig);
	}
	return sig;
}

void signal_force_info(int sig, const struct sig_info_k *info)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	uint32_t i = (uint32_t)(sig - 1) & 63;
	/* A blocked or ignored synchronous signal cannot be deferred: Linux
	 * resets the action and unblocks it (force_sig_info). */
	if (p->sigact[i].handler == SIG_IGN || (t->sig_mask & sig_bit(sig))) {
		p->sigact[i].handler = SIG_DFL;
		t->sig_mask &= ~sig_bit(sig);
		share_publish_sigact(cur_proc_ref());
	}
	if (p->sigact[i].handler == SIG_DFL && !ptlink_ref_valid(t->pt))
		signal_die(sig); /* a tracee's goes through its signal-delivery-stop */
	t->sig_pending &= ~sig_bit(sig);
	(void)queue_info(p, &t->sig_pending, &t->sig_info, &t->rtq, &t->rtq_len, sig, info);
	fw_task_want_return_upcall();
}

void signal_force_fault(struct fw_uregs *regs, int sig, int32_t si_code, uint64_t addr)
{
	struct thread *t = cur_thread();
	t->fault_trapno = regs->vector;
	t->fault_err = regs->error;
	struct sig_info_k info = {si_code, 0, 0, 0, addr, 0};
	signal_force_info(sig, &info);
}

/* ptrace's PTRACE_PEEKSIGINFO: the n-th signal pending on thread t (or,
 * shared, on its process), standard signals by number and then the
 * queued realtime records oldest first. 0 with *sig and *info, or
 * -ENOENT past the last one. */
int signal_peek_pending(struct thread_ref tr, bool shared, uint64_t n, int *sig, struct sig_info_k *info)
{
	struct thread *t = thread_get(tr);
	struct proc *p = t ? proc_get(t->proc) : NULL;
	if (!p)
		return -ENOENT;
	uint64_t set = shared ? p->sig_pending : t->sig_pending;
	for (int s = 1; s <= NSIG_STD; s++) {
		if (!(set & sig_bit(s)))
			continue;
		if (n-- == 0) {
			*sig = s;
			*info = shared ? p->sig_info[s - 1] : t->sig_info[s - 1];
			return 0;
		}
	}
	for (struct sigq_ref it = shared ? p->rtq : t->rtq; sigq_ref_valid(it);) {
		struct sigq *e = sigq_get(it);
		if (n-- == 0) {
			*sig = e->sig;
			*info = e->info;
			return 0;
		}
		it = e->next;
	}
	return -ENOENT;
}
