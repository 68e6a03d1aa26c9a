/* ext2 file data and symlinks: the page cache's readpages, writepages and
 * write_begin, readlink, fsync and the file operations of regular files
 * and directories. Layer: services (safe C). File data moves between the
 * disk and the page cache's frames directly (no copy); holes and bytes
 * past the end read as zeros. */
#include "fs/ext2/disk.h"
#include "fs/ext2/ext2.h"
#include <abi/fs.h>

/* The file system, the ext2 inode, the block size and the file size. */
static int file_of(struct inode_ref vino, struct e2fs_ref *r, struct e2ino_ref *ir)
{
	int e = e2_fs_of(vino, r);
	return e ? e : e2_ino_of(vino, ir);
}

/* Move block `lblk` of the file between the disk and frame f at off. */
static int block_io(struct e2fs_ref r, struct e2ino_ref ir, uint64_t lblk, struct fw_frame_ref f, uint32_t off,
		    bool write)
{
	uint32_t phys;
	int e = e2_bmap(ir, lblk, write, &phys);
	if (e)
		return e;
	struct e2fs *fs = e2fs_get(r);
	if (phys == 0)
		return write ? -EIO : 0; /* a hole reads as the zeros already there */
	return disk_io(fs->bdev, (uint64_t)phys * fs->spb, f, off, fs->bsize, write) ? -EIO : 0;
}

/* Requests in flight for one batch: runs of physically consecutive blocks
 * go to the disk as one request each (scatter-gather over the pages), all
 * submitted before the first is waited for. */
#define RUNS_MAX 128
struct inflight {
	struct blk_req_ref req[RUNS_MAX];
	uint32_t n;
	struct blk_req_ref cur; /* the run being built */
	uint64_t next_phys;     /* the block that would extend it */
};

static int run_submit(struct inflight *io)
{
	if (!blk_req_ref_valid(io->cur))
		return 0;
	struct blk_req_ref r = io->cur;
	io->cur = (struct blk_req_ref){0};
	int e = blk_submit(r);
	if (e) {
		(void)blk_req_release(r);
		return e;
	}
	if (io->n >= RUNS_MAX) {
		int w = blk_wait(r);
		(void)blk_req_release(r);
		return w;
	}
	io->req[io->n++] = r;
	return 0;
}

/* Add bs bytes of frame f at off, going to or from physical block phys. */
static int run_add(struct inflight *io, struct blk_ref d, const struct e2fs *fs, uint32_t phys, struct fw_frame_ref f,
		   uint32_t off, bool write)
{
	struct blk_req *rq = blk_req_get(io->cur);
	if (rq && phys == io->next_phys && rq->nseg > 0) {
		struct blk_seg last = rq->seg[(rq->nseg - 1) % BLK_MAX_SEGS];
		if (fw_frame_ref_eq(last.frame, f) && last.off + last.len == off) {
			rq->seg[(rq->nseg - 1) % BLK_MAX_SEGS].len += fs->bsize;
			io->next_phys = phys + 1;
			return 0;
		}
		if (rq->nseg < BLK_MAX_SEGS) {
			rq->seg[rq->nseg++] = (struct blk_seg){f, off, fs->bsize};
			io->next_phys = phys + 1;
			return 0;
		}
	}
	int e = run_submit(io);
	if (e)
		return e;
	e = blk_req_new(d, &io->cur);
	if (e)
		return e;
	rq = blk_req_get(io->cur);
	rq->op = write ? BLK_WRITE : BLK_READ;
	rq->sector = (uint64_t)phys * fs->spb;
	rq->seg[0] = (struct blk_seg){f, off, fs->bsize};
	rq->nseg = 1;
	io->next_phys = phys + 1;
	return 0;
}

static int run_wait_all(struct inflight *io)
{
	int first = run_submit(io);
	for (uint32_t i = 0; i < io->n && i < RUNS_MAX; i++) {
		int e = blk_wait(io->req[i]);
		if (e && !first)
			first = -EIO;
		(void)blk_req_release(io->req[i]);
	}
	io->n = 0;
	return first;
}

/* The batch on a block-layer disk: blocks mapped first, then consecutive
 * ones moved together. */
static int batch_blk(struct e2fs_ref r, struct e2ino_ref ir, struct inode_ref vino, const struct page_batch *b,
		     struct blk_ref d, bool write)
{
	struct inflight io = {0};
	struct e2fs *fs = e2fs_get(r);
	uint32_t bs = fs->bsize, per = 4096 / bs;
	int e = 0;
	for (uint32_t i = 0; e == 0 && i < b->n && i < PB_MAX; i++) {
		for (uint32_t k = 0; e == 0 && k < per; k++) {
			uint64_t lblk = b->index[i] * per + k;
			struct inode *ip = inode_get(vino);
			if (!ip || lblk * bs >= ip->size)
				break;
			uint32_t phys;
			e = e2_bmap(ir, lblk, write, &phys);
			if (e == 0 && phys == 0 && write)
				e = -EIO;
			if (e == 0 && phys)
				e = run_add(&io, d, e2fs_get(r), phys, b->page[i], k * bs, write);
		}
	}
	int w = run_wait_all(&io);
	return e ? e : w;
}

/* Every block of the batch that lies inside the file, read or written. */
static int batch_io(struct inode_ref vino, const struct page_batch *b, bool write)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	int e = file_of(vino, &r, &ir);
	if (e)
		return e;
	e2_lock(r);
	struct e2fs *fs = e2fs_get(r);
	uint32_t bs = fs->bsize, per = 4096 / bs;
	struct blk_ref d;
	if (write && fs->ro)
		e = -EROFS;
	else if (!disk_is_loop(fs->bdev) && blk_lookup(fs->bdev, &d) == 0) {
		e = batch_blk(r, ir, vino, b, d, write);
		e2_unlock(r);
		return e;
	}
	for (uint32_t i = 0; e == 0 && i < b->n && i < PB_MAX; i++) {
		for (uint32_t k = 0; e == 0 && k < per; k++) {
			uint64_t lblk = b->index[i] * per + k;
			struct inode *ip = inode_get(vino);
			if (!ip || lblk * bs >= ip->size)
				break;
			e = block_io(r, ir, lblk, b->page[i], k * bs, write);
		}
	}
	e2_unlock(r);
	return e;
}

int ext2_readpages(struct inode_ref vino, struct page_batch *b) { return batch_io(vino, b, false); }

/* Shared writable mappings write without write_begin: their blocks are
 * allocated here. */
int ext2_writepages(struct inode_ref vino, const struct page_batch *b) { return batch_io(vino, b, true); }

/* Page `index` into the cache before a partial write, unless it lies
 * wholly past the end of the file (nothing old to show). */
static int read_partial(struct inode_ref vino, uint64_t index)
{
	struct inode *ip = inode_get(vino);
	if (!ip || index * 4096 >= ip->size)
		return 0;
	struct fw_frame_ref f;
	int e = inode_page(vino, index, false, &f);
	return e == -ENOENT ? 0 : e;
}

int ext2_write_end(struct inode_ref vino, uint64_t pos, uint64_t len, uint64_t copied)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	int e = file_of(vino, &r, &ir);
	if (e || copied >= len)
		return e;
	/* blocks given to bytes that were not written go again: nothing past
	 * the end of a file may hold blocks */
	e2_lock(r);
	struct inode *ip = inode_get(vino);
	uint64_t bs = e2fs_get(r)->bsize;
	e = e2_truncate_blocks(ir, (ip->size + bs - 1) / bs);
	e2_unlock(r);
	return e;
}

int ext2_write_begin(struct inode_ref vino, uint64_t pos, uint64_t len)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	int e = file_of(vino, &r, &ir);
	if (e)
		return e;
	e2_lock(r);
	struct e2fs *fs = e2fs_get(r);
	if (fs->ro)
		e = -EROFS;
	else if (pos + len > e2_max_size(fs) || pos + len < pos)
		e = -EFBIG;
	/* A partly written page shows its old bytes: read it before blocks
	 * appear under its holes (a new block's bytes on disk are stale).
	 * Only the range's first and last pages can be partly written. */
	uint64_t end = pos + len, first = pos / 4096, last = (end - 1) / 4096;
	if (e == 0 && len && (pos % 4096 || (first == last && end % 4096)))
		e = read_partial(vino, first);
	if (e == 0 && len && last != first && end % 4096)
		e = read_partial(vino, last);
	fs = e2fs_get(r);
	uint64_t bs = fs->bsize;
	for (uint64_t lb = pos / bs; e == 0 && lb * bs < pos + len; lb++) {
		uint32_t phys;
		e = e2_bmap(ir, lb, true, &phys);
	}
	e2_unlock(r);
	return e;
}

/* ---- symlinks ---- */

/* The target lives in i_block (a fast symlink) when no data block holds it. */
static bool fast_link(const struct e2fs *fs, const struct ext2_dinode *d)
{
	uint32_t ea = d->i_file_acl ? fs->spb : 0;
	return d->i_blocks <= ea;
}

int ext2_readlink(struct inode_ref vino, struct kpath *out)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	int e = file_of(vino, &r, &ir);
	if (e)
		return e;
	e2_lock(r);
	struct inode *ip = inode_get(vino);
	struct e2fs *fs = e2fs_get(r);
	struct e2ino *ei = e2ino_get(ir);
	uint64_t n = ip->size;
	if (n == 0 || n >= fs->bsize || n >= PATH_MAX) {
		e = e2_corrupt(r);
	} else if (fast_link(fs, &ei->d)) {
		if (n >= EXT2_NBLOCKS * 4) {
			e = e2_corrupt(r);
		} else {
			for (uint32_t i = 0; i < n; i++)
				out->s[i] = (char)(ei->d.i_block[i / 4] >> (8 * (i % 4)));
		}
	} else {
		uint32_t phys;
		struct e2blk_ref kr;
		e = e2_bmap(ir, 0, false, &phys);
		if (e == 0 && phys == 0)
			e = e2_corrupt(r);
		if (e == 0 && e2blk_alloc(&kr))
			e = -ENOMEM;
		if (e == 0) {
			e = e2_read_block(r, phys, e2blk_get(kr));
			for (uint32_t i = 0; e == 0 && i < n; i++)
				out->s[i] = (char)e2blk_get(kr)->b[i & 4095];
			e2blk_free(kr);
		}
	}
	if (e == 0) {
		out->len = (uint32_t)n;
		out->s[n] = 0;
	}
	e2_unlock(r);
	return e;
}

int ext2_write_target(struct inode_ref vino, const struct kpath *target)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	int e = file_of(vino, &r, &ir);
	if (e)
		return e;
	uint32_t n = target->len;
	struct e2fs *fs = e2fs_get(r);
	if (n == 0 || n >= fs->bsize)
		return -ENAMETOOLONG;
	if (n < EXT2_NBLOCKS * 4) {
		struct e2ino *ei = e2ino_get(ir);
		for (uint32_t i = 0; i < EXT2_NBLOCKS; i++)
			ei->d.i_block[i] = 0;
		for (uint32_t i = 0; i < n; i++)
			ei->d.i_block[i / 4] |= (uint32_t)(uint8_t)target->s[i] << (8 * (i % 4));
	} else {
		uint32_t phys;
		struct ebuf_ref b;
		e = e2_bmap(ir, 0, true, &phys);
		if (e == 0)
			e = bc_get(e2fs_get(r)->bdev, e2fs_get(r)->bsize, phys, true, &b);
		if (e)
			return e;
		e = fw_frame_write(ebuf_get(b)->frame, 0, &target->s, n);
		bc_dirty(b);
		bc_put(b);
	}
	inode_get(vino)->size = n;
	return e ? e : e2_write_inode(vino);
}

/* fsync: the file's pages and inode are written (the VFS did that). The
 * metadata buffers hold every file's changes (bitmaps, descriptors,
 * indirect blocks), so writing them alone could record blocks given to a
 * file whose inode and data are still only in memory; ext2 has no journal
 * to order that. So fsync writes the whole file system back, files first:
 * what is on the disk after it is consistent (e2fsck finds nothing to fix)
 * and holds no block with someone else's old data. Costly only when other
 * files are dirty too. */
int ext2_fsync(struct inode_ref vino, bool datasync)
{
	struct e2fs_ref r;
	int e = e2_fs_of(vino, &r);
	if (e)
		return e;
	e2_lock(r);
	e = e2_inodes_writeback(r);
	int m = e2_sync_meta(r);
	e2_unlock(r);
	return e ? e : m;
}

static const struct file_ops ext2_file_ops = {
	.name = "ext2",
	.flags = FOP_PREAD,
	.read = generic_file_read,
	.write = generic_file_write,
	.llseek = generic_file_llseek,
	.mmap = generic_file_mmap,
	.fsync = generic_file_fsync,
};

static const struct file_ops ext2_dir_ops = {
	.name = "ext2",
	.flags = FOP_PREAD,
	.read = generic_dir_read,
	.write = generic_dir_read,
	.llseek = generic_file_llseek,
	.readdir = ext2_readdir,
	.fsync = generic_file_fsync,
};

int ext2_fops_init(uint32_t *file, uint32_t *dir)
{
	int e = file_ops_register(&ext2_file_ops, file);
	return e ? e : file_ops_register(&ext2_dir_ops, dir);
}
