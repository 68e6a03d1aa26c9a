/* Block device nodes and their file operations (the VFS glue of the block
 * layer). Layer: services (safe C). See blkdev_file.c. */
#ifndef SVC_BLOCK_BLKDEV_FILE_H
#define SVC_BLOCK_BLKDEV_FILE_H

#include "vfs/vfs.h"

/* Register the raw-disk file operations for the virtblk major's minors. */
int blkdev_register(void);
/* Make /dev/vdX (devtmpfs) for every registered disk. */
int blkdev_nodes_create(void);
/* sync(2): flush every disk. */
void blkdev_sync_all(void);

#endif
