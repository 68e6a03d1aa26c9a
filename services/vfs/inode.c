/* Inodes: making, freeing, stat and the in-memory setattr. Layer:
 * services (safe C). Their data pages are the page cache (pagecache.c). */
#include "vfs/internal.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/log.h>
#include <fw/time.h>

FW_POOL_DEFINE(inode, struct inode);
FW_POOL_DEFINE(kchunk, struct kchunk);

struct ino_counter {
	uint64_t next;
};
FW_GLOBAL(struct ino_counter, ino_counter);

int inode_new_in(struct super_ref sb, uint32_t mode, struct inode_ref *out)
{
	int r = inode_alloc(out);
	if (r)
		return r;
	struct super *s = super_get(sb);
	uint32_t type = s ? s->type : 0, dev = s ? s->dev : 1;
	struct inode *ip = inode_get(*out);
	ip->sb = sb;
	ip->fstype = type;
	ip->dev = dev;
	ip->ino = ++ino_counter()->next;
	ip->mode = mode;
	ip->nlink = 0;
	/* memory files and directories until a file system says otherwise */
	if ((mode & S_IFMT) == S_IFREG)
		ip->fops = vfs_memfile_fops();
	else if ((mode & S_IFMT) == S_IFDIR)
		ip->fops = vfs_memdir_fops();
	int64_t now = (int64_t)fw_time_realtime_ns();
	ip->atime_ns = now;
	ip->mtime_ns = now;
	ip->ctime_ns = now;
	return 0;
}

int inode_new(uint32_t mode, struct inode_ref *out) { return inode_new_in((struct super_ref){0}, mode, out); }

void inode_put_if_unused(struct inode_ref r)
{
	if (r.idx == 0)
		return;
	struct inode *ip = inode_get(r);
	if (!ip || ip->nlink > 0 || ip->open_count > 0)
		return;
	if (ip->marks.idx) {
		notify_inode_gone(r, false);
		ip = inode_get(r);
	}
	if (ip->pages.idx)
		inode_drop_pages(r, 0); /* nothing of it is written back any more */
	fsop_evict(r);
	ip = inode_get(r);
	if (ip)
		xattr_free_all(ip);
	inode_free(r);
}

void inode_forget(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	if (!ip || ip->open_count > 0)
		return;
	if (ip->marks.idx)
		notify_inode_gone(r, true);
	ip = inode_get(r);
	if (!ip)
		return;
	inode_drop_pages(r, 0);
	xattr_free_all(ip);
	inode_free(r);
}

uint64_t inode_resident_pages(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip ? ip->npages : 0;
}

int inode_fallocate_mem(struct inode_ref r, uint32_t mode, uint64_t off, uint64_t len)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	if (mode & ~(uint32_t)(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	uint64_t end = off + len;
	uint32_t seals = inode_seals(ip);
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ip->size && (seals & F_SEAL_GROW))
		return -EPERM;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		/* whole pages go, the partial ones at the edges are zeroed */
		uint64_t first = (off + 4095) / 4096, last = end / 4096; /* [first, last) whole */
		for (uint64_t i = first; i < last; i++)
			inode_drop_page(r, i);
		struct fw_frame_ref f;
		if (off % 4096 && inode_page(r, off / 4096, false, &f) == 0) {
			uint64_t stop = FW_MIN(end, FW_ALIGN_UP(off + 1, 4096));
			(void)fw_frame_zero(f, (uint32_t)(off % 4096), (uint32_t)(stop - off));
		}
		if (end % 4096 && end / 4096 >= first && inode_page(r, end / 4096, false, &f) == 0)
			(void)fw_frame_zero(f, 0, (uint32_t)(end % 4096));
	} else {
		for (uint64_t i = off / 4096; i < (end + 4095) / 4096; i++) {
			struct fw_frame_ref f;
			int e = inode_page(r, i, true, &f);
			if (e)
				return e;
		}
		ip = inode_get(r);
		if (!(mode & FALLOC_FL_KEEP_SIZE) && end > ip->size)
			ip->size = end;
	}
	ip = inode_get(r);
	ip->mtime_ns = (int64_t)fw_time_realtime_ns();
	ip->ctime_ns = ip->mtime_ns;
	return 0;
}

void inode_stat(struct inode_ref r, struct linux_stat *st)
{
	struct inode *ip = inode_get(r);
	*st = (struct linux_stat){0};
	if (!ip)
		return;
	st->st_dev = ip->dev; /* one device number per file system */
	st->st_ino = ip->ino;
	st->st_nlink = ip->nlink;
	st->st_mode = ip->mode;
	st->st_uid = ip->uid;
	st->st_gid = ip->gid;
	st->st_rdev = ip->rdev;
	st->st_size = (int64_t)ip->size;
	st->st_blksize = 4096;
	st->st_blocks = fstype_has_backing(ip->fstype) ? (int64_t)ip->blocks : (int64_t)((ip->size + 511) / 512);
	st->st_atime_sec = ip->atime_ns / 1000000000;
	st->st_atime_nsec = ip->atime_ns % 1000000000;
	st->st_mtime_sec = ip->mtime_ns / 1000000000;
	st->st_mtime_nsec = ip->mtime_ns % 1000000000;
	st->st_ctime_sec = ip->ctime_ns / 1000000000;
	st->st_ctime_nsec = ip->ctime_ns % 1000000000;
}

int inode_setattr_mem(struct inode_ref r, const struct iattr *a)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -ENOENT;
	if (a->valid & ATTR_SIZE) {
		uint32_t seals = inode_seals(ip);
		if ((a->size < ip->size && (seals & F_SEAL_SHRINK)) || (a->size > ip->size && (seals & F_SEAL_GROW)))
			return -EPERM;
		int e = inode_truncate(r, a->size);
		if (e)
			return e;
		ip = inode_get(r);
	}
	if (a->valid & ATTR_MODE)
		ip->mode = (ip->mode & S_IFMT) | (a->mode & 07777);
	if (a->valid & ATTR_UID)
		ip->uid = a->uid;
	if (a->valid & ATTR_GID)
		ip->gid = a->gid;
	if (a->valid & ATTR_ATIME)
		ip->atime_ns = a->atime_ns;
	if (a->valid & ATTR_MTIME)
		ip->mtime_ns = a->mtime_ns;
	if (a->valid & ATTR_CTIME)
		ip->ctime_ns = a->ctime_ns;
	return 0;
}
