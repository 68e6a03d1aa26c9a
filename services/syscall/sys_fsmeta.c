/* File metadata system calls: stat family, statx, access, chmod, chown,
 * truncate, utimensat, statfs, umask. Layer: services (safe C). */
#include "syscall/fs.h"
#include <fw/time.h>

static int64_t stat_inode(struct inode_ref ino, uint64_t ubuf)
{
	struct linux_stat st;
	inode_stat(ino, &st);
	return fw_copy_to_user(fw_uaddr(ubuf), &st) ? -EFAULT : 0;
}

static int64_t fstat_fd(int32_t fd, uint64_t ubuf);

int64_t sys_newfstatat(struct fw_uregs *r)
{
	uint64_t flags = a3(r);
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	/* fstatat(fd, "", AT_EMPTY_PATH) is fstat(fd), for any kind of file
	 * (glibc's fstat is implemented this way, pipes included) */
	char first = 1;
	if ((flags & AT_EMPTY_PATH) && (int32_t)a0(r) != AT_FDCWD && fw_copy_from_user(&first, fw_uaddr(a1(r))) == 0 &&
	    first == 0)
		return fstat_fd((int32_t)a0(r), a2(r));
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

/* The inode behind a descriptor; pipes and event files get a stand-in.
 * raw: O_PATH descriptors count (fstatfs), else they are EBADF. */
static int fd_inode(int64_t fd, struct inode_ref *out, bool raw)
{
	struct file_ref f;
	int e = raw ? fd_get(cur_proc()->files, fd, &f) : fd_get_io(fd, &f);
	if (e)
		return e;
	*out = file_get(f)->inode;
	return 0;
}

static int64_t fstat_fd(int32_t fd, uint64_t ubuf)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, fd, &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if (!inode_ref_valid(fp->inode)) {
		struct linux_stat st = {0};
		struct kname name;
		uint32_t type;
		file_anon_name(f, &name, &type);
		st.st_mode = type | 0600;
		st.st_nlink = 1;
		st.st_blksize = 4096;
		st.st_dev = 9;
		st.st_ino = file_anon_ino(f);
		if (!st.st_ino)
			st.st_ino = (uint64_t)f.idx + 1000000;
		if ((type & S_IFMT) == S_IFSOCK) {
			st.st_mode = S_IFSOCK | 0777; /* as Linux's sockfs */
			st.st_dev = 8;
		}
		return fw_copy_to_user(fw_uaddr(ubuf), &st) ? -EFAULT : 0;
	}
	return stat_inode(fp->inode, ubuf);
}

int64_t sys_fstat(struct fw_uregs *r) { return fstat_fd((int32_t)a0(r), a1(r)); }

static void sx_time(struct linux_statx_ts *t, int64_t sec, int64_t nsec)
{
	t->tv_sec = sec;
	t->tv_nsec = (uint32_t)nsec;
}

int64_t sys_statx(struct fw_uregs *r)
{
	uint64_t flags = a2(r);
	/* STATX__RESERVED in the mask, both sync types at once, or an unknown
	 * flag: EINVAL before the path is looked at, as Linux. */
	if ((uint32_t)a3(r) & 0x80000000u)
		return -EINVAL;
	if ((flags & 0x6000) == 0x6000)
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | 0x6000))
		return -EINVAL;
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at((int32_t)a0(r), a1(r), (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &ino, &last,
			   (flags & AT_EMPTY_PATH) != 0);
	if (e)
		return e;
	struct linux_stat st;
	inode_stat(ino, &st);
	struct linux_statx sx = {0};
	sx.mask = 0x7ff; /* STATX_BASIC_STATS */
	sx.blksize = (uint32_t)st.st_blksize;
	sx.nlink = (uint32_t)st.st_nlink;
	sx.uid = st.st_uid;
	sx.gid = st.st_gid;
	sx.mode = (uint16_t)st.st_mode;
	sx.ino = st.st_ino;
	sx.size = (uint64_t)st.st_size;
	sx.blocks = (uint64_t)st.st_blocks;
	sx_time(&sx.atime, st.st_atime_sec, st.st_atime_nsec);
	sx_time(&sx.mtime, st.st_mtime_sec, st.st_mtime_nsec);
	sx_time(&sx.ctime, st.st_ctime_sec, st.st_ctime_nsec);
	sx.rdev_major = (uint32_t)(st.st_rdev >> 8);
	sx.rdev_minor = (uint32_t)(st.st_rdev & 0xff);
	sx.dev_major = 0;
	sx.dev_minor = (uint32_t)st.st_dev;
	return fw_copy_to_user(fw_uaddr(a4(r)), &sx) ? -EFAULT : 0;
}

static int64_t do_access(int64_t dirfd, uint64_t upath, uint64_t mode, uint64_t flags)
{
	if (mode & ~7ULL)
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	/* Checked with the real ids unless AT_EACCESS, the lookup too. */
	struct vfs_cred c;
	if (flags & AT_EACCESS)
		proc_fs_cred(cur_proc(), &c);
	else
		proc_real_cred(cur_proc(), &c);
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at_as(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &c, &ino, &last,
			      (flags & AT_EMPTY_PATH) != 0);
	if (e || mode == 0)
		return e;
	/* Nobody gets write access to a read-only file system (Linux's
	 * sb_permission, before the mode bits) */
	struct inode *ip = inode_get(ino);
	uint32_t type = ip ? ip->mode & S_IFMT : 0;
	if ((mode & 2) && (type == S_IFREG || type == S_IFDIR || type == S_IFLNK) && vfs_readonly(ino))
		return -EROFS;
	return vfs_permission(ino, &c, (uint32_t)mode);
}

int64_t sys_access(struct fw_uregs *r) { return do_access(AT_FDCWD, a0(r), a1(r), 0); }
int64_t sys_faccessat(struct fw_uregs *r) { return do_access((int32_t)a0(r), a1(r), a2(r), 0); }
int64_t sys_faccessat2(struct fw_uregs *r) { return do_access((int32_t)a0(r), a1(r), a2(r), a3(r)); }

/* Ownership checks use the fs uid, as Linux's inode_owner_or_capable. */
static int owner_or_root(struct inode *ip)
{
	struct proc *p = cur_proc();
	return proc_capable(p, CAP_FOWNER) || p->fsuid == ip->uid ? 0 : -EPERM;
}

static bool in_my_groups(uint32_t gid)
{
	struct vfs_cred c;
	proc_fs_cred(cur_proc(), &c);
	if (c.gid == gid)
		return true;
	for (uint32_t i = 0; i < c.ngroups && i < VFS_NGROUPS; i++)
		if (c.groups[i] == gid)
			return true;
	return false;
}

static int64_t set_mode(struct inode_ref ino, uint64_t mode)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (vfs_readonly(ino))
		return -EROFS; /* Linux asks for write access to the mount first */
	int e = owner_or_root(ip);
	if (e)
		return e;
	uint32_t m = (uint32_t)mode & 07777;
	/* Only a member of the file's group (or root) may set S_ISGID. */
	if (!cred_capable(CAP_FSETID) && !in_my_groups(ip->gid))
		m &= ~(uint32_t)S_ISGID;
	struct iattr a = {.valid = ATTR_MODE | ATTR_CTIME, .mode = m, .ctime_ns = (int64_t)fw_time_realtime_ns()};
	return vfs_setattr(ino, &a);
}

int64_t sys_chmod(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	return e ? e : set_mode(ino, a1(r));
}

int64_t sys_fchmod(struct fw_uregs *r)
{
	struct inode_ref ino;
	int e = fd_inode((int32_t)a0(r), &ino, false);
	return e ? e : set_mode(ino, a1(r));
}

int64_t sys_fchmodat(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at((int32_t)a0(r), a1(r), LOOKUP_FOLLOW, &ino, &last, false);
	return e ? e : set_mode(ino, a2(r));
}

static int64_t set_owner(struct inode_ref ino, uint64_t uid, uint64_t gid)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (vfs_readonly(ino))
		return -EROFS; /* Linux asks for write access to the mount first */
	struct proc *p = cur_proc();
	uint32_t u = (uint32_t)uid, g = (uint32_t)gid;
	if (!proc_capable(p, CAP_CHOWN)) {
		/* The owner may give the file to a group it belongs to; only root
		 * may change the owner. */
		if (u != 0xffffffff && u != ip->uid)
			return -EPERM;
		if (g != 0xffffffff && (ip->uid != p->fsuid || (g != ip->gid && !in_my_groups(g))))
			return -EPERM;
	}
	struct iattr a = {.valid = ATTR_CTIME, .ctime_ns = (int64_t)fw_time_realtime_ns()};
	if (u != 0xffffffff) {
		a.valid |= ATTR_UID;
		a.uid = u;
	}
	if (g != 0xffffffff) {
		a.valid |= ATTR_GID;
		a.gid = g;
	}
	/* Any chown of a non-directory drops set-user-ID, and set-group-ID
	 * when the group may execute (else it marks mandatory locking). */
	if ((ip->mode & S_IFMT) != S_IFDIR) {
		a.valid |= ATTR_MODE;
		a.mode = ip->mode & 07777 & ~(uint32_t)S_ISUID;
		if (ip->mode & 010)
			a.mode &= ~(uint32_t)S_ISGID;
	}
	return vfs_setattr(ino, &a);
}

static int64_t chown_at(int64_t dirfd, uint64_t upath, uint64_t uid, uint64_t gid, uint64_t flags)
{
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, &ino, &last,
			   (flags & AT_EMPTY_PATH) != 0);
	return e ? e : set_owner(ino, uid, gid);
}

int64_t sys_chown(struct fw_uregs *r) { return chown_at(AT_FDCWD, a0(r), a1(r), a2(r), 0); }
int64_t sys_lchown(struct fw_uregs *r) { return chown_at(AT_FDCWD, a0(r), a1(r), a2(r), AT_SYMLINK_NOFOLLOW); }
int64_t sys_fchownat(struct fw_uregs *r) { return chown_at((int32_t)a0(r), a1(r), a2(r), a3(r), a4(r)); }

int64_t sys_fchown(struct fw_uregs *r)
{
	struct inode_ref ino;
	int e = fd_inode((int32_t)a0(r), &ino, false);
	return e ? e : set_owner(ino, a1(r), a2(r));
}

static int64_t do_truncate(struct inode_ref ino, int64_t len)
{
	struct inode *ip = inode_get(ino);
	if (len < 0)
		return -EINVAL;
	if (!ip)
		return -ENOENT;
	if ((ip->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	if ((ip->mode & S_IFMT) != S_IFREG)
		return -EINVAL;
	return truncate_file(ino, (uint64_t)len);
}

int64_t sys_truncate(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	if (e == 0)
		e = may_access(ino, MAY_WRITE);
	if (e == 0 && (inode_get(ino)->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	return e ? e : do_truncate(ino, (int64_t)a1(r));
}

int64_t sys_ftruncate(struct fw_uregs *r)
{
	struct file_ref f;
	if ((int64_t)a1(r) < 0)
		return -EINVAL; /* before the descriptor, as Linux */
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if (!file_is_regular(fp) || (fp->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return do_truncate(fp->inode, (int64_t)a1(r));
}

struct ts_pair {
	struct linux_timespec a, m;
};

/* One utimensat time: UTIME_NOW, UTIME_OMIT (-1: keep) or a value. */
static int pick_time(const struct linux_timespec *t, int64_t now, int64_t *out)
{
	if (t->tv_nsec == UTIME_OMIT) {
		*out = -1;
		return 0;
	}
	if (t->tv_nsec == UTIME_NOW) {
		*out = now;
		return 0;
	}
	if (t->tv_nsec < 0 || t->tv_nsec >= 1000000000)
		return -EINVAL;
	*out = t->tv_sec * 1000000000 + t->tv_nsec;
	return 0;
}

/* Linux's may_setattr for times: explicit times need the owner (or
 * root, EPERM); "now" needs the owner or write permission (EACCES). */
static int may_set_times(struct inode_ref ino, bool explicit_time)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (owner_or_root(ip) == 0)
		return 0;
	return explicit_time ? -EPERM : (may_access(ino, MAY_WRITE) ? -EACCES : 0);
}

/* at/mt: ns since the epoch, -1 to keep. */
static int64_t set_times(struct inode_ref ino, int64_t at, int64_t mt, bool explicit_time)
{
	if (!inode_ref_valid(ino))
		return -ENOENT;
	int e = may_set_times(ino, explicit_time);
	if (e)
		return e;
	int64_t now = (int64_t)fw_time_realtime_ns();
	struct iattr a = {.valid = ATTR_CTIME, .atime_ns = at, .mtime_ns = mt, .ctime_ns = now};
	if (at >= 0)
		a.valid |= ATTR_ATIME;
	if (mt >= 0)
		a.valid |= ATTR_MTIME;
	return vfs_setattr(ino, &a);
}

/* The file a times call names: a path from dirfd, or (no path) dirfd
 * itself. */
static int times_target(int64_t dirfd, uint64_t upath, uint64_t flags, struct inode_ref *ino)
{
	struct kname last;
	if (upath == 0 && (int32_t)dirfd == AT_FDCWD)
		return -EFAULT;
	if (upath == 0)
		return flags ? -EINVAL : fd_inode((int32_t)dirfd, ino, false);
	return resolve_at((int32_t)dirfd, upath, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : LOOKUP_FOLLOW, ino, &last,
			  (flags & AT_EMPTY_PATH) != 0);
}

int64_t sys_utimensat(struct fw_uregs *r)
{
	uint64_t flags = a3(r);
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int64_t now = (int64_t)fw_time_realtime_ns(), at = now, mt = now;
	bool explicit_time = false;
	if (a2(r)) {
		struct ts_pair ts;
		if (fw_copy_from_user(&ts, fw_uaddr(a2(r))))
			return -EFAULT;
		int e = pick_time(&ts.a, now, &at);
		if (e == 0)
			e = pick_time(&ts.m, now, &mt);
		if (e)
			return e;
		if (ts.a.tv_nsec == UTIME_OMIT && ts.m.tv_nsec == UTIME_OMIT)
			return 0; /* Linux: nothing to do, not even the lookup's errors */
		/* only "both now" is a touch; anything else needs the owner */
		explicit_time = ts.a.tv_nsec != UTIME_NOW || ts.m.tv_nsec != UTIME_NOW;
	}
	struct inode_ref ino;
	int e = times_target((int32_t)a0(r), a1(r), flags, &ino);
	return e ? e : set_times(ino, at, mt, explicit_time);
}

/* utimes/futimesat: two timevals (NULL: now); a microsecond outside
 * 0..999999 is EINVAL. */
static int64_t timevals(int64_t dirfd, uint64_t upath, uint64_t utv)
{
	int64_t now = (int64_t)fw_time_realtime_ns(), at = now, mt = now;
	if (utv) {
		struct linux_timeval tv[2];
		if (fw_copy_from_user(&tv, fw_uaddr(utv)))
			return -EFAULT;
		for (uint32_t i = 0; i < 2; i++)
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
		at = tv[0].tv_sec * 1000000000 + tv[0].tv_usec * 1000;
		mt = tv[1].tv_sec * 1000000000 + tv[1].tv_usec * 1000;
	}
	struct inode_ref ino;
	int e = times_target(dirfd, upath, 0, &ino);
	return e ? e : set_times(ino, at, mt, utv != 0);
}

int64_t sys_utimes(struct fw_uregs *r) { return timevals(AT_FDCWD, a0(r), a1(r)); }
int64_t sys_futimesat(struct fw_uregs *r) { return timevals((int32_t)a0(r), a1(r), a2(r)); }

/* utime(2): struct utimbuf {actime, modtime} in seconds (NULL: now). */
int64_t sys_utime(struct fw_uregs *r)
{
	int64_t now = (int64_t)fw_time_realtime_ns(), at = now, mt = now;
	if (a1(r)) {
		int64_t tb[2];
		if (fw_copy_from_user(&tb, fw_uaddr(a1(r))))
			return -EFAULT;
		at = tb[0] * 1000000000;
		mt = tb[1] * 1000000000;
	}
	struct inode_ref ino;
	int e = times_target(AT_FDCWD, a0(r), 0, &ino);
	return e ? e : set_times(ino, at, mt, a1(r) != 0);
}

static int64_t statfs_of(struct inode_ref ino, uint64_t ubuf)
{
	struct linux_statfs s;
	int e = vfs_statfs(ino, &s);
	if (e)
		return e;
	return fw_copy_to_user(fw_uaddr(ubuf), &s) ? -EFAULT : 0;
}

int64_t sys_statfs(struct fw_uregs *r)
{
	struct inode_ref ino;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &ino, &last, false);
	return e ? e : statfs_of(ino, a1(r));
}

int64_t sys_fstatfs(struct fw_uregs *r)
{
	struct inode_ref ino;
	int e = fd_inode((int32_t)a0(r), &ino, true);
	return e ? e : statfs_of(ino, a1(r));
}

int64_t sys_umask(struct fw_uregs *r)
{
	struct proc *p = cur_proc();
	uint32_t old = p->umask;
	p->umask = (uint32_t)a0(r) & 0777;
	share_publish_fs(cur_proc_ref());
	return old;
}
