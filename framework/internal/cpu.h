/* CPU state shared by the trap, syscall and task code. Layer: framework/arch
 * (trusted, internal). */
#ifndef INTERNAL_CPU_H
#define INTERNAL_CPU_H

#include <fw/types.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1B
#define SEL_UCODE 0x23
#define SEL_TSS 0x28

#define VEC_TIMER 32
#define VEC_SERIAL 36
#define VEC_SPURIOUS 255
#define VEC_SYSCALL 256 /* not a real vector: marks frames built by `syscall` */

/* The register frame at the top of a kernel stack on every entry from user
 * mode (and at any depth for kernel-mode traps). Field order is fixed by
 * entry.S. The user-visible part is exported to services as struct fw_uregs,
 * which has the same layout (checked by a static assert in task.c). */
struct trapframe {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct percpu {
	struct percpu *self;    /* %gs:0 */
	uint64_t kernel_rsp;    /* %gs:8  syscall entry stack */
	uint64_t user_rsp;      /* %gs:16 scratch during syscall entry */
	struct task *current;   /* %gs:24 */
};

extern struct percpu cpu0;

void trap_dispatch(struct trapframe *tf);
void syscall_dispatch(struct trapframe *tf);
void return_to_user_prepare(struct trapframe *tf);
/* entry.S */
void user_enter(struct trapframe *tf) __attribute__((noreturn));
void context_switch(uint64_t *save_rsp, uint64_t new_rsp);
void task_start_trampoline(void);

#endif
