/* The metadata buffer cache: one frame per file-system block of metadata
 * (superblock, descriptors, bitmaps, inode tables, indirect and directory
 * blocks), found by (device, block) in a hash and kept in LRU order.
 * Layer: services (safe C). File data never passes through here (it lives
 * in the page cache), so a block freed as metadata and reused for data is
 * forgotten (bc_forget) before anything could write its stale copy back.
 * Callers hold their file system's lock, so no two tasks fill the same
 * buffer at once; a pinned buffer is never evicted. Dirty buffers are
 * written by bc_sync (sync, fsync, umount) or when evicted. */
#include "fs/ext2/disk.h"
#include "fs/ext2/ext2.h"

FW_POOL_DEFINE(ebuf, struct ebuf);
FW_POOL_DEFINE(e2blk, struct e2blk);

#define BC_BUCKETS 1024
#define BC_MAX 4096 /* buffers (16 MiB of 4 KiB blocks) before the least recently used go */

struct bcache {
	struct ebuf_ref bucket[BC_BUCKETS];
	struct ebuf_ref lru_head, lru_tail; /* most recently used first */
	uint32_t count;
};
FW_GLOBAL(struct bcache, bcache);

static uint32_t bucket_of(uint32_t bdev, uint64_t block)
{
	return (uint32_t)(((block * 2654435761ULL) >> 7) ^ bdev) % BC_BUCKETS;
}

static bool same(struct ebuf_ref a, struct ebuf_ref b) { return a.idx == b.idx && a.gen == b.gen; }

static void lru_unlink(struct ebuf_ref r)
{
	struct bcache *c = bcache();
	struct ebuf *b = ebuf_get(r);
	struct ebuf *prev = ebuf_get(b->lru_prev), *next = ebuf_get(b->lru_next);
	if (prev)
		prev->lru_next = b->lru_next;
	else if (same(c->lru_head, r))
		c->lru_head = b->lru_next;
	if (next)
		next->lru_prev = b->lru_prev;
	else if (same(c->lru_tail, r))
		c->lru_tail = b->lru_prev;
	b->lru_prev = b->lru_next = (struct ebuf_ref){0};
}

static void lru_push(struct ebuf_ref r)
{
	struct bcache *c = bcache();
	struct ebuf *b = ebuf_get(r);
	b->lru_prev = (struct ebuf_ref){0};
	b->lru_next = c->lru_head;
	struct ebuf *old = ebuf_get(c->lru_head);
	if (old)
		old->lru_prev = r;
	else
		c->lru_tail = r;
	c->lru_head = r;
}

static int find(uint32_t bdev, uint64_t block, struct ebuf_ref *out)
{
	for (struct ebuf_ref r = bcache()->bucket[bucket_of(bdev, block)]; ebuf_ref_valid(r); r = ebuf_get(r)->hnext) {
		struct ebuf *b = ebuf_get(r);
		if (b->bdev == bdev && b->block == block) {
			*out = r;
			return 0;
		}
	}
	return -ENOENT;
}

static void unhash(struct ebuf_ref r)
{
	struct ebuf *b = ebuf_get(r);
	struct bcache *c = bcache();
	uint32_t h = bucket_of(b->bdev, b->block);
	struct ebuf_ref prev = {0};
	for (struct ebuf_ref x = c->bucket[h]; ebuf_ref_valid(x); x = ebuf_get(x)->hnext) {
		if (same(x, r)) {
			struct ebuf_ref next = ebuf_get(x)->hnext;
			if (ebuf_ref_valid(prev))
				ebuf_get(prev)->hnext = next;
			else
				c->bucket[h] = next;
			break;
		}
		prev = x;
	}
	lru_unlink(r);
	ebuf_get(r)->hashed = false;
	if (c->count)
		c->count--;
}

static void destroy(struct ebuf_ref r)
{
	struct ebuf *b = ebuf_get(r);
	fw_frame_put(b->frame);
	ebuf_free(r);
}

static int write_out(struct ebuf_ref r)
{
	struct ebuf *b = ebuf_get(r);
	uint32_t bdev = b->bdev, bsize = b->bsize;
	uint64_t block = b->block;
	struct fw_frame_ref f = b->frame;
	b->dirty = false; /* a change while the write sleeps dirties it again */
	int e = disk_io(bdev, block * (bsize / 512), f, 0, bsize, true);
	b = ebuf_get(r);
	if (e && b)
		b->dirty = true;
	return e;
}

/* Make room: the least recently used unpinned buffer goes (written first
 * if dirty). */
static void evict_one(void)
{
	for (struct ebuf_ref r = bcache()->lru_tail; ebuf_ref_valid(r); r = ebuf_get(r)->lru_prev) {
		struct ebuf *b = ebuf_get(r);
		if (b->pins)
			continue;
		if (b->dirty && write_out(r))
			continue;
		b = ebuf_get(r);
		if (!b || b->pins || b->dirty)
			return; /* it changed while written: leave it */
		unhash(r);
		destroy(r);
		return;
	}
}

int bc_get(uint32_t bdev, uint32_t bsize, uint64_t block, bool fresh, struct ebuf_ref *out)
{
	if (bsize < 1024 || bsize > 4096)
		return -EINVAL;
	if (find(bdev, block, out) == 0) {
		struct ebuf *b = ebuf_get(*out);
		if (b->bsize != bsize)
			return -EIO;
		b->pins++;
		lru_unlink(*out);
		lru_push(*out);
		if (fresh)
			return fw_frame_zero(b->frame, 0, bsize);
		return 0;
	}
	if (bcache()->count >= BC_MAX)
		evict_one();
	struct fw_frame_ref f;
	if (fw_frame_alloc(&f))
		return -ENOMEM;
	if (!fresh) {
		int e = disk_io(bdev, block * (bsize / 512), f, 0, bsize, false);
		if (e) {
			fw_frame_put(f);
			return -EIO;
		}
	}
	if (ebuf_alloc(out)) {
		fw_frame_put(f);
		return -ENOMEM;
	}
	struct ebuf *b = ebuf_get(*out);
	b->bdev = bdev;
	b->bsize = bsize;
	b->block = block;
	b->frame = f;
	b->pins = 1;
	b->hashed = true;
	struct bcache *c = bcache();
	uint32_t h = bucket_of(bdev, block);
	b->hnext = c->bucket[h];
	c->bucket[h] = *out;
	c->count++;
	lru_push(*out);
	return 0;
}

void bc_put(struct ebuf_ref r)
{
	struct ebuf *b = ebuf_get(r);
	if (!b || !b->pins)
		return;
	if (--b->pins == 0 && !b->hashed)
		destroy(r); /* forgotten while pinned */
}

void bc_dirty(struct ebuf_ref r)
{
	struct ebuf *b = ebuf_get(r);
	if (b)
		b->dirty = true;
}

int bc_read(uint32_t bdev, uint32_t bsize, uint64_t block, uint32_t off, struct e2blk *k, uint32_t koff, uint32_t n)
{
	struct ebuf_ref r;
	int e = bc_get(bdev, bsize, block, false, &r);
	if (e)
		return e;
	e = fw_frame_read_at(ebuf_get(r)->frame, off, k, koff, n);
	bc_put(r);
	return e;
}

int bc_sync(uint32_t bdev)
{
	/* Pin the dirty ones on a list first: the writes sleep, and the LRU
	 * order may change meanwhile. */
	struct ebuf_ref list = {0};
	for (struct ebuf_ref r = bcache()->lru_head; ebuf_ref_valid(r); r = ebuf_get(r)->lru_next) {
		struct ebuf *b = ebuf_get(r);
		if (b->bdev != bdev || !b->dirty)
			continue;
		b->pins++;
		b->snext = list;
		list = r;
	}
	int first = 0;
	while (ebuf_ref_valid(list)) {
		struct ebuf *b = ebuf_get(list);
		struct ebuf_ref next = b->snext;
		int e = b->dirty ? write_out(list) : 0;
		if (e && !first)
			first = e;
		bc_put(list);
		list = next;
	}
	return first;
}

void bc_forget(uint32_t bdev, uint64_t block)
{
	struct ebuf_ref r;
	if (find(bdev, block, &r))
		return;
	struct ebuf *b = ebuf_get(r);
	b->dirty = false;
	unhash(r);
	if (ebuf_get(r)->pins == 0)
		destroy(r); /* else its last bc_put does */
}

void bc_drop_dev(uint32_t bdev)
{
	struct ebuf_ref r = bcache()->lru_head;
	while (ebuf_ref_valid(r)) {
		struct ebuf *b = ebuf_get(r);
		struct ebuf_ref next = b->lru_next;
		if (b->bdev == bdev && !b->pins) {
			unhash(r);
			destroy(r);
		}
		r = next;
	}
}
