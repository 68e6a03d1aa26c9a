/* ext2 directories: linear lists of variable-length entries in the
 * directory's blocks (read through the buffer cache). Layer: services
 * (safe C). Every entry is checked before it is used — its length, its
 * name length, that it stays inside its block, that its inode number
 * exists — and a bad one gives -EIO. Callers hold the file system's lock
 * (ext2_readdir takes it). Directories indexed by ext3's htree read as
 * plain lists: the index hides in entries ext2 skips, as designed. */
#include "fs/ext2/ext2.h"
#include <abi/fs.h>

/* An entry's header on disk, and room for the longest name. */
struct dent_rec {
	uint8_t b[8 + 256];
};

static uint32_t rec_need(uint32_t name_len) { return (8 + name_len + 3) & ~3u; }

static uint32_t k16(const struct e2blk *k, uint32_t o) { return (uint32_t)k->b[o & 4095] | (uint32_t)k->b[(o + 1) & 4095] << 8; }

int e2_dent_at(const struct e2fs *fs, const struct e2blk *k, uint32_t off, struct e2dent *d)
{
	if (off >= fs->bsize || fs->bsize - off < 8 || off % 4)
		return -EIO;
	d->off = off;
	d->ino = e2blk_u32(k, off / 4);
	d->rec_len = k16(k, off + 4);
	d->name_len = k->b[(off + 6) & 4095];
	d->ftype = k->b[(off + 7) & 4095];
	if (!(fs->incompat & EXT2_FEATURE_INCOMPAT_FILETYPE)) {
		d->name_len |= d->ftype << 8;
		d->ftype = EXT2_FT_UNKNOWN;
	}
	if (d->rec_len < 8 || d->rec_len % 4 || d->rec_len > fs->bsize - off || d->name_len > 255 ||
	    8 + d->name_len > d->rec_len || d->ino > fs->inodes)
		return -EIO;
	return 0;
}

static bool name_eq(const struct e2blk *k, const struct e2dent *d, const struct kname *n)
{
	if (d->name_len != n->len)
		return false;
	for (uint32_t i = 0; i < n->len; i++)
		if (k->b[(d->off + 8 + i) & 4095] != (uint8_t)n->s[i])
			return false;
	return true;
}

static bool is_dots(const struct e2blk *k, const struct e2dent *d)
{
	uint32_t o = d->off + 8;
	return (d->name_len == 1 && k->b[o & 4095] == '.') ||
	       (d->name_len == 2 && k->b[o & 4095] == '.' && k->b[(o + 1) & 4095] == '.');
}

/* Blocks of directory `dir`, and its file system. */
static int dir_blocks(struct inode_ref dir, struct e2fs_ref *r, struct e2ino_ref *ir, uint64_t *n)
{
	int e = e2_fs_of(dir, r);
	if (e == 0)
		e = e2_ino_of(dir, ir);
	if (e)
		return e;
	struct inode *ip = inode_get(dir);
	*n = ip->size / e2fs_get(*r)->bsize;
	return 0;
}

/* Physical block `lblk` of the directory (a hole is corruption). */
static int dir_block(struct e2fs_ref r, struct e2ino_ref ir, uint64_t lblk, uint32_t *phys)
{
	int e = e2_bmap(ir, lblk, false, phys);
	if (e == 0 && *phys == 0)
		return e2_corrupt(r);
	return e;
}

int e2_read_block(struct e2fs_ref r, uint32_t blk, struct e2blk *k)
{
	struct e2fs *fs = e2fs_get(r);
	if (!fs || !e2_block_ok(fs, blk))
		return -EIO;
	return bc_read(fs->bdev, fs->bsize, blk, 0, k, 0, fs->bsize);
}

/* Find `name`: its block, entry and the entry before it in the block
 * (off ~0u when it is the first). */
static int find(struct inode_ref dir, const struct kname *name, struct e2blk *k, uint32_t *phys, struct e2dent *found,
		uint32_t *prev)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	uint64_t n;
	int e = dir_blocks(dir, &r, &ir, &n);
	for (uint64_t lb = 0; e == 0 && lb < n; lb++) {
		e = dir_block(r, ir, lb, phys);
		if (e == 0)
			e = e2_read_block(r, *phys, k);
		uint32_t last = ~0u;
		struct e2fs *fs = e2fs_get(r);
		for (uint32_t off = 0; e == 0 && off < fs->bsize;) {
			struct e2dent d;
			if (e2_dent_at(fs, k, off, &d))
				return e2_corrupt(r);
			if (d.ino && name_eq(k, &d, name)) {
				*found = d;
				*prev = last;
				return 0;
			}
			last = off;
			off += d.rec_len;
		}
	}
	return e ? e : -ENOENT;
}

int e2_dir_find(struct inode_ref dir, const struct kname *name, uint32_t *ino)
{
	struct e2blk_ref kr;
	if (e2blk_alloc(&kr))
		return -ENOMEM;
	uint32_t phys, prev;
	struct e2dent d;
	int e = find(dir, name, e2blk_get(kr), &phys, &d, &prev);
	if (e == 0)
		*ino = d.ino;
	e2blk_free(kr);
	return e;
}

/* Write an entry (header and name) at `off` of block `phys`. */
static int put_entry(struct e2fs_ref r, uint32_t phys, uint32_t off, uint32_t ino, uint32_t rec_len,
		     const struct kname *name, uint8_t ftype)
{
	struct e2fs *fs = e2fs_get(r);
	struct dent_rec rec = {0};
	uint32_t nlen = name ? name->len : 0;
	rec.b[0] = (uint8_t)ino;
	rec.b[1] = (uint8_t)(ino >> 8);
	rec.b[2] = (uint8_t)(ino >> 16);
	rec.b[3] = (uint8_t)(ino >> 24);
	rec.b[4] = (uint8_t)rec_len;
	rec.b[5] = (uint8_t)(rec_len >> 8);
	rec.b[6] = (uint8_t)nlen;
	rec.b[7] = (fs->incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) ? ftype : 0;
	for (uint32_t i = 0; i < nlen && i < 255; i++)
		rec.b[8 + i] = (uint8_t)name->s[i];
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, phys, false, &b);
	if (e)
		return e;
	e = fw_frame_write(ebuf_get(b)->frame, off, &rec, 8 + nlen);
	bc_dirty(b);
	bc_put(b);
	return e;
}

/* Change an entry's header fields in place (inode, rec_len, type). */
static int put_header(struct e2fs_ref r, uint32_t phys, const struct e2dent *d)
{
	struct e2fs *fs = e2fs_get(r);
	struct dent_rec rec = {0};
	rec.b[0] = (uint8_t)d->ino;
	rec.b[1] = (uint8_t)(d->ino >> 8);
	rec.b[2] = (uint8_t)(d->ino >> 16);
	rec.b[3] = (uint8_t)(d->ino >> 24);
	rec.b[4] = (uint8_t)d->rec_len;
	rec.b[5] = (uint8_t)(d->rec_len >> 8);
	rec.b[6] = (uint8_t)d->name_len;
	rec.b[7] = (fs->incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) ? (uint8_t)d->ftype : (uint8_t)(d->name_len >> 8);
	struct ebuf_ref b;
	int e = bc_get(fs->bdev, fs->bsize, phys, false, &b);
	if (e)
		return e;
	e = fw_frame_write(ebuf_get(b)->frame, d->off, &rec, 8);
	bc_dirty(b);
	bc_put(b);
	return e;
}

/* Room for an entry of `need` bytes in block k: the offset to write it
 * at and the length it gets (a split entry shrinks). */
static bool room_in(struct e2fs_ref r, const struct e2blk *k, uint32_t phys, uint32_t need, uint32_t *at,
		    uint32_t *len, int *err)
{
	struct e2fs *fs = e2fs_get(r);
	for (uint32_t off = 0; off < fs->bsize;) {
		struct e2dent d;
		if (e2_dent_at(fs, k, off, &d)) {
			*err = e2_corrupt(r);
			return false;
		}
		uint32_t used = d.ino ? rec_need(d.name_len) : 0;
		if (d.rec_len >= used + need) {
			if (used) {
				struct e2dent shrunk = d;
				shrunk.rec_len = used;
				*err = put_header(r, phys, &shrunk);
			}
			*at = off + used;
			*len = d.rec_len - used;
			return true;
		}
		off += d.rec_len;
	}
	return false;
}

int e2_dir_add(struct inode_ref dir, const struct kname *name, uint32_t ino, uint8_t ftype)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	uint64_t n;
	int e = dir_blocks(dir, &r, &ir, &n);
	if (e)
		return e;
	if (name->len == 0 || name->len > 255)
		return -ENAMETOOLONG;
	struct e2blk_ref kr;
	if (e2blk_alloc(&kr))
		return -ENOMEM;
	uint32_t need = rec_need(name->len), phys = 0, at = 0, len = 0;
	bool found = false;
	for (uint64_t lb = 0; e == 0 && !found && lb < n; lb++) {
		e = dir_block(r, ir, lb, &phys);
		if (e == 0)
			e = e2_read_block(r, phys, e2blk_get(kr));
		if (e == 0)
			found = room_in(r, e2blk_get(kr), phys, need, &at, &len, &e);
	}
	e2blk_free(kr);
	if (e)
		return e;
	if (!found) {
		/* a new block at the end, one entry covering it */
		e = e2_bmap(ir, n, true, &phys);
		struct e2fs *fs = e2fs_get(r);
		struct ebuf_ref b;
		if (e == 0)
			e = bc_get(fs->bdev, fs->bsize, phys, true, &b);
		if (e)
			return e;
		bc_dirty(b);
		bc_put(b);
		at = 0;
		len = e2fs_get(r)->bsize;
		struct inode *ip = inode_get(dir);
		ip->size += len;
		ip->meta_dirty = true;
	}
	e = put_entry(r, phys, at, ino, len, name, ftype);
	if (e == 0)
		e = e2_write_inode(dir);
	return e;
}

int e2_dir_remove(struct inode_ref dir, const struct kname *name)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	struct e2blk_ref kr;
	if (e2blk_alloc(&kr))
		return -ENOMEM;
	uint32_t phys, prev;
	struct e2dent d;
	e = find(dir, name, e2blk_get(kr), &phys, &d, &prev);
	if (e == 0 && prev != ~0u) {
		/* the entry before takes its room */
		struct e2dent p;
		e = e2_dent_at(e2fs_get(r), e2blk_get(kr), prev, &p);
		if (e == 0) {
			p.rec_len += d.rec_len;
			e = put_header(r, phys, &p);
		}
	} else if (e == 0) {
		d.ino = 0;
		e = put_header(r, phys, &d);
	}
	e2blk_free(kr);
	return e;
}

int e2_dir_set(struct inode_ref dir, const struct kname *name, uint32_t ino, uint8_t ftype)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	struct e2blk_ref kr;
	if (e2blk_alloc(&kr))
		return -ENOMEM;
	uint32_t phys, prev;
	struct e2dent d;
	e = find(dir, name, e2blk_get(kr), &phys, &d, &prev);
	if (e == 0) {
		d.ino = ino;
		d.ftype = ftype;
		e = put_header(r, phys, &d);
	}
	e2blk_free(kr);
	return e;
}

/* Walk every live entry: 1 when `ino` (or any but the dots when ino is
 * 0) is found, with its name in out. */
static int scan(struct inode_ref dir, uint32_t ino, struct kname *out)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	uint64_t n;
	int e = dir_blocks(dir, &r, &ir, &n);
	struct e2blk_ref kr;
	if (e == 0 && e2blk_alloc(&kr))
		e = -ENOMEM;
	if (e)
		return e;
	int found = 0;
	for (uint64_t lb = 0; e == 0 && !found && lb < n; lb++) {
		uint32_t phys;
		e = dir_block(r, ir, lb, &phys);
		if (e == 0)
			e = e2_read_block(r, phys, e2blk_get(kr));
		struct e2fs *fs = e2fs_get(r);
		for (uint32_t off = 0; e == 0 && !found && off < fs->bsize;) {
			struct e2dent d;
			struct e2blk *k = e2blk_get(kr);
			if (e2_dent_at(fs, k, off, &d)) {
				e = e2_corrupt(r);
				break;
			}
			if (d.ino && !is_dots(k, &d) && (ino == 0 || d.ino == ino)) {
				found = 1;
				out->len = d.name_len;
				for (uint32_t i = 0; i < d.name_len; i++)
					out->s[i] = (char)k->b[(d.off + 8 + i) & 4095];
				out->s[out->len] = 0;
			}
			off += d.rec_len;
		}
	}
	e2blk_free(kr);
	return e ? e : found;
}

int e2_dir_empty(struct inode_ref dir)
{
	struct kname any;
	int e = scan(dir, 0, &any);
	return e < 0 ? e : e == 0;
}

int e2_dir_name_of(struct inode_ref dir, uint32_t ino, struct kname *out)
{
	int e = scan(dir, ino, out);
	return e < 0 ? e : e ? 0 : -ENOENT;
}

int e2_dir_init(struct inode_ref dir, uint32_t parent_ino)
{
	struct e2fs_ref r;
	struct e2ino_ref ir;
	int e = e2_fs_of(dir, &r);
	if (e == 0)
		e = e2_ino_of(dir, &ir);
	uint32_t phys;
	if (e == 0)
		e = e2_bmap(ir, 0, true, &phys);
	struct e2fs *fs = e2fs_get(r);
	struct ebuf_ref b;
	if (e == 0)
		e = bc_get(fs->bdev, fs->bsize, phys, true, &b);
	if (e)
		return e;
	bc_dirty(b);
	bc_put(b);
	struct kname dot = {.s = ".", .len = 1}, dotdot = {.s = "..", .len = 2};
	e = put_entry(r, phys, 0, e2ino_get(ir)->ino, 12, &dot, EXT2_FT_DIR);
	if (e == 0)
		e = put_entry(r, phys, 12, parent_ino, e2fs_get(r)->bsize - 12, &dotdot, EXT2_FT_DIR);
	struct inode *ip = inode_get(dir);
	ip->size = e2fs_get(r)->bsize;
	ip->meta_dirty = true;
	return e;
}

static uint32_t ftype_mode(uint32_t ft)
{
	switch (ft) {
	case EXT2_FT_REG:
		return S_IFREG;
	case EXT2_FT_DIR:
		return S_IFDIR;
	case EXT2_FT_CHR:
		return S_IFCHR;
	case EXT2_FT_BLK:
		return S_IFBLK;
	case EXT2_FT_FIFO:
		return S_IFIFO;
	case EXT2_FT_SOCK:
		return S_IFSOCK;
	case EXT2_FT_SYMLINK:
		return S_IFLNK;
	default:
		return 0;
	}
}

/* Emit the block's entries from byte `from` on; false when the caller's
 * buffer is full. The cursor is the entry's byte offset in the directory. */
static bool emit_block(struct e2fs_ref r, const struct e2blk *k, uint64_t base, uint32_t from, struct dir_ctx *ctx,
		       int *err)
{
	struct e2fs *fs = e2fs_get(r);
	for (uint32_t off = 0; off < fs->bsize;) {
		struct e2dent d;
		if (e2_dent_at(fs, k, off, &d)) {
			*err = e2_corrupt(r);
			return false;
		}
		uint64_t next = base + off + d.rec_len;
		if (off >= from && d.ino) {
			struct kname name;
			name.len = d.name_len;
			for (uint32_t i = 0; i < d.name_len; i++)
				name.s[i] = (char)k->b[(d.off + 8 + i) & 4095];
			name.s[name.len] = 0;
			if (!dir_emit(ctx, &name, d.ino, ftype_mode(d.ftype), next))
				return false;
		} else if (off >= from) {
			ctx->pos = next;
		}
		off += d.rec_len;
	}
	return true;
}

int64_t ext2_readdir(struct file_ref f, struct file *fp, struct dir_ctx *ctx)
{
	struct inode_ref dir = fp->inode;
	struct e2fs_ref r;
	struct e2ino_ref ir;
	uint64_t n;
	int e = dir_blocks(dir, &r, &ir, &n);
	struct e2blk_ref kr;
	if (e == 0 && e2blk_alloc(&kr))
		e = -ENOMEM;
	if (e)
		return e;
	e2_lock(r);
	uint32_t bs = e2fs_get(r)->bsize;
	bool more = true;
	while (e == 0 && more && ctx->pos / bs < n) {
		uint64_t lb = ctx->pos / bs;
		uint32_t phys;
		e = dir_block(r, ir, lb, &phys);
		if (e == 0)
			e = e2_read_block(r, phys, e2blk_get(kr));
		if (e == 0)
			more = emit_block(r, e2blk_get(kr), lb * bs, (uint32_t)(ctx->pos % bs), ctx, &e);
		if (e == 0 && more)
			ctx->pos = (lb + 1) * bs;
	}
	e2_unlock(r);
	e2blk_free(kr);
	return e;
}
