/* Wait queues. Layer: framework/task (trusted).
 * A queue is a FIFO of blocked tasks; all list surgery happens with
 * interrupts off because the timer interrupt removes timed-out sleepers.
 * The services' queues (fw_waitq_*) and the framework's own (kwaitq_*,
 * internal/task.h) live in separate slot tables: a handle a service forges
 * can only ever name one of its own. */
#include "internal/init.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include "internal/task.h"
#include <fw/wait.h>
#include <abi/errno.h>

struct waitq {
	struct task *head, *tail;
};

static struct slots waitqs;  /* the services' queues: fw_waitq_* */
static struct slots kwaitqs; /* the framework's own: kwaitq_*, never reached by a service handle */

static int create_in(struct slots *s, uint32_t *idx, uint32_t *gen)
{
	struct waitq *q = kalloc(sizeof(*q));
	if (!q)
		return -ENOMEM;
	int r = slots_add(s, q, idx, gen);
	if (r < 0)
		kfree(q, sizeof(*q));
	return r;
}

int fw_waitq_create(struct fw_waitq_ref *out) { return create_in(&waitqs, &out->idx, &out->gen); }
int kwaitq_create(struct kwaitq_ref *out) { return create_in(&kwaitqs, &out->idx, &out->gen); }

static void unlink_task(struct waitq *q, struct task *t)
{
	struct task **pp = &q->head, *prev = NULL;
	while (*pp && *pp != t) {
		prev = *pp;
		pp = &(*pp)->wait_next;
	}
	if (!*pp)
		return;
	*pp = t->wait_next;
	if (q->tail == t)
		q->tail = prev;
	t->wait_next = NULL;
	t->wait_q = NULL;
}

/* Interrupts off. Called when a sleeper times out or is interrupted. */
void waitq_remove(struct task *t)
{
	if (t->wait_q)
		unlink_task(t->wait_q, t);
}

static int wake(struct waitq *q, bool all, int result)
{
	int n = 0;
	bool was = irq_save();
	while (q->head) {
		struct task *t = q->head;
		unlink_task(q, t);
		sched_wake(t, result);
		n++;
		if (!all)
			break;
	}
	irq_restore(was);
	return n;
}

static void destroy_in(struct slots *s, uint32_t idx, uint32_t gen)
{
	struct waitq *q = slots_remove(s, idx, gen);
	if (!q)
		return;
	wake(q, true, -EIDRM);
	kfree(q, sizeof(*q));
}

void fw_waitq_destroy(struct fw_waitq_ref r) { destroy_in(&waitqs, r.idx, r.gen); }
void kwaitq_destroy(struct kwaitq_ref r) { destroy_in(&kwaitqs, r.idx, r.gen); }

static int block_current(struct waitq *q, uint64_t deadline, bool interruptible)
{
	struct task *t = current_task();
	/* Inside the fault resolver a user copy is suspended half-way: no other
	 * task may run before it completes (see <fw/upcall.h>). */
	if (t->no_sleep)
		return -EDEADLK;
	bool was = irq_save();
	if (interruptible && t->interrupted) {
		irq_restore(was);
		return -EINTR;
	}
	if (q) {
		t->wait_next = NULL;
		t->wait_q = q;
		if (q->tail)
			q->tail->wait_next = t;
		else
			q->head = t;
		q->tail = t;
	}
	t->interruptible = interruptible;
	t->state = TASK_BLOCKED;
	t->wake_result = 0;
	t->wake_deadline = deadline;
	if (deadline)
		sched_add_sleeper(t);
	sched_block();
	irq_restore(was);
	return t->wake_result;
}

int fw_waitq_wait(struct fw_waitq_ref r, uint64_t deadline_ns, bool interruptible)
{
	struct waitq *q = slots_get(&waitqs, r.idx, r.gen);
	if (!q)
		return -EINVAL;
	return block_current(q, deadline_ns, interruptible);
}

int kwaitq_wait(struct kwaitq_ref r, uint64_t deadline_ns, bool interruptible)
{
	struct waitq *q = slots_get(&kwaitqs, r.idx, r.gen);
	if (!q)
		return -EINVAL;
	return block_current(q, deadline_ns, interruptible);
}

int fw_waitq_wake_one(struct fw_waitq_ref r)
{
	struct waitq *q = slots_get(&waitqs, r.idx, r.gen);
	return q ? wake(q, false, 0) : 0;
}

int kwaitq_wake_one(struct kwaitq_ref r)
{
	struct waitq *q = slots_get(&kwaitqs, r.idx, r.gen);
	return q ? wake(q, false, 0) : 0;
}

int fw_waitq_wake_all(struct fw_waitq_ref r)
{
	struct waitq *q = slots_get(&waitqs, r.idx, r.gen);
	return q ? wake(q, true, 0) : 0;
}

int kwaitq_wake_all(struct kwaitq_ref r)
{
	struct waitq *q = slots_get(&kwaitqs, r.idx, r.gen);
	return q ? wake(q, true, 0) : 0;
}

bool fw_waitq_has_waiters(struct fw_waitq_ref r)
{
	struct waitq *q = slots_get(&waitqs, r.idx, r.gen);
	return q && q->head;
}

int fw_sleep_until(uint64_t deadline_ns, bool interruptible)
{
	if (deadline_ns == 0)
		deadline_ns = 1;
	int r = block_current(NULL, deadline_ns, interruptible);
	return r == -ETIMEDOUT ? 0 : r;
}


struct task *kwaitq_first_waiter(struct kwaitq_ref r)
{
	struct waitq *q = slots_get(&kwaitqs, r.idx, r.gen);
	return q ? q->head : NULL;
}
