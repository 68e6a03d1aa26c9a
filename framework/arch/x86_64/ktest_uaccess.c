/* ktests for user copies that fault (issue 9, class 5): what the services'
 * fault resolver may do while a copy is suspended. Layer: framework/arch
 * ktests (trusted: installs its own resolver through the internal upcall
 * table, reads x86 page tables and the AC flag).
 *
 * Each test runs the copy in a helper kernel task that adopts a user
 * address space whose page is not mapped, so the copy faults and the
 * resolver runs in the middle of it, as it does for a service's read(2)
 * into a not-yet-touched buffer. */
#include "internal/mm.h"
#include "internal/task.h"
#include "internal/upcall.h"
#include "arch/x86_64/x86.h"
#include <abi/errno.h>
#include <fw/frame.h>
#include <fw/ktest.h>
#include <fw/sync.h>
#include <fw/wait.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/user.h>
#include <fw/vm.h>

#define UVA 0x40000000UL       /* the page the copy faults on */
#define FAR_VA 0x7f0000000000UL /* its own PML4 slot: mapping it allocates three tables */
#define FORGED_PTE 0x67UL      /* present, writable, user: physical page 0 */
#define MS 1000000ULL

static struct {
	struct fw_vm_ref vm;
	struct fw_frame_ref target, user_page, far_page;
	uint64_t target_pa;
	bool to_user, evil, touch_user, sleepy;
	int copy_r, nested_r;
	uint64_t resolver_ran, ac_in_resolver;
	bool table_on_target, done;
	/* sleepy: what each sleeping call returned inside the resolver, and
	 * whether another runnable task got the CPU meanwhile */
	int slept, waited, locked;
	struct fw_waitq_ref q;
	struct fw_mutex_ref m;
	bool bystander_ran, bystander_ran_in_resolver;
} ev;

/* The framework calls that would sleep fail inside the resolver, and a
 * yield does not switch: a user copy is never a point where another task
 * runs. */
static void try_to_sleep(void)
{
	ev.slept = fw_sleep_until(fw_time_monotonic_ns() + 1000000, false);
	ev.waited = fw_waitq_wait(ev.q, 0, false);
	ev.locked = fw_mutex_lock(ev.m, false); /* held by the test task */
	fw_task_yield();
	ev.bystander_ran_in_resolver = ev.bystander_ran;
}

/* Is pa one of the page tables that translate va under pml4? Checks each
 * table before reading it, so a table overwritten by a copy is not walked. */
static bool table_uses(uint64_t pml4, uint64_t va, uint64_t pa)
{
	uint64_t table = pml4;
	for (int shift = 39; shift > 12; shift -= 9) {
		if (table == pa)
			return true;
		/* SAFETY: table is a page-table frame of this vm (checked not to
		 * be the frame under test), read through the physmap. */
		uint64_t e = ((const uint64_t *)phys_to_virt(table))[(va >> shift) & 511];
		if (!(e & PTE_P))
			return false;
		table = e & PTE_ADDR;
	}
	return table == pa;
}

/* The resolver a buggy (or hostile) service could register: it drops the
 * copy's frame, then makes the kernel allocate page tables, the way an
 * unrelated mmap in another task would while this one sleeps. */
static int test_resolve(uint64_t addr, bool write)
{
	(void)write;
	ev.resolver_ran++;
	ev.ac_in_resolver |= read_rflags() & RFLAGS_AC;
	if (ev.sleepy)
		try_to_sleep();
	if (ev.evil) {
		fw_frame_put(ev.target);
		if (fw_vm_map(ev.vm, FAR_VA, ev.far_page, FW_PROT_READ))
			return -EFAULT;
		/* a nested frame copy inside the resolver must leave the outer
		 * copy's pin in place */
		ev.nested_r = fw_frame_from_user(ev.far_page, 0, fw_uaddr(FAR_VA), 8);
	}
	if (fw_vm_map(ev.vm, addr & ~4095UL, ev.user_page, FW_PROT_READ | FW_PROT_WRITE))
		return -EFAULT;
	if (ev.touch_user) {
		/* A plain kernel load from user memory: SMAP must stop it here. */
		/* SAFETY: none — this is the access the test expects to fault. */
		volatile const uint64_t *p = (volatile const uint64_t *)addr;
		ev.resolver_ran += *p;
	}
	return 0;
}

static void copier(uint64_t unused)
{
	(void)unused;
	if (fw_task_set_vm(ev.vm) == 0) {
		if (ev.to_user)
			ev.copy_r = fw_frame_to_user(ev.target, 0, fw_uaddr(UVA), 4096);
		else
			ev.copy_r = fw_frame_from_user(ev.target, 0, fw_uaddr(UVA), 4096);
		ev.table_on_target = table_uses(arch_page_table(), FAR_VA, ev.target_pa);
	}
	ev.done = true;
	fw_task_exit();
}

static void bystander(uint64_t unused)
{
	(void)unused;
	ev.bystander_ran = true;
	fw_task_exit();
}

static void fill(struct fw_frame_ref f, uint64_t v)
{
	for (uint32_t off = 0; off < 4096; off += 8)
		(void)fw_frame_write(f, off, &v, 8);
}

/* Set up the vm and frames, run the copy in a helper task with `test_resolve`
 * installed, restore the upcalls. */
static void run_copy(struct fw_ktest_ctx *t, bool to_user, bool evil)
{
	ev.to_user = to_user;
	ev.evil = evil;
	ev.done = false;
	ev.copy_r = 1;
	ev.resolver_ran = ev.ac_in_resolver = 0;
	ev.table_on_target = false;
	FW_EXPECT(t, fw_vm_create(&ev.vm) == 0);
	FW_EXPECT(t, fw_frame_alloc(&ev.target) == 0 && fw_frame_alloc(&ev.user_page) == 0 &&
			     fw_frame_alloc(&ev.far_page) == 0);
	ev.target_pa = (uint64_t)ev.target.pfn * 4096;
	fill(ev.target, 0x5a5a5a5a5a5a5a5aUL);
	fill(ev.user_page, FORGED_PTE);
	struct fw_upcalls mine = {.resolve_user_fault = test_resolve}, old;
	upcalls_swap(&mine, &old);
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(copier, 0, &task) == 0);
	if (ev.sleepy) /* queued behind the copier: it would run if the copier slept */
		FW_EXPECT(t, fw_task_create_kernel(bystander, 0, &task) == 0);
	uint64_t until = fw_time_monotonic_ns() + 2000 * MS;
	while (!ev.done && fw_time_monotonic_ns() < until)
		fw_task_yield();
	upcalls_swap(&old, &mine);
	FW_EXPECT(t, ev.done && ev.resolver_ran == 1);
}

static void cleanup(void)
{
	/* A vm whose tables a copy overwrote cannot be walked: leak it. */
	if (!ev.table_on_target)
		fw_vm_destroy(ev.vm);
	fw_frame_put(ev.target);
	fw_frame_put(ev.user_page);
	fw_frame_put(ev.far_page);
}

/* fw_frame_from_user: the resolver drops the frame's last reference and the
 * kernel then needs page tables. The copy must not land in them (that was
 * an arbitrary physical write: a forged PTE). The frame is pinned, so the
 * tables get other memory and the copy fills the orphaned frame, which is
 * freed when the copy ends. */
FW_KTEST(frame_from_user_pinned_across_resolver)
{
	run_copy(t, false, true);
	FW_EXPECT(t, !ev.table_on_target);
	FW_EXPECT(t, ev.copy_r == 0);
	FW_EXPECT(t, !fw_frame_valid(ev.target)); /* the service's put took effect */
	FW_EXPECT(t, ev.nested_r == 0);
	/* the copy's pin was dropped when it ended: the frame was released */
	FW_EXPECT(t, frame_gen(ev.target_pa) != ev.target.gen);
	struct fw_vm_page pg;
	FW_EXPECT(t, ev.table_on_target || (fw_vm_lookup(ev.vm, FAR_VA, &pg) == 0 && pg.present &&
					      fw_frame_ref_eq(pg.frame, ev.far_page)));
	cleanup();
}

/* fw_frame_to_user, same shape: the user must receive the frame's own
 * bytes, never a page table's (that was an arbitrary physical read). */
FW_KTEST(frame_to_user_pinned_across_resolver)
{
	run_copy(t, true, true);
	FW_EXPECT(t, !ev.table_on_target);
	FW_EXPECT(t, ev.copy_r == 0);
	uint64_t got[4] = {0};
	FW_EXPECT(t, fw_frame_read(ev.user_page, 2048, &got, sizeof(got)) == 0);
	FW_EXPECT(t, got[0] == 0x5a5a5a5a5a5a5a5aUL && got[3] == 0x5a5a5a5a5a5a5a5aUL);
	cleanup();
}

/* SMAP: the copy sets AC only around its two string instructions; the
 * resolver (service code) runs with AC clear, and the copy still completes
 * after it returns (AC is back for the rest of the copy). */
FW_KTEST(smap_on_in_fault_resolver)
{
	run_copy(t, false, false);
	FW_EXPECT(t, ev.ac_in_resolver == 0);
	FW_EXPECT(t, ev.copy_r == 0);
	uint64_t got = 0;
	FW_EXPECT(t, fw_frame_read(ev.target, 4088, &got, 8) == 0 && got == FORGED_PTE);
	cleanup();
}

/* The resolver must not sleep (<fw/upcall.h>): every sleeping framework
 * call fails with -EDEADLK there, a yield does not switch, and a runnable
 * task does not get the CPU until the copy is over. So a borrowed pointer
 * a service holds across a user copy still names the same object. */
FW_KTEST(fault_resolver_cannot_sleep)
{
	ev.sleepy = true;
	ev.bystander_ran = false;
	FW_EXPECT(t, fw_waitq_create(&ev.q) == 0 && fw_mutex_create(&ev.m) == 0);
	FW_EXPECT(t, fw_mutex_lock(ev.m, false) == 0);
	run_copy(t, false, false);
	FW_EXPECT(t, ev.slept == -EDEADLK && ev.waited == -EDEADLK && ev.locked == -EDEADLK);
	FW_EXPECT(t, !ev.bystander_ran_in_resolver);
	FW_EXPECT(t, ev.copy_r == 0);
	uint64_t until = fw_time_monotonic_ns() + 1000 * MS;
	while (!ev.bystander_ran && fw_time_monotonic_ns() < until)
		fw_task_yield();
	FW_EXPECT(t, ev.bystander_ran);
	/* outside the resolver the same calls sleep as usual */
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + MS, false) == 0);
	(void)fw_mutex_unlock(ev.m);
	fw_mutex_destroy(ev.m);
	fw_waitq_destroy(ev.q);
	ev.sleepy = false;
	cleanup();
}

/* Run by name (tests/ktest.sh): the resolver reads user memory directly;
 * with AC clear, SMAP must turn that into a kernel page fault (error code
 * 1: present page, read, supervisor) and a panic. */
FW_KTEST(panic_smap_in_fault_resolver)
{
	ev.touch_user = true;
	run_copy(t, false, false);
	FW_EXPECT(t, false); /* not reached */
}

static struct {
	uint64_t seen;
	bool done;
} acx;

static void ac_observer(uint64_t unused)
{
	(void)unused;
	acx.seen = read_rflags() & RFLAGS_AC;
	acx.done = true;
	fw_task_exit();
}

/* rflags are saved across a context switch: a task switched out with AC
 * set (which only a trap inside a user copy can leave behind) does not
 * hand it to the next task. */
FW_KTEST(smap_ac_not_inherited_across_switch)
{
	acx.done = false;
	acx.seen = 1;
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(ac_observer, 0, &task) == 0);
	bool was = irq_save();
	stac();
	sched_yield_current(); /* the observer runs now */
	clac();
	irq_restore(was);
	uint64_t until = fw_time_monotonic_ns() + 1000 * MS;
	while (!acx.done && fw_time_monotonic_ns() < until)
		fw_task_yield();
	FW_EXPECT(t, acx.done && acx.seen == 0);
}
