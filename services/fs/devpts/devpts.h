/* devpts: the file system of pseudo-terminal slaves (/dev/pts). Layer:
 * services (safe C). One instance, mounted on /dev/pts at boot; the pty
 * driver adds and removes its nodes. */
#ifndef SVC_FS_DEVPTS_DEVPTS_H
#define SVC_FS_DEVPTS_DEVPTS_H

#include "vfs/vfs.h"

/* Register "devpts" with the VFS (boot). */
int devpts_init(void);
/* /dev/pts/<index>: a character device node rdev owned by uid, group tty.
 * -ENODEV before devpts is mounted. */
int devpts_add(uint32_t index, uint32_t rdev, uint32_t uid, struct inode_ref *out);
void devpts_remove(uint32_t index);

#endif
