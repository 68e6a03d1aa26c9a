/* Pipes and FIFOs: the ring buffer, blocking and wake-ups. Layer:
 * services (safe C). Trusts the VFS for file objects and the framework for
 * frames and user copies. Each pipe owns two wait queues, one for its
 * read side (readers, FIFO openers) and one for its write side: new bytes
 * wake the read side, room made wakes the write side, ends opened or
 * closed wake both (so an edge-triggered poller of one end is not woken
 * by its own side, as on Linux); sleepers re-check their condition, and a
 * change of one pipe wakes only its own sleepers.
 *
 * Capacity: `size` bytes, a power of two pages; the first 64 KiB of
 * frames live in the pipe, the rest (up to 1 MiB) in a pipe_big made only
 * while the pipe is that large. Writes and POLLOUT count page slots as
 * Linux's ring of pipe buffers does (see write_room). */
#include "pipe/pipe.h"
#include "pipe/pipe_size.h"
#include "proc/signal.h"
#include <abi/fs.h>

FW_POOL_DEFINE(pipe, struct pipe);
FW_POOL_DEFINE(pipe_big, struct pipe_big);

#define PIPE_READ 1
#define PIPE_WRITE 2

struct pipe_ids {
	uint32_t fops;
};
FW_GLOBAL(struct pipe_ids, pipe_ids);

/* A file's pipe (file.priv) and which ends it holds (file.priv_u32). */
static struct pipe_ref pipe_of(const struct file *fp) { return (struct pipe_ref){fp->priv.idx, fp->priv.gen}; }
static struct vfs_priv priv_of(struct pipe_ref r) { return (struct vfs_priv){r.idx, r.gen}; }

/* The capacity (a pipe made before its size was recorded: 64 KiB). */
static uint32_t cap(const struct pipe *p) { return p->size ? p->size : PIPE_SIZE; }

/* Frame fi of the ring (zero: none yet). */
static struct fw_frame_ref frame_at(const struct pipe *p, uint32_t fi)
{
	if (fi < PIPE_FRAMES)
		return p->buf[fi];
	struct pipe_big *b = pipe_big_get(p->big);
	return b && fi - PIPE_FRAMES < PIPE_BIG_FRAMES ? b->buf[fi - PIPE_FRAMES] : (struct fw_frame_ref){0};
}

static int set_frame(struct pipe_ref r, uint32_t fi, struct fw_frame_ref f)
{
	struct pipe *p = pipe_get(r);
	if (fi < PIPE_FRAMES) {
		p->buf[fi] = f;
		return 0;
	}
	if (fi - PIPE_FRAMES >= PIPE_BIG_FRAMES)
		return -EINVAL;
	if (!pipe_big_ref_valid(p->big)) {
		struct pipe_big_ref b;
		if (pipe_big_alloc(&b))
			return -ENOMEM;
		pipe_get(r)->big = b;
	}
	pipe_big_get(pipe_get(r)->big)->buf[fi - PIPE_FRAMES] = f;
	return 0;
}

/* Drop every frame of the ring. */
static void free_frames(struct pipe *p)
{
	for (uint32_t i = 0; i < PIPE_FRAMES; i++)
		if (p->buf[i].pfn)
			fw_frame_put(p->buf[i]);
	struct pipe_big *b = pipe_big_get(p->big);
	for (uint32_t i = 0; b && i < PIPE_BIG_FRAMES; i++)
		if (b->buf[i].pfn)
			fw_frame_put(b->buf[i]);
	if (b)
		pipe_big_free(p->big);
	for (uint32_t i = 0; i < PIPE_FRAMES; i++)
		p->buf[i] = (struct fw_frame_ref){0};
	p->big = (struct pipe_big_ref){0};
}

static int pipe_new(bool fifo, struct pipe_ref *out)
{
	uint32_t size, uid, pages;
	int e = pipe_charge_new(&size, &uid, &pages);
	if (e)
		return e;
	if (pipe_alloc(out)) {
		pipe_uncharge(uid, pages);
		return -ENFILE;
	}
	struct pipe *p = pipe_get(*out);
	p->fifo = fifo;
	p->size = size;
	p->user = uid;
	p->pages = pages;
	if (wq_create(&p->wq)) {
		pipe_free(*out);
		pipe_uncharge(uid, pages);
		return -ENFILE;
	}
	if (wq_create(&pipe_get(*out)->wq_w)) {
		wq_destroy(pipe_get(*out)->wq);
		pipe_free(*out);
		pipe_uncharge(uid, pages);
		return -ENFILE;
	}
	p = pipe_get(*out);
	p->q = wq_queue(p->wq);
	p->q_w = wq_queue(p->wq_w);
	return 0;
}

static void pipe_destroy(struct pipe_ref r)
{
	struct pipe *p = pipe_get(r);
	if (!p)
		return;
	free_frames(p);
	pipe_uncharge(p->user, p->pages);
	struct wq_ref wq = p->wq, wq_w = p->wq_w;
	pipe_free(r);
	wq_destroy(wq);
	wq_destroy(wq_w);
}

/* Ends opened or closed, or the capacity changed: both sides look again. */
static void changed(struct pipe *p)
{
	struct wq_ref w = p->wq_w;
	wq_wake_band(p->wq, POLLIN | POLLOUT); /* O_ASYNC ends hear an end go */
	wq_wake_band(w, POLLIN | POLLOUT);
}
/* Bytes arrived: the read side. */
static void data_added(struct pipe *p) { wq_wake_band(p->wq, POLLIN); } /* an O_ASYNC reader hears POLL_IN */
/* Room was made: the write side. An emptied ring starts again at page 0,
 * as Linux's next write takes a fresh page: otherwise the bytes would
 * straddle one page slot more than the capacity has. */
static void room_made(struct pipe *p)
{
	if (p->len == 0)
		p->head = 0;
	wq_wake_band(p->wq_w, POLLOUT); /* an O_ASYNC writer hears POLL_OUT */
}

int pipe_create_files(uint32_t flags, struct file_ref *rd, struct file_ref *wr)
{
	struct pipe_ref pr;
	int e = pipe_new(false, &pr);
	if (e)
		return e;
	e = file_new(pipe_ids()->fops, O_RDONLY | (flags & O_NONBLOCK), rd);
	if (e) {
		pipe_destroy(pr);
		return e;
	}
	e = file_new(pipe_ids()->fops, O_WRONLY | (flags & O_NONBLOCK), wr);
	if (e) {
		file_drop(*rd); /* a pipe file without an end: releases nothing */
		pipe_destroy(pr);
		return e;
	}
	struct pipe *p = pipe_get(pr);
	p->readers = 1;
	p->writers = 1;
	struct file *fr = file_get(*rd), *fw = file_get(*wr);
	fr->priv = priv_of(pr);
	fr->priv_u32 = PIPE_READ;
	fw->priv = priv_of(pr);
	fw->priv_u32 = PIPE_WRITE;
	return 0;
}

/* Wait for a change of the pipe whose queue is q: 0, or -ERESTARTSYS on
 * a signal (the caller looks at the pipe again either way). */
static int wait_io(struct fw_waitq_ref q)
{
	int e = fw_waitq_wait(q, 0, true);
	return e == -EINTR ? -ERESTARTSYS : 0;
}

static void undo_open(struct pipe_ref r, uint32_t end)
{
	struct pipe *p = pipe_get(r);
	if (!p)
		return;
	if (end & PIPE_READ)
		p->readers--;
	if (end & PIPE_WRITE)
		p->writers--;
	changed(p);
	if (p->readers == 0 && p->writers == 0)
		pipe_destroy(r);
}

/* A FIFO's open: find or create its pipe (inode.special), apply the
 * blocking rules. */
static int fifo_open(struct file_ref f, struct file *fp)
{
	struct inode_ref ino = fp->inode;
	uint32_t flags = fp->flags;
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	struct pipe_ref pr = {ip->special.idx, ip->special.gen};
	if (!pipe_ref_valid(pr)) {
		int e = pipe_new(true, &pr);
		if (e)
			return e;
		ip = inode_get(ino);
		ip->special = priv_of(pr);
	}
	struct pipe *p = pipe_get(pr);
	uint32_t acc = flags & O_ACCMODE;
	bool nonblock = (flags & O_NONBLOCK) != 0;
	if (acc == O_WRONLY && nonblock && p->readers == 0) {
		if (p->writers == 0)
			pipe_destroy(pr);
		return -ENXIO;
	}
	uint32_t end = acc == O_RDWR ? PIPE_READ | PIPE_WRITE : acc == O_WRONLY ? PIPE_WRITE : PIPE_READ;
	if (end & PIPE_READ) {
		p->readers++;
		p->r_opens++;
	}
	if (end & PIPE_WRITE) {
		p->writers++;
		p->w_opens++;
	}
	changed(p);
	fp->priv = priv_of(pr);
	fp->priv_u32 = end;
	if (nonblock || end == (PIPE_READ | PIPE_WRITE))
		return 0;
	/* Blocking open: wait for the other side to appear. */
	uint32_t r0 = p->r_opens, w0 = p->w_opens;
	for (;;) {
		p = pipe_get(pr);
		if (!p)
			return -ENXIO;
		if (end == PIPE_READ && (p->writers > 0 || p->w_opens != w0))
			return 0;
		if (end == PIPE_WRITE && (p->readers > 0 || p->r_opens != r0))
			return 0;
		if (wait_io(p->q)) {
			fp = file_get(f);
			if (fp)
				fp->priv_u32 = 0;
			undo_open(pr, end);
			return -ERESTARTSYS;
		}
	}
}

/* Make sure the frame of ring byte `at` exists. */
static int ring_frame(struct pipe_ref r, uint32_t at)
{
	struct pipe *p = pipe_get(r);
	uint32_t fi = (at % cap(p)) / 4096;
	if (frame_at(p, fi).pfn)
		return 0;
	struct fw_frame_ref nf;
	if (fw_frame_alloc(&nf))
		return -ENOMEM;
	int e = set_frame(r, fi, nf);
	if (e)
		fw_frame_put(nf);
	return e;
}

/* Copy between the ring at `pos` and user memory, one frame piece at a time. */
static int ring_copy(struct pipe_ref r, uint32_t pos, struct fw_uaddr u, uint32_t n, bool to_user)
{
	struct pipe *p = pipe_get(r);
	uint32_t done = 0;
	while (done < n) {
		uint32_t at = (pos + done) % cap(p);
		uint32_t off = at % 4096;
		uint32_t chunk = FW_MIN(n - done, 4096 - off);
		int e = ring_frame(r, at);
		if (e)
			return e;
		p = pipe_get(r);
		struct fw_frame_ref fr = frame_at(p, at / 4096);
		e = to_user ? fw_frame_to_user(fr, off, fw_uaddr_add(u, done), chunk)
			    : fw_frame_from_user(fr, off, fw_uaddr_add(u, done), chunk);
		if (e)
			return e;
		done += chunk;
	}
	return 0;
}

static int64_t pipe_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct pipe_ref pr = pipe_of(fp);
	if (n == 0)
		return 0;
	for (bool slept = false;; slept = true) {
		struct pipe *p = pipe_get(pr);
		if (slept)
			fp = file_get(f); /* the file may have gone while we slept */
		if (!p || !fp)
			return -EBADF;
		if (p->len > 0) {
			uint32_t k = (uint32_t)FW_MIN(n, p->len);
			int e = ring_copy(pr, p->head, buf, k, true);
			if (e)
				return e;
			p = pipe_get(pr);
			p->head = (p->head + k) % cap(p);
			p->len -= k;
			room_made(p);
			return k;
		}
		if (p->writers == 0)
			return 0;
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_io(p->q))
			return -ERESTARTSYS;
	}
}

/* Pages the unread bytes touch, and pages free. */
static uint32_t pages_used(const struct pipe *p) { return p->len ? (p->head % 4096 + p->len + 4095) / 4096 : 0; }
static uint32_t pages_free(const struct pipe *p) { return cap(p) / 4096 - FW_MIN(pages_used(p), cap(p) / 4096); }

/* Bytes a write of n may put in now, counted as Linux's pipe of page
 * slots does: the part of n past whole pages may join the last page if it
 * fits in its rest; everything else needs free pages. */
static uint64_t write_room(const struct pipe *p, uint64_t n)
{
	uint32_t tail_room = p->len ? (4096 - (p->head + p->len) % 4096) % 4096 : 0;
	uint64_t chars = n % 4096;
	uint64_t merge = chars && chars <= tail_room ? chars : 0;
	return FW_MIN(merge + (uint64_t)pages_free(p) * 4096, (uint64_t)(cap(p) - p->len));
}

static int64_t pipe_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct pipe_ref pr = pipe_of(fp);
	uint64_t done = 0;
	bool slept = false;
	while (done < n) {
		struct pipe *p = pipe_get(pr);
		if (slept)
			fp = file_get(f); /* the file may have gone while we slept */
		if (!p || !fp)
			return -EBADF;
		if (p->readers == 0) {
			if (done)
				return (int64_t)done;
			(void)signal_send_thread(cur_thread_ref(), SIGPIPE);
			return -EPIPE;
		}
		uint64_t room = write_room(p, n - done);
		/* Writes of at most PIPE_BUF bytes go in whole or not at all. */
		uint64_t need = n <= PIPE_BUF ? n : 1;
		if (room >= need) {
			uint32_t k = (uint32_t)FW_MIN(n - done, room);
			int e = ring_copy(pr, (p->head + p->len) % cap(p), fw_uaddr_add(buf, done), k, false);
			if (e)
				return done ? (int64_t)done : e;
			p = pipe_get(pr);
			p->len += k;
			done += k;
			data_added(p);
			continue;
		}
		if (fp->flags & O_NONBLOCK)
			return done ? (int64_t)done : -EAGAIN;
		if (wait_io(p->q_w))
			return done ? (int64_t)done : -ERESTARTSYS;
		slept = true;
	}
	return (int64_t)done;
}

static int64_t pipe_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct pipe *p = pipe_get(pipe_of(fp));
	if (cmd == FIONREAD) {
		int32_t v = p ? (int32_t)p->len : 0;
		return fw_copy_to_user(fw_uaddr(arg), &v) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static void pipe_release(struct file_ref f, struct file *fp)
{
	struct pipe_ref pr = pipe_of(fp);
	uint32_t end = fp->priv_u32;
	fp->priv_u32 = 0;
	if (end)
		undo_open(pr, end);
}

static uint32_t pipe_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct pipe *p = pipe_get(pipe_of(fp));
	if (!p)
		return POLLERR;
	if (fp->priv_u32 & PIPE_READ)
		poll_wait(pt, p->wq);
	if (fp->priv_u32 & PIPE_WRITE)
		poll_wait(pt, pipe_get(pipe_of(fp))->wq_w);
	p = pipe_get(pipe_of(fp));
	if (!p)
		return POLLERR;
	uint32_t m = 0;
	if (fp->priv_u32 & PIPE_READ) {
		if (p->len > 0)
			m |= POLLIN | POLLRDNORM;
		if (p->writers == 0 && p->w_opens > 0)
			m |= POLLHUP;
		if (!p->fifo && p->writers == 0)
			m |= POLLHUP;
	}
	if (fp->priv_u32 & PIPE_WRITE) {
		if (pages_free(p) > 0) /* a free page slot, as Linux */
			m |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			m |= POLLERR;
	}
	return m;
}

static int ring_to_chunk(struct pipe_ref r, uint32_t pos, struct kchunk *c, uint32_t n);
static int ring_from_chunk(struct pipe_ref r, uint32_t pos, const struct kchunk *c, uint32_t n);

/* F_SETPIPE_SZ: the ring is copied into frames laid out for the new
 * capacity (head at 0), then the old frames go. */
static int resize(struct pipe_ref r, uint32_t size)
{
	struct pipe_ref tr;
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	if (pipe_alloc(&tr)) {
		kchunk_free(cr);
		return -ENOMEM;
	}
	pipe_get(tr)->size = size;
	int e = 0;
	uint32_t len = pipe_get(r)->len;
	for (uint32_t off = 0; e == 0 && off < len; off += 512) {
		uint32_t n = FW_MIN(len - off, 512u);
		e = ring_to_chunk(r, pipe_get(r)->head + off, kchunk_get(cr), n);
		if (e == 0)
			e = ring_from_chunk(tr, off, kchunk_get(cr), n);
	}
	kchunk_free(cr);
	struct pipe *p = pipe_get(r), *t = pipe_get(tr);
	if (e == 0) {
		for (uint32_t i = 0; i < PIPE_FRAMES; i++) {
			struct fw_frame_ref x = p->buf[i];
			p->buf[i] = t->buf[i];
			t->buf[i] = x;
		}
		struct pipe_big_ref b = p->big;
		p->big = t->big;
		t->big = b;
		p->head = 0;
		p->size = size;
	}
	free_frames(t);
	pipe_free(tr);
	return e;
}

static int64_t pipe_fcntl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	struct pipe_ref r = pipe_of(fp);
	struct pipe *p = pipe_get(r);
	if (!p || (cmd != F_GETPIPE_SZ && cmd != F_SETPIPE_SZ))
		return -EINVAL;
	if (cmd == F_GETPIPE_SZ)
		return cap(p);
	uint32_t size = pipe_round_size(arg);
	if (!size)
		return -EINVAL;
	uint32_t old_pages = p->pages;
	int e = pipe_charge_resize(p->user, cap(p), old_pages, size);
	if (e)
		return e;
	p = pipe_get(r);
	/* EBUSY when the unread bytes occupy more page slots than the new
	 * size has (Linux's pipe_resize_ring). */
	e = size > PIPE_MAX_BYTES ? -ENOMEM : pages_used(p) > size / 4096 ? -EBUSY : size == cap(p) ? 0 : resize(r, size);
	p = pipe_get(r);
	if (e) {
		pipe_charge_undo(p->user, old_pages, size);
		return e;
	}
	p->pages = size / 4096;
	changed(p);
	return size;
}

/* ---- splice, tee and vmsplice (syscall/sys_splice.c) ---- */

int pipe_of_file(struct file_ref f, struct pipe_ref *out)
{
	struct file *fp = file_get(f);
	if (!fp || !fp->priv_u32)
		return -EINVAL;
	struct kname name;
	uint32_t mode;
	file_anon_name(f, &name, &mode);
	if ((mode & S_IFMT) != S_IFIFO)
		return -EINVAL;
	*out = pipe_of(fp);
	return pipe_ref_valid(*out) ? 0 : -EINVAL;
}

int64_t pipe_wait_data(struct pipe_ref r, bool nonblock)
{
	for (;;) {
		struct pipe *p = pipe_get(r);
		if (!p)
			return 0;
		if (p->len > 0)
			return p->len;
		if (p->writers == 0)
			return 0;
		if (nonblock)
			return -EAGAIN;
		if (wait_io(p->q))
			return -ERESTARTSYS;
	}
}

int64_t pipe_wait_room(struct pipe_ref r, bool nonblock)
{
	for (;;) {
		struct pipe *p = pipe_get(r);
		if (!p || p->readers == 0) {
			(void)signal_send_thread(cur_thread_ref(), SIGPIPE);
			return -EPIPE;
		}
		if (p->len < cap(p))
			return cap(p) - p->len;
		if (nonblock)
			return -EAGAIN;
		if (wait_io(p->q_w))
			return -ERESTARTSYS;
	}
}

/* n bytes of the ring at `pos` into a kernel chunk. */
static int ring_to_chunk(struct pipe_ref r, uint32_t pos, struct kchunk *c, uint32_t n)
{
	for (uint32_t done = 0; done < n;) {
		uint32_t at = (pos + done) % cap(pipe_get(r)), off = at % 4096;
		uint32_t chunk = FW_MIN(n - done, 4096 - off);
		int e = ring_frame(r, at);
		if (e == 0)
			e = fw_frame_read_at(frame_at(pipe_get(r), at / 4096), off, &c->b, done, chunk);
		if (e)
			return e;
		done += chunk;
	}
	return 0;
}

/* n bytes of a kernel chunk into the ring at `pos`. */
static int ring_from_chunk(struct pipe_ref r, uint32_t pos, const struct kchunk *c, uint32_t n)
{
	for (uint32_t done = 0; done < n;) {
		uint32_t at = (pos + done) % cap(pipe_get(r)), off = at % 4096;
		uint32_t chunk = FW_MIN(n - done, 4096 - off);
		int e = ring_frame(r, at);
		if (e == 0)
			e = fw_frame_write_at(frame_at(pipe_get(r), at / 4096), off, &c->b, done, chunk);
		if (e)
			return e;
		done += chunk;
	}
	return 0;
}

int pipe_peek(struct pipe_ref r, uint32_t off, struct kchunk *c, uint32_t n)
{
	struct pipe *p = pipe_get(r);
	if (!p || n > sizeof(c->b) || off + n > p->len)
		return -EINVAL;
	return ring_to_chunk(r, p->head + off, c, n);
}

void pipe_consume(struct pipe_ref r, uint32_t n)
{
	struct pipe *p = pipe_get(r);
	if (!p)
		return;
	n = FW_MIN(n, p->len);
	p->head = (p->head + n) % cap(p);
	p->len -= n;
	room_made(p);
}

int pipe_append(struct pipe_ref r, const struct kchunk *c, uint32_t n)
{
	struct pipe *p = pipe_get(r);
	if (!p || n > sizeof(c->b) || n > cap(p) - p->len)
		return -EINVAL;
	int e = ring_from_chunk(r, (p->head + p->len) % cap(p), c, n);
	p = pipe_get(r);
	if (e)
		return e;
	p->len += n;
	data_added(p);
	return 0;
}

int64_t pipe_put_user(struct pipe_ref r, struct fw_uaddr u, uint64_t n)
{
	struct pipe *p = pipe_get(r);
	if (!p)
		return -EPIPE;
	uint32_t k = (uint32_t)FW_MIN(n, (uint64_t)(cap(p) - p->len));
	int e = ring_copy(r, (p->head + p->len) % cap(p), u, k, false);
	if (e)
		return e;
	p = pipe_get(r);
	p->len += k;
	if (k)
		data_added(p);
	return k;
}

int64_t pipe_get_user(struct pipe_ref r, struct fw_uaddr u, uint64_t n)
{
	struct pipe *p = pipe_get(r);
	if (!p)
		return 0;
	uint32_t k = (uint32_t)FW_MIN(n, (uint64_t)p->len);
	int e = ring_copy(r, p->head, u, k, true);
	if (e)
		return e;
	p = pipe_get(r);
	p->head = (p->head + k) % cap(p);
	p->len -= k;
	if (k)
		room_made(p);
	return k;
}

static const struct file_ops pipe_ops = {
	.name = "pipe",
	.flags = FOP_FASYNC,
	.mode = S_IFIFO,
	.release = pipe_release,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.fcntl = pipe_fcntl,
};

static const struct file_ops fifo_ops = {
	.name = "fifo",
	.flags = FOP_FASYNC,
	.mode = S_IFIFO,
	.open = fifo_open,
	.release = pipe_release,
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.fcntl = pipe_fcntl,
};

int pipe_init(void)
{
	int e = file_ops_register(&pipe_ops, &pipe_ids()->fops);
	return e ? e : file_ops_set_fifo(&fifo_ops);
}
