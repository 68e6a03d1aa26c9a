/* ptrace(2): the tracer/tracee relation, trace stops and how they are
 * reported. Layer: services (safe C). proc/ptrace.c owns the links; the
 * request decoding lives in syscall/sys_ptrace.c.
 *
 * A traced thread has a link (struct ptlink) in its tracer's list. The
 * tracee stops by sleeping in the kernel in its own context: before it
 * sleeps it copies its user registers (plain data) into the link, where
 * the tracer reads and changes them, and copies them back when resumed.
 * Stops happen on the way to user mode (signal-delivery-stop, group-stop,
 * PTRACE_INTERRUPT), around a system call (syscall-enter/exit-stop) and
 * inside one (PTRACE_EVENT_* stops, whose registers are the copy taken at
 * system call entry).
 */
#ifndef SVC_PROC_PTRACE_H
#define SVC_PROC_PTRACE_H

#include "proc/proc.h"
#include <abi/signal.h>

#define PTRACE_EVENT_FORK 1
#define PTRACE_EVENT_VFORK 2
#define PTRACE_EVENT_CLONE 3
#define PTRACE_EVENT_EXEC 4
#define PTRACE_EVENT_VFORK_DONE 5
#define PTRACE_EVENT_EXIT 6
#define PTRACE_EVENT_STOP 128

#define PTRACE_O_TRACESYSGOOD 1
#define PTRACE_O_TRACEFORK 2
#define PTRACE_O_TRACEVFORK 4
#define PTRACE_O_TRACECLONE 8
#define PTRACE_O_TRACEEXEC 0x10
#define PTRACE_O_TRACEVFORKDONE 0x20
#define PTRACE_O_TRACEEXIT 0x40
#define PTRACE_O_TRACESECCOMP 0x80
#define PTRACE_O_EXITKILL 0x100000
#define PTRACE_O_SUSPEND_SECCOMP 0x200000
#define PTRACE_O_MASK 0x3000ff


/* The link of a traced thread, NULL if untraced. */
struct ptlink *ptrace_link_of(const struct thread *t);
/* Some thread is traced (the system call hook's one check). */
bool ptrace_any(void);

/* Attach the calling process to thread tr as its tracer. */
int ptrace_attach(struct thread_ref tr, bool seize, uint32_t options);
/* PTRACE_TRACEME: the caller's parent traces it. */
int ptrace_traceme(void);
/* The link of thread tid if the caller traces it and, unless any_state,
 * it is stopped in a trace stop: -ESRCH otherwise. */
int ptrace_traced_by_me(int32_t tid, bool any_state, struct ptlink_ref *out);
/* Resume a stopped tracee (mode enum pt_resume, signal to inject). */
int ptrace_resume(struct ptlink_ref l, uint32_t mode, int32_t sig);
int ptrace_detach(struct ptlink_ref l, int32_t sig);
int ptrace_interrupt(struct ptlink_ref l);
int ptrace_listen(struct ptlink_ref l);
/* The pid of the thread's tracer's process, 0 if untraced (TracerPid). */
int32_t ptrace_tracer_pid(struct thread_ref t);
/* The calling process may ptrace-attach to p (Linux's
 * __ptrace_may_access with real credentials): 0 or -EPERM. */
int ptrace_may_access(const struct proc *p);

/* Hooks of the rest of proc/, syscall/ and exec/. */
/* Signal delivery: dequeued sig (info) for a traced thread; returns the
 * signal to act on (0: the tracer suppressed it), *info updated. */
int ptrace_signal_stop(struct fw_uregs *regs, int sig, struct sig_info_k *info);
/* Before the per-return signal work: an INTERRUPT trap or a group-stop
 * to report. Returns true if the caller must not wait in the group-stop
 * (the tracer owns the stopped thread). */
bool ptrace_return_work(struct fw_uregs *regs);
/* SIGCONT ended a group-stop of p: traced threads report again next time. */
void ptrace_continued(struct proc *p);
/* System call entry/exit of a traced thread (only when ptrace_any()):
 * entry returns false when the call is to be skipped (rax holds the
 * result). */
bool ptrace_syscall_entry(struct fw_uregs *regs);
void ptrace_syscall_exit(struct fw_uregs *regs);
/* A user exception: the registers no longer belong to a call (orig_rax -1). */
void ptrace_user_fault(void);
/* fork/vfork/clone made child thread ctr (a new process when proc): auto-
 * attach and report the event; vfork_done after the vfork wait. */
void ptrace_clone_event(struct thread_ref ctr, uint64_t flags);
void ptrace_vfork_done(int32_t child_pid);
/* A successful execve (old_tid: the caller's tid before it). */
void ptrace_exec_event(int32_t old_tid);
/* A traced thread is about to exit with wait status wstatus. */
void ptrace_exit_event(int32_t wstatus);
/* Thread tr has gone (last: it was its process's last thread). */
void ptrace_thread_gone(struct thread_ref tr, int32_t wstatus, bool last);
/* The last thread of tracer process pr exits: detach everything. */
void ptrace_tracer_exit(struct proc_ref pr);
/* wait4/waitid over the caller's tracees: 1 found (filled), 0 some
 * matching tracee exists, -ECHILD none. */
int ptrace_wait_scan(struct proc_ref me, int32_t idtype, int32_t id, uint32_t options, struct wait_result *out);
/* proc/exit.c: the tracer reaped a held zombie; tell the real parent. */
void proc_zombie_unhold(struct proc_ref pr);

#endif
