/* The mount table. Layer: services (safe C).
 * Entry 0 is the root tmpfs. A mounted file system's root inode records
 * the directory it covers (inode.covered) and that directory records the
 * root (inode.mounted); path lookup crosses both ways. Every inode carries
 * the index of its mount (inode.mnt) for statfs, st_dev and -EXDEV. */
#ifndef SVC_FS_MOUNT_H
#define SVC_FS_MOUNT_H

#include "fs/ptext.h"
#include <abi/fs.h>

#define MNT_MAX 32

enum mnt_type { MT_TMPFS, MT_PROC, MT_DEVTMPFS, MT_DEVPTS, MT_TYPE_MAX };

/* Boot mounts: / (tmpfs), /dev (devtmpfs), /proc, /dev/shm (tmpfs). */
int mount_boot(void);
/* mount(2): source/type are names already copied in; target resolved. */
int mount_fs(const struct kname *source, const struct kname *type, struct inode_ref target, uint64_t flags);
/* umount2(2) of the file system whose root is `root`. */
int mount_remove(struct inode_ref root, uint64_t flags);
/* /proc/mounts text. */
void mount_show(struct ptext *t);
/* statfs figures of mount `mnt`. */
void mount_statfs(uint32_t mnt, struct linux_statfs *s);

#endif
