/* Open files and descriptor tables. Layer: services (safe C).
 * I/O on a file dispatches through a const table of operations indexed by
 * the file's kind (regular, directory, character device, pipe). */
#include "vfs/vfs.h"
#include "pipe/pipe.h"
#include "poll/poll.h"
#include "fs/procfs.h"
#include "net/socket.h"
#include <abi/fs.h>

FW_POOL_DEFINE(file, struct file);
FW_POOL_DEFINE(fdtable, struct fdtable);

static int64_t reg_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	/* procfs files read the text generated when they were opened */
	struct inode_ref src = inode_ref_valid(fp->data) ? fp->data : fp->inode;
	int64_t r = inode_read_user(src, fp->off, buf, n);
	if (r > 0)
		fp->off += (uint64_t)r;
	return r;
}

static int64_t reg_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	if (fp->flags & O_APPEND) {
		struct inode *ip = inode_get(fp->inode);
		if (ip)
			fp->off = ip->size;
	}
	int64_t r = inode_write_user(fp->inode, fp->off, buf, n);
	if (r > 0)
		fp->off += (uint64_t)r;
	return r;
}

static int64_t no_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg) { return -ENOTTY; }
static int64_t dir_io(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n) { return -EISDIR; }
static int64_t bad_io(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n) { return -EBADF; }
static void no_release(struct file_ref f, struct file *fp) {}
static void reg_release(struct file_ref f, struct file *fp)
{
	if (inode_ref_valid(fp->data)) {
		struct inode_ref d = fp->data;
		fp->data = (struct inode_ref){0};
		inode_put_if_unused(d);
	}
}
static uint32_t always_ready(struct file_ref f, struct file *fp, uint64_t *gen)
{
	*gen = 0;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static int64_t reg_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	if (cmd == FIONREAD) {
		struct inode *ip = inode_get(fp->inode);
		int32_t n = ip && ip->size > fp->off ? (int32_t)FW_MIN(ip->size - fp->off, 0x7fffffff) : 0;
		return fw_copy_to_user(fw_uaddr(arg), &n) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static const struct file_ops ops_by_kind[FK_KIND_MAX] = {
	[FK_NONE] = {bad_io, bad_io, no_ioctl, no_release, always_ready},
	[FK_REG] = {reg_read, reg_write, reg_ioctl, reg_release, always_ready},
	[FK_DIR] = {dir_io, dir_io, no_ioctl, no_release, always_ready},
	[FK_CHR] = {chr_read, chr_write, chr_ioctl, chr_release, chr_poll},
	[FK_PIPE] = {pipe_read, pipe_write, pipe_ioctl, pipe_release, pipe_poll},
	[FK_EVOBJ] = {evobj_read, evobj_write, no_ioctl, evobj_release, evobj_poll},
	[FK_SOCK] = {sock_file_read, sock_file_write, sock_file_ioctl, sock_file_release, sock_file_poll},
};

static uint32_t kind_of(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
	case S_IFLNK:
		return FK_REG;
	case S_IFDIR:
		return FK_DIR;
	case S_IFCHR:
		return FK_CHR;
	case S_IFIFO:
		return FK_PIPE;
	default:
		return FK_NONE;
	}
}

int file_open_inode(struct inode_ref ino, uint32_t flags, struct file_ref *out)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	uint32_t kind = kind_of(ip->mode);
	if (kind == FK_NONE)
		return -ENXIO;
	if (file_alloc(out))
		return -ENFILE;
	struct file *fp = file_get(*out);
	fp->kind = kind;
	fp->owner_pid = 0;
	fp->flags = flags & ~(uint32_t)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	fp->refs = 1;
	fp->inode = ino;
	ip->open_count++;
	int e = 0;
	if (kind == FK_PIPE)
		e = fifo_open(*out, fp);
	else if (kind == FK_CHR)
		e = chr_open(*out, fp);
	else if (kind == FK_REG && ip->fs == FS_PROC)
		e = procfs_open(*out, fp);
	if (e) {
		fp = file_get(*out);
		if (fp)
			fp->kind = FK_NONE;
		file_drop(*out);
	}
	return e;
}

/* A file with no inode behind it (pipes, epoll, eventfd...). */
int file_new(uint32_t kind, uint32_t flags, struct file_ref *out)
{
	if (file_alloc(out))
		return -ENFILE;
	struct file *fp = file_get(*out);
	fp->kind = kind;
	fp->flags = flags;
	fp->refs = 1;
	return 0;
}

uint32_t file_poll(struct file_ref f, uint64_t *gen)
{
	struct file *fp = file_get(f);
	*gen = 0;
	if (!fp)
		return POLLNVAL;
	return ops_by_kind[fp->kind].poll(f, fp, gen);
}

void file_hold(struct file_ref f)
{
	struct file *fp = file_get(f);
	if (fp)
		fp->refs++;
}

void file_drop(struct file_ref f)
{
	struct file *fp = file_get(f);
	if (!fp || --fp->refs > 0)
		return;
	ops_by_kind[fp->kind].release(f, fp);
	struct inode_ref ino = fp->inode;
	file_free(f);
	struct inode *ip = inode_get(ino);
	if (ip) {
		ip->open_count--;
		inode_put_if_unused(ino);
	}
}

static bool can_read(const struct file *fp) { return (fp->flags & O_ACCMODE) != O_WRONLY && !(fp->flags & O_PATH); }
static bool can_write(const struct file *fp) { return (fp->flags & O_ACCMODE) != O_RDONLY && !(fp->flags & O_PATH); }

int64_t file_read(struct file_ref f, struct fw_uaddr buf, uint64_t n)
{
	struct file *fp = file_get(f);
	if (!fp || !can_read(fp))
		return -EBADF;
	return ops_by_kind[fp->kind].read(f, fp, buf, n);
}

int64_t file_write(struct file_ref f, struct fw_uaddr buf, uint64_t n)
{
	struct file *fp = file_get(f);
	if (!fp || !can_write(fp))
		return -EBADF;
	return ops_by_kind[fp->kind].write(f, fp, buf, n);
}

int64_t file_ioctl(struct file_ref f, uint64_t cmd, uint64_t arg)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	return ops_by_kind[fp->kind].ioctl(f, fp, cmd, arg);
}

int fdtable_new(struct fdtable_ref *out)
{
	if (fdtable_alloc(out))
		return -ENOMEM;
	fdtable_get(*out)->refs = 1;
	return 0;
}

int fdtable_clone(struct fdtable_ref src, struct fdtable_ref *out)
{
	int r = fdtable_new(out);
	if (r)
		return r;
	struct fdtable *s = fdtable_get(src), *d = fdtable_get(*out);
	for (uint32_t i = 0; s && i < FD_MAX; i++) {
		if (file_ref_valid(s->fd[i])) {
			d->fd[i] = s->fd[i];
			d->cloexec[i] = s->cloexec[i];
			file_hold(s->fd[i]);
		}
	}
	return 0;
}

/* Closing any descriptor of a file drops the table's record locks on it. */
static void release_locks(struct file_ref f, struct fdtable_ref t)
{
	struct file *fp = file_get(f);
	if (fp && fp->kind == FK_REG)
		lock_release(fp->inode, t);
}

void fdtable_put(struct fdtable_ref t)
{
	struct fdtable *tp = fdtable_get(t);
	if (!tp || --tp->refs > 0)
		return;
	for (uint32_t i = 0; i < FD_MAX; i++) {
		tp = fdtable_get(t);
		if (file_ref_valid(tp->fd[i])) {
			struct file_ref f = tp->fd[i];
			tp->fd[i] = (struct file_ref){0};
			release_locks(f, t);
			file_drop(f);
		}
	}
	fdtable_free(t);
}

int fd_install(struct fdtable_ref t, struct file_ref f, uint32_t min_fd, bool cloexec)
{
	struct fdtable *tp = fdtable_get(t);
	if (!tp)
		return -EBADF;
	for (uint32_t i = min_fd; i < FD_MAX; i++) {
		if (!file_ref_valid(tp->fd[i])) {
			tp->fd[i] = f;
			tp->cloexec[i] = cloexec;
			return (int)i;
		}
	}
	return -EMFILE;
}

int fd_get(struct fdtable_ref t, int64_t fd, struct file_ref *out)
{
	struct fdtable *tp = fdtable_get(t);
	if (!tp || fd < 0 || fd >= FD_MAX || !file_ref_valid(tp->fd[fd]))
		return -EBADF;
	*out = tp->fd[fd];
	return 0;
}

int fd_close(struct fdtable_ref t, int64_t fd)
{
	struct file_ref f;
	int r = fd_get(t, fd, &f);
	if (r)
		return r;
	fdtable_get(t)->fd[fd] = (struct file_ref){0};
	release_locks(f, t);
	file_drop(f);
	return 0;
}

void fd_close_on_exec(struct fdtable_ref t)
{
	for (int64_t i = 0; i < FD_MAX; i++) {
		struct fdtable *tp = fdtable_get(t);
		if (tp && tp->cloexec[i] && file_ref_valid(tp->fd[i]))
			(void)fd_close(t, i);
	}
}

int64_t file_write_kernel(struct file_ref f, const struct kchunk *c, uint32_t n)
{
	struct file *fp = file_get(f);
	if (!fp || !can_write(fp))
		return -EBADF;
	if (fp->kind != FK_REG)
		return -EINVAL;
	if (fp->flags & O_APPEND) {
		struct inode *ip = inode_get(fp->inode);
		if (ip)
			fp->off = ip->size;
	}
	int e = inode_write_chunk(fp->inode, fp->off, c, n);
	if (e)
		return e;
	fp = file_get(f);
	fp->off += n;
	return n;
}
