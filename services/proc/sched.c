/* Scheduling attributes of threads: policy, static priority, reset on
 * fork. Layer: services (safe C). Trusts proc/ for credentials and the pid
 * table.
 *
 * Keel runs every runnable task in one FIFO round robin, so these
 * attributes change nothing about who runs next; they are kept, checked and
 * reported exactly as Linux 6.1 does (valid policies, priority ranges,
 * EPERM for real-time policies without privilege), which is what programs
 * and test suites look at. */
#include "proc/proc.h"

int sched_target(int32_t pid, struct thread_ref *out)
{
	if (pid == 0) {
		*out = cur_thread_ref();
		return 0;
	}
	*out = pid_lookup(pid);
	struct thread *t = thread_get(*out);
	struct proc *p = t ? proc_get(t->proc) : NULL;
	return p && p->state == PROC_ALIVE ? 0 : -ESRCH;
}

int sched_prio_bounds(int32_t policy, int32_t *min, int32_t *max)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		*min = 1;
		*max = 99;
		return 0;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		*min = 0;
		*max = 0;
		return 0;
	default:
		return -EINVAL;
	}
}

/* Linux's check_same_owner: the caller's euid is the target's uid or euid. */
bool sched_may_change(const struct proc *p)
{
	const struct proc *me = cur_proc();
	return proc_capable(me, CAP_SYS_NICE) || me->euid == p->euid || me->euid == p->uid;
}

static bool rt(int32_t policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }

int sched_set(struct thread_ref tr, int32_t policy, int32_t prio)
{
	struct thread *t = thread_get(tr);
	if (!t)
		return -ESRCH;
	bool reset = t->sched_reset_on_fork;
	if (policy < 0) {
		policy = t->sched_policy;
	} else {
		reset = (policy & SCHED_RESET_ON_FORK) != 0;
		policy &= ~SCHED_RESET_ON_FORK;
	}
	int32_t lo, hi;
	/* sched_setscheduler cannot select SCHED_DEADLINE (sched_setattr can). */
	if (sched_prio_bounds(policy, &lo, &hi) || policy == SCHED_DEADLINE)
		return -EINVAL;
	if (prio < lo || prio > hi || prio > 99)
		return -EINVAL;
	struct proc *me = cur_proc(), *p = proc_get(t->proc);
	if (!proc_capable(me, CAP_SYS_NICE)) {
		/* RLIMIT_RTPRIO is 0 unless raised: no real-time policy, and a
		 * thread may not leave SCHED_IDLE or drop reset-on-fork. */
		bool raise_rt = rt(policy) && (!rt(t->sched_policy) || prio > t->sched_prio);
		if (raise_rt && prio > (int32_t)me->rlim[14].cur)
			return -EPERM;
		if (t->sched_policy == SCHED_IDLE && policy != SCHED_IDLE)
			return -EPERM;
		if (t->sched_reset_on_fork && !reset)
			return -EPERM;
		if (!sched_may_change(p))
			return -EPERM;
	}
	t->sched_policy = policy;
	t->sched_prio = prio;
	t->sched_reset_on_fork = reset;
	return 0;
}

/* Linux's __checkparam_dl with the default period limits (100 us to 4 s)
 * and a one-CPU admission test (at most 95% of the CPU). */
static int check_dl(const struct sched_attr_k *a)
{
	uint64_t period = a->period ? a->period : a->deadline;
	if (a->deadline == 0 || a->runtime < 1024 || (a->deadline >> 63) || (a->period >> 63))
		return -EINVAL;
	if ((a->period && a->period < a->deadline) || a->deadline < a->runtime)
		return -EINVAL;
	if (period < 100000ULL || period > 4000000000ULL)
		return -EINVAL;
	if (a->runtime > period / 100 * 95)
		return -EBUSY;
	return 0;
}

int sched_set_attr(struct thread_ref tr, const struct sched_attr_k *a)
{
	struct thread *t = thread_get(tr);
	if (!t)
		return -ESRCH;
	int32_t policy = a->policy < 0 ? t->sched_policy : a->policy;
	if (policy == SCHED_DEADLINE) {
		if (a->prio != 0)
			return -EINVAL;
		int e = check_dl(a);
		if (e)
			return e;
		if (!cred_capable(CAP_SYS_NICE))
			return -EPERM;
		t = thread_get(tr);
		t->sched_policy = SCHED_DEADLINE;
		t->sched_prio = 0;
		t->sched_reset_on_fork = a->reset_on_fork;
		t->dl_runtime = a->runtime;
		t->dl_deadline = a->deadline;
		t->dl_period = a->period ? a->period : a->deadline;
		return 0;
	}
	int e = sched_set(tr, policy | (a->reset_on_fork ? SCHED_RESET_ON_FORK : 0), a->prio);
	if (e)
		return e;
	/* The fair policies also take a nice value (per process in Keel). */
	if (policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE) {
		struct proc *me = cur_proc(), *p = proc_get(thread_get(tr)->proc);
		if (a->nice < p->nice && !proc_capable(me, CAP_SYS_NICE) && a->nice < 20 - (int32_t)FW_MIN(me->rlim[13].cur, 40ULL))
			return -EPERM;
		p->nice = a->nice;
	}
	return 0;
}

void sched_inherit(struct thread *child, const struct thread *parent)
{
	child->ioprio = parent->ioprio;
	child->mpol = parent->mpol; /* set_mempolicy's policy follows fork and clone */
	if (parent->sched_reset_on_fork) {
		/* back to a normal policy; the flag itself is not inherited */
		bool keep = parent->sched_policy != SCHED_FIFO && parent->sched_policy != SCHED_RR;
		child->sched_policy = keep ? parent->sched_policy : SCHED_OTHER;
		child->sched_prio = 0;
		child->sched_reset_on_fork = false;
		return;
	}
	child->sched_policy = parent->sched_policy;
	child->sched_prio = parent->sched_prio;
	child->sched_reset_on_fork = false;
	child->dl_runtime = parent->dl_runtime;
	child->dl_deadline = parent->dl_deadline;
	child->dl_period = parent->dl_period;
}
