/* POSIX timers: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete. Layer: services (safe C). Decodes the
 * clock, the sigevent and the itimerspecs in Linux's order; the timers
 * live in proc/ptimer.c. */
#include "syscall/syscall.h"

#define TIMER_ABSTIME 1
#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4

struct linux_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid; /* SIGEV_THREAD_ID; the rest of the union is padding */
	int32_t pad[11];
};

/* Which clocks have timers: 0 yes, -EOPNOTSUPP (MONOTONIC_RAW, the
 * coarse clocks), -EINVAL (unknown), -EPERM (alarm clocks need
 * CAP_WAKE_ALARM). */
static int timer_clock_ok(int32_t clock)
{
	switch (clock) {
	case 0: case 1: case 2: case 3: case 7: case 11: /* REALTIME MONOTONIC PROCESS/THREAD_CPUTIME BOOTTIME TAI */
		return 0;
	case 4: case 5: case 6: /* MONOTONIC_RAW, REALTIME_COARSE, MONOTONIC_COARSE */
		return -EOPNOTSUPP;
	case 8: case 9: /* REALTIME_ALARM, BOOTTIME_ALARM */
		return cred_capable(CAP_WAKE_ALARM) ? 0 : -EPERM;
	default:
		return -EINVAL;
	}
}

/* Linux's good_sigevent: a thread of our own process for
 * SIGEV_THREAD_ID, a signal 1..64 for anything that signals. */
static bool good_sigevent(const struct linux_sigevent *ev)
{
	switch (ev->notify) {
	case SIGEV_THREAD_ID: {
		struct thread *t = thread_get(pid_lookup(ev->tid));
		struct proc_ref me = cur_proc_ref();
		if (ev->tid <= 0 || !t || t->proc.idx != me.idx || t->proc.gen != me.gen)
			return false;
		return ev->signo > 0 && ev->signo <= NSIG;
	}
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		return ev->signo > 0 && ev->signo <= NSIG;
	case SIGEV_NONE:
		return true;
	default:
		return false;
	}
}

int64_t sys_timer_create(struct fw_uregs *r)
{
	int32_t clock = (int32_t)a0(r);
	struct linux_sigevent ev = {0};
	if (a1(r) && fw_copy_from_user(&ev, fw_uaddr(a1(r))))
		return -EFAULT;
	int e = timer_clock_ok(clock);
	if (e)
		return e;
	if (a1(r) && !good_sigevent(&ev))
		return -EINVAL;
	int32_t notify = !a1(r) ? -1 : ev.notify == SIGEV_THREAD ? SIGEV_SIGNAL : ev.notify;
	int32_t id;
	e = ptimer_create((uint32_t)clock, notify, a1(r) ? ev.signo : 14 /* SIGALRM */, ev.value, ev.tid, &id);
	if (e)
		return e;
	if (fw_copy_to_user(fw_uaddr(a2(r)), &id)) {
		(void)ptimer_delete(id);
		return -EFAULT;
	}
	return 0;
}

static void to_its(uint64_t left, uint64_t interval, struct linux_itimerspec *out)
{
	out->value = (struct linux_timespec){(int64_t)(left / 1000000000ULL), (int64_t)(left % 1000000000ULL)};
	out->interval = (struct linux_timespec){(int64_t)(interval / 1000000000ULL), (int64_t)(interval % 1000000000ULL)};
}

int64_t sys_timer_settime(struct fw_uregs *r)
{
	if (!a2(r))
		return -EINVAL;
	struct linux_itimerspec nv;
	if (fw_copy_from_user(&nv, fw_uaddr(a2(r))))
		return -EFAULT;
	uint64_t value, interval;
	int e = timespec_from_user(a2(r) + 16, &value);
	if (e == 0)
		e = timespec_from_user(a2(r), &interval);
	if (e)
		return e;
	uint64_t ol, oi;
	e = ptimer_settime((int32_t)a0(r), (a1(r) & TIMER_ABSTIME) != 0, value, interval, &ol, &oi);
	if (e)
		return e;
	struct linux_itimerspec old;
	to_its(ol, oi, &old);
	return a3(r) && fw_copy_to_user(fw_uaddr(a3(r)), &old) ? -EFAULT : 0;
}

int64_t sys_timer_gettime(struct fw_uregs *r)
{
	uint64_t left, interval;
	int e = ptimer_gettime((int32_t)a0(r), &left, &interval);
	if (e)
		return e;
	struct linux_itimerspec cur;
	to_its(left, interval, &cur);
	return fw_copy_to_user(fw_uaddr(a1(r)), &cur) ? -EFAULT : 0;
}

int64_t sys_timer_getoverrun(struct fw_uregs *r) { return ptimer_getoverrun((int32_t)a0(r)); }
int64_t sys_timer_delete(struct fw_uregs *r) { return ptimer_delete((int32_t)a0(r)); }
