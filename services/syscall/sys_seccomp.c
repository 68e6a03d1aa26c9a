/* seccomp(2). Layer: services (safe C). The modes, filters and the entry
 * check are in proc/seccomp.c; this decodes the operations. */
#include "syscall/syscall.h"
#include "proc/seccomp.h"
#include <fw/user.h>

#define SECCOMP_SET_MODE_STRICT 0
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_GET_NOTIF_SIZES 3

struct notif_sizes {
	uint16_t notif, resp, data;
};

/* Actions Keel carries out. SECCOMP_RET_USER_NOTIF is not among them: no
 * listener can be created (SECCOMP_FILTER_FLAG_NEW_LISTENER is refused). */
static int action_avail(uint32_t action)
{
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

int64_t seccomp_op(uint32_t op, uint32_t flags, uint64_t uargs)
{
	switch (op) {
	case SECCOMP_SET_MODE_STRICT: {
		if (flags || uargs)
			return -EINVAL;
		return seccomp_set_strict();
	}
	case SECCOMP_SET_MODE_FILTER: {
		return seccomp_set_filter(flags, uargs);
	}
	case SECCOMP_GET_ACTION_AVAIL: {
		if (flags)
			return -EINVAL;
		uint32_t action;
		if (fw_copy_from_user(&action, fw_uaddr(uargs)))
			return -EFAULT;
		return action_avail(action);
	}
	case SECCOMP_GET_NOTIF_SIZES: {
		if (flags)
			return -EINVAL;
		struct notif_sizes s = {80, 24, 64};
		return fw_copy_to_user(fw_uaddr(uargs), &s) ? -EFAULT : 0;
	}
	default:
		return -EINVAL;
	}
}

/* op and flags are C ints in Linux's prototype: the upper halves of the
 * registers are ignored. */
int64_t sys_seccomp(struct fw_uregs *r) { return seccomp_op((uint32_t)a0(r), (uint32_t)a1(r), a2(r)); }
