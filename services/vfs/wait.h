/* Wait queues owned by objects, and poll tables. Layer: services (safe C).
 *
 * Every object that can block a caller (a pipe, a terminal, an eventfd,
 * the record-lock table...) owns a `wq`: blocked readers and writers sleep
 * on it and only a change of that object wakes them. poll, select and epoll
 * watch many objects at once: they hang a *hook* on the queue of each object
 * they watch (poll_wait, called from the object's poll operation), and a
 * wake-up of the object then also wakes the poller's own queue. Hooks are
 * pool objects linked by handles, so an object destroyed while watched only
 * detaches its hooks (and wakes their pollers); the poller frees them.
 *
 * The kernel is uniprocessor and non-preemptive: a caller checks its
 * condition and then waits, and no service code runs in between, so a
 * wake-up cannot be lost between the check and the sleep.
 */
#ifndef SVC_VFS_WAIT_H
#define SVC_VFS_WAIT_H

#include "lib/klib.h"
#include <fw/wait.h>

FW_POOL_REF(pollhook);
struct wq;
FW_POOL_DECLARE(wq, struct wq);
struct wq {
	struct fw_waitq_ref q;       /* tasks blocked on this object */
	struct pollhook_ref hooks;   /* pollers watching it (first of a list) */
	uint64_t gen;                /* moves on every wake-up (edge-triggered epoll) */
};

FW_MUST_CHECK int wq_create(struct wq_ref *out);
/* Wake every sleeper (-EIDRM) and every poller, detach the hooks, free. */
void wq_destroy(struct wq_ref w);
/* Interruptible sleep: 0 (woken), -ETIMEDOUT (absolute monotonic deadline;
 * 0 = none), -EINTR (a signal), -EIDRM (the queue went away). */
int wq_wait(struct wq_ref w, uint64_t deadline_ns);
/* The object changed: wake its sleepers and its pollers. */
void wq_wake(struct wq_ref w);
uint64_t wq_gen(struct wq_ref w);
/* The framework queue behind w, for an object to keep next to w and sleep
 * on directly (fw_waitq_wait: one lookup less on a hot path; a stale one
 * gives -EINVAL, which such a sleeper treats as a wake-up). */
struct fw_waitq_ref wq_queue(struct wq_ref w);

/* What a poll operation is given: the poller's queue to hook onto each
 * object it reports on. `add` is false when the caller only looks (a
 * rescan after a wake-up, or a plain query): poll_wait then only adds the
 * queue's counter to `gen`. */
struct poll_table {
	struct wq_ref self;          /* the poller's queue */
	struct pollhook_ref hooks;   /* the hooks added so far (a chain) */
	bool add;
	bool exclusive;              /* EPOLLEXCLUSIVE: a wake-up wakes one such poller */
	int err;                     /* -ENOMEM if a hook could not be added */
	uint64_t gen;                /* out: sum of the counters of the queues polled */
};

/* Called by poll operations for each queue whose wake-up may change the
 * readiness they report. pt may be NULL (a query with no waiting). */
void poll_wait(struct poll_table *pt, struct wq_ref w);
/* Remove and free a chain of hooks (poll_table.hooks, epoll items). */
void poll_hooks_release(struct pollhook_ref chain);

#endif
