/* System call table and handlers. Layer: services (safe C).
 * The table is data: syscalls.def lists every implemented number with its
 * handler and status; everything else returns -ENOSYS. Each handler
 * decodes and checks its arguments first, then acts. */
#ifndef SVC_SYSCALL_SYSCALL_H
#define SVC_SYSCALL_SYSCALL_H

#include "proc/proc.h"
#include "syscall/syscalls.tbl.h"
#include <fw/task.h>

typedef int64_t (*sys_fn)(struct fw_uregs *r);

#define SYSCALL_PROTO(nr, name, status) int64_t sys_##name(struct fw_uregs *r);
SYSCALL_LIST(SYSCALL_PROTO)

static inline uint64_t a0(const struct fw_uregs *r) { return r->rdi; }
static inline uint64_t a1(const struct fw_uregs *r) { return r->rsi; }
static inline uint64_t a2(const struct fw_uregs *r) { return r->rdx; }
static inline uint64_t a3(const struct fw_uregs *r) { return r->r10; }
static inline uint64_t a4(const struct fw_uregs *r) { return r->r8; }
static inline uint64_t a5(const struct fw_uregs *r) { return r->r9; }

void syscall_dispatch_table(struct fw_uregs *r);
/* restart_syscall(2) continuations (see signal_restart_block). */
int64_t nanosleep_resume(const struct restart_block *b);
int64_t poll_resume(const struct restart_block *b);
int64_t futex_resume(const struct restart_block *b);
/* A process's resource limit (RLIM_* index), Linux's default if never set. */
struct linux_rlimit rlimit_of(const struct proc *p, uint64_t res);
/* The kernel time zone settimeofday set (gettimeofday reports it). */
struct linux_timezone {
	int32_t minuteswest, dsttime;
};
void kernel_tz(struct linux_timezone *out);
/* madvise(2) on address space m (process_madvise(2) too). */
int64_t madvise_in(struct mm_ref m, uint64_t addr, uint64_t len, uint64_t advice);
/* mprotect(2) with a protection key (-1: none), pkey_mprotect(2). */
int64_t mprotect_pkey(uint64_t addr, uint64_t len, uint64_t prot, int32_t pkey);
/* clone's CLONE_PIDFD: a pidfd for the new child (thread: CLONE_THREAD),
 * its number stored at uptr. */
int pidfd_for_child(int32_t pid, bool thread, uint64_t uptr);
/* prctl's capability options (sys_caps.c); -EINVAL for any other option. */
int64_t prctl_caps(struct fw_uregs *r);

#endif
