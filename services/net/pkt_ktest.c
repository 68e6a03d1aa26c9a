/* ktests of packet buffers (pkt.c): pushing and pulling headers at the
 * headroom's edges, fragments at frame and count limits, reads, trims and
 * pulls across the linear/fragment seam, the Internet checksum of odd
 * lengths split anywhere, and packet queues. Layer: services (safe C).
 * They trust the framework's frames and pools, nothing else. */
#include "net/pkt.h"
#include <fw/ktest.h>

/* The byte every test packet carries at offset i. */
static uint8_t pat(uint32_t i) { return (uint8_t)(i * 7 + 3); }

/* A frame whose byte j is pat(j - base). */
static int pattern_frame(uint32_t base, struct fw_frame_ref *f)
{
	struct hbuf h;
	if (fw_frame_alloc(f))
		return -ENOMEM;
	for (uint32_t at = 0; at < 4096; at += PKT_HDR) {
		for (uint32_t j = 0; j < PKT_HDR; j++)
			h.b[j] = pat(at + j - base);
		if (fw_frame_write(*f, at, &h.b, PKT_HDR))
			return -EIO;
	}
	return 0;
}

/* A packet of `lin` linear bytes then fragment bytes [foff, foff + n) of
 * a pattern frame, numbered so that packet byte i is pat(i). */
static int build(uint32_t lin, uint32_t foff, uint32_t n, struct pkt_ref *out)
{
	struct fw_frame_ref f = {0};
	struct hbuf h;
	if (pkt_new(out))
		return -ENOBUFS;
	for (uint32_t i = 0; i < lin && i < PKT_HDR; i++)
		h.b[i] = pat(i);
	int e = pkt_push(*out, &h, lin);
	if (e == 0 && n)
		e = pattern_frame(foff - lin, &f);
	if (e == 0 && n) {
		e = pkt_add_frag(*out, f, foff, n);
		fw_frame_put(f);
	}
	return e;
}

static bool bytes_are(struct pkt_ref p, uint32_t off, uint32_t n, uint32_t first)
{
	struct hbuf h;
	if (pkt_peek(p, off, &h, n))
		return false;
	for (uint32_t i = 0; i < n && i < PKT_HDR; i++)
		if (h.b[i] != pat(first + i))
			return false;
	return true;
}

FW_KTEST(svc_net_pkt_headroom_edges)
{
	struct pkt_ref p = {0};
	struct hbuf h = {0};
	FW_EXPECT(t, pkt_new(&p) == 0 && pkt_headroom(pkt_get(p)) == PKT_HDR);
	FW_EXPECT(t, pkt_push(p, &h, PKT_HDR + 1) == -EINVAL && pkt_get(p)->len == 0);
	FW_EXPECT(t, pkt_push(p, &h, PKT_HDR) == 0 && pkt_headroom(pkt_get(p)) == 0);
	FW_EXPECT(t, pkt_push(p, &h, 1) == -EINVAL && pkt_get(p)->len == PKT_HDR);
	FW_EXPECT(t, pkt_peek(p, 0, &h, PKT_HDR) == 0);
	FW_EXPECT(t, pkt_peek(p, 1, &h, PKT_HDR) == -EINVAL);           /* one past the end */
	FW_EXPECT(t, pkt_peek(p, PKT_HDR + 1, &h, 0) == -EINVAL);       /* offset past the end */
	FW_EXPECT(t, pkt_peek(p, UINT32_MAX, &h, 2) == -EINVAL);        /* off + n wraps */
	FW_EXPECT(t, pkt_pull(p, PKT_HDR + 1) == -EINVAL && pkt_get(p)->len == PKT_HDR);
	FW_EXPECT(t, pkt_pull(p, PKT_HDR) == 0 && pkt_get(p)->len == 0 && pkt_headroom(pkt_get(p)) == PKT_HDR);
	FW_EXPECT(t, pkt_peek(p, 0, &h, 1) == -EINVAL);
	pkt_free_all(p);
}

FW_KTEST(svc_net_pkt_fragments_limits_and_merging)
{
	struct pkt_ref p = {0};
	struct fw_frame_ref f = {0};
	FW_EXPECT(t, pkt_new(&p) == 0 && pattern_frame(0, &f) == 0);
	FW_EXPECT(t, pkt_add_frag(p, f, 4096, 1) == -EINVAL && pkt_add_frag(p, f, 4000, 97) == -EINVAL);
	FW_EXPECT(t, pkt_add_frag(p, f, 5000, 0) == -EINVAL && pkt_add_frag(p, f, 4096, 0) == 0);
	FW_EXPECT(t, pkt_get(p)->nfrag == 0 && pkt_get(p)->len == 0);
	/* bytes that follow on in the same frame extend the last fragment */
	FW_EXPECT(t, pkt_add_frag(p, f, 0, 100) == 0 && pkt_add_frag(p, f, 100, 3996) == 0);
	FW_EXPECT(t, pkt_get(p)->nfrag == 1 && pkt_get(p)->flen[0] == 4096 && pkt_get(p)->len == 4096);
	for (uint32_t i = 1; i < PKT_FRAGS; i++)
		FW_EXPECT(t, pkt_add_frag(p, f, 2 * i, 1) == 0);
	FW_EXPECT(t, pkt_get(p)->nfrag == PKT_FRAGS);
	FW_EXPECT(t, pkt_add_frag(p, f, 3000, 1) == -EMSGSIZE && pkt_get(p)->len == 4096 + PKT_FRAGS - 1);
	FW_EXPECT(t, pkt_add_frag(p, f, 2 * (PKT_FRAGS - 1) + 1, 5) == 0); /* merging needs no new slot */
	FW_EXPECT(t, pkt_get(p)->flen[PKT_FRAGS - 1] == 6);
	pkt_free_all(p);
	fw_frame_put(f);
}

FW_KTEST(svc_net_pkt_read_pull_trim_across_the_seam)
{
	struct pkt_ref p = {0};
	/* 11 linear bytes, then 300 bytes from offset 3900 of a frame: the
	 * fragment ends 4 bytes before the frame does */
	FW_EXPECT(t, build(11, 3900, 192, &p) == 0 && pkt_get(p)->len == 203);
	FW_EXPECT(t, bytes_are(p, 0, 128, 0) && bytes_are(p, 5, 20, 5) && bytes_are(p, 75, 128, 75));
	FW_EXPECT(t, !bytes_are(p, 76, 128, 76)); /* a byte past the end: refused */
	/* trim into the fragment, then pull through the linear part into it */
	pkt_trim(p, 150);
	FW_EXPECT(t, pkt_get(p)->len == 150 && pkt_get(p)->flen[0] == 139 && bytes_are(p, 22, 128, 22));
	pkt_trim(p, 500); /* longer: nothing happens */
	FW_EXPECT(t, pkt_get(p)->len == 150);
	FW_EXPECT(t, pkt_pull(p, 13) == 0 && pkt_get(p)->len == 137 && pkt_headroom(pkt_get(p)) == PKT_HDR);
	FW_EXPECT(t, pkt_get(p)->foff[0] == 3902 && bytes_are(p, 0, 128, 13) && bytes_are(p, 9, 128, 22));
	/* trim into the linear part drops every fragment */
	pkt_free_all(p);
	FW_EXPECT(t, build(40, 100, 50, &p) == 0);
	pkt_trim(p, 30);
	FW_EXPECT(t, pkt_get(p)->len == 30 && pkt_get(p)->nfrag == 0 && bytes_are(p, 0, 30, 0));
	FW_EXPECT(t, pkt_headroom(pkt_get(p)) == PKT_HDR - 30);
	pkt_trim(p, 0);
	FW_EXPECT(t, pkt_get(p)->len == 0 && pkt_headroom(pkt_get(p)) == PKT_HDR);
	pkt_free_all(p);
}

/* RFC 1071's sum, byte by byte: the reference. */
static uint32_t ref_sum(uint32_t from, uint32_t n)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i < n; i++)
		s += i % 2 ? pat(from + i) : (uint32_t)pat(from + i) << 8;
	return s;
}

FW_KTEST(svc_net_pkt_checksum_odd_lengths_and_splits)
{
	/* RFC 1071's worked example: 00 01 f2 03 f4 f5 f6 f7 sums to 2ddf0 */
	FW_EXPECT(t, csum_fold(0x2ddf0) == 0x220d);
	FW_EXPECT(t, csum_fold(0) == 0xffff && csum_fold(0xffff) == 0 && csum_fold(0x1fffe) == 0);
	FW_EXPECT(t, csum_fold(0xffffffff) == 0); /* carries that carry again */
	/* every split of linear and fragment bytes, odd and even, gives the
	 * reference sum of the same bytes */
	uint32_t lins[4] = {0, 1, 7, 20}, lens[5] = {1, 2, 9, 255, 777};
	for (uint32_t a = 0; a < 4; a++) {
		for (uint32_t b = 0; b < 5; b++) {
			struct pkt_ref p = {0};
			uint32_t lin = lins[a], n = lens[b];
			FW_EXPECT(t, build(lin, 4096 - n, n, &p) == 0);
			FW_EXPECT(t, csum_fold(pkt_csum(p, 0, lin + n, 0)) == csum_fold(ref_sum(0, lin + n)));
			/* from an odd offset: the sum restarts on a 16-bit boundary */
			FW_EXPECT(t, csum_fold(pkt_csum(p, 1, lin + n - 1, 0)) == csum_fold(ref_sum(1, lin + n - 1)));
			/* a range past the end leaves the sum alone */
			FW_EXPECT(t, pkt_csum(p, 0, lin + n + 1, 1234) == 1234 && pkt_csum(p, lin + n + 1, 0, 7) == 7);
			pkt_free_all(p);
		}
	}
}

FW_KTEST(svc_net_pkt_copy_add_from_and_queue)
{
	struct pkt_ref p = {0}, c = {0}, d = {0};
	FW_EXPECT(t, build(20, 1000, 300, &p) == 0);
	FW_EXPECT(t, pkt_copy(p, &c) == 0 && pkt_get(c)->len == 320 && bytes_are(c, 0, 128, 0) && bytes_are(c, 192, 128, 192));
	/* 10 linear bytes and 200 fragment bytes, re-referenced in a new packet */
	FW_EXPECT(t, pkt_new(&d) == 0 && pkt_add_from(d, p, 10, 210) == 0 && pkt_get(d)->len == 210);
	FW_EXPECT(t, pkt_get(d)->nfrag == 2 && bytes_are(d, 0, 128, 10) && bytes_are(d, 82, 128, 92));
	FW_EXPECT(t, pkt_add_from(d, p, 300, 21) == -EINVAL && pkt_add_from(d, p, 321, 0) == -EINVAL);
	FW_EXPECT(t, pkt_get(d)->len == 210);
	pkt_free_all(p); /* the others keep their own frame references */
	FW_EXPECT(t, bytes_are(c, 100, 128, 100) && bytes_are(d, 82, 128, 92));
	struct pktq q = {0};
	FW_EXPECT(t, !pkt_ref_valid(pktq_pop(&q)));
	pktq_tail(&q, c);
	pktq_tail(&q, d);
	FW_EXPECT(t, q.count == 2 && q.bytes == 530);
	struct pkt_ref x = pktq_pop(&q);
	FW_EXPECT(t, x.idx == c.idx && x.gen == c.gen && q.count == 1 && q.bytes == 210);
	pktq_tail(&q, x);
	x = pktq_pop(&q);
	FW_EXPECT(t, x.idx == d.idx && q.count == 1);
	pkt_free_all(x);
	pktq_purge(&q);
	FW_EXPECT(t, q.count == 0 && q.bytes == 0 && !pkt_ref_valid(c));
}
