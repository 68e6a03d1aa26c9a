/* procfs (first cut: stubs). Layer: services (safe C). */
#include "fs/procfs.h"

void procfs_refresh(struct inode_ref dir) {}
int64_t procfs_readlink(struct inode_ref ino, uint64_t ubuf, uint64_t size) { return -EINVAL; }
int procfs_open(struct file_ref f, struct file *fp) { return 0; }
int procfs_new_root(struct inode_ref *out) { return -ENODEV; }
