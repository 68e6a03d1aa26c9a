/* Keel framework public API — DMA memory.
 *
 * Layer: framework (trusted). Services never write a physical or device
 * address anywhere a device reads it (they may know one: a frame handle
 * carries its page number, and with the IOMMU an I/O address equals the
 * physical one; nothing relies on hiding it, since no device the
 * framework lets reach memory takes addresses from its data). DMA memory
 * is a framework object bound to one claimed device:
 *  - coherent: framework-owned memory (at most one page), zeroed, filled
 *    and read by copies (fw_dma_read/fw_dma_write);
 *  - streaming: a service frame (<fw/frame.h>) lent to the device, e.g. a
 *    page-cache page a disk reads into without a copy. The object holds a
 *    mapping reference on the frame, so no sequence of fw_frame_put can
 *    free the frame while the device may reach it.
 * A device learns an object's address only from the framework, which
 * writes it into typed descriptor slots (<fw/virtio.h>); with an IOMMU the
 * object is mapped into the device's own domain (at an I/O address equal to
 * its physical address) and nothing else is.
 *
 * Safety contract:
 *  - Handles are generation-checked; all calls on a stale one fail with
 *    -EINVAL; releasing the device frees its objects.
 *  - fw_dma_free fails with -EBUSY while any descriptor slot holds the
 *    object (prepared or in flight): memory is handed back only when the
 *    device cannot reach it any more (slot cleared after the device
 *    returned it, or the device was reset), and the IOMMU mapping is
 *    removed (with an IOTLB invalidation) before the memory is reused.
 *  - Copies are bounds-checked (off + n <= length, without wrapping); the
 *    kernel object's size comes from its type (trusted macros), and reads
 *    land only in plain data (FW_POD_DST).
 *  - A device may write an object only if it was created FROM_DEVICE or
 *    BIDIR (checked when a descriptor marks it device-writable).
 */
#ifndef FW_DMA_H
#define FW_DMA_H

#include <fw/frame.h>
#include <fw/pci.h>

struct fw_dma_ref {
	uint32_t idx;
	uint32_t gen;
};

#define FW_DMA_TO_DEVICE 1u   /* the device reads it */
#define FW_DMA_FROM_DEVICE 2u /* the device writes it */
#define FW_DMA_BIDIR 3u

/* Coherent object of `len` bytes (1..4096). -EINVAL, -EPERM (device may
 * not master the bus), -ENOMEM. */
FW_API FW_MUST_CHECK int fw_dma_alloc(struct fw_pci_ref d, uint32_t len, uint32_t dir, struct fw_dma_ref *out);
/* Streaming object over a whole service frame (4096 bytes). */
FW_API FW_MUST_CHECK int fw_dma_map_frame(struct fw_pci_ref d, struct fw_frame_ref f, uint32_t dir,
					  struct fw_dma_ref *out);
/* 0, -EINVAL (stale), -EBUSY (a descriptor slot still holds it). */
FW_API FW_MUST_CHECK int fw_dma_free(struct fw_dma_ref obj);
FW_API uint32_t fw_dma_len(struct fw_dma_ref obj);
FW_API bool fw_dma_valid(struct fw_dma_ref obj);

FW_MACRO_API FW_MUST_CHECK int fw_dma_read_raw(struct fw_dma_ref obj, uint32_t off, void *FW_POD_DST dst, size_t cap,
					       size_t objoff, size_t n);
FW_MACRO_API FW_MUST_CHECK int fw_dma_write_raw(struct fw_dma_ref obj, uint32_t off, const void *FW_POD_SRC src, size_t cap,
						size_t objoff, size_t n);
/* n bytes between the object at `off` and the kernel object *p (its size
 * from its type; n <= sizeof(*p)). 0 or -EINVAL. */
#define fw_dma_read(obj, off, dstp, n) fw_dma_read_raw((obj), (off), (void *)(dstp), sizeof(*(dstp)), 0, (n))
#define fw_dma_write(obj, off, srcp, n) fw_dma_write_raw((obj), (off), (const void *)(srcp), sizeof(*(srcp)), 0, (n))

#endif
