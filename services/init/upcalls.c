/* The services' side of the upcall interface (<fw/upcall.h>): what the
 * framework calls on system calls, user exceptions, faults inside user
 * copies and returns to user mode. Layer: services (safe C). */
#include "init/init.h"
#include "proc/signal.h"
#include "proc/ptrace.h"
#include "proc/seccomp.h"
#include "syscall/syscall.h"
#include <fw/upcall.h>

/* A fault inside a kernel user copy cannot sleep (<fw/upcall.h>), so a
 * file page that must come from the disk fails the copy (-EFAULT) and is
 * noted; when the system call then fails with -EFAULT it is run again
 * (same registers) after the page was read here, in thread
 * context. Keel's system calls copy before they commit (a failed copy
 * changes nothing), so the rerun sees the same state; one that made
 * progress before the fault returns that progress (a short count), as it
 * would for any fault, and is not rerun. */
#define COPY_FAULT_RERUNS 64

static bool copy_fault_resolved(struct fw_uregs *regs)
{
	if ((int64_t)regs->rax != -EFAULT)
		return false; /* the common case costs one compare; a note left by a
			       * call that returned progress is harmless: it can only
			       * make a later -EFAULT read a page and rerun once */
	struct thread *t = cur_thread();
	if (!t || !t->copy_fault_pending)
		return false;
	t->copy_fault_pending = false;
	struct proc *p = cur_proc();
	int32_t code;
	return p && mm_fault(p->mm, t->copy_fault_addr, t->copy_fault_write, false, &code) == 0;
}

/* Threads with work at system call entry (proc_entry_work_add). */
struct entry_work {
	uint32_t threads;
};
FW_GLOBAL(struct entry_work, entry_work);

void proc_entry_work_add(int32_t delta) { entry_work()->threads += (uint32_t)delta; }

/* The work at system call entry after ptrace's syscall-enter stop
 * (traced_syscall): seccomp. True: skip the call (regs->rax holds its
 * result). */
static bool syscall_entry_work(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	if (!t)
		return false;
	return seccomp_syscall_enter(regs, t);
}

static void run_syscall(struct fw_uregs *regs)
{
	uint64_t nr = regs->rax;
	if (entry_work()->threads && syscall_entry_work(regs))
		return;
	for (uint32_t run = 0;; run++) {
		syscall_dispatch_table(regs);
		if (!copy_fault_resolved(regs) || run >= COPY_FAULT_RERUNS)
			break;
		regs->rax = nr; /* a system call changes no other register when it fails */
	}
}

/* A traced thread's call: syscall-enter-stop (the tracer may change or
 * skip the call), the call, syscall-exit-stop. Linux order: the ptrace
 * stop comes before any other entry work (seccomp). */
static uint64_t traced_syscall(struct fw_uregs *regs)
{
	uint64_t nr = regs->rax;
	if (ptrace_syscall_entry(regs))
		run_syscall(regs);
	struct ptlink *l = ptrace_link_of(cur_thread());
	if (l && l->in_syscall)
		nr = l->orig_rax;
	ptrace_syscall_exit(regs);
	return nr;
}

static void svc_syscall(struct fw_uregs *regs)
{
	uint64_t nr = regs->rax;
	if (ptrace_any()) /* the one check untraced calls pay */
		nr = traced_syscall(regs);
	else
		run_syscall(regs);
	/* -ERESTARTSYS is resolved at signal delivery (restart or -EINTR). */
	signal_syscall_done(regs, nr);
}

static int fault_signal(const struct fw_fault *f, int32_t *code)
{
	*code = 0;
	switch (f->vector) {
	case 0:
		*code = 1; /* FPE_INTDIV */
		return SIGFPE;
	case 16:
	case 19:
		return SIGFPE;
	case 1:
		*code = 0x80; /* SI_KERNEL; a single step is TRAP_TRACE (below) */
		return SIGTRAP;
	case 3:
		*code = 0x80; /* SI_KERNEL */
		return SIGTRAP;
	case 6:
		*code = 2; /* ILL_ILLOPN */
		return SIGILL;
	case 17:
		return SIGBUS;
	default:
		*code = 0x80;
		return SIGSEGV;
	}
}

static void svc_user_fault(struct fw_uregs *regs, const struct fw_fault *fault)
{
	struct proc *p = cur_proc();
	if (fault->vector == 14) {
		int32_t code;
		bool write = (fault->error & 2) != 0, exec = (fault->error & 16) != 0;
		int e = mm_fault(p->mm, fault->addr, write, exec, &code);
		if (e == 0)
			return;
		signal_force_fault(regs, e == -EIO ? SIGBUS : SIGSEGV, code, fault->addr);
		return;
	}
	int32_t code;
	int sig = fault_signal(fault, &code);
	if (fault->vector == 1 && (regs->rflags & 0x100))
		code = 2; /* TRAP_TRACE: rflags.TF stepped one instruction */
	if (ptrace_any())
		ptrace_user_fault();
	signal_force_fault(regs, sig, code, fault->vector == 13 ? 0 : fault->addr);
}

static int svc_resolve_user_fault(uint64_t addr, bool write)
{
	struct proc *p = cur_proc();
	if (!p)
		return -EFAULT;
	int32_t code;
	int e = mm_fault_nowait(p->mm, addr, write, &code);
	if (e == -EAGAIN) {
		struct thread *t = cur_thread();
		if (t) {
			t->copy_fault_pending = true;
			t->copy_fault_addr = addr;
			t->copy_fault_write = write;
		}
	}
	return e ? -EFAULT : 0;
}

static void svc_return_to_user(struct fw_uregs *regs)
{
	struct thread *t = cur_thread();
	if (!t)
		return;
	if (t->boot_exec) {
		boot_exec_current(regs);
		t = cur_thread();
	}
	signal_return_to_user(regs, t);
}

static const struct fw_upcalls svc_upcalls = {
	.syscall = svc_syscall,
	.user_fault = svc_user_fault,
	.resolve_user_fault = svc_resolve_user_fault,
	.return_to_user = svc_return_to_user,
};

int upcalls_register(void) { return fw_upcalls_register(&svc_upcalls); }
