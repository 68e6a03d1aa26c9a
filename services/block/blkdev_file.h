/* Block device nodes and their file operations (the VFS glue of the block
 * layer). Layer: services (safe C). See blkdev_file.c. */
#ifndef SVC_BLOCK_BLKDEV_FILE_H
#define SVC_BLOCK_BLKDEV_FILE_H

#include "vfs/vfs.h"

/* Create /dev/vdX under dev_dir for every registered disk. */
int blkdev_nodes_create(struct inode_ref dev_dir);
/* File operations for FK_BLK files (rdev names the disk). */
int blkdev_open(struct file_ref f, struct file *fp);
int64_t blkdev_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t blkdev_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t blkdev_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
/* Positioned I/O (pread/pwrite; the file offset does not move). */
int64_t blkdev_rw(struct file *fp, uint64_t pos, struct fw_uaddr buf, uint64_t n, bool write);
/* Device size in bytes (lseek SEEK_END), and fsync. */
uint64_t blkdev_size(struct file *fp);
int blkdev_fsync(struct file *fp);
/* sync(2): flush every disk. */
void blkdev_sync_all(void);

#endif
