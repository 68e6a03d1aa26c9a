/* seccomp modes, filter attachment (stacking, TSYNC) and the check at
 * system call entry. Layer: services (safe C). Trusts: proc (threads,
 * signals, exit paths) and proc/seccomp_bpf.c for verified programs.
 *
 * The entry check runs only for threads counted in the system call entry
 * work (proc_entry_work_add): an unfiltered system pays one load and a
 * compare per call (init/upcalls.c). */
#include "proc/seccomp.h"
#include "proc/signal.h"
#include <fw/log.h>
#include <fw/user.h>

#define SYS_READ 0
#define SYS_WRITE 1
#define SYS_RT_SIGRETURN 15
#define SYS_EXIT 60
#define MAX_ERRNO 4095

#define FILTER_FLAGS                                                                                       \
	(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |             \
	 SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_TSYNC_ESRCH |                              \
	 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

/* struct sock_fprog */
struct sock_fprog_k {
	uint16_t len;
	uint16_t pad[3];
	uint64_t filter;
};

static void set_mode(struct thread *t, uint8_t mode)
{
	if (t->seccomp_mode == SECCOMP_MODE_DISABLED && mode != SECCOMP_MODE_DISABLED)
		proc_entry_work_add(1);
	t->seccomp_mode = mode;
}

int seccomp_mode_of(const struct thread *t) { return t->seccomp_mode == SECCOMP_MODE_DEAD ? 2 : t->seccomp_mode; }

uint32_t seccomp_nfilters_of(const struct thread *t) { return t->seccomp_nfilters; }

void seccomp_inherit(struct thread *child, const struct thread *parent)
{
	child->no_new_privs = parent->no_new_privs;
	if (parent->seccomp_mode == SECCOMP_MODE_DISABLED)
		return;
	seccomp_filter_hold(parent->seccomp_filter);
	child->seccomp_filter = parent->seccomp_filter;
	child->seccomp_nfilters = parent->seccomp_nfilters;
	set_mode(child, parent->seccomp_mode);
}

void seccomp_thread_exit(struct thread *t)
{
	if (t->seccomp_mode != SECCOMP_MODE_DISABLED)
		proc_entry_work_add(-1);
	t->seccomp_mode = SECCOMP_MODE_DISABLED;
	struct seccomp_filter_ref f = t->seccomp_filter;
	t->seccomp_filter = (struct seccomp_filter_ref){0};
	t->seccomp_nfilters = 0;
	seccomp_filter_put(f);
}

int64_t seccomp_set_strict(void)
{
	struct thread *t = cur_thread();
	if (t->seccomp_mode != SECCOMP_MODE_DISABLED && t->seccomp_mode != SECCOMP_MODE_STRICT)
		return -EINVAL;
	set_mode(t, SECCOMP_MODE_STRICT);
	return 0;
}

static bool same_filter(struct seccomp_filter_ref a, struct seccomp_filter_ref b)
{
	return a.idx == b.idx && a.gen == b.gen;
}

/* Is `older` (none: yes) in the chain that ends at `newest`? */
static bool is_ancestor(struct seccomp_filter_ref older, struct seccomp_filter_ref newest)
{
	if (!seccomp_filter_valid(older))
		return true;
	for (struct seccomp_filter_ref f = newest; seccomp_filter_valid(f); f = seccomp_filter_prev(f))
		if (same_filter(f, older))
			return true;
	return false;
}

static bool same_thread(struct thread_ref a, struct thread_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* TSYNC is possible when every other thread is unfiltered or runs a
 * prefix of the caller's chain; else the tid of the first that is not. */
static int32_t tsync_blocker(struct proc *p, struct thread_ref me)
{
	struct thread *mt = thread_get(me);
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		struct thread *t = thread_get(c);
		if (same_thread(c, me) || t->seccomp_mode == SECCOMP_MODE_DISABLED)
			continue;
		if (t->seccomp_mode == SECCOMP_MODE_FILTER && is_ancestor(t->seccomp_filter, mt->seccomp_filter))
			continue;
		return t->tid;
	}
	return 0;
}

static void tsync(struct proc *p, struct thread_ref me)
{
	for (struct thread_ref c = p->first_thread; thread_ref_valid(c); c = thread_get(c)->next_in_proc) {
		if (same_thread(c, me))
			continue;
		struct thread *mt = thread_get(me);
		struct thread *t = thread_get(c);
		struct seccomp_filter_ref old = t->seccomp_filter;
		seccomp_filter_hold(mt->seccomp_filter);
		t->seccomp_filter = mt->seccomp_filter;
		t->seccomp_nfilters = mt->seccomp_nfilters;
		if (mt->no_new_privs)
			t->no_new_privs = true;
		if (t->seccomp_mode == SECCOMP_MODE_DISABLED)
			set_mode(t, SECCOMP_MODE_FILTER);
		seccomp_filter_put(old);
	}
}

/* May the caller attach a filter without no_new_privs? Linux asks for
 * CAP_SYS_ADMIN; Keel's capabilities are those of euid 0. */
static bool may_filter_without_nnp(void) { return cur_proc()->euid == 0; }

static int64_t attach(uint32_t flags, struct seccomp_filter_ref nf)
{
	struct thread_ref me = cur_thread_ref();
	struct thread *t = thread_get(me);
	if (t->seccomp_mode != SECCOMP_MODE_DISABLED && t->seccomp_mode != SECCOMP_MODE_FILTER)
		return -EINVAL;
	uint64_t total = seccomp_filter_len(nf);
	for (struct seccomp_filter_ref f = t->seccomp_filter; seccomp_filter_valid(f); f = seccomp_filter_prev(f))
		total += seccomp_filter_len(f) + 4; /* Linux charges 4 per stacked filter */
	if (total > SECCOMP_MAX_INSNS_PER_PATH)
		return -ENOMEM;
	struct proc *p = cur_proc();
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		int32_t tid = tsync_blocker(p, me);
		if (tid)
			return (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : tid;
	}
	if (flags & SECCOMP_FILTER_FLAG_LOG)
		seccomp_filter_set_log(nf);
	t = thread_get(me);
	seccomp_filter_link(nf, t->seccomp_filter); /* the thread's reference moves to nf */
	t->seccomp_filter = nf;
	t->seccomp_nfilters++;
	set_mode(t, SECCOMP_MODE_FILTER);
	if (flags & SECCOMP_FILTER_FLAG_TSYNC)
		tsync(cur_proc(), me);
	return 0;
}

int64_t seccomp_set_filter(uint32_t flags, uint64_t ufprog)
{
	if (flags & ~FILTER_FLAGS)
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) &&
	    !(flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH))
		return -EINVAL;
	if ((flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		return -EINVAL;
	struct sock_fprog_k fp;
	if (fw_copy_from_user(&fp, fw_uaddr(ufprog)))
		return -EFAULT;
	if (fp.len == 0 || fp.len > BPF_MAXINSNS)
		return -EINVAL;
	if (!cur_thread()->no_new_privs && !may_filter_without_nnp())
		return -EACCES;
	struct seccomp_filter_ref nf;
	int err = seccomp_filter_create(fp.filter, fp.len, &nf);
	if (err)
		return err;
	/* User notification needs a listener file Keel does not have yet:
	 * refused as a kernel without the flag refuses it. */
	if (flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		seccomp_filter_put(nf);
		return -EINVAL;
	}
	int64_t r = attach(flags, nf);
	if (r)
		seccomp_filter_put(nf);
	return r;
}

/* Linux's audit record for a seccomp action (type 1326), to the kernel
 * log: kills and SECCOMP_RET_LOG always, the other actions only for a
 * filter attached with SECCOMP_FILTER_FLAG_LOG, never ALLOW. */
static void audit(const struct fw_uregs *regs, int sig, uint32_t action, bool requested)
{
	bool log;
	switch (action) {
	case SECCOMP_RET_ALLOW:
		return;
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		log = requested;
		break;
	default:
		log = true;
		break;
	}
	struct proc *p = cur_proc();
	struct thread *t = cur_thread();
	if (!log || !p || !t)
		return;
	fw_info("audit: type=1326 pid=%d comm=%.*s sig=%d arch=c000003e syscall=%d ip=0x%llx code=0x%x", t->tid,
		FW_STR(p->comm.s), sig, (int)(int32_t)regs->rax, (unsigned long long)regs->rip, action);
}

/* Kill the calling thread (Linux's do_exit with sig): the last thread
 * takes its process with it, the wait status naming sig. */
FW_NORETURN static void kill_thread(int sig)
{
	struct proc *p = cur_proc();
	if (p->nthreads <= 1)
		proc_exit_group(sig & 0x7f);
	thread_exit(0);
}

FW_NORETURN static void strict_violation(const struct fw_uregs *regs, struct thread *t)
{
	t->seccomp_mode = SECCOMP_MODE_DEAD;
	audit(regs, SIGKILL, SECCOMP_RET_KILL_THREAD, true);
	kill_thread(SIGKILL);
}

static void fill_data(const struct fw_uregs *regs, struct seccomp_data_k *d)
{
	uint64_t args[6] = {regs->rdi, regs->rsi, regs->rdx, regs->r10, regs->r8, regs->r9};
	d->w[0] = (uint32_t)regs->rax;
	d->w[1] = AUDIT_ARCH_X86_64;
	d->w[2] = (uint32_t)regs->rip;
	d->w[3] = (uint32_t)(regs->rip >> 32);
	for (uint32_t i = 0; i < 6; i++) {
		d->w[4 + 2 * i] = (uint32_t)args[i];
		d->w[5 + 2 * i] = (uint32_t)(args[i] >> 32);
	}
}

/* Run every filter, newest first; the most restrictive action wins (the
 * action compared as a signed number, KILL_PROCESS lowest), the newest
 * filter among equals. */
static uint32_t run_filters(struct seccomp_filter_ref newest, const struct seccomp_data_k *d,
			    struct seccomp_filter_ref *match)
{
	uint32_t ret = SECCOMP_RET_ALLOW;
	*match = (struct seccomp_filter_ref){0};
	for (struct seccomp_filter_ref f = newest; seccomp_filter_valid(f); f = seccomp_filter_prev(f)) {
		uint32_t cur = seccomp_filter_run(f, d);
		if ((int32_t)(cur & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL)) {
			ret = cur;
			*match = f;
		}
	}
	return ret;
}

/* PTRACE_EVENT_SECCOMP (see proc/seccomp.h). Keel has no tracer yet, so
 * no thread asks for the event: TRACE_NONE. */
int seccomp_ptrace_event(struct fw_uregs *regs, struct thread *t, uint32_t data)
{
	(void)regs;
	(void)t;
	(void)data;
	return TRACE_NONE;
}

static void send_sigsys(const struct fw_uregs *regs, uint32_t data)
{
	struct sig_info_k info = {0};
	info.code = SYS_SECCOMP;
	info.pid = (int32_t)data;                /* si_errno */
	info.status = (int32_t)(uint32_t)regs->rax; /* si_syscall */
	info.uid = AUDIT_ARCH_X86_64;            /* si_arch */
	info.value = regs->rip;                  /* si_call_addr */
	signal_force_info(SIGSYS, &info);
}

static bool filter_verdict(struct fw_uregs *regs, struct thread_ref tr, bool recheck)
{
	struct thread *t = thread_get(tr);
	struct seccomp_data_k d;
	fill_data(regs, &d);
	struct seccomp_filter_ref match;
	uint32_t ret = run_filters(t->seccomp_filter, &d, &match);
	uint32_t action = ret & SECCOMP_RET_ACTION_FULL, data = ret & SECCOMP_RET_DATA;
	bool requested = seccomp_filter_logs(match);
	switch (action) {
	case SECCOMP_RET_ALLOW:
		return false;
	case SECCOMP_RET_LOG:
		audit(regs, 0, action, true);
		return false;
	case SECCOMP_RET_ERRNO:
		audit(regs, 0, action, requested);
		regs->rax = (uint64_t)-(int64_t)(data > MAX_ERRNO ? MAX_ERRNO : data);
		return true;
	case SECCOMP_RET_TRAP:
		audit(regs, SIGSYS, action, requested);
		send_sigsys(regs, data); /* rax keeps the call number, as Linux shows the handler */
		return true;
	case SECCOMP_RET_USER_NOTIF:
		/* no listener can exist (NEW_LISTENER is refused): Linux's answer
		 * for a filter without one */
		audit(regs, 0, action, requested);
		regs->rax = (uint64_t)(int64_t)-ENOSYS;
		return true;
	case SECCOMP_RET_TRACE: {
		if (recheck)
			return false;
		audit(regs, 0, action, requested);
		int r = seccomp_ptrace_event(regs, t, data);
		if (r == TRACE_NONE)
			regs->rax = (uint64_t)(int64_t)-ENOSYS;
		if (r != TRACE_RECHECK)
			return true;
		return filter_verdict(regs, tr, true);
	}
	default: { /* KILL_THREAD, KILL_PROCESS and unknown actions */
		t->seccomp_mode = SECCOMP_MODE_DEAD;
		audit(regs, SIGSYS, action, true);
		if (action == SECCOMP_RET_KILL_THREAD && cur_proc()->nthreads > 1)
			thread_exit(0);
		signal_die(SIGSYS);
	}
	}
}

bool seccomp_syscall_enter(struct fw_uregs *regs, struct thread *t)
{
	switch (t->seccomp_mode) {
	case SECCOMP_MODE_DISABLED:
		return false;
	case SECCOMP_MODE_STRICT: {
		uint64_t nr = regs->rax;
		if (nr == SYS_READ || nr == SYS_WRITE || nr == SYS_EXIT || nr == SYS_RT_SIGRETURN)
			return false;
		strict_violation(regs, t);
	}
	case SECCOMP_MODE_FILTER:
		return filter_verdict(regs, cur_thread_ref(), false);
	default: /* DEAD: a killed thread cannot make calls */
		kill_thread(SIGKILL);
	}
}
