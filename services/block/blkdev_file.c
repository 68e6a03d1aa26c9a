/* Block device nodes (/dev/vda, ...) and their file operations: the whole
 * VFS-facing glue of the block layer, in one file so it can move to the
 * VFS's device registry. Layer: services (safe C).
 *
 * Reads and writes go through bounce frames in chunks of up to 64 KiB
 * (one block request each), at any byte offset and length: a partial
 * sector at either end of a write is read first and merged. Writes go to
 * the device when write() returns (no caching); fsync/fdatasync send a
 * FLUSH so they are durable. As on Linux, reading at or past the end
 * returns 0, writing there fails with ENOSPC, a write that crosses the
 * end is shortened, and writing a read-only device fails with EPERM. */
#include "block/blkdev_file.h"
#include "block/block.h"
#include <abi/fs.h>
#include <fw/log.h>
#include <fw/user.h>

#define CHUNK (BLK_MAX_SEGS * 4096u)

#define BLKROGET 0x125e
#define BLKRRPART 0x125f
#define BLKGETSIZE 0x1260
#define BLKFLSBUF 0x1261
#define BLKSSZGET 0x1268
#define BLKDISCARD 0x1277
#define BLKIOMIN 0x1278
#define BLKIOOPT 0x1279
#define BLKALIGNOFF 0x127a
#define BLKPBSZGET 0x127b
#define BLKBSZGET 0x80081270
#define BLKGETSIZE64 0x80081272
#define HDIO_GETGEO 0x0301

static int disk_of(const struct file *fp, struct blk_ref *out)
{
	struct inode *ip = inode_get(fp->inode);
	return ip ? blk_lookup(ip->rdev, out) : -ENXIO;
}

int blkdev_open(struct file_ref f, struct file *fp)
{
	struct blk_ref d;
	return disk_of(fp, &d) ? -ENXIO : 0;
}

/* Bounce frames for one chunk. */
struct bounce {
	struct fw_frame_ref f[BLK_MAX_SEGS];
	uint32_t n;
};

static void bounce_put(struct bounce *b)
{
	for (uint32_t i = 0; i < b->n && i < BLK_MAX_SEGS; i++)
		fw_frame_put(b->f[i]);
	b->n = 0;
}

static int bounce_get(struct bounce *b, uint32_t pages)
{
	b->n = 0;
	while (b->n < pages && b->n < BLK_MAX_SEGS) {
		struct fw_frame_ref f;
		if (fw_frame_alloc(&f)) {
			bounce_put(b);
			return -ENOMEM;
		}
		b->f[b->n++] = f;
	}
	return 0;
}

/* Move sectors [s0, s1) between the device and the bounce frames, where
 * byte `boff` of the bounce area holds the first byte of sector s0. */
static int transfer(struct blk_ref d, uint32_t op, struct bounce *b, uint64_t s0, uint64_t s1, uint32_t boff)
{
	struct blk_req_ref r;
	int e = blk_req_new(d, &r);
	if (e)
		return e;
	struct blk_req *q = blk_req_get(r);
	q->op = op;
	q->sector = s0;
	uint32_t left = (uint32_t)(s1 - s0) * BLK_SECTOR;
	while (left > 0 && q->nseg < BLK_MAX_SEGS) {
		uint32_t page = boff / 4096, off = boff % 4096, len = FW_MIN(left, 4096 - off);
		q->seg[q->nseg++] = (struct blk_seg){b->f[page % BLK_MAX_SEGS], off, len};
		boff += len;
		left -= len;
	}
	e = blk_submit(r);
	if (e == 0)
		e = blk_wait(r);
	(void)blk_req_release(r);
	return e;
}

/* Copy bytes [boff, boff + n) of the bounce area to or from user memory. */
static int copy_user(struct bounce *b, uint32_t boff, struct fw_uaddr u, uint32_t n, bool to_user)
{
	while (n > 0) {
		uint32_t page = boff / 4096, off = boff % 4096, len = FW_MIN(n, 4096 - off);
		struct fw_frame_ref f = b->f[page % BLK_MAX_SEGS];
		int e = to_user ? fw_frame_to_user(f, off, u, len) : fw_frame_from_user(f, off, u, len);
		if (e)
			return -EFAULT;
		u = fw_uaddr_add(u, len);
		boff += len;
		n -= len;
	}
	return 0;
}

/* One chunk at byte position p of k bytes (k <= CHUNK - p % 4096). */
static int chunk(struct blk_ref d, uint64_t p, struct fw_uaddr u, uint32_t k, bool write)
{
	uint64_t first = p & ~4095ULL;
	uint32_t rel = (uint32_t)(p - first);
	uint64_t s0 = p / BLK_SECTOR, s1 = (p + k + BLK_SECTOR - 1) / BLK_SECTOR;
	uint32_t boff = (uint32_t)(s0 * BLK_SECTOR - first);
	struct bounce b;
	int e = bounce_get(&b, (rel + k + 4095) / 4096);
	if (e)
		return e;
	bool partial = p % BLK_SECTOR || (p + k) % BLK_SECTOR;
	if (!write || partial)
		e = transfer(d, BLK_READ, &b, s0, s1, boff);
	if (e == 0)
		e = copy_user(&b, rel, u, k, !write);
	if (e == 0 && write)
		e = transfer(d, BLK_WRITE, &b, s0, s1, boff);
	bounce_put(&b);
	return e;
}

int64_t blkdev_rw(struct file *fp, uint64_t pos, struct fw_uaddr buf, uint64_t n, bool write)
{
	struct blk_ref d;
	uint64_t sectors;
	uint32_t ssz;
	bool ro;
	if (disk_of(fp, &d) || blk_info(d, &sectors, &ssz, &ro))
		return -ENXIO;
	uint64_t size = sectors * BLK_SECTOR;
	if (write && ro)
		return -EPERM;
	if (pos >= size || n == 0)
		return write && n ? -ENOSPC : 0;
	n = FW_MIN(n, size - pos);
	uint64_t done = 0;
	while (done < n) {
		uint64_t p = pos + done;
		uint32_t k = (uint32_t)FW_MIN(n - done, CHUNK - p % 4096);
		int e = chunk(d, p, fw_uaddr_add(buf, done), k, write);
		if (e)
			return done ? (int64_t)done : e;
		done += k;
	}
	return (int64_t)done;
}

int64_t blkdev_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	int64_t r = blkdev_rw(fp, fp->off, buf, n, false);
	if (r > 0)
		fp->off += (uint64_t)r;
	return r;
}

int64_t blkdev_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	int64_t r = blkdev_rw(fp, fp->off, buf, n, true);
	if (r > 0)
		fp->off += (uint64_t)r;
	return r;
}

uint64_t blkdev_size(struct file *fp)
{
	struct blk_ref d;
	uint64_t sectors = 0;
	uint32_t ssz;
	bool ro;
	if (disk_of(fp, &d) || blk_info(d, &sectors, &ssz, &ro))
		return 0;
	return sectors * BLK_SECTOR;
}

int blkdev_fsync(struct file *fp)
{
	struct blk_ref d;
	if (disk_of(fp, &d))
		return -ENXIO;
	return blk_flush(d);
}

void blkdev_sync_all(void)
{
	for (uint32_t i = 0; i < blk_disk_count(); i++) {
		struct blk_ref d;
		if (blk_disk(i, &d) == 0)
			(void)blk_flush(d);
	}
}

struct hd_geometry {
	uint8_t heads, sectors;
	uint16_t cylinders;
	uint32_t pad;
	uint64_t start;
};

static int64_t put_u64(uint64_t arg, uint64_t v) { return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0; }
static int64_t put_u32(uint64_t arg, uint32_t v) { return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0; }

int64_t blkdev_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct blk_ref d;
	uint64_t sectors;
	uint32_t ssz;
	bool ro;
	if (disk_of(fp, &d) || blk_info(d, &sectors, &ssz, &ro))
		return -ENXIO;
	switch (cmd) {
	case BLKGETSIZE64: {
		return put_u64(arg, sectors * BLK_SECTOR);
	}
	case BLKGETSIZE: {
		return put_u64(arg, sectors);
	}
	case BLKSSZGET:
	case BLKPBSZGET:
	case BLKIOMIN: {
		return put_u32(arg, ssz);
	}
	case BLKBSZGET: {
		return put_u32(arg, 4096);
	}
	case BLKIOOPT:
	case BLKALIGNOFF: {
		return put_u32(arg, 0);
	}
	case BLKROGET: {
		return put_u32(arg, ro ? 1 : 0);
	}
	case BLKFLSBUF: {
		return blk_flush(d);
	}
	case BLKDISCARD: {
		return -EOPNOTSUPP;
	}
	case BLKRRPART: {
		return -EINVAL; /* no partition tables yet */
	}
	case HDIO_GETGEO: {
		uint64_t cyl = sectors / (16 * 63);
		struct hd_geometry g = {16, 63, (uint16_t)FW_MIN(cyl, 0xFFFF), 0, 0};
		return fw_copy_to_user(fw_uaddr(arg), &g) ? -EFAULT : 0;
	}
	default: {
		return -ENOTTY;
	}
	}
}

/* /dev/vdX for every registered disk. */
int blkdev_nodes_create(struct inode_ref dev_dir)
{
	for (uint32_t i = 0; i < blk_disk_count(); i++) {
		struct blk_ref r;
		if (blk_disk(i, &r))
			continue;
		struct blkdev *d = blk_get(r);
		struct kname n = {0};
		for (uint32_t k = 0; k < 3; k++)
			n.s[k] = d->name[k];
		n.len = 3;
		uint32_t rdev = d->major << 8 | d->minor;
		struct inode_ref ino;
		if (dir_lookup(dev_dir, &n, &ino) == 0)
			continue;
		int e = inode_new(S_IFBLK | 0660, &ino);
		if (e)
			return e;
		inode_get(ino)->rdev = rdev;
		e = dir_link(dev_dir, &n, ino);
		if (e)
			return e;
	}
	return 0;
}
