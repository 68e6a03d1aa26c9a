/* Process system calls: ids, exit, wait, execve, kill. Layer: services
 * (safe C). */
#include "exec/exec.h"
#include "proc/signal.h"
#include "syscall/fs.h"
#include <abi/signal.h>
#include <fw/wait.h>

int64_t sys_getpid(struct fw_uregs *r) { return cur_proc()->pid; }
int64_t sys_gettid(struct fw_uregs *r) { return cur_thread()->tid; }

int64_t sys_getppid(struct fw_uregs *r)
{
	struct proc *pp = proc_get(cur_proc()->parent);
	return pp ? pp->pid : 0;
}

int64_t sys_getuid(struct fw_uregs *r) { return cur_proc()->uid; }
int64_t sys_geteuid(struct fw_uregs *r) { return cur_proc()->euid; }
int64_t sys_getgid(struct fw_uregs *r) { return cur_proc()->gid; }
int64_t sys_getegid(struct fw_uregs *r) { return cur_proc()->egid; }

int64_t sys_exit(struct fw_uregs *r) { thread_exit((int32_t)a0(r)); }
int64_t sys_exit_group(struct fw_uregs *r) { proc_exit_group(((int32_t)a0(r) & 0xff) << 8); }

int64_t sys_sched_yield(struct fw_uregs *r)
{
	fw_task_yield();
	return 0;
}

int64_t sys_set_tid_address(struct fw_uregs *r)
{
	cur_thread()->clear_child_tid = a0(r);
	return cur_thread()->tid;
}

int64_t sys_set_robust_list(struct fw_uregs *r)
{
	if (a1(r) != 24)
		return -EINVAL;
	cur_thread()->robust_list = a0(r);
	cur_thread()->robust_len = a1(r);
	return 0;
}

/* Another thread's list needs ptrace-read access: root, or the same uid
 * in all three of the target's ids. */
int64_t sys_get_robust_list(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	struct thread *t = pid ? thread_get(pid_lookup(pid)) : cur_thread();
	struct proc *p = t ? proc_get(t->proc) : NULL;
	if (!p || pid < 0)
		return -ESRCH;
	struct proc *me = cur_proc();
	if (!proc_capable(me, CAP_SYS_PTRACE) && (p->uid != me->uid || p->euid != me->uid || p->suid != me->uid))
		return -EPERM;
	uint64_t head = t->robust_list, len = 24;
	if (fw_copy_to_user(fw_uaddr(a2(r)), &len))
		return -EFAULT;
	return fw_copy_to_user(fw_uaddr(a1(r)), &head) ? -EFAULT : 0;
}

#define CLONE_PIDFD 0x1000ULL
#define CLONE_DETACHED 0x400000ULL
#define CLONE_PARENT_SETTID_F 0x100000ULL
#define CLONE_THREAD_F 0x10000ULL

#define CLONE_FS_F 0x200ULL
#define CLONE_NEWNS_F 0x20000ULL
#define CLONE_NEWUSER_F 0x10000000ULL
#define CLONE_NEWPID_F 0x20000000ULL
/* CLONE_NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWNS, NEWTIME */
#define CLONE_NS_FLAGS (0x2000000ULL | 0x4000000ULL | 0x8000000ULL | 0x10000000ULL | 0x20000000ULL | 0x40000000ULL | 0x20000ULL | 0x80ULL)

/* clone with CLONE_PIDFD: the pidfd's number goes to uptr (Linux writes
 * it before the child exists: a bad pointer fails the call). Before
 * that, Linux's copy_process checks on flags that proc_clone does not
 * know: a new mount or user namespace cannot share the file-system
 * context; CLONE_NEWNS and CLONE_NEWUTS need CAP_SYS_ADMIN; the other
 * namespace kinds exist only once, so their flags get what a Linux built
 * without them gives (-EPERM without privilege, the capability check
 * coming first, else -EINVAL). */
static int64_t clone_pidfd(struct fw_uregs *r, uint64_t flags, uint64_t newsp, uint64_t ptid, uint64_t ctid,
			   uint64_t tls, uint64_t uptr, bool legacy)
{
	if ((flags & (CLONE_NEWNS_F | CLONE_FS_F)) == (CLONE_NEWNS_F | CLONE_FS_F) ||
	    (flags & (CLONE_NEWUSER_F | CLONE_FS_F)) == (CLONE_NEWUSER_F | CLONE_FS_F))
		return -EINVAL;
	if ((flags & CLONE_THREAD_F) && (flags & (CLONE_NEWUSER_F | CLONE_NEWPID_F)))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & CLONE_DETACHED))
		return -EINVAL;
	uint64_t ns = flags & CLONE_NS_FLAGS & ~(legacy ? 0xffULL : 0); /* legacy clone: the low byte is the exit signal */
	if (ns) {
		/* proc_clone's own checks come first */
		if (((flags & 0x800ULL) && !(flags & 0x100ULL)) || ((flags & CLONE_THREAD_F) && !(flags & 0x800ULL)))
			return -EINVAL;
		bool need_cap = ns != CLONE_NEWUSER_F;
		if (need_cap && !cred_capable(CAP_SYS_ADMIN))
			return -EPERM;
		/* new mount and UTS namespaces are made by proc_clone (proc/ns.c) */
		if (ns & ~(ns_clone_flag(NSK_MNT) | ns_clone_flag(NSK_UTS)))
			return -EINVAL;
	}
	if (!(flags & CLONE_PIDFD))
		return proc_clone(r, flags, newsp, ptid, ctid, tls);
	int32_t none = -1;
	if (fw_copy_to_user(fw_uaddr(uptr), &none))
		return -EFAULT;
	int64_t pid = proc_clone(r, flags & ~CLONE_PIDFD, newsp, ptid, ctid, tls);
	if (pid > 0)
		(void)pidfd_for_child((int32_t)pid, (flags & CLONE_THREAD_F) != 0, uptr);
	return pid;
}

int64_t sys_clone(struct fw_uregs *r)
{
	uint64_t flags = a0(r);
	/* the legacy call returns the pidfd where CLONE_PARENT_SETTID would
	 * put the tid: both at once is EINVAL */
	if ((flags & CLONE_PIDFD) && (flags & CLONE_PARENT_SETTID_F))
		return -EINVAL;
	return clone_pidfd(r, flags, a1(r), a2(r), a3(r), a4(r), a2(r), true);
}
/* clone3(2): struct clone_args, checked as Linux's
 * copy_clone_args_from_user and clone3_args_valid do. Not supported:
 * set_tid (-EPERM: Keel chooses every pid), CLONE_INTO_CGROUP (no
 * cgroups: the descriptor is never one, -EBADF). */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER2 88
#define CSIGNAL 0xffULL
#define CLONE_NEWTIME 0x80ULL
#define CLONE_SIGHAND_F 0x800ULL
#define CLONE_PARENT_F 0x8000ULL
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#define CLONE_INTO_CGROUP 0x200000000ULL

static int clone_args_from_user(uint64_t uargs, uint64_t usize, struct clone_args *a)
{
	if (usize > 4096)
		return -E2BIG;
	if (usize < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	*a = (struct clone_args){0};
	if (fw_copy_from_user_n(a, fw_uaddr(uargs), FW_MIN(usize, (uint64_t)sizeof(*a))))
		return -EFAULT;
	/* Bytes past the structure this kernel knows must be zero. */
	for (uint64_t off = sizeof(*a); off < usize; off += 8) {
		uint64_t v = 0;
		if (fw_copy_from_user_n(&v, fw_uaddr(uargs + off), FW_MIN(8ULL, usize - off)))
			return -EFAULT;
		if (v)
			return -E2BIG;
	}
	if (a->set_tid_size > 32 || (!a->set_tid && a->set_tid_size) || (a->set_tid && !a->set_tid_size))
		return -EINVAL;
	if ((a->exit_signal & ~CSIGNAL) || a->exit_signal > NSIG)
		return -EINVAL;
	if ((a->flags & CLONE_INTO_CGROUP) && (a->cgroup > 0x7fffffff || usize < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	return 0;
}

static bool clone3_valid(struct clone_args *a)
{
	if (a->flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return false;
	if (a->flags & (CLONE_DETACHED | (CSIGNAL & ~CLONE_NEWTIME)))
		return false;
	if ((a->flags & (CLONE_SIGHAND_F | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND_F | CLONE_CLEAR_SIGHAND))
		return false;
	if ((a->flags & (CLONE_THREAD_F | CLONE_PARENT_F)) && a->exit_signal)
		return false;
	if (a->stack == 0)
		return a->stack_size == 0;
	if (a->stack_size == 0 || !fw_user_range_ok(a->stack, a->stack_size))
		return false;
	a->stack += a->stack_size; /* the stack grows down from its end */
	return true;
}

int64_t sys_clone3(struct fw_uregs *r)
{
	struct clone_args a;
	int e = clone_args_from_user(a0(r), a1(r), &a);
	if (e)
		return e;
	if (!clone3_valid(&a))
		return -EINVAL;
	if (a.set_tid)
		return -EPERM;
	if (a.flags & CLONE_INTO_CGROUP)
		return -EBADF;
	if ((a.flags & CLONE_PIDFD) && (a.flags & CLONE_PARENT_SETTID_F) && a.pidfd == a.parent_tid)
		return -EINVAL;
	int64_t pid = clone_pidfd(r, (a.flags & 0xffffffffULL) | a.exit_signal, a.stack, a.parent_tid, a.child_tid,
				  a.tls, a.pidfd, false);
	if (pid > 0 && (a.flags & CLONE_CLEAR_SIGHAND)) {
		/* The child has not run yet: reset its handled signals. */
		struct thread *t = thread_get(pid_lookup((int32_t)pid));
		struct proc *c = t ? proc_get(t->proc) : NULL;
		for (uint32_t i = 0; c && i < NSIG; i++)
			if (c->sigact[i].handler != 1 /* SIG_IGN */)
				c->sigact[i] = (struct sigaction_k){0};
	}
	return pid;
}

int64_t sys_fork(struct fw_uregs *r) { return proc_clone(r, 17 /* SIGCHLD */, 0, 0, 0, 0); }
int64_t sys_vfork(struct fw_uregs *r) { return proc_clone(r, 0x4000 | 0x100 | 17, 0, 0, 0, 0); }

#define WNOHANG 1
#define P_PIDFD 3
#define WUNTRACED 2
#define WEXITED 4
#define WCONTINUED 8
#define WNOWAIT 0x01000000
#define WALL_FLAGS (0x20000000u | 0x40000000u | 0x80000000u) /* __WNOTHREAD, __WALL, __WCLONE */

static void ns_to_tv(uint64_t ns, struct linux_timeval *tv)
{
	tv->tv_sec = (int64_t)(ns / 1000000000);
	tv->tv_usec = (int64_t)(ns % 1000000000 / 1000);
}

static int put_rusage(uint64_t uaddr, const struct wait_result *w)
{
	struct linux_rusage ru = {0};
	ns_to_tv(w->user_ns, &ru.utime);
	ns_to_tv(w->sys_ns, &ru.stime);
	ru.maxrss = (int64_t)w->maxrss_kb;
	return fw_copy_to_user(fw_uaddr(uaddr), &ru) ? -EFAULT : 0;
}

int64_t sys_wait4(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r);
	uint64_t options = a2(r);
	if (options & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED | WALL_FLAGS))
		return -EINVAL;
	if (pid == -2147483647 - 1)
		return -ESRCH;
	int32_t idtype = pid > 0 ? 1 : pid == -1 ? 0 : 2;
	int32_t id = pid > 0 ? pid : pid < -1 ? -pid : 0;
	struct wait_result w = {0};
	int32_t got = proc_wait(cur_proc_ref(), idtype, id, (uint32_t)options | WEXITED, &w);
	if (got > 0 && a1(r) && fw_copy_to_user(fw_uaddr(a1(r)), &w.status))
		return -EFAULT;
	if (got > 0 && a3(r) && put_rusage(a3(r), &w))
		return -EFAULT;
	return got;
}

int64_t sys_waitid(struct fw_uregs *r)
{
	uint32_t idtype = (uint32_t)a0(r);
	int32_t id = (int32_t)a1(r);
	uint64_t options = a3(r);
	if (options & ~(uint64_t)(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL_FLAGS))
		return -EINVAL;
	if (!(options & (WUNTRACED | WEXITED | WCONTINUED)))
		return -EINVAL;
	bool nonblock = false;
	if (idtype == P_PIDFD) {
		/* the pidfd's process, by its pid (ECHILD once reaped) */
		if (id < 0)
			return -EINVAL;
		struct file_ref f;
		struct pidfd_info t;
		if (fd_get(cur_proc()->files, id, &f) || pidfd_target(f, &t))
			return -EBADF;
		idtype = 1;
		id = t.pid;
		nonblock = t.nonblock;
	} else if (idtype > 2 || (idtype != 0 && id <= 0 && !(idtype == 2 && id == 0))) {
		return -EINVAL;
	}
	struct wait_result w = {0};
	int32_t got = proc_wait(cur_proc_ref(), (int32_t)idtype, id, (uint32_t)(options | (nonblock ? WNOHANG : 0)), &w);
	if (got < 0)
		return got;
	if (got == 0 && nonblock && !(options & WNOHANG))
		return -EAGAIN;
	if (a2(r)) {
		struct linux_siginfo si = {0};
		if (got > 0) {
			si.signo = SIGCHLD;
			si.code = w.code;
			si.w[0] = (uint64_t)(uint32_t)w.pid | ((uint64_t)w.uid << 32);
			si.w[1] = (uint64_t)(uint32_t)w.si_status;
		}
		if (fw_copy_to_user(fw_uaddr(a2(r)), &si))
			return -EFAULT;
	}
	if (got > 0 && a4(r) && put_rusage(a4(r), &w))
		return -EFAULT;
	return 0;
}

/* Process groups and sessions. */
static struct proc *find_proc(int32_t pid)
{
	if (pid == 0)
		return cur_proc();
	if (pid < 0)
		return NULL;
	return proc_get(proc_by_pid(pid));
}

int64_t sys_getpgid(struct fw_uregs *r)
{
	struct proc *p = find_proc((int32_t)a0(r));
	return p ? p->pgid : -ESRCH;
}

int64_t sys_getpgrp(struct fw_uregs *r) { return cur_proc()->pgid; }

int64_t sys_getsid(struct fw_uregs *r)
{
	struct proc *p = find_proc((int32_t)a0(r));
	return p ? p->sid : -ESRCH;
}

static bool group_in_session(int32_t pgid, int32_t sid)
{
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (p && p->state == PROC_ALIVE && p->pgid == pgid && p->sid == sid)
			return true;
	}
	return false;
}

int64_t sys_setpgid(struct fw_uregs *r)
{
	int32_t pid = (int32_t)a0(r), pgid = (int32_t)a1(r);
	if (pgid < 0)
		return -EINVAL;
	struct proc_ref mer = cur_proc_ref();
	struct proc *me = proc_get(mer);
	struct proc_ref tr = pid == 0 ? mer : proc_by_pid(pid);
	struct proc *t = proc_get(tr);
	if (!t)
		return -ESRCH;
	bool self = tr.idx == mer.idx && tr.gen == mer.gen;
	bool child = t->parent.idx == mer.idx && t->parent.gen == mer.gen;
	if (!self && !child)
		return -ESRCH;
	if (child && t->sid != me->sid)
		return -EPERM;
	if (child && !self && t->execed)
		return -EACCES; /* the child has run execve (Linux: !PF_FORKNOEXEC) */
	if (t->sid == t->pid)
		return -EPERM; /* a session leader */
	if (pgid == 0)
		pgid = t->pid;
	if (pgid != t->pid && !group_in_session(pgid, me->sid))
		return -EPERM;
	t = proc_get(tr);
	t->pgid = pgid;
	return 0;
}

int64_t sys_setsid(struct fw_uregs *r)
{
	struct proc *me = cur_proc();
	int32_t pid = me->pid;
	for (int32_t q = 1; q < PID_MAX; q++) {
		struct proc *p = proc_get(proc_by_pid(q));
		if (p && p->pgid == pid)
			return -EPERM;
	}
	me = cur_proc();
	me->sid = pid;
	me->pgid = pid;
	return pid;
}

/* Credentials. Root may set anything; others only among real/effective/
 * saved values (Linux setresuid rules). -1 leaves a value unchanged. */
static bool may_set(uint32_t v, uint32_t a, uint32_t b, uint32_t c, bool root)
{
	return v == 0xffffffffu || root || v == a || v == b || v == c;
}

static int set_res(uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs, uint32_t nr, uint32_t ne, uint32_t ns,
		   bool root)
{
	if (!may_set(nr, *r, *e, *s, root) || !may_set(ne, *r, *e, *s, root) || !may_set(ns, *r, *e, *s, root))
		return -EPERM;
	if (nr != 0xffffffffu)
		*r = nr;
	if (ne != 0xffffffffu)
		*e = ne;
	if (ns != 0xffffffffu)
		*s = ns;
	*fs = *e;
	return 0;
}

/* A uid change: Linux's permission rule (CAP_SETUID lets any id through),
 * then the capability fixups of the ids' move to or from 0. */
static int set_uids(uint32_t nr, uint32_t ne, uint32_t ns)
{
	struct proc *p = cur_proc();
	uint32_t r0 = p->uid, e0 = p->euid, s0 = p->suid, f0 = p->fsuid;
	int e = set_res(&p->uid, &p->euid, &p->suid, &p->fsuid, nr, ne, ns, cred_capable(CAP_SETUID));
	if (e == 0)
		cred_fix_setuid(p, r0, e0, s0, f0);
	return e;
}

static int set_gids(uint32_t nr, uint32_t ne, uint32_t ns)
{
	struct proc *p = cur_proc();
	return set_res(&p->gid, &p->egid, &p->sgid, &p->fsgid, nr, ne, ns, cred_capable(CAP_SETGID));
}

int64_t sys_setresuid(struct fw_uregs *r) { return set_uids((uint32_t)a0(r), (uint32_t)a1(r), (uint32_t)a2(r)); }

int64_t sys_setresgid(struct fw_uregs *r) { return set_gids((uint32_t)a0(r), (uint32_t)a1(r), (uint32_t)a2(r)); }

int64_t sys_setuid(struct fw_uregs *r)
{
	uint32_t u = (uint32_t)a0(r);
	if (u == 0xffffffffu)
		return -EINVAL;
	if (cred_capable(CAP_SETUID))
		return set_uids(u, u, u);
	return set_uids(0xffffffffu, u, 0xffffffffu);
}

int64_t sys_setgid(struct fw_uregs *r)
{
	uint32_t g = (uint32_t)a0(r);
	if (g == 0xffffffffu)
		return -EINVAL;
	if (cred_capable(CAP_SETGID))
		return set_gids(g, g, g);
	return set_gids(0xffffffffu, g, 0xffffffffu);
}

int64_t sys_setreuid(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint32_t nr = (uint32_t)a0(r), ne = (uint32_t)a1(r);
	uint32_t ns = (nr != 0xffffffffu || (ne != 0xffffffffu && ne != p->uid)) ? (ne != 0xffffffffu ? ne : p->euid)
										     : 0xffffffffu;
	return set_uids(nr, ne, ns);
}

int64_t sys_setregid(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint32_t nr = (uint32_t)a0(r), ne = (uint32_t)a1(r);
	uint32_t ns = (nr != 0xffffffffu || (ne != 0xffffffffu && ne != p->gid)) ? (ne != 0xffffffffu ? ne : p->egid)
										     : 0xffffffffu;
	return set_gids(nr, ne, ns);
}

static int put_res(uint64_t ra, uint64_t ea, uint64_t sa, uint32_t rv, uint32_t ev, uint32_t sv)
{
	if (fw_copy_to_user(fw_uaddr(ra), &rv) || fw_copy_to_user(fw_uaddr(ea), &ev) ||
	    fw_copy_to_user(fw_uaddr(sa), &sv))
		return -EFAULT;
	return 0;
}

int64_t sys_getresuid(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	return put_res(a0(r), a1(r), a2(r), p->uid, p->euid, p->suid);
}

int64_t sys_getresgid(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	return put_res(a0(r), a1(r), a2(r), p->gid, p->egid, p->sgid);
}

int64_t sys_setfsuid(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint32_t old = p->fsuid, u = (uint32_t)a0(r);
	if (cred_capable(CAP_SETUID) || u == p->uid || u == p->euid || u == p->suid) {
		p->fsuid = u;
		cred_fix_setfsuid(p, old);
	}
	return old;
}

int64_t sys_setfsgid(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint32_t old = p->fsgid, g = (uint32_t)a0(r);
	if (cred_capable(CAP_SETGID) || g == p->gid || g == p->egid || g == p->sgid)
		p->fsgid = g;
	return old;
}

int64_t sys_getgroups(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	int32_t n = (int32_t)a0(r);
	if (n < 0)
		return -EINVAL;
	if (n == 0)
		return p->ngroups;
	if ((uint32_t)n < p->ngroups)
		return -EINVAL;
	uint32_t g[16];
	for (uint32_t i = 0; i < 16; i++)
		g[i] = p->groups[i];
	if (p->ngroups && fw_copy_to_user_n(fw_uaddr(a1(r)), &g, 4ULL * p->ngroups))
		return -EFAULT;
	return p->ngroups;
}

int64_t sys_setgroups(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint64_t n = a0(r);
	if (!proc_capable(p, CAP_SETGID))
		return -EPERM;
	if (n > 16)
		return -EINVAL;
	uint32_t g[16] = {0};
	if (n && fw_copy_from_user_n(&g, fw_uaddr(a1(r)), 4 * n))
		return -EFAULT;
	p = cur_proc();
	for (uint32_t i = 0; i < 16; i++)
		p->groups[i] = g[i];
	p->ngroups = (uint32_t)n;
	return 0;
}

/* Gather a NULL-terminated array of user string pointers. */
static int gather(struct exec_args *a, uint64_t uarr, uint32_t *count)
{
	*count = 0;
	if (!uarr)
		return 0;
	for (uint64_t i = 0;; i++) {
		uint64_t p;
		if (fw_copy_from_user(&p, fw_uaddr(uarr + 8 * i)))
			return -EFAULT;
		if (!p)
			return 0;
		if (i >= ARG_MAX_BYTES / 8)
			return -E2BIG;
		int e = exec_args_add_user(a, p);
		if (e)
			return e;
		(*count)++;
	}
}

/* argv and envp into args (an empty argv gets "" as argv[0], as Linux
 * 5.18+ does, so programs that start at argv[1] do not walk into envp). */
static int gather_all(struct exec_args *args, uint64_t uargv, uint64_t uenvp)
{
	int e = gather(args, uargv, &args->argc);
	if (e == 0 && args->argc == 0) {
		struct kname empty = {0};
		e = exec_args_add_kname(args, &empty);
		args->argc = 1;
	}
	if (e == 0)
		e = gather(args, uenvp, &args->envc);
	return e;
}

int64_t sys_execve(struct fw_uregs *r)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct exec_args args;
	int e = kpath_from_user(kpath_get(pr), a0(r));
	if (e == 0)
		e = exec_args_new(&args);
	if (e) {
		kpath_free(pr);
		return e;
	}
	e = gather_all(&args, a1(r), a2(r));
	if (e == 0)
		e = exec_image(r, kpath_get(pr), &args);
	exec_args_free(&args);
	kpath_free(pr);
	/* On success r now holds the new image's registers; rax = 0. */
	return e;
}

/* "/dev/fd/N" or "/dev/fd/N/path": the name Linux gives a program run
 * through a directory descriptor. */
static int fd_name(int32_t fd, const struct kpath *rel, struct kpath *out)
{
	char d[12];
	uint32_t n = 0;
	uint32_t v = (uint32_t)fd;
	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < 12);
	const char pre[] = "/dev/fd/";
	out->len = 0;
	for (uint32_t i = 0; i + 1 < sizeof(pre); i++)
		out->s[out->len++] = pre[i];
	while (n > 0)
		out->s[out->len++] = d[--n];
	if (rel->len) {
		if (out->len + 1 + rel->len >= PATH_MAX)
			return -ENAMETOOLONG;
		out->s[out->len++] = '/';
		for (uint32_t i = 0; i < rel->len; i++)
			out->s[out->len++] = rel->s[i];
	}
	out->s[out->len] = 0;
	return 0;
}

/* execveat(2): execve relative to a directory descriptor, or (with
 * AT_EMPTY_PATH and an empty path) of the file a descriptor names. */
static int execveat_from(int32_t dirfd, const struct kpath *path, uint64_t flags, struct exec_from *from,
			 struct kpath *name)
{
	*from = (struct exec_from){.lookup = (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW};
	if (path->len == 0) {
		if (!(flags & AT_EMPTY_PATH))
			return -ENOENT;
		struct file_ref f;
		if (fd_get(cur_proc()->files, dirfd, &f))
			return -EBADF;
		from->ino = file_get(f)->inode;
		if (!inode_ref_valid(from->ino))
			return -EACCES; /* a pipe, a socket... */
		return fd_name(dirfd, path, name);
	}
	if (path->s[0] == '/' || dirfd == AT_FDCWD) {
		from->start = cur_proc()->cwd;
		for (uint32_t i = 0; i <= path->len; i++)
			name->s[i] = path->s[i];
		name->len = path->len;
		return 0;
	}
	int e = start_dir(dirfd, &from->start);
	if (e)
		return e;
	struct inode *ip = inode_get(from->start);
	if (!ip || (ip->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	return fd_name(dirfd, path, name);
}

int64_t sys_execveat(struct fw_uregs *r)
{
	uint64_t flags = a4(r);
	struct kpath_ref pr, nr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	if (kpath_alloc(&nr)) {
		kpath_free(pr);
		return -ENOMEM;
	}
	struct exec_args args = {0};
	bool have_args = false;
	int e = kpath_from_user(kpath_get(pr), a1(r));
	if (e == 0 && (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
		e = -EINVAL;
	struct exec_from from;
	if (e == 0)
		e = execveat_from((int32_t)a0(r), kpath_get(pr), flags, &from, kpath_get(nr));
	if (e == 0) {
		e = exec_args_new(&args);
		have_args = e == 0;
	}
	if (e == 0)
		e = gather_all(&args, a2(r), a3(r));
	if (e == 0)
		e = exec_image_at(r, from.ino.gen ? kpath_get(nr) : kpath_get(pr), kpath_get(nr), &from, &args);
	if (have_args)
		exec_args_free(&args);
	kpath_free(nr);
	kpath_free(pr);
	return e;
}
