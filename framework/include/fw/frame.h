/* Keel framework public API — page frames.
 *
 * Layer: framework (trusted). A frame is 4 KiB of RAM that services own
 * through a handle; its contents are reached only by copies, never by a
 * pointer, so a frame's memory can be reused safely after its last reference
 * goes. Services use frames for file data, pipe buffers and anonymous memory
 * mapped into user address spaces (<fw/vm.h>).
 *
 * Safety contract:
 *  - A handle is {pfn, generation}; it resolves only while the frame is
 *    allocated to services (framework-internal frames — page tables, kernel
 *    stacks — are never reachable through one) and the generation matches.
 *  - A handle stands for one reference. fw_frame_dup() adds one and
 *    fw_frame_put() drops one. References held by page-table mappings are
 *    counted separately by the framework, so no sequence of puts can free a
 *    frame that is still mapped into a user address space.
 *  - Offsets and lengths are checked: off + n <= FW_PAGE_SIZE, else -EINVAL.
 *  - fw_frame_to_user/fw_frame_from_user keep the frame's memory for the
 *    whole copy: a fault in the user range runs the services' resolver,
 *    which may put the frame's last reference; the put takes effect (the
 *    handle dies), but the frame is pinned before the resolver runs and
 *    freed only when the copy ends, so the copy never reaches memory
 *    reused for something else (ktests frame_*_pinned_across_resolver).
 */
#ifndef FW_FRAME_H
#define FW_FRAME_H

#include <fw/types.h>
#include <fw/user.h>

struct fw_frame_ref {
	uint32_t pfn;
	uint32_t gen;
};

FW_API FW_MUST_CHECK int fw_frame_alloc(struct fw_frame_ref *out); /* zeroed; -ENOMEM */
FW_API FW_MUST_CHECK int fw_frame_dup(struct fw_frame_ref f);
FW_API void fw_frame_put(struct fw_frame_ref f);
FW_API bool fw_frame_valid(struct fw_frame_ref f);
FW_API bool fw_frame_ref_eq(struct fw_frame_ref a, struct fw_frame_ref b);
/* Copy a whole frame's contents into another. */
FW_API FW_MUST_CHECK int fw_frame_copy(struct fw_frame_ref dst, struct fw_frame_ref src);
FW_API FW_MUST_CHECK int fw_frame_zero(struct fw_frame_ref f, uint32_t off, uint32_t n);
/* Between a frame and user memory: -EINVAL (range), -EFAULT (user). */
FW_API FW_MUST_CHECK int fw_frame_to_user(struct fw_frame_ref f, uint32_t off, struct fw_uaddr dst, uint32_t n);
FW_API FW_MUST_CHECK int fw_frame_from_user(struct fw_frame_ref f, uint32_t off, struct fw_uaddr src, uint32_t n);
/* Between frames. */
FW_API FW_MUST_CHECK int fw_frame_move(struct fw_frame_ref dst, uint32_t doff, struct fw_frame_ref src, uint32_t soff,
				       uint32_t n);
/* Between a frame and a kernel object (size from the type): n bytes at
 * frame offset `off` to/from the object at byte offset `objoff`
 * (objoff + n <= sizeof(*objp), else -EINVAL). */
FW_MACRO_API FW_MUST_CHECK int fw_frame_read_raw(struct fw_frame_ref f, uint32_t off, void *FW_POD_DST dst, size_t cap,
						 size_t objoff, size_t n);
FW_MACRO_API FW_MUST_CHECK int fw_frame_write_raw(struct fw_frame_ref f, uint32_t off, const void *FW_POD_SRC src, size_t cap,
						  size_t objoff, size_t n);
#define fw_frame_read(f, off, dstp, n) fw_frame_read_raw((f), (off), (void *)(dstp), sizeof(*(dstp)), 0, (n))
#define fw_frame_read_at(f, off, dstp, objoff, n)                                                          \
	fw_frame_read_raw((f), (off), (void *)(dstp), sizeof(*(dstp)), (objoff), (n))
#define fw_frame_write(f, off, srcp, n) fw_frame_write_raw((f), (off), (const void *)(srcp), sizeof(*(srcp)), 0, (n))
#define fw_frame_write_at(f, off, srcp, objoff, n)                                                         \
	fw_frame_write_raw((f), (off), (const void *)(srcp), sizeof(*(srcp)), (objoff), (n))
/* Free memory, in frames. */
FW_API uint64_t fw_frames_free(void);
FW_API uint64_t fw_frames_total(void);

#endif
