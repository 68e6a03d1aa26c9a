/* Service-facing frame API. Layer: framework/mm (trusted).
 * Every entry point validates the handle first; contents are copied
 * through the physmap, never exposed as a pointer. */
#include "internal/init.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/task.h"
#include <fw/frame.h>
#include <abi/errno.h>


/* SAFETY: callers validate f first (fw_frame_valid): a live service frame
 * is RAM inside the physmap, owned by services, never a kernel structure. */
static void *frame_va(struct fw_frame_ref f) { return phys_to_virt((uint64_t)f.pfn * FW_PAGE_SIZE); }

static bool range_ok(uint32_t off, uint64_t n) { return off <= FW_PAGE_SIZE && n <= FW_PAGE_SIZE - off; }

int fw_frame_alloc(struct fw_frame_ref *out)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		return -ENOMEM;
	frame_mark_service(pa);
	out->pfn = (uint32_t)(pa / FW_PAGE_SIZE);
	out->gen = frame_gen(pa);
	return 0;
}

bool fw_frame_valid(struct fw_frame_ref f) { return frame_handle_ok(f.pfn, f.gen); }
bool fw_frame_ref_eq(struct fw_frame_ref a, struct fw_frame_ref b) { return a.pfn == b.pfn && a.gen == b.gen; }

int fw_frame_dup(struct fw_frame_ref f)
{
	if (!fw_frame_valid(f))
		return -EINVAL;
	frame_get((uint64_t)f.pfn * FW_PAGE_SIZE);
	return 0;
}

void fw_frame_put(struct fw_frame_ref f)
{
	if (fw_frame_valid(f))
		frame_handle_put((uint64_t)f.pfn * FW_PAGE_SIZE);
}

int fw_frame_copy(struct fw_frame_ref dst, struct fw_frame_ref src)
{
	if (!fw_frame_valid(dst) || !fw_frame_valid(src))
		return -EINVAL;
	memcpy(frame_va(dst), frame_va(src), FW_PAGE_SIZE);
	return 0;
}

int fw_frame_zero(struct fw_frame_ref f, uint32_t off, uint32_t n)
{
	if (!fw_frame_valid(f) || !range_ok(off, n))
		return -EINVAL;
	memset((char *)frame_va(f) + off, 0, n); /* SAFETY: off + n <= FW_PAGE_SIZE checked */
	return 0;
}

/* A user copy can fault, and the fault runs the services' resolver, which
 * may put the frame's last reference and have its memory handed out again
 * (as a page table, say) while the copy still holds its physmap address.
 * So the frame is pinned across the resolver: the copy names its frame in
 * the task (copy_frame), and the page-fault handler pins it before the
 * upcall (kernel_fault, trap.c); it is unpinned when the copy is over. The
 * pin is taken only on a fault because nothing else can run during a copy:
 * the kernel is uniprocessor and non-preemptive, interrupt handlers never
 * free frames, and the resolver cannot sleep (<fw/upcall.h>). A copy that
 * does not fault costs two stores. (SMP will need the pin up front.) */
static int frame_user_copy(struct fw_frame_ref f, uint32_t off, uint64_t uaddr, uint32_t n, bool to_user)
{
	if (!fw_frame_valid(f) || !range_ok(off, n))
		return -EINVAL;
	if (!fw_user_range_ok(uaddr, n))
		return -EFAULT;
	if (!n)
		return 0;
	struct task *t = current_task();
	uint64_t pa = (uint64_t)f.pfn * FW_PAGE_SIZE;
	/* (A copy nested inside the resolver overwrites this record; the
	 * fault handler puts the outer copy's back when the resolver returns.) */
	t->copy_frame = pa;
	t->copy_frame_pinned = false;
	/* SAFETY: the frame is a live service frame (checked above, and nothing
	 * runs before the copy starts) and stays allocated until the copy ends
	 * (pinned before any service code runs inside it); off + n <=
	 * FW_PAGE_SIZE; the user range lies below FW_USER_TOP and a fault in it
	 * is recovered by uaccess_copy. */
	char *kva = (char *)frame_va(f) + off;
	long r = to_user ? uaccess_copy((void *)uaddr, kva, n) : uaccess_copy(kva, (const void *)uaddr, n);
	if (t->copy_frame_pinned)
		frame_unpin(pa);
	t->copy_frame = 0;
	return (int)r;
}

int fw_frame_to_user(struct fw_frame_ref f, uint32_t off, struct fw_uaddr dst, uint32_t n)
{
	return frame_user_copy(f, off, dst.a, n, true);
}

int fw_frame_from_user(struct fw_frame_ref f, uint32_t off, struct fw_uaddr src, uint32_t n)
{
	return frame_user_copy(f, off, src.a, n, false);
}

int fw_frame_move(struct fw_frame_ref dst, uint32_t doff, struct fw_frame_ref src, uint32_t soff, uint32_t n)
{
	if (!fw_frame_valid(dst) || !fw_frame_valid(src) || !range_ok(doff, n) || !range_ok(soff, n))
		return -EINVAL;
	/* SAFETY: both handles valid, both ranges inside their page. */
	memmove((char *)frame_va(dst) + doff, (char *)frame_va(src) + soff, n);
	return 0;
}

int fw_frame_read_raw(struct fw_frame_ref f, uint32_t off, void *dst, size_t cap, size_t objoff, size_t n)
{
	if (!fw_frame_valid(f) || objoff > cap || n > cap - objoff || !range_ok(off, n))
		return -EINVAL;
	/* SAFETY: objoff + n <= cap = sizeof(*dst) (from the macro) and
	 * off + n <= FW_PAGE_SIZE were checked above. */
	memcpy((char *)dst + objoff, (char *)frame_va(f) + off, n);
	return 0;
}

int fw_frame_write_raw(struct fw_frame_ref f, uint32_t off, const void *src, size_t cap, size_t objoff, size_t n)
{
	if (!fw_frame_valid(f) || objoff > cap || n > cap - objoff || !range_ok(off, n))
		return -EINVAL;
	/* SAFETY: mirror of fw_frame_read_raw's checks. */
	memcpy((char *)frame_va(f) + off, (const char *)src + objoff, n);
	return 0;
}

uint64_t fw_frames_free(void) { return frame_free_count(); }
uint64_t fw_frames_total(void) { return frame_total_count(); }
