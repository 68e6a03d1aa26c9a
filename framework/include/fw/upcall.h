/* Keel framework public API — upcalls: how the framework calls the services.
 *
 * Layer: framework (trusted) declares the interface; services implement it
 * and hand it over at boot. The framework names no service symbol: it
 * links, boots and runs its ktests without services/ (`make fw-only-ktest`).
 *
 *   static const struct fw_upcalls svc_upcalls = {
 *           .syscall = svc_syscall, .user_fault = svc_user_fault,
 *           .resolve_user_fault = svc_resolve_user_fault,
 *           .return_to_user = svc_return_to_user,
 *   };
 *   static void svc_main(void) { if (fw_upcalls_register(&svc_upcalls)) ...; }
 *   FW_SERVICES_MAIN(svc_main);
 *
 * Contract:
 *  - FW_SERVICES_MAIN names the services' entry point. At most one may be
 *    linked (the link fails otherwise); the framework calls it in the first
 *    kernel task once the framework is up, and powers off when it returns.
 *    With none linked (a framework-only kernel) the machine powers off.
 *  - fw_upcalls_register() copies the table into framework memory (no
 *    pointer to it is kept). It succeeds once: a second call gives -EBUSY
 *    and changes nothing; a table with a NULL member gives -EINVAL. Until
 *    then the framework uses safe defaults: a system call returns -ENOSYS,
 *    a fault inside a user copy gives -EFAULT, a user exception ends the
 *    task, nothing happens on the way back to user mode.
 *  - Every upcall runs in the thread context of the current task with
 *    interrupts enabled, never from an interrupt handler (hazard 10), and
 *    is trusted for nothing beyond its type: registers are re-sanitised
 *    after each (return_to_user_prepare). All but resolve_user_fault may
 *    sleep.
 *  - resolve_user_fault runs in the middle of a user copy and must not let
 *    another task run: inside it every framework call that would sleep
 *    (fw_waitq_wait, fw_sleep_until, fw_mutex_lock on a held mutex,
 *    fw_console_read) fails with -EDEADLK and fw_task_yield does nothing
 *    (ktest fault_resolver_cannot_sleep). So a user copy is never a point
 *    where other services run: a pointer a service borrowed before a copy
 *    still names the same object after it (docs/safety.md, "Borrowed
 *    pointers across sleeps").
 *  - Pointer arguments are borrowed for the duration of the call: `regs` is
 *    the task's saved user frame on its own kernel stack, `fault` a
 *    framework local.
 */
#ifndef FW_UPCALL_H
#define FW_UPCALL_H

#include <fw/task.h>

struct fw_upcalls {
	/* A `syscall` from user mode: number in regs->rax, arguments in rdi,
	 * rsi, rdx, r10, r8, r9; the service stores the result in regs->rax. */
	void (*syscall)(struct fw_uregs *regs);
	/* A synchronous exception from user mode (page fault the service must
	 * resolve, #GP, #UD, #DE, ...). Return to resume the task with *regs. */
	void (*user_fault)(struct fw_uregs *regs, const struct fw_fault *fault);
	/* A kernel copy to or from user memory faulted at `addr` (a user
	 * address). Return 0 after making the page present with the needed
	 * access (demand paging, copy-on-write), or a negative errno to fail
	 * the copy (-EFAULT). Runs with the copy suspended: SMAP is on again
	 * (AC clear), no framework lock is held, and it cannot sleep. */
	int (*resolve_user_fault)(uint64_t addr, bool write);
	/* Last chance before returning to user mode: deliver signals, etc.
	 * Runs only when requested (a user task's first return,
	 * fw_task_interrupt, fw_task_want_return_upcall: <fw/task.h>), at
	 * most once per return; the request is cleared just before the call,
	 * so work it leaves must be requested again. Without a request the
	 * return costs no upcall (the null system call's fast path). */
	void (*return_to_user)(struct fw_uregs *regs);
};

FW_API FW_MUST_CHECK int fw_upcalls_register(const struct fw_upcalls *u);

/* The services' entry point, found by the framework in the .services_main
 * section (a const function pointer: framework code by spelling). */
struct fw_services_main {
	void (*main)(void);
};
#define FW_SERVICES_MAIN(fn)                                                                               \
	__attribute__((used, section(".services_main"), annotate("keel_trusted"))) static const struct     \
		fw_services_main fw_services_main_entry_ = {(fn)}

#endif
