/* The block layer: block devices by major/minor and the request API file
 * systems use. Layer: services (safe C).
 *
 * Units: a *sector* is always 512 bytes (as in Linux); `sector_size` is
 * the device's logical block size (BLKSSZGET), a multiple of 512. Data
 * moves between the device and service frames (<fw/frame.h>) without a
 * copy: a page-cache page can be handed to blk_read directly.
 *
 * Synchronous calls (sleep until done; thread context only):
 *   blk_read(d, sector, frame, off, len)   len and off multiples of 512,
 *   blk_write(d, sector, frame, off, len)  off + len <= 4096
 *   blk_flush(d)                           what completed is durable
 * Asynchronous form (readahead, write-back): fill a request (blk_req_new),
 * blk_submit it, and either blk_wait for it or give it a `done` callback.
 * `done` runs in the driver's interrupt handler (the framework's IRQ
 * worker, thread context) — or, when the driver refuses the request at
 * once, inside blk_submit — so it must not sleep (waits fail with -EDEADLK
 * in a handler, see <fw/irq.h>) and must not free the request (blk_wait's
 * caller or the submitter frees it with blk_req_release once it
 * completed). blk_submit itself returns an error only for a request that
 * is malformed for its disk; device errors arrive as the status.
 *
 * Errors: -EINVAL (misaligned, bad segment), -EIO (beyond the end of the
 * device, or the device failed), -EROFS (write to a read-only device),
 * -EOPNOTSUPP (the device lacks the operation), -ENOMEM, -ENODEV (stale).
 *
 * Numbering: virtio disks use Linux's (Debian's) virtblk major 254, 16
 * minors per disk (vda = 254:0, vdb = 254:16, ...; partitions would take
 * the minors in between). dev_t values here are Keel's encoding
 * (major << 8 | minor).
 */
#ifndef SVC_BLOCK_BLOCK_H
#define SVC_BLOCK_BLOCK_H

#include "lib/klib.h"
#include <fw/dma.h>
#include <fw/frame.h>
#include <fw/pool.h>
#include <fw/wait.h>

#define BLK_SECTOR 512u
#define BLK_MAJOR_VIRTBLK 254
#define BLK_MINORS_PER_DISK 16
#define BLK_MAX_DISKS 16
#define BLK_MAX_SEGS 64 /* 256 KiB per request */

enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH };

struct blk_seg {
	struct fw_frame_ref frame;
	uint32_t off, len;
};

struct blkdev;
FW_POOL_DECLARE(blk, struct blkdev);
struct blk_req;
FW_POOL_DECLARE(blk_req, struct blk_req);

struct blk_req {
	uint32_t op; /* enum blk_op */
	uint32_t nseg;
	uint64_t sector;
	struct blk_seg seg[BLK_MAX_SEGS];
	/* completion */
	void (*done)(uint64_t cookie, int status); /* optional; handler context */
	uint64_t cookie;
	int32_t status;
	bool submitted, complete;
	/* owned by the block layer and the driver */
	struct blk_ref dev;
	struct blk_req_ref next;                  /* the device's pending queue */
	struct fw_dma_ref drv_dma[BLK_MAX_SEGS];  /* the driver's DMA mappings while in flight */
};

/* What a driver supplies: start `r` (0), or -EAGAIN when the device queue
 * is full (the block layer queues it and retries on blk_kick), or an
 * error that fails the request. */
typedef int (*blk_submit_fn)(uint64_t drv, struct blk_req_ref r);

struct blkdev {
	char name[8];
	uint32_t major, minor;
	uint64_t sectors;
	uint32_t sector_size;
	bool ro, can_flush;
	blk_submit_fn submit;
	uint64_t drv;
	struct blk_req_ref pend_head, pend_tail;
	struct fw_waitq_ref done_q;
	uint64_t nread, nwrite, nflush, nerror;
};

/* Drivers: register a disk; it gets the next vdX name and minor. */
int blk_register(uint64_t sectors, uint32_t sector_size, bool ro, bool can_flush, blk_submit_fn submit,
		 uint64_t drv, struct blk_ref *out);
/* Drivers: the disk is gone (after the driver completed what it had in
 * flight). Pending requests fail with -ENODEV; the name is free again. */
void blk_unregister(struct blk_ref d);
/* Drivers, from their interrupt handler: finish a request. */
void blk_complete(struct blk_req_ref r, int status);
/* Drivers: room in the device queue again; submit what is pending. */
void blk_kick(struct blk_ref d);

/* Users. */
int blk_lookup(uint32_t dev, struct blk_ref *out);
uint32_t blk_disk_count(void);
int blk_disk(uint32_t n, struct blk_ref *out);
int blk_info(struct blk_ref d, uint64_t *sectors, uint32_t *sector_size, bool *ro);
int blk_read(struct blk_ref d, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len);
int blk_write(struct blk_ref d, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len);
int blk_flush(struct blk_ref d);
/* A zeroed request for disk d; fill op, sector, seg[], nseg (and done,
 * cookie), then blk_submit. */
int blk_req_new(struct blk_ref d, struct blk_req_ref *out);
int blk_submit(struct blk_req_ref r);
/* Sleep until r completes; its status. */
int blk_wait(struct blk_req_ref r);
/* Free a request that is not in flight (-EBUSY if it is). */
int blk_req_release(struct blk_req_ref r);

#endif
