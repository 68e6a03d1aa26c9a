/* File system calls: open, read, write, stat and friends. Layer: services
 * (safe C). */
#include "syscall/syscall.h"
#include <fw/time.h>

/* The directory a *at() call starts from. */
static int start_dir(int64_t dirfd, struct inode_ref *out)
{
	struct proc *p = cur_proc();
	if ((int32_t)dirfd == AT_FDCWD) {
		*out = p->cwd;
		return 0;
	}
	struct file_ref f;
	int e = fd_get(p->files, (int32_t)dirfd, &f);
	if (e)
		return e;
	*out = file_get(f)->inode;
	return 0;
}

/* Copy a path argument and resolve it. */
static int resolve_at(int64_t dirfd, uint64_t upath, uint32_t lookup, struct inode_ref *out, struct kname *last,
		      bool empty_ok)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kpath *kp = kpath_get(pr);
	int e = kpath_from_user(kp, upath);
	struct inode_ref start;
	if (e == 0)
		e = start_dir(dirfd, &start);
	if (e == 0 && kp->len == 0) {
		if (empty_ok) {
			*out = start;
			last->len = 0;
		} else {
			e = -ENOENT;
		}
	} else if (e == 0) {
		e = path_lookup(cur_proc()->root, start, kp, lookup, out, last);
	}
	kpath_free(pr);
	return e;
}

static int64_t do_openat(int64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode)
{
	struct proc *p = cur_proc();
	struct inode_ref ino;
	struct kname last;
	int e;
	if (flags & O_CREAT) {
		struct inode_ref dir;
		e = resolve_at(dirfd, upath, LOOKUP_PARENT, &dir, &last, false);
		if (e)
			return e;
		if (last.len == 0)
			return -EISDIR;
		e = dir_lookup(dir, &last, &ino);
		if (e == 0 && (flags & O_EXCL))
			return -EEXIST;
		if (e == -ENOENT) {
			e = inode_new(S_IFREG | ((uint32_t)mode & 07777 & ~p->umask), &ino);
			if (e == 0)
				e = dir_link(dir, &last, ino);
			if (e)
				return e;
		} else if (e) {
			return e;
		}
		/* follow a symlink at the final component */
		struct inode *ip = inode_get(ino);
		if ((ip->mode & S_IFMT) == S_IFLNK) {
			e = resolve_at(dirfd, upath, LOOKUP_FOLLOW, &ino, &last, false);
			if (e)
				return e;
		}
	} else {
		e = resolve_at(dirfd, upath, (flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &ino, &last, false);
		if (e)
			return e;
	}
	struct inode *ip = inode_get(ino);
	uint32_t type = ip->mode & S_IFMT;
	if (type == S_IFLNK && (flags & O_NOFOLLOW) && !(flags & O_PATH))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && type != S_IFDIR)
		return -ENOTDIR;
	if (type == S_IFDIR && (flags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if ((flags & O_TRUNC) && type == S_IFREG && (flags & O_ACCMODE) != O_RDONLY)
		(void)inode_truncate(ino, 0);
	struct file_ref f;
	e = file_open_inode(ino, (uint32_t)flags, &f);
	if (e)
		return e;
	int fd = fd_install(p->files, f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

int64_t sys_open(struct fw_uregs *r) { return do_openat(AT_FDCWD, a0(r), a1(r), a2(r)); }
int64_t sys_openat(struct fw_uregs *r) { return do_openat((int32_t)a0(r), a1(r), a2(r), a3(r)); }

int64_t sys_close(struct fw_uregs *r) { return fd_close(cur_proc()->files, (int32_t)a0(r)); }

static int64_t io(int64_t fd, uint64_t buf, uint64_t n, bool write)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, fd, &f);
	if (e)
		return e;
	if (n > 0x7ffff000)
		n = 0x7ffff000;
	if (!fw_user_range_ok(buf, n))
		return -EFAULT;
	return write ? file_write(f, fw_uaddr(buf), n) : file_read(f, fw_uaddr(buf), n);
}

int64_t sys_read(struct fw_uregs *r) { return io((int32_t)a0(r), a1(r), a2(r), false); }
int64_t sys_write(struct fw_uregs *r) { return io((int32_t)a0(r), a1(r), a2(r), true); }

static int64_t iov_io(int64_t fd, uint64_t uiov, uint64_t cnt, bool write)
{
	if (cnt > 1024)
		return -EINVAL;
	int64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (fw_copy_from_user(&v, fw_uaddr(uiov + i * sizeof(v))))
			return total ? total : -EFAULT;
		if ((int64_t)v.len < 0)
			return -EINVAL;
		if (v.len == 0)
			continue;
		int64_t n = io(fd, v.base, v.len, write);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < v.len)
			break;
	}
	return total;
}

int64_t sys_readv(struct fw_uregs *r) { return iov_io((int32_t)a0(r), a1(r), a2(r), false); }
int64_t sys_writev(struct fw_uregs *r) { return iov_io((int32_t)a0(r), a1(r), a2(r), true); }

int64_t sys_lseek(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if (fp->kind == FK_PIPE || fp->kind == FK_CHR)
		return fp->kind == FK_PIPE ? -ESPIPE : 0;
	int64_t off = (int64_t)a1(r), base;
	switch (a2(r)) {
	case 0:
		base = 0;
		break;
	case 1:
		base = (int64_t)fp->off;
		break;
	case 2:
		base = (int64_t)inode_get(fp->inode)->size;
		break;
	default:
		return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	fp->off = (uint64_t)(base + off);
	return (int64_t)fp->off;
}

int64_t sys_ioctl(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	if (e)
		return e;
	return file_ioctl(f, a1(r) & 0xffffffff, a2(r));
}

static int64_t stat_inode(struct inode_ref ino, uint64_t ubuf)
{
	struct linux_stat st;
	inode_stat(ino, &st);
	return fw_copy_to_user(fw_uaddr(ubuf), &st) ? -EFAULT : 0;
}

int64_t sys_newfstatat(struct fw_uregs *r)
{
	uint64_t flags = a3(r);
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800))
		return -EINVAL;
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at((int32_t)a0(r), a1(r), (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &ino, &last,
			   (flags & AT_EMPTY_PATH) != 0);
	return e ? e : stat_inode(ino, a2(r));
}

int64_t sys_stat(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	return e ? e : stat_inode(ino, a1(r));
}

int64_t sys_lstat(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), 0, &ino, &last, false);
	return e ? e : stat_inode(ino, a1(r));
}

int64_t sys_fstat(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	return e ? e : stat_inode(file_get(f)->inode, a1(r));
}

int64_t sys_access(struct fw_uregs *r)
{
	if (a1(r) & ~7ULL)
		return -EINVAL;
	struct inode_ref ino;
	struct kname last;
	return resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
}

int64_t sys_fcntl(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	int64_t fd = (int32_t)a0(r);
	struct file_ref f;
	int e = fd_get(p->files, fd, &f);
	if (e)
		return e;
	struct fdtable *t = fdtable_get(p->files);
	switch (a1(r)) {
	case 0: /* F_DUPFD */
	case 1030: /* F_DUPFD_CLOEXEC */
		if (a2(r) >= FD_MAX)
			return -EINVAL;
		e = fd_install(p->files, f, (uint32_t)a2(r), a1(r) == 1030);
		if (e >= 0)
			file_hold(f);
		return e;
	case 1: /* F_GETFD */
		return t->cloexec[fd] ? 1 : 0;
	case 2: /* F_SETFD */
		t->cloexec[fd] = (a2(r) & 1) != 0;
		return 0;
	case 3: /* F_GETFL */
		return file_get(f)->flags;
	case 4: { /* F_SETFL: only O_APPEND and O_NONBLOCK change */
		struct file *fp = file_get(f);
		uint32_t mask = O_APPEND | O_NONBLOCK;
		fp->flags = (fp->flags & ~mask) | ((uint32_t)a2(r) & mask);
		return 0;
	}
	default:
		return -EINVAL;
	}
}

int64_t sys_getcwd(struct fw_uregs *r)
{
	/* Walk up from cwd collecting names (directories know their parent). */
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

int64_t sys_chdir(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	if (e)
		return e;
	if ((inode_get(ino)->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	cur_proc()->cwd = ino;
	return 0;
}

int64_t sys_readlink(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), 0, &ino, &last, false);
	if (e)
		return e;
	struct inode *ip = inode_get(ino);
	if ((ip->mode & S_IFMT) != S_IFLNK)
		return -EINVAL;
	if ((int64_t)a2(r) <= 0)
		return -EINVAL;
	uint64_t n = FW_MIN(ip->size, a2(r));
	return inode_read_user(ino, 0, fw_uaddr(a1(r)), n);
}
