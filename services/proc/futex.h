/* Futexes. Layer: services (safe C). */
#ifndef SVC_PROC_FUTEX_H
#define SVC_PROC_FUTEX_H

#include <fw/types.h>

int futex_wait(uint64_t addr, uint32_t val, uint64_t deadline_ns, uint32_t bitset);
int futex_wake_bitset(uint64_t addr, int32_t n, uint32_t bitset);
int futex_wake_addr(uint64_t addr, int32_t n);
int futex_requeue(uint64_t addr, int32_t nwake, uint64_t addr2, int32_t nmove);

#endif
