/* Tasks and the scheduler. Layer: framework/task (trusted, internal). */
#ifndef INTERNAL_TASK_H
#define INTERNAL_TASK_H

#include <arch/ops.h>
#include <fw/task.h>
#include "internal/cpu.h"

enum task_state { TASK_RUNNABLE, TASK_BLOCKED, TASK_DEAD };

struct task {
	uint64_t saved_rsp;
	uint64_t kstack_va, kstack_top;
	enum task_state state;
	struct task *rq_next;       /* run queue link */
	struct task *wait_next;     /* wait queue link */
	void *wait_q;               /* queue it sleeps on, or NULL */
	int wake_result;            /* what the wait returns */
	bool interruptible, interrupted;
	uint64_t wake_deadline;     /* ns, 0 = none */
	struct task *timer_next;    /* sleepers ordered by deadline */
	bool user;
	void *vm;                   /* address space in use (framework-owned) */
	struct fw_vm_ref vm_ref;
	uint64_t pml4;
	uint64_t fs_base;
	void *fpu;
	uint64_t fpu_saves;          /* times schedule saved the registers into fpu (fw_fpu_load_from_user) */
	uint64_t cookie;
	bool return_work;           /* run the return_to_user upcall before the next return to user mode */
	uint32_t idx, gen;
	uint64_t cpu_ns, last_switch; /* on-CPU time (ns) up to the last switch-in, and when */
	uint32_t user_ticks, sys_ticks; /* timer ticks that found it in user / kernel mode */
	uint64_t rep_user_ns, rep_sys_ns; /* last split reported (kept monotonic) */
	uint32_t kernel_ticks;       /* ticks in the kernel since its last return to user or switch-in */
	bool lockup_reported;
	uint32_t no_sleep;           /* > 0 inside the fault resolver: sleeping fails, yield is a no-op */
	uint64_t copy_frame;         /* frame (pa) a user copy is using, 0 if none: pinned on a fault */
	bool copy_frame_pinned;
	bool irq_handler;            /* running a device interrupt handler (<fw/irq.h>): no_sleep is held too */
	bool tsc_trap;               /* user-mode rdtsc faults (CR4.TSD while it runs); copied to user tasks it creates */
};

#define MAX_TASKS 2048

static inline struct task *current_task(void) { return arch_cpu_current(); }

void sched_init(void);
bool sched_need_resched(void);
void sched_yield_current(void);
void sched_block(void);             /* irqs off on entry; current->state set */
void sched_wake(struct task *t, int result);
void sched_timer_tick(uint64_t now);
void sched_add_sleeper(struct task *t);
void sched_remove_sleeper(struct task *t);
void sched_idle_loop(void) __attribute__((noreturn));
/* Timer tick: charge it to the current task's user or system time; in
 * kernel mode, report a task stuck in the kernel (rip, rbp of the frame). */
void account_tick(bool from_user, uint64_t rip, uint64_t rbp);
struct task *task_alloc(void);
void task_discard(struct task *t);
void task_start(struct task *t, void (*entry)(uint64_t), uint64_t arg, uint64_t stack_top);
struct task *task_lookup(struct fw_task_ref r);
void *vm_task_attach(struct fw_vm_ref r, uint64_t *pml4);
void vm_task_detach(void *vm);
const char *ksym_lookup(uint64_t addr);
/* Framework-private wait queues (the timer and IRQ workers', the console's,
 * each mutex's). They live in a slot table of their own, named by a handle
 * type of their own: no FW_API call looks there, so a service that guesses
 * {idx, gen} reaches only its own queues (attack round 2: destroying the
 * timer worker's queue by a forged handle livelocked the kernel). */
struct kwaitq_ref {
	uint32_t idx;
	uint32_t gen;
};
int kwaitq_create(struct kwaitq_ref *out);
void kwaitq_destroy(struct kwaitq_ref r);
int kwaitq_wait(struct kwaitq_ref r, uint64_t deadline_ns, bool interruptible);
int kwaitq_wake_one(struct kwaitq_ref r);
int kwaitq_wake_all(struct kwaitq_ref r);
/* The task kwaitq_wake_one would wake next (for mutex hand-over). */
struct task *kwaitq_first_waiter(struct kwaitq_ref r);

#endif
