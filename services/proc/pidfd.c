/* pidfds: files that name a process (pidfd_open, clone's CLONE_PIDFD) or,
 * with PIDFD_THREAD, one thread. Layer: services (safe C).
 *
 * A pidfd holds the process's generation-checked handle (file.priv) and
 * the pid or tid it was opened for (file.priv_u32), so a reused pid never
 * makes it name another process: once the process is reaped the handle is
 * stale and the pidfd says so (poll POLLIN|POLLHUP, signals ESRCH).
 * Readable for poll when the process (all its threads) or the thread has
 * exited, as Linux's pidfd_poll. One wait queue for all pidfds, woken at
 * every thread exit: pollers re-check their own process. */
#include "proc/proc.h"
#include "vfs/wait.h"
#include <abi/fs.h>

struct pidfd_state {
	uint32_t fops;
	struct wq_ref wq;
};
FW_GLOBAL(struct pidfd_state, pidfd_state);

static struct proc_ref proc_of(const struct file *fp) { return (struct proc_ref){fp->priv.idx, fp->priv.gen}; }

/* The thread a PIDFD_THREAD pidfd names, if it still runs in its process. */
static struct thread *thread_of(const struct file *fp)
{
	struct thread *t = thread_get(pid_lookup((int32_t)fp->priv_u32));
	struct proc_ref pr = proc_of(fp);
	if (!t || t->tid != (int32_t)fp->priv_u32 || t->proc.idx != pr.idx || t->proc.gen != pr.gen)
		return NULL;
	return t;
}

static uint32_t pidfd_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	(void)f;
	poll_wait(pt, pidfd_state()->wq);
	struct proc *p = proc_get(proc_of(fp));
	if (!p || p->state == PROC_DEAD)
		return POLLIN | POLLRDNORM | POLLHUP;
	if (fp->flags & PIDFD_THREAD)
		return thread_of(fp) ? 0 : POLLIN | POLLRDNORM | POLLHUP;
	return p->state == PROC_ZOMBIE ? POLLIN | POLLRDNORM : 0;
}

static const struct file_ops pidfd_ops = {
	.name = "anon_inode",
	.poll = pidfd_poll,
};

int pidfd_init(void)
{
	int e = file_ops_register(&pidfd_ops, &pidfd_state()->fops);
	if (e == 0)
		e = wq_create(&pidfd_state()->wq);
	return e;
}

void pidfd_changed(void)
{
	if (wq_ref_valid(pidfd_state()->wq))
		wq_wake(pidfd_state()->wq);
}

int pidfd_new(int32_t pid, uint32_t flags, struct file_ref *out)
{
	struct thread *t = thread_get(pid_lookup(pid));
	struct proc_ref pr = proc_by_pid(pid);
	struct proc *p = proc_get(pr);
	if (!(flags & PIDFD_THREAD)) {
		/* a process: its id (a zombie counts until it is reaped) */
		if (!p || p->pid != pid || p->state == PROC_DEAD)
			return t ? -ENOENT : -ESRCH; /* a thread that does not lead a process */
	} else {
		if (!t || t->tid != pid)
			return p && p->pid == pid ? -EINVAL : -ESRCH; /* a zombie has no threads left */
		pr = t->proc;
	}
	int e = file_new(pidfd_state()->fops, O_RDWR | (flags & (O_NONBLOCK | PIDFD_THREAD)), out);
	if (e)
		return e;
	struct file *fp = file_get(*out);
	fp->priv = (struct vfs_priv){pr.idx, pr.gen};
	fp->priv_u32 = (uint32_t)pid;
	return 0;
}

int pidfd_target(struct file_ref f, struct pidfd_info *out)
{
	struct file *fp = file_get(f);
	if (!fp || fp->fops != pidfd_state()->fops)
		return -EBADF;
	out->proc = proc_of(fp);
	out->pid = (int32_t)fp->priv_u32;
	out->thread = (fp->flags & PIDFD_THREAD) != 0;
	out->nonblock = (fp->flags & O_NONBLOCK) != 0;
	out->tref = (struct thread_ref){0};
	if (out->thread) {
		struct thread *t = thread_of(fp);
		if (t)
			out->tref = pid_lookup(out->pid);
	}
	return 0;
}
