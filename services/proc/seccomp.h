/* seccomp: system call filtering (strict mode and classic BPF filters).
 * Layer: services (safe C). Trusts: proc (threads, signals), the
 * framework's pools and user copies.
 *
 * State is per thread (struct thread): a mode, a no_new_privs bit and the
 * newest filter of a chain shared with the threads and processes that
 * inherited it (reference counted, newest first, each filter holding its
 * predecessor). The BPF verifier and interpreter (proc/seccomp_bpf.c) run
 * in safe C: a filter is data checked once at attach time, and the
 * interpreter reads it only through bounds-checked array accesses, so a
 * hostile program can at worst produce a wrong verdict for its own
 * process, never touch kernel memory. */
#ifndef SVC_PROC_SECCOMP_H
#define SVC_PROC_SECCOMP_H

#include "proc/proc.h"

#define SECCOMP_MODE_DISABLED 0
#define SECCOMP_MODE_STRICT 1
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_MODE_DEAD 3 /* a thread being killed by seccomp */

#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#define SECCOMP_RET_KILL_THREAD 0x00000000U
#define SECCOMP_RET_TRAP 0x00030000U
#define SECCOMP_RET_ERRNO 0x00050000U
#define SECCOMP_RET_USER_NOTIF 0x7fc00000U
#define SECCOMP_RET_TRACE 0x7ff00000U
#define SECCOMP_RET_LOG 0x7ffc0000U
#define SECCOMP_RET_ALLOW 0x7fff0000U
#define SECCOMP_RET_ACTION_FULL 0xffff0000U
#define SECCOMP_RET_DATA 0x0000ffffU

#define SECCOMP_FILTER_FLAG_TSYNC 1U
#define SECCOMP_FILTER_FLAG_LOG 2U
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW 4U
#define SECCOMP_FILTER_FLAG_NEW_LISTENER 8U
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH 16U
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV 32U

#define AUDIT_ARCH_X86_64 0xc000003eU
#define SYS_SECCOMP 1 /* si_code of a SECCOMP_RET_TRAP SIGSYS */
#define BPF_MAXINSNS 4096
#define SECCOMP_MAX_INSNS_PER_PATH 32768

/* struct seccomp_data: what a filter sees, as 16 words of 32 bits (its
 * loads are aligned 32-bit words). */
struct seccomp_data_k {
	uint32_t w[16];
};

/* One classic BPF instruction (struct sock_filter). */
struct bpf_insn_k {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};

/* A verified filter program (proc/seccomp_bpf.c): copy len instructions
 * from user memory and check them by Linux's rules for classic BPF and
 * seccomp (known opcodes, jumps inside the program, scratch memory
 * written before read, loads inside struct seccomp_data, a return at the
 * end): 0, -EFAULT, -EINVAL or -ENOMEM. The new filter has one reference. */
int seccomp_filter_create(uint64_t uinsns, uint32_t len, struct seccomp_filter_ref *out);
/* Run a filter over data: the program's return value. */
uint32_t seccomp_filter_run(struct seccomp_filter_ref f, const struct seccomp_data_k *d);
bool seccomp_filter_valid(struct seccomp_filter_ref f);
/* Its length as Linux's stacking limit counts it. */
uint32_t seccomp_filter_len(struct seccomp_filter_ref f);
struct seccomp_filter_ref seccomp_filter_prev(struct seccomp_filter_ref f);
bool seccomp_filter_logs(struct seccomp_filter_ref f);
void seccomp_filter_set_log(struct seccomp_filter_ref f);
void seccomp_filter_link(struct seccomp_filter_ref f, struct seccomp_filter_ref prev);
void seccomp_filter_hold(struct seccomp_filter_ref f);
void seccomp_filter_put(struct seccomp_filter_ref f);

/* seccomp(2) operations and prctl's (proc/seccomp.c). */
int64_t seccomp_set_strict(void);
int64_t seccomp_set_filter(uint32_t flags, uint64_t ufprog);
int seccomp_mode_of(const struct thread *t);
/* Number of filters attached to t (/proc status Seccomp_filters). */
uint32_t seccomp_nfilters_of(const struct thread *t);
/* fork/clone: the child thread gets the creator's mode, filters and
 * no_new_privs. */
void seccomp_inherit(struct thread *child, const struct thread *parent);
/* The thread is going away: drop its filters. */
void seccomp_thread_exit(struct thread *t);
/* At system call entry for a thread with entry work: run the filters.
 * Returns true when the call must be skipped (regs->rax holds its
 * result); may not return (kill actions). */
bool seccomp_syscall_enter(struct fw_uregs *regs, struct thread *t);
/* SECCOMP_RET_TRACE: hand the call to a tracer (PTRACE_EVENT_SECCOMP with
 * the filter's data as the event message); proc/seccomp.c, for ptrace to
 * extend. On entry regs->rax holds the call number and the call's result
 * is -ENOSYS unless the tracer changes it. Returns TRACE_NONE when no
 * tracer wants the event (the call fails with -ENOSYS, as on Linux),
 * TRACE_RECHECK when the tracer let the call go on (regs->rax holds the
 * call number, maybe changed; the filters run again and a second TRACE
 * verdict allows it), TRACE_SKIP when the tracer skipped the call
 * (regs->rax holds its result). */
enum seccomp_trace_result { TRACE_NONE, TRACE_RECHECK, TRACE_SKIP };
int seccomp_ptrace_event(struct fw_uregs *regs, struct thread *t, uint32_t data);

#endif
