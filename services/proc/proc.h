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
	uint32_t pdeath_signal;
	int32_t nice;
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
};

/* The calling thread and process (never stale while it runs). */
struct thread_ref cur_thread_ref(void);
struct thread *cur_thread(void);
struct proc_ref cur_proc_ref(void);
struct proc *cur_proc(void);
uint64_t thread_cookie(struct thread_ref t);

int pid_alloc(struct thread_ref t);
void pid_release(int32_t pid);
struct thread_ref pid_lookup(int32_t pid);
struct proc_ref proc_by_pid(int32_t pid);

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
struct proc_ref init_proc(void);
void proc_set_init(struct proc_ref p);

#endif
