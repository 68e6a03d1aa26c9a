/* The VFS's own file operations for files and directories kept in memory
 * (tmpfs files, generated /proc text), and getdents64's record writer.
 * Layer: services (safe C). Like Linux's libfs: file systems whose data
 * lives in memory register these. */
#include "vfs/vfs.h"
#include "vfs/internal.h"
#include <abi/fs.h>

struct memops_ids {
	uint32_t file, dir;
};
FW_GLOBAL(struct memops_ids, memops_ids);

uint32_t vfs_memfile_fops(void) { return memops_ids()->file; }
uint32_t vfs_memdir_fops(void) { return memops_ids()->dir; }

/* ---- regular files in memory ---- */

/* Readahead: a read that goes on where the last one of this file ended
 * (or starts the file) reads up to 32 pages ahead on a miss. */
#define RA_PAGES 32

int64_t generic_file_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	uint64_t first = *pos / 4096;
	uint32_t ra = (first == fp->ra_next || *pos == 0) ? RA_PAGES : 0;
	int64_t r = inode_read_user_ra(file_data_inode(fp), *pos, buf, n, ra);
	if (r > 0) {
		*pos += (uint64_t)r;
		fp = file_get(f);
		if (fp)
			fp->ra_next = *pos / 4096;
	}
	return r;
}

int64_t generic_file_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct inode *sp = inode_get(fp->inode);
	if (fp->flags & O_APPEND) {
		if (sp)
			*pos = sp->size;
	}
	/* seals: no writing at all, or no growing (Linux shmem_write_begin) */
	uint32_t seals = sp ? inode_seals(sp) : 0;
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if ((seals & F_SEAL_GROW) && n && *pos + n > sp->size)
		return -EPERM;
	int64_t r = inode_write_user(fp->inode, *pos, buf, n);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

/* SEEK_DATA/SEEK_HOLE from `off` (< size): a memory file's data is its
 * pages (a page never written is a hole); a file with a disk behind it is
 * all data, as Linux's generic answer for file systems that do not report
 * holes (reading its block map here could mean reading the disk). */
static int64_t seek_data_hole(struct inode_ref ino, uint64_t off, bool data)
{
	struct inode *ip = inode_get(ino);
	uint64_t size = ip->size;
	if (fstype_has_backing(ip->fstype))
		return data ? (int64_t)off : (int64_t)size;
	for (uint64_t idx = off / 4096; idx * 4096 < size; idx++) {
		struct fw_frame_ref fr;
		bool present = inode_page(ino, idx, false, &fr) == 0;
		if (present == data)
			return (int64_t)FW_MIN(FW_MAX(off, idx * 4096), size);
	}
	return data ? -ENXIO : (int64_t)size;
}

int64_t generic_file_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence)
{
	int64_t base;
	struct inode *ip = inode_get(file_data_inode(fp));
	if (whence == 3 || whence == 4) { /* SEEK_DATA, SEEK_HOLE */
		if (!ip || off < 0 || (uint64_t)off >= ip->size)
			return -ENXIO;
		int64_t pos = seek_data_hole(file_data_inode(fp), (uint64_t)off, whence == 3);
		if (pos >= 0)
			fp->off = (uint64_t)pos;
		return pos;
	}
	switch (whence) {
	case 0:
		base = 0;
		break;
	case 1:
		base = (int64_t)fp->off;
		break;
	case 2:
		base = ip ? (int64_t)ip->size : 0;
		break;
	default:
		return -EINVAL;
	}
	if (base + off < 0)
		return -EINVAL;
	fp->off = (uint64_t)(base + off);
	return (int64_t)fp->off;
}

static int64_t memfile_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	if (cmd == FIONREAD) {
		struct inode *ip = inode_get(fp->inode);
		int32_t n = ip && ip->size > fp->off ? (int32_t)FW_MIN(ip->size - fp->off, 0x7fffffff) : 0;
		return fw_copy_to_user(fw_uaddr(arg), &n) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

int generic_file_mmap(struct file_ref f, struct file *fp, struct inode_ref *backing)
{
	*backing = fp->inode;
	return 0;
}

int generic_file_fsync(struct file_ref f, struct file *fp, bool datasync)
{
	return vfs_fsync_inode(fp->inode, datasync);
}

int64_t generic_dir_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return -EISDIR;
}

static const struct file_ops memfile_ops = {
	.name = "file",
	.flags = FOP_PREAD,
	.read = generic_file_read,
	.write = generic_file_write,
	.llseek = generic_file_llseek,
	.ioctl = memfile_ioctl,
	.mmap = generic_file_mmap,
	.fsync = generic_file_fsync,
};

static const struct file_ops memdir_ops = {
	.name = "dir",
	.flags = FOP_PREAD,
	.read = generic_dir_read,
	.write = generic_dir_read,
	.llseek = generic_file_llseek,
	.readdir = ramdir_readdir,
	.fsync = generic_file_fsync,
};

int vfs_memops_init(void)
{
	int e = file_ops_register(&memfile_ops, &memops_ids()->file);
	return e ? e : file_ops_register(&memdir_ops, &memops_ids()->dir);
}

/* ---- directory listing ---- */

/* One linux_dirent64 record: header, name, NUL, padding to 8 bytes. */
struct dirent_buf {
	uint8_t b[288];
};

static void put_le(struct dirent_buf *c, uint32_t at, uint64_t v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		c->b[at + i] = (uint8_t)(v >> (8 * i));
}

static uint8_t dtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return DT_REG;
	case S_IFDIR:
		return DT_DIR;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

bool dir_emit(struct dir_ctx *ctx, const struct kname *name, uint64_t ino, uint32_t mode, uint64_t next_pos)
{
	struct dirent_buf c = {0};
	/* dirent64: ino, off, reclen, type, name; the old linux_dirent puts the
	 * type in the record's last byte, after the name's NUL. */
	uint32_t reclen = ctx->old ? (18 + name->len + 2 + 7) & ~7U : (19 + name->len + 1 + 7) & ~7U;
	if (ctx->err || name->len > NAME_MAX)
		return false;
	if (ctx->used + reclen > ctx->size) {
		if (ctx->used == 0)
			ctx->err = -EINVAL;
		return false;
	}
	put_le(&c, 0, ino, 8);
	put_le(&c, 8, next_pos, 8);
	put_le(&c, 16, reclen, 2);
	uint8_t type = mode == 0 ? DT_UNKNOWN : dtype(mode);
	uint32_t at = ctx->old ? 18 : 19;
	if (ctx->old)
		c.b[reclen - 1] = type;
	else
		c.b[18] = type;
	for (uint32_t i = 0; i < name->len; i++)
		c.b[at + i] = (uint8_t)name->s[i];
	if (fw_copy_to_user_n(fw_uaddr(ctx->ubuf + ctx->used), &c.b, reclen)) {
		ctx->err = -EFAULT;
		return false;
	}
	ctx->used += reclen;
	ctx->pos = next_pos;
	return true;
}

/* "." and ".." at cursors 0 and 1, then the entries in chain order: an
 * entry's cursor is its sequence number, so a listing stays in place
 * while entries come and go. */
int64_t ramdir_readdir(struct file_ref f, struct file *fp, struct dir_ctx *ctx)
{
	struct inode_ref dir = fp->inode;
	struct kname name = {0};
	for (;;) {
		struct inode *dp = inode_get(dir);
		if (!dp)
			return -ENOENT;
		if (ctx->pos < 2) {
			name.len = (uint32_t)ctx->pos + 1;
			name.s[0] = '.';
			name.s[1] = '.';
			name.s[name.len] = 0;
			struct inode *tp = inode_get(ctx->pos == 0 ? dir : dp->parent);
			if (!dir_emit(ctx, &name, tp ? tp->ino : dp->ino, S_IFDIR, ctx->pos + 1))
				return 0;
			continue;
		}
		struct dentry_ref d;
		if (ramdir_entry_from(dir, ctx->pos, &d))
			return 0;
		struct dentry *de = dentry_get(d);
		struct inode *cp = inode_get(de->inode);
		name = de->name;
		if (!dir_emit(ctx, &name, cp ? cp->ino : 0, cp ? cp->mode : 0, de->seq + 1))
			return 0;
	}
}
