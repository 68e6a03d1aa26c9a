/* procfs: /proc generated from the process table. Layer: services (safe C). */
#ifndef SVC_FS_PROCFS_H
#define SVC_FS_PROCFS_H

#include "vfs/vfs.h"

/* Rebuild a /proc directory's entries (the process list changes). */
void procfs_refresh(struct inode_ref dir);
/* Symlinks such as /proc/self, /proc/<pid>/exe and fd/N. */
int64_t procfs_readlink(struct inode_ref ino, uint64_t ubuf, uint64_t size);
/* Generate the text of a /proc file into a private inode at open. */
int procfs_open(struct file_ref f, struct file *fp);
/* A new procfs root (mount -t proc). */
int procfs_new_root(struct inode_ref *out);

#endif
