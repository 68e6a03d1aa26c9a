/* Trap, interrupt and syscall entry; return to user; context switch.
 * Layer: framework/arch (trusted). The frame layout is struct trapframe in
 * internal/cpu.h. %gs holds the per-CPU block in the kernel; swapgs happens
 * exactly on transitions from and to user mode (CS & 3). */
#include "arch/x86_64/smap.h"
#define SEL_UDATA 0x1B
#define SEL_UCODE 0x23

.macro PUSH_GPRS
  push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
  push %r8; push %r9; push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
.endm
.macro POP_GPRS
  pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9; pop %r8
  pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
.endm

  .text
/* 256 stubs of 16 bytes each: push a dummy error code where the CPU does
 * not push one, push the vector, go to the common path. */
  .align 16
trap_stub_base:
.set i, 0
.rept 256
  .align 16
  .if (i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30)
  .else
  pushq $0
  .endif
  pushq $i
  jmp trap_common
  .set i, i + 1
.endr

trap_common:
  /* Every exception and interrupt enters with DF and AC clear: kernel code
   * never runs with SMAP lifted, whatever the interrupted code had (a
   * user program's popf, or a kernel user copy). The frame keeps the old
   * rflags; iretq restores them. */
  cld
  SMAP_SITE clac
  PUSH_GPRS
  testb $3, 18*8(%rsp)
  jz 1f
  swapgs
1:
  mov %rsp, %rdi
  xor %ebp, %ebp
  call trap_dispatch
  .global trap_return
trap_return:
  cli
  testb $3, 18*8(%rsp)
  jz 2f
  swapgs
2:
  POP_GPRS
  add $16, %rsp
  iretq

  .global syscall_entry
syscall_entry:
  swapgs
  mov %rsp, %gs:16
  mov %gs:8, %rsp
  pushq $SEL_UDATA
  pushq %gs:16
  pushq %r11
  pushq $SEL_UCODE
  pushq %rcx
  pushq $0
  pushq $256
  PUSH_GPRS
  mov %rsp, %rdi
  xor %ebp, %ebp
  call syscall_dispatch
  cli
  /* sysret restores rip from rcx and rflags from r11: exact only when the
   * frame already agrees (it does unless a signal or execve rewrote it). */
  mov 17*8(%rsp), %rax
  cmp %rax, 12*8(%rsp)
  jne trap_return
  mov 19*8(%rsp), %rax
  cmp %rax, 4*8(%rsp)
  jne trap_return
  /* A user single-stepping (rflags.TF, e.g. ptrace's PTRACE_SINGLESTEP) or
   * with RF set returns through iretq, as Linux does: after a sysretq that
   * sets TF the CPU (QEMU) raises #DB before the next instruction runs. */
  test $0x10100, %eax
  jnz trap_return
  POP_GPRS
  add $16, %rsp
  swapgs
  mov 24(%rsp), %rsp
  sysretq

  /* user_enter(tf): start a task in user mode from a frame at its stack top. */
  .global user_enter
user_enter:
  mov %rdi, %rsp
  jmp trap_return

  /* context_switch(uint64_t *save_rsp, uint64_t new_rsp): callee-saved
   * registers and rflags (AC, DF, IF: each task gets back its own, never
   * the previous task's). Layout from the new rsp up: r15 r14 r13 r12 rbx
   * rbp rflags ret (task_start builds the same for a new task). */
  .global context_switch
context_switch:
  pushfq
  push %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15
  mov %rsp, (%rdi)
  mov %rsi, %rsp
  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp
  popfq
  ret

  .global task_start_trampoline
task_start_trampoline:
  /* schedule() switches with interrupts off; a new task turns them on as
   * a resumed one would on its way out of schedule(). */
  sti
  mov %r12, %rdi
  call *%r13
  ud2

  .section .rodata
  .align 8
  .global trap_stubs
trap_stubs:
.set i, 0
.rept 256
  .quad trap_stub_base + i * 16
  .set i, i + 1
.endr
