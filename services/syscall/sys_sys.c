/* System information and scheduling policy calls: sysinfo, prctl,
 * hostname, getcpu. Layer: services (safe C). Keel runs services on one
 * CPU, which getcpu reports. */
#include "syscall/syscall.h"
#include <fw/frame.h>
#include <fw/time.h>

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	uint8_t reserved[4];
};

int64_t sys_sysinfo(struct fw_uregs *r)
{
	struct linux_sysinfo si = {0};
	si.uptime = (int64_t)(fw_time_monotonic_ns() / 1000000000ULL);
	si.totalram = fw_frames_total() * 4096;
	si.freeram = fw_frames_free() * 4096;
	si.procs = (uint16_t)proc_count();
	si.mem_unit = 1;
	return fw_copy_to_user(fw_uaddr(a0(r)), &si) ? -EFAULT : 0;
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16

struct comm16 {
	char s[16];
};

int64_t sys_prctl(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	switch (a0(r)) {
	case PR_SET_NAME: {
		struct comm16 c;
		long n = fw_strncpy_from_user(&c.s, fw_uaddr(a1(r)));
		if (n == -EFAULT)
			return -EFAULT;
		c.s[15] = 0;
		uint32_t len = 0;
		while (len < 15 && c.s[len]) {
			p->comm.s[len] = c.s[len];
			len++;
		}
		p->comm.s[len] = 0;
		p->comm.len = len;
		return 0;
	}
	case PR_GET_NAME: {
		struct comm16 c = {0};
		for (uint32_t i = 0; i < p->comm.len && i < 15; i++)
			c.s[i] = p->comm.s[i];
		return fw_copy_to_user(fw_uaddr(a1(r)), &c) ? -EFAULT : 0;
	}
	case PR_SET_PDEATHSIG:
		if (a1(r) > NSIG)
			return -EINVAL;
		p->pdeath_signal = (uint32_t)a1(r);
		return 0;
	case PR_GET_PDEATHSIG: {
		int32_t v = (int32_t)p->pdeath_signal;
		return fw_copy_to_user(fw_uaddr(a1(r)), &v) ? -EFAULT : 0;
	}
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a1(r) <= 1 ? 0 : -EINVAL;
	default:
		return prctl_caps(r); /* sys_caps.c: the capability options, else -EINVAL */
	}
}

/* Linux: CAP_SYS_ADMIN first, then 0 <= len <= 64. The name may be empty. */
static int64_t set_name(bool domain, uint64_t ubuf, uint64_t len64)
{
	int32_t len = (int32_t)len64;
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (len < 0 || len > 64)
		return -EINVAL;
	struct kname n = {0};
	if (len && fw_copy_from_user_n(&n.s, fw_uaddr(ubuf), (uint64_t)len))
		return -EFAULT;
	n.len = 0;
	while (n.len < (uint32_t)len && n.s[n.len])
		n.len++;
	n.s[n.len] = 0;
	return uts_set(domain ? UTS_DOMAIN : UTS_HOST, &n);
}

int64_t sys_sethostname(struct fw_uregs *r) { return set_name(false, a0(r), a1(r)); }
int64_t sys_setdomainname(struct fw_uregs *r) { return set_name(true, a0(r), a1(r)); }

int64_t sys_getcpu(struct fw_uregs *r)
{
	uint32_t zero = 0;
	if (a0(r) && fw_copy_to_user(fw_uaddr(a0(r)), &zero))
		return -EFAULT;
	if (a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &zero))
		return -EFAULT;
	return 0;
}
