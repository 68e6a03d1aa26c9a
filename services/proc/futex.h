/* Futexes. Layer: services (safe C). */
#ifndef SVC_PROC_FUTEX_H
#define SVC_PROC_FUTEX_H

#include <abi/errno.h>
#include <fw/types.h>

/* shared: the op lacks FUTEX_PRIVATE_FLAG (MAP_SHARED memory is keyed by
 * frame, so waiters in different processes meet). */
int futex_wait(uint64_t addr, uint32_t val, uint64_t deadline_ns, uint32_t bitset, bool shared);
int futex_wake_bitset(uint64_t addr, int32_t n, uint32_t bitset, bool shared);
/* futex_waitv: sleep until one of n futexes (n <= FUTEX_WAITV_MAX) is
 * woken; each still holds its expected value or -EAGAIN. Returns the
 * index of a woken one, -ETIMEDOUT, -EINTR, -EFAULT. */
#define FUTEX_WAITV_MAX 128
struct futex_vec {
	uint64_t addr[FUTEX_WAITV_MAX];
	uint32_t val[FUTEX_WAITV_MAX];
	bool shared[FUTEX_WAITV_MAX];
	uint32_t n;
};
int futex_wait_multiple(const struct futex_vec *v, uint64_t deadline_ns);
/* A private wake (thread exit: CLONE_CHILD_CLEARTID). */
int futex_wake_addr(uint64_t addr, int32_t n);
/* FUTEX_REQUEUE, and FUTEX_CMP_REQUEUE when cmpval is given (-EAGAIN
 * unless *addr still holds it). */
int futex_requeue(uint64_t addr, int32_t nwake, uint64_t addr2, int32_t nmove, bool shared, const uint32_t *cmpval);
int futex_wake_op(uint64_t addr, int32_t n, uint64_t addr2, int32_t n2, uint32_t enc, bool shared);
/* PI futexes: take (or, trylock, try) the lock at addr; deadline absolute
 * monotonic ns (0: none); 0, -EDEADLK, -ESRCH, -EAGAIN (trylock),
 * -ETIMEDOUT, -EINTR. */
int futex_lock_pi(uint64_t addr, uint64_t deadline_ns, bool trylock, bool shared);
/* Release it: the oldest waiter becomes the owner; -EPERM if not ours. */
int futex_unlock_pi(uint64_t addr, bool shared);
/* A thread exited: PI waiters check whether their owner still lives. */
void futex_pi_owner_gone(void);
/* Walk an exiting thread's robust list (set_robust_list): each lock it
 * still holds gets FUTEX_OWNER_DIED and a waiter is woken. */
void futex_robust_exit(uint64_t head, uint64_t len, int32_t tid);

#endif
