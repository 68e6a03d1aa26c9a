/* Keel framework public API — typed object pools with generation-checked
 * handles. The temporal-safety mechanism for services.
 *
 * Layer: framework (trusted). FW_POOL_DECLARE/FW_POOL_DEFINE are trusted
 * macros: their expansion is framework code (the checker judges it by
 * spelling location), so the one cast they contain is reviewed here.
 *
 *   FW_POOL_DECLARE(proc, struct proc);   // in a header: handle type + API
 *   FW_POOL_DEFINE(proc, struct proc);    // in one .c file: the storage
 *
 * generates
 *   struct proc_ref { uint32_t idx, gen; };      plain data, may be stored
 *   int proc_alloc(struct proc_ref *out);       0, -ENOMEM; object zeroed
 *   struct proc *proc_get(struct proc_ref r);   borrowed pointer or NULL if stale
 *   void proc_free(struct proc_ref r);          bumps the generation
 *
 * Safety contract:
 *  - A pool's memory is type-stable: an object's storage is only ever reused
 *    for another object of the same pool, so a borrowed pointer used after
 *    a free reaches a zeroed or re-allocated object of the same type — a
 *    logic error, never a type confusion or a wild access.
 *  - Handles are {index, generation}; a stale or forged handle resolves to
 *    NULL. The zero handle is never valid.
 *  - Objects are at most FW_PAGE_SIZE (4096) bytes (static assert).
 *  - Borrowed pointers live in locals only (enforced by the checker's
 *    stored-pointer rule).
 */
#ifndef FW_POOL_H
#define FW_POOL_H

#include <fw/types.h>

struct FW_SEALED fw_pool {
	uint32_t objsize;
	const char *name;
	void *impl; /* framework-private state */
};

/* Called only from the pool macros (not FW_API: services cannot call them
 * directly, so they cannot pass a size that disagrees with the type). */
FW_MACRO_API int fw_pool_alloc(struct fw_pool *p, uint32_t *idx, uint32_t *gen);
FW_MACRO_API void *fw_pool_get(struct fw_pool *p, uint32_t idx, uint32_t gen);
FW_MACRO_API void fw_pool_free(struct fw_pool *p, uint32_t idx, uint32_t gen);
FW_API uint32_t fw_pool_count(const struct fw_pool *p);

#define FW_POOL_DECLARE(name, type)                                                                        \
	struct name##_ref {                                                                                \
		uint32_t idx;                                                                              \
		uint32_t gen;                                                                              \
	};                                                                                                 \
	FW_MUST_CHECK int name##_alloc(struct name##_ref *out);                                            \
	type *name##_get(struct name##_ref r);                                                             \
	void name##_free(struct name##_ref r);                                                             \
	bool name##_ref_valid(struct name##_ref r);                                                        \
	uint32_t name##_count(void)

#define FW_POOL_DEFINE(name, type) FW_POOL_BODY_(name, type, )

/* A pool used by one file only: storage and static inline functions (no
 * prototypes to share). Declare the handle first with FW_POOL_REF(name). */
#define FW_POOL_PRIVATE(name, type) FW_POOL_BODY_(name, type, static inline __attribute__((unused)))

/* The handle type alone (FW_POOL_DECLARE includes it; a private pool whose
 * objects link to each other declares it first). */
#define FW_POOL_REF(name)                                                                                  \
	struct name##_ref {                                                                                \
		uint32_t idx;                                                                              \
		uint32_t gen;                                                                              \
	}

#define FW_POOL_BODY_(name, type, sc)                                                                      \
	_Static_assert(sizeof(type) <= FW_PAGE_SIZE, "pool objects are at most one page");                         \
	__attribute__((annotate("keel_trusted"))) static struct fw_pool name##_pool = {sizeof(type), #name, NULL}; \
	sc int name##_alloc(struct name##_ref *out) { return fw_pool_alloc(&name##_pool, &out->idx, &out->gen); } \
	/* SAFETY: the pool was created with sizeof(type) and only ever holds \
	 * objects of this type, so the cast restores the slot's real type. */ \
	sc type *name##_get(struct name##_ref r) { return (type *)fw_pool_get(&name##_pool, r.idx, r.gen); } \
	sc void name##_free(struct name##_ref r) { fw_pool_free(&name##_pool, r.idx, r.gen); }             \
	sc bool name##_ref_valid(struct name##_ref r) { return fw_pool_get(&name##_pool, r.idx, r.gen) != NULL; } \
	sc uint32_t name##_count(void) { return fw_pool_count(&name##_pool); }

/* A mutable global for services. Sound because the kernel is uniprocessor
 * and non-preemptive and service code never runs in interrupt context, so
 * no two service activations touch it concurrently.
 *
 *   FW_GLOBAL(struct proc_table, proc_table);  // proc_table() -> borrowed pointer
 */
#define FW_GLOBAL(type, name)                                                                              \
	__attribute__((annotate("keel_trusted"))) static type name##_storage;                            \
	static inline type *name(void) { return &name##_storage; }

#endif
