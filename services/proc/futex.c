/* Futexes: sleeping on a user address. Layer: services (safe C).
 * Waiters are keyed by (address space, user address). On this
 * uniprocessor, non-preemptive kernel nothing runs between reading the
 * futex word and going to sleep, so a wake cannot be lost. */
#include "proc/futex.h"
#include "proc/proc.h"
#include <fw/user.h>

FW_POOL_REF(futex_waiter);
struct futex_waiter {
	struct mm_ref mm;
	uint64_t addr;
	uint32_t bitset;
	bool woken;
	struct fw_waitq_ref q;
	struct futex_waiter_ref next;
};
FW_POOL_PRIVATE(futex_waiter, struct futex_waiter);

struct futex_table {
	struct futex_waiter_ref head;
};
FW_GLOBAL(struct futex_table, futexes);

static bool same_mm(struct mm_ref a, struct mm_ref b) { return a.idx == b.idx && a.gen == b.gen; }

static void unlink_waiter(struct futex_waiter_ref w)
{
	struct futex_waiter_ref prev = {0};
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c);) {
		struct futex_waiter *cw = futex_waiter_get(c);
		if (c.idx == w.idx && c.gen == w.gen) {
			if (futex_waiter_ref_valid(prev))
				futex_waiter_get(prev)->next = cw->next;
			else
				futexes()->head = cw->next;
			return;
		}
		prev = c;
		c = cw->next;
	}
}

int futex_wait(uint64_t addr, uint32_t val, uint64_t deadline_ns, uint32_t bitset)
{
	if (addr & 3)
		return -EINVAL;
	if (bitset == 0)
		return -EINVAL;
	uint32_t cur;
	if (fw_copy_from_user(&cur, fw_uaddr(addr)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	struct futex_waiter_ref w;
	if (futex_waiter_alloc(&w))
		return -ENOMEM;
	struct futex_waiter *wp = futex_waiter_get(w);
	if (fw_waitq_create(&wp->q)) {
		futex_waiter_free(w);
		return -ENOMEM;
	}
	wp->mm = cur_proc()->mm;
	wp->addr = addr;
	wp->bitset = bitset;
	wp->next = futexes()->head;
	futexes()->head = w;
	int r = fw_waitq_wait(wp->q, deadline_ns, true);
	wp = futex_waiter_get(w);
	bool woken = wp->woken;
	unlink_waiter(w);
	fw_waitq_destroy(wp->q);
	futex_waiter_free(w);
	if (woken)
		return 0;
	if (r == -ETIMEDOUT)
		return -ETIMEDOUT;
	return r == -EINTR ? -EINTR : r;
}

int futex_wake_bitset(uint64_t addr, int32_t n, uint32_t bitset)
{
	struct mm_ref mm = cur_proc()->mm;
	int woke = 0;
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c) && woke < n;) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (!w->woken && w->addr == addr && same_mm(w->mm, mm) && (w->bitset & bitset)) {
			w->woken = true;
			fw_waitq_wake_all(w->q);
			woke++;
		}
		c = w->next;
	}
	return woke;
}

int futex_wake_addr(uint64_t addr, int32_t n) { return futex_wake_bitset(addr, n, 0xffffffff); }

int futex_requeue(uint64_t addr, int32_t nwake, uint64_t addr2, int32_t nmove)
{
	struct mm_ref mm = cur_proc()->mm;
	int woke = futex_wake_addr(addr, nwake);
	int moved = 0;
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c) && moved < nmove;) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (!w->woken && w->addr == addr && same_mm(w->mm, mm)) {
			w->addr = addr2;
			moved++;
		}
		c = w->next;
	}
	return woke + moved;
}
