/* Packet buffers: linear header bytes plus frame fragments (see pkt.h).
 * Layer: services (safe C). Every offset and length is checked against
 * the packet before a byte moves; frame contents are reached only through
 * the framework's checked copies. */
#include "net/pkt.h"

FW_POOL_DEFINE(pkt, struct pkt);
FW_GLOBAL(struct net_stats, net_stats_g);

struct net_stats *net_stats(void) { return net_stats_g(); }

int pkt_new(struct pkt_ref *out)
{
	if (pkt_count() >= PKT_MAX || pkt_alloc(out)) {
		net_stats()->pkt_alloc_fail++;
		return -ENOBUFS;
	}
	struct pkt *p = pkt_get(*out);
	p->hoff = PKT_HDR;
	return 0;
}

void pkt_free_all(struct pkt_ref r)
{
	struct pkt *p = pkt_get(r);
	if (!p)
		return;
	for (uint32_t i = 0; i < p->nfrag && i < PKT_FRAGS; i++)
		fw_frame_put(p->fpage[i]);
	p->nfrag = 0;
	pkt_free(r);
}

uint32_t pkt_headroom(const struct pkt *p) { return p->hoff; }

static uint32_t linear_len(const struct pkt *p) { return PKT_HDR - p->hoff; }

int pkt_push(struct pkt_ref r, const struct hbuf *h, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	if (!p || n > p->hoff)
		return -EINVAL;
	p->hoff -= n;
	for (uint32_t i = 0; i < n; i++)
		p->hdr[p->hoff + i] = h->b[i];
	p->len += n;
	return 0;
}

/* Copy n bytes at off into the byte array b (of cap bytes) at boff. */
static int pkt_read(const struct pkt *p, uint32_t off, struct hbuf *b, uint32_t n)
{
	if (n > PKT_HDR || off > p->len || n > p->len - off)
		return -EINVAL;
	uint32_t done = 0, lin = linear_len(p);
	while (done < n && off + done < lin) {
		b->b[done] = p->hdr[p->hoff + off + done];
		done++;
	}
	uint32_t pos = lin; /* byte offset where fragment i starts */
	for (uint32_t i = 0; done < n && i < p->nfrag && i < PKT_FRAGS; i++) {
		uint32_t fl = p->flen[i], want = off + done;
		if (want < pos + fl) {
			uint32_t in = want - pos, k = FW_MIN(fl - in, n - done);
			int e = fw_frame_read_at(p->fpage[i], p->foff[i] + in, &b->b, done, k);
			if (e)
				return e;
			done += k;
		}
		pos += fl;
	}
	return done == n ? 0 : -EINVAL;
}

int pkt_peek(struct pkt_ref r, uint32_t off, struct hbuf *h, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	return p ? pkt_read(p, off, h, n) : -EINVAL;
}

int pkt_pull(struct pkt_ref r, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	if (!p || n > p->len)
		return -EINVAL;
	p->len -= n;
	uint32_t k = FW_MIN(n, linear_len(p));
	p->hoff += k;
	n -= k;
	while (n > 0 && p->nfrag > 0) {
		uint32_t fl = p->flen[0];
		if (n < fl) {
			p->foff[0] = (uint16_t)(p->foff[0] + n);
			p->flen[0] = (uint16_t)(fl - n);
			return 0;
		}
		n -= fl;
		fw_frame_put(p->fpage[0]);
		for (uint32_t i = 1; i < p->nfrag && i < PKT_FRAGS; i++) {
			p->fpage[i - 1] = p->fpage[i];
			p->foff[i - 1] = p->foff[i];
			p->flen[i - 1] = p->flen[i];
		}
		p->nfrag--;
	}
	return 0;
}

void pkt_trim(struct pkt_ref r, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	if (!p || n >= p->len)
		return;
	uint32_t lin = linear_len(p);
	if (n <= lin) {
		/* keep the first n linear bytes: move them to the end of hdr */
		uint32_t drop = lin - n;
		for (uint32_t i = n; i > 0; i--)
			p->hdr[p->hoff + drop + i - 1] = p->hdr[p->hoff + i - 1];
		p->hoff += drop;
		for (uint32_t i = 0; i < p->nfrag && i < PKT_FRAGS; i++)
			fw_frame_put(p->fpage[i]);
		p->nfrag = 0;
		p->len = n;
		return;
	}
	uint32_t pos = lin, keep = 0;
	for (uint32_t i = 0; i < p->nfrag && i < PKT_FRAGS; i++) {
		if (pos >= n) {
			fw_frame_put(p->fpage[i]);
			continue;
		}
		if (pos + p->flen[i] > n)
			p->flen[i] = (uint16_t)(n - pos);
		pos += p->flen[i];
		keep = i + 1;
	}
	p->nfrag = keep;
	p->len = n;
}

int pkt_add_frag(struct pkt_ref r, struct fw_frame_ref f, uint32_t off, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	if (!p || off > 4096 || n > 4096 - off)
		return -EINVAL;
	if (n == 0)
		return 0;
	/* continue the last fragment when the bytes follow on */
	if (p->nfrag > 0) {
		uint32_t l = p->nfrag - 1;
		if (fw_frame_ref_eq(p->fpage[l], f) && p->foff[l] + p->flen[l] == off) {
			p->flen[l] = (uint16_t)(p->flen[l] + n);
			p->len += n;
			return 0;
		}
	}
	if (p->nfrag >= PKT_FRAGS)
		return -EMSGSIZE;
	if (fw_frame_dup(f))
		return -EINVAL;
	p->fpage[p->nfrag] = f;
	p->foff[p->nfrag] = (uint16_t)off;
	p->flen[p->nfrag] = (uint16_t)n;
	p->nfrag++;
	p->len += n;
	return 0;
}

int pkt_add_uio(struct pkt_ref r, struct uio *u, uint32_t n)
{
	while (n > 0) {
		struct fw_frame_ref f;
		if (fw_frame_alloc(&f))
			return -ENOBUFS;
		uint32_t k = FW_MIN(n, 4096U);
		int e = uio_frame(u, f, 0, k, true);
		if (e == 0)
			e = pkt_add_frag(r, f, 0, k);
		fw_frame_put(f); /* the packet holds its own reference */
		if (e)
			return e;
		n -= k;
	}
	return 0;
}

int pkt_add_from(struct pkt_ref r, struct pkt_ref sr, uint32_t off, uint32_t n)
{
	struct pkt *s = pkt_get(sr);
	if (!s || off > s->len || n > s->len - off)
		return -EINVAL;
	uint32_t lin = linear_len(s);
	if (off < lin) {
		/* linear bytes go into a frame of their own */
		uint32_t k = FW_MIN(n, lin - off);
		struct hbuf h;
		int e = pkt_read(s, off, &h, k);
		struct fw_frame_ref f;
		if (e == 0 && fw_frame_alloc(&f))
			e = -ENOBUFS;
		if (e)
			return e;
		e = fw_frame_write(f, 0, &h.b, k);
		if (e == 0)
			e = pkt_add_frag(r, f, 0, k);
		fw_frame_put(f);
		if (e)
			return e;
		off += k;
		n -= k;
	}
	uint32_t pos = lin;
	for (uint32_t i = 0; n > 0 && i < PKT_FRAGS; i++) {
		s = pkt_get(sr);
		if (i >= s->nfrag)
			return -EINVAL;
		uint32_t fl = s->flen[i];
		if (off < pos + fl) {
			uint32_t in = off - pos, k = FW_MIN(fl - in, n);
			int e = pkt_add_frag(r, s->fpage[i], s->foff[i] + in, k);
			if (e)
				return e;
			off += k;
			n -= k;
		}
		pos += fl;
	}
	return 0;
}

int pkt_to_uio(struct pkt_ref r, uint32_t off, struct uio *u, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	if (!p || off > p->len || n > p->len - off)
		return -EINVAL;
	uint32_t lin = linear_len(p);
	if (off < lin && n > 0) {
		/* linear bytes (raw sockets see headers): through a bounce frame */
		uint32_t k = FW_MIN(n, lin - off);
		struct hbuf h;
		struct fw_frame_ref f;
		int e = pkt_read(p, off, &h, k);
		if (e == 0 && net_frame_get(&f))
			e = -ENOBUFS;
		if (e)
			return e;
		e = fw_frame_write(f, 0, &h.b, k);
		if (e == 0)
			e = uio_frame(u, f, 0, k, false);
		net_frame_put(f);
		if (e)
			return e;
		off += k;
		n -= k;
	}
	uint32_t pos = lin;
	for (uint32_t i = 0; n > 0 && i < PKT_FRAGS; i++) {
		p = pkt_get(r);
		if (i >= p->nfrag)
			return -EINVAL;
		uint32_t fl = p->flen[i];
		if (off < pos + fl) {
			uint32_t in = off - pos, k = FW_MIN(fl - in, n);
			int e = uio_frame(u, p->fpage[i], p->foff[i] + in, k, false);
			if (e)
				return e;
			off += k;
			n -= k;
		}
		pos += fl;
	}
	return 0;
}

int pkt_to_frame(struct pkt_ref r, uint32_t off, struct fw_frame_ref dst, uint32_t doff, uint32_t n)
{
	struct pkt *p = pkt_get(r);
	if (!p || off > p->len || n > p->len - off || doff > 4096 || n > 4096 - doff)
		return -EINVAL;
	uint32_t lin = linear_len(p);
	if (off < lin && n > 0) {
		uint32_t k = FW_MIN(n, lin - off);
		struct hbuf h;
		int e = pkt_read(p, off, &h, k);
		if (e == 0)
			e = fw_frame_write(dst, doff, &h.b, k);
		if (e)
			return e;
		off += k;
		doff += k;
		n -= k;
	}
	uint32_t pos = lin;
	for (uint32_t i = 0; n > 0 && i < p->nfrag && i < PKT_FRAGS; i++) {
		uint32_t fl = p->flen[i];
		if (off < pos + fl) {
			uint32_t in = off - pos, k = FW_MIN(fl - in, n);
			int e = fw_frame_move(dst, doff, p->fpage[i], p->foff[i] + in, k);
			if (e)
				return e;
			off += k;
			doff += k;
			n -= k;
		}
		pos += fl;
	}
	return n == 0 ? 0 : -EINVAL;
}

struct csum_chunk {
	uint8_t b[256];
};

static uint32_t sum_bytes(const uint8_t (*b)[256], uint32_t n, uint32_t sum, bool *odd)
{
	for (uint32_t i = 0; i < n && i < 256; i++) {
		sum += *odd ? (*b)[i] : (uint32_t)(*b)[i] << 8;
		*odd = !*odd;
	}
	return sum;
}

uint32_t pkt_csum(struct pkt_ref r, uint32_t off, uint32_t n, uint32_t sum)
{
	struct pkt *p = pkt_get(r);
	if (!p || off > p->len || n > p->len - off)
		return sum;
	bool odd = false;
	uint32_t lin = linear_len(p);
	while (n > 0 && off < lin) {
		sum += odd ? p->hdr[p->hoff + off] : (uint32_t)p->hdr[p->hoff + off] << 8;
		odd = !odd;
		off++;
		n--;
	}
	uint32_t pos = lin;
	struct csum_chunk c;
	for (uint32_t i = 0; n > 0 && i < p->nfrag && i < PKT_FRAGS; i++) {
		uint32_t fl = p->flen[i];
		while (n > 0 && off < pos + fl) {
			uint32_t in = off - pos, k = FW_MIN(FW_MIN(fl - in, n), 256U);
			if (fw_frame_read(p->fpage[i], p->foff[i] + in, &c.b, k))
				return sum;
			sum = sum_bytes(&c.b, k, sum, &odd);
			/* keep the sum from overflowing: fold the carries */
			sum = (sum & 0xffff) + (sum >> 16);
			off += k;
			n -= k;
		}
		pos += fl;
	}
	return sum;
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int pkt_copy(struct pkt_ref src, struct pkt_ref *out)
{
	struct pkt *s = pkt_get(src);
	if (!s)
		return -EINVAL;
	int e = pkt_new(out);
	if (e)
		return e;
	s = pkt_get(src);
	struct pkt *d = pkt_get(*out);
	uint32_t lin = linear_len(s);
	d->hoff = s->hoff;
	for (uint32_t i = 0; i < lin; i++)
		d->hdr[s->hoff + i] = s->hdr[s->hoff + i];
	d->len = lin;
	d->flags = s->flags;
	d->ifindex = s->ifindex;
	d->saddr = s->saddr;
	d->daddr = s->daddr;
	d->proto = s->proto;
	d->ttl = s->ttl;
	d->tos = s->tos;
	d->iphlen = s->iphlen;
	d->sport = s->sport;
	d->dport = s->dport;
	for (uint32_t i = 0; i < s->nfrag && i < PKT_FRAGS; i++) {
		e = pkt_add_frag(*out, s->fpage[i], s->foff[i], s->flen[i]);
		if (e) {
			pkt_free_all(*out);
			return e;
		}
	}
	return 0;
}

uint32_t pkt_truesize(struct pkt_ref r)
{
	struct pkt *p = pkt_get(r);
	return p ? 512 + p->nfrag * 4096 : 0;
}

void pktq_tail(struct pktq *q, struct pkt_ref r)
{
	struct pkt *p = pkt_get(r);
	if (!p)
		return;
	p->next = (struct pkt_ref){0};
	struct pkt *t = pkt_get(q->tail);
	if (t && q->count)
		t->next = r;
	else
		q->head = r;
	q->tail = r;
	q->count++;
	q->bytes += p->len;
	q->mem += p->truesize;
}

struct pkt_ref pktq_pop(struct pktq *q)
{
	struct pkt_ref r = q->head;
	struct pkt *p = pkt_get(r);
	if (!p || !q->count)
		return (struct pkt_ref){0};
	q->head = p->next;
	q->count--;
	if (!q->count)
		q->tail = (struct pkt_ref){0};
	q->bytes -= FW_MIN(q->bytes, p->len);
	q->mem -= FW_MIN(q->mem, p->truesize);
	p->next = (struct pkt_ref){0};
	return r;
}

void pktq_purge(struct pktq *q)
{
	for (;;) {
		struct pkt_ref r = pktq_pop(q);
		if (!pkt_ref_valid(r))
			return;
		pkt_free_all(r);
	}
}
