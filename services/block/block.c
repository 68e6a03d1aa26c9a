/* The block layer: disk registry, request checking and queueing,
 * synchronous wrappers. Layer: services (safe C). Trusts drivers to
 * complete every request they accepted exactly once (blk_complete).
 *
 * Each disk has a FIFO of requests the driver could not take yet (its
 * queue was full); a driver calls blk_kick when completions free room.
 * Completions wake the disk's wait queue; waiters re-check their own
 * request (the kernel is uniprocessor and non-preemptive, and completions
 * run in the IRQ worker, so no wake-up is lost between check and wait). */
#include "block/block.h"
#include <fw/log.h>

FW_POOL_DEFINE(blk, struct blkdev);
FW_POOL_DEFINE(blk_req, struct blk_req);

struct blk_table {
	struct blk_ref disk[BLK_MAX_DISKS];
	uint32_t n;
};
FW_GLOBAL(struct blk_table, blk_table);

static void finish(struct blk_req_ref r, struct blk_req *q, int status);

int blk_register(uint64_t sectors, uint32_t sector_size, bool ro, bool can_flush, blk_submit_fn submit,
		 uint64_t drv, struct blk_ref *out)
{
	struct blk_table *t = blk_table();
	if (t->n >= BLK_MAX_DISKS || !submit || sector_size < BLK_SECTOR || sector_size % BLK_SECTOR)
		return -EINVAL;
	if (blk_alloc(out))
		return -ENOMEM;
	struct blkdev *d = blk_get(*out);
	if (fw_waitq_create(&d->done_q)) {
		blk_free(*out);
		return -ENOMEM;
	}
	uint32_t n = t->n;
	d->name[0] = 'v';
	d->name[1] = 'd';
	d->name[2] = (char)('a' + n);
	d->major = BLK_MAJOR_VIRTBLK;
	d->minor = n * BLK_MINORS_PER_DISK;
	d->sectors = sectors;
	d->sector_size = sector_size;
	d->ro = ro;
	d->can_flush = can_flush;
	d->submit = submit;
	d->drv = drv;
	t->disk[n] = *out;
	t->n = n + 1;
	fw_info("block: vd%c (%u:%u) %lu sectors of 512, block size %u, read-only %u", 'a' + n, d->major, d->minor,
		sectors, sector_size, ro ? 1u : 0u);
	return 0;
}

void blk_unregister(struct blk_ref r)
{
	struct blk_table *t = blk_table();
	struct blkdev *d = blk_get(r);
	if (!d)
		return;
	/* What never reached the driver fails; sleepers in blk_wait see the
	 * disk gone (their queue is destroyed: -EIDRM, then -ENODEV). */
	while (blk_req_ref_valid(d->pend_head)) {
		struct blk_req_ref q = d->pend_head;
		struct blk_req *rq = blk_req_get(q);
		d->pend_head = rq->next;
		rq->next = (struct blk_req_ref){0};
		finish(q, rq, -ENODEV);
		d = blk_get(r);
		if (!d)
			return;
	}
	uint32_t j = 0;
	for (uint32_t i = 0; i < t->n && i < BLK_MAX_DISKS; i++)
		if (t->disk[i].idx != r.idx || t->disk[i].gen != r.gen)
			t->disk[j++] = t->disk[i];
	t->n = j;
	fw_waitq_destroy(d->done_q);
	blk_free(r);
}

int blk_lookup(uint32_t dev, struct blk_ref *out)
{
	struct blk_table *t = blk_table();
	for (uint32_t i = 0; i < t->n; i++) {
		struct blkdev *d = blk_get(t->disk[i]);
		if (d && (d->major << 8 | d->minor) == dev) {
			*out = t->disk[i];
			return 0;
		}
	}
	return -ENODEV;
}

uint32_t blk_disk_count(void) { return blk_table()->n; }

int blk_disk(uint32_t n, struct blk_ref *out)
{
	struct blk_table *t = blk_table();
	if (n >= t->n)
		return -ENODEV;
	*out = t->disk[n];
	return 0;
}

int blk_info(struct blk_ref r, uint64_t *sectors, uint32_t *sector_size, bool *ro)
{
	struct blkdev *d = blk_get(r);
	if (!d)
		return -ENODEV;
	*sectors = d->sectors;
	*sector_size = d->sector_size;
	*ro = d->ro;
	return 0;
}

int blk_req_new(struct blk_ref d, struct blk_req_ref *out)
{
	if (!blk_ref_valid(d))
		return -ENODEV;
	if (blk_req_alloc(out))
		return -ENOMEM;
	blk_req_get(*out)->dev = d;
	return 0;
}

int blk_req_release(struct blk_req_ref r)
{
	struct blk_req *q = blk_req_get(r);
	if (!q)
		return -EINVAL;
	if (q->submitted && !q->complete)
		return -EBUSY; /* the driver still holds it */
	blk_req_free(r);
	return 0;
}

/* Is the request well formed for its disk? */
static int check(const struct blkdev *d, const struct blk_req *q)
{
	if (q->op == BLK_FLUSH)
		return q->nseg == 0 ? 0 : -EINVAL;
	if (q->op != BLK_READ && q->op != BLK_WRITE)
		return -EINVAL;
	if (q->nseg == 0 || q->nseg > BLK_MAX_SEGS)
		return -EINVAL;
	uint64_t bytes = 0;
	for (uint32_t i = 0; i < q->nseg && i < BLK_MAX_SEGS; i++) {
		struct blk_seg s = q->seg[i];
		if (s.len == 0 || s.len % BLK_SECTOR || s.off % BLK_SECTOR || s.off > 4096 || s.len > 4096 - s.off)
			return -EINVAL;
		bytes += s.len;
	}
	uint64_t n = bytes / BLK_SECTOR;
	if (q->sector > d->sectors || n > d->sectors - q->sector)
		return -EIO; /* beyond the end of the device, as Linux reports it */
	if (q->op == BLK_WRITE && d->ro)
		return -EROFS;
	return 0;
}

static void finish(struct blk_req_ref r, struct blk_req *q, int status)
{
	q->status = status;
	q->complete = true;
	struct blkdev *d = blk_get(q->dev);
	if (d) {
		if (status)
			d->nerror++;
		fw_waitq_wake_all(d->done_q);
	}
	if (q->done)
		q->done(q->cookie, status);
}

void blk_complete(struct blk_req_ref r, int status)
{
	struct blk_req *q = blk_req_get(r);
	if (q && q->submitted && !q->complete)
		finish(r, q, status);
}

/* Hand pending requests to the driver until it is full. */
void blk_kick(struct blk_ref dr)
{
	struct blkdev *d = blk_get(dr);
	while (d && blk_req_ref_valid(d->pend_head)) {
		struct blk_req_ref r = d->pend_head;
		int e = d->submit(d->drv, r);
		if (e == -EAGAIN)
			return;
		struct blk_req *q = blk_req_get(r);
		d->pend_head = q->next;
		q->next = (struct blk_req_ref){0};
		if (!blk_req_ref_valid(d->pend_head))
			d->pend_tail = (struct blk_req_ref){0};
		if (e)
			finish(r, q, e);
		d = blk_get(dr); /* a completion callback may have run: re-borrow */
	}
}

int blk_submit(struct blk_req_ref r)
{
	struct blk_req *q = blk_req_get(r);
	if (!q || q->submitted)
		return -EINVAL;
	struct blkdev *d = blk_get(q->dev);
	if (!d)
		return -ENODEV;
	int e = check(d, q);
	if (e)
		return e;
	q->submitted = true;
	q->complete = false;
	if (q->op == BLK_READ)
		d->nread++;
	else if (q->op == BLK_WRITE)
		d->nwrite++;
	else
		d->nflush++;
	if (q->op == BLK_FLUSH && !d->can_flush) {
		finish(r, q, 0); /* no volatile cache: completed writes are durable */
		return 0;
	}
	if (blk_req_ref_valid(d->pend_tail)) {
		blk_req_get(d->pend_tail)->next = r;
		d->pend_tail = r;
		return 0;
	}
	e = d->submit(d->drv, r);
	if (e == -EAGAIN) {
		d->pend_head = r;
		d->pend_tail = r;
		return 0;
	}
	if (e)
		finish(r, q, e);
	return 0;
}

int blk_wait(struct blk_req_ref r)
{
	for (;;) {
		struct blk_req *q = blk_req_get(r);
		if (!q || !q->submitted)
			return -EINVAL;
		if (q->complete)
			return q->status;
		struct blkdev *d = blk_get(q->dev);
		if (!d)
			return -ENODEV;
		int e = fw_waitq_wait(d->done_q, 0, false);
		if (e == -EDEADLK)
			return e;
	}
}

static int sync_io(struct blk_ref d, uint32_t op, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len)
{
	struct blk_req_ref r;
	int e = blk_req_new(d, &r);
	if (e)
		return e;
	struct blk_req *q = blk_req_get(r);
	q->op = op;
	q->sector = sector;
	if (op != BLK_FLUSH) {
		q->nseg = 1;
		q->seg[0] = (struct blk_seg){f, off, len};
	}
	e = blk_submit(r);
	if (e == 0)
		e = blk_wait(r);
	(void)blk_req_release(r);
	return e;
}

int blk_read(struct blk_ref d, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len)
{
	return sync_io(d, BLK_READ, sector, f, off, len);
}

int blk_write(struct blk_ref d, uint64_t sector, struct fw_frame_ref f, uint32_t off, uint32_t len)
{
	return sync_io(d, BLK_WRITE, sector, f, off, len);
}

int blk_flush(struct blk_ref d)
{
	struct fw_frame_ref none = {0};
	return sync_io(d, BLK_FLUSH, 0, none, 0, 0);
}
