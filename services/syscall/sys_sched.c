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
	if (!proc_capable(me, CAP_SYS_NICE) && me->euid != p->uid && me->euid != p->euid)
		return -EPERM;
	int32_t floor = 20 - (int32_t)FW_MIN(me->rlim[13].cur, 40ULL); /* RLIMIT_NICE */
	if (nice < p->nice && !proc_capable(me, CAP_SYS_NICE) && nice < floor)
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

/* --- sched_setattr, sched_getattr ----------------------------------------- */
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56
#define SCHED_FLAG_RESET_ON_FORK 1
#define SCHED_FLAG_RECLAIM 2
#define SCHED_FLAG_DL_OVERRUN 4
#define SCHED_FLAG_KEEP_POLICY 8
#define SCHED_FLAG_KEEP_PARAMS 16
#define SCHED_FLAG_UTIL_CLAMP 0x60
#define SCHED_FLAG_ALL 0x7f

struct linux_sched_attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

/* Linux's sched_copy_attr: size 0 means VER0; under VER0 or over a page is
 * E2BIG (and the size this kernel wants is written back); bytes past the
 * structure must be zero. */
static int copy_attr(uint64_t u, struct linux_sched_attr *a)
{
	uint32_t size;
	if (fw_copy_from_user(&size, fw_uaddr(u)))
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > 4096) {
		uint32_t want = sizeof(*a);
		(void)fw_copy_to_user(fw_uaddr(u), &want);
		return -E2BIG;
	}
	*a = (struct linux_sched_attr){0};
	if (fw_copy_from_user_n(a, fw_uaddr(u), FW_MIN(size, (uint32_t)sizeof(*a))))
		return -EFAULT;
	for (uint64_t off = sizeof(*a); off < size; off++) {
		uint8_t b;
		if (fw_copy_from_user(&b, fw_uaddr(u + off)))
			return -EFAULT;
		if (b) {
			uint32_t want = sizeof(*a);
			(void)fw_copy_to_user(fw_uaddr(u), &want);
			return -E2BIG;
		}
	}
	if ((a->flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	a->nice = a->nice < NICE_MIN ? NICE_MIN : a->nice > NICE_MAX ? NICE_MAX : a->nice;
	return 0;
}

int64_t sys_sched_setattr(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	if (!a1(r) || pid < 0 || a2(r))
		return -EINVAL;
	struct linux_sched_attr a;
	int e = copy_attr(a1(r), &a);
	if (e)
		return e;
	if ((int32_t)a.policy < 0)
		return -EINVAL;
	struct thread_ref tr;
	e = sched_target(pid, &tr);
	if (e)
		return e;
	if (a.flags & ~(uint64_t)SCHED_FLAG_ALL)
		return -EINVAL;
	if (a.flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP; /* no utilization clamping (Linux without UCLAMP_TASK) */
	struct thread *t = thread_get(tr);
	struct sched_attr_k k = {(a.flags & SCHED_FLAG_KEEP_POLICY) ? -1 : (int32_t)a.policy, (int32_t)a.priority, a.nice,
				 (a.flags & SCHED_FLAG_RESET_ON_FORK) != 0, a.runtime, a.deadline, a.period};
	if (a.flags & SCHED_FLAG_KEEP_PARAMS) {
		k.prio = t->sched_prio;
		k.nice = proc_get(t->proc)->nice;
		k.runtime = t->dl_runtime;
		k.deadline = t->dl_deadline;
		k.period = t->dl_period;
	}
	return sched_set_attr(tr, &k);
}

int64_t sys_sched_getattr(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	uint64_t usize = a2(r);
	if (!a1(r) || pid < 0 || usize > 4096 || usize < SCHED_ATTR_SIZE_VER0 || a3(r))
		return -EINVAL;
	struct thread_ref tr;
	int e = sched_target(pid, &tr);
	if (e)
		return e;
	struct thread *t = thread_get(tr);
	struct linux_sched_attr a = {0};
	a.size = (uint32_t)FW_MIN(usize, (uint64_t)sizeof(a));
	a.policy = (uint32_t)t->sched_policy;
	a.flags = t->sched_reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0;
	if (t->sched_policy == SCHED_FIFO || t->sched_policy == SCHED_RR)
		a.priority = (uint32_t)t->sched_prio;
	else if (t->sched_policy == SCHED_DEADLINE)
		a.runtime = t->dl_runtime, a.deadline = t->dl_deadline, a.period = t->dl_period;
	else
		a.nice = proc_get(t->proc)->nice;
	a.util_max = 1024; /* SCHED_CAPACITY_SCALE: no clamping */
	return fw_copy_to_user_n(fw_uaddr(a1(r)), &a, a.size) ? -EFAULT : 0;
}

/* --- ioprio_set, ioprio_get ------------------------------------------------
 * Recorded per thread and inherited (Keel has no I/O scheduler: storage
 * is memory). ioprio = class << 13 | level; never set reads as 0 (class
 * none), as Linux 6.x reports it. */
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP 2
#define IOPRIO_WHO_USER 3
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_CLASS_IDLE 3

static int ioprio_valid(uint32_t v)
{
	uint32_t cls = v >> 13, level = v & 0x1fff;
	switch (cls) {
	case IOPRIO_CLASS_RT:
		if (!cred_capable(CAP_SYS_NICE) && !cred_capable(CAP_SYS_ADMIN))
			return -EPERM;
		return level >= 8 ? -EINVAL : 0;
	case IOPRIO_CLASS_BE:
		return level >= 8 ? -EINVAL : 0;
	case IOPRIO_CLASS_IDLE:
		return 0;
	case IOPRIO_CLASS_NONE:
		return level ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static uint32_t ioprio_of(const struct thread *t) { return t->ioprio & 0xffff; }

/* Lower class numbers and levels are higher priorities (ioprio_best). */
static uint32_t io_rank(uint32_t v)
{
	uint32_t cls = v >> 13;
	return (cls == IOPRIO_CLASS_NONE ? IOPRIO_CLASS_BE : cls) * 16 + (v & 7);
}

/* Threads the (which, who) pair names, walked by callback-free loop. */
static bool io_match(int32_t which, uint32_t who, const struct thread *t, const struct proc *p)
{
	if (which == IOPRIO_WHO_PROCESS)
		return (uint32_t)t->tid == who;
	if (which == IOPRIO_WHO_PGRP)
		return (uint32_t)p->pgid == who;
	return p->uid == who;
}

static int io_who(int32_t which, uint32_t who, uint32_t *out)
{
	struct proc *me = cur_proc();
	if (which == IOPRIO_WHO_PROCESS)
		*out = who ? who : (uint32_t)cur_thread()->tid;
	else if (which == IOPRIO_WHO_PGRP)
		*out = who ? who : (uint32_t)me->pgid;
	else if (which == IOPRIO_WHO_USER)
		*out = who ? who : me->uid;
	else
		return -EINVAL;
	return 0;
}

int64_t sys_ioprio_set(struct fw_uregs *r)
{
	int32_t which = (int32_t)a0(r);
	uint32_t who, v = (uint32_t)a2(r);
	int e = ioprio_valid(v);
	if (e)
		return e;
	e = io_who(which, (uint32_t)a1(r), &who);
	if (e)
		return e;
	int64_t ret = -ESRCH;
	struct proc *me = cur_proc();
	for (int32_t tid = 1; tid < PID_MAX; tid++) {
		struct thread *t = thread_get(pid_lookup(tid));
		struct proc *p = t ? proc_get(t->proc) : NULL;
		if (!p || p->state != PROC_ALIVE || t->tid != tid || !io_match(which, who, t, p))
			continue;
		if (!proc_capable(me, CAP_SYS_NICE) && p->uid != me->euid && p->uid != me->uid) {
			ret = -EPERM;
			continue;
		}
		t->ioprio = v;
		if (t->io_id)
			share_publish_ioprio(t); /* CLONE_IO sharers */
		else
			t->io_id = share_new_id(); /* Linux makes the I/O context now */
		ret = 0;
	}
	return ret;
}

int64_t sys_ioprio_get(struct fw_uregs *r)
{
	int32_t which = (int32_t)a0(r);
	uint32_t who;
	int e = io_who(which, (uint32_t)a1(r), &who);
	if (e)
		return e;
	int64_t best = -ESRCH;
	for (int32_t tid = 1; tid < PID_MAX; tid++) {
		struct thread *t = thread_get(pid_lookup(tid));
		struct proc *p = t ? proc_get(t->proc) : NULL;
		if (!p || p->state != PROC_ALIVE || t->tid != tid || !io_match(which, who, t, p))
			continue;
		uint32_t v = ioprio_of(t);
		if (best < 0 || io_rank(v) < io_rank((uint32_t)best))
			best = v;
	}
	return best;
}
