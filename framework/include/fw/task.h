/* Keel framework public API — tasks and user register state.
 *
 * Layer: framework (trusted). A task is a kernel thread of control with its
 * own kernel stack (guard page below). A user task additionally has a user
 * register frame, an FPU state and an address space (fw_vm); it enters user
 * mode when created and comes back to the services only through upcalls
 * (<fw/upcall.h>).
 *
 * Safety contract:
 *  - Tasks are named by struct fw_task_ref handles ({index, generation});
 *    every call checks the handle and fails with -ESRCH on a stale one.
 *  - struct fw_uregs is plain data. Services may read and write any field:
 *    before returning to user mode the framework forces the user code and
 *    stack selectors, sanitises rflags and refuses a non-canonical rip or
 *    rsp (it turns those into a user fault), so no value written here can
 *    make the kernel fault or run user code with privilege.
 *  - The `struct fw_uregs *` handed to an upcall is borrowed: valid until
 *    the upcall returns, never to be stored.
 */
#ifndef FW_TASK_H
#define FW_TASK_H

#include <fw/types.h>
#include <fw/user.h>

struct fw_uregs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct fw_fault {
	uint64_t vector; /* x86 exception number: 0 #DE, 6 #UD, 13 #GP, 14 #PF, ... */
	uint64_t error;  /* error code (#PF: bit0 present, bit1 write, bit4 fetch) */
	uint64_t addr;   /* #PF: faulting address; otherwise the faulting rip */
};

struct fw_task_ref {
	uint32_t idx;
	uint32_t gen;
};

struct fw_vm_ref {
	uint32_t idx;
	uint32_t gen;
};

/* Create a user task that starts in user mode with registers *regs, in
 * address space vm, with a fresh FPU state (or a copy of the current task's
 * if copy_fpu), and the given fs base. `cookie` is a value the services
 * choose (typically their own thread handle packed in 64 bits) and read back
 * with fw_task_cookie(). -ENOMEM, -EAGAIN (task limit), -EINVAL. */
FW_API FW_MUST_CHECK int fw_task_create_user(const struct fw_uregs *regs, struct fw_vm_ref vm, uint64_t cookie,
					     bool copy_fpu, struct fw_task_ref *out);
/* Create a kernel task running fn(arg). */
FW_API FW_MUST_CHECK int fw_task_create_kernel(void (*fn)(uint64_t), uint64_t arg, struct fw_task_ref *out);
FW_API struct fw_task_ref fw_task_current(void);
FW_API uint64_t fw_task_cookie(void);
/* End the current task; never returns. Its stack is freed after the switch. */
FW_API FW_NORETURN void fw_task_exit(void);
/* Let other runnable tasks run first (does nothing inside the fault
 * resolver upcall, <fw/upcall.h>). */
FW_API void fw_task_yield(void);
/* fs base of the current task (TLS). -EPERM unless a user address (as Linux). */
FW_API int fw_task_set_fs_base(uint64_t base);
FW_API uint64_t fw_task_fs_base(void);
/* PR_SET_TSC: while `trap` is set for the current task, rdtsc and rdtscp
 * executed in user mode by it raise a general protection fault (the
 * user_fault upcall, vector 13); a user task it creates starts with the
 * same setting. Contract: affects only user-mode reads of the time stamp
 * counter of this task (CR4.TSD follows the running task at each
 * switch); kernel code and other tasks are unaffected. */
FW_API void fw_task_set_tsc_trap(bool trap);
FW_API bool fw_task_tsc_trap(void);
/* Switch the current task to another address space (execve). */
FW_API int fw_task_set_vm(struct fw_vm_ref vm);
/* CPU time consumed by the current task, in ns, split user/system. */
FW_API void fw_task_cpu_times(uint64_t *user_ns, uint64_t *sys_ns);
/* Wake `t` if it sleeps interruptibly: its wait returns -EINTR. The flag
 * stays set (next interruptible wait returns -EINTR at once) until
 * fw_task_clear_interrupt() by the task itself. Also requests the
 * return_to_user upcall for `t`'s next return to user mode, as
 * fw_task_want_return_upcall() does for the current task. */
FW_API int fw_task_interrupt(struct fw_task_ref t);
FW_API void fw_task_clear_interrupt(void);
/* Whether `t` runs or waits to run (0), sleeps interruptibly (1) or
 * uninterruptibly (2): /proc's R, S and D. -ESRCH for a stale handle. */
FW_API int fw_task_sleep_state(struct fw_task_ref t);
/* Run the return_to_user upcall (<fw/upcall.h>) before the current task
 * next returns to user mode. The framework calls that upcall only when
 * asked: on a user task's first return, after fw_task_interrupt() named
 * the task, or after this call. Services ask whenever they leave work for
 * the way out (a signal that became deliverable, a mask to restore, a
 * system call to restart). */
FW_API void fw_task_want_return_upcall(void);
FW_API bool fw_task_ref_eq(struct fw_task_ref a, struct fw_task_ref b);

/* Copy the current task's FPU/SSE/AVX state (XSAVE image of
 * fw_fpu_state_size() bytes) to user memory at `uaddr`, or load it back.
 * Loading validates the image (a bad one gives -EINVAL, never a fault in the
 * kernel). -EFAULT on a bad user address. On any error the task's FPU
 * registers keep their state. Loading copies into the task's own save area
 * (framework/task/user.c explains why that is sound): only an image
 * validated exactly as it was copied is ever restored. */
FW_API uint32_t fw_fpu_state_size(void);
FW_API FW_MUST_CHECK int fw_fpu_save_to_user(struct fw_uaddr dst);
FW_API FW_MUST_CHECK int fw_fpu_load_from_user(struct fw_uaddr src);

/* The legacy (FXSAVE) region of an FPU image: x87 control/status, the
 * eight x87/MMX registers, MXCSR and the sixteen XMM registers, in the
 * layout of Linux's struct user_fpregs_struct (ptrace's GETFPREGS and
 * NT_PRFPREG). Plain data. */
struct fw_fxsave {
	uint8_t b[512];
};
/* Copy the current task's legacy FPU region into *out (a stopped ptrace
 * tracee saves its own state for its tracer). */
FW_API void fw_fpu_get_fxsave(struct fw_fxsave *FW_POD_DST out);
/* Replace the current task's x87 and SSE state with *in (other state
 * components, e.g. the upper halves of the AVX registers, are kept).
 * -EINVAL, and nothing changes, when MXCSR has reserved bits set (the
 * same validation as fw_fpu_load_from_user: the image can never make
 * the restore fault); -ENOMEM. */
FW_API FW_MUST_CHECK int fw_fpu_set_fxsave(const struct fw_fxsave *in);

#endif
