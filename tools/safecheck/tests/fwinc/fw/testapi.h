/* Test-only fake framework API for the safecheck corpora.
 *
 * Layer: framework (trusted) — it lives under a --framework-include
 * directory, so the checker treats everything spelled here as reviewed
 * framework code, exactly as it treats framework/include/fw/*.h. It
 * declares one of each kind of thing a rule cares about.
 */
#ifndef FW_TESTAPI_H
#define FW_TESTAPI_H

#include <fw/annot.h>

#define NULL ((void *)0)
typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef unsigned long uint64_t;
typedef unsigned int uint32_t;
typedef unsigned short uint16_t;
typedef unsigned char uint8_t;
typedef int int32_t;
typedef _Bool bool;

/* sealed: services may embed it and pass pointers, nothing else */
struct FW_SEALED fw_waitq {
	struct fw_waitq *next;
	uint32_t gen;
};

/* the length travels with the data; only the framework allocator sets it */
struct fw_bytes {
	const uint32_t len;
	uint8_t data[] __attribute__((counted_by(len)));
};

/* not sealed, holds a pointer: a service may not get a pointer to one */
struct fw_named {
	const char *name;
	uint32_t v;
};

typedef struct { uint64_t addr; } uaddr_t;
struct proc;
struct proc_ref { uint32_t idx, gen; };

FW_API int fw_safe_add(int a, int b);
FW_API void fw_waitq_wake(struct fw_waitq *q);
FW_API void fw_use_ints(const int *p, size_t n);
FW_API void fw_fill_u32(uint32_t *p);
FW_API struct fw_bytes *fw_bytes_get(int handle);
FW_API uint8_t fw_bytes_at(const struct fw_bytes *b, uint32_t i);
FW_API int fw__copy_from_user(void *dst FW_POD_DST, uaddr_t src, size_t n) FW_MUST_CHECK;
FW_API void fw_printk(const char *fmt, ...) FW_FORMAT(1, 2);
FW_API struct proc *proc_get(struct proc_ref r);
FW_API FW_NORETURN void fw_panic(const char *msg);

/* macro-only: the macro supplies the capacity from the type */
FW_MACRO_API int fw_read_raw(void *FW_POD_DST dst, size_t cap, size_t n);
#define fw_read(dstp, n) fw_read_raw((void *)(dstp), sizeof(*(dstp)), (n))

/* an upcall: the framework calls it, a service defines it */
struct fw_fault {
	uint64_t vector, error, addr;
};
FW_UPCALL void svc_on_fault(const struct fw_fault *f);

/* not FW_API: framework internals */
int fw_internal_poke(uint64_t addr, uint64_t val);
extern int fw_internal_counter;

/* trusted macros: their bodies are framework code */
#define fw_copy_from_user(dst, src) fw__copy_from_user((dst), (src), sizeof(*(dst)))
#define FW_POKE_SCRATCH(v) fw_internal_poke((uint64_t)(uintptr_t)(void *)0, (v))
#define FW_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FW_WAITQ_INIT {0}
/* a char array and its size, for %.*s */
#define FW_STR(arr) (int)sizeof(arr), (arr)

FW_API static inline int fw_inline_helper(const int *p)
{
	/* framework inline code may do anything; not checked */
	return p ? *(const int *)(const void *)p : 0;
}

#endif
