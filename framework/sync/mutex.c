/* Sleeping mutexes. Layer: framework/sync (trusted).
 * A mutex is an owner task plus a wait queue; unlock hands the mutex
 * straight to the first waiter so no task can barge in between. */
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include "internal/task.h"
#include <fw/sync.h>
#include <fw/task.h>
#include <fw/wait.h>
#include <abi/errno.h>

struct mutex {
	struct fw_task_ref owner; /* {0,0}: free. A handle, so an exited owner never matches a new task */
	struct kwaitq_ref q;
};

static bool owned(const struct mutex *m) { return m->owner.idx != 0 && task_lookup(m->owner); }
static bool owned_by(const struct mutex *m, struct fw_task_ref t) { return fw_task_ref_eq(m->owner, t); }

static struct slots mutexes;

int fw_mutex_create(struct fw_mutex_ref *out)
{
	struct mutex *m = kalloc(sizeof(*m));
	if (!m)
		return -ENOMEM;
	int r = kwaitq_create(&m->q);
	if (r == 0)
		r = slots_add(&mutexes, m, &out->idx, &out->gen);
	if (r < 0) {
		kwaitq_destroy(m->q);
		kfree(m, sizeof(*m));
	}
	return r;
}

void fw_mutex_destroy(struct fw_mutex_ref r)
{
	struct mutex *m = slots_remove(&mutexes, r.idx, r.gen);
	if (!m)
		return;
	kwaitq_destroy(m->q); /* waiters get -EIDRM */
	kfree(m, sizeof(*m));
}

int fw_mutex_lock(struct fw_mutex_ref r, bool interruptible)
{
	struct mutex *m = slots_get(&mutexes, r.idx, r.gen);
	if (!m)
		return -EINVAL;
	struct fw_task_ref me = fw_task_current();
	if (owned_by(m, me))
		return -EDEADLK;
	/* An owner that exited without unlocking no longer holds it. */
	while (owned(m)) {
		int e = kwaitq_wait(m->q, 0, interruptible);
		m = slots_get(&mutexes, r.idx, r.gen);
		if (!m)
			return -EIDRM;
		if (owned_by(m, me))
			return 0; /* handed over by unlock */
		if (e)
			return e;
	}
	m->owner = me;
	return 0;
}

int fw_mutex_unlock(struct fw_mutex_ref r)
{
	struct mutex *m = slots_get(&mutexes, r.idx, r.gen);
	if (!m)
		return -EINVAL;
	if (!owned_by(m, fw_task_current()))
		return -EPERM;
	struct task *next = kwaitq_first_waiter(m->q);
	m->owner = next ? (struct fw_task_ref){next->idx, next->gen} : (struct fw_task_ref){0, 0};
	kwaitq_wake_one(m->q);
	return 0;
}

bool fw_mutex_held_by_me(struct fw_mutex_ref r)
{
	struct mutex *m = slots_get(&mutexes, r.idx, r.gen);
	return m && owned_by(m, fw_task_current());
}
