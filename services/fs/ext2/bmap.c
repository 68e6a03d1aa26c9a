/* ext2 block maps: a file's logical block to its physical block through
 * the 12 direct pointers and the single, double and triple indirect
 * blocks; allocation on write and freeing on truncate. Layer: services
 * (safe C). Every pointer read from the disk is checked against the file
 * system's size before it is followed (-EIO otherwise). Callers hold the
 * file system's lock. i_blocks counts 512-byte sectors, indirect blocks
 * included, as on Linux. */
#include "fs/ext2/ext2.h"
#include <abi/fs.h>

uint64_t e2_max_size(const struct e2fs *fs)
{
	uint64_t p = fs->ptrs;
	uint64_t blocks = EXT2_NDIR + p + p * p + p * p * p;
	uint64_t bytes = blocks * fs->bsize;
	uint64_t sectors_cap = 0xffffffffULL * 512; /* i_blocks is 32 bits of sectors */
	return FW_MIN(bytes, sectors_cap - (sectors_cap % fs->bsize));
}

/* The route to logical block lblk: which of i_block, then the index in
 * each indirect level. depth 0: a direct block. -EFBIG past the tree. */
int e2_route(const struct e2fs *fs, uint64_t lblk, uint32_t *first, uint32_t (*idx)[3], uint32_t *depth)
{
	uint64_t p = fs->ptrs;
	if (lblk < EXT2_NDIR) {
		*first = (uint32_t)lblk;
		*depth = 0;
		return 0;
	}
	lblk -= EXT2_NDIR;
	if (lblk < p) {
		*first = EXT2_IND;
		*depth = 1;
		(*idx)[0] = (uint32_t)lblk;
		return 0;
	}
	lblk -= p;
	if (lblk < p * p) {
		*first = EXT2_DIND;
		*depth = 2;
		(*idx)[0] = (uint32_t)(lblk / p);
		(*idx)[1] = (uint32_t)(lblk % p);
		return 0;
	}
	lblk -= p * p;
	if (lblk < p * p * p) {
		*first = EXT2_TIND;
		*depth = 3;
		(*idx)[0] = (uint32_t)(lblk / (p * p));
		(*idx)[1] = (uint32_t)(lblk / p % p);
		(*idx)[2] = (uint32_t)(lblk % p);
		return 0;
	}
	return -EFBIG;
}

static int ptr_read(struct e2fs_ref r, uint32_t blk, uint32_t i, uint32_t *out)
{
	struct e2fs *fs = e2fs_get(r);
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, blk, false, &b);
	if (e)
		return e;
	e = fw_frame_read(ebuf_get(b)->frame, i * 4, out, 4);
	bc_put(b);
	fs = e2fs_get(r);
	if (e == 0 && *out && !e2_block_ok(fs, *out))
		return e2_corrupt(r);
	return e;
}

static int ptr_write(struct e2fs_ref r, uint32_t blk, uint32_t i, uint32_t v)
{
	struct e2fs *fs = e2fs_get(r);
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, blk, false, &b);
	if (e)
		return e;
	e = fw_frame_write(ebuf_get(b)->frame, i * 4, &v, 4);
	bc_dirty(b);
	bc_put(b);
	return e;
}

/* i_blocks changed: the VFS inode shows it (st_blocks) and is dirty. */
static void set_blocks(const struct e2ino *ei)
{
	struct inode *ip = inode_get(ei->vino);
	if (ip) {
		ip->blocks = ei->d.i_blocks;
		ip->meta_dirty = true;
	}
}

/* A new block for the inode (an indirect block comes zeroed). */
static int new_block(struct e2ino_ref ir, bool indirect, uint32_t *out)
{
	struct e2ino *ei = e2ino_get(ir);
	struct e2fs_ref r = ei->fs;
	struct e2fs *fs = e2fs_get(r);
	uint32_t goal = ei->last_block ? ei->last_block + 1
				       : fs->first_data + ((ei->ino - 1) / fs->ipg) * fs->bpg;
	int e = e2_alloc_block(r, goal, out);
	if (e)
		return e;
	fs = e2fs_get(r);
	if (indirect) {
		struct ebuf_ref b;
		e = bc_get(fs->bdev, fs->bsize, *out, true, &b);
		if (e) {
			(void)e2_free_block(r, *out);
			return e;
		}
		bc_dirty(b);
		bc_put(b);
	}
	ei = e2ino_get(ir);
	ei->last_block = *out;
	ei->d.i_blocks += fs->spb;
	set_blocks(ei);
	return 0;
}

int e2_bmap(struct e2ino_ref ir, uint64_t lblk, bool create, uint32_t *phys)
{
	struct e2ino *ei = e2ino_get(ir);
	if (!ei)
		return -EIO;
	struct e2fs_ref r = ei->fs;
	struct e2fs *fs = e2fs_get(r);
	uint32_t first, depth, idx[3] = {0, 0, 0};
	int e = e2_route(fs, lblk, &first, &idx, &depth);
	if (e)
		return e;
	uint32_t cur = ei->d.i_block[first];
	if (cur && !e2_block_ok(fs, cur))
		return e2_corrupt(r);
	if (!cur) {
		if (!create) {
			*phys = 0;
			return 0;
		}
		e = new_block(ir, depth > 0, &cur);
		if (e)
			return e;
		e2ino_get(ir)->d.i_block[first] = cur;
	}
	for (uint32_t lvl = 0; lvl < depth; lvl++) {
		uint32_t next;
		e = ptr_read(r, cur, idx[lvl], &next);
		if (e)
			return e;
		if (!next) {
			if (!create) {
				*phys = 0;
				return 0;
			}
			e = new_block(ir, lvl + 1 < depth, &next);
			if (e == 0)
				e = ptr_write(r, cur, idx[lvl], next);
			if (e)
				return e;
		}
		cur = next;
	}
	*phys = cur;
	return 0;
}

/* ---- truncation ---- */

static void count_freed(struct e2ino_ref ir)
{
	struct e2ino *ei = e2ino_get(ir);
	struct e2fs *fs = e2fs_get(ei->fs);
	ei->d.i_blocks = ei->d.i_blocks >= fs->spb ? ei->d.i_blocks - fs->spb : 0;
	set_blocks(ei);
}

static void free_one(struct e2ino_ref ir, uint32_t blk)
{
	struct e2ino *ei = e2ino_get(ir);
	if (e2_free_block(ei->fs, blk) == 0)
		count_freed(ir);
}

/* Logical blocks one entry of an indirect block at `depth` covers. */
static uint64_t entry_span(const struct e2fs *fs, uint32_t depth)
{
	uint64_t s = 1;
	for (uint32_t d = 1; d < depth; d++)
		s *= fs->ptrs;
	return s;
}

/* Free what lies at logical block >= from under indirect block `blk` of
 * `depth` (1: its entries are data blocks) covering logical blocks from
 * `base`. True when blk itself went. */
static bool free_tree(struct e2ino_ref ir, uint32_t blk, uint32_t depth, uint64_t base, uint64_t from)
{
	struct e2fs_ref r = e2ino_get(ir)->fs;
	struct e2blk_ref kr;
	if (depth == 0 || depth > 3 || e2blk_alloc(&kr))
		return false;
	bool whole = from <= base, any_left = false;
	int e = e2_read_block(r, blk, e2blk_get(kr));
	struct e2fs *fs = e2fs_get(r);
	uint64_t span = entry_span(fs, depth);
	for (uint32_t i = 0; e == 0 && i < fs->ptrs; i++) {
		uint32_t c = e2blk_u32(e2blk_get(kr), i);
		if (!c)
			continue;
		uint64_t cbase = base + i * span;
		fs = e2fs_get(r);
		if (cbase + span <= from || !e2_block_ok(fs, c)) {
			any_left = true;
			if (!e2_block_ok(fs, c))
				(void)e2_corrupt(r);
			continue;
		}
		bool gone = true;
		if (depth == 1)
			free_one(ir, c);
		else
			gone = free_tree(ir, c, depth - 1, cbase, from);
		if (!gone)
			any_left = true;
		else if (!whole)
			(void)ptr_write(r, blk, i, 0);
	}
	e2blk_free(kr);
	if (e || any_left)
		return false;
	free_one(ir, blk);
	return true;
}

int e2_truncate_blocks(struct e2ino_ref ir, uint64_t from)
{
	struct e2ino *ei = e2ino_get(ir);
	if (!ei)
		return -EIO;
	struct e2fs *fs = e2fs_get(ei->fs);
	for (uint64_t i = from; i < EXT2_NDIR; i++) {
		uint32_t b = e2ino_get(ir)->d.i_block[i];
		if (!b)
			continue;
		e2ino_get(ir)->d.i_block[i] = 0;
		if (e2_block_ok(e2fs_get(e2ino_get(ir)->fs), b))
			free_one(ir, b);
	}
	uint64_t p = fs->ptrs, base = EXT2_NDIR, span = p;
	for (uint32_t depth = 1; depth <= 3; depth++) {
		uint32_t slot = EXT2_IND + depth - 1;
		uint32_t b = e2ino_get(ir)->d.i_block[slot];
		if (b && from < base + span && e2_block_ok(e2fs_get(e2ino_get(ir)->fs), b) &&
		    free_tree(ir, b, depth, base, from))
			e2ino_get(ir)->d.i_block[slot] = 0;
		base += span;
		span *= p;
	}
	ei = e2ino_get(ir);
	if (from == 0)
		ei->last_block = 0;
	inode_mark_dirty(ei->vino);
	return 0;
}
