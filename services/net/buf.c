/* Socket-layer plumbing: walks over user I/O vectors, a cache of data
 * frames, ancillary data and socket inode numbers. Layer: services
 * (safe C). Trusts the framework's frame and user-copy checks; every user
 * range is checked against the user half before it is used. */
#include "net/socket.h"

#define FRAME_CACHE 256

struct net_buf_state {
	struct fw_frame_ref cache[FRAME_CACHE];
	uint32_t ncache;
	struct scm_ref pending; /* scm_destroy: chained through scm.next */
	bool draining;
	uint64_t next_ino;
};
FW_GLOBAL(struct net_buf_state, net_buf);

int uio_init_buf(struct uio *u, uint64_t buf, uint64_t n)
{
	if (n > MAX_RW_COUNT)
		n = MAX_RW_COUNT;
	if (!fw_user_range_ok(buf, n))
		return -EFAULT;
	u->iov = 0;
	u->cnt = 0;
	u->idx = 0;
	u->base = buf;
	u->left = n;
	u->resid = n;
	return 0;
}

void uio_init_frame(struct uio *u, struct fw_frame_ref f, uint32_t off, uint32_t n)
{
	*u = (struct uio){0};
	u->kernel = true;
	u->kf = f;
	u->base = off;
	u->left = FW_MIN(n, 4096 - FW_MIN(off, 4096U));
	u->resid = u->left;
}

int uio_init_iov(struct uio *u, uint64_t uiov, uint64_t cnt)
{
	if (cnt > UIO_MAXIOV)
		return -EMSGSIZE;
	uint64_t total = 0;
	for (uint64_t i = 0; i < cnt; i++) {
		struct linux_iovec v;
		if (fw_copy_from_user(&v, fw_uaddr(uiov + i * sizeof(v))))
			return -EFAULT;
		if ((int64_t)v.len < 0)
			return -EINVAL;
		if (v.len && !fw_user_range_ok(v.base, v.len))
			return -EFAULT;
		total += v.len;
		if (total > MAX_RW_COUNT)
			total = MAX_RW_COUNT;
	}
	u->iov = uiov;
	u->cnt = cnt;
	u->idx = 0;
	u->base = 0;
	u->left = 0;
	u->resid = total;
	return 0;
}

/* Make the current segment non-empty (or the walk empty). */
static int uio_load(struct uio *u)
{
	while (u->left == 0 && u->resid > 0 && u->idx < u->cnt) {
		struct linux_iovec v;
		if (fw_copy_from_user(&v, fw_uaddr(u->iov + u->idx * sizeof(v))))
			return -EFAULT;
		u->idx++;
		u->base = v.base;
		u->left = FW_MIN(v.len, u->resid);
	}
	return 0;
}

int uio_frame(struct uio *u, struct fw_frame_ref f, uint32_t off, uint32_t n, bool from_user)
{
	if (u->kernel) {
		if (!from_user || n > u->left)
			return -EINVAL;
		int e = fw_frame_move(f, off, u->kf, (uint32_t)u->base, n);
		if (e)
			return e;
		u->base += n;
		u->left -= n;
		u->resid -= n;
		return 0;
	}
	while (n > 0) {
		if (uio_load(u))
			return -EFAULT;
		if (u->left == 0)
			return -EINVAL;
		uint32_t k = (uint32_t)FW_MIN((uint64_t)n, u->left);
		int e = from_user ? fw_frame_from_user(f, off, fw_uaddr(u->base), k)
		                  : fw_frame_to_user(f, off, fw_uaddr(u->base), k);
		if (e)
			return e;
		u->base += k;
		u->left -= k;
		u->resid -= k;
		off += k;
		n -= k;
	}
	return 0;
}

void uio_skip(struct uio *u, uint64_t n)
{
	if (u->kernel) {
		n = FW_MIN(n, u->left);
		u->base += n;
		u->left -= n;
		u->resid -= n;
		return;
	}
	while (n > 0 && u->resid > 0) {
		if (uio_load(u) || u->left == 0)
			return;
		uint64_t k = FW_MIN(n, u->left);
		u->base += k;
		u->left -= k;
		u->resid -= k;
		n -= k;
	}
}

int net_frame_get(struct fw_frame_ref *out)
{
	struct net_buf_state *st = net_buf();
	if (st->ncache > 0) {
		*out = st->cache[--st->ncache];
		return 0;
	}
	return fw_frame_alloc(out) ? -ENOBUFS : 0;
}

void net_frame_put(struct fw_frame_ref f)
{
	struct net_buf_state *st = net_buf();
	if (!f.pfn)
		return;
	if (st->ncache < FRAME_CACHE) {
		st->cache[st->ncache++] = f;
		return;
	}
	fw_frame_put(f);
}

/* Destroying a message's ancillary data drops files; a dropped file may
 * be a socket whose queue holds more ancillary data. Those are chained
 * here and handled by the outermost call, so the depth of nesting never
 * reaches the kernel stack. */
void scm_destroy(struct scm_ref r)
{
	struct net_buf_state *st = net_buf();
	struct scm *c = scm_get(r);
	if (!c)
		return;
	c->next = st->pending;
	st->pending = r;
	if (st->draining)
		return;
	st->draining = true;
	while (scm_ref_valid(st->pending)) {
		struct scm_ref cur = st->pending;
		c = scm_get(cur);
		st->pending = c->next;
		while (c && c->nfd > 0) {
			struct file_ref f = c->fd[--c->nfd];
			file_drop(f);
			c = scm_get(cur);
		}
		scm_free(cur);
	}
	st->draining = false;
}

uint64_t net_next_ino(void)
{
	struct net_buf_state *st = net_buf();
	if (st->next_ino == 0)
		st->next_ino = 40000;
	return ++st->next_ino;
}
