/* futex(2): decode the operation and its arguments, then call proc/futex.
 * Layer: services (safe C).
 *
 * PI locking (FUTEX_LOCK_PI, LOCK_PI2, TRYLOCK_PI, UNLOCK_PI) lives in
 * proc/futex.c; FUTEX_WAIT_REQUEUE_PI and FUTEX_CMP_REQUEUE_PI (glibc
 * condition variables on PI mutexes before 2.25) give -ENOSYS.
 *
 * Restart rules (Linux): an untimed FUTEX_WAIT interrupted by a signal
 * returns -ERESTARTSYS (restarted under SA_RESTART); a timed one
 * -ERESTART_RESTARTBLOCK, so a handler always sees EINTR and a stop and
 * continue resumes it with the same absolute deadline. */
#include "proc/futex.h"
#include "proc/signal.h"
#include "syscall/syscall.h"
#include <fw/time.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128u
#define FUTEX_CLOCK_REALTIME 256u
#define FUTEX_BITSET_ANY 0xffffffffu

/* timeout -> absolute monotonic deadline (0: none). FUTEX_WAIT's timeout
 * is relative; FUTEX_WAIT_BITSET's is absolute on the chosen clock. */
static int futex_deadline(uint64_t uts, uint32_t op, bool realtime, uint64_t *deadline)
{
	*deadline = 0;
	if (!uts)
		return 0;
	uint64_t ns;
	int e = timespec_from_user(uts, &ns);
	if (e)
		return e;
	uint64_t now = fw_time_monotonic_ns();
	if (op == FUTEX_WAIT) {
		*deadline = ns > UINT64_MAX - now ? UINT64_MAX : now + ns;
	} else if (realtime) {
		uint64_t rt = fw_time_realtime_ns();
		*deadline = ns > rt ? now + (ns - rt) : 1;
	} else {
		*deadline = ns ? ns : 1;
	}
	return 0;
}

/* Wait, and turn an interruption into the right restart code. */
static int64_t wait_restartable(uint64_t addr, uint32_t val, uint64_t deadline, uint32_t bitset, bool shared)
{
	int e = futex_wait(addr, val, deadline, bitset, shared);
	if (e != -EINTR)
		return e;
	if (!deadline)
		return -ERESTARTSYS;
	return signal_restart_block(RESTART_FUTEX, deadline, addr, val, bitset, shared);
}

int64_t futex_resume(const struct restart_block *b)
{
	return wait_restartable(b->arg[0], (uint32_t)b->arg[1], b->deadline, (uint32_t)b->arg[2], b->arg[3] != 0);
}

/* FUTEX_LOCK_PI's timeout is absolute on CLOCK_REALTIME, FUTEX_LOCK_PI2's on
 * CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME; a lock is always restarted
 * after a signal (-ERESTARTNOINTR). */
static int64_t lock_pi(uint32_t op, uint64_t addr, uint64_t uts, bool realtime, bool shared)
{
	if (addr & 3)
		return -EINVAL;
	uint64_t deadline = 0;
	if (op != FUTEX_TRYLOCK_PI) {
		int e = futex_deadline(uts, FUTEX_WAIT_BITSET, op == FUTEX_LOCK_PI || realtime, &deadline);
		if (e)
			return e;
	}
	int e = futex_lock_pi(addr, deadline, op == FUTEX_TRYLOCK_PI, shared);
	return e == -EINTR ? -ERESTARTNOINTR : e;
}

int64_t sys_futex(struct fw_uregs *r)
{
	uint64_t addr = a0(r);
	uint32_t raw = (uint32_t)a1(r);
	uint32_t op = raw & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool shared = !(raw & FUTEX_PRIVATE_FLAG), realtime = (raw & FUTEX_CLOCK_REALTIME) != 0;
	uint32_t val = (uint32_t)a2(r);
	if (realtime && op != FUTEX_WAIT_BITSET && op != FUTEX_WAIT_REQUEUE_PI && op != FUTEX_LOCK_PI2)
		return -ENOSYS;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET: {
		uint64_t deadline;
		int e = futex_deadline(a3(r), op, realtime, &deadline);
		if (e)
			return e;
		return wait_restartable(addr, val, deadline, op == FUTEX_WAIT_BITSET ? (uint32_t)a5(r) : FUTEX_BITSET_ANY,
					shared);
	}
	case FUTEX_WAKE:
		return futex_wake_bitset(addr, (int32_t)val, FUTEX_BITSET_ANY, shared);
	case FUTEX_WAKE_BITSET:
		return futex_wake_bitset(addr, (int32_t)val, (uint32_t)a5(r), shared);
	case FUTEX_REQUEUE:
		return futex_requeue(addr, (int32_t)val, a4(r), (int32_t)a3(r), shared, NULL);
	case FUTEX_CMP_REQUEUE: {
		uint32_t cmp = (uint32_t)a5(r);
		return futex_requeue(addr, (int32_t)val, a4(r), (int32_t)a3(r), shared, &cmp);
	}
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
	case FUTEX_TRYLOCK_PI:
		return lock_pi(op, addr, a3(r), realtime, shared);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(addr, shared);
	case FUTEX_WAIT_REQUEUE_PI:
	case 12: /* FUTEX_CMP_REQUEUE_PI */
		return addr == a4(r) ? -EINVAL : -ENOSYS;
	case FUTEX_WAKE_OP:
		return futex_wake_op(addr, (int32_t)val, a4(r), (int32_t)a3(r), (uint32_t)a5(r), shared);
	default:
		return -ENOSYS;
	}
}

/* futex_waitv(2): struct futex_waitv { u64 val, uaddr; u32 flags, reserved; }
 * with FUTEX2_SIZE_U32 (the only size Linux takes here) and
 * FUTEX2_PRIVATE per entry; the timeout is absolute on CLOCK_MONOTONIC or
 * CLOCK_REALTIME. Checked in Linux's order. */
struct futex_waitv_u {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};
#define FUTEX2_SIZE_U32 0x02u
#define FUTEX2_SIZE_MASK 0x03u
#define FUTEX2_PRIVATE 128u
FW_POOL_REF(futex_vec);
FW_POOL_PRIVATE(futex_vec, struct futex_vec);

static int64_t waitv_read(uint64_t uw, uint32_t n, struct futex_vec *v)
{
	for (uint32_t i = 0; i < n; i++) {
		struct futex_waitv_u w;
		if (fw_copy_from_user(&w, fw_uaddr(uw + (uint64_t)i * sizeof(w))))
			return -EFAULT;
		if ((w.flags & ~(FUTEX2_SIZE_MASK | FUTEX2_PRIVATE)) || w.reserved)
			return -EINVAL;
		if ((w.flags & FUTEX2_SIZE_MASK) != FUTEX2_SIZE_U32)
			return -EINVAL;
		if ((w.uaddr & 3) || w.val > 0xffffffffULL)
			return -EINVAL;
		v->addr[i] = w.uaddr;
		v->val[i] = (uint32_t)w.val;
		v->shared[i] = !(w.flags & FUTEX2_PRIVATE);
	}
	v->n = n;
	return 0;
}

int64_t sys_futex_waitv(struct fw_uregs *r)
{
	uint64_t uw = a0(r), uts = a3(r);
	uint32_t n = (uint32_t)a1(r);
	int32_t clk = (int32_t)a4(r);
	if (a2(r))
		return -EINVAL;
	if (!uw || !n || n > FUTEX_WAITV_MAX)
		return -EINVAL;
	uint64_t deadline = 0;
	if (uts) {
		if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC)
			return -EINVAL;
		int e = futex_deadline(uts, FUTEX_WAIT_BITSET, clk == CLOCK_REALTIME, &deadline);
		if (e)
			return e;
	}
	struct futex_vec_ref vr;
	if (futex_vec_alloc(&vr))
		return -ENOMEM;
	int64_t e = waitv_read(uw, n, futex_vec_get(vr));
	if (e == 0)
		e = futex_wait_multiple(futex_vec_get(vr), deadline);
	futex_vec_free(vr);
	return e == -EINTR ? -ERESTARTSYS : e;
}
