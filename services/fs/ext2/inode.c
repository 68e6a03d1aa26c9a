/* ext2 inodes: the inode cache (one VFS inode per ext2 inode in use),
 * reading and checking on-disk inodes, writing them back, making and
 * freeing them, setattr. Layer: services (safe C). Callers hold the file
 * system's lock (the fs_type operations here take it themselves). */
#include "fs/ext2/ext2.h"
#include <abi/fs.h>
#include <fw/time.h>

FW_POOL_DEFINE(e2ino, struct e2ino);

#define ITAB 1024

struct e2_itab {
	struct e2ino_ref b[ITAB];
};
FW_GLOBAL(struct e2_itab, e2_itab);

static uint32_t hkey(struct e2fs_ref r, uint32_t ino) { return (uint32_t)((ino * 2654435761ULL) >> 8 ^ r.idx) % ITAB; }
static bool same_fs(struct e2fs_ref a, struct e2fs_ref b) { return a.idx == b.idx && a.gen == b.gen; }

int e2_ino_of(struct inode_ref vino, struct e2ino_ref *out)
{
	struct inode *ip = inode_get(vino);
	if (!ip)
		return -EIO;
	*out = (struct e2ino_ref){ip->fs_data[0], ip->fs_data[1]};
	return e2ino_ref_valid(*out) ? 0 : -EIO;
}

uint8_t e2_ftype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT2_FT_REG;
	case S_IFDIR:
		return EXT2_FT_DIR;
	case S_IFCHR:
		return EXT2_FT_CHR;
	case S_IFBLK:
		return EXT2_FT_BLK;
	case S_IFIFO:
		return EXT2_FT_FIFO;
	case S_IFSOCK:
		return EXT2_FT_SOCK;
	case S_IFLNK:
		return EXT2_FT_SYMLINK;
	default:
		return EXT2_FT_UNKNOWN;
	}
}

/* Where inode `ino` lives: its inode-table block and offset. */
static int locate(struct e2fs_ref r, uint32_t ino, uint64_t *block, uint32_t *off)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || ino == 0 || ino > fs->inodes)
		return -EIO;
	uint32_t g = (ino - 1) / fs->ipg, idx = (ino - 1) % fs->ipg;
	struct ext2_dgroup gd;
	int e = e2_group(r, g, &gd);
	if (e)
		return e;
	fs = e2fs_get(r);
	uint64_t byte = (uint64_t)idx * fs->isize;
	*block = gd.bg_inode_table + byte / fs->bsize;
	*off = (uint32_t)(byte % fs->bsize);
	return 0;
}

static int read_raw(struct e2fs_ref r, uint32_t ino, struct ext2_dinode *d)
{
	uint64_t block;
	uint32_t off;
	int e = locate(r, ino, &block, &off);
	if (e)
		return e;
	struct e2fs *fs = e2fs_get(r);
	struct ebuf_ref b;
	e = bc_get(fs->bdev, fs->bsize, block, false, &b);
	if (e)
		return e;
	e = fw_frame_read(ebuf_get(b)->frame, off, d, sizeof(*d));
	bc_put(b);
	return e;
}

/* The raw inode into its slot; a new one also clears the slot's tail
 * (256-byte inodes: extra_isize 32, as mke2fs makes them). */
static int write_raw(struct e2fs_ref r, uint32_t ino, const struct ext2_dinode *d, bool fresh)
{
	uint64_t block;
	uint32_t off;
	int e = locate(r, ino, &block, &off);
	if (e)
		return e;
	struct e2fs *fs = e2fs_get(r);
	uint32_t isize = fs->isize;
	struct ebuf_ref b;
	e = bc_get(fs->bdev, fs->bsize, block, false, &b);
	if (e)
		return e;
	struct fw_frame_ref f = ebuf_get(b)->frame;
	e = fw_frame_write(f, off, d, sizeof(*d));
	if (e == 0 && fresh && isize > EXT2_GOOD_OLD_INODE_SIZE) {
		e = fw_frame_zero(f, off + EXT2_GOOD_OLD_INODE_SIZE, isize - EXT2_GOOD_OLD_INODE_SIZE);
		uint16_t extra = isize >= 160 ? 32 : 0;
		if (e == 0)
			e = fw_frame_write(f, off + EXT2_GOOD_OLD_INODE_SIZE, &extra, sizeof(extra));
	}
	bc_dirty(b);
	bc_put(b);
	return e;
}

/* An on-disk inode fit to use. */
bool e2_dinode_ok(const struct e2fs *fs, const struct ext2_dinode *d)
{
	switch (d->i_mode & S_IFMT) {
	case S_IFREG:
	case S_IFDIR:
	case S_IFLNK:
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		break;
	default:
		return false;
	}
	if (d->i_links_count == 0)
		return false; /* deleted */
	if ((d->i_mode & S_IFMT) == S_IFLNK && d->i_size >= fs->bsize)
		return false;
	if ((d->i_mode & S_IFMT) == S_IFDIR && (d->i_size % fs->bsize || d->i_size == 0))
		return false;
	return true;
}

static uint32_t decode_rdev(const struct ext2_dinode *d)
{
	if (d->i_block[0])
		return dev_make((d->i_block[0] >> 8) & 0xff, d->i_block[0] & 0xff);
	uint32_t v = d->i_block[1];
	return dev_make((v >> 8) & 0xfff, (v & 0xff) | ((v >> 12) & 0xfff00));
}

static int64_t ns(uint32_t sec) { return (int64_t)sec * 1000000000LL; }

/* VFS fields from the raw inode. */
static void fill_vfs(struct inode *ip, const struct ext2_dinode *d, bool large)
{
	ip->mode = d->i_mode;
	ip->uid = d->i_uid | (uint32_t)d->l_i_uid_high << 16;
	ip->gid = d->i_gid | (uint32_t)d->l_i_gid_high << 16;
	ip->nlink = d->i_links_count;
	ip->blocks = d->i_blocks;
	ip->size = d->i_size;
	if ((d->i_mode & S_IFMT) == S_IFREG && large)
		ip->size |= (uint64_t)d->i_size_high << 32;
	ip->atime_ns = ns(d->i_atime);
	ip->mtime_ns = ns(d->i_mtime);
	ip->ctime_ns = ns(d->i_ctime);
	if ((d->i_mode & S_IFMT) == S_IFCHR || (d->i_mode & S_IFMT) == S_IFBLK)
		ip->rdev = decode_rdev(d);
	if ((d->i_mode & S_IFMT) == S_IFREG)
		ip->fops = e2_file_fops();
	else if ((d->i_mode & S_IFMT) == S_IFDIR)
		ip->fops = e2_dir_fops();
	else
		ip->fops = 0;
}

static int lookup_cache(struct e2fs_ref r, uint32_t ino, struct inode_ref *out)
{
	for (struct e2ino_ref x = e2_itab()->b[hkey(r, ino)]; e2ino_ref_valid(x); x = e2ino_get(x)->hnext) {
		struct e2ino *ei = e2ino_get(x);
		if (ei->ino == ino && same_fs(ei->fs, r) && inode_ref_valid(ei->vino)) {
			*out = ei->vino;
			return 0;
		}
	}
	return -ENOENT;
}

/* A VFS inode for raw inode d, cached. */
static int instantiate(struct e2fs_ref r, uint32_t ino, const struct ext2_dinode *d, struct inode_ref *out)
{
	struct e2fs *fs = e2fs_get(r);
	struct e2ino_ref er;
	if (e2ino_alloc(&er))
		return -ENOMEM;
	int e = inode_new_in(fs->sb, d->i_mode, out);
	if (e) {
		e2ino_free(er);
		return -ENOMEM;
	}
	struct e2ino *ei = e2ino_get(er);
	ei->fs = r;
	ei->ino = ino;
	ei->vino = *out;
	ei->d = *d;
	struct inode *ip = inode_get(*out);
	ip->ino = ino;
	ip->fs_data[0] = er.idx;
	ip->fs_data[1] = er.gen;
	fs = e2fs_get(r);
	fill_vfs(ip, d, (fs->ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE) != 0);
	uint32_t h = hkey(r, ino);
	ei->hnext = e2_itab()->b[h];
	e2_itab()->b[h] = er;
	return 0;
}

int e2_iget(struct e2fs_ref r, uint32_t ino, struct inode_ref *out)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs)
		return -EIO;
	if (ino == 0 || ino > fs->inodes || (ino < fs->first_ino && ino != EXT2_ROOT_INO))
		return e2_corrupt(r); /* a directory names a reserved or absent inode */
	if (lookup_cache(r, ino, out) == 0)
		return 0;
	struct ext2_dinode d;
	int e = read_raw(r, ino, &d);
	if (e)
		return e;
	if (!e2_dinode_ok(e2fs_get(r), &d))
		return e2_corrupt(r);
	return instantiate(r, ino, &d, out);
}

static uint32_t now_s(void) { return (uint32_t)(fw_time_realtime_ns() / 1000000000ULL); }

int e2_inew(struct e2fs_ref r, uint32_t dir_ino, const struct inode_new *nw, struct inode_ref *out)
{
	uint32_t ino;
	bool dir = (nw->mode & S_IFMT) == S_IFDIR;
	int e = e2_alloc_inode(r, dir_ino, dir, &ino);
	if (e)
		return e;
	struct ext2_dinode d = {0};
	uint32_t t = now_s();
	d.i_mode = (uint16_t)nw->mode;
	d.i_uid = (uint16_t)nw->uid;
	d.l_i_uid_high = (uint16_t)(nw->uid >> 16);
	d.i_gid = (uint16_t)nw->gid;
	d.l_i_gid_high = (uint16_t)(nw->gid >> 16);
	d.i_atime = d.i_ctime = d.i_mtime = t;
	struct e2fs *fs = e2fs_get(r);
	d.i_generation = (uint32_t)fs->gen++;
	uint32_t type = nw->mode & S_IFMT;
	if (type == S_IFCHR || type == S_IFBLK) {
		uint32_t maj = dev_major(nw->rdev), min = dev_minor(nw->rdev);
		if (maj < 256 && min < 256)
			d.i_block[0] = maj << 8 | min;
		else
			d.i_block[1] = (min & 0xff) | maj << 8 | (min & ~0xffu) << 12;
	}
	d.i_links_count = 1; /* written as linked; the VFS count starts at 0 */
	e = write_raw(r, ino, &d, true);
	if (e == 0)
		e = instantiate(r, ino, &d, out);
	if (e) {
		(void)e2_free_inode(r, ino, dir);
		return e;
	}
	inode_get(*out)->nlink = 0;
	return 0;
}

int e2_write_inode(struct inode_ref vino)
{
	struct e2ino_ref er;
	struct e2fs_ref r;
	int e = e2_ino_of(vino, &er);
	if (e == 0)
		e = e2_fs_of(vino, &r);
	if (e)
		return e;
	struct e2fs *fs = e2fs_get(r);
	if (fs->ro)
		return 0;
	struct inode *ip = inode_get(vino);
	struct e2ino *ei = e2ino_get(er);
	struct ext2_dinode *d = &ei->d;
	d->i_mode = (uint16_t)ip->mode;
	d->i_uid = (uint16_t)ip->uid;
	d->l_i_uid_high = (uint16_t)(ip->uid >> 16);
	d->i_gid = (uint16_t)ip->gid;
	d->l_i_gid_high = (uint16_t)(ip->gid >> 16);
	d->i_links_count = (uint16_t)FW_MIN(ip->nlink, 65535u);
	d->i_size = (uint32_t)ip->size;
	if ((ip->mode & S_IFMT) == S_IFREG) {
		d->i_size_high = (uint32_t)(ip->size >> 32);
		if (ip->size >= 0x80000000ULL && !(fs->ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE)) {
			fs->ro_compat |= EXT2_FEATURE_RO_COMPAT_LARGE_FILE;
			fs->sb_dirty = true;
		}
	}
	d->i_atime = (uint32_t)(ip->atime_ns / 1000000000LL);
	d->i_mtime = (uint32_t)(ip->mtime_ns / 1000000000LL);
	d->i_ctime = (uint32_t)(ip->ctime_ns / 1000000000LL);
	struct ext2_dinode copy = *d;
	uint32_t ino = ei->ino;
	ip->meta_dirty = false;
	return write_raw(r, ino, &copy, false);
}

/* Out of the cache (the ext2 side; the caller frees the VFS inode). */
static void unhash(struct e2ino_ref er)
{
	struct e2ino *ei = e2ino_get(er);
	uint32_t h = hkey(ei->fs, ei->ino);
	struct e2ino_ref prev = {0};
	for (struct e2ino_ref x = e2_itab()->b[h]; e2ino_ref_valid(x); x = e2ino_get(x)->hnext) {
		if (x.idx == er.idx && x.gen == er.gen) {
			struct e2ino_ref next = e2ino_get(x)->hnext;
			if (e2ino_ref_valid(prev))
				e2ino_get(prev)->hnext = next;
			else
				e2_itab()->b[h] = next;
			return;
		}
		prev = x;
	}
}

/* A symlink's target in i_block, or a device node: no blocks to free. */
static bool no_blocks(const struct ext2_dinode *d, uint32_t spb)
{
	uint32_t type = d->i_mode & S_IFMT;
	uint32_t ea = d->i_file_acl ? spb : 0;
	return type == S_IFCHR || type == S_IFBLK || type == S_IFIFO || type == S_IFSOCK ||
	       (type == S_IFLNK && d->i_blocks <= ea);
}

void ext2_evict(struct inode_ref vino)
{
	struct e2ino_ref er;
	struct e2fs_ref r;
	if (e2_ino_of(vino, &er) || e2_fs_of(vino, &r))
		return;
	e2_lock(r);
	struct e2fs *fs = e2fs_get(r);
	struct e2ino *ei = e2ino_get(er);
	uint32_t ino = ei->ino;
	bool dir = (ei->d.i_mode & S_IFMT) == S_IFDIR;
	if (!fs->ro) {
		/* the last link and the last user are gone: free it on disk */
		if (!no_blocks(&ei->d, fs->spb))
			(void)e2_truncate_blocks(er, 0);
		ei = e2ino_get(er);
		ei->d.i_links_count = 0;
		ei->d.i_dtime = now_s();
		ei->d.i_size = 0;
		ei->d.i_size_high = 0;
		struct ext2_dinode copy = ei->d;
		(void)write_raw(r, ino, &copy, false);
		(void)e2_free_inode(r, ino, dir);
	}
	unhash(er);
	e2ino_free(er);
	struct inode *ip = inode_get(vino);
	if (ip) {
		ip->fs_data[0] = 0;
		ip->fs_data[1] = 0;
	}
	e2_unlock(r);
}

int ext2_setattr(struct inode_ref vino, const struct iattr *a)
{
	struct e2ino_ref er;
	struct e2fs_ref r;
	int e = e2_ino_of(vino, &er);
	if (e == 0)
		e = e2_fs_of(vino, &r);
	if (e)
		return e;
	e2_lock(r);
	struct iattr rest = *a;
	if (a->valid & ATTR_SIZE) {
		rest.valid &= ~(uint32_t)ATTR_SIZE;
		struct inode *ip = inode_get(vino);
		struct e2fs *fs = e2fs_get(r);
		uint64_t old = ip->size;
		if (a->size > e2_max_size(fs))
			e = -EFBIG;
		if (e == 0)
			e = inode_truncate(vino, a->size);
		if (e == 0 && a->size < old)
			e = e2_truncate_blocks(er, (a->size + fs->bsize - 1) / fs->bsize);
	}
	if (e == 0)
		e = inode_setattr_mem(vino, &rest);
	if (e == 0)
		e = e2_write_inode(vino);
	e2_unlock(r);
	return e;
}

/* ---- the cache as a whole (umount, sync) ---- */

int e2_inodes_busy(struct e2fs_ref r)
{
	for (uint32_t h = 0; h < ITAB; h++) {
		for (struct e2ino_ref x = e2_itab()->b[h]; e2ino_ref_valid(x); x = e2ino_get(x)->hnext) {
			struct e2ino *ei = e2ino_get(x);
			struct inode *ip = same_fs(ei->fs, r) ? inode_get(ei->vino) : NULL;
			if (ip && ip->open_count > 0)
				return -EBUSY;
		}
	}
	return 0;
}

int e2_inodes_writeback(struct e2fs_ref r)
{
	int first = 0;
	for (uint32_t h = 0; h < ITAB; h++) {
		struct e2ino_ref x = e2_itab()->b[h];
		while (e2ino_ref_valid(x)) {
			struct e2ino *ei = e2ino_get(x);
			struct e2ino_ref next = ei->hnext;
			struct inode_ref v = ei->vino;
			struct inode *ip = same_fs(ei->fs, r) ? inode_get(v) : NULL;
			if (ip && (ip->ndirty || ip->meta_dirty)) {
				int e = inode_writeback(v, false);
				if (e && !first)
					first = e;
			}
			x = next;
		}
	}
	return first;
}

void e2_inodes_forget(struct e2fs_ref r)
{
	for (uint32_t h = 0; h < ITAB; h++) {
		struct e2ino_ref x = e2_itab()->b[h];
		while (e2ino_ref_valid(x)) {
			struct e2ino *ei = e2ino_get(x);
			struct e2ino_ref next = ei->hnext;
			if (same_fs(ei->fs, r)) {
				struct inode_ref v = ei->vino;
				unhash(x);
				e2ino_free(x);
				inode_forget(v);
			}
			x = next;
		}
	}
}
