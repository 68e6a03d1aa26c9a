/* Time system calls: sleeping, process CPU times, resource usage,
 * clock_settime. Layer: services (safe C). Sleeps are interruptible. A
 * relative sleep interrupted by a signal writes the time left and returns
 * -ERESTART_RESTARTBLOCK: EINTR if a handler runs (whatever SA_RESTART
 * says), else (a stop and continue, an ignored signal) restart_syscall
 * resumes it for the time left, as Linux does. An absolute sleep returns
 * -ERESTARTNOHAND and restarts with its original deadline. */
#include "exec/exec.h"
#include "proc/signal.h"
#include "syscall/syscall.h"
#include <fw/time.h>

#define TIMER_ABSTIME 1
#define NS 1000000000ULL

static int read_ts(uint64_t uaddr, uint64_t *ns) { return timespec_from_user(uaddr, ns); }

static int write_ts(uint64_t uaddr, uint64_t ns)
{
	struct linux_timespec ts = {(int64_t)(ns / NS), (int64_t)(ns % NS)};
	return fw_copy_to_user(fw_uaddr(uaddr), &ts) ? -EFAULT : 0;
}

/* Sleep until the monotonic deadline; -EINTR when a signal is pending. */
static int sleep_until(uint64_t deadline)
{
	for (;;) {
		if (signal_pending_current())
			return -EINTR;
		int r = fw_sleep_until(deadline, true);
		if (r != -EINTR)
			return 0;
		if (signal_pending_current())
			return -EINTR;
		/* woken with nothing to deliver (e.g. an ignored signal) */
		fw_task_clear_interrupt();
		if (fw_time_monotonic_ns() >= deadline)
			return 0;
	}
}

static int64_t do_sleep(uint64_t deadline, uint64_t rem_addr)
{
	if (sleep_until(deadline) == 0)
		return 0;
	uint64_t now = fw_time_monotonic_ns();
	if (rem_addr && write_ts(rem_addr, deadline > now ? deadline - now : 0))
		return -EFAULT;
	return signal_restart_block(RESTART_NANOSLEEP, deadline, rem_addr, 0, 0, 0);
}

int64_t nanosleep_resume(const struct restart_block *b) { return do_sleep(b->deadline, b->arg[0]); }

static uint64_t deadline_after(uint64_t ns)
{
	uint64_t now = fw_time_monotonic_ns();
	return ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
}

int64_t sys_nanosleep(struct fw_uregs *r)
{
	uint64_t ns;
	int e = read_ts(a0(r), &ns);
	if (e)
		return e;
	return do_sleep(deadline_after(ns), a1(r));
}

/* CPU-time clocks cannot be slept on through the monotonic clock: the
 * process clock is polled every tick's worth of time. */
static int64_t sleep_cputime(uint64_t ns, bool abs, uint64_t rem_addr)
{
	proc_account_cpu();
	struct proc *p = cur_proc();
	uint64_t start = p->user_ns + p->sys_ns, target = abs ? ns : start + ns;
	for (;;) {
		proc_account_cpu();
		p = cur_proc();
		uint64_t now = p->user_ns + p->sys_ns;
		if (now >= target)
			return 0;
		/* Only this process's own threads advance its clock. */
		if (sleep_until(fw_time_monotonic_ns() + (target - now)) == 0)
			continue;
		if (!abs && rem_addr && write_ts(rem_addr, target - now))
			return -EFAULT;
		return -ERESTARTNOHAND;
	}
}

int64_t sys_clock_nanosleep(struct fw_uregs *r)
{
	uint64_t clk = a0(r), flags = a1(r);
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP; /* Linux's thread clock has no nsleep (glibc says EINVAL itself) */
	bool cpu = clk == CLOCK_PROCESS_CPUTIME_ID;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME && clk != CLOCK_TAI && !cpu)
		return clk > 11 ? -EINVAL : -EOPNOTSUPP;
	uint64_t ns;
	int e = read_ts(a2(r), &ns);
	if (e)
		return e;
	bool abs = (flags & TIMER_ABSTIME) != 0;
	if (cpu)
		return sleep_cputime(ns, abs, a3(r));
	if (!abs)
		return do_sleep(deadline_after(ns), a3(r));
	uint64_t now = fw_time_monotonic_ns(), deadline = ns;
	if (clk == CLOCK_REALTIME || clk == CLOCK_TAI) {
		uint64_t rt = fw_time_realtime_ns();
		deadline = ns > rt ? now + (ns - rt) : now;
	}
	return sleep_until(deadline) ? -ERESTARTNOHAND : 0;
}

int64_t sys_clock_settime(struct fw_uregs *r)
{
	uint64_t ns;
	int e = read_ts(a1(r), &ns);
	if (e)
		return e;
	if (a0(r) != CLOCK_REALTIME)
		return -EINVAL;
	if (!cred_capable(CAP_SYS_TIME))
		return -EPERM;
	fw_time_set_realtime(ns);
	vdso_clock_changed();
	return 0;
}

static void ns_to_tv(uint64_t ns, struct linux_timeval *tv)
{
	tv->tv_sec = (int64_t)(ns / NS);
	tv->tv_usec = (int64_t)(ns % NS / 1000);
}

int64_t sys_times(struct fw_uregs *r)
{
	proc_account_cpu();
	struct proc *p = cur_proc();
	struct linux_tms t = {(int64_t)(p->user_ns / 10000000), (int64_t)(p->sys_ns / 10000000),
			      (int64_t)(p->child_user_ns / 10000000), (int64_t)(p->child_sys_ns / 10000000)};
	if (a0(r) && fw_copy_to_user(fw_uaddr(a0(r)), &t))
		return -EFAULT;
	return (int64_t)(fw_time_monotonic_ns() / 10000000); /* ticks since boot */
}

int64_t sys_getrusage(struct fw_uregs *r)
{
	int32_t who = (int32_t)a0(r);
	struct linux_rusage ru = {0};
	proc_account_cpu();
	struct proc *p = cur_proc();
	struct mm *m = mm_get(p->mm);
	uint64_t rss = m ? fw_vm_resident_pages(m->vm) * 4 : 0;
	if (rss > p->maxrss_kb)
		p->maxrss_kb = rss;
	switch (who) {
	case 0: /* RUSAGE_SELF */
		ns_to_tv(p->user_ns, &ru.utime);
		ns_to_tv(p->sys_ns, &ru.stime);
		ru.maxrss = (int64_t)p->maxrss_kb;
		break;
	case 1: { /* RUSAGE_THREAD */
		struct thread *t = cur_thread();
		ns_to_tv(t->cpu_user_ns, &ru.utime);
		ns_to_tv(t->cpu_sys_ns, &ru.stime);
		ru.maxrss = (int64_t)p->maxrss_kb;
		break;
	}
	case -1: /* RUSAGE_CHILDREN */
		ns_to_tv(p->child_user_ns, &ru.utime);
		ns_to_tv(p->child_sys_ns, &ru.stime);
		ru.maxrss = (int64_t)p->child_maxrss_kb;
		break;
	default:
		return -EINVAL;
	}
	return fw_copy_to_user(fw_uaddr(a1(r)), &ru) ? -EFAULT : 0;
}

/* The kernel's time zone (settimeofday's tz; gettimeofday reports it). */
FW_GLOBAL(struct linux_timezone, sys_tz);

void kernel_tz(struct linux_timezone *out) { *out = *sys_tz(); }

/* Linux's order: copy and check tv (usec 0..1000000 here, then a valid
 * time), copy tz, CAP_SYS_TIME (root), tz within +-15 hours, then set. */
int64_t sys_settimeofday(struct fw_uregs *r)
{
	struct linux_timeval tv;
	struct linux_timezone tz;
	if (a0(r)) {
		if (fw_copy_from_user(&tv, fw_uaddr(a0(r))))
			return -EFAULT;
		if (tv.tv_usec > 1000000 || tv.tv_usec < 0)
			return -EINVAL;
	}
	if (a1(r) && fw_copy_from_user(&tz, fw_uaddr(a1(r))))
		return -EFAULT;
	if (a0(r) && (tv.tv_sec < 0 || tv.tv_usec >= 1000000))
		return -EINVAL;
	if (!cred_capable(CAP_SYS_TIME))
		return -EPERM;
	if (a1(r)) {
		if (tz.minuteswest > 15 * 60 || tz.minuteswest < -15 * 60)
			return -EINVAL;
		*sys_tz() = tz;
	}
	if (a0(r)) {
		fw_time_set_realtime((uint64_t)tv.tv_sec * NS + (uint64_t)tv.tv_usec * 1000);
		vdso_clock_changed();
	}
	return 0;
}
