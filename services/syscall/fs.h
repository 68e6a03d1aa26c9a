/* Helpers shared by the file-system system calls. Layer: services (safe C). */
#ifndef SVC_SYSCALL_FS_H
#define SVC_SYSCALL_FS_H

#include "syscall/syscall.h"
#include <abi/fs.h>


/* The directory a *at() call starts from. */
int start_dir(int64_t dirfd, struct inode_ref *out);
/* Copy a user path and resolve it with the caller's fs credentials
 * (empty_ok: AT_EMPTY_PATH). */
int resolve_at(int64_t dirfd, uint64_t upath, uint32_t lookup, struct inode_ref *out, struct kname *last,
	       bool empty_ok);
/* The same with given credentials (access(2) checks with the real ids). */
int resolve_at_as(int64_t dirfd, uint64_t upath, uint32_t lookup, const struct vfs_cred *cred,
		  struct inode_ref *out, struct kname *last, bool empty_ok);
/* Resolve the parent of a path to create or remove: -EEXIST/-ENOENT
 * rules are the caller's; `last` is empty for "/" and similar. */
int resolve_parent(int64_t dirfd, uint64_t upath, struct inode_ref *dir, struct kname *last);
/* Permission check for the caller's credentials (mask MAY_*). */
int may_access(struct inode_ref ino, uint32_t mask);
/* A new inode owned by the caller, linked as dir/name (after the
 * caller's permission check). */
int create_node(struct inode_ref dir, const struct kname *name, uint32_t mode, uint32_t rdev, struct inode_ref *out);
/* The current limit on descriptor numbers (RLIMIT_NOFILE). */
uint32_t fd_limit(void);
int fd_install_limited(struct file_ref f, uint32_t min_fd, bool cloexec);
/* Linux's fdget(): the caller's descriptor fd unless it is an O_PATH one
 * (-EBADF); fd_get itself is fdget_raw(), for the calls that take O_PATH
 * descriptors (close, dup, fcntl's descriptor commands, fstat, fstatfs,
 * fchdir, the *at directory argument). */
int fd_get_io(int64_t fd, struct file_ref *out);
/* fd_get_io handing back the file it found too (NULL: -EBADF). */
struct file *fd_file_io(int64_t fd, struct file_ref *out);
/* open(2) and its relatives: flags as open takes them (unknown ones are
 * dropped), rlk extra LOOKUP_* restrictions (openat2's RESOLVE_*). */
int64_t open_how_do(int64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode, uint32_t rlk);
/* Truncate a regular file and drop mapped pages now past EOF in every
 * process (they fault with SIGBUS afterwards). */
int truncate_file(struct inode_ref ino, uint64_t size);
/* The identity of a new node made by the caller. */
struct inode_new node_identity(uint32_t mode, uint32_t rdev);
struct inode_new node_identity_in(struct inode_ref dir, uint32_t mode, uint32_t rdev);

#endif
