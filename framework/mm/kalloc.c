/* Size-class allocator for framework-internal objects. Layer: framework/mm
 * (trusted). Classes are powers of two from 16 bytes to one page; a page
 * carved for a class stays in that class forever, so a stale pointer into it
 * always points at an object of the same size class (the framework never
 * hands these pointers to services). */
#include "internal/init.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/spinlock.h"
#include <fw/log.h>

#define NCLASS 9 /* 16 .. FW_PAGE_SIZE bytes */

struct free_obj {
	struct free_obj *next;
};

static struct free_obj *free_list[NCLASS];
static struct spinlock kalloc_lock; /* guards free_list */

void kalloc_init(void) {}

static int size_class(size_t size)
{
	int c = 0;
	size_t s = 16;
	while (s < size) {
		s <<= 1;
		c++;
	}
	return c;
}

void *kalloc(size_t size)
{
	if (size == 0 || size > FW_PAGE_SIZE)
		return NULL;
	int c = size_class(size);
	size_t osize = 16UL << c;
	bool was = spin_lock_irqsave(&kalloc_lock);
	if (!free_list[c]) {
		uint64_t pa = frame_alloc();
		if (!pa) {
			spin_unlock_irqrestore(&kalloc_lock, was);
			return NULL;
		}
		char *page = phys_to_virt(pa);
		for (size_t off = 0; off + osize <= FW_PAGE_SIZE; off += osize) {
			/* SAFETY: a fresh frame, carved into objects of one class;
			 * kalloc memory is never handed to services, so nothing
			 * else can write the link stored in a free object. */
			struct free_obj *o = (struct free_obj *)(page + off);
			o->next = free_list[c];
			free_list[c] = o;
		}
	}
	struct free_obj *o = free_list[c];
	free_list[c] = o->next;
	spin_unlock_irqrestore(&kalloc_lock, was);
	memset(o, 0, osize);
	return o;
}

void kfree(void *p, size_t size)
{
	if (!p)
		return;
	int c = size_class(size);
	struct free_obj *o = p;
	bool was = spin_lock_irqsave(&kalloc_lock);
	o->next = free_list[c];
	free_list[c] = o;
	spin_unlock_irqrestore(&kalloc_lock, was);
}
