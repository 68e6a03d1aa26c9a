/* Open files and descriptor tables. Layer: services (safe C).
 * I/O on a file dispatches through the operations its provider registered
 * (vfs/fops.c); the VFS itself knows no provider by name. */
#include "vfs/vfs.h"
#include <abi/fs.h>

FW_POOL_DEFINE(file, struct file);

/* The registered operations: a provider's table is copied in when it
 * registers; files and inodes name it by index, so nothing stores a
 * pointer and only functions the providers named are ever called. */
struct fops_table {
	struct file_ops t[FOPS_MAX]; /* entry 0 stays empty: every operation missing */
	uint32_t n;
	uint32_t fifo;               /* FIFO inodes open with these */
};
FW_GLOBAL(struct fops_table, fops_table);

int file_ops_register(const struct file_ops *ops, uint32_t *id)
{
	struct fops_table *ft = fops_table();
	if (ft->n == 0)
		ft->n = 1;
	if (ft->n >= FOPS_MAX)
		return -ENOSPC;
	ft->t[ft->n] = *ops;
	*id = ft->n++;
	return 0;
}

int file_ops_set_fifo(const struct file_ops *ops) { return file_ops_register(ops, &fops_table()->fifo); }

static uint32_t ops_id(const struct file *fp) { return fp->fops < FOPS_MAX ? fp->fops : 0; }

struct inode_ref file_data_inode(const struct file *fp) { return inode_ref_valid(fp->data) ? fp->data : fp->inode; }

bool file_has_positions(const struct file *fp) { return (fops_table()->t[ops_id(fp)].flags & FOP_PREAD) != 0; }

bool file_is_regular(const struct file *fp) { return fp->mode == S_IFREG || fp->mode == S_IFLNK; }

/* The operations an inode opens with: its file system's for regular
 * files and directories, the device registry's for device nodes. */
static int open_ops(const struct inode *ip, uint32_t *fops)
{
	switch (ip->mode & S_IFMT) {
	case S_IFREG:
	case S_IFLNK:
	case S_IFDIR:
		*fops = ip->fops;
		return 0;
	case S_IFCHR:
	case S_IFBLK:
		return dev_lookup(ip->mode & S_IFMT, ip->rdev, fops);
	case S_IFIFO:
		*fops = fops_table()->fifo;
		return *fops ? 0 : -ENXIO;
	default:
		return -ENXIO;
	}
}

int file_open_inode(struct inode_ref ino, uint32_t flags, struct file_ref *out)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	uint32_t fops;
	int e = open_ops(ip, &fops);
	if (e)
		return e;
	if (file_alloc(out))
		return -ENFILE;
	struct file *fp = file_get(*out);
	fp->fops = fops;
	fp->owner_pid = 0;
	fp->flags = flags & ~(uint32_t)(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	fp->refs = 1;
	fp->inode = ino;
	fp->mode = ip->mode & S_IFMT;
	ip->open_count++;
	if (fops_table()->t[ops_id(fp)].open && !(flags & O_PATH))
		e = fops_table()->t[ops_id(fp)].open(*out, fp);
	if (e) {
		fp = file_get(*out);
		if (fp)
			fp->fops = 0; /* not opened: nothing to release */
		file_drop(*out);
	}
	return e;
}

int file_new(uint32_t fops, uint32_t flags, struct file_ref *out)
{
	if (file_alloc(out))
		return -ENFILE;
	struct file *fp = file_get(*out);
	fp->fops = fops;
	fp->flags = flags;
	fp->refs = 1;
	return 0;
}

uint32_t file_poll(struct file_ref f, struct poll_table *pt)
{
	struct file *fp = file_get(f);
	if (!fp)
		return POLLNVAL;
	if (fp->flags & O_PATH)
		return 0; /* open, never ready (select; poll and epoll refuse it first) */
	if (!fops_table()->t[ops_id(fp)].poll)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return fops_table()->t[ops_id(fp)].poll(f, fp, pt);
}

bool file_can_poll(struct file_ref f)
{
	struct file *fp = file_get(f);
	return fp && fops_table()->t[ops_id(fp)].poll;
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
	flock_release_file(f);
	lock_release_ofd(f);
	fp = file_get(f);
	if (!(fp->flags & O_PATH))
		notify_file(fp, (fp->flags & O_ACCMODE) != O_RDONLY ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
	fp = file_get(f);
	if (fops_table()->t[ops_id(fp)].release) {
		fops_table()->t[ops_id(fp)].release(f, fp);
		fp = file_get(f);
	}
	struct inode_ref ino = fp->inode, data = fp->data;
	file_free(f);
	inode_put_if_unused(data);
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
	if (!fops_table()->t[ops_id(fp)].read)
		return -EINVAL;
	uint64_t pos = fp->off;
	int64_t r = fops_table()->t[ops_id(fp)].read(f, fp, buf, n, &pos);
	if (r > 0)
		fp->off = pos; /* pool memory stays a file: at worst a stale one's offset */
	if (r > 0)
		notify_file(fp, IN_ACCESS);
	return r;
}

int64_t file_write(struct file_ref f, struct fw_uaddr buf, uint64_t n)
{
	struct file *fp = file_get(f);
	if (!fp || !can_write(fp))
		return -EBADF;
	if (!fops_table()->t[ops_id(fp)].write)
		return -EINVAL;
	uint64_t pos = fp->off;
	int64_t r = fops_table()->t[ops_id(fp)].write(f, fp, buf, n, &pos);
	if (r > 0)
		fp->off = pos;
	if (r > 0)
		notify_file(fp, IN_MODIFY);
	return r;
}

int64_t file_pread(struct file_ref f, struct fw_uaddr buf, uint64_t n, uint64_t pos)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (!(fops_table()->t[ops_id(fp)].flags & FOP_PREAD))
		return -ESPIPE;
	if (!can_read(fp))
		return -EBADF;
	if (!fops_table()->t[ops_id(fp)].read)
		return -EINVAL;
	int64_t r = fops_table()->t[ops_id(fp)].read(f, fp, buf, n, &pos);
	if (r > 0)
		notify_file(fp, IN_ACCESS);
	return r;
}

/* As on Linux, pwrite on an O_APPEND file appends (the write operation
 * moves pos to the end). */
int64_t file_pwrite(struct file_ref f, struct fw_uaddr buf, uint64_t n, uint64_t pos)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (!(fops_table()->t[ops_id(fp)].flags & FOP_PREAD))
		return -ESPIPE;
	if (!can_write(fp))
		return -EBADF;
	if (!fops_table()->t[ops_id(fp)].write)
		return -EINVAL;
	int64_t r = fops_table()->t[ops_id(fp)].write(f, fp, buf, n, &pos);
	if (r > 0)
		notify_file(fp, IN_MODIFY);
	return r;
}

int64_t file_llseek(struct file_ref f, int64_t off, uint32_t whence)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	return fops_table()->t[ops_id(fp)].llseek ? fops_table()->t[ops_id(fp)].llseek(f, fp, off, whence) : -ESPIPE;
}

int64_t file_readdir(struct file_ref f, uint64_t ubuf, uint64_t size) { return file_readdir_fmt(f, ubuf, size, false); }

int64_t file_readdir_fmt(struct file_ref f, uint64_t ubuf, uint64_t size, bool old)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (!fops_table()->t[ops_id(fp)].readdir)
		return -ENOTDIR;
	struct dir_ctx ctx = {fp->off, ubuf, size, 0, 0, old};
	int64_t r = fops_table()->t[ops_id(fp)].readdir(f, fp, &ctx);
	fp = file_get(f);
	if (fp)
		fp->off = ctx.pos;
	if (r < 0)
		return ctx.used ? (int64_t)ctx.used : r;
	if (ctx.err && ctx.used == 0)
		return ctx.err;
	return (int64_t)ctx.used;
}

int64_t file_ioctl(struct file_ref f, uint64_t cmd, uint64_t arg)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	return fops_table()->t[ops_id(fp)].ioctl ? fops_table()->t[ops_id(fp)].ioctl(f, fp, cmd, arg) : -ENOTTY;
}

int64_t file_fcntl(struct file_ref f, uint64_t cmd, uint64_t arg)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (fops_table()->t[ops_id(fp)].fcntl)
		return fops_table()->t[ops_id(fp)].fcntl(f, fp, cmd, arg);
	return cmd == F_GETPIPE_SZ || cmd == F_SETPIPE_SZ ? -EBADF : -EINVAL;
}

int file_mmap(struct file_ref f, struct inode_ref *backing)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	return fops_table()->t[ops_id(fp)].mmap ? fops_table()->t[ops_id(fp)].mmap(f, fp, backing) : -ENODEV;
}

int file_fsync(struct file_ref f, bool datasync)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	return fops_table()->t[ops_id(fp)].fsync ? fops_table()->t[ops_id(fp)].fsync(f, fp, datasync) : -EINVAL;
}

void file_anon_name(struct file_ref f, struct kname *name, uint32_t *mode)
{
	struct file *fp = file_get(f);
	name->len = 0;
	*mode = 0;
	if (!fp)
		return;
	struct fops_table *ft = fops_table();
	uint32_t id = ops_id(fp);
	for (uint32_t i = 0; i < sizeof(ft->t[id].name) && ft->t[id].name[i]; i++)
		name->s[name->len++] = ft->t[id].name[i];
	name->s[name->len] = 0;
	*mode = ft->t[id].mode;
}

uint64_t file_anon_ino(struct file_ref f)
{
	struct file *fp = file_get(f);
	if (!fp || !fops_table()->t[ops_id(fp)].ino)
		return 0;
	return fops_table()->t[ops_id(fp)].ino(f, fp);
}

int64_t file_write_kernel_at(struct file_ref f, const struct kchunk *c, uint32_t n, uint64_t *pos)
{
	struct file *fp = file_get(f);
	if (!fp || !can_write(fp))
		return -EBADF;
	struct inode *ip = inode_get(fp->inode);
	if (!ip || (ip->mode & S_IFMT) != S_IFREG)
		return -EINVAL;
	uint64_t at = pos ? *pos : fp->off;
	if (!pos && (fp->flags & O_APPEND))
		at = ip->size;
	/* seals, as memfile_write */
	uint32_t seals = inode_seals(ip);
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((seals & F_SEAL_GROW) && n && at + n > ip->size)
		return -EPERM;
	int e = inode_write_chunk(fp->inode, at, c, n);
	if (e)
		return e;
	if (pos) {
		*pos = at + n;
	} else {
		fp = file_get(f);
		fp->off = at + n;
	}
	return n;
}

int64_t file_write_kernel(struct file_ref f, const struct kchunk *c, uint32_t n)
{
	return file_write_kernel_at(f, c, n, NULL);
}
