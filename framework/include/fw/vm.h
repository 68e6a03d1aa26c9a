/* Keel framework public API — user address spaces.
 *
 * Layer: framework (trusted). A vm is a set of user page tables; the kernel
 * half is shared and not reachable from here. Services decide what to map
 * (their VMA lists, demand paging, copy-on-write policy); the framework
 * owns the page tables and maps only service frames (<fw/frame.h>).
 *
 * Safety contract:
 *  - Addresses must be page-aligned and inside the user half; anything else
 *    is -EINVAL. Nothing is ever mapped below FW_USER_MIN (<fw/user.h>).
 *    No call can map a frame that is not a live service frame, a kernel
 *    page, or device memory.
 *  - Each mapping holds a mapping reference on its frame; unmapping,
 *    replacing or destroying drops it (see <fw/frame.h>).
 *  - A vm stays alive while the service handle or any task uses it;
 *    fw_vm_destroy drops the service's reference.
 *  - The TLB is kept coherent by the framework.
 */
#ifndef FW_VM_H
#define FW_VM_H

#include <fw/frame.h>
#include <fw/task.h>

#define FW_PROT_READ 1
#define FW_PROT_WRITE 2
#define FW_PROT_EXEC 4

struct fw_vm_page {
	bool present;   /* a frame is mapped (possibly with no access) */
	bool cow;       /* write-protected because shared copy-on-write */
	uint32_t prot;  /* FW_PROT_* as mapped now */
	struct fw_frame_ref frame; /* no reference is taken */
};

FW_API FW_MUST_CHECK int fw_vm_create(struct fw_vm_ref *out);
FW_API void fw_vm_destroy(struct fw_vm_ref vm);
FW_API struct fw_vm_ref fw_vm_current(void);
/* Map frame f at va with prot (0 = no access, contents kept). Replaces an
 * existing mapping. -ENOMEM if a page table cannot be allocated. */
FW_API FW_MUST_CHECK int fw_vm_map(struct fw_vm_ref vm, uint64_t va, struct fw_frame_ref f, uint32_t prot);
/* Map frame f at va copy-on-write: readable/executable as prot says, never
 * writable through this mapping (whatever prot or a later fw_vm_protect
 * asks) until fw_vm_cow_break gives vm a private copy. While the caller
 * (or anyone) holds a handle reference on f, cow_break always copies, so
 * a file's page shared this way with private mappings is never written
 * through them. Replaces an existing mapping; -EINVAL, -ENOMEM as
 * fw_vm_map. */
FW_API FW_MUST_CHECK int fw_vm_map_cow(struct fw_vm_ref vm, uint64_t va, struct fw_frame_ref f, uint32_t prot);
/* Map a fresh zeroed frame. */
FW_API FW_MUST_CHECK int fw_vm_map_zeroed(struct fw_vm_ref vm, uint64_t va, uint32_t prot);
FW_API int fw_vm_unmap(struct fw_vm_ref vm, uint64_t va, uint64_t len);
/* Change protection of mapped pages in range (pages not mapped are
 * skipped). A copy-on-write page stays write-protected until broken. */
FW_API int fw_vm_protect(struct fw_vm_ref vm, uint64_t va, uint64_t len, uint32_t prot);
FW_API int fw_vm_lookup(struct fw_vm_ref vm, uint64_t va, struct fw_vm_page *out);
/* Copy mappings of [va, va+len) from src to dst. share: both map the same
 * frames with the same protection (MAP_SHARED). Otherwise copy-on-write:
 * writable pages become write-protected in both and are copied on the
 * first write through fw_vm_cow_break. */
FW_API FW_MUST_CHECK int fw_vm_fork(struct fw_vm_ref dst, struct fw_vm_ref src, uint64_t va, uint64_t len, bool share);
/* Give vm a private writable copy of the copy-on-write page at va (or just
 * re-enable writing when no one else maps it). prot is the page's intended
 * protection. -EINVAL if not a COW page, -ENOMEM. */
FW_API FW_MUST_CHECK int fw_vm_cow_break(struct fw_vm_ref vm, uint64_t va, uint32_t prot);
/* Number of present pages (for /proc and rusage). */
FW_API uint64_t fw_vm_resident_pages(struct fw_vm_ref vm);

#endif
