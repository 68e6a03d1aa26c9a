/* Physical frame allocator. Layer: framework/mm (trusted).
 * Trusts boot_info's RAM map. Every frame has metadata: a reference count
 * (mappings and handles that keep it alive) and a generation bumped on each
 * free, so a stale fw_frame handle is detected rather than reaching a frame
 * that now belongs to someone else. Free frames sit on a stack of PFNs.
 * A pin keeps a frame's memory allocated while the framework copies into or
 * out of it across a call that may run services (a user copy that faults);
 * it is not a reference a service can drop, so no sequence of puts frees a
 * pinned frame. */
#include "internal/init.h"
#include "internal/boot.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/spinlock.h"
#include <fw/log.h>

struct frame_meta {
	uint32_t refs; /* kernel users, or service handle references */
	uint32_t maps; /* user page-table entries pointing here */
	uint32_t gen;
	uint8_t service; /* handed to services: reachable by handle */
	uint16_t pins;   /* user copies suspended in the fault resolver (frame_pin) */
};

static struct frame_meta *meta;
static uint32_t *free_stack;
static uint64_t nfree, max_pfn, total;
bool physmap_live;
static struct spinlock frame_lock; /* guards meta[] and the free stack */
static uint64_t bump_next, bump_end; /* early allocator, before the stack exists */

extern char __kernel_end[];

static bool reserved(uint64_t pa)
{
	uint64_t kend = (uint64_t)__kernel_end - KERNEL_VMA;
	if (pa < 0x100000 || (pa >= 0x100000 && pa < kend))
		return true;
	if (boot_info.initrd_start && pa + FW_PAGE_SIZE > (boot_info.initrd_start & ~(FW_PAGE_SIZE - 1)) && pa < boot_info.initrd_end)
		return true;
	return false;
}

/* Early pages come from the RAM range that holds the kernel, above the
 * kernel and initrd; the boot tables map the first GiB at KERNEL_VMA. */
uint64_t early_frame(void)
{
	while (bump_next < bump_end && reserved(bump_next))
		bump_next += FW_PAGE_SIZE;
	if (bump_next >= bump_end)
		fw_panic("out of early memory");
	uint64_t pa = bump_next;
	bump_next += FW_PAGE_SIZE;
	/* SAFETY: pa is a free RAM frame below 1 GiB; before the physmap is live
	 * the boot tables map the first GiB at KERNEL_VMA. */
	memset(physmap_live ? phys_to_virt(pa) : (void *)(KERNEL_VMA + pa), 0, FW_PAGE_SIZE);
	return pa;
}

void early_frames_init(void)
{
	for (int i = 0; i < boot_info.nram; i++) {
		struct boot_range *r = &boot_info.ram[i];
		if (r->start <= 0x100000 && r->end > 0x100000) {
			bump_next = 0x100000;
			bump_end = r->end < 0x40000000 ? r->end : 0x40000000;
		}
		if (r->end / FW_PAGE_SIZE > max_pfn)
			max_pfn = r->end / FW_PAGE_SIZE;
	}
	if (!bump_end)
		fw_panic("no RAM at 1 MiB");
}

/* Called once the physmap is live: metadata and the free stack are carved
 * from early frames, then every remaining RAM frame is pushed. */
void frames_init(void)
{
	uint64_t meta_bytes = max_pfn * sizeof(struct frame_meta);
	uint64_t stack_bytes = max_pfn * sizeof(uint32_t);
	uint64_t pages = (meta_bytes + stack_bytes + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;
	/* The run must not straddle the initrd (a loader may put it right
	 * after the kernel): skip to the first stretch of `pages` free frames.
	 * Frames skipped here stay below bump_next and are never freed — a
	 * few pages at most. */
	for (;;) {
		while (bump_next < bump_end && reserved(bump_next))
			bump_next += FW_PAGE_SIZE;
		uint64_t n = 0;
		while (n < pages && bump_next + n * FW_PAGE_SIZE < bump_end && !reserved(bump_next + n * FW_PAGE_SIZE))
			n++;
		if (n == pages)
			break;
		if (bump_next + n * FW_PAGE_SIZE >= bump_end)
			fw_panic("no contiguous early memory for frame metadata");
		bump_next += n * FW_PAGE_SIZE;
	}
	uint64_t first = early_frame();
	for (uint64_t i = 1; i < pages; i++)
		if (early_frame() != first + i * FW_PAGE_SIZE)
			fw_panic("early frames not contiguous");
	meta = phys_to_virt(first);
	/* SAFETY: meta and the free stack share `pages` contiguous early frames
	 * sized above (meta_bytes + stack_bytes), reached through the physmap. */
	free_stack = (uint32_t *)((char *)meta + meta_bytes);
	for (int i = 0; i < boot_info.nram; i++) {
		struct boot_range *r = &boot_info.ram[i];
		for (uint64_t pa = FW_ALIGN_UP(r->start, FW_PAGE_SIZE); pa + FW_PAGE_SIZE <= r->end; pa += FW_PAGE_SIZE) {
			if (reserved(pa) || (pa >= 0x100000 && pa < bump_next))
				continue;
			free_stack[nfree++] = (uint32_t)(pa / FW_PAGE_SIZE);
		}
	}
	total = nfree;
	fw_info("mm: %lu MiB free in %d ranges", nfree / 256, boot_info.nram);
}

uint64_t frame_alloc(void)
{
	bool was = spin_lock_irqsave(&frame_lock);
	if (nfree == 0) {
		spin_unlock_irqrestore(&frame_lock, was);
		return 0;
	}
	uint64_t pfn = free_stack[--nfree];
	meta[pfn].refs = 1;
	meta[pfn].maps = 0;
	meta[pfn].service = 0;
	meta[pfn].pins = 0;
	spin_unlock_irqrestore(&frame_lock, was);
	uint64_t pa = pfn * FW_PAGE_SIZE;
	memset(phys_to_virt(pa), 0, FW_PAGE_SIZE);
	return pa;
}

bool frame_valid(uint64_t pa) { return pa / FW_PAGE_SIZE < max_pfn && meta[pa / FW_PAGE_SIZE].refs > 0; }

void frame_get(uint64_t pa)
{
	bool was = spin_lock_irqsave(&frame_lock);
	meta[pa / FW_PAGE_SIZE].refs++;
	spin_unlock_irqrestore(&frame_lock, was);
}

static void release_if_unused(uint64_t pfn)
{
	if (meta[pfn].refs == 0 && meta[pfn].maps == 0 && meta[pfn].pins == 0) {
		meta[pfn].gen++;
		meta[pfn].service = 0;
		free_stack[nfree++] = (uint32_t)pfn;
	}
}

void frame_put(uint64_t pa)
{
	uint64_t pfn = pa / FW_PAGE_SIZE;
	bool was = spin_lock_irqsave(&frame_lock);
	if (meta[pfn].refs == 0)
		fw_panic("frame_put on free frame %lx", pa);
	meta[pfn].refs--;
	release_if_unused(pfn);
	spin_unlock_irqrestore(&frame_lock, was);
}

void frame_map_get(uint64_t pa)
{
	bool was = spin_lock_irqsave(&frame_lock);
	meta[pa / FW_PAGE_SIZE].maps++;
	spin_unlock_irqrestore(&frame_lock, was);
}

void frame_map_put(uint64_t pa)
{
	uint64_t pfn = pa / FW_PAGE_SIZE;
	bool was = spin_lock_irqsave(&frame_lock);
	if (meta[pfn].maps == 0)
		fw_panic("frame_map_put on unmapped frame %lx", pa);
	meta[pfn].maps--;
	release_if_unused(pfn);
	spin_unlock_irqrestore(&frame_lock, was);
}

uint32_t frame_mapcount(uint64_t pa) { return meta[pa / FW_PAGE_SIZE].maps; }

void frame_mark_service(uint64_t pa) { meta[pa / FW_PAGE_SIZE].service = 1; }

/* Does {pfn, gen} name a live service frame? */
bool frame_handle_ok(uint32_t pfn, uint32_t gen)
{
	return pfn < max_pfn && meta && meta[pfn].service && meta[pfn].gen == gen &&
	       (meta[pfn].refs > 0 || meta[pfn].maps > 0);
}

/* Drop one handle reference, ignoring a put that has none to drop. */
void frame_handle_put(uint64_t pa)
{
	uint64_t pfn = pa / FW_PAGE_SIZE;
	bool was = spin_lock_irqsave(&frame_lock);
	if (meta[pfn].refs > 0) {
		meta[pfn].refs--;
		release_if_unused(pfn);
	}
	spin_unlock_irqrestore(&frame_lock, was);
}

/* Pin an allocated frame: it stays allocated — whatever is put meanwhile —
 * until frame_unpin. Pins are taken only around the fault resolver, which
 * cannot sleep, so only nested copies of one task ever hold several. */
void frame_pin(uint64_t pa)
{
	uint64_t pfn = pa / FW_PAGE_SIZE;
	bool was = spin_lock_irqsave(&frame_lock);
	if (meta[pfn].refs == 0 && meta[pfn].maps == 0)
		fw_panic("frame_pin on free frame %lx", pa);
	if (meta[pfn].pins == 0xffff)
		fw_panic("frame_pin: too many pins on %lx", pa);
	meta[pfn].pins++;
	spin_unlock_irqrestore(&frame_lock, was);
}

/* Drop a pin; frees the frame if that was the last thing keeping it. */
void frame_unpin(uint64_t pa)
{
	uint64_t pfn = pa / FW_PAGE_SIZE;
	bool was = spin_lock_irqsave(&frame_lock);
	if (meta[pfn].pins == 0)
		fw_panic("frame_unpin on unpinned frame %lx", pa);
	meta[pfn].pins--;
	release_if_unused(pfn);
	spin_unlock_irqrestore(&frame_lock, was);
}

uint32_t frame_refcount(uint64_t pa) { return meta[pa / FW_PAGE_SIZE].refs; }
uint32_t frame_gen(uint64_t pa) { return meta[pa / FW_PAGE_SIZE].gen; }
uint64_t frame_free_count(void) { return nfree; }
uint64_t frame_total_count(void) { return total; }
