/* virtio-blk driver. Layer: services (safe C). See virtio_blk.c. */
#ifndef SVC_DRIVERS_VIRTIO_BLK_VIRTIO_BLK_H
#define SVC_DRIVERS_VIRTIO_BLK_VIRTIO_BLK_H

/* Start every virtio-blk device (PCI order gives vda, vdb, ...) and
 * register it with the block layer. Returns how many started, or -ENOMEM. */
int virtio_blk_probe_all(void);
/* Stop every disk this driver runs (in-flight requests fail with -EIO)
 * and give the devices back. Returns how many were stopped. */
int virtio_blk_remove_all(void);

#endif
