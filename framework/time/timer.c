/* Clocks, the timer interrupt and service timers. Layer: framework/time
 * (trusted). The interrupt only moves expired timers to a pending list and
 * wakes the worker task; callbacks run in that task. */
#include "internal/init.h"
#include "internal/arch.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include "internal/task.h"
#include <fw/log.h>
#include <fw/time.h>
#include <fw/wait.h>
#include <abi/errno.h>

struct timer {
	void (*fn)(uint64_t);
	uint64_t cookie;
	uint64_t deadline, period;
	bool armed, pending;
	struct timer *next; /* armed list (sorted) or pending list */
};

static struct slots timers;
static struct timer *armed, *pending;
static uint64_t boot_realtime_ns;
static int64_t realtime_offset;
static struct kwaitq_ref worker_q;
static bool worker_busy;

uint64_t fw_time_monotonic_ns(void) { return arch_uptime_ns(); }
uint64_t fw_time_realtime_ns(void) { return (uint64_t)((int64_t)(boot_realtime_ns + arch_uptime_ns()) + realtime_offset); }
uint64_t fw_time_boot_realtime_ns(void) { return boot_realtime_ns; }

uint64_t fw_time_since_reset_ns(void)
{
	uint64_t khz = arch_tsc_khz(), t = arch_cycles();
	return khz ? (t / khz) * 1000000 + (t % khz) * 1000000 / khz : 0;
}

static uint64_t realtime_seq;

void fw_time_set_realtime(uint64_t ns)
{
	realtime_offset = (int64_t)ns - (int64_t)(boot_realtime_ns + arch_uptime_ns());
	realtime_seq++;
}

void fw_time_clock_params(struct fw_clock_params *out)
{
	out->tsc_boot = arch_tsc_boot();
	out->tsc_mult = arch_tsc_mult();
	out->realtime_base_ns = (uint64_t)((int64_t)boot_realtime_ns + realtime_offset);
	out->seq = realtime_seq;
}

static void unlink_timer(struct timer *t)
{
	struct timer **lists[2] = {&armed, &pending};
	for (int l = 0; l < 2; l++)
		for (struct timer **pp = lists[l]; *pp; pp = &(*pp)->next)
			if (*pp == t) {
				*pp = t->next;
				t->armed = t->pending = false;
				return;
			}
}

/* a + b, saturating: a huge period means "not again for ever", never a
 * deadline that wrapped into the past and fires on every tick. */
static uint64_t add_sat(uint64_t a, uint64_t b) { return a + b < a ? UINT64_MAX : a + b; }

static void insert_armed(struct timer *t)
{
	struct timer **pp = &armed;
	while (*pp && (*pp)->deadline <= t->deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	t->armed = true;
}

void timer_tick(void)
{
	uint64_t now = arch_uptime_ns();
	sched_timer_tick(now);
	bool woke = false;
	while (armed && armed->deadline <= now) {
		struct timer *t = armed;
		armed = t->next;
		t->armed = false;
		t->pending = true;
		t->next = pending;
		pending = t;
		woke = true;
	}
	if (woke && !worker_busy)
		kwaitq_wake_one(worker_q);
}

static void worker(uint64_t unused)
{
	(void)unused;
	for (;;) {
		irq_disable();
		struct timer *t = pending;
		if (!t) {
			worker_busy = false;
			/* Wait with interrupts still off: the tick that queues the
			 * next expiry finds us already on the queue. */
			(void)kwaitq_wait(worker_q, 0, false);
			irq_enable();
			continue;
		}
		worker_busy = true;
		pending = t->next;
		t->pending = false;
		if (t->period) {
			t->deadline = add_sat(t->deadline, t->period);
			uint64_t now = arch_uptime_ns();
			if (t->deadline <= now) /* missed periods collapse into one */
				t->deadline = add_sat(now, t->period);
			insert_armed(t);
		}
		void (*fn)(uint64_t) = t->fn;
		uint64_t cookie = t->cookie;
		irq_enable();
		fn(cookie);
	}
}

void time_init(void)
{
	boot_realtime_ns = arch_rtc_epoch_seconds() * 1000000000ULL;
	struct fw_task_ref w;
	if (kwaitq_create(&worker_q) < 0 || fw_task_create_kernel(worker, 0, &w) < 0)
		fw_panic("cannot start the timer worker");
}

int fw_timer_create(void (*fn)(uint64_t), uint64_t cookie, struct fw_timer_ref *out)
{
	if (!fn)
		return -EINVAL;
	struct timer *t = kalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fn = fn;
	t->cookie = cookie;
	int r = slots_add(&timers, t, &out->idx, &out->gen);
	if (r < 0)
		kfree(t, sizeof(*t));
	return r;
}

int fw_timer_arm(struct fw_timer_ref r, uint64_t deadline, uint64_t period)
{
	struct timer *t = slots_get(&timers, r.idx, r.gen);
	if (!t)
		return -EINVAL;
	bool was = irq_save();
	unlink_timer(t);
	t->deadline = deadline;
	t->period = deadline ? period : 0;
	if (deadline)
		insert_armed(t);
	irq_restore(was);
	return 0;
}

int fw_timer_get(struct fw_timer_ref r, uint64_t *remaining, uint64_t *period)
{
	struct timer *t = slots_get(&timers, r.idx, r.gen);
	if (!t)
		return -EINVAL;
	uint64_t now = arch_uptime_ns();
	*remaining = t->armed ? (t->deadline > now ? t->deadline - now : 1) : 0;
	*period = t->period;
	return 0;
}

void fw_timer_destroy(struct fw_timer_ref r)
{
	bool was = irq_save();
	struct timer *t = slots_remove(&timers, r.idx, r.gen);
	if (t)
		unlink_timer(t);
	irq_restore(was);
	/* The worker copies fn and cookie before each call, so freeing here is
	 * safe even if a callback of this timer is running and asleep; no new
	 * call can start once the timer is off both lists. */
	if (t)
		kfree(t, sizeof(*t));
}
