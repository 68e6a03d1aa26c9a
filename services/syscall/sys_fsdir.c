/* Directory system calls: mkdir, mknod, rmdir, unlink, rename, link,
 * symlink, readlink, getdents64, chdir, getcwd. Layer: services (safe C). */
#include "syscall/fs.h"
#include <fw/time.h>

static bool is_dot(const struct kname *n) { return n->len == 1 && n->s[0] == '.'; }
static bool is_dotdot(const struct kname *n) { return n->len == 2 && n->s[0] == '.' && n->s[1] == '.'; }

static uint32_t type_of(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip ? ip->mode & S_IFMT : 0;
}

/* Removing or renaming away dir/victim: write and search permission on
 * the directory, then in a sticky directory only the victim's owner, the
 * directory's owner or root may (Linux's may_delete: EPERM). */
static int may_delete(struct inode_ref dir, struct inode_ref victim)
{
	int e = may_access(dir, MAY_WRITE | MAY_EXEC);
	if (e)
		return e;
	struct inode *dp = inode_get(dir), *vp = inode_get(victim);
	if (!dp || !vp || !(dp->mode & S_ISVTX))
		return 0;
	uint32_t fsuid = cur_proc()->fsuid;
	return fsuid == 0 || fsuid == vp->uid || fsuid == dp->uid ? 0 : -EPERM;
}

static int64_t make_node(int64_t dirfd, uint64_t upath, uint32_t mode, uint32_t rdev)
{
	struct inode_ref dir, ino;
	struct kname last;
	int e = resolve_parent(dirfd, upath, &dir, &last);
	if (e)
		return e;
	if (last.len == 0 || is_dot(&last) || is_dotdot(&last))
		return -EEXIST;
	if (dir_lookup(dir, &last, &ino) == 0)
		return -EEXIST;
	uint32_t type = mode & S_IFMT;
	return create_node(dir, &last, type | (mode & 07777 & ~cur_proc()->umask), rdev, &ino);
}

int64_t sys_mkdir(struct fw_uregs *r) { return make_node(AT_FDCWD, a0(r), S_IFDIR | ((uint32_t)a1(r) & 07777), 0); }
int64_t sys_mkdirat(struct fw_uregs *r) { return make_node((int32_t)a0(r), a1(r), S_IFDIR | ((uint32_t)a2(r) & 07777), 0); }

static int64_t mknod_at(int64_t dirfd, uint64_t upath, uint64_t mode, uint64_t dev)
{
	uint32_t type = (uint32_t)mode & S_IFMT;
	if (type == 0)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFIFO && type != S_IFCHR && type != S_IFBLK && type != S_IFSOCK)
		return -EINVAL;
	if ((type == S_IFCHR || type == S_IFBLK) && !cred_capable(CAP_MKNOD))
		return -EPERM;
	/* Linux's dev_t: major in bits 8..19, minor in 0..7 and 20..31 */
	uint32_t rdev = dev_make((uint32_t)(dev >> 8) & 0xfff, (uint32_t)(dev & 0xff) | (uint32_t)((dev >> 12) & 0xfff00));
	return make_node(dirfd, upath, type | ((uint32_t)mode & 07777), rdev);
}

int64_t sys_mknod(struct fw_uregs *r) { return mknod_at(AT_FDCWD, a0(r), a1(r), a2(r)); }
int64_t sys_mknodat(struct fw_uregs *r) { return mknod_at((int32_t)a0(r), a1(r), a2(r), a3(r)); }

static int64_t do_rmdir(int64_t dirfd, uint64_t upath)
{
	struct inode_ref dir, ino;
	struct kname last;
	int e = resolve_parent(dirfd, upath, &dir, &last);
	if (e)
		return e;
	if (last.len == 0)
		return -EBUSY;
	if (is_dot(&last))
		return -EINVAL;
	if (is_dotdot(&last))
		return -ENOTEMPTY;
	e = dir_lookup_raw(dir, &last, &ino);
	if (e)
		return e;
	if (type_of(ino) != S_IFDIR)
		return -ENOTDIR;
	struct inode *ip = inode_get(ino);
	if (inode_ref_valid(ip->mounted))
		return -EBUSY;
	e = may_delete(dir, ino);
	return e ? e : vfs_rmdir(dir, &last);
}

static int64_t do_unlink(int64_t dirfd, uint64_t upath)
{
	struct inode_ref dir, ino;
	struct kname last;
	int e = resolve_parent(dirfd, upath, &dir, &last);
	if (e)
		return e;
	if (last.len == 0 || is_dot(&last) || is_dotdot(&last))
		return -EISDIR;
	e = dir_lookup_raw(dir, &last, &ino);
	if (e)
		return e;
	if (type_of(ino) == S_IFDIR)
		return -EISDIR;
	e = may_delete(dir, ino);
	return e ? e : vfs_unlink(dir, &last);
}

int64_t sys_rmdir(struct fw_uregs *r) { return do_rmdir(AT_FDCWD, a0(r)); }
int64_t sys_unlink(struct fw_uregs *r) { return do_unlink(AT_FDCWD, a0(r)); }

int64_t sys_unlinkat(struct fw_uregs *r)
{
	uint64_t flags = a2(r);
	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return (flags & AT_REMOVEDIR) ? do_rmdir((int32_t)a0(r), a1(r)) : do_unlink((int32_t)a0(r), a1(r));
}

/* Is `dir` the directory `anc` or inside it? */
static bool inside(struct inode_ref dir, struct inode_ref anc)
{
	struct inode_ref cur = dir;
	for (int i = 0; i < 4096; i++) {
		if (cur.idx == anc.idx && cur.gen == anc.gen)
			return true;
		struct inode *ip = inode_get(cur);
		if (!ip || (ip->parent.idx == cur.idx && ip->parent.gen == cur.gen))
			return false;
		cur = ip->parent;
	}
	return false;
}

static int64_t do_rename(int64_t ofd, uint64_t opath, int64_t nfd, uint64_t npath, uint64_t flags)
{
	if (flags & ~(uint64_t)RENAME_NOREPLACE)
		return -EINVAL;
	struct inode_ref odir, ndir, src, dst;
	struct kname olast, nlast;
	int e = resolve_parent(ofd, opath, &odir, &olast);
	if (e == 0)
		e = resolve_parent(nfd, npath, &ndir, &nlast);
	if (e)
		return e;
	if (olast.len == 0 || nlast.len == 0 || is_dot(&olast) || is_dotdot(&olast) || is_dot(&nlast) ||
	    is_dotdot(&nlast))
		return -EBUSY;
	e = dir_lookup_raw(odir, &olast, &src);
	if (e)
		return e;
	if (!vfs_same_fs(odir, ndir))
		return -EXDEV;
	bool src_dir = type_of(src) == S_IFDIR;
	bool replaces = dir_lookup_raw(ndir, &nlast, &dst) == 0;
	if (replaces) {
		if (dst.idx == src.idx && dst.gen == src.gen)
			return 0;
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		bool dst_dir = type_of(dst) == S_IFDIR;
		if (src_dir && !dst_dir)
			return -ENOTDIR;
		if (!src_dir && dst_dir)
			return -EISDIR;
	}
	if (src_dir && inside(ndir, src))
		return -EINVAL;
	e = may_delete(odir, src);
	if (e == 0)
		e = replaces ? may_delete(ndir, dst) : may_access(ndir, MAY_WRITE | MAY_EXEC);
	return e ? e : vfs_rename(odir, &olast, ndir, &nlast);
}

int64_t sys_rename(struct fw_uregs *r) { return do_rename(AT_FDCWD, a0(r), AT_FDCWD, a1(r), 0); }
int64_t sys_renameat(struct fw_uregs *r) { return do_rename((int32_t)a0(r), a1(r), (int32_t)a2(r), a3(r), 0); }
int64_t sys_renameat2(struct fw_uregs *r) { return do_rename((int32_t)a0(r), a1(r), (int32_t)a2(r), a3(r), a4(r)); }

static int64_t do_link(int64_t ofd, uint64_t opath, int64_t nfd, uint64_t npath, uint64_t flags)
{
	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode_ref src, ndir, dst;
	struct kname last;
	int e = resolve_at(ofd, opath, (flags & AT_SYMLINK_FOLLOW) ? LOOKUP_FOLLOW : 0, &src, &last,
			   (flags & AT_EMPTY_PATH) != 0);
	if (e)
		return e;
	e = resolve_parent(nfd, npath, &ndir, &last);
	if (e)
		return e;
	if (last.len == 0 || dir_lookup(ndir, &last, &dst) == 0)
		return -EEXIST;
	if (type_of(src) == S_IFDIR)
		return -EPERM;
	if (!vfs_same_fs(src, ndir))
		return -EXDEV;
	e = may_access(ndir, MAY_WRITE | MAY_EXEC);
	if (e == 0)
		e = vfs_link(ndir, &last, src);
	if (e == 0)
		inode_get(src)->ctime_ns = (int64_t)fw_time_realtime_ns();
	return e;
}

int64_t sys_link(struct fw_uregs *r) { return do_link(AT_FDCWD, a0(r), AT_FDCWD, a1(r), 0); }
int64_t sys_linkat(struct fw_uregs *r) { return do_link((int32_t)a0(r), a1(r), (int32_t)a2(r), a3(r), a4(r)); }

static int64_t symlink_in(const struct kpath *target, int64_t dirfd, uint64_t upath)
{
	if (target->len == 0)
		return -ENOENT;
	struct inode_ref dir, ino;
	struct kname last;
	int e = resolve_parent(dirfd, upath, &dir, &last);
	if (e)
		return e;
	if (last.len == 0 || dir_lookup(dir, &last, &ino) == 0)
		return -EEXIST;
	struct inode *dp = inode_get(dir);
	if ((dp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (dp->nlink == 0)
		return -ENOENT;
	e = may_access(dir, MAY_WRITE | MAY_EXEC);
	if (e)
		return e;
	struct inode_new nw = node_identity_in(dir, S_IFLNK | 0777, 0);
	return vfs_symlink(dir, &last, &nw, target);
}

static int64_t do_symlink(uint64_t utarget, int64_t dirfd, uint64_t upath)
{
	struct kpath_ref tr;
	if (kpath_alloc(&tr))
		return -ENOMEM;
	int64_t e = kpath_from_user(kpath_get(tr), utarget);
	if (e == 0)
		e = symlink_in(kpath_get(tr), dirfd, upath);
	kpath_free(tr);
	return e;
}

int64_t sys_symlink(struct fw_uregs *r) { return do_symlink(a0(r), AT_FDCWD, a1(r)); }
int64_t sys_symlinkat(struct fw_uregs *r) { return do_symlink(a0(r), (int32_t)a1(r), a2(r)); }

static int64_t do_readlink(int64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	if ((int64_t)size <= 0)
		return -EINVAL; /* before the path, as Linux */
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(dirfd, upath, 0, &ino, &last, true);
	if (e)
		return e;
	struct inode *ip = inode_get(ino);
	if ((ip->mode & S_IFMT) != S_IFLNK) {
		/* An empty path names the descriptor itself: a symbolic link
		 * opened with O_PATH is read, anything else is ENOENT. */
		uint8_t first = 1;
		return fw_copy_from_user(&first, fw_uaddr(upath)) == 0 && first == 0 ? -ENOENT : -EINVAL;
	}
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kpath *kp = kpath_get(pr);
	int64_t ret = vfs_readlink(ino, kp);
	if (ret == 0) {
		uint32_t n = (uint32_t)FW_MIN((uint64_t)kp->len, size);
		ret = fw_copy_to_user_n(fw_uaddr(ubuf), &kp->s, n) ? -EFAULT : (int64_t)n;
	}
	kpath_free(pr);
	return ret;
}

int64_t sys_readlink(struct fw_uregs *r) { return do_readlink(AT_FDCWD, a0(r), a1(r), a2(r)); }
int64_t sys_readlinkat(struct fw_uregs *r) { return do_readlink((int32_t)a0(r), a1(r), a2(r), a3(r)); }

int64_t sys_getdents64(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	return e ? e : file_readdir(f, a1(r), a2(r));
}

int64_t sys_getdents(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	return e ? e : file_readdir_fmt(f, a1(r), a2(r), true);
}

int64_t sys_getcwd(struct fw_uregs *r)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kpath *out = kpath_get(pr);
	int e = vfs_path_of(cur_proc()->root, cur_proc()->cwd, out);
	int64_t ret = e;
	if (e == 0) {
		if ((uint64_t)out->len + 1 > a1(r))
			ret = -ERANGE;
		else if (fw_copy_to_user_n(fw_uaddr(a0(r)), &out->s, out->len + 1))
			ret = -EFAULT;
		else
			ret = out->len + 1;
	}
	kpath_free(pr);
	return ret;
}

static int64_t set_cwd(struct inode_ref ino)
{
	if (type_of(ino) != S_IFDIR)
		return -ENOTDIR;
	int e = may_access(ino, MAY_EXEC);
	if (e)
		return e;
	cur_proc()->cwd = ino;
	share_publish_fs(cur_proc_ref());
	return 0;
}

int64_t sys_chdir(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	return e ? e : set_cwd(ino);
}

int64_t sys_fchdir(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	return e ? e : set_cwd(file_get(f)->inode);
}

int64_t sys_chroot(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	if (!cred_capable(CAP_SYS_CHROOT))
		return -EPERM;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	if (e)
		return e;
	if (type_of(ino) != S_IFDIR)
		return -ENOTDIR;
	cur_proc()->root = ino;
	share_publish_fs(cur_proc_ref());
	return 0;
}
