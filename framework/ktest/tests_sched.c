/* ktests for the scheduler's CPU-time accounting. Layer: framework/ktest
 * (trusted: drives the tick accounting directly). */
#include "internal/arch.h"
#include "internal/task.h"
#include <fw/ktest.h>
#include <fw/task.h>
#include <fw/time.h>
#include <abi/errno.h>

static struct {
	bool finished, split_ok, monotonic, lockup_reset;
} acct;

static void accountant(uint64_t unused)
{
	(void)unused;
	struct task *me = current_task();
	uint64_t u0, s0, u1, s1, u2, s2;
	fw_task_cpu_times(&u0, &s0);
	/* Three user ticks for each system tick: the split follows. */
	me->user_ticks = me->sys_ticks = 0;
	me->rep_user_ns = me->rep_sys_ns = 0;
	me->cpu_ns += 4000000; /* as if it had run 4 ms more */
	for (int i = 0; i < 300; i++)
		account_tick(true, 0, 0);
	for (int i = 0; i < 100; i++)
		account_tick(false, 0, 0);
	fw_task_cpu_times(&u1, &s1);
	acct.split_ok = s1 > 0 && u1 > 2 * s1 && u1 < 4 * s1;
	/* Only system ticks from now on: the user part must not shrink. */
	for (int i = 0; i < 1000; i++)
		account_tick(false, 0, 0);
	fw_task_cpu_times(&u2, &s2);
	acct.monotonic = u2 >= u1 && s2 >= s1;
	/* Kernel ticks count towards the lockup detector until a return to
	 * user mode or a switch resets them. */
	fw_task_yield();
	acct.lockup_reset = me->kernel_ticks < 1100;
	acct.finished = true;
	fw_task_exit();
}

FW_KTEST(cpu_time_split_follows_ticks_and_never_goes_back)
{
	acct.finished = false;
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(accountant, 0, &task) == 0);
	uint64_t until = fw_time_monotonic_ns() + 1000000000ULL;
	while (!acct.finished && fw_time_monotonic_ns() < until)
		fw_task_yield();
	FW_EXPECT(t, acct.finished && acct.split_ok && acct.monotonic);
	FW_EXPECT(t, acct.lockup_reset);
}

/* PR_SET_TSC's CR4.TSD follows the running task: set for a task that
 * asked, clear for one that did not, and the kernel's own reads of the
 * counter work either way. */
static struct {
	bool finished, other_clear;
} tsd;

static void tsd_other(uint64_t unused)
{
	(void)unused;
	tsd.other_clear = !arch_tsc_user_trapped() && !fw_task_tsc_trap();
	tsd.finished = true;
	fw_task_exit();
}

FW_KTEST(tsc_trap_follows_the_running_task)
{
	tsd.finished = false;
	FW_EXPECT(t, !arch_tsc_user_trapped());
	fw_task_set_tsc_trap(true);
	FW_EXPECT(t, arch_tsc_user_trapped() && fw_task_tsc_trap());
	uint64_t a = arch_cycles(), b = arch_cycles(); /* CPL 0 reads still work */
	FW_EXPECT(t, b >= a);
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(tsd_other, 0, &task) == 0);
	uint64_t until = fw_time_monotonic_ns() + 1000000000ULL;
	while (!tsd.finished && fw_time_monotonic_ns() < until)
		fw_task_yield();
	FW_EXPECT(t, tsd.finished && tsd.other_clear);
	FW_EXPECT(t, arch_tsc_user_trapped()); /* back in this task: set again */
	fw_task_set_tsc_trap(false);
	FW_EXPECT(t, !arch_tsc_user_trapped() && !fw_task_tsc_trap());
}

/* fw_fpu_get/set_fxsave: a changed XMM byte survives the round trip; an
 * image with reserved MXCSR bits is refused and changes nothing (the
 * restore never faults). The kernel itself uses no SSE register
 * (-mgeneral-regs-only), so nothing between the calls touches xmm0. */
FW_KTEST(fpu_fxsave_round_trip_and_bad_mxcsr_refused)
{
	struct fw_fxsave a, b, bad;
	fw_fpu_get_fxsave(&a);
	a.b[160] ^= 0x5a; /* xmm0, byte 0 */
	FW_EXPECT(t, fw_fpu_set_fxsave(&a) == 0);
	fw_fpu_get_fxsave(&b);
	FW_EXPECT(t, b.b[160] == a.b[160] && b.b[24] == a.b[24]);
	bad = a;
	bad.b[27] = 0xff; /* MXCSR bits 24-31: reserved */
	bad.b[160] ^= 0xff;
	FW_EXPECT(t, fw_fpu_set_fxsave(&bad) == -EINVAL);
	fw_fpu_get_fxsave(&b);
	FW_EXPECT(t, b.b[27] == a.b[27] && b.b[160] == a.b[160]);
}
