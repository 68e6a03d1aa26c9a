/* Scheduling system calls: nice values (getpriority, setpriority), policies
 * and priorities (sched_*), CPU affinity. Layer: services (safe C).
 * Arguments are decoded and checked in Linux's order here; the attributes
 * live in proc/sched.c. Keel runs user tasks on one CPU in one round robin:
 * the values are recorded and reported, not enforced (docs/syscalls.md). */
#include "syscall/syscall.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP 1
#define PRIO_USER 2
#define NICE_MIN (-20)
#define NICE_MAX 19
#define RR_TIMESLICE_NS 100000000ULL /* Linux's SCHED_RR quantum */
#define KEEL_SLICE_NS 10000000ULL    /* Keel's round-robin quantum */

/* Does process p match (which, who)? who is already resolved for 0. */
static bool prio_match(const struct proc *p, int32_t which, uint32_t who)
{
	if (which == PRIO_PROCESS)
		return p->pid == (int32_t)who;
	if (which == PRIO_PGRP)
		return p->pgid == (int32_t)who;
	return p->uid == who;
}

/* who == 0 names the caller (its process, group or real uid). A thread id
 * names its process (nice values are per process in Keel). */
static int prio_who(int32_t which, uint32_t who, uint32_t *out)
{
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	struct proc *me = cur_proc();
	if (who == 0) {
		*out = which == PRIO_PROCESS ? (uint32_t)me->pid : which == PRIO_PGRP ? (uint32_t)me->pgid : me->uid;
		return 0;
	}
	*out = who;
	if (which == PRIO_PROCESS) {
		struct thread *t = thread_get(pid_lookup((int32_t)who));
		struct proc *p = t ? proc_get(t->proc) : NULL;
		if (p)
			*out = (uint32_t)p->pid;
	}
	return 0;
}

int64_t sys_getpriority(struct fw_uregs *r)
{
	int32_t which = (int32_t)a0(r);
	uint32_t who;
	int e = prio_who(which, (uint32_t)a1(r), &who);
	if (e)
		return e;
	int64_t best = -ESRCH;
	int32_t lo = 1, hi = PID_MAX - 1;
	if (which == PRIO_PROCESS && who < PID_MAX)
		lo = hi = (int32_t)who;
	for (int32_t pid = lo; pid <= hi && pid > 0; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (!p || p->state != PROC_ALIVE || p->pid != pid || !prio_match(p, which, who))
			continue;
		int64_t v = 20 - p->nice; /* the raw call returns 20 - nice: 1..40 */
		if (v > best)
			best = v;
	}
	return best;
}

/* One process's nice value: the owner (or root) may change it; only root
 * may lower it (RLIMIT_NICE is 0 unless raised). */
static int set_nice(struct proc *p, int32_t nice)
{
	struct proc *me = cur_proc();
	if (me->euid != 0 && me->euid != p->uid && me->euid != p->euid)
		return -EPERM;
	int32_t floor = 20 - (int32_t)FW_MIN(me->rlim[13].cur, 40ULL); /* RLIMIT_NICE */
	if (nice < p->nice && me->euid != 0 && nice < floor)
		return -EACCES;
	p->nice = nice;
	return 0;
}

int64_t sys_setpriority(struct fw_uregs *r)
{
	int32_t which = (int32_t)a0(r);
	uint32_t who;
	int e = prio_who(which, (uint32_t)a1(r), &who);
	if (e)
		return e;
	int32_t nice = (int32_t)a2(r);
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	int64_t ret = -ESRCH;
	int32_t lo = 1, hi = PID_MAX - 1;
	if (which == PRIO_PROCESS && who < PID_MAX)
		lo = hi = (int32_t)who;
	for (int32_t pid = lo; pid <= hi && pid > 0; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (!p || p->state != PROC_ALIVE || p->pid != pid || !prio_match(p, which, who))
			continue;
		int e2 = set_nice(p, nice);
		if (ret == -ESRCH || e2 == 0)
			ret = e2;
	}
	return ret;
}

int64_t sys_sched_get_priority_max(struct fw_uregs *r)
{
	int32_t lo, hi;
	int e = sched_prio_bounds((int32_t)a0(r), &lo, &hi);
	return e ? e : hi;
}

int64_t sys_sched_get_priority_min(struct fw_uregs *r)
{
	int32_t lo, hi;
	int e = sched_prio_bounds((int32_t)a0(r), &lo, &hi);
	return e ? e : lo;
}

struct sched_param_k {
	int32_t prio;
};

/* sched_setscheduler and sched_setparam (policy -1): Linux checks the
 * pointer and pid, copies the parameter, finds the thread, then judges the
 * policy and priority. */
static int64_t set_sched(int32_t pid, int32_t policy, uint64_t uparam)
{
	if (!uparam || pid < 0)
		return -EINVAL;
	struct sched_param_k sp;
	if (fw_copy_from_user(&sp, fw_uaddr(uparam)))
		return -EFAULT;
	struct thread_ref t;
	int e = sched_target(pid, &t);
	if (e)
		return e;
	return sched_set(t, policy, sp.prio);
}

int64_t sys_sched_setscheduler(struct fw_uregs *r)
{
	int32_t policy = (int32_t)a1(r);
	if (policy < 0)
		return -EINVAL;
	return set_sched((int32_t)a0(r), policy, a2(r));
}

int64_t sys_sched_setparam(struct fw_uregs *r) { return set_sched((int32_t)a0(r), -1, a1(r)); }

int64_t sys_sched_getscheduler(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	if (pid < 0)
		return -EINVAL;
	struct thread_ref tr;
	int e = sched_target(pid, &tr);
	if (e)
		return e;
	struct thread *t = thread_get(tr);
	return t->sched_policy | (t->sched_reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

int64_t sys_sched_getparam(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	if (!a1(r) || pid < 0)
		return -EINVAL;
	struct thread_ref tr;
	int e = sched_target(pid, &tr);
	if (e)
		return e;
	struct sched_param_k sp = {thread_get(tr)->sched_prio};
	return fw_copy_to_user(fw_uaddr(a1(r)), &sp) ? -EFAULT : 0;
}

int64_t sys_sched_rr_get_interval(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	if (pid < 0)
		return -EINVAL;
	struct thread_ref tr;
	int e = sched_target(pid, &tr);
	if (e)
		return e;
	int32_t pol = thread_get(tr)->sched_policy;
	uint64_t ns = pol == SCHED_FIFO ? 0 : pol == SCHED_RR ? RR_TIMESLICE_NS : KEEL_SLICE_NS;
	struct linux_timespec ts = {(int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL)};
	return fw_copy_to_user(fw_uaddr(a1(r)), &ts) ? -EFAULT : 0;
}

/* One CPU: the affinity mask is bit 0 and takes 8 bytes (Linux's
 * cpumask_size() for nr_cpu_ids <= 64). */
int64_t sys_sched_getaffinity(struct fw_uregs *r)
{
	uint64_t len = a1(r);
	if (len == 0 || (len & 7))
		return -EINVAL;
	struct thread_ref t;
	int e = sched_target((int32_t)a0(r), &t);
	if (e)
		return e;
	uint64_t mask = 1;
	if (fw_copy_to_user(fw_uaddr(a2(r)), &mask))
		return -EFAULT;
	return 8;
}

int64_t sys_sched_setaffinity(struct fw_uregs *r)
{
	uint64_t mask = 0, len = FW_MIN(a1(r), 8ULL);
	if (len && fw_copy_from_user_n(&mask, fw_uaddr(a2(r)), len))
		return -EFAULT;
	struct thread_ref tr;
	int e = sched_target((int32_t)a0(r), &tr);
	if (e)
		return e;
	struct thread *t = thread_get(tr);
	if (!sched_may_change(proc_get(t->proc)))
		return -EPERM;
	return (mask & 1) ? 0 : -EINVAL;
}
