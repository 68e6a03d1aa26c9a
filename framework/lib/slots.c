/* Generation-checked slot tables. Layer: framework/lib (trusted). */
#include "internal/slots.h"
#include "internal/mm.h"
#include "internal/arch.h"
#include <abi/errno.h>

static struct slot *slot_at(struct slots *s, uint32_t idx)
{
	return &s->chunk[idx / SLOTS_PER_CHUNK][idx % SLOTS_PER_CHUNK];
}

static int grow(struct slots *s)
{
	uint32_t c = s->nslots / SLOTS_PER_CHUNK;
	if (c >= SLOT_CHUNKS)
		return -EAGAIN;
	struct slot *chunk = kalloc(SLOTS_PER_CHUNK * sizeof(struct slot));
	if (!chunk)
		return -ENOMEM;
	s->chunk[c] = chunk;
	for (uint32_t i = SLOTS_PER_CHUNK; i > 0; i--) {
		uint32_t idx = c * SLOTS_PER_CHUNK + i - 1;
		if (idx == 0)
			continue;
		chunk[i - 1].next_free = s->free_head;
		s->free_head = idx;
	}
	s->nslots += SLOTS_PER_CHUNK;
	return 0;
}

int slots_add(struct slots *s, void *ptr, uint32_t *idx, uint32_t *gen)
{
	bool was = irq_save();
	if (s->limit && s->used >= s->limit) {
		irq_restore(was);
		return -EAGAIN;
	}
	if (!s->free_head) {
		int r = grow(s);
		if (r < 0 || !s->free_head) {
			irq_restore(was);
			return r < 0 ? r : -ENOMEM;
		}
	}
	uint32_t i = s->free_head;
	struct slot *sl = slot_at(s, i);
	s->free_head = sl->next_free;
	sl->ptr = ptr;
	sl->gen++;
	if (sl->gen == 0)
		sl->gen = 1;
	s->used++;
	*idx = i;
	*gen = sl->gen;
	irq_restore(was);
	return 0;
}

void *slots_get(struct slots *s, uint32_t idx, uint32_t gen)
{
	if (idx == 0 || idx >= s->nslots)
		return NULL;
	struct slot *sl = slot_at(s, idx);
	return sl->ptr && sl->gen == gen ? sl->ptr : NULL;
}

void *slots_remove(struct slots *s, uint32_t idx, uint32_t gen)
{
	bool was = irq_save();
	void *p = slots_get(s, idx, gen);
	if (p) {
		struct slot *sl = slot_at(s, idx);
		sl->ptr = NULL;
		sl->gen++;
		sl->next_free = s->free_head;
		s->free_head = idx;
		s->used--;
	}
	irq_restore(was);
	return p;
}
