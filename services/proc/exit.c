/* Thread and process exit, reparenting and reaping. Layer: services
 * (safe C). A process becomes a zombie when its last thread exits; its
 * parent reaps it with wait4/waitid, which frees the proc and its pid. */
#include "proc/proc.h"
#include <fw/log.h>
#include <fw/user.h>
#include "proc/futex.h"
#include "signal/signal.h"

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

/* The last thread is gone: release resources, become a zombie. */
static void proc_become_zombie(struct proc_ref pr, int32_t wstatus)
{
	struct proc *p = proc_get(pr);
	p->state = PROC_ZOMBIE;
	p->exit_status = wstatus;
	fdtable_put(p->files);
	p->files = (struct fdtable_ref){0};
	mm_put(p->mm);
	p->mm = (struct mm_ref){0};
	reparent_children(pr);
	p = proc_get(pr);
	struct proc *parent = proc_get(p->parent);
	if (parent)
		fw_waitq_wake_all(parent->child_wait);
	proc_signal_parent_exit(pr);
}

FW_NORETURN void thread_exit(int32_t code)
{
	struct thread_ref tr = cur_thread_ref();
	struct thread *t = thread_get(tr);
	struct proc_ref pr = t->proc;
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		if (fw_copy_to_user(fw_uaddr(t->clear_child_tid), &zero) == 0)
			futex_wake_addr(t->clear_child_tid, 1);
	}
	struct proc *p = proc_get(pr);
	unlink_thread(p, tr);
	int32_t tid = t->tid;
	bool last = p->nthreads == 0;
	if (tid != p->pid)
		pid_release(tid);
	thread_free(tr);
	if (last)
		proc_become_zombie(pr, proc_get(pr)->exit_status ? proc_get(pr)->exit_status : (code & 0xff) << 8);
	fw_task_exit();
}

void proc_kill(struct proc_ref pr, int32_t wstatus)
{
	struct proc *p = proc_get(pr);
	if (!p || p->state != PROC_ALIVE)
		return;
	p->exit_status = wstatus;
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		struct thread *t = thread_get(c);
		t->exiting = true;
		(void)fw_task_interrupt(t->task);
	}
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

static bool child_matches(const struct proc *me, const struct proc *c, int32_t pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == me->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

int32_t proc_wait_child(struct proc_ref mer, int32_t pid, int32_t *status, bool nohang)
{
	for (;;) {
		struct proc *me = proc_get(mer);
		bool any = false;
		for (struct proc_ref c = me->first_child; proc_ref_valid(c); c = proc_get(c)->next_sibling) {
			struct proc *cp = proc_get(c);
			if (!child_matches(me, cp, pid))
				continue;
			any = true;
			if (cp->state != PROC_ZOMBIE)
				continue;
			int32_t cpid = cp->pid;
			*status = cp->exit_status;
			me->child_user_ns += cp->child_user_ns;
			unlink_child(me, c);
			fw_waitq_destroy(cp->child_wait);
			pid_release(cpid);
			proc_free(c);
			return cpid;
		}
		if (!any)
			return -ECHILD;
		if (nohang)
			return 0;
		int r = fw_waitq_wait(me->child_wait, 0, true);
		if (r == -EINTR)
			return -ERESTARTSYS;
	}
}
