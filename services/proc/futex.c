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
	bool shared_q; /* futex_waitv: one queue for several waiters, destroyed by the caller */
	uint64_t addr;
	uint32_t bitset;
	bool woken;
	bool pi;      /* a FUTEX_LOCK_PI waiter (FUTEX_WAKE leaves it alone) */
	bool granted; /* FUTEX_UNLOCK_PI handed it the lock */
	int32_t tid;
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
	if (!shared)
		return 0;
	/* a shared key needs the page (Linux: get_user_pages), private or not */
	uint32_t v;
	if (fw_copy_from_user(&v, fw_uaddr(addr)))
		return -EFAULT;
	if (!mm_addr_shared(m, addr))
		return 0;
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

/* futex_waitv's keys and waiters (too big for a kernel stack frame). */
FW_POOL_REF(waitv_state);
struct waitv_state {
	uint64_t ka[FUTEX_WAITV_MAX], kb[FUTEX_WAITV_MAX];
	struct futex_waiter_ref w[FUTEX_WAITV_MAX];
};
FW_POOL_PRIVATE(waitv_state, struct waitv_state);

static int waitv_sleep(const struct futex_vec *v, struct waitv_state_ref sr, uint64_t deadline_ns)
{
	struct waitv_state *st = waitv_state_get(sr);
	for (uint32_t i = 0; i < v->n; i++) {
		uint64_t a, b;
		int e = futex_key(v->addr[i], v->shared[i], &a, &b);
		if (e)
			return e;
		st = waitv_state_get(sr);
		st->ka[i] = a;
		st->kb[i] = b;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		uint32_t cur;
		if (fw_copy_from_user(&cur, fw_uaddr(v->addr[i])))
			return -EFAULT;
		if (cur != v->val[i])
			return -EAGAIN;
	}
	struct fw_waitq_ref q;
	if (fw_waitq_create(&q))
		return -ENOMEM;
	uint32_t made = 0;
	int r = 0;
	for (; made < v->n; made++) {
		struct futex_waiter_ref nw;
		if (futex_waiter_alloc(&nw)) {
			r = -ENOMEM;
			break;
		}
		st = waitv_state_get(sr);
		st->w[made] = nw;
		struct futex_waiter *wp = futex_waiter_get(nw);
		wp->key_a = st->ka[made];
		wp->key_b = st->kb[made];
		wp->addr = v->addr[made];
		wp->bitset = 0xffffffff;
		wp->q = q;
		wp->shared_q = true;
		wp->next = futexes()->head;
		futexes()->head = nw;
	}
	int woken = -1;
	while (r == 0) {
		r = fw_waitq_wait(q, deadline_ns, true);
		st = waitv_state_get(sr);
		for (uint32_t i = 0; i < made && woken < 0; i++) {
			struct futex_waiter *wp = futex_waiter_get(st->w[i]);
			if (wp && wp->woken)
				woken = (int)i;
		}
		if (woken >= 0)
			break;
	}
	st = waitv_state_get(sr);
	for (uint32_t i = 0; i < made; i++) {
		unlink_waiter(st->w[i]);
		futex_waiter_free(st->w[i]);
	}
	fw_waitq_destroy(q);
	if (woken >= 0)
		return woken;
	return r == -ETIMEDOUT || r == -ENOMEM ? r : -EINTR;
}

int futex_wait_multiple(const struct futex_vec *v, uint64_t deadline_ns)
{
	if (v->n == 0 || v->n > FUTEX_WAITV_MAX)
		return -EINVAL;
	struct waitv_state_ref sr;
	if (waitv_state_alloc(&sr))
		return -ENOMEM;
	int r = waitv_sleep(v, sr, deadline_ns);
	waitv_state_free(sr);
	return r;
}

static int wake_key(uint64_t ka, uint64_t kb, int32_t n, uint32_t bitset)
{
	int woke = 0;
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c) && woke < n;) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (w->pi && w->key_a == ka && w->key_b == kb)
			return -EINVAL; /* FUTEX_WAKE on a PI futex */
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

/* --- priority-inheritance futexes -------------------------------------
 * The word holds the owner's tid, FUTEX_WAITERS and FUTEX_OWNER_DIED (the
 * protocol of futex(2)). A locker that finds it taken sets FUTEX_WAITERS
 * and sleeps as a PI waiter of the key; FUTEX_UNLOCK_PI hands the lock to
 * the oldest waiter (word = its tid | FUTEX_WAITERS: Linux keeps the bit
 * while waiters may remain). Keel has no priorities to inherit: ownership,
 * hand-over and errors are Linux's, the boost is not. When an owner
 * exits, its PI waiters look again: an owner that no longer exists hands
 * the lock over (with FUTEX_OWNER_DIED if the robust list set it). */
#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu

static bool tid_alive(uint32_t tid)
{
	if (tid == 0 || tid >= PID_MAX)
		return false;
	struct thread *t = thread_get(pid_lookup((int32_t)tid));
	return t && !t->exiting && t->tid == (int32_t)tid;
}

/* One attempt: 0 taken, 1 must wait (FUTEX_WAITERS now set), or an error.
 * A dead owner is an error (-ESRCH) before we waited and a hand-over after
 * (Linux then already holds PI state for the lock). */
static int pi_try(uint64_t addr, int32_t me, bool waited, bool others)
{
	uint32_t v;
	if (fw_copy_from_user(&v, fw_uaddr(addr)))
		return -EFAULT;
	uint32_t owner = v & FUTEX_TID_MASK;
	if (owner == (uint32_t)me)
		return -EDEADLK;
	if (owner == 0 || (waited && !tid_alive(owner))) {
		uint32_t nv = (uint32_t)me | (v & FUTEX_OWNER_DIED) | (others ? FUTEX_WAITERS : 0);
		return fw_copy_to_user(fw_uaddr(addr), &nv) ? -EFAULT : 0;
	}
	if (!tid_alive(owner))
		return -ESRCH;
	if (!(v & FUTEX_WAITERS)) {
		v |= FUTEX_WAITERS;
		if (fw_copy_to_user(fw_uaddr(addr), &v))
			return -EFAULT;
	}
	return 1;
}

static bool same(struct futex_waiter_ref a, struct futex_waiter_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* Another PI waiter of the key than `skip` (which may be none). */
static bool pi_waiters(uint64_t ka, uint64_t kb, struct futex_waiter_ref skip)
{
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c); c = futex_waiter_get(c)->next) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (w->pi && !w->granted && w->key_a == ka && w->key_b == kb && !same(c, skip))
			return true;
	}
	return false;
}

static int pi_sleep(uint64_t addr, uint64_t ka, uint64_t kb, uint64_t deadline_ns, int32_t me)
{
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
	wp->pi = true;
	wp->tid = me;
	wp->next = futexes()->head;
	futexes()->head = w;
	int e;
	for (;;) {
		int r = fw_waitq_wait(futex_waiter_get(w)->q, deadline_ns, true);
		if (futex_waiter_get(w)->granted) {
			e = 0;
			break;
		}
		e = pi_try(addr, me, true, pi_waiters(ka, kb, w));
		if (e <= 0)
			break;
		if (r == -ETIMEDOUT || r == -EINTR) {
			e = r;
			break;
		}
	}
	wp = futex_waiter_get(w);
	unlink_waiter(w);
	fw_waitq_destroy(wp->q);
	futex_waiter_free(w);
	return e;
}

int futex_lock_pi(uint64_t addr, uint64_t deadline_ns, bool trylock, bool shared)
{
	uint64_t ka, kb;
	int e = futex_key(addr, shared, &ka, &kb);
	if (e)
		return e;
	int32_t me = cur_thread()->tid;
	struct futex_waiter_ref none = {0};
	e = pi_try(addr, me, false, pi_waiters(ka, kb, none));
	if (e <= 0)
		return e;
	if (trylock)
		return -EAGAIN;
	return pi_sleep(addr, ka, kb, deadline_ns, me);
}

int futex_unlock_pi(uint64_t addr, bool shared)
{
	uint32_t v;
	if (addr & 3)
		return -EINVAL;
	if (fw_copy_from_user(&v, fw_uaddr(addr)))
		return -EFAULT;
	if ((v & FUTEX_TID_MASK) != (uint32_t)cur_thread()->tid)
		return -EPERM;
	uint64_t ka, kb;
	int e = futex_key(addr, shared, &ka, &kb);
	if (e)
		return e;
	/* the oldest waiter: the list is newest first, so the last match */
	struct futex_waiter_ref next = {0};
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c); c = futex_waiter_get(c)->next) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (w->pi && !w->granted && w->key_a == ka && w->key_b == kb)
			next = c;
	}
	struct futex_waiter *w = futex_waiter_get(next);
	uint32_t nv = w ? FUTEX_WAITERS | (uint32_t)w->tid : 0;
	if (fw_copy_to_user(fw_uaddr(addr), &nv))
		return -EFAULT;
	if (w) {
		w->granted = true;
		fw_waitq_wake_all(w->q);
	}
	return 0;
}

void futex_pi_owner_gone(void)
{
	for (struct futex_waiter_ref c = futexes()->head; futex_waiter_ref_valid(c); c = futex_waiter_get(c)->next) {
		struct futex_waiter *w = futex_waiter_get(c);
		if (w->pi)
			fw_waitq_wake_all(w->q);
	}
}

/* --- robust futex lists ------------------------------------------------
 * struct robust_list_head { next; long futex_offset; list_op_pending; }
 * in user memory; each entry's `next` has bit 0 set for a PI futex. For
 * every lock the dead thread still owns: FUTEX_OWNER_DIED, the tid
 * cleared, and for a non-PI futex with waiters one of them woken (PI
 * waiters look again through futex_pi_owner_gone). Linux's walk limit and
 * its rule for the pending entry (a zero word: wake one) apply. */
#define ROBUST_LIMIT 2048

static void futex_death(uint64_t uaddr, int32_t tid, bool pi, bool pending)
{
	uint32_t v;
	if ((uaddr & 3) || fw_copy_from_user(&v, fw_uaddr(uaddr)))
		return;
	if (pending && !pi && v == 0) {
		(void)futex_wake_bitset(uaddr, 1, 0xffffffff, true);
		return;
	}
	if ((v & FUTEX_TID_MASK) != (uint32_t)tid)
		return;
	uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (fw_copy_to_user(fw_uaddr(uaddr), &nv))
		return;
	if (!pi && (v & FUTEX_WAITERS))
		(void)futex_wake_bitset(uaddr, 1, 0xffffffff, true);
}

struct robust_head {
	uint64_t next;
	int64_t futex_offset;
	uint64_t pending;
};

void futex_robust_exit(uint64_t head, uint64_t len, int32_t tid)
{
	struct robust_head h;
	if (!head || len != sizeof(h) || fw_copy_from_user(&h, fw_uaddr(head)))
		return;
	uint64_t entry = h.next & ~1ULL, pending = h.pending & ~1ULL;
	bool pi = (h.next & 1) != 0, pending_pi = (h.pending & 1) != 0;
	for (uint32_t n = 0; entry != head && n < ROBUST_LIMIT; n++) {
		uint64_t next;
		int rc = fw_copy_from_user(&next, fw_uaddr(entry));
		if (entry != pending)
			futex_death(entry + (uint64_t)h.futex_offset, tid, pi, false);
		if (rc)
			break;
		pi = (next & 1) != 0;
		entry = next & ~1ULL;
	}
	if (pending)
		futex_death(pending + (uint64_t)h.futex_offset, tid, pending_pi, true);
}


int futex_wake_addr(uint64_t addr, int32_t n) { return futex_wake_bitset(addr, n, 0xffffffff, false); }

int futex_requeue(uint64_t addr, int32_t nwake, uint64_t addr2, int32_t nmove, bool shared, const uint32_t *cmpval)
{
	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	uint64_t ka, kb, ka2, kb2;
	int e = futex_key(addr, shared, &ka, &kb);
	if (e == 0)
		e = futex_key(addr2, shared, &ka2, &kb2);
	if (e)
		return e;
	if (cmpval) {
		uint32_t cur;
		if (fw_copy_from_user(&cur, fw_uaddr(addr)))
			return -EFAULT;
		if (cur != *cmpval)
			return -EAGAIN;
	}
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
