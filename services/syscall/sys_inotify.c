/* inotify_init, inotify_init1, inotify_add_watch, inotify_rm_watch.
 * Layer: services (safe C). Decodes and checks the arguments in Linux's
 * order (mask, descriptor, path, permission) and hands the instance's
 * work to the VFS's notification code (services/vfs/notify.c). */
#include "syscall/fs.h"

/* Every bit inotify_add_watch accepts. */
#define IN_ALL_BITS                                                                                        \
	(IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK | \
	 IN_MASK_CREATE | IN_MASK_ADD | IN_ISDIR | IN_ONESHOT)

static int64_t init_do(uint64_t flags)
{
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct file_ref f;
	int e = inotify_new((uint32_t)flags, cur_proc()->euid, &f);
	if (e)
		return e;
	int fd = fd_install_limited(f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

int64_t sys_inotify_init(struct fw_uregs *r) { return init_do(0); }
int64_t sys_inotify_init1(struct fw_uregs *r) { return init_do(a0(r)); }

int64_t sys_inotify_add_watch(struct fw_uregs *r)
{
	uint32_t mask = (uint32_t)a2(r);
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if ((mask & ~(uint32_t)IN_ALL_BITS) || !(mask & IN_ALL_BITS))
		return -EINVAL;
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	if (e)
		return e;
	if (file_get(f)->flags & O_PATH)
		return -EBADF;
	struct inode_ref ino;
	struct kname last;
	e = resolve_at(AT_FDCWD, a1(r), (mask & IN_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW, &ino, &last, false);
	if (e)
		return e;
	struct inode *ip = inode_get(ino);
	if ((mask & IN_ONLYDIR) && (!ip || (ip->mode & S_IFMT) != S_IFDIR))
		return -ENOTDIR;
	e = may_access(ino, MAY_READ);
	if (e)
		return e;
	return inotify_add(f, ino, mask);
}

int64_t sys_inotify_rm_watch(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	if (e)
		return e;
	return inotify_rm(f, (int32_t)a1(r));
}
