/* TCP send ring: bytes from snd_una on, in frames that are appended to
 * and dropped from the front, never rewritten (see tcp.h). Layer:
 * services (safe C). */
#include "net/inet/tcp.h"

FW_POOL_DEFINE(tsnd, struct tsnd);

static struct tsnd *ring(struct tcb_ref t, bool create)
{
	struct tcb *tp = tcb_get(t);
	if (!tp)
		return NULL;
	if (!tsnd_ref_valid(tp->snd) && create) {
		struct tsnd_ref r;
		if (tsnd_alloc(&r))
			return NULL;
		tp = tcb_get(t);
		tp->snd = r;
	}
	return tsnd_get(tp->snd);
}

uint32_t tsnd_room(const struct tcb *tp)
{
	uint32_t cap = FW_MIN(tcp_sndbuf(tp), (uint32_t)(TCP_SND_PAGES - 1) * 4096U);
	return tp->snd_len >= cap ? 0 : cap - tp->snd_len;
}

/* Where the next appended byte goes: a frame with room (allocated if
 * needed) and the offset in it. */
static int tail_slot(struct tcb_ref t, struct fw_frame_ref *f, uint32_t *off)
{
	struct tsnd *r = ring(t, true);
	if (!r)
		return -ENOBUFS;
	struct tcb *tp = tcb_get(t);
	uint32_t pos = r->off + tp->snd_len;
	uint32_t pi = pos / 4096;
	*off = pos % 4096;
	if (pi >= r->npages) {
		if (r->npages >= TCP_SND_PAGES)
			return -ENOBUFS;
		struct fw_frame_ref nf;
		if (net_frame_get(&nf))
			return -ENOBUFS;
		r = ring(t, false);
		r->page[(r->head + r->npages) % TCP_SND_PAGES] = nf;
		r->npages++;
	}
	*f = r->page[(r->head + pi) % TCP_SND_PAGES];
	return 0;
}

int tsnd_append_uio(struct tcb_ref t, struct uio *u, uint32_t n)
{
	while (n > 0) {
		struct fw_frame_ref f;
		uint32_t off;
		int e = tail_slot(t, &f, &off);
		if (e)
			return e;
		uint32_t k = FW_MIN(n, 4096 - off);
		e = uio_frame(u, f, off, k, true);
		if (e)
			return e;
		tcb_get(t)->snd_len += k;
		n -= k;
	}
	return 0;
}

int tsnd_append_frame(struct tcb_ref t, struct fw_frame_ref src, uint32_t soff, uint32_t n)
{
	while (n > 0) {
		struct fw_frame_ref f;
		uint32_t off;
		int e = tail_slot(t, &f, &off);
		if (e)
			return e;
		uint32_t k = FW_MIN(n, 4096 - off);
		e = fw_frame_move(f, off, src, soff, k);
		if (e)
			return e;
		tcb_get(t)->snd_len += k;
		soff += k;
		n -= k;
	}
	return 0;
}

void tsnd_ack(struct tcb_ref t, uint32_t n)
{
	struct tsnd *r = ring(t, false);
	struct tcb *tp = tcb_get(t);
	if (!r || !tp)
		return;
	n = FW_MIN(n, tp->snd_len);
	tp->snd_len -= n;
	r->off += n;
	/* frames whose bytes are all acknowledged leave the ring; a frame
	 * still being filled stays unless the ring is empty */
	while (r->npages > 0 && (r->off >= 4096 || (tp->snd_len == 0 && r->npages == 1 && r->off > 0))) {
		struct fw_frame_ref f = r->page[r->head];
		r->page[r->head] = (struct fw_frame_ref){0};
		r->head = (r->head + 1) % TCP_SND_PAGES;
		r->npages--;
		r->off = r->off >= 4096 ? r->off - 4096 : 0;
		fw_frame_put(f);
	}
	if (r->npages == 0)
		r->off = 0;
}

int tsnd_to_pkt(struct tcb_ref t, uint32_t off, uint32_t n, struct pkt_ref p)
{
	struct tsnd *r = ring(t, false);
	struct tcb *tp = tcb_get(t);
	if (!r || !tp || off > tp->snd_len || n > tp->snd_len - off)
		return -EINVAL;
	uint32_t pos = r->off + off;
	while (n > 0) {
		uint32_t pi = pos / 4096, po = pos % 4096;
		if (pi >= r->npages)
			return -EINVAL;
		uint32_t k = FW_MIN(n, 4096 - po);
		int e = pkt_add_frag(p, r->page[(r->head + pi) % TCP_SND_PAGES], po, k);
		if (e)
			return e;
		r = ring(t, false);
		pos += k;
		n -= k;
	}
	return 0;
}

void tsnd_release(struct tcb_ref t)
{
	struct tcb *tp = tcb_get(t);
	struct tsnd *r = tp ? tsnd_get(tp->snd) : NULL;
	if (!r)
		return;
	for (uint32_t i = 0; i < r->npages; i++)
		fw_frame_put(r->page[(r->head + i) % TCP_SND_PAGES]);
	tsnd_free(tp->snd);
	tp->snd = (struct tsnd_ref){0};
	tp->snd_len = 0;
}
