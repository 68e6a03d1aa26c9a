/* The block device under an ext2: sectors of 512 bytes moved between the
 * disk and frames. Layer: services (safe C). Today the only block devices
 * are loop devices; the block layer (virtio-blk, services/block) plugs in
 * here. */
#ifndef SVC_FS_EXT2_DISK_H
#define SVC_FS_EXT2_DISK_H

#include "drivers/loop/loop.h"

static inline int disk_size(uint32_t bdev, uint64_t *bytes, bool *ro) { return loop_size(bdev, bytes, ro); }

/* len bytes at off of frame f to or from the disk at `sector`. */
static inline int disk_io(uint32_t bdev, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len, bool write)
{
	return loop_io(bdev, sector, f, off, len, write);
}

static inline int disk_flush(uint32_t bdev) { return loop_flush(bdev); }

/* A mount holds the device (a loop device cannot be detached meanwhile). */
static inline void disk_hold(uint32_t bdev, bool hold) { loop_hold(bdev, hold); }

#endif
