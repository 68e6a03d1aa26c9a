/* Sleeping mutexes. Layer: framework/sync (trusted).
 * A mutex is an owner task plus a wait queue; unlock hands the mutex
 * straight to the first waiter so no task can barge in between. */
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/slots.h"
#include "internal/task.h"
#include <fw/sync.h>
#include <fw/wait.h>

struct mutex {
	struct task *owner;
	struct fw_waitq_ref q;
};

static struct slots mutexes;

int fw_mutex_create(struct fw_mutex_ref *out)
{
	struct mutex *m = kalloc(sizeof(*m));
	if (!m)
		return -12;
	int r = fw_waitq_create(&m->q);
	if (r == 0)
		r = slots_add(&mutexes, m, &out->idx, &out->gen);
	if (r < 0) {
		fw_waitq_destroy(m->q);
		kfree(m, sizeof(*m));
	}
	return r;
}

void fw_mutex_destroy(struct fw_mutex_ref r)
{
	struct mutex *m = slots_remove(&mutexes, r.idx, r.gen);
	if (!m)
		return;
	fw_waitq_destroy(m->q); /* waiters get -EIDRM */
	kfree(m, sizeof(*m));
}

int fw_mutex_lock(struct fw_mutex_ref r, bool interruptible)
{
	struct mutex *m = slots_get(&mutexes, r.idx, r.gen);
	if (!m)
		return -22;
	struct task *me = current_task();
	if (m->owner == me)
		return -35; /* -EDEADLK */
	while (m->owner) {
		int e = fw_waitq_wait(m->q, 0, interruptible);
		if (m->owner == me)
			return 0; /* handed over by unlock */
		if (e)
			return e;
		m = slots_get(&mutexes, r.idx, r.gen);
		if (!m)
			return -43;
	}
	m->owner = me;
	return 0;
}

int fw_mutex_unlock(struct fw_mutex_ref r)
{
	struct mutex *m = slots_get(&mutexes, r.idx, r.gen);
	if (!m)
		return -22;
	if (m->owner != current_task())
		return -1; /* -EPERM */
	m->owner = waitq_first_waiter(m->q);
	fw_waitq_wake_one(m->q);
	return 0;
}

bool fw_mutex_held_by_me(struct fw_mutex_ref r)
{
	struct mutex *m = slots_get(&mutexes, r.idx, r.gen);
	return m && m->owner == current_task();
}
