/* Wait queues owned by objects, and the hooks pollers hang on them (see
 * wait.h). Layer: services (safe C). Trusts the framework's wait queues
 * for sleeping; everything else here is handles. */
#include "vfs/wait.h"
#include <abi/errno.h>

/* A poller watching one queue: while linked, a wake-up of src wakes dst. */
struct pollhook {
	struct wq_ref src;                /* the watched object's queue (zero once detached) */
	struct wq_ref dst;                /* the poller's queue */
	struct pollhook_ref prev, next;   /* src's list */
	struct pollhook_ref owner_next;   /* the poller's chain */
	bool exclusive;                   /* one exclusive poller with a sleeper is woken per wake-up */
};
FW_POOL_PRIVATE(pollhook, struct pollhook);
FW_POOL_DEFINE(wq, struct wq);

/* Nested epoll instances wake each other through hooks; a cycle (or a deep
 * nest) stops here rather than recursing without bound. */
#define WAKE_DEPTH_MAX 5

int wq_create(struct wq_ref *out)
{
	if (wq_alloc(out))
		return -ENOMEM;
	if (fw_waitq_create(&wq_get(*out)->q)) {
		wq_free(*out);
		return -ENOMEM;
	}
	return 0;
}

static void wake_depth(struct wq_ref w, uint32_t depth)
{
	struct wq *q = wq_get(w);
	if (!q)
		return;
	q->gen++;
	(void)fw_waitq_wake_all(q->q);
	if (depth >= WAKE_DEPTH_MAX)
		return;
	/* Waking only makes tasks runnable: no service code runs and the list
	 * cannot change under the walk. */
	bool woke_exclusive = false;
	for (struct pollhook_ref h = q->hooks; h.idx && pollhook_ref_valid(h);) {
		struct pollhook *hp = pollhook_get(h);
		struct wq_ref dst = hp->dst;
		bool excl = hp->exclusive;
		h = hp->next;
		if (excl) {
			/* EPOLLEXCLUSIVE (Linux's exclusive wait entries): the
			 * first such poller someone sleeps in, and no other */
			struct wq *d = wq_get(dst);
			if (woke_exclusive || !d || !fw_waitq_has_waiters(d->q))
				continue;
			woke_exclusive = true;
		}
		wake_depth(dst, depth + 1);
	}
}

void wq_wake(struct wq_ref w) { wake_depth(w, 0); }

uint64_t wq_gen(struct wq_ref w)
{
	struct wq *q = wq_get(w);
	return q ? q->gen : 0;
}

struct fw_waitq_ref wq_queue(struct wq_ref w)
{
	struct wq *q = wq_get(w);
	return q ? q->q : (struct fw_waitq_ref){0};
}

int wq_wait(struct wq_ref w, uint64_t deadline_ns)
{
	struct wq *q = wq_get(w);
	if (!q)
		return -EIDRM;
	return fw_waitq_wait(q->q, deadline_ns, true);
}

void wq_destroy(struct wq_ref w)
{
	struct wq *q = wq_get(w);
	if (!q)
		return;
	struct fw_waitq_ref fq = q->q;
	struct pollhook_ref h = q->hooks;
	q->hooks = (struct pollhook_ref){0};
	while (pollhook_ref_valid(h)) {
		struct pollhook *hp = pollhook_get(h);
		struct pollhook_ref next = hp->next;
		struct wq_ref dst = hp->dst;
		hp->src = (struct wq_ref){0};
		hp->prev = (struct pollhook_ref){0};
		hp->next = (struct pollhook_ref){0};
		wq_wake(dst); /* the poller looks again and finds the object gone */
		h = next;
	}
	wq_free(w);
	fw_waitq_destroy(fq);
}

static void unlink_hook(struct pollhook *hp)
{
	struct wq *q = wq_get(hp->src);
	if (!q)
		return;
	struct pollhook *prev = pollhook_get(hp->prev), *next = pollhook_get(hp->next);
	if (prev)
		prev->next = hp->next;
	else
		q->hooks = hp->next;
	if (next)
		next->prev = hp->prev;
	hp->src = (struct wq_ref){0};
}

void poll_wait(struct poll_table *pt, struct wq_ref w)
{
	struct wq *q = wq_get(w);
	if (!pt || !q)
		return;
	pt->gen += q->gen;
	if (!pt->add || !wq_ref_valid(pt->self))
		return;
	struct pollhook_ref h;
	if (pollhook_alloc(&h)) {
		pt->err = -ENOMEM;
		return;
	}
	struct pollhook *hp = pollhook_get(h);
	hp->src = w;
	hp->dst = pt->self;
	hp->exclusive = pt->exclusive;
	hp->next = q->hooks;
	hp->owner_next = pt->hooks;
	struct pollhook *first = pollhook_get(q->hooks);
	if (first)
		first->prev = h;
	q->hooks = h;
	pt->hooks = h;
}

void poll_hooks_release(struct pollhook_ref chain)
{
	while (pollhook_ref_valid(chain)) {
		struct pollhook *hp = pollhook_get(chain);
		struct pollhook_ref next = hp->owner_next;
		unlink_hook(hp);
		pollhook_free(chain);
		chain = next;
	}
}
