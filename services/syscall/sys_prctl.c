/* prctl(2) options for seccomp, no_new_privs, child subreapers, timer
 * slack, the time stamp counter, transparent huge pages, the tid address
 * and PR_SET_MM. Layer: services (safe C). sys_prctl (syscall/sys_sys.c)
 * hands every option it does not know to prctl_more. */
#include "syscall/syscall.h"
#include "proc/seccomp.h"
#include <fw/user.h>

#define PR_GET_SECCOMP 21
#define PR_SET_SECCOMP 22
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39

static int64_t set_seccomp(uint64_t mode, uint64_t filter)
{
	if (mode == SECCOMP_MODE_STRICT)
		return seccomp_op(0, 0, 0);
	if (mode == SECCOMP_MODE_FILTER)
		return seccomp_op(1, 0, filter);
	return -EINVAL;
}

int64_t prctl_more(struct fw_uregs *r)
{
	struct thread *t = cur_thread();
	switch (a0(r)) {
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
		return -EINVAL;
	}
}
