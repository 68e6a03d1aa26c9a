/* Inodes and their data pages. Layer: services (safe C).
 * A regular file's bytes live in frames; frame i of the file is entry
 * i % PAGEVEC_LEN of the (i / PAGEVEC_LEN)-th pagevec in the chain. A
 * missing frame reads as zeros (sparse files). */
#include "vfs/internal.h"
#include <abi/fs.h>
#include <fw/console.h>
#include <fw/log.h>
#include <fw/time.h>

FW_POOL_DEFINE(pagevec, struct pagevec);
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
	struct inode *ip = inode_get(*out);
	ip->sb = sb;
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

static void free_pages(struct inode *ip)
{
	struct pagevec_ref pv = ip->pages;
	while (pagevec_ref_valid(pv)) {
		struct pagevec *p = pagevec_get(pv);
		for (uint32_t i = 0; i < PAGEVEC_LEN; i++)
			if (p->page[i].pfn)
				fw_frame_put(p->page[i]);
		struct pagevec_ref next = p->next;
		pagevec_free(pv);
		pv = next;
	}
	ip->pages = (struct pagevec_ref){0};
}

void inode_put_if_unused(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	if (!ip || ip->nlink > 0 || ip->open_count > 0)
		return;
	fsop_evict(r);
	ip = inode_get(r);
	if (!ip)
		return;
	free_pages(ip);
	xattr_free_all(ip);
	inode_free(r);
}

uint64_t inode_resident_pages(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	uint64_t n = 0;
	for (struct pagevec_ref pv = ip ? ip->pages : (struct pagevec_ref){0}; pagevec_ref_valid(pv);
	     pv = pagevec_get(pv)->next) {
		struct pagevec *p = pagevec_get(pv);
		for (uint32_t i = 0; i < PAGEVEC_LEN; i++)
			n += p->page[i].pfn != 0;
	}
	return n;
}

/* Find (or create) the pagevec holding page `index`. */
static int pagevec_for(struct inode *ip, uint64_t index, bool create, struct pagevec_ref *out)
{
	struct pagevec_ref cur = ip->pages;
	if (!pagevec_ref_valid(cur)) {
		if (!create)
			return -ENOENT;
		int r = pagevec_alloc(&cur);
		if (r)
			return r;
		ip->pages = cur;
	}
	for (uint64_t n = index / PAGEVEC_LEN; n > 0; n--) {
		struct pagevec *p = pagevec_get(cur);
		if (!pagevec_ref_valid(p->next)) {
			if (!create)
				return -ENOENT;
			struct pagevec_ref nv;
			int r = pagevec_alloc(&nv);
			if (r)
				return r;
			p = pagevec_get(cur);
			p->next = nv;
		}
		cur = p->next;
	}
	*out = cur;
	return 0;
}

int inode_page(struct inode_ref r, uint64_t index, bool create, struct fw_frame_ref *out)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	struct pagevec_ref pv;
	int e = pagevec_for(ip, index, create, &pv);
	if (e)
		return e;
	struct pagevec *p = pagevec_get(pv);
	uint32_t slot = (uint32_t)(index % PAGEVEC_LEN);
	if (!p->page[slot].pfn) {
		if (!create)
			return -ENOENT;
		/* File data may not take the last eighth of memory (Linux caps
		 * tmpfs at half): filling /tmp gives ENOSPC while processes can
		 * still fault in pages, fork and exec. */
		if (fw_frames_free() < fw_frames_total() / 8)
			return -ENOSPC;
		struct fw_frame_ref f;
		e = fw_frame_alloc(&f);
		if (e)
			return -ENOSPC;
		p->page[slot] = f;
	}
	*out = p->page[slot];
	return 0;
}

int inode_truncate(struct inode_ref r, uint64_t size)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	uint64_t old = ip->size;
	if (size < old) {
		/* Drop whole pages past the end; zero the tail of the last one. */
		uint64_t first_gone = (size + 4095) / 4096;
		for (uint64_t i = first_gone; i < (old + 4095) / 4096; i++) {
			struct pagevec_ref pv;
			if (pagevec_for(ip, i, false, &pv) == 0) {
				struct pagevec *p = pagevec_get(pv);
				uint32_t slot = (uint32_t)(i % PAGEVEC_LEN);
				if (p->page[slot].pfn) {
					fw_frame_put(p->page[slot]);
					p->page[slot] = (struct fw_frame_ref){0};
				}
			}
		}
		struct fw_frame_ref f;
		if (size % 4096 && inode_page(r, size / 4096, false, &f) == 0)
			(void)fw_frame_zero(f, (uint32_t)(size % 4096), (uint32_t)(4096 - size % 4096));
	}
	ip = inode_get(r);
	ip->size = size;
	ip->mtime_ns = (int64_t)fw_time_realtime_ns();
	ip->ctime_ns = ip->mtime_ns;
	return 0;
}

/* Drop page i of the inode (it reads as zeros again). */
static void drop_page(struct inode *ip, uint64_t i)
{
	struct pagevec_ref pv;
	if (pagevec_for(ip, i, false, &pv))
		return;
	struct pagevec *p = pagevec_get(pv);
	uint32_t slot = (uint32_t)(i % PAGEVEC_LEN);
	if (p->page[slot].pfn) {
		fw_frame_put(p->page[slot]);
		p->page[slot] = (struct fw_frame_ref){0};
	}
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
			drop_page(ip, i);
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

int64_t inode_read_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return -EBADF;
	if (off >= ip->size)
		return 0;
	if (n > ip->size - off)
		n = ip->size - off;
	uint64_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e;
		if (inode_page(r, pos / 4096, false, &f) == 0)
			e = fw_frame_to_user(f, poff, fw_uaddr_add(buf, done), chunk);
		else
			e = fw_clear_user(fw_uaddr_add(buf, done), chunk);
		if (e)
			return done ? (int64_t)done : e;
		done += chunk;
	}
	return (int64_t)done;
}

int64_t inode_write_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n)
{
	if (off + n < off)
		return -EFBIG;
	uint64_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = inode_page(r, pos / 4096, true, &f);
		if (e == 0)
			e = fw_frame_from_user(f, poff, fw_uaddr_add(buf, done), chunk);
		if (e) {
			if (done)
				break;
			return e;
		}
		done += chunk;
	}
	struct inode *ip = inode_get(r);
	if (off + done > ip->size)
		ip->size = off + done;
	ip->mtime_ns = (int64_t)fw_time_realtime_ns();
	ip->ctime_ns = ip->mtime_ns;
	return (int64_t)done;
}

int inode_write_initrd(struct inode_ref r, uint64_t off, uint64_t initrd_off, uint64_t n)
{
	uint64_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = (uint32_t)FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = inode_page(r, pos / 4096, true, &f);
		if (e == 0)
			e = fw_initrd_to_frame(initrd_off + done, f, poff, chunk);
		if (e)
			return e;
		done += chunk;
	}
	struct inode *ip = inode_get(r);
	if (off + n > ip->size)
		ip->size = off + n;
	return 0;
}

void inode_stat(struct inode_ref r, struct linux_stat *st)
{
	struct inode *ip = inode_get(r);
	*st = (struct linux_stat){0};
	if (!ip)
		return;
	st->st_dev = inode_dev(r); /* one device number per mount */
	st->st_ino = ip->ino;
	st->st_nlink = ip->nlink;
	st->st_mode = ip->mode;
	st->st_uid = ip->uid;
	st->st_gid = ip->gid;
	st->st_rdev = ip->rdev;
	st->st_size = (int64_t)ip->size;
	st->st_blksize = 4096;
	st->st_blocks = (int64_t)((ip->size + 511) / 512);
	st->st_atime_sec = ip->atime_ns / 1000000000;
	st->st_atime_nsec = ip->atime_ns % 1000000000;
	st->st_mtime_sec = ip->mtime_ns / 1000000000;
	st->st_mtime_nsec = ip->mtime_ns % 1000000000;
	st->st_ctime_sec = ip->ctime_ns / 1000000000;
	st->st_ctime_nsec = ip->ctime_ns % 1000000000;
}

int inode_write_chunk(struct inode_ref r, uint64_t off, const struct kchunk *c, uint32_t n)
{
	if (n > sizeof(c->b))
		return -EINVAL;
	uint32_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = inode_page(r, pos / 4096, true, &f);
		if (e == 0)
			e = fw_frame_write_at(f, poff, &c->b, done, chunk);
		if (e)
			return e;
		done += chunk;
	}
	struct inode *ip = inode_get(r);
	if (off + n > ip->size)
		ip->size = off + n;
	return 0;
}

int inode_read_chunk(struct inode_ref r, uint64_t off, struct kchunk *c, uint32_t n)
{
	if (n > sizeof(c->b))
		return -EINVAL;
	uint32_t done = 0;
	while (done < n) {
		uint64_t pos = off + done;
		uint32_t poff = (uint32_t)(pos % 4096);
		uint32_t chunk = FW_MIN(n - done, 4096 - poff);
		struct fw_frame_ref f;
		int e = inode_page(r, pos / 4096, false, &f);
		if (e == 0)
			e = fw_frame_read_at(f, poff, &c->b, done, chunk);
		else
			e = 0; /* hole: leave zeros */
		if (e)
			return e;
		done += chunk;
	}
	return 0;
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
