/* File system calls on descriptors: open, close, the read/write family,
 * lseek, dup, fcntl, ioctl, pipe, sendfile. Layer: services (safe C). */
#include "block/blkdev_file.h"
#include "pipe/pipe.h"
#include "syscall/fs.h"
#include "net/socket.h"
#include <fw/time.h>

#define OPEN_FLAGS_OK                                                                                      \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC |     \
	 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE)

/* Find or create the file an O_CREAT open names. */
static int open_create(int64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode, uint32_t rlk,
		       struct inode_ref *ino)
{
	struct inode_ref dir;
	struct kname last;
	uint32_t lk = rlk | LOOKUP_PARENT | ((flags & (O_NOFOLLOW | O_EXCL)) ? 0 : LOOKUP_FOLLOW);
	int e = resolve_at(dirfd, upath, lk, &dir, &last, false);
	if (e)
		return e;
	struct inode *dp = inode_get(dir);
	if (last.len == 0 && dp && (dp->mode & S_IFMT) != S_IFDIR) {
		/* a /proc magic link led to the file itself: it exists */
		*ino = dir;
		return (flags & O_EXCL) ? -EEXIST : 0;
	}
	if (last.len == 0 || (last.len == 1 && last.s[0] == '.') || (last.len == 2 && last.s[0] == '.' && last.s[1] == '.'))
		return -EISDIR;
	e = dir_lookup(dir, &last, ino);
	if (e == 0)
		return (flags & O_EXCL) ? -EEXIST : 0;
	if (e != -ENOENT)
		return e;
	return create_node(dir, &last, S_IFREG | ((uint32_t)mode & 07777 & ~cur_proc()->umask), 0, ino);
}

static int open_check(struct inode_ref ino, uint64_t flags, bool created)
{
	struct inode *ip = inode_get(ino);
	uint32_t type = ip->mode & S_IFMT;
	if (type == S_IFLNK && !(flags & O_PATH))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && type != S_IFDIR)
		return -ENOTDIR;
	if (flags & O_PATH)
		return 0;
	uint32_t acc = flags & O_ACCMODE;
	if (type == S_IFDIR && (acc != O_RDONLY || (flags & O_CREAT)))
		return -EISDIR;
	if (created)
		return 0;
	uint32_t want = (acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE);
	if ((flags & O_TRUNC) && acc == O_RDONLY)
		want |= MAY_WRITE;
	int e = may_access(ino, want);
	if (e == 0 && (want & MAY_WRITE) && (type == S_IFREG || type == S_IFDIR || type == S_IFLNK) && vfs_readonly(ino))
		return -EROFS;
	/* O_NOATIME is for the owner (or root) only, as Linux's may_open */
	ip = inode_get(ino);
	if (e == 0 && (flags & O_NOATIME) && ip && !cred_capable(CAP_FOWNER) && cur_proc()->fsuid != ip->uid)
		return -EPERM;
	return e;
}

/* Someone watches something: remember the directory the file was opened
 * in if it is watched (its events on the file go there too) and tell of
 * the open. */
static void notify_opened(int64_t dirfd, uint64_t upath, uint32_t rlk, struct file_ref f)
{
	struct inode_ref dir;
	struct kname last;
	struct file *fp = file_get(f);
	if (fp && resolve_at(dirfd, upath, rlk | LOOKUP_PARENT, &dir, &last, false) == 0 && last.len != 0 &&
	    inode_watched(dir)) {
		fp = file_get(f);
		fp->notify_dir = dir;
	}
	fp = file_get(f);
	if (fp)
		notify_file(fp, IN_OPEN);
}

int64_t open_how_do(int64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode, uint32_t rlk)
{
	struct inode_ref ino;
	struct kname last;
	int e;
	/* open and openat drop flags they do not know (openat2 refuses them) */
	flags &= OPEN_FLAGS_OK;
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL; /* Linux 6.4+: never a regular file by accident */
	bool created = false;
	if ((flags & O_CREAT) && !(flags & O_PATH)) {
		uint32_t before = inode_count();
		e = open_create(dirfd, upath, flags, mode, rlk, &ino);
		created = inode_count() > before;
	} else {
		e = resolve_at(dirfd, upath, rlk | ((flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW), &ino, &last, false);
	}
	if (e == 0)
		e = open_check(ino, flags, created);
	if (e)
		return e;
	struct inode *ip = inode_get(ino);
	bool trunc = (flags & O_TRUNC) && (ip->mode & S_IFMT) == S_IFREG && (flags & O_ACCMODE) != O_RDONLY;
	if (trunc && notify_any_watch()) {
		/* Linux truncates after the open (IN_OPEN, then IN_MODIFY); a
		 * refused truncation (memfd seals) fails the open */
		trunc = false;
		struct file_ref f;
		e = file_open_inode(ino, (uint32_t)flags, &f);
		if (e)
			return e;
		notify_opened(dirfd, upath, rlk, f);
		e = truncate_file(ino, 0);
		if (e) {
			file_drop(f);
			return e;
		}
		int fd = fd_install_limited(f, 0, (flags & O_CLOEXEC) != 0);
		if (fd < 0)
			file_drop(f);
		return fd;
	}
	if (trunc) {
		/* a refused truncation (memfd seals) fails the open, as on Linux */
		e = truncate_file(ino, 0);
		if (e)
			return e;
	}
	struct file_ref f;
	e = file_open_inode(ino, (uint32_t)flags, &f);
	if (e)
		return e;
	if (notify_any_watch() && !(flags & O_PATH))
		notify_opened(dirfd, upath, rlk, f);
	int fd = fd_install_limited(f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

int64_t sys_open(struct fw_uregs *r) { return open_how_do(AT_FDCWD, a0(r), a1(r), a2(r), 0); }
int64_t sys_openat(struct fw_uregs *r) { return open_how_do((int32_t)a0(r), a1(r), a2(r), a3(r), 0); }
int64_t sys_creat(struct fw_uregs *r) { return open_how_do(AT_FDCWD, a0(r), O_CREAT | O_WRONLY | O_TRUNC, a1(r), 0); }

int64_t sys_close(struct fw_uregs *r) { return fd_close(cur_proc()->files, (int32_t)a0(r)); }

static int64_t io(int64_t fd, uint64_t buf, uint64_t n, bool write)
{
	struct file_ref f;
	int e = fd_get_io(fd, &f);
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

/* Positioned I/O (files whose operations allow it): the file offset does
 * not move. */
static int64_t pio(int64_t fd, uint64_t buf, uint64_t n, int64_t off, bool write)
{
	struct file_ref f;
	int e = fd_get_io(fd, &f);
	if (e)
		return e;
	if (off < 0)
		return -EINVAL;
	if (n > 0x7ffff000)
		n = 0x7ffff000;
	if (!fw_user_range_ok(buf, n))
		return -EFAULT;
	return write ? file_pwrite(f, fw_uaddr(buf), n, (uint64_t)off) : file_pread(f, fw_uaddr(buf), n, (uint64_t)off);
}

int64_t sys_pread64(struct fw_uregs *r) { return pio((int32_t)a0(r), a1(r), a2(r), (int64_t)a3(r), false); }
int64_t sys_pwrite64(struct fw_uregs *r) { return pio((int32_t)a0(r), a1(r), a2(r), (int64_t)a3(r), true); }

/* off < 0: use and move the file offset. */
static int64_t iov_io(int64_t fd, uint64_t uiov, uint64_t cnt, int64_t off, bool write)
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
		int64_t n = off < 0 ? io(fd, v.base, v.len, write) : pio(fd, v.base, v.len, off + total, write);
		if (n < 0)
			return total ? total : n;
		total += n;
		if ((uint64_t)n < v.len)
			break;
	}
	return total;
}

int64_t sys_readv(struct fw_uregs *r) { return iov_io((int32_t)a0(r), a1(r), a2(r), -1, false); }
int64_t sys_writev(struct fw_uregs *r) { return iov_io((int32_t)a0(r), a1(r), a2(r), -1, true); }

static int64_t piov(struct fw_uregs *r, bool write)
{
	int64_t off = (int64_t)a3(r);
	if (off < 0)
		return -EINVAL;
	return iov_io((int32_t)a0(r), a1(r), a2(r), off, write);
}

int64_t sys_preadv(struct fw_uregs *r) { return piov(r, false); }
int64_t sys_pwritev(struct fw_uregs *r) { return piov(r, true); }

/* preadv2/pwritev2: offset -1 means the file position; flags as Linux 6.1
 * knows them (RWF_HIPRI, RWF_DSYNC, RWF_SYNC, RWF_NOWAIT, RWF_APPEND),
 * checked only when there is something to transfer. Keel's files are in
 * memory: HIPRI, DSYNC and SYNC change nothing; NOWAIT makes a call that
 * would block give EAGAIN; APPEND writes at the end of the file. */
#define RWF_HIPRI 1
#define RWF_DSYNC 2
#define RWF_SYNC 4
#define RWF_NOWAIT 8
#define RWF_APPEND 16
#define RWF_SUPPORTED 31

static int64_t iov_bytes(uint64_t uiov, uint64_t cnt)
{
	if (cnt > 1024)
		return -EINVAL;
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (fw_copy_from_user(&v, fw_uaddr(uiov + i * sizeof(v))))
			return -EFAULT;
		if ((int64_t)v.len < 0 || total + v.len > 0x7fffffffffffffffULL)
			return -EINVAL;
		total += v.len;
	}
	return (int64_t)total;
}

static int64_t rw2(struct fw_uregs *r, bool write)
{
	int32_t fd = (int32_t)a0(r);
	int64_t off = (int64_t)a3(r);
	uint64_t flags = a5(r);
	if (off < -1)
		return -EINVAL;
	struct file_ref f;
	int e = fd_get_io(fd, &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if (off != -1 && !file_has_positions(fp))
		return -ESPIPE;
	int64_t total = iov_bytes(a1(r), a2(r));
	if (total <= 0)
		return total;
	if (flags & ~(uint64_t)RWF_SUPPORTED)
		return -EOPNOTSUPP;
	if ((flags & RWF_APPEND) && write) {
		if (off == -1)
			(void)file_llseek(f, 0, 2 /* SEEK_END */);
		else if (file_is_regular(fp))
			off = (int64_t)inode_get(fp->inode)->size;
	}
	/* RWF_NOWAIT: this call only, as if O_NONBLOCK (nothing else runs
	 * while it does not block). */
	uint32_t saved = fp->flags;
	if (flags & RWF_NOWAIT)
		fp->flags |= O_NONBLOCK;
	int64_t n = iov_io(fd, a1(r), a2(r), off, write);
	fp = file_get(f);
	if (fp && (flags & RWF_NOWAIT))
		fp->flags = (fp->flags & ~(uint32_t)O_NONBLOCK) | (saved & O_NONBLOCK);
	return n;
}

int64_t sys_preadv2(struct fw_uregs *r) { return rw2(r, false); }
int64_t sys_pwritev2(struct fw_uregs *r) { return rw2(r, true); }

int64_t sys_lseek(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	if (a2(r) > 0xffffffffULL)
		return -EINVAL;
	return file_llseek(f, (int64_t)a1(r), (uint32_t)a2(r));
}

int64_t sys_ioctl(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	uint64_t cmd = a1(r) & 0xffffffff;
	if (cmd == FIONBIO) {
		int32_t on;
		if (fw_copy_from_user(&on, fw_uaddr(a2(r))))
			return -EFAULT;
		struct file *fp = file_get(f);
		fp->flags = on ? fp->flags | O_NONBLOCK : fp->flags & ~(uint32_t)O_NONBLOCK;
		return 0;
	}
	if (cmd == 0x5451 || cmd == 0x5450) { /* FIOCLEX, FIONCLEX */
		fdtable_get(cur_proc()->files)->cloexec[(int32_t)a0(r)] = cmd == 0x5451;
		return 0;
	}
	return file_ioctl(f, cmd, a2(r));
}

int64_t sys_dup(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	if (e)
		return e;
	int fd = fd_install_limited(f, 0, false);
	if (fd >= 0)
		file_hold(f);
	return fd;
}

/* Linux's order of checks: dup3's flags and oldfd == newfd come before
 * the descriptors themselves; dup2(fd, fd) only checks fd. */
static int64_t dup_to(int64_t oldfd, int64_t newfd, uint64_t flags, bool dup2)
{
	struct proc *p = cur_proc();
	struct file_ref f;
	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd && !dup2)
		return -EINVAL;
	if (oldfd == newfd)
		return fd_get(p->files, oldfd, &f) ? -EBADF : newfd;
	if (newfd < 0 || newfd >= fd_limit())
		return -EBADF;
	int e = fd_get(p->files, oldfd, &f);
	if (e)
		return e;
	file_hold(f);
	(void)fd_close(p->files, newfd);
	struct fdtable *t = fdtable_get(p->files);
	t->fd[newfd] = f;
	t->cloexec[newfd] = (flags & O_CLOEXEC) != 0;
	return newfd;
}

int64_t sys_dup2(struct fw_uregs *r) { return dup_to((int32_t)a0(r), (int32_t)a1(r), 0, true); }
int64_t sys_dup3(struct fw_uregs *r) { return dup_to((int32_t)a0(r), (int32_t)a1(r), a2(r), false); }

/* The byte range of a struct flock relative to the file: [start, end]. */
static int lock_range(const struct linux_flock *fl, struct file *fp, struct lock_req *rq)
{
	int64_t base;
	if (fl->l_whence == 0)
		base = 0;
	else if (fl->l_whence == 1)
		base = (int64_t)fp->off;
	else if (fl->l_whence == 2)
		base = (int64_t)inode_get(fp->inode)->size;
	else
		return -EINVAL;
	int64_t start = base + fl->l_start;
	if (fl->l_start > 0 && start < base)
		return -EOVERFLOW;
	int64_t len = fl->l_len;
	if (len < 0) {
		start += len;
		len = -len;
	}
	if (start < 0)
		return -EINVAL;
	rq->start = (uint64_t)start;
	rq->end = len == 0 ? LOCK_EOF : (uint64_t)start + (uint64_t)len - 1;
	if (len != 0 && rq->end < rq->start)
		return -EOVERFLOW;
	return 0;
}

/* Record locks (vfs/lock.c): a POSIX lock's owner is the descriptor
 * table, an OFD lock's the open file (its l_pid must be 0; others see -1).
 * Locks on files other than regular ones are accepted but not recorded. */
static int64_t lock_cmd(struct file_ref f, uint64_t cmd, uint64_t arg)
{
	struct linux_flock fl;
	if (fw_copy_from_user(&fl, fw_uaddr(arg)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	struct file *fp = file_get(f);
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if (!file_is_regular(fp)) {
		if (get) {
			fl.l_type = F_UNLCK;
			return fw_copy_to_user(fw_uaddr(arg), &fl) ? -EFAULT : 0;
		}
		return 0;
	}
	struct proc *p = cur_proc();
	struct lock_req rq = {fp->inode, p->files, f, ofd ? -1 : p->pid, (uint32_t)fl.l_type, 0, 0, ofd};
	int e = lock_range(&fl, fp, &rq);
	if (e)
		return e;
	if (get) {
		if (fl.l_type == F_UNLCK)
			return -EINVAL;
		e = lock_test(&rq);
		if (e)
			return e;
		fl.l_type = (int16_t)rq.type;
		if (rq.type != F_UNLCK) {
			fl.l_whence = 0;
			fl.l_start = (int64_t)rq.start;
			fl.l_len = rq.end == LOCK_EOF ? 0 : (int64_t)(rq.end - rq.start + 1);
			fl.l_pid = rq.pid;
		}
		return fw_copy_to_user(fw_uaddr(arg), &fl) ? -EFAULT : 0;
	}
	uint32_t acc = fp->flags & O_ACCMODE;
	if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	return lock_set(&rq, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}

/* F_SETOWN/F_GETOWN(_EX): the process, process group or thread that
 * would get SIGIO, kept in the open file description. Keel records it;
 * SIGIO itself is not sent yet (no O_ASYNC notification). */
#define F_OWNER_TID 0
#define F_OWNER_PID 1
#define F_OWNER_PGRP 2

struct f_owner_ex {
	int32_t type, pid;
};

static bool pid_exists(int32_t pid) { return thread_ref_valid(pid_lookup(pid)) || proc_ref_valid(proc_by_pid(pid)); }

static bool pgrp_exists(int32_t pgid)
{
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (p && p->state == PROC_ALIVE && p->pgid == pgid)
			return true;
	}
	return false;
}

static int64_t owner_cmd(struct file_ref f, uint64_t cmd, uint64_t arg)
{
	struct file *fp = file_get(f);
	if (cmd == F_GETOWN)
		return fp->sig_owner_type == F_OWNER_PGRP ? -(int64_t)fp->sig_owner : fp->sig_owner;
	if (cmd == F_GETOWN_EX) {
		struct f_owner_ex o = {(int32_t)fp->sig_owner_type, fp->sig_owner};
		if (!fp->sig_owner)
			o.type = F_OWNER_PID;
		return fw_copy_to_user(fw_uaddr(arg), &o) ? -EFAULT : 0;
	}
	int32_t who;
	uint32_t type;
	if (cmd == F_SETOWN) {
		who = (int32_t)arg;
		if (who == (int32_t)0x80000000)
			return -EINVAL;
		type = who < 0 ? F_OWNER_PGRP : F_OWNER_PID;
		who = who < 0 ? -who : who;
	} else {
		struct f_owner_ex o;
		if (fw_copy_from_user(&o, fw_uaddr(arg)))
			return -EFAULT;
		if (o.type != F_OWNER_TID && o.type != F_OWNER_PID && o.type != F_OWNER_PGRP)
			return -EINVAL;
		who = o.pid;
		type = (uint32_t)o.type;
	}
	if (who && !(type == F_OWNER_PGRP ? pgrp_exists(who) : pid_exists(who)))
		return -ESRCH;
	fp = file_get(f);
	fp->sig_owner = who;
	fp->sig_owner_type = who ? type : F_OWNER_PID;
	return 0;
}

/* F_ADD_SEALS/F_GET_SEALS (memfd, and tmpfs files, which report
 * F_SEAL_SEAL). F_SEAL_WRITE needs no writable shared mapping. */
static int64_t seals_cmd(struct file_ref f, uint64_t cmd, uint32_t seals)
{
	struct file *fp = file_get(f);
	struct inode *ip = file_is_regular(fp) ? inode_get(fp->inode) : NULL;
	struct kname fsname = {0};
	if (ip)
		vfs_fs_type_name(ip->sb, &fsname);
	struct kname tmpfs = {.s = "tmpfs", .len = 5}, devtmpfs = {.s = "devtmpfs", .len = 8};
	if (!ip || (!kname_eq(&fsname, &tmpfs) && !kname_eq(&fsname, &devtmpfs)))
		return -EINVAL; /* seals belong to tmpfs (shmem) files */
	ip = inode_get(fp->inode);
	if (cmd == F_GET_SEALS)
		return inode_seals(ip);
	if ((fp->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	if (seals & ~(uint32_t)(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC))
		return -EINVAL;
	if (inode_seals(ip) & F_SEAL_SEAL)
		return -EPERM;
	if ((seals & F_SEAL_WRITE) && !(inode_seals(ip) & F_SEAL_WRITE)) {
		for (int32_t pid = 1; pid < PID_MAX; pid++) {
			struct proc *p = proc_get(proc_by_pid(pid));
			if (p && p->state == PROC_ALIVE && mm_file_mapped_writable(p->mm, fp->inode))
				return -EBUSY;
		}
	}
	ip = inode_get(fp->inode);
	ip->seals |= seals;
	return 0;
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
	uint64_t cmd = a1(r) & 0xffffffff;
	/* an O_PATH descriptor only has its descriptor commands (Linux's
	 * check_fcntl_cmd) */
	if ((file_get(f)->flags & O_PATH) && cmd != F_DUPFD && cmd != F_DUPFD_CLOEXEC && cmd != F_GETFD &&
	    cmd != F_SETFD && cmd != F_GETFL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a2(r) >= fd_limit())
			return -EINVAL;
		e = fd_install_limited(f, (uint32_t)a2(r), cmd == F_DUPFD_CLOEXEC);
		if (e >= 0)
			file_hold(f);
		return e;
	case F_GETFD:
		return t->cloexec[fd] ? 1 : 0;
	case F_SETFD:
		t->cloexec[fd] = (a2(r) & 1) != 0;
		return 0;
	case F_GETFL: {
		struct file *fp = file_get(f);
		return fp->flags | (file_is_regular(fp) ? O_LARGEFILE : 0);
	}
	case F_SETFL: {
		struct file *fp = file_get(f);
		uint32_t mask = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;
		struct inode *ip = inode_get(fp->inode);
		if ((a2(r) & O_NOATIME) && !(fp->flags & O_NOATIME) && ip && !cred_capable(CAP_FOWNER) &&
		    cur_proc()->fsuid != ip->uid)
			return -EPERM;
		fp = file_get(f);
		fp->flags = (fp->flags & ~mask) | ((uint32_t)a2(r) & mask);
		return 0;
	}
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return lock_cmd(f, cmd, a2(r));
	case F_GETOWN:
	case F_SETOWN:
	case F_GETOWN_EX:
	case F_SETOWN_EX:
		return owner_cmd(f, cmd, a2(r));
	case F_ADD_SEALS:
	case F_GET_SEALS:
		return seals_cmd(f, cmd, (uint32_t)a2(r));
	default:
		return file_fcntl(f, cmd, a2(r));
	}
}

static int64_t do_pipe(uint64_t ufds, uint64_t flags)
{
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	struct file_ref rd, wr;
	int e = pipe_create_files((uint32_t)flags, &rd, &wr);
	if (e)
		return e;
	bool cloexec = (flags & O_CLOEXEC) != 0;
	int fr = fd_install_limited(rd, 0, cloexec);
	if (fr < 0) {
		file_drop(rd);
		file_drop(wr);
		return fr;
	}
	int fw = fd_install_limited(wr, 0, cloexec);
	if (fw < 0) {
		(void)fd_close(cur_proc()->files, fr);
		file_drop(wr);
		return fw;
	}
	int32_t fds[2] = {fr, fw};
	if (fw_copy_to_user(fw_uaddr(ufds), &fds)) {
		(void)fd_close(cur_proc()->files, fr);
		(void)fd_close(cur_proc()->files, fw);
		return -EFAULT;
	}
	return 0;
}

int64_t sys_pipe(struct fw_uregs *r) { return do_pipe(a0(r), 0); }
int64_t sys_pipe2(struct fw_uregs *r) { return do_pipe(a0(r), a1(r)); }

/* sendfile: through a page-sized bounce frame, from a regular file. */
int64_t sys_sendfile(struct fw_uregs *r)
{
	/* Linux's order: the offset is read first, then the input must be
	 * open for reading, then the output open for writing (even when
	 * nothing is left to copy), then the kinds are judged. */
	struct proc *p = cur_proc();
	struct file_ref out, in;
	uint64_t off = 0;
	if (a2(r) && fw_copy_from_user(&off, fw_uaddr(a2(r))))
		return -EFAULT;
	int e = fd_get(p->files, (int32_t)a1(r), &in);
	if (e)
		return e;
	struct file *ip = file_get(in);
	if ((ip->flags & O_ACCMODE) == O_WRONLY || (ip->flags & O_PATH))
		return -EBADF;
	if (!a2(r))
		off = ip->off;
	else if (!file_has_positions(ip))
		return -ESPIPE; /* an offset needs a file that has positions */
	else if ((int64_t)off < 0)
		return -EINVAL;
	e = fd_get(p->files, (int32_t)a0(r), &out);
	if (e)
		return e;
	struct file *op = file_get(out);
	if ((op->flags & O_ACCMODE) == O_RDONLY || (op->flags & O_PATH))
		return -EBADF;
	ip = file_get(in);
	if (!file_is_regular(ip))
		return -EINVAL;
	/* procfs files read the text generated at open */
	struct inode_ref src = file_data_inode(ip);
	struct inode *node = inode_get(src);
	uint64_t n = a3(r), size = node ? node->size : 0;
	if (off >= size)
		n = 0;
	else if (n > size - off)
		n = size - off;
	uint64_t done = 0;
	if (sock_file_is(out)) {
		int64_t k = sock_sendfile(out, src, off, n);
		if (k < 0)
			return k;
		done = (uint64_t)k;
		n = 0;
	}
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	while (done < n) {
		uint32_t k = (uint32_t)FW_MIN(n - done, sizeof(kchunk_get(cr)->b));
		e = inode_read_chunk(src, off + done, kchunk_get(cr), k);
		int64_t w = e ? e : file_write_kernel(out, kchunk_get(cr), k);
		if (w <= 0) {
			if (done == 0)
				done = (uint64_t)w;
			break;
		}
		done += (uint64_t)w;
		if ((uint64_t)w < k)
			break;
	}
	kchunk_free(cr);
	if ((int64_t)done < 0)
		return (int64_t)done;
	if (a2(r)) {
		uint64_t noff = off + done;
		if (fw_copy_to_user(fw_uaddr(a2(r)), &noff))
			return -EFAULT;
	} else {
		file_get(in)->off = off + done;
	}
	return (int64_t)done;
}

static int64_t do_fsync(int64_t fd, bool datasync)
{
	struct file_ref f;
	int e = fd_get_io(fd, &f);
	return e ? e : file_fsync(f, datasync);
}

int64_t sys_fsync(struct fw_uregs *r) { return do_fsync((int32_t)a0(r), false); }
int64_t sys_fdatasync(struct fw_uregs *r) { return do_fsync((int32_t)a0(r), true); }
int64_t sys_sync(struct fw_uregs *r)
{
	(void)vfs_sync_all();
	blkdev_sync_all(); /* and the disks' write caches, as Linux's sync does */
	return 0;
}

int64_t sys_syncfs(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	struct inode *ip = inode_get(file_get(f)->inode);
	return ip ? vfs_sync_fs(ip->sb) : 0;
}
