/* Capability sets and their transitions (capabilities(7)). Layer:
 * services (safe C). Trusts struct proc's ids; user input reaches here
 * only through sys_caps.c, which checks it. */
#include "proc/proc.h"

/* The capabilities the file-system uid stands for. */
#define CAP_FS_MASK                                                                                        \
	((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_DAC_READ_SEARCH) |                \
	 (1ULL << CAP_FOWNER) | (1ULL << CAP_FSETID) | (1ULL << CAP_LINUX_IMMUTABLE) |                     \
	 (1ULL << CAP_MAC_OVERRIDE) | (1ULL << CAP_MKNOD))

bool proc_capable(const struct proc *p, uint32_t cap)
{
	return p && cap <= CAP_LAST_CAP && (p->caps.effective >> cap) & 1;
}

bool cred_capable(uint32_t cap) { return proc_capable(cur_proc(), cap); }

void cred_init_root(struct cred_caps *c)
{
	*c = (struct cred_caps){0};
	c->permitted = c->effective = c->bset = CAP_FULL;
}

void cred_fix_setfsuid(struct proc *p, uint32_t old_fs)
{
	if (p->caps.securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	if (old_fs == 0 && p->fsuid != 0)
		p->caps.effective &= ~CAP_FS_MASK;
	else if (old_fs != 0 && p->fsuid == 0)
		p->caps.effective |= p->caps.permitted & CAP_FS_MASK;
}

void cred_fix_setuid(struct proc *p, uint32_t old_r, uint32_t old_e, uint32_t old_s, uint32_t old_fs)
{
	struct cred_caps *c = &p->caps;
	if (c->securebits & SECBIT_NO_SETUID_FIXUP)
		return;
	bool was_root = old_r == 0 || old_e == 0 || old_s == 0;
	bool none_root = p->uid != 0 && p->euid != 0 && p->suid != 0;
	if (was_root && none_root && !(c->securebits & SECBIT_KEEP_CAPS)) {
		c->permitted = 0;
		c->effective = 0;
	}
	if (was_root && none_root)
		c->ambient = 0;
	if (old_e == 0 && p->euid != 0)
		c->effective = 0;
	if (old_e != 0 && p->euid == 0)
		c->effective = c->permitted;
	cred_fix_setfsuid(p, old_fs);
}

void cred_on_exec(struct proc *p)
{
	struct cred_caps *c = &p->caps;
	bool root_rules = !(c->securebits & SECBIT_NOROOT);
	/* Ambient capabilities only survive while permitted and inheritable. */
	c->ambient &= c->permitted & c->inheritable;
	bool eff = false;
	if (root_rules && (p->euid == 0 || p->uid == 0)) {
		/* root's programs count as having every file capability */
		c->permitted = (c->bset | c->inheritable) | c->ambient;
		eff = p->euid == 0;
	} else {
		c->permitted = c->ambient;
	}
	c->effective = eff ? c->permitted : c->ambient;
	c->securebits &= ~(uint32_t)SECBIT_KEEP_CAPS; /* keep-caps ends at exec */
}

uint64_t cred_fs_caps(const struct proc *p, bool real)
{
	if (!real || (p->caps.securebits & SECBIT_NO_SETUID_FIXUP))
		return p->caps.effective;
	/* access(2) acts with the real ids: root's permitted set, else none */
	return p->uid == 0 ? p->caps.permitted : 0;
}
