/* ktests for the upcall registry (<fw/upcall.h>). Layer: framework/ktest
 * (trusted: reads the framework's copy of the table). In ktest mode no
 * services have registered, so these tests see the defaults first and
 * restore whatever was installed when they end. */
#include "internal/upcall.h"
#include "internal/arch.h"
#include "internal/cpu.h"
#include <abi/errno.h>
#include <fw/ktest.h>
#include <fw/task.h>
#include <fw/time.h>

static void probe_syscall(struct fw_uregs *regs) { regs->rax = 1; }
static void probe_syscall2(struct fw_uregs *regs) { regs->rax = 2; }
static void probe_user_fault(struct fw_uregs *regs, const struct fw_fault *f) { (void)regs, (void)f; }
static int probe_resolve(uint64_t addr, bool write) { return (void)addr, (void)write, 0; }
static void probe_return(struct fw_uregs *regs) { (void)regs; }

/* Registration is all or nothing, once, and copies the table. */
FW_KTEST(upcalls_register_once_complete_table)
{
	struct fw_upcalls before = upcalls, scratch;
	struct fw_upcalls partial = {.syscall = probe_syscall};
	FW_EXPECT(t, fw_upcalls_register(&partial) == -EINVAL);
	FW_EXPECT(t, fw_upcalls_register(NULL) == -EINVAL);
	FW_EXPECT(t, upcalls.syscall == before.syscall);
	struct fw_upcalls full = {probe_syscall, probe_user_fault, probe_resolve, probe_return};
	FW_EXPECT(t, fw_upcalls_register(&full) == 0);
	full.syscall = probe_syscall2; /* the framework kept a copy, not our pointer */
	FW_EXPECT(t, upcalls.syscall == probe_syscall);
	FW_EXPECT(t, fw_upcalls_register(&full) == -EBUSY);
	FW_EXPECT(t, upcalls.syscall == probe_syscall && upcalls.resolve_user_fault == probe_resolve);
	upcalls_swap(&before, &scratch);
}

static struct {
	bool returned;
} uf;

static void user_fault_caller(uint64_t unused)
{
	(void)unused;
	struct fw_uregs regs = {.rip = 0x401000};
	struct fw_fault f = {.vector = 6, .addr = 0x401000};
	upcalls.user_fault(&regs, &f);
	uf.returned = true; /* the default must not return: it ends the task */
	fw_task_exit();
}

/* With nothing registered, each upcall does the safe thing. */
FW_KTEST(upcalls_defaults_are_safe)
{
	struct fw_upcalls none = {0}, old;
	upcalls_swap(&none, &old);
	struct fw_uregs r = {.rax = 39};
	upcalls.syscall(&r);
	FW_EXPECT(t, (int64_t)r.rax == -ENOSYS);
	FW_EXPECT(t, upcalls.resolve_user_fault(0x1000, true) == -EFAULT);
	upcalls.return_to_user(&r);
	uf.returned = false;
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(user_fault_caller, 0, &task) == 0);
	uint64_t until = fw_time_monotonic_ns() + 1000000000ULL;
	while (fw_task_interrupt(task) == 0 && fw_time_monotonic_ns() < until)
		fw_task_yield();
	FW_EXPECT(t, fw_task_interrupt(task) == -ESRCH && !uf.returned);
	upcalls_swap(&old, &none);
}

/* The return path runs return_to_user only when asked, once per request,
 * and sanitises the frame every time. Driven from a helper kernel task
 * with a made-up user frame (it never enters user mode). */
static struct {
	uint32_t returns, faults;
	bool rerequest, done, finished;
	uint64_t cs, rflags;
} rw;

static void count_return(struct fw_uregs *regs)
{
	(void)regs;
	rw.returns++;
	if (rw.rerequest)
		fw_task_want_return_upcall(); /* must not loop: waits for the next return */
}

static void fix_fault(struct fw_uregs *regs, const struct fw_fault *f)
{
	(void)f;
	rw.faults++;
	regs->rip = 0x401000;
}

static void returner(uint64_t unused)
{
	(void)unused;
	struct trapframe tf = {.rip = 0x401000, .rsp = 0x7ff000, .cs = 0x8, .rflags = 0x3002};
	return_to_user_prepare(&tf); /* a kernel task starts with no request */
	irq_enable();
	uint32_t none = rw.returns;
	fw_task_want_return_upcall();
	return_to_user_prepare(&tf);
	irq_enable();
	uint32_t one = rw.returns;
	return_to_user_prepare(&tf);
	irq_enable();
	bool once = rw.returns == one;
	(void)fw_task_interrupt(fw_task_current());
	fw_task_clear_interrupt();
	return_to_user_prepare(&tf);
	irq_enable();
	bool by_interrupt = rw.returns == one + 1;
	rw.rerequest = true;
	fw_task_want_return_upcall();
	return_to_user_prepare(&tf);
	irq_enable();
	bool no_loop = rw.returns == one + 2;
	rw.rerequest = false;
	return_to_user_prepare(&tf); /* the request the upcall left */
	irq_enable();
	bool left = rw.returns == one + 3;
	tf.rip = 0xffffffff80000000UL;
	return_to_user_prepare(&tf); /* a kernel rip becomes the user's fault */
	irq_enable();
	rw.cs = tf.cs;
	rw.rflags = tf.rflags;
	rw.done = none == 0 && one == 1 && once && by_interrupt && no_loop && left && rw.faults == 1 &&
		  tf.rip == 0x401000;
	rw.finished = true;
	fw_task_exit();
}

FW_KTEST(return_upcall_only_when_requested)
{
	struct fw_upcalls mine = {.return_to_user = count_return, .user_fault = fix_fault}, old;
	rw.returns = rw.faults = 0;
	rw.rerequest = rw.done = rw.finished = false;
	upcalls_swap(&mine, &old);
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(returner, 0, &task) == 0);
	uint64_t until = fw_time_monotonic_ns() + 1000000000ULL;
	while (!rw.finished && fw_time_monotonic_ns() < until)
		fw_task_yield();
	upcalls_swap(&old, &mine);
	FW_EXPECT(t, rw.finished && rw.done);
	FW_EXPECT(t, rw.cs == 0x23 && (rw.rflags & 0x3200) == 0x200); /* user cs, IF on, IOPL 0 */
}
