/* Tasks and the round-robin scheduler. Layer: framework/task (trusted).
 *
 * Uniprocessor and non-preemptive in the kernel: a task switches only when it
 * blocks, yields, or returns to user mode with its time slice used up. So
 * service code never races with other service code; interrupt handlers touch
 * only framework state, with interrupts disabled around every shared
 * structure here. Kernel stacks are 16 KiB in a dedicated region, each with
 * an unmapped guard page below it, so an overflow faults (double-fault stack
 * reports it) instead of corrupting a neighbour. */
#include "internal/init.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/task.h"
#include <fw/log.h>
#include <abi/errno.h>

#define KSTACK_REGION 0xffffc90000000000UL
#define KSTACK_PAGES 4
#define KSTACK_SLOT ((KSTACK_PAGES + 1) * FW_PAGE_SIZE)
#define TIMESLICE_NS 10000000UL

static struct task *tasks[MAX_TASKS];
/* A slot's stack VA range stays busy from task_alloc until the stack is
 * freed (the dead task is reaped after it leaves the CPU), so a task
 * created in between never gets a stack that a later reap would unmap. */
static bool stack_busy[MAX_TASKS];
static uint32_t task_gens[MAX_TASKS];
static struct task *rq_head, *rq_tail;
static struct task idle_task;
static struct task *sleepers;   /* sorted by wake_deadline */
static struct task *dying;      /* exited, still on its own stack until the switch away */
static struct task *zombies;    /* dead tasks, freed by the next task that runs (linked by rq_next) */
static bool need_resched;
static uint64_t slice_start;
static uint32_t ntasks;

static int alloc_slot(struct task *t)
{
	for (uint32_t i = 1; i < MAX_TASKS; i++) {
		if (!tasks[i] && !stack_busy[i]) {
			tasks[i] = t;
			stack_busy[i] = true;
			t->idx = i;
			t->gen = ++task_gens[i];
			ntasks++;
			return 0;
		}
	}
	return -EAGAIN;
}

static int kstack_alloc(struct task *t)
{
	uint64_t base = KSTACK_REGION + (uint64_t)t->idx * KSTACK_SLOT + FW_PAGE_SIZE; /* slot's first page is the guard */
	for (int i = 0; i < KSTACK_PAGES; i++) {
		uint64_t pa = frame_alloc();
		if (!pa || kmap_page(base + i * FW_PAGE_SIZE, pa, PTE_W | PTE_NX) < 0) {
			for (int j = 0; j < i; j++) {
				uint64_t *pte = pt_walk(kernel_pml4(), base + j * FW_PAGE_SIZE, false);
				frame_put(*pte & PTE_ADDR);
				kunmap_page(base + j * FW_PAGE_SIZE);
			}
			if (pa)
				frame_put(pa);
			return -ENOMEM;
		}
	}
	t->kstack_va = base;
	t->kstack_top = base + KSTACK_PAGES * FW_PAGE_SIZE;
	return 0;
}

static void kstack_free(struct task *t)
{
	for (int i = 0; i < KSTACK_PAGES; i++) {
		uint64_t va = t->kstack_va + i * FW_PAGE_SIZE;
		uint64_t *pte = pt_walk(kernel_pml4(), va, false);
		if (pte && (*pte & PTE_P)) {
			frame_put(*pte & PTE_ADDR);
			kunmap_page(va);
		}
	}
	stack_busy[t->idx] = false;
}

static void rq_push(struct task *t)
{
	t->rq_next = NULL;
	if (rq_tail)
		rq_tail->rq_next = t;
	else
		rq_head = t;
	rq_tail = t;
}

static struct task *rq_pop(void)
{
	struct task *t = rq_head;
	if (t) {
		rq_head = t->rq_next;
		if (!rq_head)
			rq_tail = NULL;
	}
	return t;
}

/* Allocate a task with a stack; the caller lays out the initial frame. */
struct task *task_alloc(void)
{
	struct task *t = kalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->fpu = kalloc(arch_fpu_size);
	bool was = irq_save();
	int r = t->fpu ? alloc_slot(t) : -ENOMEM;
	irq_restore(was);
	if (r < 0 || kstack_alloc(t) < 0) {
		if (r == 0) {
			was = irq_save();
			tasks[t->idx] = NULL;
			stack_busy[t->idx] = false;
			ntasks--;
			irq_restore(was);
		}
		kfree(t->fpu, arch_fpu_size);
		kfree(t, sizeof(*t));
		return NULL;
	}
	arch_fpu_init_area(t->fpu);
	return t;
}

/* Undo task_alloc for a task that never ran. */
void task_discard(struct task *t)
{
	bool was = irq_save();
	tasks[t->idx] = NULL;
	ntasks--;
	irq_restore(was);
	kstack_free(t);
	kfree(t->fpu, arch_fpu_size);
	kfree(t, sizeof(*t));
}

/* Make t runnable; its stack must hold a context_switch frame. */
void task_start(struct task *t, void (*entry)(uint64_t), uint64_t arg, uint64_t stack_top)
{
	/* SAFETY: stack_top is the top of t's freshly mapped kernel stack (or a
	 * frame just below it); eight words fit far inside its 16 KiB. */
	uint64_t *sp = (uint64_t *)stack_top;
	*--sp = (uint64_t)task_start_trampoline; /* ret address */
	*--sp = 0x2;                              /* rflags: IF, AC, DF clear */
	*--sp = 0;                                /* rbp */
	*--sp = 0;                                /* rbx */
	*--sp = arg;                              /* r12 */
	*--sp = (uint64_t)entry;                  /* r13 */
	*--sp = 0;                                /* r14 */
	*--sp = 0;                                /* r15 */
	t->saved_rsp = (uint64_t)sp;
	t->state = TASK_RUNNABLE;
	bool was = irq_save();
	rq_push(t);
	irq_restore(was);
}

struct task *task_lookup(struct fw_task_ref r)
{
	if (r.idx == 0 || r.idx >= MAX_TASKS)
		return NULL;
	struct task *t = tasks[r.idx];
	return t && t->gen == r.gen && t->state != TASK_DEAD ? t : NULL;
}

/* CPU time. The total a task spent on the CPU is exact: cpu_ns grows by
 * the TSC-measured run at every switch. Its split into user and system
 * time is sampled, as Linux does without full dynticks: each timer tick
 * charges the mode it interrupted, and the total is divided in that
 * proportion when asked (fw_task_cpu_times). So the system call path
 * reads no clock. */
static void account(struct task *t, uint64_t now)
{
	t->cpu_ns += now - t->last_switch;
}

/* Soft-lockup detector. The kernel is not preemptive, so a service stuck in
 * a loop freezes the machine; the tick that interrupts it reports where,
 * once per episode, so the bug can be found from the log. kernel_ticks is
 * reset by every return to user mode and every switch-in. */
#define LOCKUP_TICKS (2 * ARCH_TIMER_HZ) /* 2 s */

void account_tick(bool from_user, uint64_t rip, uint64_t rbp)
{
	struct task *t = current_task();
	if (t == &idle_task)
		return;
	if (t->user_ticks + t->sys_ticks >= (1U << 30)) { /* only the ratio matters */
		t->user_ticks /= 2;
		t->sys_ticks /= 2;
	}
	if (from_user) {
		t->user_ticks++;
		return;
	}
	t->sys_ticks++;
	if (++t->kernel_ticks < LOCKUP_TICKS || t->lockup_reported)
		return;
	t->lockup_reported = true;
	fw_err("soft lockup: task %u has run in the kernel for 2 s, at %lx <%s>", t->idx, rip, ksym_lookup(rip));
	arch_backtrace((void *)rbp);
}

/* CR4.TSD as last written: rewritten only when a switch goes between
 * tasks that differ (PR_SET_TSC), so the common switch pays one compare. */
static bool tsd_on;

static void tsc_trap_follow(const struct task *next)
{
	if (next->tsc_trap == tsd_on)
		return;
	arch_set_tsc_user_trap(next->tsc_trap);
	tsd_on = next->tsc_trap;
}

void fw_task_set_tsc_trap(bool trap)
{
	struct task *me = current_task();
	me->tsc_trap = trap;
	tsc_trap_follow(me);
}

bool fw_task_tsc_trap(void) { return current_task()->tsc_trap; }

/* The task that exited before the last switch is off its stack now. */
static void zombie_collect(void)
{
	if (dying && dying != current_task()) {
		dying->rq_next = zombies;
		zombies = dying;
		dying = NULL;
	}
}

/* Free dead tasks; never the running one (it is not on the list: a task
 * is listed only after it stopped running, see fw_task_exit). */
static void reap_zombies(void)
{
	while (zombies) {
		struct task *z = zombies;
		zombies = z->rq_next;
		kstack_free(z);
		kfree(z->fpu, arch_fpu_size);
		kfree(z, sizeof(*z));
	}
}

/* Pick the next task and switch to it. Interrupts are off on entry. */
static void schedule(void)
{
	struct task *prev = current_task();
	struct task *next = rq_pop();
	if (!next) {
		if (prev->state == TASK_RUNNABLE && prev != &idle_task)
			next = prev;
		else
			next = &idle_task;
	}
	need_resched = false;
	uint64_t now = arch_uptime_ns();
	slice_start = now;
	if (next == prev)
		return;
	account(prev, now);
	next->last_switch = now;
	next->kernel_ticks = 0;
	if (prev->user) {
		arch_fpu_save(prev->fpu);
		prev->fpu_saves++;
	}
	if (next->user)
		arch_fpu_restore(next->fpu);
	if (next->pml4 && next->pml4 != prev->pml4)
		arch_set_page_table(next->pml4);
	else if (!next->pml4 && prev->pml4)
		arch_set_page_table(kernel_pml4());
	if (next->user) {
		arch_set_tls_base(next->fs_base);
		arch_set_kernel_stack(next->kstack_top);
	}
	tsc_trap_follow(next);
	cpu0.current = next;
	context_switch(&prev->saved_rsp, next->saved_rsp);
	zombie_collect();
	reap_zombies();
}

bool sched_need_resched(void) { return need_resched; }

void sched_yield_current(void)
{
	struct task *t = current_task();
	if (t->no_sleep)
		return; /* inside the fault resolver: nobody else runs (<fw/upcall.h>) */
	bool was = irq_save();
	if (t != &idle_task && t->state == TASK_RUNNABLE)
		rq_push(t);
	schedule();
	irq_restore(was);
}

void sched_block(void) { schedule(); }

void sched_wake(struct task *t, int result)
{
	bool was = irq_save();
	if (t->state == TASK_BLOCKED) {
		t->wake_result = result;
		t->state = TASK_RUNNABLE;
		if (t->wake_deadline)
			sched_remove_sleeper(t);
		rq_push(t);
		need_resched = true;
	}
	irq_restore(was);
}

void sched_add_sleeper(struct task *t)
{
	struct task **pp = &sleepers;
	while (*pp && (*pp)->wake_deadline <= t->wake_deadline)
		pp = &(*pp)->timer_next;
	t->timer_next = *pp;
	*pp = t;
}

void sched_remove_sleeper(struct task *t)
{
	for (struct task **pp = &sleepers; *pp; pp = &(*pp)->timer_next) {
		if (*pp == t) {
			*pp = t->timer_next;
			break;
		}
	}
	t->wake_deadline = 0;
}


/* Timer interrupt: wake expired sleepers and end the slice. */
void sched_timer_tick(uint64_t now)
{
	while (sleepers && sleepers->wake_deadline <= now) {
		struct task *t = sleepers;
		sleepers = t->timer_next;
		t->wake_deadline = 0;
		waitq_remove(t);
		sched_wake(t, -ETIMEDOUT);
	}
	if (now - slice_start >= TIMESLICE_NS && rq_head)
		need_resched = true;
}

FW_NORETURN void fw_task_exit(void)
{
	irq_disable();
	struct task *t = current_task();
	if (t->irq_handler)
		fw_panic("fw_task_exit in a device interrupt handler");
	if (t->vm) {
		vm_task_detach(t->vm);
		t->vm = NULL;
		t->pml4 = 0;
	}
	t->state = TASK_DEAD;
	tasks[t->idx] = NULL;
	ntasks--;
	/* A previous exiter may not have been collected yet (a brand-new task
	 * starts in the trampoline, not after context_switch): it is off-CPU
	 * now, since we are running. */
	zombie_collect();
	dying = t;
	schedule();
	fw_panic("dead task scheduled");
}

void fw_task_yield(void) { sched_yield_current(); }

struct fw_task_ref fw_task_current(void)
{
	struct task *t = current_task();
	return (struct fw_task_ref){t->idx, t->gen};
}

uint64_t fw_task_cookie(void) { return current_task()->cookie; }

bool fw_task_ref_eq(struct fw_task_ref a, struct fw_task_ref b) { return a.idx == b.idx && a.gen == b.gen; }

int fw_task_create_kernel(void (*fn)(uint64_t), uint64_t arg, struct fw_task_ref *out)
{
	struct task *t = task_alloc();
	if (!t)
		return ntasks >= MAX_TASKS - 1 ? -EAGAIN : -ENOMEM;
	task_start(t, fn, arg, t->kstack_top);
	*out = (struct fw_task_ref){t->idx, t->gen};
	return 0;
}

void fw_task_cpu_times(uint64_t *user_ns, uint64_t *sys_ns)
{
	struct task *t = current_task();
	uint64_t total = t->cpu_ns + (arch_uptime_ns() - t->last_switch);
	uint64_t ut = t->user_ticks, st = t->sys_ticks;
	/* No system tick yet: all user time (Linux does the same). */
	uint64_t n = ut + st, sys = total;
	if (st == 0)
		sys = 0;
	else if (ut != 0) /* no overflow: n < 2^31 (account_tick), st <= n */
		sys = total / n * st + total % n * st / n;
	/* Neither part may go backwards between two reports: the total only
	 * grows, so clamping one part to its last value leaves the other
	 * non-negative. */
	if (sys < t->rep_sys_ns)
		sys = t->rep_sys_ns;
	uint64_t user = total - sys;
	if (user < t->rep_user_ns) {
		user = t->rep_user_ns;
		sys = total - user;
	}
	t->rep_user_ns = user;
	t->rep_sys_ns = sys;
	*user_ns = user;
	*sys_ns = sys;
}

int fw_task_interrupt(struct fw_task_ref r)
{
	struct task *t = task_lookup(r);
	if (!t)
		return -ESRCH;
	bool was = irq_save();
	t->interrupted = true;
	t->return_work = true;
	if (t->state == TASK_BLOCKED && t->interruptible) {
		waitq_remove(t);
		sched_wake(t, -EINTR);
	}
	irq_restore(was);
	return 0;
}

void fw_task_clear_interrupt(void) { current_task()->interrupted = false; }

int fw_task_sleep_state(struct fw_task_ref r)
{
	struct task *t = task_lookup(r);
	if (!t)
		return -ESRCH;
	bool was = irq_save();
	int s = t->state != TASK_BLOCKED ? 0 : t->interruptible ? 1 : 2;
	irq_restore(was);
	return s;
}

void fw_task_want_return_upcall(void) { current_task()->return_work = true; }

void sched_init(void)
{
	idle_task.state = TASK_RUNNABLE;
	idle_task.idx = 0;
	cpu0.current = &idle_task;
	idle_task.last_switch = arch_uptime_ns();
}

void sched_idle_loop(void)
{
	for (;;) {
		irq_disable();
		if (rq_head) {
			schedule();
			irq_enable();
			continue;
		}
		/* sti; hlt is atomic: no wakeup slips between them. */
		cpu_idle_wait();
	}
}
