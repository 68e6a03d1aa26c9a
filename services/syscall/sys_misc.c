/* Miscellaneous system calls: uname, time, arch_prctl, randomness,
 * limits, signal masks. Layer: services (safe C). */
#include "proc/signal.h"
#include "syscall/syscall.h"
#include <fw/console.h>
#include <fw/time.h>

static void set_field(char (*dst)[65], const struct kname *src)
{
	for (uint32_t i = 0; i < 65; i++)
		(*dst)[i] = i < src->len && i < 64 ? src->s[i] : 0;
}

#define PER_LINUX32 0x0008
#define PER_MASK 0x00ff

int64_t sys_uname(struct fw_uregs *r)
{
	struct linux_utsname u;
	struct kname n;
	uts_get(UTS_SYSNAME, &n);
	set_field(&u.sysname, &n);
	uts_get(UTS_HOST, &n);
	set_field(&u.nodename, &n);
	uts_get(UTS_RELEASE, &n);
	set_field(&u.release, &n);
	uts_get(UTS_VERSION, &n);
	set_field(&u.version, &n);
	uts_get(UTS_MACHINE, &n);
	set_field(&u.machine, &n);
	uts_get(UTS_DOMAIN, &n);
	set_field(&u.domainname, &n);
	/* Linux reports a 32-bit machine to a PER_LINUX32 process. */
	if ((cur_proc()->personality & PER_MASK) == PER_LINUX32) {
		struct kname m = {.s = "i686", .len = 4};
		set_field(&u.machine, &m);
	}
	return fw_copy_to_user(fw_uaddr(a0(r)), &u) ? -EFAULT : 0;
}

/* personality(2): 0xffffffff only queries; any other value is stored and
 * inherited by children and across exec (Linux checks nothing). Keel acts
 * on PER_LINUX32 (uname's machine); its memory layout never randomises, so
 * ADDR_NO_RANDOMIZE changes nothing. */
int64_t sys_personality(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint32_t old = p->personality, v = (uint32_t)a0(r);
	if (v != 0xffffffffu)
		p->personality = v;
	return old;
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
	case 8:  /* CLOCK_REALTIME_ALARM */
		ns = fw_time_realtime_ns();
		break;
	case 11: /* CLOCK_TAI: realtime plus adjtimex's TAI offset (0 until set) */
		ns = fw_time_realtime_ns() + (uint64_t)(int64_t)ntp_tai_offset() * 1000000000ULL;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
	case 9: /* CLOCK_BOOTTIME_ALARM */
		ns = fw_time_monotonic_ns();
		break;
	case CLOCK_PROCESS_CPUTIME_ID: {
		proc_account_cpu();
		struct proc *p = cur_proc();
		ns = p->user_ns + p->sys_ns;
		break;
	}
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
	struct linux_timezone tz;
	kernel_tz(&tz);
	if (a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &tz))
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

/* A limit never set reads as Linux's default. */
struct linux_rlimit rlimit_of(const struct proc *p, uint64_t res)
{
	if (res < 16 && (p->rlim_set & (1u << res)))
		return p->rlim[res];
	switch (res) {
	case 7: /* RLIMIT_NOFILE */
		return (struct linux_rlimit){FD_MAX, FD_MAX};
	case 3: /* RLIMIT_STACK */
		return (struct linux_rlimit){USER_STACK_MAX, UINT64_MAX};
	case 4: /* RLIMIT_CORE */
		return (struct linux_rlimit){0, UINT64_MAX};
	case 8: /* RLIMIT_MEMLOCK */
		return (struct linux_rlimit){8ULL << 20, 8ULL << 20};
	case 13: /* RLIMIT_NICE */
	case 14: /* RLIMIT_RTPRIO */
		return (struct linux_rlimit){0, 0};
	case 6:  /* RLIMIT_NPROC */
	case 11: /* RLIMIT_SIGPENDING */
		return (struct linux_rlimit){4000, 4000};
	case 12: /* RLIMIT_MSGQUEUE */
		return (struct linux_rlimit){819200, 819200};
	default:
		return (struct linux_rlimit){UINT64_MAX, UINT64_MAX};
	}
}

uint64_t vfs_fsize_limit(void)
{
	struct proc *p = cur_proc();
	return p ? rlimit_of(p, 1).cur : UINT64_MAX; /* RLIMIT_FSIZE */
}

void vfs_fsize_exceeded(void) { (void)signal_send_proc(cur_proc_ref(), 25); /* SIGXFSZ */ }

bool vfs_fsize_ok(uint64_t size)
{
	if (size <= vfs_fsize_limit())
		return true;
	vfs_fsize_exceeded();
	return false;
}

static int64_t do_prlimit(struct proc *p, uint64_t res, uint64_t new_addr, uint64_t old_addr)
{
	if (res >= 16)
		return -EINVAL;
	struct linux_rlimit nl = {0};
	if (new_addr) {
		if (fw_copy_from_user(&nl, fw_uaddr(new_addr)))
			return -EFAULT;
		if (nl.cur > nl.max)
			return -EINVAL;
		struct linux_rlimit cur = rlimit_of(p, res);
		if (nl.max > cur.max && !proc_capable(p, CAP_SYS_RESOURCE))
			return -EPERM;
		if (res == 7 && nl.max > (uint64_t)vfs_nr_open() && nl.max != UINT64_MAX)
			return -EPERM; /* /proc/sys/fs/nr_open */
	}
	if (old_addr) {
		struct linux_rlimit old = rlimit_of(p, res);
		if (fw_copy_to_user(fw_uaddr(old_addr), &old))
			return -EFAULT;
	}
	if (new_addr) {
		p->rlim[res] = nl;
		p->rlim_set |= 1u << res;
		if (res == 0) /* RLIMIT_CPU */
			cpu_rlimit_update(p);
		struct mm *m = mm_get(p->mm);
		if (res == 3 && m) /* RLIMIT_STACK: the next growth of the stack checks it */
			m->stack_limit = nl.cur ? nl.cur : 1;
	}
	return 0;
}

int64_t sys_prlimit64(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	struct proc *p = pid ? proc_get(proc_by_pid(pid)) : cur_proc();
	if (!p || pid < 0)
		return -ESRCH;
	/* Linux's check_prlimit_permission: another process's limits need
	 * root or the caller's real ids equal to all three of its ids */
	struct proc *me = cur_proc();
	if (p != me && !proc_capable(me, CAP_SYS_RESOURCE) &&
	    (p->uid != me->uid || p->euid != me->uid || p->suid != me->uid || p->gid != me->gid ||
	     p->egid != me->gid || p->sgid != me->gid))
		return -EPERM;
	return do_prlimit(p, a1(r), a2(r), a3(r));
}

int64_t sys_getrlimit(struct fw_uregs *r) { return do_prlimit(cur_proc(), a0(r), 0, a1(r)); }
int64_t sys_setrlimit(struct fw_uregs *r) { return do_prlimit(cur_proc(), a0(r), a1(r), 0); }

