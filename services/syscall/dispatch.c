/* System call dispatch. Layer: services (safe C). */
#include "syscall/syscall.h"

#define NR_SYSCALLS 512

#define SYSCALL_ENTRY(nr, name, status) [nr] = sys_##name,
static const sys_fn table[NR_SYSCALLS] = {SYSCALL_LIST(SYSCALL_ENTRY)};

void syscall_dispatch_table(struct fw_uregs *r)
{
	uint64_t nr = r->rax;
	if (nr >= NR_SYSCALLS || !table[nr]) {
		r->rax = (uint64_t)(int64_t)-ENOSYS;
		return;
	}
	r->rax = (uint64_t)table[nr](r);
}
