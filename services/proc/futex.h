/* Futexes. Layer: services (safe C). */
#ifndef SVC_PROC_FUTEX_H
#define SVC_PROC_FUTEX_H

#include <fw/types.h>

/* shared: the op lacks FUTEX_PRIVATE_FLAG (MAP_SHARED memory is keyed by
 * frame, so waiters in different processes meet). */
int futex_wait(uint64_t addr, uint32_t val, uint64_t deadline_ns, uint32_t bitset, bool shared);
int futex_wake_bitset(uint64_t addr, int32_t n, uint32_t bitset, bool shared);
/* A private wake (thread exit: CLONE_CHILD_CLEARTID). */
int futex_wake_addr(uint64_t addr, int32_t n);
int futex_requeue(uint64_t addr, int32_t nwake, uint64_t addr2, int32_t nmove, bool shared);
int futex_wake_op(uint64_t addr, int32_t n, uint64_t addr2, int32_t n2, uint32_t enc, bool shared);

#endif
