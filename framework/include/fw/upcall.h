/* Keel framework public API — upcalls: the functions the framework calls in
 * services. Services define each of these exactly once.
 *
 * Layer: framework (trusted) declares; services implement.
 *
 * All upcalls run in thread context of the current task with interrupts
 * enabled, never from an interrupt handler (hazard 10: interrupt context).
 */
#ifndef FW_UPCALL_H
#define FW_UPCALL_H

#include <fw/task.h>

/* First code of the services, run in the first kernel task after the
 * framework is up. Returning powers the machine off. */
FW_UPCALL void svc_main(void);

/* A `syscall` from user mode: number in regs->rax, arguments in rdi, rsi,
 * rdx, r10, r8, r9; the service stores the result in regs->rax. */
FW_UPCALL void svc_syscall(struct fw_uregs *regs);

/* A synchronous exception from user mode (page fault the service must
 * resolve, #GP, #UD, #DE, ...). Return to resume the task with *regs. */
FW_UPCALL void svc_user_fault(struct fw_uregs *regs, const struct fw_fault *fault);

/* A kernel copy to or from user memory faulted at `addr` (a user address).
 * Return 0 after making the page present with the needed access (demand
 * paging, copy-on-write), or a negative errno to fail the copy (-EFAULT). */
FW_UPCALL int svc_resolve_user_fault(uint64_t addr, bool write);

/* Last chance before returning to user mode: deliver signals, etc. */
FW_UPCALL void svc_return_to_user(struct fw_uregs *regs);

#endif
