/* flock(2): decode the operation; the locks live in vfs/flock.c. Layer:
 * services (safe C). Linux's order: the descriptor (O_PATH ones do not
 * count), the operation (LOCK_SH, LOCK_EX, LOCK_UN, with LOCK_NB; the
 * retired LOCK_MAND is accepted and ignored), then the lock. */
#include "syscall/syscall.h"

#define LOCK_NB 4
#define LOCK_MAND 32

int64_t sys_flock(struct fw_uregs *r)
{
	uint32_t cmd = (uint32_t)a1(r);
	struct file_ref f;
	if (fd_get(cur_proc()->files, (int32_t)a0(r), &f) || (file_get(f)->flags & O_PATH))
		return -EBADF;
	if (cmd & LOCK_MAND)
		return 0;
	uint32_t op = cmd & ~(uint32_t)LOCK_NB;
	if (op != FLOCK_SH && op != FLOCK_EX && op != FLOCK_UN)
		return -EINVAL;
	return flock_file(f, op, !(cmd & LOCK_NB), cur_proc()->pid);
}
