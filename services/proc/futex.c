/* Futexes: sleeping on a user address. Layer: services (safe C).
 * Waiters are keyed by (address space, user address), or, for a shared
 * futex in a MAP_SHARED area, by (frame, offset in the frame) so that
 * processes mapping the same memory meet (Linux's shared futex key). On this
 * uniprocessor, non-preemptive kernel nothing runs between reading the
 * futex word and going to sleep, so a wake cannot be lost. */
#include "proc/futex.h"
#include "proc/proc.h"
#include <fw/user.h>

FW_POOL_REF(futex_waiter);
struct futex_waiter {
	uint64_t key_a, key_b;
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

/* Compute the key of the futex word at addr (faulting it in). */
static int futex_key(uint64_t addr, bool shared, uint64_t *ka, uint64_t *kb)
{
	if (addr & 3)
		return -EINVAL;
	struct proc *p = cur_proc();
	struct mm_ref m = p->mm;
	*ka = ((uint64_t)m.idx << 32) | m.gen;
	*kb = addr;
	if (!shared || !mm_addr_shared(m, addr))
		return 0;
	uint32_t v;
	if (fw_copy_from_user(&v, fw_uaddr(addr)))
		return -EFAULT;
	struct fw_vm_page pg;
	struct mm *mp = mm_get(cur_proc()->mm);
	if (!mp || fw_vm_lookup(mp->vm, addr & ~4095ULL, &pg) || !pg.present)
		return -EFAULT;
	*ka = ((uint64_t)pg.frame.pfn << 32) | pg.frame.gen;
	*kb = (addr & 4095) | (1ULL << 63);
	return 0;
}

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

int futex_wait(uint64_t addr, uint32_t val, uint64_t deadline_ns, uint32_t bitset, bool shared)
{
	if (addr & 3)
		return -EINVAL;
	if (bitset == 0)
		return -EINVAL;
	uint64_t ka, kb;
	int e = futex_key(addr, shared, &ka, &kb);
	if (e)
		return e;
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
	wp->key_a = ka;
	wp->key_b = kb;
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

static int wake_key(uint64_t ka, uint64_t kb, int32_t n, uint32_t bitset)
{
	int woke = 0;
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c) && woke < n;) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (!w->woken && w->key_a == ka && w->key_b == kb && (w->bitset & bitset)) {
			w->woken = true;
			fw_waitq_wake_all(w->q);
			woke++;
		}
		c = w->next;
	}
	return woke;
}

int futex_wake_bitset(uint64_t addr, int32_t n, uint32_t bitset, bool shared)
{
	if (bitset == 0)
		return -EINVAL;
	uint64_t ka, kb;
	int e = futex_key(addr, shared, &ka, &kb);
	if (e)
		return e;
	return wake_key(ka, kb, n, bitset);
}

int futex_wake_addr(uint64_t addr, int32_t n) { return futex_wake_bitset(addr, n, 0xffffffff, false); }

int futex_requeue(uint64_t addr, int32_t nwake, uint64_t addr2, int32_t nmove, bool shared)
{
	uint64_t ka, kb, ka2, kb2;
	int e = futex_key(addr, shared, &ka, &kb);
	if (e == 0)
		e = futex_key(addr2, shared, &ka2, &kb2);
	if (e)
		return e;
	int woke = wake_key(ka, kb, nwake, 0xffffffff);
	int moved = 0;
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c) && moved < nmove;) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (!w->woken && w->key_a == ka && w->key_b == kb) {
			w->key_a = ka2;
			w->key_b = kb2;
			w->addr = addr2;
			moved++;
		}
		c = w->next;
	}
	return woke + moved;
}

/* FUTEX_WAKE_OP: *addr2 = op(*addr2, oparg); wake n on addr and, if the
 * old value compares true, n2 on addr2. Nothing runs in between on this
 * uniprocessor, non-preemptive kernel, so the update is atomic. */
static int32_t sext12(uint32_t v) { return (v & 0x800) ? (int32_t)v - 0x1000 : (int32_t)v; }

int futex_wake_op(uint64_t addr, int32_t n, uint64_t addr2, int32_t n2, uint32_t enc, bool shared)
{
	uint32_t op = (enc >> 28) & 0xf, cmp = (enc >> 24) & 0xf;
	int32_t oparg = sext12((enc >> 12) & 0xfff), cmparg = sext12(enc & 0xfff);
	if (op & 8)
		oparg = (int32_t)(1u << ((uint32_t)oparg & 31));
	op &= 7;
	if (op > 4 || cmp > 5)
		return -ENOSYS;
	if (addr2 & 3)
		return -EINVAL;
	int32_t old;
	if (fw_copy_from_user(&old, fw_uaddr(addr2)))
		return -EFAULT;
	int32_t nv = op == 0 ? oparg : op == 1 ? old + oparg : op == 2 ? (old | oparg) : op == 3 ? (old & ~oparg)
													: (old ^ oparg);
	if (fw_copy_to_user(fw_uaddr(addr2), &nv))
		return -EFAULT;
	int r = futex_wake_bitset(addr, n, 0xffffffff, shared);
	if (r < 0)
		return r;
	bool hit = cmp == 0 ? old == cmparg : cmp == 1 ? old != cmparg : cmp == 2 ? old < cmparg
		 : cmp == 3 ? old <= cmparg : cmp == 4 ? old > cmparg : old >= cmparg;
	if (hit) {
		int r2 = futex_wake_bitset(addr2, n2, 0xffffffff, shared);
		if (r2 > 0)
			r += r2;
	}
	return r;
}
