/* membarrier(2). Layer: services (safe C). Keel runs user code on one CPU
 * and every system call is a full barrier, so a requested barrier is
 * complete when the call is; what remains is Linux's interface: the
 * commands QUERY reports, registration per address space (a private
 * expedited barrier without it is EPERM), and the errors. Keel has no rseq,
 * so the rseq commands are EINVAL as on a kernel without CONFIG_RSEQ. */
#include "syscall/syscall.h"

#define CMD_QUERY 0
#define CMD_GLOBAL 1
#define CMD_GLOBAL_EXPEDITED 2
#define CMD_REGISTER_GLOBAL_EXPEDITED 4
#define CMD_PRIVATE_EXPEDITED 8
#define CMD_REGISTER_PRIVATE_EXPEDITED 16
#define CMD_PRIVATE_EXPEDITED_SYNC_CORE 32
#define CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE 64
#define CMD_GET_REGISTRATIONS 512
#define SUPPORTED                                                                                          \
	(CMD_GLOBAL | CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED | CMD_PRIVATE_EXPEDITED |         \
	 CMD_REGISTER_PRIVATE_EXPEDITED | CMD_PRIVATE_EXPEDITED_SYNC_CORE |                                 \
	 CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | CMD_GET_REGISTRATIONS)

int64_t sys_membarrier(struct fw_uregs *r)
{
	uint32_t cmd = (uint32_t)a0(r);
	if (a1(r))
		return -EINVAL;
	struct mm *m = mm_get(cur_proc()->mm);
	if (!m)
		return -EINVAL;
	switch (cmd) {
	case CMD_QUERY:
		return SUPPORTED;
	case CMD_GLOBAL:
	case CMD_GLOBAL_EXPEDITED:
		return 0;
	case CMD_REGISTER_GLOBAL_EXPEDITED:
	case CMD_REGISTER_PRIVATE_EXPEDITED:
	case CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
		m->membarrier |= cmd;
		return 0;
	case CMD_PRIVATE_EXPEDITED:
		return (m->membarrier & CMD_REGISTER_PRIVATE_EXPEDITED) ? 0 : -EPERM;
	case CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		return (m->membarrier & CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE) ? 0 : -EPERM;
	case CMD_GET_REGISTRATIONS:
		return m->membarrier;
	default:
		return -EINVAL;
	}
}
