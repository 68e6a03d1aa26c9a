/* Signals: generation, default actions and delivery. Layer: services
 * (safe C). */
#ifndef SVC_PROC_SIGNAL_H
#define SVC_PROC_SIGNAL_H

#include "proc/proc.h"
#include <abi/signal.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGWINCH 28
#define SIGSYS 31

#define SIG_DFL 0
#define SIG_IGN 1

/* Bytes of stack a signal frame needs at most (AT_MINSIGSTKSZ). */
uint64_t signal_min_stack(void);

static inline uint64_t sig_bit(int sig) { return 1ULL << ((uint32_t)(sig - 1) & 63); }

/* Send to a process (any thread that does not block it) or one thread.
 * Stable API for other services (TTY Ctrl-C, SIGPIPE). */
int signal_send_proc(struct proc_ref p, int sig);
int signal_send_thread(struct thread_ref t, int sig);
/* Send to every process of process group pgid; -ESRCH if none. */
int signal_send_pgrp(int32_t pgid, int sig);
/* The same with explicit siginfo. all: kill(-1) (every process but init
 * and the caller) instead of the group. */
int signal_send_proc_info(struct proc_ref p, int sig, const struct sig_info_k *info);
int signal_send_thread_info(struct thread_ref t, int sig, const struct sig_info_k *info);
int signal_send_pgrp_info(int32_t pgid, int sig, const struct sig_info_k *info, bool all);
/* kill(2)'s permission for a signal from user space (Linux's
 * check_kill_permission): the caller's own process, a privileged caller,
 * the caller's real or effective uid equal to the target's real or saved
 * uid, or SIGCONT within the caller's session; -EPERM otherwise. */
int signal_may_kill(struct proc_ref target, int sig);
/* kill(-pgid) and kill(-1) from user space, permission checked per
 * process, zombies counted: 0 if any process got the signal, else the
 * last error (kill(-1): 0 even if every one refused it), -ESRCH if there
 * was no process at all. */
int signal_kill_pgrp(int32_t pgid, int sig, const struct sig_info_k *info, bool all);
void proc_signal_parent_exit(struct proc_ref child);
/* Synchronous fault: queue for the current thread (or die now if the
 * action is the default). */
void signal_force_fault(struct fw_uregs *regs, int sig, int32_t si_code, uint64_t addr);
/* A synchronous signal with its own siginfo (seccomp's SIGSYS): like a
 * fault, one that is blocked or ignored is unblocked and reset first, and
 * the default action acts at once. */
void signal_force_info(int sig, const struct sig_info_k *info);
/* Everything due on the way back to user mode: CLONE_CHILD_SETTID,
 * syscall restart, pending signals. */
/* The per-return-to-user work for thread t (the current thread). */
void signal_return_to_user(struct fw_uregs *regs, struct thread *t);
/* Deliver pending signals on the way back to user mode. */
void signal_deliver(struct fw_uregs *regs);
bool signal_pending_current(void);
bool signal_pending_in(const struct thread *t, const struct proc *p);
/* Note a syscall's result for restart handling (before delivery). */
void signal_syscall_done(struct fw_uregs *regs, uint64_t nr);
#define SYS_RESTART_SYSCALL 219
/* A sleep with a deadline was interrupted: record how restart_syscall(2)
 * resumes it (kind, absolute monotonic deadline, arguments) and return
 * -ERESTART_RESTARTBLOCK for the syscall to return. */
int64_t signal_restart_block(uint32_t kind, uint64_t deadline, uint64_t a, uint64_t b, uint64_t c, uint64_t d);
/* Keep a temporary signal mask (ppoll, pselect6, epoll_pwait) until the
 * signal that interrupted the call is delivered, then restore `saved`. */
void signal_restore_mask_later(uint64_t saved);

/* Drop queued realtime records of sig (0: all) from a list (a thread's or
 * a process's rtq/rtq_len); the caller clears the pending bits. */
void signal_flush_queue(struct sigq_ref *head, uint32_t *len, int sig);

/* A timer's signal would be discarded or (a standard signal) is already
 * pending in the target (the thread, or the process if tr is none). */
bool signal_cannot_queue(struct proc_ref pr, struct thread_ref tr, int sig);
bool sig_is_stop(int sig);
bool sig_is_core(int sig);
bool sig_ignored(const struct proc *p, int sig);
int signal_dequeue(uint64_t allowed, struct sig_info_k *info);
/* The same for the current thread t and its process p, already looked up. */
int signal_dequeue_in(struct thread *t, struct proc *p, uint64_t allowed, struct sig_info_k *info);
FW_NORETURN void signal_die(int sig);
void signal_stop(int sig);
void signal_wait_stopped(void);
/* rt_sigreturn: restore the context saved in the frame at regs->rsp. */
int64_t signal_sigreturn(struct fw_uregs *regs);
/* The n-th pending signal of a thread (shared: of its process), for
 * PTRACE_PEEKSIGINFO; -ENOENT past the last. */
int signal_peek_pending(struct thread_ref t, bool shared, uint64_t n, int *sig, struct sig_info_k *info);
/* Fill a Linux siginfo_t from the kernel record. */
/* Register the sender of signal-driven I/O with the VFS (proc/sigio.c). */
void sigio_init(void);
void signal_fill_siginfo(struct linux_siginfo *si, int sig, const struct sig_info_k *info);

#endif
