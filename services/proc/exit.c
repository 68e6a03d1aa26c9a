/* Thread and process exit, reparenting and reaping. Layer: services
 * (safe C). A process becomes a zombie when its last thread exits; its
 * parent reaps it with wait4/waitid, which frees the proc and its pid
 * (or the kernel reaps it at once when the parent ignores SIGCHLD). */
#include "proc/proc.h"
#include <fw/log.h>
#include <fw/time.h>
#include <fw/user.h>
#include "proc/futex.h"
#include "proc/signal.h"

#define WNOHANG 1
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

static void unlink_thread(struct proc *p, struct thread_ref t)
{
	struct thread_ref prev = {0};
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c);) {
		struct thread *tc = thread_get(c);
		if (c.idx == t.idx && c.gen == t.gen) {
			if (thread_ref_valid(prev))
				thread_get(prev)->next_in_proc = tc->next_in_proc;
			else
				p->first_thread = tc->next_in_proc;
			p->nthreads--;
			return;
		}
		prev = c;
		c = tc->next_in_proc;
	}
}

static void unlink_child(struct proc *parent, struct proc_ref c)
{
	struct proc_ref prev = {0};
	for (struct proc_ref it = parent->first_child; proc_ref_valid(it);) {
		struct proc *ip = proc_get(it);
		if (it.idx == c.idx && it.gen == c.gen) {
			if (proc_ref_valid(prev))
				proc_get(prev)->next_sibling = ip->next_sibling;
			else
				parent->first_child = ip->next_sibling;
			return;
		}
		prev = it;
		it = ip->next_sibling;
	}
}

/* Free a zombie (its resources are already gone). */
static void proc_release(struct proc_ref c)
{
	struct proc *cp = proc_get(c);
	if (!cp)
		return;
	int32_t pid = cp->pid;
	signal_flush_queue(&cp->rtq, &cp->rtq_len, 0);
	fw_waitq_destroy(cp->child_wait);
	fw_waitq_destroy(cp->stop_wait);
	wq_destroy(cp->sigfd_wq);
	proc_free(c);
	pid_clear_proc(pid);
}

/* Give the children of a dying process to init. */
static void reparent_children(struct proc_ref pr)
{
	struct proc *p = proc_get(pr);
	struct proc_ref init = init_proc();
	struct proc_ref c = p->first_child;
	p->first_child = (struct proc_ref){0};
	bool zombies = false;
	while (proc_ref_valid(c)) {
		struct proc *cp = proc_get(c);
		struct proc_ref next = cp->next_sibling;
		proc_link_child(init, c);
		if (cp->state == PROC_ZOMBIE)
			zombies = true;
		c = next;
	}
	struct proc *ip = proc_get(init);
	if (zombies && ip)
		fw_waitq_wake_all(ip->child_wait);
}

static int32_t status_code(int32_t wstatus, int32_t *si_status)
{
	if ((wstatus & 0x7f) == 0) {
		*si_status = (wstatus >> 8) & 0xff;
		return CLD_EXITED;
	}
	*si_status = wstatus & 0x7f;
	return (wstatus & 0x80) ? CLD_DUMPED : CLD_KILLED;
}

/* Tell the parent about a state change of child (exit, stop, continue). */
void proc_notify_parent(struct proc_ref child, int32_t code, int32_t si_status)
{
	struct proc *c = proc_get(child);
	if (!c)
		return;
	struct proc *parent = proc_get(c->parent);
	if (!parent)
		return;
	fw_waitq_wake_all(parent->child_wait);
	int sig = code == CLD_EXITED || code == CLD_KILLED || code == CLD_DUMPED ? c->exit_signal : SIGCHLD;
	if (sig <= 0 || sig > NSIG)
		return;
	if (sig == SIGCHLD && code >= CLD_STOPPED && (parent->sigact[SIGCHLD - 1].flags & SA_NOCLDSTOP))
		return;
	struct sig_info_k info = {code, c->pid, c->uid, si_status, 0};
	(void)signal_send_proc_info(c->parent, sig, &info);
}

static bool parent_autoreaps(struct proc *parent)
{
	return parent->sigact[SIGCHLD - 1].handler == SIG_IGN || (parent->sigact[SIGCHLD - 1].flags & SA_NOCLDWAIT);
}

/* The last thread is gone: release resources, become a zombie. */
static void proc_become_zombie(struct proc_ref pr, int32_t wstatus)
{
	struct proc *p = proc_get(pr);
	p->state = PROC_ZOMBIE;
	p->exit_status = wstatus;
	proc_run_exit_hooks(p->pid); /* e.g. SEM_UNDO adjustments */
	share_leave(pr, SHARE_FS);
	share_leave(pr, SHARE_SIGHAND);
	share_leave(pr, SHARE_SYSVSEM);
	ns_exit(proc_get(pr));
	p = proc_get(pr);
	proc_vfork_release(p);
	fw_timer_destroy(p->alarm_timer);
	ptimer_delete_all(p, true);
	p = proc_get(pr);
	struct mm *m = mm_get(p->mm);
	if (m) {
		uint64_t kb = fw_vm_resident_pages(m->vm) * 4;
		if (kb > p->maxrss_kb)
			p->maxrss_kb = kb;
	}
	fdtable_put(p->files);
	p = proc_get(pr);
	p->files = (struct fdtable_ref){0};
	mm_put(p->mm);
	p->mm = (struct mm_ref){0};
	reparent_children(pr);
	p = proc_get(pr);
	struct proc *parent = proc_get(p->parent);
	if (parent && parent_autoreaps(parent) && p->exit_signal == SIGCHLD) {
		unlink_child(parent, pr);
		proc_release(pr);
		fw_waitq_wake_all(parent->child_wait);
		return;
	}
	int32_t si_status;
	int32_t code = status_code(wstatus, &si_status);
	proc_notify_parent(pr, code, si_status);
}

void proc_account_cpu(void)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	if (!t || !p)
		return;
	uint64_t u, s;
	fw_task_cpu_times(&u, &s);
	p->user_ns += u - t->cpu_user_ns;
	p->sys_ns += s - t->cpu_sys_ns;
	t->cpu_user_ns = u;
	t->cpu_sys_ns = s;
}

FW_NORETURN void thread_exit(int32_t code)
{
	struct thread_ref tr = cur_thread_ref();
	struct thread *t = thread_get(tr);
	struct proc_ref pr = t->proc;
	/* Robust futexes first, then CLONE_CHILD_CLEARTID (Linux's order). */
	futex_robust_exit(t->robust_list, t->robust_len, t->tid);
	futex_pi_owner_gone(); /* they run after this thread is gone */
	t = thread_get(tr);
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (fw_copy_to_user(fw_uaddr(t->clear_child_tid), &zero) == 0)
			futex_wake_addr(t->clear_child_tid, 1);
	}
	proc_account_cpu();
	t = thread_get(tr);
	struct proc *p = proc_get(pr);
	unlink_thread(p, tr);
	int32_t tid = t->tid;
	bool last = p->nthreads == 0;
	signal_flush_queue(&t->rtq, &t->rtq_len, 0);
	thread_free(tr);
	pid_clear_thread(tid);
	if (last) {
		p = proc_get(pr);
		proc_become_zombie(pr, p->exit_status ? p->exit_status : (code & 0xff) << 8);
	} else {
		/* exec waits for the other threads to go */
		fw_waitq_wake_all(proc_get(pr)->stop_wait);
	}
	pidfd_changed();
	fw_task_exit();
}

void proc_kill(struct proc_ref pr, int32_t wstatus)
{
	struct proc *p = proc_get(pr);
	if (!p || p->state != PROC_ALIVE)
		return;
	if (p->exit_status == 0)
		p->exit_status = wstatus;
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		struct thread *t = thread_get(c);
		t->exiting = true;
		(void)fw_task_interrupt(t->task);
	}
	/* stopped threads must wake up to die */
	fw_waitq_wake_all(p->stop_wait);
}

FW_NORETURN void proc_exit_group(int32_t wstatus)
{
	struct proc_ref pr = cur_proc_ref();
	struct proc *p = proc_get(pr);
	if (p->exit_status == 0)
		p->exit_status = wstatus;
	proc_kill(pr, p->exit_status);
	thread_exit(0);
}

static bool child_matches(const struct proc *me, const struct proc *c, int32_t idtype, int32_t id)
{
	switch (idtype) {
	case 1: /* P_PID */
		return c->pid == id;
	case 2: /* P_PGID */
		return c->pgid == (id ? id : me->pgid);
	default:
		return true;
	}
}

static void fill_exit(struct proc *cp, struct wait_result *out)
{
	out->pid = cp->pid;
	out->status = cp->exit_status;
	out->code = status_code(cp->exit_status, &out->si_status);
	out->uid = cp->uid;
	out->user_ns = cp->user_ns + cp->child_user_ns;
	out->sys_ns = cp->sys_ns + cp->child_sys_ns;
	out->maxrss_kb = cp->maxrss_kb;
}

/* One pass over the children: 1 = found a reportable one, 0 = some
 * matching child exists, -ECHILD = none. */
static int wait_scan(struct proc_ref mer, int32_t idtype, int32_t id, uint32_t options, struct wait_result *out)
{
	struct proc *me = proc_get(mer);
	bool any = false;
	for (struct proc_ref c = me->first_child; proc_ref_valid(c); c = proc_get(c)->next_sibling) {
		struct proc *cp = proc_get(c);
		if (!child_matches(me, cp, idtype, id))
			continue;
		any = true;
		if (cp->state == PROC_ZOMBIE && (options & WEXITED)) {
			fill_exit(cp, out);
			if (options & WNOWAIT)
				return 1;
			me->child_user_ns += out->user_ns;
			me->child_sys_ns += out->sys_ns;
			if (cp->maxrss_kb > me->child_maxrss_kb)
				me->child_maxrss_kb = cp->maxrss_kb;
			unlink_child(me, c);
			proc_release(c);
			return 1;
		}
		if (cp->state != PROC_ALIVE)
			continue;
		if (cp->stop_report && (options & WUNTRACED)) {
			*out = (struct wait_result){cp->pid, (cp->stop_sig << 8) | 0x7f, CLD_STOPPED, cp->stop_sig,
						    cp->uid, 0, 0, 0};
			if (!(options & WNOWAIT))
				cp->stop_report = false;
			return 1;
		}
		if (cp->cont_report && (options & WCONTINUED)) {
			*out = (struct wait_result){cp->pid, 0xffff, CLD_CONTINUED, SIGCONT, cp->uid, 0, 0, 0};
			if (!(options & WNOWAIT))
				cp->cont_report = false;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

int32_t proc_wait(struct proc_ref mer, int32_t idtype, int32_t id, uint32_t options, struct wait_result *out)
{
	for (;;) {
		int r = wait_scan(mer, idtype, id, options, out);
		if (r < 0)
			return r;
		if (r == 1)
			return out->pid;
		if (options & WNOHANG)
			return 0;
		struct proc *me = proc_get(mer);
		if (fw_waitq_wait(me->child_wait, 0, true) == -EINTR)
			return -ERESTARTSYS;
	}
}

int32_t proc_wait_child(struct proc_ref mer, int32_t pid, int32_t *status, bool nohang)
{
	struct wait_result res = {0};
	int32_t idtype = pid > 0 ? 1 : pid == -1 ? 0 : 2;
	int32_t id = pid > 0 ? pid : pid < -1 ? -pid : 0;
	int32_t r = proc_wait(mer, idtype, id, WEXITED | (nohang ? WNOHANG : 0), &res);
	if (r > 0)
		*status = res.status;
	return r;
}
