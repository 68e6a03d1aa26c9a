/* Processes and threads. Layer: services (safe C).
 *
 * A process (struct proc) owns an address space (struct mm), a descriptor
 * table, a cwd and credentials; its threads (struct thread) each own one
 * framework task. Parent/child and thread lists are chains of handles.
 * A thread's framework task carries its thread handle as the task cookie.
 *
 * Guard legend: every field is touched only from thread context on this
 * uniprocessor, non-preemptive kernel, so no field needs a lock; fields
 * marked [I] never change after creation.
 */
#ifndef SVC_PROC_PROC_H
#define SVC_PROC_PROC_H

#include "mm/mm.h"
#include "vfs/vfs.h"
#include <fw/task.h>
#include <fw/wait.h>
#include <fw/time.h>

#define PID_MAX 32768
#define NSIG 64

struct proc;
struct thread;
FW_POOL_DECLARE(proc, struct proc);
FW_POOL_DECLARE(thread, struct thread);

enum proc_state { PROC_ALIVE, PROC_ZOMBIE, PROC_DEAD };

struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};

/* What a pending signal carries to an SA_SIGINFO handler (the siginfo
 * fields Linux fills for kill, sigqueue, faults, SIGCHLD and timers). */
struct sig_info_k {
	int32_t code;
	int32_t pid;
	uint32_t uid;
	int32_t status;
	uint64_t value; /* si_addr for faults, si_value for sigqueue */
};

#define NSIG_STD 32
/* Queued realtime signals: a list of records (proc/signal.c owns it). */
FW_POOL_REF(sigq);
#define SIGQ_MAX 1024 /* records per list (RLIMIT_SIGPENDING-like) */

struct proc {
	int32_t pid;                /* [I] */
	int32_t pgid, sid;
	uint32_t state;             /* enum proc_state */
	int32_t exit_status;        /* wait status encoding */
	struct proc_ref parent;
	struct proc_ref first_child, next_sibling;
	struct thread_ref first_thread;
	uint32_t nthreads;
	struct mm_ref mm;
	struct fdtable_ref files;
	struct inode_ref cwd, root;
	uint32_t umask;
	uint32_t uid, euid, suid, gid, egid, sgid;
	struct fw_waitq_ref child_wait; /* woken when a child changes state */
	struct sigaction_k sigact[NSIG];
	uint64_t sig_pending;       /* process-directed signals */
	struct kname comm;
	uint64_t start_ns;
	uint64_t child_user_ns, child_sys_ns;
	struct linux_rlimit rlim[16];
	/* issue 4 additions */
	struct sig_info_k sig_info[NSIG_STD]; /* info of process-directed standard signals */
	struct sigq_ref rtq;    /* queued process-directed realtime signals, oldest first */
	uint32_t rtq_len;
	int32_t exit_signal;    /* sent to the parent at exit (clone flags) */
	bool in_vfork;          /* a vfork parent waits until exec or exit */
	bool stopped;           /* stopped by SIGSTOP/SIGTSTP/... */
	int32_t stop_sig;
	bool stop_report;       /* a stop not yet reported to wait (WUNTRACED) */
	bool cont_report;       /* a continue not yet reported (WCONTINUED) */
	struct fw_waitq_ref stop_wait; /* stopped threads sleep here */
	struct fw_timer_ref alarm_timer;
	uint64_t itimer_interval_ns;
	uint64_t user_ns, sys_ns; /* CPU time of exited threads */
	uint64_t child_maxrss_kb, maxrss_kb;
	uint32_t ngroups;
	uint32_t groups[16];
	uint32_t fsuid, fsgid;
	uint32_t pdeath_signal;
	int32_t nice;
	struct wq_ref sigfd_wq;  /* signalfd readers and pollers; woken by every signal (made on first use) */
};

struct thread {
	int32_t tid;                /* [I] */
	struct proc_ref proc;       /* [I] */
	struct thread_ref next_in_proc;
	struct fw_task_ref task;
	uint64_t clear_child_tid;
	uint64_t robust_list, robust_len;
	uint64_t sig_mask;
	uint64_t sig_pending;
	bool exiting;
	bool boot_exec; /* run the boot program on first entry (init) */
	/* issue 4 additions */
	struct sig_info_k sig_info[NSIG_STD];
	struct sigq_ref rtq;    /* queued thread-directed realtime signals */
	uint32_t rtq_len;
	uint64_t set_child_tid;  /* CLONE_CHILD_SETTID: written on first entry */
	uint64_t orig_rax;       /* syscall number of an interrupted syscall */
	bool restart_pending;    /* the last syscall returned -ERESTARTSYS */
	bool restore_mask;       /* sigsuspend: restore saved_mask after delivery */
	uint64_t saved_mask;
	uint64_t ss_sp, ss_size; /* sigaltstack */
	uint32_t ss_flags;
	uint64_t cpu_user_ns, cpu_sys_ns; /* last sampled task CPU time */
	uint64_t fault_trapno, fault_err;  /* of the last forced fault signal */
	/* A user copy of the current system call faulted on a file page that
	 * must come from the disk (services/init/upcalls.c). */
	uint64_t copy_fault_addr;
	bool copy_fault_pending, copy_fault_write;
};

/* The calling thread and process (never stale while it runs). */
uint64_t thread_cookie(struct thread_ref t);

/* The current thread and process: the task cookie is the thread's handle
 * (thread_cookie). Inline: every system call asks. */
static inline struct thread_ref cur_thread_ref(void)
{
	uint64_t c = fw_task_cookie();
	return (struct thread_ref){(uint32_t)(c >> 32), (uint32_t)c};
}

static inline struct thread *cur_thread(void) { return thread_get(cur_thread_ref()); }

static inline struct proc_ref cur_proc_ref(void)
{
	struct thread *t = cur_thread();
	return t ? t->proc : (struct proc_ref){0};
}

static inline struct proc *cur_proc(void) { return proc_get(cur_proc_ref()); }

int pid_alloc(struct thread_ref t);
void pid_release(int32_t pid);
struct thread_ref pid_lookup(int32_t pid);
struct proc_ref proc_by_pid(int32_t pid);
/* The pid of a process: its thread leader may have exited before it. */
void pid_set_proc(int32_t pid, struct proc_ref p);
void pid_clear_thread(int32_t pid);
void pid_set_thread(int32_t pid, struct thread_ref t);
void pid_clear_proc(int32_t pid);
/* Handle of the thread whose tid is `tid` in process p (or any thread). */
struct thread_ref proc_any_thread(struct proc_ref p);

/* fork/vfork/clone: returns the child's pid/tid or an error. */
int64_t proc_clone(struct fw_uregs *r, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid, uint64_t tls);
/* exec: end the other threads of the calling process and take over the
 * process id; wake a vfork parent. */
void proc_exec_prepare(void);
void proc_vfork_release(struct proc *p);
/* Charge the current task's CPU time to its thread and process. */
void proc_account_cpu(void);

/* Create a process with one thread that starts in user mode with regs in
 * the given mm; used by init and by fork. */
int proc_create(struct proc_ref parent, struct mm_ref mm, const struct fw_uregs *regs, bool copy_fpu,
		struct proc_ref *out);
int proc_add_thread(struct proc_ref p, const struct fw_uregs *regs, struct thread_ref *out);
void proc_link_child(struct proc_ref parent, struct proc_ref child);

/* Exit paths (do not return). status: wait-status encoding. */
FW_NORETURN void thread_exit(int32_t code);
FW_NORETURN void proc_exit_group(int32_t wstatus);
/* Kill a whole process from outside (wait status, e.g. signal number). */
void proc_kill(struct proc_ref p, int32_t wstatus);

/* Reap a zombie child: fills status, frees it. Returns pid or error. */
int32_t proc_wait_child(struct proc_ref parent, int32_t pid, int32_t *status, bool nohang);
/* General wait: options WNOHANG/WUNTRACED/WCONTINUED/WEXITED/WNOWAIT
 * (Linux values). Fills the result; returns pid, 0 (WNOHANG) or error. */
struct wait_result {
	int32_t pid;
	int32_t status;  /* wait4 status encoding */
	int32_t code;    /* CLD_* */
	int32_t si_status;
	uint32_t uid;
	uint64_t user_ns, sys_ns, maxrss_kb;
};
int32_t proc_wait(struct proc_ref parent, int32_t idtype, int32_t id, uint32_t options, struct wait_result *out);
/* Wake the parent's waiters and send it SIGCHLD (or the exit signal). */
void proc_notify_parent(struct proc_ref child, int32_t code, int32_t si_status);
struct proc_ref init_proc(void);
void proc_set_init(struct proc_ref p);
/* Some live process has its working or root directory in file system sb
 * (umount: busy). */
bool proc_uses_fs(struct super_ref sb);

#endif
