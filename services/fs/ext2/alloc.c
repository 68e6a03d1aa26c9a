/* ext2 block and inode bitmaps: allocating and freeing, with the group
 * descriptors' and the superblock's free counts kept in step. Layer:
 * services (safe C). Callers hold the file system's lock. A bitmap that
 * claims a system block (superblock, descriptors, bitmaps, inode table)
 * is free, or a block freed twice, marks the file system as having errors
 * (fsck will have work); neither is ever handed out twice. */
#include "fs/ext2/ext2.h"

struct bmwin {
	uint8_t b[64];
};

/* The first clear bit in [start, nbits) of bitmap block `bm`. */
static int find_zero(struct e2fs_ref r, uint32_t bm, uint32_t start, uint32_t nbits, uint32_t *bit)
{
	struct e2fs *fs = e2fs_get(r);
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, bm, false, &b);
	if (e)
		return e;
	struct bmwin w;
	e = -ENOSPC;
	for (uint32_t pos = start & ~7u; pos < nbits && e == -ENOSPC;) {
		uint32_t byte = pos / 8, n = FW_MIN((uint32_t)sizeof(w.b), (nbits - pos + 7) / 8);
		if (fw_frame_read(ebuf_get(b)->frame, byte, &w, n)) {
			e = -EIO;
			break;
		}
		for (uint32_t i = 0; i < n && e == -ENOSPC; i++) {
			if (w.b[i] == 0xff)
				continue;
			for (uint32_t k = 0; k < 8; k++) {
				uint32_t at = (byte + i) * 8 + k;
				if (at >= start && at < nbits && !(w.b[i] & (1u << k))) {
					*bit = at;
					e = 0;
					break;
				}
			}
		}
		pos = (byte + n) * 8;
	}
	bc_put(b);
	return e;
}

/* Set or clear one bit; its old value in *was. */
static int flip(struct e2fs_ref r, uint32_t bm, uint32_t bit, bool set, bool *was)
{
	struct e2fs *fs = e2fs_get(r);
	if (bit / 8 >= fs->bsize)
		return -EIO;
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, bm, false, &b);
	if (e)
		return e;
	uint8_t v;
	struct fw_frame_ref f = ebuf_get(b)->frame;
	e = fw_frame_read(f, bit / 8, &v, 1);
	if (e == 0) {
		*was = (v >> (bit % 8)) & 1;
		v = set ? (uint8_t)(v | (1u << (bit % 8))) : (uint8_t)(v & ~(1u << (bit % 8)));
		e = fw_frame_write(f, bit / 8, &v, 1);
		bc_dirty(b);
	}
	bc_put(b);
	return e;
}

/* The block is metadata of its group (or outside the data area). */
static bool system_block(struct e2fs_ref r, uint32_t blk)
{
	struct e2fs *fs = e2fs_get(r);
	if (blk < fs->first_data || blk >= fs->blocks)
		return true;
	uint32_t g = (blk - fs->first_data) / fs->bpg;
	uint32_t gfirst = fs->first_data + g * fs->bpg;
	uint32_t gdt = (fs->groups * 32 + fs->bsize - 1) / fs->bsize;
	/* superblock, descriptors and the blocks reserved to grow them */
	if (e2_has_super_backup(fs, g) && blk < gfirst + 1 + gdt + fs->rsv_gdt)
		return true;
	struct ext2_dgroup gd;
	if (e2_group(r, g, &gd))
		return true;
	fs = e2fs_get(r);
	return blk == gd.bg_block_bitmap || blk == gd.bg_inode_bitmap ||
	       (blk >= gd.bg_inode_table && blk < gd.bg_inode_table + fs->itb_blocks);
}

bool e2_block_ok(const struct e2fs *fs, uint32_t blk) { return blk >= fs->first_data && blk < fs->blocks; }

int e2_alloc_block(struct e2fs_ref r, uint32_t goal, uint32_t *out)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || fs->free_blocks == 0)
		return -ENOSPC;
	if (!e2_block_ok(fs, goal))
		goal = fs->first_data;
	uint32_t g0 = (goal - fs->first_data) / fs->bpg;
	for (uint32_t k = 0; k <= fs->groups; k++) {
		fs = e2fs_get(r);
		uint32_t g = (g0 + k) % fs->groups;
		struct ext2_dgroup gd;
		int e = e2_group(r, g, &gd);
		if (e)
			return e;
		if (gd.bg_free_blocks_count == 0)
			continue;
		fs = e2fs_get(r);
		uint32_t gfirst = fs->first_data + g * fs->bpg;
		uint32_t nbits = FW_MIN(fs->bpg, fs->blocks - gfirst);
		uint32_t start = k == 0 ? (goal - fs->first_data) % fs->bpg : 0, bit;
		for (;;) {
			e = find_zero(r, gd.bg_block_bitmap, start, nbits, &bit);
			if (e == -ENOSPC && start > 0) {
				start = 0;
				continue;
			}
			if (e)
				break;
			bool was;
			e = flip(r, gd.bg_block_bitmap, bit, true, &was);
			if (e)
				return e;
			if (system_block(r, gfirst + bit)) {
				(void)e2_corrupt(r); /* the bitmap lied: keep the bit set, look on */
				start = bit + 1 < nbits ? bit + 1 : 0;
				continue;
			}
			if (gd.bg_free_blocks_count > 0)
				gd.bg_free_blocks_count--;
			e = e2_group_put(r, g, &gd);
			fs = e2fs_get(r);
			if (fs->free_blocks > 0)
				fs->free_blocks--;
			fs->sb_dirty = true;
			bc_forget(fs->bdev, gfirst + bit);
			*out = gfirst + bit;
			return e;
		}
		if (e != -ENOSPC)
			return e;
	}
	return -ENOSPC;
}

int e2_free_block(struct e2fs_ref r, uint32_t blk)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || !e2_block_ok(fs, blk) || system_block(r, blk))
		return e2_corrupt(r);
	fs = e2fs_get(r);
	uint32_t g = (blk - fs->first_data) / fs->bpg, bit = (blk - fs->first_data) % fs->bpg;
	bc_forget(fs->bdev, blk);
	struct ext2_dgroup gd;
	int e = e2_group(r, g, &gd);
	bool was;
	if (e == 0)
		e = flip(r, gd.bg_block_bitmap, bit, false, &was);
	if (e)
		return e;
	if (!was)
		return e2_corrupt(r); /* freed twice */
	fs = e2fs_get(r);
	if (gd.bg_free_blocks_count < fs->bpg)
		gd.bg_free_blocks_count++;
	fs->free_blocks++;
	fs->sb_dirty = true;
	return e2_group_put(r, g, &gd);
}

int e2_alloc_inode(struct e2fs_ref r, uint32_t dir_ino, bool is_dir, uint32_t *out)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || fs->free_inodes == 0)
		return -ENOSPC;
	/* files near their directory; directories spread over the groups */
	uint32_t g0 = is_dir ? fs->next_group++ % fs->groups : ((dir_ino ? dir_ino : 1) - 1) / fs->ipg % fs->groups;
	for (uint32_t k = 0; k < fs->groups; k++) {
		fs = e2fs_get(r);
		uint32_t g = (g0 + k) % fs->groups, bit;
		struct ext2_dgroup gd;
		int e = e2_group(r, g, &gd);
		if (e)
			return e;
		if (gd.bg_free_inodes_count == 0)
			continue;
		uint32_t start = 0;
		for (;;) {
			e = find_zero(r, gd.bg_inode_bitmap, start, e2fs_get(r)->ipg, &bit);
			if (e)
				break;
			bool was;
			e = flip(r, gd.bg_inode_bitmap, bit, true, &was);
			if (e)
				return e;
			fs = e2fs_get(r);
			uint32_t ino = g * fs->ipg + bit + 1;
			if (ino < fs->first_ino) {
				(void)e2_corrupt(r); /* a reserved inode marked free */
				start = bit + 1;
				continue;
			}
			if (gd.bg_free_inodes_count > 0)
				gd.bg_free_inodes_count--;
			if (is_dir)
				gd.bg_used_dirs_count++;
			e = e2_group_put(r, g, &gd);
			fs = e2fs_get(r);
			if (fs->free_inodes > 0)
				fs->free_inodes--;
			fs->sb_dirty = true;
			*out = ino;
			return e;
		}
		if (e != -ENOSPC)
			return e;
	}
	return -ENOSPC;
}

int e2_free_inode(struct e2fs_ref r, uint32_t ino, bool is_dir)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || ino < fs->first_ino || ino > fs->inodes)
		return e2_corrupt(r);
	uint32_t g = (ino - 1) / fs->ipg, bit = (ino - 1) % fs->ipg;
	struct ext2_dgroup gd;
	int e = e2_group(r, g, &gd);
	bool was;
	if (e == 0)
		e = flip(r, gd.bg_inode_bitmap, bit, false, &was);
	if (e)
		return e;
	if (!was)
		return e2_corrupt(r);
	fs = e2fs_get(r);
	if (gd.bg_free_inodes_count < fs->ipg)
		gd.bg_free_inodes_count++;
	if (is_dir && gd.bg_used_dirs_count)
		gd.bg_used_dirs_count--;
	fs->free_inodes++;
	fs->sb_dirty = true;
	return e2_group_put(r, g, &gd);
}
