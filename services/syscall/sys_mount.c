/* mount(2) and umount2(2). Layer: services (safe C).
 * Decodes and checks the arguments; the mount table lives in the VFS. */
#include "syscall/fs.h"

/* Copy a short user string (a source or type name) into a kname. */
static int name_from_user(uint64_t u, struct kname *n)
{
	n->len = 0;
	n->s[0] = 0;
	if (!u)
		return 0;
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kpath *kp = kpath_get(pr);
	int e = kpath_from_user(kp, u);
	if (e == 0 && kp->len > NAME_MAX)
		e = -ENAMETOOLONG;
	if (e == 0)
		kname_set(n, kp, 0, kp->len);
	kpath_free(pr);
	return e;
}

int64_t sys_mount(struct fw_uregs *r)
{
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	struct kname source, type, last;
	struct inode_ref target;
	int e = name_from_user(a0(r), &source);
	if (e == 0)
		e = name_from_user(a2(r), &type);
	if (e == 0)
		e = resolve_at(AT_FDCWD, a1(r), LOOKUP_FOLLOW, &target, &last, false);
	if (e)
		return e;
	if (source.len == 0)
		source = type;
	uint32_t tflags = 0;
	if (!(a3(r) & (MS_REMOUNT | MS_PROPAGATION | MS_BIND | MS_MOVE)) && vfs_fs_type_flags(&type, &tflags) == 0 &&
	    (tflags & FS_REQUIRES_DEV)) {
		/* the source is a block device node */
		struct inode_ref dev;
		e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &dev, &last, false);
		if (e)
			return e;
		struct inode *dp = inode_get(dev);
		if ((dp->mode & S_IFMT) != S_IFBLK)
			return -ENOTBLK;
		return vfs_mount_dev(&source, &type, target, a3(r), dp->rdev);
	}
	return vfs_mount(&source, &type, target, a3(r));
}

int64_t sys_umount2(struct fw_uregs *r)
{
	uint64_t flags = a1(r);
	if (flags & ~(uint64_t)(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	struct kname last;
	struct inode_ref target;
	int e = resolve_at(AT_FDCWD, a0(r), (flags & UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &target, &last, false);
	if (e)
		return e;
	struct inode *ip = inode_get(target);
	/* a process working in it keeps it busy */
	if (!(flags & MNT_DETACH) && ip && vfs_is_mount_root(target) && proc_uses_fs(ip->sb))
		return -EBUSY;
	return vfs_umount(target, flags);
}
