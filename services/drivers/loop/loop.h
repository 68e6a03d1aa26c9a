/* Loop devices: block devices whose blocks are a file's bytes (/dev/loopN,
 * block major 7), attached with ioctl(LOOP_SET_FD) as on Linux. Layer:
 * services (safe C). File systems mount them like disks; the tests use
 * them to mount many images in one boot. */
#ifndef SVC_DRIVERS_LOOP_LOOP_H
#define SVC_DRIVERS_LOOP_LOOP_H

#include "vfs/vfs.h"

#define LOOP_MAJOR 7
#define LOOP_COUNT 8

/* Register the devices (boot), then make /dev/loop0..7 and
 * /dev/loop-control once devtmpfs is mounted. */
int loop_init(void);
int loop_nodes(void);
/* Kernel I/O on loop device rdev, in 512-byte sectors, into or out of a
 * frame (len bytes at off, inside the frame): -ENXIO when nothing is
 * attached, -EIO past the end. */
int loop_io(uint32_t rdev, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len, bool write);
/* Its size in bytes, and whether it is read-only. */
int loop_size(uint32_t rdev, uint64_t *bytes, bool *ro);
/* Make what was written durable (the backing file's fsync). */
int loop_flush(uint32_t rdev);
/* A mount uses it (LOOP_CLR_FD gives -EBUSY meanwhile). */
void loop_hold(uint32_t rdev, bool hold);

#endif
