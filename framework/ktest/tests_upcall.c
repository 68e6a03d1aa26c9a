/* ktests for the upcall registry (<fw/upcall.h>). Layer: framework/ktest
 * (trusted: reads the framework's copy of the table). In ktest mode no
 * services have registered, so these tests see the defaults first and
 * restore whatever was installed when they end. */
#include "internal/upcall.h"
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
