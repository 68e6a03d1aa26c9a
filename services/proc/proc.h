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
#include "proc/cred.h"
#include <fw/task.h>
#include <fw/wait.h>
#include <fw/time.h>
#include <abi/signal.h>

#define PID_MAX 32768
#define NSIG 64

struct proc;
struct thread;
FW_POOL_DECLARE(proc, struct proc);
FW_POOL_DECLARE(thread, struct thread);
#include "proc/ns.h"

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
	uint32_t kind;  /* SIK_POLL: signal-driven I/O (value: si_band, status: si_fd) */
};
#define SIK_POLL 1

#define NSIG_STD 32
/* POSIX timers (proc/ptimer.c) and the CPU-time interval timers. */
FW_POOL_REF(ptimer);
struct cpu_itimer {
	uint64_t expiry, interval; /* CPU ns; expiry 0: disarmed */
};
/* Queued realtime signals: a list of records (proc/signal.c owns it). */
FW_POOL_REF(sigq);
/* seccomp filters (proc/seccomp_bpf.c) */
FW_POOL_REF(seccomp_filter);
#define SIGQ_MAX 1024 /* records per list (RLIMIT_SIGPENDING-like) */
struct ptlink;
FW_POOL_DECLARE(ptlink, struct ptlink);
/* ptrace links (proc/ptrace.c): one per traced thread, in its tracer's list. */

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
	uint32_t rlim_set;          /* bit i: rlim[i] below was set (else Linux's default) */
	uint64_t start_ns;
	uint64_t child_user_ns, child_sys_ns;
	struct linux_rlimit rlim[16];
	/* issue 4 additions */
	struct sig_info_k sig_info[NSIG_STD]; /* info of process-directed standard signals */
	struct sigq_ref rtq;    /* queued process-directed realtime signals, oldest first */
	uint32_t rtq_len;
	int32_t exit_signal;    /* sent to the parent at exit (clone flags) */
	bool in_vfork;          /* a vfork parent waits until exec or exit */
	bool execed;            /* has run execve since fork: setpgid by the parent is EACCES */
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
	uint32_t personality; /* personality(2): kept across fork and exec */
	struct ptimer_ref timers; /* timer_create, newest first */
	uint32_t ntimers;
	int32_t next_timer_id;
	struct cpu_itimer cpu_itimer[2]; /* ITIMER_VIRTUAL, ITIMER_PROF */
	struct wq_ref sigfd_wq;  /* signalfd readers and pollers; woken by every signal (made on first use) */
	/* ptrace (proc/ptrace.c) */
	struct ptlink_ref first_tracee; /* threads this process traces */
	bool pt_hold;            /* zombie whose tracer (not the parent) has not yet reaped its exit */
	bool nondumpable;        /* prctl(PR_SET_DUMPABLE, 0): only root may trace it */
	bool sigkilled;          /* dying of SIGKILL (ends even a PTRACE_EVENT_EXIT stop) */
	/* prctl (syscall/sys_prctl.c) */
	bool child_subreaper;   /* PR_SET_CHILD_SUBREAPER: orphans below come here; not inherited */
	uint8_t thp_disable;    /* PR_SET_THP_DISABLE: 0, 1, or 3 (EXCEPT_ADVISED); kept across fork and exec */
	bool cpu_rlimit_armed;  /* a finite RLIMIT_CPU: counted in the CPU-timer poll (proc/ptimer.c) */
	uint16_t coredump_filter_x; /* /proc/<pid>/coredump_filter (nine bits) XOR Linux's default 0x33 (zero: the default) */
	struct cred_caps caps;   /* capability sets and securebits (proc/cred.c) */
	/* proc/share.c: rings of the processes sharing cwd/root/umask
	 * (CLONE_FS) and signal actions (CLONE_SIGHAND); ids for kcmp */
	struct proc_ref fs_next, sh_next, sv_next; /* sv: CLONE_SYSVSEM undo list */
	uint32_t fs_id, sh_id, sv_id;             /* sv_id 0: no undo list yet */
	uint8_t ns[NSK_KINDS];    /* its namespace of each kind: a slot (proc/ns.c) */
};

/* What restart_syscall(2) resumes after a signal without a handler
 * interrupted a sleep with a deadline (Linux's restart_block). */
enum restart_kind { RESTART_NONE, RESTART_NANOSLEEP, RESTART_POLL, RESTART_FUTEX };
struct restart_block {
	uint32_t kind;     /* enum restart_kind */
	uint64_t deadline; /* absolute, monotonic ns */
	uint64_t arg[4];
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
	int32_t restart_err;     /* the last syscall's -ERESTART* code, 0 if none */
	struct restart_block restart; /* how restart_syscall continues */
	bool restore_mask;       /* sigsuspend, ppoll...: restore saved_mask after delivery */
	uint64_t saved_mask;
	uint64_t real_blocked;   /* sigtimedwait: the mask before the wait set was unblocked */
	uint64_t ss_sp, ss_size; /* sigaltstack */
	uint32_t ss_flags;
	uint64_t cpu_user_ns, cpu_sys_ns; /* last sampled task CPU time */
	uint64_t fault_trapno, fault_err;  /* of the last forced fault signal */
	int32_t sched_policy;    /* SCHED_* as set by sched_setscheduler */
	int32_t sched_prio;      /* its static priority (1..99 for FIFO/RR) */
	bool sched_reset_on_fork;
	uint64_t dl_runtime, dl_deadline, dl_period; /* SCHED_DEADLINE (sched_setattr) */
	uint32_t ioprio;         /* ioprio_set; 0: never set (Linux's default, best effort 4) */
	uint32_t io_id;          /* its I/O context (shared by CLONE_IO); 0: none yet, as Linux's lazy one */
	uint32_t mpol;           /* set_mempolicy's policy, encoded by the syscall layer (0: default) */
	/* A user copy of the current system call faulted on a file page that
	 * must come from the disk (services/init/upcalls.c). */
	uint64_t copy_fault_addr;
	bool copy_fault_pending, copy_fault_write;
	struct ptlink_ref pt;    /* the ptrace link when traced (proc/ptrace.c) */
	bool pt_exec_event;      /* execve succeeded: report it at the call's end */
	bool pt_exit_stop;       /* in the PTRACE_EVENT_EXIT stop (only SIGKILL ends it) */
	int32_t pt_exec_old_tid;
	/* seccomp (proc/seccomp.c); kept across execve, inherited by clone */
	uint8_t seccomp_mode;
	bool no_new_privs;
	uint32_t seccomp_nfilters;
	struct seccomp_filter_ref seccomp_filter; /* newest filter of the chain */
	/* PR_SET_TIMERSLACK (ns; 0: Linux's default, 50 us) and the value a
	 * reset returns to (the creator's slack at clone) */
	uint64_t timer_slack_ns, default_slack_ns;
	uint8_t tsc_mode;       /* PR_SET_TSC: 0 never set (enabled), else PR_TSC_* */
};

/* ptrace's link of a traced thread (proc/ptrace.c, proc/ptrace.h). */
enum pt_state { PT_RUNNING, PT_STOPPED, PT_LISTENING, PT_DEAD };
enum pt_stop { PT_STOP_SIGNAL, PT_STOP_GROUP, PT_STOP_SC_ENTER, PT_STOP_SC_EXIT, PT_STOP_EVENT };
enum pt_resume { PT_RESUME_CONT, PT_RESUME_SYSCALL, PT_RESUME_STEP, PT_RESUME_SYSEMU, PT_RESUME_SYSEMU_STEP };

struct ptlink {
	struct ptlink_ref next;     /* in the tracer's list */
	struct proc_ref tracer;
	struct thread_ref tracee;   /* zero once the thread exited */
	struct proc_ref tracee_proc;
	int32_t tid;
	uint32_t options;           /* PTRACE_O_* */
	bool seized;
	uint32_t state;             /* enum pt_state */
	bool report;                /* a stop or an exit wait has not reported */
	int32_t exit_code;          /* stopped: sig | event << 8; dead: wait status */
	uint32_t stop_kind;         /* enum pt_stop */
	int32_t resume_sig;
	uint32_t resume_mode;       /* enum pt_resume */
	bool has_siginfo;           /* GETSIGINFO: EINVAL in a group-stop */
	struct linux_siginfo si;
	uint64_t eventmsg;
	/* The tracee's registers while stopped (and from system call entry,
	 * for stops inside a call); orig_rax as Linux's user_regs_struct. */
	struct fw_uregs regs;
	uint64_t orig_rax;
	uint64_t fs_base;
	bool in_syscall;            /* regs is the record of the current call */
	bool trap_pending;          /* PTRACE_INTERRUPT or an auto-attach stop to take */
	bool gstop_done;            /* this group-stop was reported */
	bool stepping;              /* resumed with PTRACE_SINGLESTEP */
	bool sc_exit_pending;       /* a syscall-exit-stop follows the entry stop */
	bool detach_pending;        /* detached while stopped: unlink on resume */
	int64_t sc_rval;            /* the last system call's result (GET_SYSCALL_INFO) */
	struct fw_fxsave fpu;       /* x87/SSE state while stopped (GETFPREGS) */
	bool fpu_dirty;             /* the tracer changed it: load it on resume */
};

/* Threads that need work at system call entry (seccomp; ptrace's stops):
 * while there are none the entry check is one load and a compare. The
 * count lives with the system call upcall (init/upcalls.c). */
void proc_entry_work_add(int32_t delta);

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
/* The CLD_* code of a wait status (and waitid's si_status). */
int32_t proc_status_code(int32_t wstatus, int32_t *si_status);
/* Wake the parent's waiters and send it SIGCHLD (or the exit signal). */
void proc_notify_parent(struct proc_ref child, int32_t code, int32_t si_status);
/* Credentials for file permission checks: the fs uid/gid (what Linux
 * checks for everything but access(2)) or the real ones. */
void proc_fs_cred(const struct proc *p, struct vfs_cred *out);
void proc_real_cred(const struct proc *p, struct vfs_cred *out);
/* Scheduling attributes (proc/sched.c). Keel's scheduler is one FIFO
 * round robin: policies and priorities are recorded, checked and reported
 * as Linux does, not enforced. */
#define SCHED_OTHER 0
#define SCHED_FIFO 1
#define SCHED_RR 2
#define SCHED_BATCH 3
#define SCHED_IDLE 5
#define SCHED_DEADLINE 6
#define SCHED_RESET_ON_FORK 0x40000000
/* The thread a scheduling call names (0: the caller); -ESRCH. */
int sched_target(int32_t pid, struct thread_ref *out);
/* Change policy (-1: keep) and priority; Linux's checks and errors. */
int sched_set(struct thread_ref t, int32_t policy, int32_t prio);
/* -EINVAL for a policy Linux does not know. */
int sched_prio_bounds(int32_t policy, int32_t *min, int32_t *max);
/* sched_setattr: policy (-1: keep), priority or nice, deadline
 * parameters, reset-on-fork. */
struct sched_attr_k {
	int32_t policy, prio, nice;
	bool reset_on_fork;
	uint64_t runtime, deadline, period;
};
int sched_set_attr(struct thread_ref t, const struct sched_attr_k *a);
/* What a new thread or process inherits from its creator. */
void sched_inherit(struct thread *child, const struct thread *parent);
/* May the caller change the scheduling of a process owned by p? */
bool sched_may_change(const struct proc *p);
/* Subsystems above proc/ that keep per-process state (System V semaphore
 * undo) register a function run when a process exits, after its last
 * thread, before its parent hears of it. -ENOSPC when the table is full. */
typedef void (*proc_exit_hook)(int32_t pid);
int proc_on_exit(proc_exit_hook fn);
void proc_run_exit_hooks(int32_t pid);
/* POSIX timers of the calling process (proc/ptimer.c). notify -1: no
 * sigevent given (SIGEV_SIGNAL, SIGALRM, the id as value). */
int ptimer_create(uint32_t clock, int32_t notify, int32_t signo, uint64_t value, int32_t tid, int32_t *id);
int ptimer_settime(int32_t id, bool abs, uint64_t value, uint64_t interval, uint64_t *old_left, uint64_t *old_interval);
int ptimer_gettime(int32_t id, uint64_t *left, uint64_t *interval);
int ptimer_getoverrun(int32_t id);
int ptimer_delete(int32_t id);
/* exec (POSIX timers go) and exit (the CPU interval timers too). */
void ptimer_delete_all(struct proc *p, bool itimers_too);
/* A dequeued SI_TIMER signal: fill si_overrun, re-arm; false if the timer
 * is gone (drop the signal). */
bool ptimer_dequeued(struct sig_info_k *info);
/* ITIMER_VIRTUAL (0) and ITIMER_PROF (1). */
void cpu_itimer_get(uint32_t which, uint64_t *left, uint64_t *interval);
void cpu_itimer_set(uint32_t which, uint64_t value, uint64_t interval);
/* RLIMIT_CPU of p changed (or p was forked with it): keep the CPU-time
 * poll running while it is finite. */
void cpu_rlimit_update(struct proc *p);
/* On the way to user mode: fire expired CPU-time timers. */
/* p: the current process (the return path has it at hand). */
void cpu_timers_check(struct proc *p);
/* pidfds (proc/pidfd.c). PIDFD_THREAD (O_EXCL, as Linux) names one
 * thread instead of the process; O_NONBLOCK makes waitid(P_PIDFD) -EAGAIN
 * instead of blocking. */
#define PIDFD_THREAD 0200
int pidfd_init(void);
/* A pidfd for process (or, PIDFD_THREAD, thread) pid: -ESRCH when there
 * is none, -EINVAL for a thread that does not lead its process. */
int pidfd_new(int32_t pid, uint32_t flags, struct file_ref *out);
struct pidfd_info {
	struct proc_ref proc;  /* stale once the process is reaped */
	struct thread_ref tref; /* PIDFD_THREAD: the thread, zero once it exited */
	int32_t pid;
	bool thread, nonblock;
};
/* What a pidfd names; -EBADF if f is not a pidfd. */
int pidfd_target(struct file_ref f, struct pidfd_info *out);
/* A thread exited: pidfd pollers look again. */
void pidfd_changed(void);
/* The system's names (proc/uts.c): uname's fields; the host and domain
 * names (at most UTS_LEN bytes) can be set. */
enum uts_field { UTS_SYSNAME, UTS_HOST, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, UTS_DOMAIN };
#define UTS_LEN 64
void uts_get(uint32_t which, struct kname *out);
int uts_set(uint32_t which, const struct kname *name);
/* Contexts shared by clone flags (proc/share.c). A new process starts
 * alone in each ring; clone with CLONE_FS or CLONE_SIGHAND joins the
 * parent's; whoever changes cwd/root/umask or a signal action publishes
 * it to the ring; unshare, exec (signal actions) and exit leave. */
enum share_kind { SHARE_FS, SHARE_SIGHAND, SHARE_SYSVSEM };
void share_init(struct proc_ref self);
void share_join(struct proc_ref child, struct proc_ref with, enum share_kind k);
void share_leave(struct proc_ref self, enum share_kind k);
bool share_shared(struct proc_ref self, enum share_kind k);
void share_publish_fs(struct proc_ref self);
void share_publish_sigact(struct proc_ref self);
/* ioprio_set on a thread with an I/O context shared by CLONE_IO. */
void share_publish_ioprio(struct thread *t);
uint32_t share_new_id(void);
/* The id of the process's System V undo list (0: none; create: make one). */
uint32_t share_undo_key(struct proc_ref self, bool create);
struct proc_ref init_proc(void);
void proc_set_init(struct proc_ref p);
/* Some live process of the caller's mount namespace has its working or
 * root directory in file system sb (umount: busy). */
bool proc_uses_fs(struct super_ref sb);

#endif
