/* kcmp(2): do two processes share a kernel object? Layer: services (safe
 * C). Decodes the pids, checks ptrace-read access to both, and compares
 * the objects' handles or share ids: the file-system context (cwd, root,
 * umask) and the signal actions are shared by the threads of a process and
 * by CLONE_FS / CLONE_SIGHAND children (proc/share.c); the I/O context
 * (CLONE_IO) exists only once an I/O priority was set or inherited, and
 * two tasks without one compare equal, as on Linux; likewise the System V
 * undo list (made at the first SEM_UNDO or by CLONE_SYSVSEM).
 * Unequal objects are ordered by their ids (1: less, 2: greater), as Linux
 * orders by its obfuscated pointers. */
#include "syscall/syscall.h"

#define KCMP_FILE 0
#define KCMP_VM 1
#define KCMP_FILES 2
#define KCMP_FS 3
#define KCMP_SIGHAND 4
#define KCMP_IO 5
#define KCMP_SYSVSEM 6
#define KCMP_EPOLL_TFD 7

static int64_t order(uint64_t a, uint64_t b) { return a == b ? 0 : a < b ? 1 : 2; }

static uint64_t key(uint32_t idx, uint32_t gen) { return ((uint64_t)idx << 32) | gen; }

/* ptrace_may_access(PTRACE_MODE_READ_REALCREDS): root, or the caller's
 * real ids match all three of the target's. */
static bool may_inspect(const struct proc *p)
{
	const struct proc *me = cur_proc();
	if (proc_capable(me, CAP_SYS_PTRACE) || p == me)
		return true;
	return p->uid == me->uid && p->euid == me->uid && p->suid == me->uid && p->gid == me->gid &&
	       p->egid == me->gid && p->sgid == me->gid;
}

static int target(int32_t pid, struct proc_ref *out, struct thread_ref *tout)
{
	struct thread_ref tr = pid > 0 ? pid_lookup(pid) : (struct thread_ref){0};
	struct thread *t = thread_get(tr);
	struct proc *p = t ? proc_get(t->proc) : NULL;
	if (!p || p->state != PROC_ALIVE)
		return -ESRCH;
	*out = t->proc;
	*tout = tr;
	return 0;
}

static int file_of(struct proc *p, uint64_t fd, struct file_ref *out)
{
	return fd > 0x7fffffff || fd_get(p->files, (int64_t)fd, out) ? -EBADF : 0;
}

int64_t sys_kcmp(struct fw_uregs *r)
{
	struct proc_ref r1, r2;
	struct thread_ref tr1, tr2;
	int e = target((int32_t)a0(r), &r1, &tr1);
	if (e == 0)
		e = target((int32_t)a1(r), &r2, &tr2);
	if (e)
		return e;
	struct proc *p1 = proc_get(r1), *p2 = proc_get(r2);
	struct thread *t1 = thread_get(tr1), *t2 = thread_get(tr2);
	if (!may_inspect(p1) || !may_inspect(p2))
		return -EPERM;
	switch (a2(r)) {
	case KCMP_FILE: {
		struct file_ref f1, f2;
		e = file_of(p1, a3(r), &f1);
		if (e == 0)
			e = file_of(p2, a4(r), &f2);
		return e ? e : order(key(f1.idx, f1.gen), key(f2.idx, f2.gen));
	}
	case KCMP_VM:
		return order(key(p1->mm.idx, p1->mm.gen), key(p2->mm.idx, p2->mm.gen));
	case KCMP_FILES:
		return order(key(p1->files.idx, p1->files.gen), key(p2->files.idx, p2->files.gen));
	case KCMP_FS:
		return order(p1->fs_id, p2->fs_id);
	case KCMP_SIGHAND:
		return order(p1->sh_id, p2->sh_id);
	case KCMP_IO:
		return order(t1->io_id, t2->io_id);
	case KCMP_SYSVSEM:
		return order(p1->sv_id, p2->sv_id);
	case KCMP_EPOLL_TFD:
		return -EOPNOTSUPP; /* not yet: as a kernel without epoll */
	default:
		return -EINVAL;
	}
}
