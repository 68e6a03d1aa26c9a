/* Block device nodes (/dev/vda, ...) and their file operations: the whole
 * VFS-facing glue of the block layer, in one file so it can move to the
 * VFS's device registry. Layer: services (safe C).
 *
 * Reads and writes are cut into chunks of up to 256 KiB (one block request
 * each, up to four in flight per call). A chunk that starts on a sector
 * and whose user buffer is 512-byte aligned moves straight between the
 * device and the caller's pages (pinned for the transfer, like Linux's
 * O_DIRECT); any other goes through bounce frames, at any byte offset and
 * length: a partial sector at either end of a write is read first and
 * merged. Writes go to
 * the device when write() returns (no caching); fsync/fdatasync send a
 * FLUSH so they are durable. As on Linux, reading at or past the end
 * returns 0, writing there fails with ENOSPC, a write that crosses the
 * end is shortened, and writing a read-only device fails with EPERM. */
#include "block/blkdev_file.h"
#include "block/block.h"
#include "fs/tmpfs/tmpfs.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include <abi/fs.h>
#include <fw/log.h>
#include <fw/user.h>

#define CHUNK (BLK_MAX_SEGS * 4096u) /* bytes per block request */
#define DEPTH 4                        /* requests in flight per call: 1 MiB */
#define CACHED_FRAMES 256

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

static int blkdev_open(struct file_ref f, struct file *fp)
{
	struct blk_ref d;
	return disk_of(fp, &d) ? -ENXIO : 0;
}

/* Up to DEPTH chunks of one call in flight at once; chunk i's bounce
 * frames are f[i][0 .. nf[i]). */
struct batch {
	struct fw_frame_ref f[DEPTH][BLK_MAX_SEGS];
	uint32_t nf[DEPTH];
	bool direct[DEPTH]; /* f[i] are the caller's own pages, not bounce frames */
	uint32_t foff[DEPTH]; /* where the chunk's first byte sits in f[i][0] */
	struct blk_req_ref r[DEPTH];
	uint64_t p[DEPTH], uoff[DEPTH];
	uint32_t k[DEPTH];
};
FW_POOL_REF(batch);
FW_POOL_PRIVATE(batch, struct batch);

/* Bounce frames reused between calls: no allocation, no zeroing, and the
 * driver's DMA mappings of them stay cached. A reused frame holds bytes of
 * an earlier transfer, but only bytes the device just filled (or the
 * caller wrote) are ever copied out or written back: every chunk moves
 * whole sectors, and a write that covers part of a sector reads it first. */
struct bounce_cache {
	struct fw_frame_ref f[CACHED_FRAMES];
	uint32_t n;
};
FW_GLOBAL(struct bounce_cache, bounce_cache);

static void bounce_put(struct batch *bt, uint32_t i)
{
	struct bounce_cache *c = bounce_cache();
	for (uint32_t j = 0; j < bt->nf[i] && j < BLK_MAX_SEGS; j++) {
		if (c->n < CACHED_FRAMES)
			c->f[c->n++] = bt->f[i][j];
		else
			fw_frame_put(bt->f[i][j]);
	}
	bt->nf[i] = 0;
}

static int bounce_get(struct batch *bt, uint32_t i, uint32_t pages)
{
	struct bounce_cache *c = bounce_cache();
	bt->nf[i] = 0;
	while (bt->nf[i] < pages && bt->nf[i] < BLK_MAX_SEGS) {
		struct fw_frame_ref f;
		if (c->n > 0) {
			f = c->f[--c->n];
		} else if (fw_frame_alloc(&f)) {
			bounce_put(bt, i);
			return -ENOMEM;
		}
		bt->f[i][bt->nf[i]++] = f;
	}
	return 0;
}

static uint32_t rel_of(uint64_t p) { return (uint32_t)(p % 4096); }
static uint64_t s0_of(uint64_t p) { return p / BLK_SECTOR; }
static uint64_t s1_of(uint64_t p, uint32_t k) { return (p + k + BLK_SECTOR - 1) / BLK_SECTOR; }

/* Start moving the sectors chunk i covers between the device and its
 * bounce frames (the first sector's first byte sits at byte
 * s0 * 512 - page of p, inside the first frame). */
static int transfer_start(struct blk_ref d, uint32_t op, struct batch *bt, uint32_t i)
{
	uint64_t p = bt->p[i], s0 = s0_of(p), s1 = s1_of(p, bt->k[i]);
	uint32_t boff = bt->foff[i] - (uint32_t)(p - s0 * BLK_SECTOR);
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
		q->seg[q->nseg++] = (struct blk_seg){bt->f[i][page % BLK_MAX_SEGS], off, len};
		boff += len;
		left -= len;
	}
	e = blk_submit(r);
	if (e) {
		(void)blk_req_release(r);
		return e;
	}
	bt->r[i] = r;
	return 0;
}

static int transfer_finish(struct batch *bt, uint32_t i)
{
	int e = blk_wait(bt->r[i]);
	(void)blk_req_release(bt->r[i]);
	return e;
}

/* Copy chunk i's k bytes between its bounce frames and user memory. */
static int copy_user(struct batch *bt, uint32_t i, struct fw_uaddr u, bool to_user)
{
	uint32_t boff = bt->foff[i], n = bt->k[i];
	while (n > 0) {
		uint32_t page = boff / 4096, off = boff % 4096, len = FW_MIN(n, 4096 - off);
		struct fw_frame_ref f = bt->f[i][page % BLK_MAX_SEGS];
		int e = to_user ? fw_frame_to_user(f, off, u, len) : fw_frame_from_user(f, off, u, len);
		if (e)
			return -EFAULT;
		u = fw_uaddr_add(u, len);
		boff += len;
		n -= len;
	}
	return 0;
}

/* Pin the caller's pages under chunk i (a sector-aligned transfer into or
 * out of a 512-byte-aligned buffer): the device moves the data straight
 * to or from them, no bounce, no copy. A read makes the pages private and
 * writable first (copy-on-write broken), as a CPU write would. */
static int pin_user(struct batch *bt, uint32_t i, struct fw_uaddr u, bool write)
{
	struct proc *pr = cur_proc();
	uint32_t first = (uint32_t)(u.a % 4096), pages = (first + bt->k[i] + 4095) / 4096;
	bt->nf[i] = 0;
	bt->foff[i] = first;
	while (pr && bt->nf[i] < pages && bt->nf[i] < BLK_MAX_SEGS) {
		struct fw_frame_ref f;
		if (mm_pin_page(pr->mm, u.a - first + 4096ULL * bt->nf[i], !write, &f))
			break;
		bt->f[i][bt->nf[i]++] = f;
	}
	if (bt->nf[i] == pages)
		return 0;
	for (uint32_t j = 0; j < bt->nf[i] && j < BLK_MAX_SEGS; j++)
		fw_frame_put(bt->f[i][j]);
	bt->nf[i] = 0;
	return -EFAULT;
}

static void release(struct batch *bt, uint32_t i)
{
	if (!bt->direct[i]) {
		bounce_put(bt, i);
		return;
	}
	for (uint32_t j = 0; j < bt->nf[i] && j < BLK_MAX_SEGS; j++)
		fw_frame_put(bt->f[i][j]);
	bt->nf[i] = 0;
}

/* Chunk i: a write through bounce frames gets its data (and, for a
 * partial sector, the sector's old bytes) before it is submitted; a read,
 * or any direct transfer, is only submitted. */
static int chunk_start(struct blk_ref d, struct batch *bt, uint32_t i, struct fw_uaddr u, bool write)
{
	uint64_t p = bt->p[i];
	uint32_t k = bt->k[i];
	int e;
	if (bt->direct[i]) {
		e = pin_user(bt, i, u, write);
		if (e == 0)
			e = transfer_start(d, write ? BLK_WRITE : BLK_READ, bt, i);
		if (e)
			release(bt, i);
		return e;
	}
	bt->foff[i] = rel_of(p);
	e = bounce_get(bt, i, (rel_of(p) + k + 4095) / 4096);
	if (e)
		return e;
	if (write && (p % BLK_SECTOR || (p + k) % BLK_SECTOR)) {
		e = transfer_start(d, BLK_READ, bt, i);
		if (e == 0)
			e = transfer_finish(bt, i);
	}
	if (e == 0 && write)
		e = copy_user(bt, i, u, false);
	if (e == 0)
		e = transfer_start(d, write ? BLK_WRITE : BLK_READ, bt, i);
	if (e)
		release(bt, i);
	return e;
}

static int chunk_finish(struct batch *bt, uint32_t i, struct fw_uaddr u, bool write)
{
	int e = transfer_finish(bt, i);
	if (e == 0 && !write && !bt->direct[i])
		e = copy_user(bt, i, u, true);
	release(bt, i);
	return e;
}

/* Move n bytes at device position pos: the first error stops the count of
 * bytes done (what was started after it still completes and is dropped). */
static int64_t rw_batched(struct blk_ref d, struct batch *bt, uint64_t pos, struct fw_uaddr buf, uint64_t n,
			  bool write)
{
	uint64_t done = 0;
	while (done < n) {
		uint32_t cnt = 0;
		int err = 0;
		for (uint64_t off = done; cnt < DEPTH && off < n; cnt++) {
			uint64_t p = pos + off;
			struct fw_uaddr u = fw_uaddr_add(buf, off);
			bt->p[cnt] = p;
			bt->uoff[cnt] = off;
			bt->direct[cnt] = p % BLK_SECTOR == 0 && u.a % BLK_SECTOR == 0 && (n - off) >= BLK_SECTOR;
			bt->k[cnt] = (uint32_t)FW_MIN(n - off, CHUNK - (bt->direct[cnt] ? u.a % 4096 : rel_of(p)));
			if (bt->direct[cnt])
				bt->k[cnt] -= bt->k[cnt] % BLK_SECTOR;
			err = chunk_start(d, bt, cnt, fw_uaddr_add(buf, off), write);
			if (err)
				break;
			off += bt->k[cnt];
		}
		for (uint32_t i = 0; i < cnt; i++) {
			int e = chunk_finish(bt, i, fw_uaddr_add(buf, bt->uoff[i]), write);
			if (e && !err)
				err = e;
			if (!err)
				done += bt->k[i];
		}
		if (err)
			return done ? (int64_t)done : err;
	}
	return (int64_t)done;
}

static int64_t blkdev_rw(struct file *fp, uint64_t pos, struct fw_uaddr buf, uint64_t n, bool write)
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
	struct batch_ref br;
	if (batch_alloc(&br))
		return -ENOMEM;
	int64_t r = rw_batched(d, batch_get(br), pos, buf, n, write);
	batch_free(br);
	return r;
}

static int64_t blkdev_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	int64_t r = blkdev_rw(fp, *pos, buf, n, false);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

static int64_t blkdev_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	int64_t r = blkdev_rw(fp, *pos, buf, n, true);
	if (r > 0)
		*pos += (uint64_t)r;
	return r;
}

/* SEEK_END is the size of the disk (the node's own size is 0). */
static int64_t blkdev_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence)
{
	struct blk_ref d;
	uint64_t sectors = 0;
	uint32_t ssz;
	bool ro;
	if (disk_of(fp, &d) || blk_info(d, &sectors, &ssz, &ro))
		return -ENXIO;
	if (whence > 2) /* SEEK_SET, SEEK_CUR, SEEK_END */
		return -EINVAL;
	int64_t base = whence == 0 ? 0 : whence == 1 ? (int64_t)fp->off : (int64_t)(sectors * BLK_SECTOR);
	if (base + off < 0)
		return -EINVAL;
	fp->off = (uint64_t)(base + off);
	return (int64_t)fp->off;
}

static int blkdev_fsync(struct file_ref f, struct file *fp, bool datasync)
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

static int64_t blkdev_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
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

static const struct file_ops blkdev_ops = {
	.name = "blkdev",
	.flags = FOP_PREAD,
	.open = blkdev_open,
	.read = blkdev_read,
	.write = blkdev_write,
	.llseek = blkdev_llseek,
	.ioctl = blkdev_ioctl,
	.fsync = blkdev_fsync,
};

int blkdev_register(void)
{
	uint32_t id;
	int e = file_ops_register(&blkdev_ops, &id);
	return e ? e : dev_register(S_IFBLK, BLK_MAJOR_VIRTBLK, 0, BLK_MAX_DISKS * BLK_MINORS_PER_DISK, id);
}

/* /dev/vdX for every registered disk. */
int blkdev_nodes_create(void)
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
		int e = devtmpfs_node(&n, S_IFBLK | 0660, dev_make(d->major, d->minor));
		if (e)
			return e;
	}
	return 0;
}
