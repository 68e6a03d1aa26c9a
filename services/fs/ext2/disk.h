/* The block device under an ext2: sectors of 512 bytes moved between the
 * disk and frames. Layer: services (safe C). Loop devices (a file's bytes,
 * services/drivers/loop) and the block layer's disks (virtio-blk,
 * services/block) by the device number the file system was mounted on. */
#ifndef SVC_FS_EXT2_DISK_H
#define SVC_FS_EXT2_DISK_H

#include "block/block.h"
#include "drivers/loop/loop.h"

static inline bool disk_is_loop(uint32_t bdev) { return dev_major(bdev) == LOOP_MAJOR; }

static inline int disk_size(uint32_t bdev, uint64_t *bytes, bool *ro)
{
	if (disk_is_loop(bdev))
		return loop_size(bdev, bytes, ro);
	struct blk_ref d;
	uint64_t sectors;
	uint32_t ssize;
	int e = blk_lookup(bdev, &d);
	if (e == 0)
		e = blk_info(d, &sectors, &ssize, ro);
	if (e == 0)
		*bytes = sectors * BLK_SECTOR;
	return e ? -ENXIO : 0;
}

/* len bytes at off of frame f to or from the disk at `sector`. */
static inline int disk_io(uint32_t bdev, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len, bool write)
{
	if (disk_is_loop(bdev))
		return loop_io(bdev, sector, f, off, len, write);
	struct blk_ref d;
	int e = blk_lookup(bdev, &d);
	if (e)
		return -ENXIO;
	return write ? blk_write(d, sector, f, off, len) : blk_read(d, sector, f, off, len);
}

static inline int disk_flush(uint32_t bdev)
{
	if (disk_is_loop(bdev))
		return loop_flush(bdev);
	struct blk_ref d;
	int e = blk_lookup(bdev, &d);
	if (e)
		return -ENXIO;
	e = blk_flush(d);
	return e == -EOPNOTSUPP ? 0 : e; /* a disk without a cache to flush */
}

/* A mount holds the device (a loop device cannot be detached meanwhile). */
static inline void disk_hold(uint32_t bdev, bool hold)
{
	if (disk_is_loop(bdev))
		loop_hold(bdev, hold);
}

#endif
