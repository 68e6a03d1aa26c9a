/* ptrace(2): request decoding. Layer: services (safe C). The relation and
 * the stops live in proc/ptrace.c; this file checks each request as Linux
 * does (ESRCH unless the caller traces a stopped tracee, EIO for a bad
 * request, signal or user-area offset, EFAULT for a bad buffer) and moves
 * data between the tracer and the stopped tracee's register copy, siginfo
 * and memory (mm/access.c). */
#include "syscall/syscall.h"
#include "proc/ptrace.h"
#include "proc/signal.h"

#define PTRACE_TRACEME 0
#define PTRACE_PEEKTEXT 1
#define PTRACE_PEEKDATA 2
#define PTRACE_PEEKUSR 3
#define PTRACE_POKETEXT 4
#define PTRACE_POKEDATA 5
#define PTRACE_POKEUSR 6
#define PTRACE_CONT 7
#define PTRACE_KILL 8
#define PTRACE_SINGLESTEP 9
#define PTRACE_GETREGS 12
#define PTRACE_SETREGS 13
#define PTRACE_GETFPREGS 14
#define PTRACE_SETFPREGS 15
#define PTRACE_ATTACH 16
#define PTRACE_DETACH 17
#define PTRACE_SYSCALL 24
#define PTRACE_SYSEMU 31
#define PTRACE_SYSEMU_SINGLESTEP 32
#define PTRACE_SETOPTIONS 0x4200
#define PTRACE_GETEVENTMSG 0x4201
#define PTRACE_GETSIGINFO 0x4202
#define PTRACE_SETSIGINFO 0x4203
#define PTRACE_GETREGSET 0x4204
#define PTRACE_SETREGSET 0x4205
#define PTRACE_SEIZE 0x4206
#define PTRACE_INTERRUPT 0x4207
#define PTRACE_LISTEN 0x4208
#define PTRACE_PEEKSIGINFO 0x4209
#define PTRACE_GETSIGMASK 0x420a
#define PTRACE_SETSIGMASK 0x420b
#define PTRACE_GET_SYSCALL_INFO 0x420e

#define NT_PRSTATUS 1
#define NT_PRFPREG 2

#define USER_REGS_WORDS 27
#define USER_SIZE 928          /* sizeof(struct user) of the x86-64 kernel */
#define USER_DEBUGREG_OFF 848  /* offsetof(struct user, u_debugreg) */
#define LINUX_USER_CS 0x33
#define LINUX_USER_SS 0x2b
#define TASK_SIZE_MAX 0x7ffffffff000ULL
#define FLAG_MASK 0x254dd5ULL

/* struct user_regs_struct, word by word. */
enum ureg {
	UR_R15, UR_R14, UR_R13, UR_R12, UR_RBP, UR_RBX, UR_R11, UR_R10, UR_R9, UR_R8, UR_RAX, UR_RCX, UR_RDX,
	UR_RSI, UR_RDI, UR_ORIG_RAX, UR_RIP, UR_CS, UR_EFLAGS, UR_RSP, UR_SS, UR_FS_BASE, UR_GS_BASE, UR_DS,
	UR_ES, UR_FS, UR_GS
};

struct user_regs_k {
	uint64_t w[USER_REGS_WORDS];
};

static uint64_t getreg(const struct ptlink *l, uint32_t i)
{
	const struct fw_uregs *r = &l->regs;
	switch (i) {
	case UR_R15: return r->r15;
	case UR_R14: return r->r14;
	case UR_R13: return r->r13;
	case UR_R12: return r->r12;
	case UR_RBP: return r->rbp;
	case UR_RBX: return r->rbx;
	case UR_R11: return r->r11;
	case UR_R10: return r->r10;
	case UR_R9: return r->r9;
	case UR_R8: return r->r8;
	case UR_RAX: return r->rax;
	case UR_RCX: return r->rcx;
	case UR_RDX: return r->rdx;
	case UR_RSI: return r->rsi;
	case UR_RDI: return r->rdi;
	case UR_ORIG_RAX: return l->orig_rax;
	case UR_RIP: return r->rip;
	case UR_CS: return LINUX_USER_CS;
	case UR_EFLAGS: return r->rflags;
	case UR_RSP: return r->rsp;
	case UR_SS: return LINUX_USER_SS;
	case UR_FS_BASE: return l->fs_base;
	default: return 0; /* gs base and the data selectors: 0 in 64-bit mode */
	}
}

static bool bad_selector(uint64_t v) { return v != 0 && (v & 3) != 3; }

/* Linux's putreg: -EIO for a value the register cannot take. */
static int putreg(struct ptlink *l, uint32_t i, uint64_t v)
{
	struct fw_uregs *r = &l->regs;
	switch (i) {
	case UR_R15: r->r15 = v; return 0;
	case UR_R14: r->r14 = v; return 0;
	case UR_R13: r->r13 = v; return 0;
	case UR_R12: r->r12 = v; return 0;
	case UR_RBP: r->rbp = v; return 0;
	case UR_RBX: r->rbx = v; return 0;
	case UR_R11: r->r11 = v; return 0;
	case UR_R10: r->r10 = v; return 0;
	case UR_R9: r->r9 = v; return 0;
	case UR_R8: r->r8 = v; return 0;
	case UR_RAX: r->rax = v; return 0;
	case UR_RCX: r->rcx = v; return 0;
	case UR_RDX: r->rdx = v; return 0;
	case UR_RSI: r->rsi = v; return 0;
	case UR_RDI: r->rdi = v; return 0;
	case UR_ORIG_RAX: l->orig_rax = v; return 0;
	case UR_RIP: r->rip = v; return 0;
	case UR_EFLAGS: r->rflags = (r->rflags & ~FLAG_MASK) | (v & FLAG_MASK); return 0;
	case UR_RSP: r->rsp = v; return 0;
	case UR_FS_BASE: {
		if (v >= TASK_SIZE_MAX)
			return -EIO;
		l->fs_base = v;
		return 0;
	}
	case UR_GS_BASE:
		return v == 0 ? 0 : -EIO; /* Keel keeps no user gs base */
	case UR_CS:
	case UR_SS:
		/* the framework forces the user selectors on every return */
		return v == 0 || bad_selector(v) ? -EIO : 0;
	default:
		return bad_selector(v) ? -EIO : 0;
	}
}

static void get_all(const struct ptlink *l, struct user_regs_k *u)
{
	for (uint32_t i = 0; i < USER_REGS_WORDS; i++)
		u->w[i] = getreg(l, i);
}

static int set_all(struct ptlink *l, const struct user_regs_k *u)
{
	for (uint32_t i = 0; i < USER_REGS_WORDS; i++) {
		int e = putreg(l, i, u->w[i]);
		if (e)
			return e;
	}
	return 0;
}

static struct mm_ref tracee_mm(const struct ptlink *l)
{
	struct proc *p = proc_get(l->tracee_proc);
	return p ? p->mm : (struct mm_ref){0, 0};
}

static int64_t peek_user(const struct ptlink *l, uint64_t off, uint64_t data)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	uint64_t v = 0; /* every other field of struct user reads 0, debug registers too */
	if (off < USER_REGS_WORDS * 8)
		v = getreg(l, (uint32_t)(off / 8));
	return fw_copy_to_user(fw_uaddr(data), &v) ? -EFAULT : 0;
}

static int64_t poke_user(struct ptlink *l, uint64_t off, uint64_t v)
{
	if ((off & 7) || off >= USER_SIZE)
		return -EIO;
	if (off < USER_REGS_WORDS * 8)
		return putreg(l, (uint32_t)(off / 8), v);
	if (off >= USER_DEBUGREG_OFF)
		return v == 0 ? 0 : -EIO; /* no hardware breakpoints: only clearing them */
	return -EIO;
}

static int64_t peek_mem(const struct ptlink *l, uint64_t addr, uint64_t data)
{
	uint64_t v;
	struct mm_ref m = tracee_mm(l);
	mm_hold(m);
	int e = mm_peek_word(m, addr, &v);
	mm_put(m);
	if (e)
		return -EIO;
	return fw_copy_to_user(fw_uaddr(data), &v) ? -EFAULT : 0;
}

static int64_t poke_mem(const struct ptlink *l, uint64_t addr, uint64_t v)
{
	struct mm_ref m = tracee_mm(l);
	mm_hold(m);
	int e = mm_poke_word(m, addr, v);
	mm_put(m);
	return e ? -EIO : 0;
}

struct iovec_k {
	uint64_t base, len;
};

/* GETFPREGS/SETFPREGS (and NT_PRFPREG): the FXSAVE image the tracee saved
 * when it stopped; a new one must have no reserved MXCSR bit (EINVAL, as
 * Linux) and is loaded when the tracee resumes. */
static bool fxsave_ok(const struct fw_fxsave *f)
{
	return (f->b[26] | f->b[27]) == 0; /* MXCSR (bytes 24-27) bits 16-31 */
}

static int64_t fpregs(struct ptlink *l, uint64_t uaddr, uint64_t n, bool set)
{
	if (!set)
		return fw_copy_to_user_n(fw_uaddr(uaddr), &l->fpu, n) ? -EFAULT : 0;
	struct fw_fxsave f = l->fpu;
	if (fw_copy_from_user_n(&f, fw_uaddr(uaddr), n))
		return -EFAULT;
	if (!fxsave_ok(&f))
		return -EINVAL;
	l->fpu = f;
	l->fpu_dirty = true;
	return 0;
}

static int64_t regset(struct ptlink *l, uint64_t type, uint64_t uiov, bool set)
{
	struct iovec_k iov;
	if (fw_copy_from_user(&iov, fw_uaddr(uiov)))
		return -EFAULT;
	if ((type != NT_PRSTATUS && type != NT_PRFPREG) || iov.len % 8)
		return -EINVAL;
	if (type == NT_PRFPREG) {
		uint64_t k = FW_MIN(iov.len, (uint64_t)sizeof(l->fpu));
		int64_t e = fpregs(l, iov.base, k, set);
		if (e)
			return e;
		iov.len = k;
		return fw_copy_to_user(fw_uaddr(uiov), &iov) ? -EFAULT : 0;
	}
	struct user_regs_k u;
	get_all(l, &u);
	uint64_t n = FW_MIN(iov.len, (uint64_t)sizeof(u));
	if (set) {
		if (fw_copy_from_user_n(&u, fw_uaddr(iov.base), n))
			return -EFAULT;
		int e = set_all(l, &u);
		if (e)
			return e;
	} else if (fw_copy_to_user_n(fw_uaddr(iov.base), &u, n)) {
		return -EFAULT;
	}
	iov.len = n;
	return fw_copy_to_user(fw_uaddr(uiov), &iov) ? -EFAULT : 0;
}

/* struct ptrace_syscall_info */
#define PTRACE_SYSCALL_INFO_NONE 0
#define PTRACE_SYSCALL_INFO_ENTRY 1
#define PTRACE_SYSCALL_INFO_EXIT 2
#define AUDIT_ARCH_X86_64 0xc000003eU

struct syscall_info_k {
	uint8_t op;
	uint8_t pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	uint64_t u[7]; /* entry: nr, args[6]; exit: rval, is_error */
};

static int64_t syscall_info(const struct ptlink *l, uint64_t size, uint64_t data)
{
	struct syscall_info_k si = {0};
	si.arch = AUDIT_ARCH_X86_64;
	si.ip = l->regs.rip;
	si.sp = l->regs.rsp;
	uint64_t n = 24; /* op, arch, ip, sp */
	if (l->stop_kind == PT_STOP_SC_ENTER) {
		si.op = PTRACE_SYSCALL_INFO_ENTRY;
		const struct fw_uregs *r = &l->regs;
		si.u[0] = l->orig_rax;
		si.u[1] = r->rdi, si.u[2] = r->rsi, si.u[3] = r->rdx;
		si.u[4] = r->r10, si.u[5] = r->r8, si.u[6] = r->r9;
		n += 56;
	} else if (l->stop_kind == PT_STOP_SC_EXIT) {
		si.op = PTRACE_SYSCALL_INFO_EXIT;
		int64_t rv = (int64_t)l->regs.rax;
		si.u[0] = (uint64_t)rv;
		si.u[1] = rv < 0 && rv >= -4095 ? 1 : 0;
		n += 9;
	}
	uint64_t k = FW_MIN(size, n);
	if (k && fw_copy_to_user_n(fw_uaddr(data), &si, k))
		return -EFAULT;
	return (int64_t)n;
}

static int64_t set_options(struct ptlink *l, uint64_t data)
{
	if (data & ~(uint64_t)PTRACE_O_MASK)
		return -EINVAL;
	if ((data & PTRACE_O_SUSPEND_SECCOMP) && !cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	l->options = (uint32_t)data;
	return 0;
}

static int64_t resume_req(struct ptlink_ref lr, int64_t req, uint64_t data)
{
	if (data > NSIG)
		return -EIO;
	uint32_t mode = req == PTRACE_SYSCALL ? PT_RESUME_SYSCALL
			: req == PTRACE_SINGLESTEP ? PT_RESUME_STEP
			: req == PTRACE_SYSEMU ? PT_RESUME_SYSEMU
			: req == PTRACE_SYSEMU_SINGLESTEP ? PT_RESUME_SYSEMU_STEP
			: PT_RESUME_CONT;
	return ptrace_resume(lr, mode, (int32_t)data);
}

static int64_t siginfo_req(struct ptlink *l, int64_t req, uint64_t data)
{
	if (!l->has_siginfo)
		return -EINVAL;
	if (req == PTRACE_GETSIGINFO)
		return fw_copy_to_user(fw_uaddr(data), &l->si) ? -EFAULT : 0;
	struct linux_siginfo si;
	if (fw_copy_from_user(&si, fw_uaddr(data)))
		return -EFAULT;
	l->si = si;
	return 0;
}

static int64_t sigmask_req(struct ptlink *l, int64_t req, uint64_t size, uint64_t data)
{
	struct thread *t = thread_get(l->tracee);
	if (!t)
		return -ESRCH;
	if (size != 8)
		return -EINVAL;
	uint64_t m = t->sig_mask;
	if (req == PTRACE_GETSIGMASK)
		return fw_copy_to_user(fw_uaddr(data), &m) ? -EFAULT : 0;
	if (fw_copy_from_user(&m, fw_uaddr(data)))
		return -EFAULT;
	t = thread_get(l->tracee);
	if (t)
		t->sig_mask = m & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	return 0;
}

struct peeksiginfo_args {
	uint64_t off;
	uint32_t flags;
	int32_t nr;
};
#define PEEKSIGINFO_SHARED 1

/* PTRACE_PEEKSIGINFO: copy pending signals' siginfo, from the off-th on;
 * the count copied, or the error when none was. */
static int64_t peek_siginfo(const struct ptlink *l, uint64_t uargs, uint64_t data)
{
	struct peeksiginfo_args a;
	if (fw_copy_from_user(&a, fw_uaddr(uargs)))
		return -EFAULT;
	if ((a.flags & ~(uint32_t)PEEKSIGINFO_SHARED) || a.nr < 0)
		return -EINVAL;
	struct thread_ref tr = l->tracee;
	int32_t i = 0;
	for (; i < a.nr; i++) {
		int sig;
		struct sig_info_k info;
		if (a.off + (uint64_t)i < a.off ||
		    signal_peek_pending(tr, (a.flags & PEEKSIGINFO_SHARED) != 0, a.off + (uint64_t)i, &sig, &info))
			break;
		struct linux_siginfo si;
		signal_fill_siginfo(&si, sig, &info);
		if (fw_copy_to_user(fw_uaddr(data + (uint64_t)i * sizeof(si)), &si))
			return i ? i : -EFAULT;
	}
	return i;
}

/* Requests on a stopped tracee the caller traces. */
static int64_t stopped_req(struct ptlink_ref lr, int64_t req, uint64_t addr, uint64_t data)
{
	struct ptlink *l = ptlink_get(lr);
	switch (req) {
	case PTRACE_PEEKTEXT:
	case PTRACE_PEEKDATA:
		return peek_mem(l, addr, data);
	case PTRACE_POKETEXT:
	case PTRACE_POKEDATA:
		return poke_mem(l, addr, data);
	case PTRACE_PEEKUSR:
		return peek_user(l, addr, data);
	case PTRACE_POKEUSR:
		return poke_user(l, addr, data);
	case PTRACE_GETREGS: {
		struct user_regs_k u;
		get_all(l, &u);
		return fw_copy_to_user(fw_uaddr(data), &u) ? -EFAULT : 0;
	}
	case PTRACE_SETREGS: {
		struct user_regs_k u;
		if (fw_copy_from_user(&u, fw_uaddr(data)))
			return -EFAULT;
		return set_all(ptlink_get(lr), &u);
	}
	case PTRACE_GETFPREGS:
	case PTRACE_SETFPREGS:
		return fpregs(l, data, sizeof(l->fpu), req == PTRACE_SETFPREGS);
	case PTRACE_GETREGSET:
	case PTRACE_SETREGSET:
		return regset(l, addr, data, req == PTRACE_SETREGSET);
	case PTRACE_GETSIGINFO:
	case PTRACE_SETSIGINFO:
		return siginfo_req(l, req, data);
	case PTRACE_PEEKSIGINFO:
		return peek_siginfo(l, addr, data);
	case PTRACE_GETSIGMASK:
	case PTRACE_SETSIGMASK:
		return sigmask_req(l, req, addr, data);
	case PTRACE_GETEVENTMSG: {
		uint64_t m = l->eventmsg;
		return fw_copy_to_user(fw_uaddr(data), &m) ? -EFAULT : 0;
	}
	case PTRACE_SETOPTIONS:
		return set_options(l, data);
	case PTRACE_GET_SYSCALL_INFO:
		return syscall_info(l, addr, data);
	case PTRACE_CONT:
	case PTRACE_SYSCALL:
	case PTRACE_SINGLESTEP:
	case PTRACE_SYSEMU:
	case PTRACE_SYSEMU_SINGLESTEP:
		return resume_req(lr, req, data);
	case PTRACE_DETACH:
		return data > NSIG ? -EIO : ptrace_detach(lr, (int32_t)data);
	case PTRACE_LISTEN:
		return ptrace_listen(lr);
	default:
		return -EIO;
	}
}

static int64_t attach_req(int64_t req, int32_t pid, uint64_t addr, uint64_t data)
{
	bool seize = req == PTRACE_SEIZE;
	if (seize && (addr != 0 || (data & ~(uint64_t)PTRACE_O_MASK)))
		return -EIO;
	struct thread_ref tr = pid > 0 ? pid_lookup(pid) : (struct thread_ref){0, 0};
	if (!thread_get(tr)) /* a process with no user thread (the reaper, pid 1) is a kernel thread's: EPERM */
		return pid > 0 && proc_get(proc_by_pid(pid)) ? -EPERM : -ESRCH;
	return ptrace_attach(tr, seize, seize ? (uint32_t)data : 0);
}

int64_t sys_ptrace(struct fw_uregs *r)
{
	int64_t req = (int64_t)a0(r);
	int32_t pid = (int32_t)a1(r);
	uint64_t addr = a2(r), data = a3(r);
	if (req == PTRACE_TRACEME)
		return ptrace_traceme();
	if (req == PTRACE_ATTACH || req == PTRACE_SEIZE)
		return attach_req(req, pid, addr, data);
	bool any_state = req == PTRACE_KILL || req == PTRACE_INTERRUPT;
	struct ptlink_ref lr;
	int e = ptrace_traced_by_me(pid, any_state, &lr);
	if (e)
		return e;
	if (req == PTRACE_KILL) {
		proc_kill(ptlink_get(lr)->tracee_proc, SIGKILL);
		return 0;
	}
	if (req == PTRACE_INTERRUPT)
		return ptrace_interrupt(lr);
	return stopped_req(lr, req, addr, data);
}
