/* ext2: mounting (the superblock and group descriptors checked), umount,
 * statfs, sync, the per-file-system lock and the fs_type registration.
 * Layer: services (safe C). Trusts the VFS and the block device for
 * moving bytes, nothing it reads from the disk. */
#include "fs/ext2/disk.h"
#include "fs/ext2/ext2.h"
#include <abi/fs.h>
#include <fw/time.h>

FW_POOL_DEFINE(e2fs, struct e2fs);
FW_POOL_REF(e2sbuf);
FW_POOL_PRIVATE(e2sbuf, struct ext2_dsuper);

struct e2_state {
	uint32_t type, file_fops, dir_fops;
};
FW_GLOBAL(struct e2_state, e2_state);

struct e2fs *e2_fs(struct e2fs_ref r) { return e2fs_get(r); }

int e2_fs_of(struct inode_ref vino, struct e2fs_ref *out)
{
	struct super *s = inode_super(vino);
	if (!s || s->type != e2_state()->type)
		return -EIO;
	*out = (struct e2fs_ref){s->priv.idx, s->priv.gen};
	return e2fs_ref_valid(*out) ? 0 : -EIO;
}

uint32_t e2_file_fops(void) { return e2_state()->file_fops; }
uint32_t e2_dir_fops(void) { return e2_state()->dir_fops; }

void e2_lock(struct e2fs_ref r)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs)
		return;
	if (fw_mutex_held_by_me(fs->lock)) {
		fs->lock_depth++;
		return;
	}
	struct fw_mutex_ref m = fs->lock;
	if (fw_mutex_lock(m, false) != 0)
		return;
	fs = e2fs_get(r);
	if (fs)
		fs->lock_depth = 1;
}

void e2_unlock(struct e2fs_ref r)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || !fw_mutex_held_by_me(fs->lock))
		return;
	if (--fs->lock_depth == 0)
		(void)fw_mutex_unlock(fs->lock);
}

int e2_corrupt(struct e2fs_ref r)
{
	struct e2fs *fs = e2fs_get(r);
	if (fs) {
		fs->error = true;
		fs->sb_dirty = true;
	}
	return -EIO;
}

/* ---- group descriptors ---- */

bool e2_group_ok(const struct e2fs *fs, uint32_t g, const struct ext2_dgroup *gd)
{
	uint64_t first = fs->first_data + (uint64_t)g * fs->bpg;
	uint64_t end = FW_MIN(first + fs->bpg, (uint64_t)fs->blocks);
	return gd->bg_block_bitmap >= first && gd->bg_block_bitmap < end && gd->bg_inode_bitmap >= first &&
	       gd->bg_inode_bitmap < end && gd->bg_inode_table >= first &&
	       (uint64_t)gd->bg_inode_table + fs->itb_blocks <= end && gd->bg_free_blocks_count <= fs->bpg &&
	       gd->bg_free_inodes_count <= fs->ipg && gd->bg_used_dirs_count <= fs->ipg;
}

static void group_where(const struct e2fs *fs, uint32_t g, uint64_t *block, uint32_t *off)
{
	uint32_t per = fs->bsize / 32;
	*block = fs->gdt_block + g / per;
	*off = (g % per) * 32;
}

/* The cached block that holds group g's descriptor, and its offset there. */
static int group_buf(struct e2fs_ref r, uint32_t g, struct ebuf_ref *b, uint32_t *off)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || g >= fs->groups)
		return -EIO;
	uint64_t block;
	group_where(fs, g, &block, off);
	return bc_get(fs->bdev, fs->bsize, block, false, b);
}

int e2_group(struct e2fs_ref r, uint32_t g, struct ext2_dgroup *out)
{
	struct ebuf_ref b;
	uint32_t off;
	int e = group_buf(r, g, &b, &off);
	if (e)
		return e;
	e = fw_frame_read(ebuf_get(b)->frame, off, out, sizeof(*out));
	bc_put(b);
	struct e2fs *fs = e2fs_get(r);
	if (e == 0 && !e2_group_ok(fs, g, out))
		e = e2_corrupt(r);
	return e;
}

int e2_group_put(struct e2fs_ref r, uint32_t g, const struct ext2_dgroup *gd)
{
	struct ebuf_ref b;
	uint32_t off;
	int e = group_buf(r, g, &b, &off);
	if (e)
		return e;
	e = fw_frame_write(ebuf_get(b)->frame, off, gd, sizeof(*gd));
	bc_dirty(b);
	bc_put(b);
	return e;
}

/* ---- the superblock ---- */

/* The block holding byte 1024 and the superblock's offset in it. */
static void super_where(const struct e2fs *fs, uint64_t *block, uint32_t *off)
{
	*block = fs->bsize == 1024 ? 1 : 0;
	*off = fs->bsize == 1024 ? 0 : 1024;
}

static bool pow2(uint32_t v) { return v && !(v & (v - 1)); }

/* Check the superblock against itself and the device; fill fs. */
int e2_check_super(const struct ext2_dsuper *s, uint64_t dev_bytes, bool rdonly, struct e2fs *fs)
{
	if (s->s_magic != EXT2_MAGIC)
		return -EINVAL; /* not ext2 */
	if (s->s_rev_level > 1 || s->s_log_block_size > 2)
		return -EINVAL;
	fs->rev = s->s_rev_level;
	fs->log_bsize = 10 + s->s_log_block_size;
	fs->bsize = 1024u << s->s_log_block_size;
	fs->spb = fs->bsize / 512;
	fs->ptrs = fs->bsize / 4;
	fs->incompat = fs->rev ? s->s_feature_incompat : 0;
	fs->ro_compat = fs->rev ? s->s_feature_ro_compat : 0;
	fs->compat = fs->rev ? s->s_feature_compat : 0;
	if (fs->incompat & ~(uint32_t)EXT2_FEATURE_INCOMPAT_FILETYPE)
		return -EINVAL; /* a feature ext2 does not have (journal recovery, extents...) */
	if (!rdonly && (fs->ro_compat & ~(uint32_t)EXT2_FEATURE_RO_COMPAT_SUPP))
		return -EINVAL;
	fs->blocks = s->s_blocks_count;
	fs->inodes = s->s_inodes_count;
	fs->first_data = s->s_first_data_block;
	fs->bpg = s->s_blocks_per_group;
	fs->ipg = s->s_inodes_per_group;
	fs->r_blocks = s->s_r_blocks_count;
	fs->isize = fs->rev ? s->s_inode_size : EXT2_GOOD_OLD_INODE_SIZE;
	fs->first_ino = fs->rev ? s->s_first_ino : EXT2_GOOD_OLD_FIRST_INO;
	fs->rsv_gdt = (fs->compat & 0x10) ? s->s_reserved_gdt_blocks : 0; /* resize_inode */
	if (fs->first_data != (fs->bsize == 1024 ? 1u : 0u) || fs->blocks <= fs->first_data + 1)
		return -EUCLEAN;
	if ((uint64_t)fs->blocks * fs->bsize > dev_bytes)
		return -EUCLEAN; /* larger than its device */
	if (fs->bpg < 8 || fs->bpg > 8 * fs->bsize || fs->bpg % 8 || fs->ipg == 0 || fs->ipg > 8 * fs->bsize)
		return -EUCLEAN;
	if (fs->isize < EXT2_GOOD_OLD_INODE_SIZE || fs->isize > fs->bsize || !pow2(fs->isize))
		return -EUCLEAN;
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO || fs->first_ino > fs->ipg)
		return -EUCLEAN;
	/* in 64 bits: near 2^32 blocks the sum would wrap to 0 groups */
	fs->groups = (uint32_t)(((uint64_t)fs->blocks - fs->first_data + fs->bpg - 1) / fs->bpg);
	if ((uint64_t)fs->groups * fs->ipg != fs->inodes || fs->r_blocks > fs->blocks)
		return -EUCLEAN;
	fs->itb_blocks = (uint32_t)(((uint64_t)fs->ipg * fs->isize + fs->bsize - 1) / fs->bsize);
	fs->gdt_block = fs->first_data + 1;
	uint64_t gdt_blocks = ((uint64_t)fs->groups * 32 + fs->bsize - 1) / fs->bsize;
	if (fs->itb_blocks >= fs->bpg || fs->gdt_block + gdt_blocks + fs->rsv_gdt > fs->blocks ||
	    1 + gdt_blocks + fs->rsv_gdt + 2 + fs->itb_blocks > fs->bpg)
		return -EUCLEAN;
	return 0;
}

static int read_super(struct e2fs_ref r, struct ext2_dsuper *s)
{
	struct e2fs *fs = e2fs_get(r);
	uint64_t block;
	uint32_t off;
	super_where(fs, &block, &off);
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, block, false, &b);
	if (e)
		return e;
	e = fw_frame_read(ebuf_get(b)->frame, off, s, sizeof(*s));
	bc_put(b);
	return e;
}

/* Update the superblock's counts, times, state and features in its buffer. */
static int put_super(struct e2fs_ref r, bool clean)
{
	struct e2sbuf_ref sr;
	if (e2sbuf_alloc(&sr))
		return -ENOMEM;
	struct ext2_dsuper *s = e2sbuf_get(sr);
	int e = read_super(r, s);
	struct e2fs *fs = e2fs_get(r);
	if (e == 0) {
		s = e2sbuf_get(sr);
		s->s_free_blocks_count = fs->free_blocks;
		s->s_free_inodes_count = fs->free_inodes;
		s->s_wtime = (uint32_t)(fw_time_realtime_ns() / 1000000000ULL);
		if (fs->rev)
			s->s_feature_ro_compat = fs->ro_compat;
		s->s_state = (uint16_t)((clean ? EXT2_VALID_FS : 0) | (fs->error ? EXT2_ERROR_FS : 0));
		uint64_t block;
		uint32_t off;
		super_where(fs, &block, &off);
		struct ebuf_ref b;
		e = bc_get(fs->bdev, fs->bsize, block, false, &b);
		if (e == 0) {
			e = fw_frame_write(ebuf_get(b)->frame, off, e2sbuf_get(sr), sizeof(struct ext2_dsuper));
			bc_dirty(b);
			bc_put(b);
		}
	}
	e2sbuf_free(sr);
	fs = e2fs_get(r);
	if (e == 0 && fs)
		fs->sb_dirty = false;
	return e;
}

int e2_write_super(struct e2fs_ref r) { return put_super(r, false); }

int e2_sync_meta(struct e2fs_ref r)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || fs->ro)
		return 0;
	int e = put_super(r, false);
	fs = e2fs_get(r);
	int s = bc_sync(fs->bdev);
	int f = disk_flush(e2fs_get(r)->bdev);
	return e ? e : s ? s : f;
}

/* Every group descriptor checked; the free counts are their sums. */
static int check_groups(struct e2fs_ref r)
{
	uint64_t fb = 0, fi = 0;
	for (uint32_t g = 0; g < e2fs_get(r)->groups; g++) {
		struct ext2_dgroup gd;
		int e = e2_group(r, g, &gd);
		if (e)
			return -EUCLEAN;
		fb += gd.bg_free_blocks_count;
		fi += gd.bg_free_inodes_count;
	}
	struct e2fs *fs = e2fs_get(r);
	if (fb > fs->blocks || fi > fs->inodes)
		return -EUCLEAN;
	fs->free_blocks = (uint32_t)fb;
	fs->free_inodes = (uint32_t)fi;
	return 0;
}

/* Read the superblock (bytes 1024..2047) before the block size is known. */
static int load_super(struct e2fs_ref r, bool rdonly)
{
	struct e2fs *fs = e2fs_get(r);
	uint64_t bytes;
	bool ro;
	int e = disk_size(fs->bdev, &bytes, &ro);
	if (e)
		return e;
	if (ro && !rdonly)
		return -EROFS;
	if (bytes < 2048)
		return -EINVAL;
	struct fw_frame_ref f;
	if (fw_frame_alloc(&f))
		return -ENOMEM;
	e = disk_io(fs->bdev, 2, f, 0, 1024, false);
	struct e2sbuf_ref sr;
	if (e == 0 && e2sbuf_alloc(&sr))
		e = -ENOMEM;
	else if (e == 0) {
		e = fw_frame_read(f, 0, e2sbuf_get(sr), sizeof(struct ext2_dsuper));
		if (e == 0)
			e = e2_check_super(e2sbuf_get(sr), bytes, rdonly, e2fs_get(r));
		e2sbuf_free(sr);
	}
	fw_frame_put(f);
	return e;
}

static int ext2_mount(struct super_ref vsb, struct inode_ref *root)
{
	struct super *vs = super_get(vsb);
	bool rdonly = (vs->flags & MS_RDONLY) != 0;
	struct e2fs_ref r;
	if (e2fs_alloc(&r))
		return -ENOMEM;
	struct e2fs *fs = e2fs_get(r);
	fs->sb = vsb;
	fs->bdev = vs->bdev;
	fs->ro = rdonly;
	fs->gen = fw_time_realtime_ns();
	int e = fw_mutex_create(&fs->lock) ? -ENOMEM : 0;
	if (e == 0)
		e = load_super(r, rdonly);
	if (e == 0)
		e = check_groups(r);
	vs = super_get(vsb);
	vs->priv = (struct vfs_priv){r.idx, r.gen};
	if (e == 0)
		e = e2_iget(r, EXT2_ROOT_INO, root);
	struct inode *rp = e == 0 ? inode_get(*root) : NULL;
	if (e == 0 && (!rp || (rp->mode & S_IFMT) != S_IFDIR))
		e = -EUCLEAN;
	if (e == 0 && !rdonly)
		e = e2_sync_meta(r); /* on the disk it is now "not cleanly unmounted" */
	if (e) {
		e2_inodes_forget(r);
		fs = e2fs_get(r);
		bc_drop_dev(fs->bdev);
		fw_mutex_destroy(fs->lock);
		e2fs_free(r);
		return e;
	}
	disk_hold(e2fs_get(r)->bdev, true);
	return 0;
}

static int ext2_umount(struct super_ref vsb)
{
	struct super *vs = super_get(vsb);
	struct e2fs_ref r = {vs->priv.idx, vs->priv.gen};
	if (!e2fs_ref_valid(r))
		return 0;
	e2_lock(r);
	int e = e2_inodes_busy(r);
	if (e == 0 && !e2fs_get(r)->ro) {
		(void)e2_inodes_writeback(r);
		(void)put_super(r, true);
		(void)e2_sync_meta(r);
		(void)put_super(r, true);
		(void)bc_sync(e2fs_get(r)->bdev);
		(void)disk_flush(e2fs_get(r)->bdev);
	}
	if (e) {
		e2_unlock(r);
		return e;
	}
	e2_inodes_forget(r);
	struct e2fs *fs = e2fs_get(r);
	uint32_t bdev = fs->bdev;
	struct fw_mutex_ref m = fs->lock;
	bc_drop_dev(bdev);
	e2fs_free(r);
	(void)fw_mutex_unlock(m);
	fw_mutex_destroy(m);
	disk_hold(bdev, false);
	return 0;
}

static bool has_super_backup(const struct e2fs *fs, uint32_t g)
{
	if (g <= 1 || !(fs->ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	for (uint32_t p = 3; p <= 7; p += 2) {
		uint64_t v = p;
		while (v < g)
			v *= p;
		if (v == g)
			return true;
	}
	return false;
}

static void ext2_statfs(struct super_ref vsb, struct linux_statfs *st)
{
	struct super *vs = super_get(vsb);
	struct e2fs *fs = vs ? e2fs_get((struct e2fs_ref){vs->priv.idx, vs->priv.gen}) : NULL;
	if (!fs)
		return;
	uint64_t gdt = ((uint64_t)fs->groups * 32 + fs->bsize - 1) / fs->bsize, overhead = fs->first_data;
	for (uint32_t g = 0; g < fs->groups; g++)
		overhead += (has_super_backup(fs, g) ? 1 + gdt : 0) + 2 + fs->itb_blocks;
	st->f_bsize = fs->bsize;
	st->f_frsize = fs->bsize;
	st->f_blocks = fs->blocks > overhead ? fs->blocks - overhead : 0;
	st->f_bfree = fs->free_blocks;
	st->f_bavail = fs->free_blocks > fs->r_blocks ? fs->free_blocks - fs->r_blocks : 0;
	st->f_files = fs->inodes;
	st->f_ffree = fs->free_inodes;
	st->f_namelen = 255;
	st->f_fsid[0] = (int32_t)fs->bdev;
}

static int ext2_sync(struct super_ref vsb)
{
	struct super *vs = super_get(vsb);
	struct e2fs_ref r = {vs->priv.idx, vs->priv.gen};
	if (!e2fs_ref_valid(r))
		return 0;
	e2_lock(r);
	int e = e2_inodes_writeback(r);
	int m = e2_sync_meta(r);
	e2_unlock(r);
	return e ? e : m;
}

bool e2_has_super_backup(const struct e2fs *fs, uint32_t g) { return has_super_backup(fs, g); }

static int ext2_write_inode_op(struct inode_ref vino)
{
	struct e2fs_ref r;
	int e = e2_fs_of(vino, &r);
	if (e)
		return e;
	e2_lock(r);
	e = e2_write_inode(vino);
	e2_unlock(r);
	return e;
}

static const struct fs_type ext2_type = {
	.name = "ext2",
	.magic = EXT2_MAGIC,
	.flags = FS_REQUIRES_DEV,
	.mount = ext2_mount,
	.umount = ext2_umount,
	.statfs = ext2_statfs,
	.sync = ext2_sync,
	.evict = ext2_evict,
	.lookup = ext2_lookup,
	.create = ext2_create,
	.mkdir = ext2_mkdir,
	.symlink = ext2_symlink,
	.link = ext2_link,
	.unlink = ext2_unlink,
	.rmdir = ext2_rmdir,
	.rename = ext2_rename,
	.readlink = ext2_readlink,
	.setattr = ext2_setattr,
	.get_name = ext2_get_name,
	.readpages = ext2_readpages,
	.writepages = ext2_writepages,
	.write_begin = ext2_write_begin,
	.write_end = ext2_write_end,
	.write_inode = ext2_write_inode_op,
	.fsync = ext2_fsync,
};

int ext2_init(void)
{
	struct e2_state *s = e2_state();
	int e = ext2_fops_init(&s->file_fops, &s->dir_fops);
	return e ? e : fs_register(&ext2_type, &e2_state()->type);
}
