/* Generation-checked slot tables: the mechanism behind every handle the
 * framework gives out. Layer: framework/lib (trusted, internal).
 * A slot holds a pointer and a generation; a handle {idx, gen} resolves only
 * while the slot's generation matches, so a stale handle never reaches a
 * different object. Index 0 is never used: a zeroed handle is invalid. */
#ifndef INTERNAL_SLOTS_H
#define INTERNAL_SLOTS_H

#include <fw/types.h>

#define SLOTS_PER_CHUNK 256
#define SLOT_CHUNKS 256

struct slot {
	void *ptr;
	uint32_t gen;
	uint32_t next_free;
};

struct slots {
	struct slot *chunk[SLOT_CHUNKS];
	uint32_t nslots, free_head, used, limit;
};

/* 0 and the handle on success; -ENOMEM or -EAGAIN (limit) on failure. */
int slots_add(struct slots *s, void *ptr, uint32_t *idx, uint32_t *gen);
void *slots_get(struct slots *s, uint32_t idx, uint32_t gen);
/* Remove: bumps the generation. Returns the pointer or NULL if stale. */
void *slots_remove(struct slots *s, uint32_t idx, uint32_t gen);

#endif
