/* System V semaphore system calls: decode the arguments (the operation
 * array, the timeout) and hand them to services/ipc/sem.c. Layer: services
 * (safe C). */
#include "ipc/ipc.h"
#include "syscall/syscall.h"
#include <fw/time.h>

int64_t sys_semget(struct fw_uregs *r) { return sem_get((int32_t)a0(r), (int32_t)a1(r), (uint32_t)a2(r)); }

/* Linux's order: count and id, then E2BIG, then the copy, then the timeout. */
static int64_t do_semop(int32_t id, uint64_t usops, uint64_t nsops, uint64_t uts)
{
	if ((int64_t)(uint32_t)nsops < 1 || id < 0)
		return -EINVAL;
	/* /proc/sys/kernel/sem's semopm; Keel holds at most SEMOPM (500) */
	if ((int64_t)(uint32_t)nsops > ipc_limit(IPC_LIM_SEMOPM) || (uint32_t)nsops > SEMOPM)
		return -E2BIG;
	struct sem_ops_ref or;
	if (sem_ops_alloc(&or))
		return -ENOMEM;
	struct sem_ops *ops = sem_ops_get(or);
	ops->n = (uint32_t)nsops;
	int64_t e = fw_copy_from_user_n(&ops->op, fw_uaddr(usops), sizeof(struct linux_sembuf) * ops->n) ? -EFAULT : 0;
	uint64_t deadline = 0;
	if (e == 0 && uts) {
		uint64_t ns;
		e = timespec_from_user(uts, &ns);
		uint64_t now = fw_time_monotonic_ns();
		deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	}
	if (e == 0)
		e = sem_op(id, sem_ops_get(or), deadline);
	sem_ops_free(or);
	return e;
}

int64_t sys_semop(struct fw_uregs *r) { return do_semop((int32_t)a0(r), a1(r), a2(r), 0); }
int64_t sys_semtimedop(struct fw_uregs *r) { return do_semop((int32_t)a0(r), a1(r), a2(r), a3(r)); }
int64_t sys_semctl(struct fw_uregs *r) { return sem_ctl((int32_t)a0(r), (int32_t)a1(r), (int32_t)a2(r), a3(r)); }
