/* Calls between the VFS's own files (not for other services). Layer:
 * services (safe C). The file-system type registry lives in super.c; the
 * others reach a file system's operations through these dispatchers, each
 * giving the Linux error of a missing operation. */
#ifndef SVC_VFS_INTERNAL_H
#define SVC_VFS_INTERNAL_H

#include "vfs/vfs.h"

/* lookup is the hot one: the caller passes the directory's inode.fstype. */
int fsop_lookup(uint32_t fstype, struct inode_ref dir, const struct kname *name, struct inode_ref *out);
int fsop_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
int fsop_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
int fsop_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, const struct kpath *target,
		 struct inode_ref *out);
int fsop_link(struct inode_ref dir, const struct kname *name, struct inode_ref target);
int fsop_unlink(struct inode_ref dir, const struct kname *name, struct inode_ref victim);
int fsop_rmdir(struct inode_ref dir, const struct kname *name, struct inode_ref victim);
int fsop_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname);
int fsop_readlink(struct inode_ref ino, struct kpath *out);
int fsop_link_target(struct inode_ref link, struct inode_ref *out);
int fsop_setattr(struct inode_ref ino, const struct iattr *a);
int fsop_fallocate(struct inode_ref ino, uint32_t mode, uint64_t off, uint64_t len);
int fsop_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out);
void fsop_evict(struct inode_ref ino);
/* The FS_* flags of registered type `type` (0 for none). */
uint32_t fs_type_flags_at(uint32_t type);
bool fsop_has_backing(struct inode_ref ino);
bool fstype_has_backing(uint32_t fstype);
int fsop_readpages(struct inode_ref ino, struct page_batch *b);
int fsop_writepages(struct inode_ref ino, const struct page_batch *b);
int fsop_write_begin(struct inode_ref ino, uint64_t pos, uint64_t len);
int fsop_write_end(struct inode_ref ino, uint64_t pos, uint64_t len, uint64_t copied);
int fsop_write_inode(struct inode_ref ino);
int fsop_fsync(struct inode_ref ino, bool datasync);

/* Super blocks for the mount table (super.c) and the table's own (mount.c). */
int fs_type_lookup(const struct kname *type, uint32_t *out);
struct super_ref fs_single_get(uint32_t t);
void fs_single_set(uint32_t t, struct super_ref sb);
int super_make(uint32_t t, const struct kname *source, uint64_t flags, uint32_t bdev, struct super_ref *out);
/* The last mount of sb goes: sync and the file system's umount (nothing
 * for FS_SINGLE types); then super_release frees it (FS_SINGLE: kept). */
int super_unmount(struct super_ref sb);
void super_release(struct super_ref sb);
uint32_t mount_next_dev(void);
/* The super block of the caller's namespace's root. */
struct super_ref mount_root_super(void);

#endif
