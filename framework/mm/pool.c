/* Typed object pools. Layer: framework/mm (trusted).
 * Slot i of a pool owns object i for the life of the kernel: freeing bumps
 * the slot's generation, allocating zeroes the object and reuses it. The
 * pool's bookkeeping (generations, free list) lives in framework memory
 * apart from the objects, so a service writing through a stale borrowed
 * pointer can only change an object of the same type — never the
 * allocator's state. Objects are carved from pages that belong to the pool
 * alone (type stability). */
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/arch.h"
#include <fw/pool.h>
#include <abi/errno.h>

#define PER_CHUNK 128
#define MAX_CHUNKS 500 /* struct pool_impl must fit one kalloc page */


struct pool_slot {
	void *obj;
	uint32_t gen;
	uint32_t next_free; /* 0 = end; valid while free */
	bool used;
};

struct pool_impl {
	struct pool_slot *chunk[MAX_CHUNKS];
	uint32_t nslots, free_head, used, stride;
	char *page;         /* current page objects are carved from */
	uint32_t page_off;
};

_Static_assert(sizeof(struct pool_impl) <= FW_PAGE_SIZE, "pool bookkeeping fits one page");

static struct pool_impl *impl_of(struct fw_pool *p)
{
	if (!p->impl) {
		struct pool_impl *im = kalloc(sizeof(*im));
		if (!im)
			return NULL;
		im->stride = FW_ALIGN_UP(p->objsize ? p->objsize : 1, 16);
		im->page_off = FW_PAGE_SIZE;
		p->impl = im;
	}
	return p->impl;
}

static struct pool_slot *slot_at(struct pool_impl *im, uint32_t idx)
{
	return &im->chunk[idx / PER_CHUNK][idx % PER_CHUNK];
}

static void *carve(struct pool_impl *im)
{
	if (im->page_off + im->stride > FW_PAGE_SIZE) {
		uint64_t pa = frame_alloc();
		if (!pa)
			return NULL;
		im->page = phys_to_virt(pa);
		im->page_off = 0;
	}
	/* SAFETY: page is a frame owned by this pool; page_off + stride <= FW_PAGE_SIZE. */
	void *o = im->page + im->page_off;
	im->page_off += im->stride;
	return o;
}

static int grow(struct pool_impl *im)
{
	uint32_t c = im->nslots / PER_CHUNK;
	if (c >= MAX_CHUNKS)
		return -EAGAIN;
	struct pool_slot *chunk = kalloc(PER_CHUNK * sizeof(struct pool_slot));
	if (!chunk)
		return -ENOMEM;
	im->chunk[c] = chunk;
	for (uint32_t i = PER_CHUNK; i > 0; i--) {
		uint32_t idx = c * PER_CHUNK + i - 1;
		if (idx == 0)
			continue; /* index 0 stays invalid */
		chunk[i - 1].next_free = im->free_head;
		im->free_head = idx;
	}
	im->nslots += PER_CHUNK;
	return 0;
}

int fw_pool_alloc(struct fw_pool *p, uint32_t *idx, uint32_t *gen)
{
	struct pool_impl *im = impl_of(p);
	if (!im)
		return -ENOMEM;
	bool was = irq_save();
	int r = im->free_head ? 0 : grow(im);
	if (r < 0 || !im->free_head) {
		irq_restore(was);
		return r < 0 ? r : -ENOMEM;
	}
	uint32_t i = im->free_head;
	struct pool_slot *s = slot_at(im, i);
	if (!s->obj && !(s->obj = carve(im))) {
		irq_restore(was);
		return -ENOMEM;
	}
	im->free_head = s->next_free;
	s->used = true;
	s->gen++;
	im->used++;
	memset(s->obj, 0, im->stride);
	*idx = i;
	*gen = s->gen;
	irq_restore(was);
	return 0;
}

void *fw_pool_get(struct fw_pool *p, uint32_t idx, uint32_t gen)
{
	struct pool_impl *im = p->impl;
	if (!im || idx == 0 || idx >= im->nslots)
		return NULL;
	struct pool_slot *s = slot_at(im, idx);
	return s->used && s->gen == gen ? s->obj : NULL;
}

void fw_pool_free(struct fw_pool *p, uint32_t idx, uint32_t gen)
{
	struct pool_impl *im = p->impl;
	if (!fw_pool_get(p, idx, gen))
		return;
	bool was = irq_save();
	struct pool_slot *s = slot_at(im, idx);
	s->used = false;
	s->gen++; /* the object is zeroed when it is next allocated */
	s->next_free = im->free_head;
	im->free_head = idx;
	im->used--;
	irq_restore(was);
}

uint32_t fw_pool_count(const struct fw_pool *p)
{
	return p->impl ? ((const struct pool_impl *)p->impl)->used : 0;
}
