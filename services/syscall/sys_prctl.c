/* prctl(2) options for seccomp, no_new_privs, child subreapers, timer
 * slack, the time stamp counter, transparent huge pages, the tid address
 * and PR_SET_MM. Layer: services (safe C). sys_prctl (syscall/sys_sys.c)
 * hands every option it does not know to prctl_more, which hands the
 * capability options to prctl_caps. */
#include "syscall/syscall.h"
#include "proc/seccomp.h"
#include <fw/task.h>
#include <fw/user.h>

#define PR_GET_SECCOMP 21
#define PR_SET_SECCOMP 22
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_GET_TSC 25
#define PR_SET_TSC 26
#define PR_TSC_ENABLE 1
#define PR_TSC_SIGSEGV 2
#define PR_GET_TIMERSLACK 30
#define PR_SET_TIMERSLACK 29
#define PR_SET_MM 35
#define PR_SET_MM_START_CODE 1
#define PR_SET_MM_MAP 14
#define PR_SET_MM_MAP_SIZE 15
#define PR_SET_CHILD_SUBREAPER 36
#define PR_GET_CHILD_SUBREAPER 37
#define PR_GET_TID_ADDRESS 40
#define PR_SET_THP_DISABLE 41
#define PR_GET_THP_DISABLE 42
#define PR_THP_DISABLE_EXCEPT_ADVISED 2
#define DEFAULT_SLACK_NS 50000
#define PRCTL_MM_MAP_SIZE 104 /* sizeof(struct prctl_mm_map) */

static int64_t set_seccomp(uint64_t mode, uint64_t filter)
{
	if (mode == SECCOMP_MODE_STRICT)
		return seccomp_op(0, 0, 0);
	if (mode == SECCOMP_MODE_FILTER)
		return seccomp_op(1, 0, filter);
	return -EINVAL;
}

static bool rt_policy(int32_t policy) { return policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_DEADLINE; }

/* Timer slack: Keel's timers fire at their deadline, so the value is
 * recorded and reported (and inherited) as Linux does; it never delays a
 * wake-up. A real-time thread has none and cannot set one. */
static int64_t timerslack(struct thread *t, bool set, uint64_t v)
{
	if (rt_policy(t->sched_policy))
		return 0;
	if (!set)
		return (int64_t)(t->timer_slack_ns ? t->timer_slack_ns : DEFAULT_SLACK_NS);
	t->timer_slack_ns = v ? v : t->default_slack_ns;
	return 0;
}

static int64_t thp_disable(struct proc *p, bool set, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	if (!set) {
		if (a1 || a2 || a3 || a4)
			return -EINVAL;
		return p->thp_disable;
	}
	if (a3 || a4)
		return -EINVAL;
	if ((!a1 && a2) || (a2 & ~(uint64_t)PR_THP_DISABLE_EXCEPT_ADVISED))
		return -EINVAL;
	p->thp_disable = a1 ? (uint8_t)(1 | a2) : 0;
	return 0;
}

/* PR_SET_MM: Linux changes the recorded layout of the address space
 * (checkpoint/restore). Keel reports the size of struct prctl_mm_map and
 * refuses the rest: -EPERM without CAP_SYS_RESOURCE (euid 0 here) as
 * Linux, -EINVAL for a privileged caller (Keel keeps no such layout to
 * change; Linux's answer for options it does not support). */
static int64_t set_mm(uint64_t opt, uint64_t addr)
{
	if (opt == PR_SET_MM_MAP_SIZE) {
		uint32_t size = PRCTL_MM_MAP_SIZE;
		return fw_copy_to_user(fw_uaddr(addr), &size) ? -EFAULT : 0;
	}
	if (opt == PR_SET_MM_MAP)
		return cred_capable(CAP_SYS_RESOURCE) ? -EINVAL : -EPERM;
	if (!cred_capable(CAP_SYS_RESOURCE))
		return -EPERM;
	return -EINVAL;
}

/* PR_TSC_SIGSEGV: the framework sets CR4.TSD while this thread runs
 * (fw_task_set_tsc_trap), so its rdtsc faults and the fault becomes
 * SIGSEGV, as on Linux (the vDSO's clock reads fault too, as there). */
static int64_t set_tsc(struct thread *t, uint64_t mode)
{
	if (mode != PR_TSC_ENABLE && mode != PR_TSC_SIGSEGV)
		return -EINVAL;
	t->tsc_mode = (uint8_t)mode;
	fw_task_set_tsc_trap(mode == PR_TSC_SIGSEGV);
	return 0;
}

int64_t prctl_more(struct fw_uregs *r)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	switch (a0(r)) {
	case PR_SET_CHILD_SUBREAPER: {
		p->child_subreaper = a1(r) != 0;
		return 0;
	}
	case PR_GET_CHILD_SUBREAPER: {
		int32_t v = p->child_subreaper ? 1 : 0;
		return fw_copy_to_user(fw_uaddr(a1(r)), &v) ? -EFAULT : 0;
	}
	case PR_GET_TIMERSLACK:
		return timerslack(t, false, 0);
	case PR_SET_TIMERSLACK:
		return timerslack(t, true, a1(r));
	case PR_SET_THP_DISABLE:
		return thp_disable(p, true, a1(r), a2(r), a3(r), a4(r));
	case PR_GET_THP_DISABLE:
		return thp_disable(p, false, a1(r), a2(r), a3(r), a4(r));
	case PR_GET_TID_ADDRESS: {
		uint64_t v = t->clear_child_tid;
		return fw_copy_to_user(fw_uaddr(a1(r)), &v) ? -EFAULT : 0;
	}
	case PR_SET_MM:
		return set_mm(a1(r), a2(r));
	case PR_GET_TSC: {
		int32_t v = t->tsc_mode ? t->tsc_mode : PR_TSC_ENABLE;
		return fw_copy_to_user(fw_uaddr(a1(r)), &v) ? -EFAULT : 0;
	}
	case PR_SET_TSC:
		return set_tsc(t, a1(r));
	case PR_GET_SECCOMP:
		return seccomp_mode_of(t);
	case PR_SET_SECCOMP:
		return set_seccomp(a1(r), a2(r));
	case PR_SET_NO_NEW_PRIVS: {
		if (a1(r) != 1 || a2(r) || a3(r) || a4(r))
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	}
	case PR_GET_NO_NEW_PRIVS: {
		if (a1(r) || a2(r) || a3(r) || a4(r))
			return -EINVAL;
		return t->no_new_privs ? 1 : 0;
	}
	default:
		return prctl_caps(r); /* sys_caps.c: the capability options, else -EINVAL */
	}
}
