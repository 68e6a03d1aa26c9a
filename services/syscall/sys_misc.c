/* Miscellaneous system calls: uname, time, arch_prctl, randomness,
 * limits, futex, signal masks. Layer: services (safe C). */
#include "proc/futex.h"
#include "signal/signal.h"
#include "syscall/syscall.h"
#include <fw/console.h>
#include <fw/time.h>

static void set_field(char (*dst)[65], const struct kname *src)
{
	for (uint32_t i = 0; i < src->len && i < 64; i++)
		(*dst)[i] = src->s[i];
}

int64_t sys_uname(struct fw_uregs *r)
{
	struct linux_utsname u = {
		.sysname = "Linux", .release = "6.1.0-keel", .version = "#1 Keel framekernel", .machine = "x86_64",
		.domainname = "(none)"};
	struct kname host;
	if (uts_hostname(&host))
		set_field(&u.nodename, &host);
	else
		u.nodename[0] = '(', u.nodename[1] = 'n', u.nodename[2] = 'o', u.nodename[3] = 'n', u.nodename[4] = 'e',
		u.nodename[5] = ')';
	return fw_copy_to_user(fw_uaddr(a0(r)), &u) ? -EFAULT : 0;
}

int64_t sys_arch_prctl(struct fw_uregs *r)
{
	switch (a0(r)) {
	case ARCH_SET_FS:
		return fw_task_set_fs_base(a1(r));
	case ARCH_GET_FS: {
		uint64_t v = fw_task_fs_base();
		return fw_copy_to_user(fw_uaddr(a1(r)), &v) ? -EFAULT : 0;
	}
	default:
		return -EINVAL;
	}
}

static int clock_now(uint64_t clk, struct linux_timespec *ts)
{
	uint64_t ns;
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns = fw_time_realtime_ns();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		ns = fw_time_monotonic_ns();
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: {
		uint64_t u, s;
		fw_task_cpu_times(&u, &s);
		ns = u + s;
		break;
	}
	default:
		return -EINVAL;
	}
	ts->tv_sec = (int64_t)(ns / 1000000000);
	ts->tv_nsec = (int64_t)(ns % 1000000000);
	return 0;
}

int64_t sys_clock_gettime(struct fw_uregs *r)
{
	struct linux_timespec ts;
	int e = clock_now(a0(r), &ts);
	if (e)
		return e;
	return fw_copy_to_user(fw_uaddr(a1(r)), &ts) ? -EFAULT : 0;
}

int64_t sys_clock_getres(struct fw_uregs *r)
{
	struct linux_timespec ts;
	int e = clock_now(a0(r), &ts);
	if (e)
		return e;
	ts.tv_sec = 0;
	ts.tv_nsec = 1;
	if (a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &ts))
		return -EFAULT;
	return 0;
}

int64_t sys_gettimeofday(struct fw_uregs *r)
{
	uint64_t ns = fw_time_realtime_ns();
	struct linux_timeval tv = {(int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000)};
	if (a0(r) && fw_copy_to_user(fw_uaddr(a0(r)), &tv))
		return -EFAULT;
	return 0;
}

int64_t sys_time(struct fw_uregs *r)
{
	int64_t t = (int64_t)(fw_time_realtime_ns() / 1000000000);
	if (a0(r) && fw_copy_to_user(fw_uaddr(a0(r)), &t))
		return -EFAULT;
	return t;
}

int64_t sys_getrandom(struct fw_uregs *r)
{
	if (a2(r) & ~7ULL)
		return -EINVAL;
	struct kchunk c;
	uint64_t n = FW_MIN(a1(r), 33554431ULL), done = 0;
	while (done < n) {
		uint64_t k = FW_MIN(n - done, sizeof(c.b));
		fw_random_fill(&c.b, k);
		if (fw_copy_to_user_n(fw_uaddr(a0(r) + done), &c.b, k))
			return done ? (int64_t)done : -EFAULT;
		done += k;
	}
	return (int64_t)done;
}

int64_t sys_prlimit64(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	uint64_t res = a1(r);
	if (res >= 16)
		return -EINVAL;
	struct proc *p = pid ? proc_get(proc_by_pid(pid)) : cur_proc();
	if (!p)
		return -ESRCH;
	if (a3(r)) {
		struct linux_rlimit old = p->rlim[res];
		if (old.cur == 0 && old.max == 0)
			old = (struct linux_rlimit){UINT64_MAX, UINT64_MAX};
		if (res == 7) /* RLIMIT_NOFILE */
			old = (struct linux_rlimit){FD_MAX, FD_MAX};
		if (res == 3 && p->rlim[res].cur == 0) /* RLIMIT_STACK */
			old = (struct linux_rlimit){USER_STACK_MAX, UINT64_MAX};
		if (fw_copy_to_user(fw_uaddr(a3(r)), &old))
			return -EFAULT;
	}
	if (a2(r)) {
		struct linux_rlimit nl;
		if (fw_copy_from_user(&nl, fw_uaddr(a2(r))))
			return -EFAULT;
		if (nl.cur > nl.max)
			return -EINVAL;
		p->rlim[res] = nl;
	}
	return 0;
}

int64_t sys_futex(struct fw_uregs *r)
{
	uint64_t addr = a0(r);
	uint32_t op = (uint32_t)a1(r) & 0x7f; /* strip FUTEX_PRIVATE_FLAG (128) */
	uint32_t val = (uint32_t)a2(r);
	switch (op & ~256u) { /* FUTEX_CLOCK_REALTIME */
	case 0:   /* WAIT */
	case 9: { /* WAIT_BITSET */
		uint64_t deadline = 0;
		if (a3(r)) {
			struct linux_timespec ts;
			if (fw_copy_from_user(&ts, fw_uaddr(a3(r))))
				return -EFAULT;
			if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
				return -EINVAL;
			uint64_t ns = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
			deadline = op == 0 ? fw_time_monotonic_ns() + ns : ns;
			if (deadline == 0)
				deadline = 1;
		}
		int e = futex_wait(addr, val, deadline, op == 9 ? (uint32_t)a5(r) : 0xffffffff);
		return e == -EINTR ? -ERESTARTSYS : e;
	}
	case 1: /* WAKE */
		return futex_wake_addr(addr, (int32_t)val);
	case 10: /* WAKE_BITSET */
		return futex_wake_bitset(addr, (int32_t)val, (uint32_t)a5(r));
	case 3: /* REQUEUE */
		return futex_requeue(addr, (int32_t)val, a4(r), (int32_t)a3(r));
	case 4: { /* CMP_REQUEUE */
		uint32_t cur;
		if (fw_copy_from_user(&cur, fw_uaddr(addr)))
			return -EFAULT;
		if (cur != (uint32_t)a5(r))
			return -EAGAIN;
		return futex_requeue(addr, (int32_t)val, a4(r), (int32_t)a3(r));
	}
	default:
		return -ENOSYS;
	}
}

int64_t sys_rt_sigaction(struct fw_uregs *r)
{
	int sig = (int)a0(r);
	if (sig < 1 || sig > NSIG || a3(r) != 8)
		return -EINVAL;
	struct proc *p = cur_proc();
	struct sigaction_k k, old = p->sigact[sig - 1];
	if (a1(r)) {
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
		if (fw_copy_from_user(&k, fw_uaddr(a1(r))))
			return -EFAULT;
	}
	if (a2(r) && fw_copy_to_user(fw_uaddr(a2(r)), &old))
		return -EFAULT;
	if (a1(r))
		p->sigact[sig - 1] = k;
	return 0;
}

int64_t sys_rt_sigprocmask(struct fw_uregs *r)
{
	if (a3(r) != 8)
		return -EINVAL;
	struct thread *t = cur_thread();
	uint64_t old = t->sig_mask;
	if (a1(r)) {
		uint64_t set;
		if (fw_copy_from_user(&set, fw_uaddr(a1(r))))
			return -EFAULT;
		set &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
		switch (a0(r)) {
		case 0:
			t->sig_mask |= set;
			break;
		case 1:
			t->sig_mask &= ~set;
			break;
		case 2:
			t->sig_mask = set;
			break;
		default:
			return -EINVAL;
		}
	}
	if (a2(r) && fw_copy_to_user(fw_uaddr(a2(r)), &old))
		return -EFAULT;
	return 0;
}
