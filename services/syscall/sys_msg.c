/* System V message queue system calls: decode the arguments and hand them
 * to services/ipc/msg.c. Layer: services (safe C). */
#include "ipc/ipc.h"
#include "syscall/syscall.h"

int64_t sys_msgget(struct fw_uregs *r) { return msg_get((int32_t)a0(r), (uint32_t)a1(r)); }
int64_t sys_msgsnd(struct fw_uregs *r) { return msg_send((int32_t)a0(r), a1(r), a2(r), (uint32_t)a3(r)); }

int64_t sys_msgrcv(struct fw_uregs *r)
{
	return msg_receive((int32_t)a0(r), a1(r), a2(r), (int64_t)a3(r), (uint32_t)a4(r));
}

int64_t sys_msgctl(struct fw_uregs *r) { return msg_ctl((int32_t)a0(r), (int32_t)a1(r), a2(r)); }
