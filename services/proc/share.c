/* Contexts that clone flags share between processes: CLONE_FS (working
 * directory, root, umask), CLONE_SIGHAND (signal actions), CLONE_SYSVSEM
 * (the System V semaphore undo list: ipc/sem.c keys its records by the
 * ring's id) and CLONE_IO (the I/O priority). Layer: services (safe C).
 *
 * Readers keep reading their own struct proc fields (every path lookup
 * does, so that stays one load); the processes that share a context form
 * a ring through proc.fs_next / proc.sh_next, and whoever changes the
 * context copies it to the whole ring (share_publish_*). Writers are rare
 * (chdir, chroot, umask, sigaction), rings are short. Each shared context
 * has an id (fs_id, sh_id) that kcmp(2) compares and orders, as Linux
 * compares the objects' addresses. A process leaves its rings at
 * unshare(2), execve (signal actions) and exit, so a ring never names a
 * freed process. */
#include "proc/proc.h"

struct share_ids {
	uint32_t next;
};
FW_GLOBAL(struct share_ids, share_ids);

static uint32_t new_id(void)
{
	struct share_ids *s = share_ids();
	s->next++;
	if (s->next == 0)
		s->next = 1;
	return s->next;
}

static bool same(struct proc_ref a, struct proc_ref b) { return a.idx == b.idx && a.gen == b.gen; }

static struct proc_ref next_of(const struct proc *p, enum share_kind k)
{
	return k == SHARE_FS ? p->fs_next : k == SHARE_SIGHAND ? p->sh_next : p->sv_next;
}

static void set_next(struct proc *p, enum share_kind k, struct proc_ref n)
{
	if (k == SHARE_FS)
		p->fs_next = n;
	else if (k == SHARE_SIGHAND)
		p->sh_next = n;
	else
		p->sv_next = n;
}

/* A context of its own: FS and SIGHAND get a fresh id, the undo list
 * none (Linux makes it at the first SEM_UNDO). */
static void set_own_id(struct proc *p, enum share_kind k)
{
	if (k == SHARE_FS)
		p->fs_id = new_id();
	else if (k == SHARE_SIGHAND)
		p->sh_id = new_id();
	else
		p->sv_id = 0;
}

uint32_t share_undo_key(struct proc_ref self, bool create)
{
	struct proc *p = proc_get(self);
	if (!p)
		return 0;
	if (p->sv_id == 0 && create)
		p->sv_id = new_id(); /* alone: a list shared by a ring always has an id */
	return p->sv_id;
}

void share_init(struct proc_ref self)
{
	struct proc *p = proc_get(self);
	if (!p)
		return;
	p->fs_next = self;
	p->sh_next = self;
	p->sv_next = self;
	p->fs_id = new_id();
	p->sh_id = new_id();
	p->sv_id = 0;
}

void share_join(struct proc_ref child, struct proc_ref with, enum share_kind k)
{
	struct proc *c = proc_get(child), *w = proc_get(with);
	if (!c || !w)
		return;
	set_next(c, k, next_of(w, k));
	set_next(w, k, child);
	if (k == SHARE_FS)
		c->fs_id = w->fs_id;
	else if (k == SHARE_SIGHAND)
		c->sh_id = w->sh_id;
	else /* CLONE_SYSVSEM makes the list if there is none yet, as Linux */
		c->sv_id = share_undo_key(with, true);
}

bool share_shared(struct proc_ref self, enum share_kind k)
{
	struct proc *p = proc_get(self);
	return p && proc_ref_valid(next_of(p, k)) && !same(next_of(p, k), self);
}

void share_leave(struct proc_ref self, enum share_kind k)
{
	struct proc *p = proc_get(self);
	if (!p)
		return;
	if (!share_shared(self, k)) {
		if (k == SHARE_SYSVSEM)
			set_own_id(p, k); /* its list was applied and dropped */
		return;
	}
	/* find the predecessor on the ring and close the ring behind us */
	struct proc_ref prev = self;
	for (uint32_t n = 0; n < PID_MAX; n++) {
		struct proc *q = proc_get(prev);
		if (!q)
			return;
		struct proc_ref nx = next_of(q, k);
		if (same(nx, self)) {
			set_next(q, k, next_of(p, k));
			break;
		}
		prev = nx;
	}
	set_next(p, k, self);
	set_own_id(p, k);
}

void share_publish_fs(struct proc_ref self)
{
	struct proc *p = proc_get(self);
	if (!p)
		return;
	for (struct proc_ref r = p->fs_next; !same(r, self) && proc_ref_valid(r);) {
		struct proc *q = proc_get(r);
		if (!q)
			return;
		q->cwd = p->cwd;
		q->root = p->root;
		q->umask = p->umask;
		r = q->fs_next;
	}
}

void share_publish_sigact(struct proc_ref self)
{
	struct proc *p = proc_get(self);
	if (!p)
		return;
	for (struct proc_ref r = p->sh_next; !same(r, self) && proc_ref_valid(r);) {
		struct proc *q = proc_get(r);
		if (!q)
			return;
		for (uint32_t i = 0; i < NSIG; i++)
			q->sigact[i] = p->sigact[i];
		r = q->sh_next;
	}
}

void share_publish_ioprio(struct thread *t)
{
	if (t->io_id == 0)
		return;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct thread *o = thread_get(pid_lookup(pid));
		if (o && o != t && o->io_id == t->io_id)
			o->ioprio = t->ioprio;
	}
}

uint32_t share_new_id(void) { return new_id(); }
