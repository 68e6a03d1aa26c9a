/* ktests that attempt the soundness hazards of DESIGN.md against the
 * framework (see the hazard table in docs/safety.md). Layer:
 * framework/ktest (trusted: uses statics and internal headers to observe
 * what services cannot). Each test performs the misuse a buggy service
 * could perform through the safe API and checks that the framework turns it
 * into an error code, never into a dangling link.
 *   hazard 6: freeing while linked (wait queue with a sleeper, armed and
 *             pending timers, stale task and pool handles)
 *   hazard 10: timer callbacks run in a worker task, not in the IRQ. */
#include "internal/task.h"
#include "internal/arch.h"
#include <fw/ktest.h>
#include <fw/pool.h>
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/time.h>
#include <fw/wait.h>
#include <abi/errno.h>

#define MS 1000000ULL

/* What the helper task saw; written by it, read by the test. */
static struct {
	struct fw_waitq_ref q;
	int result;
	bool done;
} sleeper;

static void sleeper_task(uint64_t unused)
{
	(void)unused;
	sleeper.result = fw_waitq_wait(sleeper.q, 0, false);
	sleeper.done = true;
	fw_task_exit();
}

/* Let other tasks run until cond holds or ~100 ms pass. */
#define YIELD_UNTIL(cond)                                                                                  \
	do {                                                                                               \
		uint64_t until_ = fw_time_monotonic_ns() + 100 * MS;                                       \
		while (!(cond) && fw_time_monotonic_ns() < until_)                                         \
			fw_task_yield();                                                                   \
	} while (0)

/* Hazard 6: destroying a queue a task sleeps on must not leave the task
 * linked to freed memory: the sleeper wakes with -EIDRM, the handle dies. */
FW_KTEST(hazard6_waitq_destroy_wakes_sleeper_eidrm)
{
	sleeper.done = false;
	sleeper.result = 1;
	FW_EXPECT(t, fw_waitq_create(&sleeper.q) == 0);
	struct fw_task_ref task;
	FW_EXPECT(t, fw_task_create_kernel(sleeper_task, 0, &task) == 0);
	YIELD_UNTIL(fw_waitq_has_waiters(sleeper.q));
	FW_EXPECT(t, fw_waitq_has_waiters(sleeper.q));
	fw_waitq_destroy(sleeper.q);
	YIELD_UNTIL(sleeper.done);
	FW_EXPECT(t, sleeper.done && sleeper.result == -EIDRM);
	/* the old handle names nothing now, whatever reuses the slot */
	struct fw_waitq_ref q2;
	FW_EXPECT(t, fw_waitq_create(&q2) == 0);
	FW_EXPECT(t, fw_waitq_wait(sleeper.q, 1, false) == -EINVAL);
	FW_EXPECT(t, !fw_waitq_has_waiters(sleeper.q) && fw_waitq_wake_all(sleeper.q) == 0);
	fw_waitq_destroy(sleeper.q); /* double destroy is ignored */
	FW_EXPECT(t, fw_waitq_wait(q2, fw_time_monotonic_ns() + MS, false) == -ETIMEDOUT);
	fw_waitq_destroy(q2);
	/* the dead task's handle is stale: no call reaches a freed task */
	YIELD_UNTIL(fw_task_interrupt(task) == -ESRCH);
	FW_EXPECT(t, fw_task_interrupt(task) == -ESRCH);
}

static uint64_t timer_hits;
static void count_hit(uint64_t cookie) { timer_hits += cookie; }

/* Hazard 6: a destroyed timer never fires, whether it was armed or already
 * expired and waiting for the worker (the pending list). */
FW_KTEST(hazard6_timer_destroyed_never_fires)
{
	timer_hits = 0;
	struct fw_timer_ref a, b;
	FW_EXPECT(t, fw_timer_create(count_hit, 1, &a) == 0);
	FW_EXPECT(t, fw_timer_create(count_hit, 100, &b) == 0);
	FW_EXPECT(t, fw_timer_arm(a, fw_time_monotonic_ns() + 2 * MS, 1 * MS) == 0);
	/* b expires at the next tick; this task does not block, so the worker
	 * cannot run it before we destroy it: it is on the pending list. */
	FW_EXPECT(t, fw_timer_arm(b, 1, 0) == 0);
	/* Kernel tasks may run with interrupts off (see docs/architecture.md):
	 * let the tick in while spinning, without yielding. */
	bool was_on = irq_enabled();
	irq_enable();
	/* Spin until a tick has moved b off the armed list (on a loaded host
	 * the tick may come late: wait for the event, bounded, not a fixed
	 * time). */
	uint64_t rem = 1, per = 1;
	uint64_t spin = fw_time_monotonic_ns() + 2000 * MS;
	while (fw_time_monotonic_ns() < spin && fw_timer_get(b, &rem, &per) == 0 && rem != 0)
		;
	if (!was_on)
		irq_disable();
	/* expired (no time left), not run: it sits on the pending list */
	FW_EXPECT(t, fw_timer_get(b, &rem, &per) == 0 && rem == 0 && timer_hits == 0);
	fw_timer_destroy(a);
	fw_timer_destroy(b);
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + 10 * MS, false) == 0);
	FW_EXPECT(t, timer_hits == 0);
	FW_EXPECT(t, fw_timer_arm(a, 1, 0) == -EINVAL && fw_timer_arm(b, 1, 0) == -EINVAL);
	FW_EXPECT(t, fw_timer_get(b, &rem, &per) == -EINVAL);
	fw_timer_destroy(b); /* double destroy is ignored */
}

struct hz_obj {
	uint64_t v;
};
FW_POOL_REF(hz_obj);
FW_POOL_PRIVATE(hz_obj, struct hz_obj);

/* Hazard 6: a stale handle can neither read nor free the slot's next
 * occupant; a borrowed pointer kept past free reaches the old object or its
 * zeroed successor of the same type (type stability), never another type
 * or allocator state. */
FW_KTEST(hazard6_pool_stale_handle_cannot_free_new_occupant)
{
	struct hz_obj_ref old, cur;
	FW_EXPECT(t, hz_obj_alloc(&old) == 0);
	struct hz_obj *borrowed = hz_obj_get(old);
	FW_EXPECT(t, borrowed != NULL);
	borrowed->v = 7;
	hz_obj_free(old);
	FW_EXPECT(t, hz_obj_get(old) == NULL);
	FW_EXPECT(t, hz_obj_alloc(&cur) == 0 && cur.idx == old.idx);
	/* the stale pointer reaches the new occupant, zeroed, of the same type */
	FW_EXPECT(t, hz_obj_get(cur) == borrowed && borrowed->v == 0);
	hz_obj_get(cur)->v = 9;
	hz_obj_free(old); /* stale: ignored */
	FW_EXPECT(t, hz_obj_get(cur) != NULL && hz_obj_get(cur)->v == 9);
	FW_EXPECT(t, hz_obj_get(old) == NULL && hz_obj_count() == 1);
	hz_obj_free(cur);
}

static struct {
	struct fw_task_ref task;
	bool irq_on;
	int slept;
	bool ran;
} cbctx;

static void context_probe(uint64_t cookie)
{
	(void)cookie;
	cbctx.task = fw_task_current();
	cbctx.irq_on = irq_enabled();
	/* Blocking is legal only in thread context. */
	cbctx.slept = fw_sleep_until(fw_time_monotonic_ns() + MS, false);
	cbctx.ran = true;
}

/* Hazard 10: service callbacks never run in interrupt context. A timer
 * callback runs in the framework's worker task with interrupts enabled and
 * may block; it is not the task that armed it. */
FW_KTEST(hazard10_timer_callback_in_thread_context)
{
	cbctx.ran = false;
	struct fw_timer_ref tm;
	FW_EXPECT(t, fw_timer_create(context_probe, 0, &tm) == 0);
	FW_EXPECT(t, fw_timer_arm(tm, fw_time_monotonic_ns() + MS, 0) == 0);
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + 20 * MS, false) == 0);
	FW_EXPECT(t, cbctx.ran);
	FW_EXPECT(t, cbctx.irq_on && cbctx.slept == 0);
	FW_EXPECT(t, cbctx.task.idx != 0 && !fw_task_ref_eq(cbctx.task, fw_task_current()));
	fw_timer_destroy(tm);
}

/* Attack round 2: handles are plain data, so a service can guess {idx,
 * gen}. The framework's own queues (the timer and IRQ workers', the
 * console's, every mutex's) used to share the services' table: a service
 * destroyed the timer worker's queue by a forged handle and the worker
 * spun for ever, livelocking the kernel. They now live in a table no
 * FW_API call looks in. */
static uint32_t forged_fired;
static void forged_tick(uint64_t c) { forged_fired = (uint32_t)c; }

FW_KTEST(forged_handles_cannot_reach_framework_queues)
{
	struct kwaitq_ref k;
	FW_EXPECT(t, kwaitq_create(&k) == 0);
	/* the same numbers through the services' API name nothing of the framework */
	fw_waitq_destroy((struct fw_waitq_ref){k.idx, k.gen});
	FW_EXPECT(t, kwaitq_wait(k, fw_time_monotonic_ns() + MS, false) == -ETIMEDOUT);
	kwaitq_destroy(k);
	FW_EXPECT(t, kwaitq_wait(k, 0, false) == -EINVAL);
	/* every small handle a service could guess, destroyed: the timer
	 * worker (queue made at boot) still runs callbacks, mutexes still hand
	 * over */
	for (uint32_t i = 1; i < 64; i++)
		for (uint32_t g = 1; g < 4; g++)
			fw_waitq_destroy((struct fw_waitq_ref){i, g});
	struct fw_timer_ref tr;
	FW_EXPECT(t, fw_timer_create(forged_tick, 77, &tr) == 0);
	FW_EXPECT(t, fw_timer_arm(tr, fw_time_monotonic_ns() + MS, 0) == 0);
	FW_EXPECT(t, fw_sleep_until(fw_time_monotonic_ns() + 20 * MS, false) == 0);
	FW_EXPECT(t, forged_fired == 77);
	fw_timer_destroy(tr);
	struct fw_mutex_ref m;
	FW_EXPECT(t, fw_mutex_create(&m) == 0);
	FW_EXPECT(t, fw_mutex_lock(m, false) == 0);
	FW_EXPECT(t, fw_mutex_unlock(m) == 0);
	fw_mutex_destroy(m);
}
