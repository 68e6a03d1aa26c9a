/* Path resolution, permission checks and node creation for the file-system
 * system calls. Layer: services (safe C). Trusts the VFS for lookups and
 * the process for credentials. */
#include "syscall/fs.h"
#include <fw/time.h>

int start_dir(int64_t dirfd, struct inode_ref *out)
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
	return inode_ref_valid(*out) ? 0 : -ENOTDIR;
}

int fd_get_io(int64_t fd, struct file_ref *out)
{
	/* fd_get then file_get would look the file up twice (read and
	 * write pass here on every call): file_get alone tells whether the
	 * descriptor is open. */
	struct fdtable *tp = fdtable_get(cur_proc()->files);
	if (!tp || fd < 0 || fd >= FD_MAX)
		return -EBADF;
	struct file *fp = file_get(tp->fd[fd]);
	if (!fp || (fp->flags & O_PATH))
		return -EBADF;
	*out = tp->fd[fd];
	return 0;
}

int resolve_at(int64_t dirfd, uint64_t upath, uint32_t lookup, struct inode_ref *out, struct kname *last,
	       bool empty_ok)
{
	struct vfs_cred c;
	proc_fs_cred(cur_proc(), &c);
	return resolve_at_as(dirfd, upath, lookup, &c, out, last, empty_ok);
}

int resolve_at_as(int64_t dirfd, uint64_t upath, uint32_t lookup, const struct vfs_cred *cred,
		  struct inode_ref *out, struct kname *last, bool empty_ok)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	struct kpath *kp = kpath_get(pr);
	int e = kpath_lookup_from_user(kp, upath);
	struct inode_ref start = {0};
	/* openat2's restrictions need the start directory for absolute paths too */
	bool scoped = (lookup & (LOOKUP_IN_ROOT | LOOKUP_BENEATH | LOOKUP_NO_XDEV)) != 0;
	if (e == 0 && (kp->len == 0 || kp->s[0] != '/' || scoped))
		e = start_dir(dirfd, &start);
	if (e == 0 && kp->len == 0) {
		if (empty_ok) {
			*out = start;
			last->len = 0;
		} else {
			e = -ENOENT;
		}
	} else if (e == 0) {
		e = path_lookup_as(cur_proc()->root, start, kp, lookup, cred, out, last);
	}
	kpath_free(pr);
	return e;
}

int resolve_parent(int64_t dirfd, uint64_t upath, struct inode_ref *dir, struct kname *last)
{
	return resolve_at(dirfd, upath, LOOKUP_PARENT, dir, last, false);
}

int may_access(struct inode_ref ino, uint32_t mask)
{
	struct vfs_cred c;
	proc_fs_cred(cur_proc(), &c);
	return vfs_permission(ino, &c, mask);
}

/* New nodes belong to the fs uid and gid (Linux's inode_init_owner). */
struct inode_new node_identity(uint32_t mode, uint32_t rdev)
{
	struct proc *p = cur_proc();
	struct inode_new nw = {mode, rdev, p->fsuid, p->fsgid};
	return nw;
}

/* The same inside dir: a set-group-ID directory hands its group down (and
 * the bit, to subdirectories); a file keeps S_ISGID with group execute only
 * if its creator belongs to that group (or is root). */
struct inode_new node_identity_in(struct inode_ref dir, uint32_t mode, uint32_t rdev)
{
	struct proc *p = cur_proc();
	struct inode_new nw = node_identity(mode, rdev);
	struct inode *dp = inode_get(dir);
	if (dp && (dp->mode & S_ISGID)) {
		nw.gid = dp->gid;
		if ((mode & S_IFMT) == S_IFDIR)
			nw.mode |= S_ISGID;
	}
	if ((nw.mode & S_IFMT) != S_IFDIR && (nw.mode & (S_ISGID | 010)) == (S_ISGID | 010) && !proc_capable(p, CAP_FSETID)) {
		struct vfs_cred c;
		proc_fs_cred(p, &c);
		bool member = c.gid == nw.gid;
		for (uint32_t i = 0; i < c.ngroups && i < VFS_NGROUPS; i++)
			member = member || c.groups[i] == nw.gid;
		if (!member)
			nw.mode &= ~(uint32_t)S_ISGID;
	}
	return nw;
}

int create_node(struct inode_ref dir, const struct kname *name, uint32_t mode, uint32_t rdev, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	if ((dp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (dp->nlink == 0)
		return -ENOENT; /* creating in a removed directory */
	int e = may_access(dir, MAY_WRITE | MAY_EXEC);
	if (e)
		return e;
	struct inode_new nw = node_identity_in(dir, mode, rdev);
	if ((mode & S_IFMT) == S_IFDIR)
		return vfs_mkdir(dir, name, &nw, out);
	return vfs_create(dir, name, &nw, out);
}

uint32_t fd_limit(void)
{
	uint64_t cur = rlimit_of(cur_proc(), 7).cur; /* RLIMIT_NOFILE */
	if (cur > FD_MAX)
		return FD_MAX;
	return (uint32_t)cur;
}

int fd_install_limited(struct file_ref f, uint32_t min_fd, bool cloexec)
{
	int fd = fd_install(cur_proc()->files, f, min_fd, cloexec);
	if (fd >= 0 && (uint32_t)fd >= fd_limit()) {
		fdtable_get(cur_proc()->files)->fd[fd] = (struct file_ref){0};
		return -EMFILE;
	}
	return fd;
}

int truncate_file(struct inode_ref ino, uint64_t size)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -EBADF;
	bool shrink = size < ip->size;
	int64_t now = (int64_t)fw_time_realtime_ns();
	struct iattr a = {.valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME, .size = size, .mtime_ns = now, .ctime_ns = now};
	int e = vfs_setattr(ino, &a);
	if (e || !shrink)
		return e;
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (p && p->state == PROC_ALIVE)
			mm_file_truncated(p->mm, ino, size);
	}
	return 0;
}
