/* tmpfs and devtmpfs: file systems kept wholly in memory. Layer: services
 * (safe C). */
#ifndef SVC_FS_TMPFS_TMPFS_H
#define SVC_FS_TMPFS_TMPFS_H

#include "vfs/vfs.h"

/* Register "tmpfs" and "devtmpfs" with the VFS (boot). */
int tmpfs_init(void);
/* Make the device node /dev/<name> (mode: S_IFCHR or S_IFBLK and the
 * permissions; root-owned) in the devtmpfs instance; an existing node of
 * that name is left alone. -ENODEV before devtmpfs is mounted. For
 * drivers, e.g. the block layer's /dev/vda. */
int devtmpfs_node(const struct kname *name, uint32_t mode, uint32_t rdev);

/* A regular file of tmpfs's internal instance that no directory names
 * (memfd_create). */
int tmpfs_anon_inode(uint32_t mode, struct inode_ref *out);

#endif
