/* Service-facing frame API. Layer: framework/mm (trusted).
 * Every entry point validates the handle first; contents are copied
 * through the physmap, never exposed as a pointer. */
#include "internal/init.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include <fw/frame.h>


/* SAFETY: callers validate f first (fw_frame_valid): a live service frame
 * is RAM inside the physmap, owned by services, never a kernel structure. */
static void *frame_va(struct fw_frame_ref f) { return phys_to_virt((uint64_t)f.pfn * 4096); }

static bool range_ok(uint32_t off, uint64_t n) { return off <= 4096 && n <= 4096 - off; }

int fw_frame_alloc(struct fw_frame_ref *out)
{
	uint64_t pa = frame_alloc();
	if (!pa)
		return -12;
	frame_mark_service(pa);
	out->pfn = (uint32_t)(pa / 4096);
	out->gen = frame_gen(pa);
	return 0;
}

bool fw_frame_valid(struct fw_frame_ref f) { return frame_handle_ok(f.pfn, f.gen); }
bool fw_frame_ref_eq(struct fw_frame_ref a, struct fw_frame_ref b) { return a.pfn == b.pfn && a.gen == b.gen; }

int fw_frame_dup(struct fw_frame_ref f)
{
	if (!fw_frame_valid(f))
		return -22;
	frame_get((uint64_t)f.pfn * 4096);
	return 0;
}

void fw_frame_put(struct fw_frame_ref f)
{
	if (fw_frame_valid(f))
		frame_handle_put((uint64_t)f.pfn * 4096);
}

int fw_frame_copy(struct fw_frame_ref dst, struct fw_frame_ref src)
{
	if (!fw_frame_valid(dst) || !fw_frame_valid(src))
		return -22;
	memcpy(frame_va(dst), frame_va(src), 4096);
	return 0;
}

int fw_frame_zero(struct fw_frame_ref f, uint32_t off, uint32_t n)
{
	if (!fw_frame_valid(f) || !range_ok(off, n))
		return -22;
	memset((char *)frame_va(f) + off, 0, n); /* SAFETY: off + n <= 4096 checked */
	return 0;
}

/* A user copy can fault, and the fault runs the services' resolver, which
 * may sleep and let any task run: the frame's last reference can be put and
 * its memory handed out again (as a page table, say) while the copy still
 * holds its physmap address. So the frame is pinned for the copy: its
 * memory stays this (possibly orphaned) frame until the copy is over. */
static int frame_user_copy(struct fw_frame_ref f, uint32_t off, uint64_t uaddr, uint32_t n, bool to_user)
{
	if (!range_ok(off, n))
		return -22;
	if (!fw_user_range_ok(uaddr, n))
		return fw_frame_valid(f) ? -14 : -22;
	if (!frame_handle_pin(f.pfn, f.gen))
		return -22;
	/* SAFETY: the frame is pinned (allocated, never reused, until the unpin
	 * below) and off + n <= 4096; the user range lies below USER_TOP and a
	 * fault in it is recovered by uaccess_copy. */
	char *kva = (char *)frame_va(f) + off;
	long r = 0;
	if (n)
		r = to_user ? uaccess_copy((void *)uaddr, kva, n) : uaccess_copy(kva, (const void *)uaddr, n);
	frame_unpin((uint64_t)f.pfn * 4096);
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
		return -22;
	/* SAFETY: both handles valid, both ranges inside their page. */
	memmove((char *)frame_va(dst) + doff, (char *)frame_va(src) + soff, n);
	return 0;
}

int fw_frame_read_raw(struct fw_frame_ref f, uint32_t off, void *dst, size_t cap, size_t objoff, size_t n)
{
	if (!fw_frame_valid(f) || objoff > cap || n > cap - objoff || !range_ok(off, n))
		return -22;
	/* SAFETY: objoff + n <= cap = sizeof(*dst) (from the macro) and
	 * off + n <= 4096 were checked above. */
	memcpy((char *)dst + objoff, (char *)frame_va(f) + off, n);
	return 0;
}

int fw_frame_write_raw(struct fw_frame_ref f, uint32_t off, const void *src, size_t cap, size_t objoff, size_t n)
{
	if (!fw_frame_valid(f) || objoff > cap || n > cap - objoff || !range_ok(off, n))
		return -22;
	/* SAFETY: mirror of fw_frame_read_raw's checks. */
	memcpy((char *)frame_va(f) + off, (const char *)src + objoff, n);
	return 0;
}

uint64_t fw_frames_free(void) { return frame_free_count(); }
uint64_t fw_frames_total(void) { return frame_total_count(); }
