/* Signal-driven I/O: O_ASYNC files hung on the wait queues of the objects
 * they report on, and the signal their owner gets when such a queue is
 * woken. Layer: services (safe C). Trusts the VFS's files and queues; the
 * process layer (which the VFS may not name) sends the signal through the
 * function it registers at boot.
 *
 * Model: switching O_ASYNC on (fcntl F_SETFL) runs the file's poll
 * operation with a table in "async" mode, so every queue it would hook a
 * poller on gets an entry naming the file instead (poll_wait calls
 * fasync_attach). A wake-up of a queue with entries (wait.c: one handle
 * test otherwise) asks each entry's file what it is ready for and sends
 * the owner POLL_IN while it is readable, and POLL_OUT, POLL_HUP, POLL_ERR
 * when those appear; an object that knows which way it changed says so
 * (wq_wake_band) and its owners are signalled for that way every time, as
 * Linux's kill_fasync on each pipe read and write. Entries go when
 * O_ASYNC goes, when the file is released, and are detached (not freed)
 * when their queue is destroyed. */
#include "vfs/vfs.h"

struct fasync {
	struct wq_ref wq;            /* zero once its queue is gone */
	struct file_ref file;
	int32_t fd;
	uint32_t last;               /* readiness at the last wake-up */
	struct fasync_ref next_wq;   /* the queue's list */
	struct fasync_ref next_file; /* the file's list */
};
FW_POOL_PRIVATE(fasync, struct fasync);

struct fasync_state {
	void (*send)(const struct sigio_msg *m);
	uint32_t depth; /* nested signalling (a signal wakes a signalfd's queue...) */
};
FW_GLOBAL(struct fasync_state, fasync_state);

void vfs_set_sigio_sender(void (*send)(const struct sigio_msg *m)) { fasync_state()->send = send; }

/* si_band for each POLL_* reason (Linux's table). */
static uint32_t band_of(int32_t reason)
{
	switch (reason) {
	case POLL_IN:
		return POLLIN | POLLRDNORM;
	case POLL_OUT:
		return POLLOUT | POLLWRNORM | POLLWRBAND;
	case POLL_MSG:
		return POLLIN | POLLRDNORM | POLLMSG;
	case POLL_ERR:
		return POLLERR;
	case POLL_PRI:
		return POLLPRI | POLLRDBAND;
	default:
		return POLLHUP | POLLERR;
	}
}

void file_send_sigio(struct file_ref f, int32_t fd, int32_t reason)
{
	struct file *fp = file_get(f);
	struct fasync_state *st = fasync_state();
	if (!fp || fp->sig_owner == 0 || !st->send || st->depth > 1)
		return;
	struct sigio_msg m = {fp->sig_owner, fp->sig_owner_type, fp->sig_owner_uid, fp->sig_owner_euid,
			      fp->sig_num,   reason,           band_of(reason),   fd};
	st->depth++;
	st->send(&m);
	fasync_state()->depth--;
}

/* What a wake-up means for one entry: the POLL_* reason, or 0. With a
 * band the object said which way it changed: a reading end hears POLL_IN
 * of a POLLIN band, a writing end POLL_OUT of a POLLOUT band, whatever
 * the readiness (a pipe's end hears the other end's close so). Without
 * one, readiness decides: a hang-up when it appears, POLL_IN while
 * readable, POLL_OUT, an error or priority data when they appear. */
static int32_t reason_for(struct fasync *e, uint32_t now, uint32_t band, uint32_t acc)
{
	uint32_t fresh = now & ~e->last;
	e->last = now;
	if (band) {
		if ((band & POLLIN) && acc != O_WRONLY)
			return POLL_IN;
		if ((band & POLLOUT) && acc != O_RDONLY)
			return POLL_OUT;
		return 0;
	}
	if (fresh & POLLHUP)
		return POLL_HUP;
	if (now & (POLLIN | POLLRDNORM))
		return POLL_IN;
	if (fresh & (POLLOUT | POLLWRNORM))
		return POLL_OUT;
	if (fresh & POLLERR)
		return POLL_ERR;
	if (fresh & POLLPRI)
		return POLL_PRI;
	return 0;
}

void fasync_wake(struct fasync_ref chain, uint32_t band)
{
	for (struct fasync_ref c = chain; fasync_get(c);) {
		struct fasync *e = fasync_get(c);
		struct fasync_ref next = e->next_wq;
		struct file_ref f = e->file;
		int32_t fd = e->fd;
		struct file *fp = file_get(f);
		if (fp && (fp->flags & O_ASYNC) && fp->sig_owner != 0) {
			uint32_t acc = fp->flags & O_ACCMODE;
			uint32_t now = file_poll(f, NULL);
			e = fasync_get(c);
			int32_t reason = e ? reason_for(e, now, band, acc) : 0;
			if (reason)
				file_send_sigio(f, fd, reason);
		}
		c = next;
	}
}

void fasync_detach_queue(struct fasync_ref chain)
{
	for (struct fasync_ref c = chain; fasync_get(c);) {
		struct fasync *e = fasync_get(c);
		c = e->next_wq;
		e->wq = (struct wq_ref){0};
		e->next_wq = (struct fasync_ref){0};
	}
}

void fasync_attach(struct poll_table *pt, struct wq_ref w)
{
	struct wq *q = wq_get(w);
	struct fasync_ref r;
	if (!q || pt->err)
		return;
	if (fasync_alloc(&r)) {
		pt->err = -ENOMEM;
		return;
	}
	struct fasync *e = fasync_get(r);
	e->wq = w;
	e->file = (struct file_ref){pt->async_file_idx, pt->async_file_gen};
	e->fd = pt->async_fd;
	e->next_wq = q->fasync;
	q->fasync = r;
	e->next_file = pt->async_chain;
	pt->async_chain = r;
}

/* Take entry r off its queue's list. */
static void unlink_queue(struct fasync_ref r)
{
	struct fasync *e = fasync_get(r);
	struct wq *q = e ? wq_get(e->wq) : NULL;
	if (!q)
		return;
	if (q->fasync.idx == r.idx && q->fasync.gen == r.gen) {
		q->fasync = e->next_wq;
		return;
	}
	for (struct fasync_ref c = q->fasync; fasync_get(c); c = fasync_get(c)->next_wq) {
		struct fasync *cp = fasync_get(c);
		if (cp->next_wq.idx == r.idx && cp->next_wq.gen == r.gen) {
			cp->next_wq = e->next_wq;
			return;
		}
	}
}

static void release_chain(struct fasync_ref c)
{
	while (fasync_get(c)) {
		struct fasync_ref next = fasync_get(c)->next_file;
		unlink_queue(c);
		fasync_free(c);
		c = next;
	}
}

int file_set_async(struct file_ref f, int32_t fd, bool on)
{
	struct file *fp = file_get(f);
	if (!fp)
		return -EBADF;
	if (!file_has_fasync(fp))
		return 0; /* Linux: no ->fasync, O_ASYNC is not even recorded */
	if (!on && !fp->async_live)
		return 0; /* O_ASYNC from open(): never hung on, and it stays */
	struct fasync_ref old = fp->fasync;
	fp->fasync = (struct fasync_ref){0};
	release_chain(old);
	if (!on) {
		fp->async_live = 0;
		fp->flags &= ~(uint32_t)O_ASYNC;
		return 0;
	}
	struct poll_table pt = {0};
	pt.async = true;
	pt.async_file_idx = f.idx;
	pt.async_file_gen = f.gen;
	pt.async_fd = fd;
	uint32_t now = file_poll(f, &pt);
	if (pt.err) {
		release_chain(pt.async_chain);
		return pt.err;
	}
	for (struct fasync_ref c = pt.async_chain; fasync_get(c); c = fasync_get(c)->next_file)
		fasync_get(c)->last = now;
	fp = file_get(f);
	if (!fp) {
		release_chain(pt.async_chain);
		return -EBADF;
	}
	fp->fasync = pt.async_chain;
	fp->async_live = 1;
	fp->flags |= O_ASYNC;
	return 0;
}
