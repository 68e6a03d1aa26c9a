/* Packet buffers. Layer: services (safe C).
 *
 * A packet is a pool object holding up to PKT_HDR bytes of *linear* data
 * (the headers, at the end of `hdr`, so headers are pushed in front by
 * moving `hoff` down) followed by fragments: pieces of 4 KiB frames, each a
 * counted reference, so a TCP segment can point into the sender's buffer
 * without copying. Bytes of a packet are only read through these
 * functions, which check every offset. Headers are parsed from byte arrays
 * (get16/get32 are big-endian, as on the wire), never by overlaying
 * structs.
 *
 * Memory is bounded: at most PKT_MAX packets exist; allocation beyond that
 * fails with -ENOBUFS and the caller drops or reports it. */
#ifndef SVC_NET_PKT_H
#define SVC_NET_PKT_H

#include "net/socket.h"

#define PKT_HDR 128  /* linear bytes: the largest IP + TCP header */
#define PKT_FRAGS 18 /* 64 KiB of payload at any alignment, plus one */
#define PKT_MAX 8192 /* packets in existence, all sockets and devices */

/* pkt.flags */
#define PKT_CSUM_OK 1 /* checksums need no checking (loopback) */
#define PKT_BCAST 2        /* link-layer broadcast */
#define PKT_FRAMED 4       /* starts with an Ethernet header (a packet socket's frame on lo) */

struct pkt;
FW_POOL_DECLARE(pkt, struct pkt);
struct pkt {
	struct pkt_ref next;  /* queue link */
	uint8_t hdr[PKT_HDR]; /* linear bytes are hdr[hoff..PKT_HDR) */
	uint32_t hoff;
	uint32_t nfrag;
	struct fw_frame_ref fpage[PKT_FRAGS];
	uint16_t foff[PKT_FRAGS], flen[PKT_FRAGS];
	uint32_t len; /* linear + fragment bytes */
	uint32_t flags;
	uint32_t ifindex; /* device it arrived on / leaves by */
	/* filled in by the IPv4 input path for the transport layer */
	uint32_t saddr, daddr; /* host byte order */
	uint8_t proto, ttl, tos;
	uint32_t iphlen;       /* length of the IP header pulled off */
	uint16_t sport, dport; /* UDP/TCP ports, host byte order */
	/* TCP header fields, parsed once on arrival */
	uint32_t seq, ack;
	uint32_t win;
	uint8_t tflags;
	uint16_t opt_mss;  /* 0: no MSS option */
	int8_t opt_wscale; /* -1: no window scale option */
	uint32_t truesize; /* bytes charged to a receive buffer */
};

/* Wire-format helpers on byte arrays. */
static inline uint16_t be16(uint16_t x) { return (uint16_t)((x >> 8) | (x << 8)); }
static inline uint32_t be32(uint32_t x) { return (x >> 24) | ((x >> 8) & 0xff00) | ((x << 8) & 0xff0000) | (x << 24); }

/* A header parsed out of a packet (bytes in wire order). */
struct hbuf {
	uint8_t b[PKT_HDR];
};
static inline uint16_t hget16(const struct hbuf *h, uint32_t at)
{
	return (uint16_t)((h->b[at % PKT_HDR] << 8) | h->b[(at + 1) % PKT_HDR]);
}
static inline uint32_t hget32(const struct hbuf *h, uint32_t at)
{
	return ((uint32_t)hget16(h, at) << 16) | hget16(h, at + 2);
}
static inline void hput16(struct hbuf *h, uint32_t at, uint16_t v)
{
	h->b[at % PKT_HDR] = (uint8_t)(v >> 8);
	h->b[(at + 1) % PKT_HDR] = (uint8_t)v;
}
static inline void hput32(struct hbuf *h, uint32_t at, uint32_t v)
{
	hput16(h, at, (uint16_t)(v >> 16));
	hput16(h, at + 2, (uint16_t)v);
}

/* A new empty packet (-ENOBUFS past PKT_MAX). */
int pkt_new(struct pkt_ref *out);
/* Free a packet and its references to frames. */
void pkt_free_all(struct pkt_ref p);
/* Linear bytes available in front for headers. */
uint32_t pkt_headroom(const struct pkt *p);
/* Put n bytes of h in front of the packet (n <= headroom). */
int pkt_push(struct pkt_ref p, const struct hbuf *h, uint32_t n);
/* Copy the first n bytes (n <= PKT_HDR) into h without consuming them;
 * -EINVAL if the packet is shorter. */
int pkt_peek(struct pkt_ref p, uint32_t off, struct hbuf *h, uint32_t n);
/* Remove n bytes from the front. */
int pkt_pull(struct pkt_ref p, uint32_t n);
/* Cut the packet to n bytes (n <= len). */
void pkt_trim(struct pkt_ref p, uint32_t n);
/* Append a fragment referencing n bytes of frame f at off (takes a new
 * reference to f). */
int pkt_add_frag(struct pkt_ref p, struct fw_frame_ref f, uint32_t off, uint32_t n);
/* Append n bytes from a user walk into new frames. */
int pkt_add_uio(struct pkt_ref p, struct uio *u, uint32_t n);
/* Append n bytes from another packet at off (references its frames;
 * linear bytes are copied into a new frame). */
int pkt_add_from(struct pkt_ref p, struct pkt_ref src, uint32_t off, uint32_t n);
/* Copy n bytes at off to a user walk. */
int pkt_to_uio(struct pkt_ref p, uint32_t off, struct uio *u, uint32_t n);
/* Copy n bytes at off into a frame at foff. */
int pkt_to_frame(struct pkt_ref p, uint32_t off, struct fw_frame_ref f, uint32_t foff, uint32_t n);
/* One's-complement sum of n bytes at off, added to sum (not folded). */
uint32_t pkt_csum(struct pkt_ref p, uint32_t off, uint32_t n, uint32_t sum);
/* Fold a 32-bit one's-complement sum into the 16-bit checksum field. */
uint16_t csum_fold(uint32_t sum);
/* A deep copy (raw sockets each get their own). */
int pkt_copy(struct pkt_ref src, struct pkt_ref *out);
/* Bytes of memory a packet holds, for buffer accounting. */
uint32_t pkt_truesize(struct pkt_ref p);

/* Packet queues: head/tail handles and counts kept by the owner. */
struct pktq {
	struct pkt_ref head, tail;
	uint32_t count;
	uint32_t bytes; /* sum of len */
	uint32_t mem;   /* sum of truesize */
};
void pktq_tail(struct pktq *q, struct pkt_ref p);
struct pkt_ref pktq_pop(struct pktq *q);
void pktq_purge(struct pktq *q);

/* Counters for /proc and the fuzz test. */
struct net_stats {
	uint64_t ip_in, ip_in_hdr_errors, ip_in_addr_errors, ip_in_delivers, ip_in_unknown_proto;
	uint64_t ip_frag_dropped, ip_out, ip_out_no_routes, ip_in_discards;
	uint64_t icmp_in, icmp_in_errors, icmp_out;
	uint64_t udp_in, udp_no_ports, udp_in_errors, udp_rcvbuf_errors, udp_out;
	uint64_t tcp_in, tcp_in_errs, tcp_out, tcp_retrans, tcp_rst_out, tcp_active_opens, tcp_passive_opens;
	uint64_t tcp_attempt_fails, tcp_estab_resets, tcp_syn_dropped, tcp_ofo_dropped, tcp_syn_cookies;
	uint64_t pkt_alloc_fail;
};
struct net_stats *net_stats(void);

#endif
