/* System V shared memory system calls: decode the arguments and hand them
 * to services/ipc/shm.c. Layer: services (safe C). */
#include "ipc/ipc.h"
#include "syscall/syscall.h"

int64_t sys_shmget(struct fw_uregs *r) { return shm_get((int32_t)a0(r), a1(r), (uint32_t)a2(r)); }
int64_t sys_shmat(struct fw_uregs *r) { return shm_attach((int32_t)a0(r), a1(r), (uint32_t)a2(r)); }
int64_t sys_shmdt(struct fw_uregs *r) { return shm_detach(a0(r)); }
int64_t sys_shmctl(struct fw_uregs *r) { return shm_ctl((int32_t)a0(r), (int32_t)a1(r), a2(r)); }
