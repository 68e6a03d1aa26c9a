/* capget(2), capset(2) and prctl's capability options (PR_CAPBSET_*,
 * PR_CAP_AMBIENT, PR_*_KEEPCAPS, PR_*_SECUREBITS). Layer: services (safe
 * C). Decodes and checks user input; the sets and their transitions live
 * in proc/cred.c.
 *
 * capget/capset headers: version 1 carries one 32-bit word per set,
 * versions 2 and 3 two. An unknown version gets version 3 written back and
 * -EINVAL (capget without a data pointer then succeeds: that is how
 * libraries ask for the preferred version). capset changes only the
 * caller (another pid: -EPERM), and only within Linux's rules: the new
 * permitted set within the old, effective within the new permitted,
 * inheritable within old inheritable plus bounding set, and (without
 * CAP_SETPCAP) within old inheritable plus permitted. */
#include "syscall/syscall.h"

#define CAP_V1 0x19980330u
#define CAP_V2 0x20071026u
#define CAP_V3 0x20080522u

struct cap_header {
	uint32_t version;
	int32_t pid;
};

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

struct cap_data2 {
	struct cap_data d[2];
};

/* The number of data words of the header's version, or -EINVAL after
 * writing the preferred version back (-EFAULT if that fails). */
static int cap_words(uint64_t uhdr, struct cap_header *h)
{
	if (fw_copy_from_user(h, fw_uaddr(uhdr)))
		return -EFAULT;
	if (h->version == CAP_V1)
		return 1;
	if (h->version == CAP_V2 || h->version == CAP_V3)
		return 2;
	uint32_t v = CAP_V3;
	return fw_copy_to_user(fw_uaddr(uhdr), &v) ? -EFAULT : -EINVAL;
}

int64_t sys_capget(struct fw_uregs *r)
{
	struct cap_header h;
	int n = cap_words(a0(r), &h);
	if (a1(r) == 0)
		return n == -EINVAL ? 0 : n < 0 ? n : 0;
	if (n < 0)
		return n;
	if (h.pid < 0)
		return -EINVAL;
	struct proc *p = cur_proc();
	if (h.pid != 0 && h.pid != p->pid) {
		struct thread *t = thread_get(pid_lookup(h.pid));
		p = t ? proc_get(t->proc) : NULL;
		if (!p || p->state != PROC_ALIVE)
			return -ESRCH;
	}
	struct cap_data2 d = {0};
	const struct cred_caps *c = &p->caps;
	d.d[0] = (struct cap_data){(uint32_t)c->effective, (uint32_t)c->permitted, (uint32_t)c->inheritable};
	d.d[1] = (struct cap_data){(uint32_t)(c->effective >> 32), (uint32_t)(c->permitted >> 32),
				   (uint32_t)(c->inheritable >> 32)};
	return fw_copy_to_user_n(fw_uaddr(a1(r)), &d, (uint64_t)n * sizeof(struct cap_data)) ? -EFAULT : 0;
}

static uint64_t join(uint32_t lo, uint32_t hi) { return ((uint64_t)hi << 32 | lo) & CAP_FULL; }

int64_t sys_capset(struct fw_uregs *r)
{
	struct cap_header h;
	int n = cap_words(a0(r), &h);
	if (n < 0)
		return n;
	if (h.pid != 0 && h.pid != cur_thread()->tid)
		return -EPERM;
	struct cap_data2 d = {0};
	if (fw_copy_from_user_n(&d, fw_uaddr(a1(r)), (uint64_t)n * sizeof(struct cap_data)))
		return -EFAULT;
	struct proc *p = cur_proc();
	struct cred_caps *c = &p->caps;
	uint64_t eff = join(d.d[0].effective, d.d[1].effective);
	uint64_t prm = join(d.d[0].permitted, d.d[1].permitted);
	uint64_t inh = join(d.d[0].inheritable, d.d[1].inheritable);
	if (!proc_capable(p, CAP_SETPCAP) && (inh & ~(c->inheritable | c->permitted)))
		return -EPERM;
	if (inh & ~(c->inheritable | c->bset))
		return -EPERM;
	if (prm & ~c->permitted)
		return -EPERM;
	if (eff & ~prm)
		return -EPERM;
	c->effective = eff;
	c->permitted = prm;
	c->inheritable = inh;
	c->ambient &= prm & inh;
	return 0;
}

#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_CAPBSET_READ 23
#define PR_CAPBSET_DROP 24
#define PR_GET_SECUREBITS 27
#define PR_SET_SECUREBITS 28
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4

static bool cap_valid(uint64_t cap) { return cap <= CAP_LAST_CAP; }

static int64_t set_securebits(struct cred_caps *c, uint64_t bits, bool setpcap)
{
	uint64_t old = c->securebits;
	/* a locked flag may not change, a lock may not be released, unknown
	 * bits are refused, and only CAP_SETPCAP may change anything */
	if ((((old & SECURE_ALL_LOCKS) >> 1) & (old ^ bits)) || (old & SECURE_ALL_LOCKS & ~bits) ||
	    (bits & ~(uint64_t)(SECURE_ALL_LOCKS | SECURE_ALL_BITS)) || !setpcap)
		return -EPERM;
	c->securebits = (uint32_t)bits;
	return 0;
}

static int64_t ambient(struct cred_caps *c, uint64_t op, uint64_t cap, uint64_t a4, uint64_t a5)
{
	if (op == PR_CAP_AMBIENT_CLEAR_ALL) {
		if (cap | a4 | a5)
			return -EINVAL;
		c->ambient = 0;
		return 0;
	}
	if (!cap_valid(cap) || a4 || a5)
		return -EINVAL;
	uint64_t bit = 1ULL << cap;
	switch (op) {
	case PR_CAP_AMBIENT_IS_SET:
		return (c->ambient & bit) != 0;
	case PR_CAP_AMBIENT_RAISE:
		if (!(c->permitted & bit) || !(c->inheritable & bit) || (c->securebits & SECBIT_NO_CAP_AMBIENT_RAISE))
			return -EPERM;
		c->ambient |= bit;
		return 0;
	case PR_CAP_AMBIENT_LOWER:
		c->ambient &= ~bit;
		return 0;
	default:
		return -EINVAL;
	}
}

int64_t prctl_caps(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	struct cred_caps *c = &p->caps;
	switch (a0(r)) {
	case PR_CAPBSET_READ:
		return cap_valid(a1(r)) ? (int64_t)((c->bset >> a1(r)) & 1) : -EINVAL;
	case PR_CAPBSET_DROP:
		if (!proc_capable(p, CAP_SETPCAP))
			return -EPERM;
		if (!cap_valid(a1(r)))
			return -EINVAL;
		c->bset &= ~(1ULL << a1(r));
		return 0;
	case PR_GET_KEEPCAPS:
		return (c->securebits & SECBIT_KEEP_CAPS) != 0;
	case PR_SET_KEEPCAPS:
		if (a1(r) > 1)
			return -EINVAL;
		if (c->securebits & SECBIT_KEEP_CAPS_LOCKED)
			return -EPERM;
		c->securebits = a1(r) ? c->securebits | SECBIT_KEEP_CAPS : c->securebits & ~(uint32_t)SECBIT_KEEP_CAPS;
		return 0;
	case PR_GET_SECUREBITS:
		return c->securebits;
	case PR_SET_SECUREBITS:
		return set_securebits(c, a1(r), proc_capable(p, CAP_SETPCAP));
	case PR_CAP_AMBIENT:
		return ambient(c, a1(r), a2(r), a3(r), a4(r));
	default:
		return -EINVAL;
	}
}
