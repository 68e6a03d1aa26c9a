/* Process and thread objects, pids, creation. Layer: services (safe C). */
#include "proc/proc.h"
#include <fw/log.h>
#include <fw/time.h>

FW_POOL_DEFINE(proc, struct proc);
FW_POOL_DEFINE(thread, struct thread);

/* A pid names a thread (its tid) and, for a thread group leader's id, the
 * process; the entry lives until both are gone (a process outlives its
 * leader thread when the leader calls pthread_exit). */
struct pid_entry {
	struct thread_ref t;
	struct proc_ref p;
	uint8_t used; /* 0 or 1; not a bool: the table is larger than FW_USER_MIN (rule null-reach) */
};

struct pid_table {
	struct pid_entry by_pid[PID_MAX];
	int32_t last;
	struct proc_ref init;
};
FW_GLOBAL(struct pid_table, pids);

uint64_t thread_cookie(struct thread_ref t) { return ((uint64_t)t.idx << 32) | t.gen; }

struct proc_ref init_proc(void) { return pids()->init; }
void proc_set_init(struct proc_ref p) { pids()->init = p; }

int pid_alloc(struct thread_ref t)
{
	struct pid_table *pt = pids();
	for (int32_t n = 0; n < PID_MAX; n++) {
		int32_t pid = pt->last + 1 + n;
		pid = pid % PID_MAX;
		if (pid < 2) /* 1 is init (the reaper) */
			continue;
		if (!pt->by_pid[pid].used) {
			pt->by_pid[pid] = (struct pid_entry){t, {0}, 1};
			pt->last = pid;
			return pid;
		}
	}
	return -EAGAIN;
}

static void pid_maybe_free(int32_t pid)
{
	struct pid_table *pt = pids();
	if (!thread_ref_valid(pt->by_pid[pid].t) && !proc_ref_valid(pt->by_pid[pid].p))
		pt->by_pid[pid] = (struct pid_entry){0};
}

void pid_release(int32_t pid)
{
	if (pid > 0 && pid < PID_MAX)
		pids()->by_pid[pid] = (struct pid_entry){0};
}

void pid_set_proc(int32_t pid, struct proc_ref p)
{
	if (pid > 0 && pid < PID_MAX) {
		pids()->by_pid[pid].p = p;
		pids()->by_pid[pid].used = 1;
	}
}

void pid_set_thread(int32_t pid, struct thread_ref t)
{
	if (pid > 0 && pid < PID_MAX) {
		pids()->by_pid[pid].t = t;
		pids()->by_pid[pid].used = 1;
	}
}

void pid_clear_thread(int32_t pid)
{
	if (pid > 0 && pid < PID_MAX) {
		pids()->by_pid[pid].t = (struct thread_ref){0};
		pid_maybe_free(pid);
	}
}

void pid_clear_proc(int32_t pid)
{
	if (pid > 0 && pid < PID_MAX) {
		pids()->by_pid[pid].p = (struct proc_ref){0};
		pid_maybe_free(pid);
	}
}

struct thread_ref pid_lookup(int32_t pid)
{
	if (pid <= 0 || pid >= PID_MAX)
		return (struct thread_ref){0};
	return pids()->by_pid[pid].t;
}

struct proc_ref proc_by_pid(int32_t pid)
{
	if (pid <= 0 || pid >= PID_MAX)
		return (struct proc_ref){0};
	struct proc_ref r = pids()->by_pid[pid].p;
	struct proc *p = proc_get(r);
	if (p && p->pid == pid)
		return r;
	if (pid == 1 && proc_ref_valid(pids()->init))
		return pids()->init;
	return (struct proc_ref){0};
}

struct thread_ref proc_any_thread(struct proc_ref pr)
{
	struct proc *p = proc_get(pr);
	return p ? p->first_thread : (struct thread_ref){0};
}

void proc_link_child(struct proc_ref parent, struct proc_ref child)
{
	struct proc *pp = proc_get(parent), *cp = proc_get(child);
	if (!pp || !cp)
		return;
	cp->parent = parent;
	cp->next_sibling = pp->first_child;
	pp->first_child = child;
}

int proc_add_thread(struct proc_ref p, const struct fw_uregs *regs, struct thread_ref *out)
{
	struct proc *pp = proc_get(p);
	if (!pp)
		return -ESRCH;
	if (thread_alloc(out))
		return -EAGAIN;
	int pid = pid_alloc(*out);
	if (pid < 0) {
		thread_free(*out);
		return pid;
	}
	struct thread *t = thread_get(*out);
	t->tid = pid;
	t->proc = p;
	struct mm *mp = mm_get(pp->mm);
	int r = fw_task_create_user(regs, mp->vm, thread_cookie(*out), true, &t->task);
	if (r) {
		pid_release(pid);
		thread_free(*out);
		return r == -ENOMEM ? -ENOMEM : -EAGAIN;
	}
	pp = proc_get(p);
	t = thread_get(*out);
	t->next_in_proc = pp->first_thread;
	pp->first_thread = *out;
	pp->nthreads++;
	return 0;
}

int proc_create(struct proc_ref parent, struct mm_ref mm, const struct fw_uregs *regs, bool copy_fpu,
		struct proc_ref *out)
{
	if (proc_alloc(out))
		return -EAGAIN;
	struct proc *p = proc_get(*out);
	p->mm = mm;
	p->umask = 022;
	cred_init_root(&p->caps);
	share_init(*out);
	p->start_ns = fw_time_monotonic_ns();
	if (fw_waitq_create(&p->child_wait)) {
		proc_free(*out);
		return -ENOMEM;
	}
	if (fw_waitq_create(&proc_get(*out)->stop_wait)) {
		fw_waitq_destroy(proc_get(*out)->child_wait);
		proc_free(*out);
		return -ENOMEM;
	}
	struct thread_ref t;
	int r = proc_add_thread(*out, regs, &t);
	if (r) {
		fw_waitq_destroy(proc_get(*out)->child_wait);
		fw_waitq_destroy(proc_get(*out)->stop_wait);
		proc_free(*out);
		return r;
	}
	p = proc_get(*out);
	p->pid = thread_get(t)->tid;
	pid_set_proc(p->pid, *out);
	p->exit_signal = 17; /* SIGCHLD */
	p->pgid = p->pid;
	p->sid = p->pid;
	proc_link_child(parent, *out);
	return 0;
}

static void cred_from(const struct proc *p, uint32_t uid, uint32_t gid, bool real, struct vfs_cred *out)
{
	out->uid = uid;
	out->gid = gid;
	out->caps = cred_fs_caps(p, real);
	out->ngroups = FW_MIN(p->ngroups, (uint32_t)VFS_NGROUPS);
	for (uint32_t i = 0; i < out->ngroups; i++)
		out->groups[i] = p->groups[i];
}

void proc_fs_cred(const struct proc *p, struct vfs_cred *out) { cred_from(p, p->fsuid, p->fsgid, false, out); }
void proc_real_cred(const struct proc *p, struct vfs_cred *out) { cred_from(p, p->uid, p->gid, true, out); }

#define EXIT_HOOKS 4
struct exit_hooks {
	struct {
		proc_exit_hook fn;
	} h[EXIT_HOOKS];
	uint32_t n;
};
FW_GLOBAL(struct exit_hooks, exit_hooks);

int proc_on_exit(proc_exit_hook fn)
{
	struct exit_hooks *t = exit_hooks();
	if (t->n >= EXIT_HOOKS)
		return -ENOSPC;
	t->h[t->n++].fn = fn;
	return 0;
}

void proc_run_exit_hooks(int32_t pid)
{
	struct exit_hooks *t = exit_hooks();
	for (uint32_t i = 0; i < t->n && i < EXIT_HOOKS; i++)
		t->h[i].fn(pid);
}

bool proc_uses_fs(struct super_ref sb)
{
	uint32_t ns = ns_slot(cur_proc(), NSK_MNT); /* another namespace's mount is another mount */
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (!p || p->state == PROC_DEAD || ns_slot(p, NSK_MNT) != ns)
			continue;
		struct inode *cw = inode_get(p->cwd), *rt = inode_get(p->root);
		if ((cw && cw->sb.idx == sb.idx && cw->sb.gen == sb.gen) || (rt && rt->sb.idx == sb.idx && rt->sb.gen == sb.gen))
			return true;
	}
	return false;
}
