/* Signals: generation, default actions and delivery. Layer: services
 * (safe C). */
#ifndef SVC_SIGNAL_SIGNAL_H
#define SVC_SIGNAL_SIGNAL_H

#include "proc/proc.h"

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

static inline uint64_t sig_bit(int sig) { return 1ULL << ((uint32_t)(sig - 1) & 63); }

/* Send to a process (any thread that does not block it) or one thread. */
int signal_send_proc(struct proc_ref p, int sig);
int signal_send_thread(struct thread_ref t, int sig);
void proc_signal_parent_exit(struct proc_ref child);
/* Synchronous fault: deliver now to the current thread. */
void signal_force_fault(struct fw_uregs *regs, int sig, int32_t si_code, uint64_t addr);
/* Deliver pending signals on the way back to user mode. */
void signal_deliver(struct fw_uregs *regs);
bool signal_pending_current(void);

#endif
