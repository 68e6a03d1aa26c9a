/* TCP (RFC 9293): the control block, the send ring and the internal
 * interfaces between input, output, timers and the socket calls.
 * Layer: services (safe C).
 *
 * Object model (stored references are pool handles):
 *   tcb   — one connection's state: sequence variables, windows, RTT and
 *           congestion state, timer deadlines, the receive queues and, for
 *           a listener, its SYN and accept queues.
 *   tsnd  — the send buffer: a ring of frames holding the bytes from
 *           snd_una on. Bytes are never rewritten once written; a frame
 *           leaves the ring when all its bytes are acknowledged, so a
 *           segment can reference ring frames (no copy) and the receiver
 *           can keep them in its queue.
 * Ownership ("socket lock"): a system call working on a connection sets
 * `owned`; segments and timer expiries that arrive meanwhile wait in the
 * tcb's backlog and are processed by tcp_unlock(), never in the middle of
 * the call. This also keeps the synchronous loopback path from
 * re-entering a connection that is halfway through an update. */
#ifndef SVC_NET_INET_TCP_H
#define SVC_NET_INET_TCP_H

#include "net/inet/inet.h"

/* States, numbered as Linux shows them in /proc/net/tcp. */
enum tcp_state {
	TCPS_NONE,
	TCPS_ESTABLISHED,
	TCPS_SYN_SENT,
	TCPS_SYN_RECV,
	TCPS_FIN_WAIT1,
	TCPS_FIN_WAIT2,
	TCPS_TIME_WAIT,
	TCPS_CLOSED,
	TCPS_CLOSE_WAIT,
	TCPS_LAST_ACK,
	TCPS_LISTEN,
	TCPS_CLOSING,
};

/* The socket's view (Linux's sock->state). */
enum tcp_sockstate { SS_UNCONN, SS_CONNECTING, SS_CONNECTED };

#define TCP_HLEN 20
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

#define TCP_MSS_DEFAULT 536
#define TCP_MIN_MSS 88
#define TCP_RTO_MIN_US 200000U
#define TCP_RTO_MAX_US 120000000U
#define TCP_RTO_INIT_US 1000000U
#define TCP_DELACK_NS 40000000ULL
#define TCP_TIMEWAIT_NS (60ULL * 1000000000ULL)
#define TCP_FIN_TIMEOUT_NS (60ULL * 1000000000ULL)
#define TCP_RETRIES2 15
#define TCP_SYN_RETRIES 6
#define TCP_SYNACK_RETRIES 5
#define TCP_KEEPIDLE_DEFAULT 7200
#define TCP_KEEPINTVL_DEFAULT 75
#define TCP_KEEPCNT_DEFAULT 9
#define TCP_RCV_WSCALE 7
#define TCP_INIT_CWND 10
#define TCP_SNDBUF_DEFAULT 16384
#define TCP_RCVBUF_DEFAULT 131072
#define TCP_SND_PAGES 256    /* the send ring: at most 1 MiB */
#define TCP_BUF_AUTO 1048576 /* buffer size used when the user set none */
#define TCP_SYNQ_MAX 256     /* half-open connections per listener */
#define TCP_MAX_ORPHANS 4096
#define TCP_BACKLOG_MAX 256 /* segments deferred while a call owns the socket */
#define TCP_MAX_TIME_WAIT 1024 /* connections in TIME_WAIT (tcp_max_tw_buckets) */

struct tsnd;
FW_POOL_DECLARE(tsnd, struct tsnd);
struct tsnd {
	struct fw_frame_ref page[TCP_SND_PAGES];
	uint32_t head; /* ring index of the page holding snd_una */
	uint32_t npages;
	uint32_t off; /* offset of snd_una's byte in that page */
};

struct tcb;
struct tcb *tcb_get(struct tcb_ref r);
FW_MUST_CHECK int tcb_alloc(struct tcb_ref *out);
void tcb_free(struct tcb_ref r);
bool tcb_ref_valid(struct tcb_ref r);
uint32_t tcb_count(void);

struct tcb {
	struct sock_ref sk;
	struct inet_ref in;
	uint32_t state;      /* enum tcp_state */
	uint32_t ss;         /* enum tcp_sockstate */
	bool owned;          /* a system call is working on it */
	bool done;           /* the connection ended (Linux SOCK_DONE) */
	bool orphan;         /* no file any more */
	struct pktq held;    /* segments that arrived while owned */
	bool deferred_timer; /* a timer fired while owned */
	/* send sequence space */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t max_window;
	/* receive sequence space */
	uint32_t irs, rcv_nxt, rcv_wup, rcv_adv;
	uint8_t snd_wscale, rcv_wscale;
	bool wscale_ok;
	uint32_t mss;      /* what we send per segment */
	uint32_t peer_mss; /* the peer's MSS option */
	uint32_t advmss;   /* what we announce */
	uint32_t user_mss; /* TCP_MAXSEG */
	/* congestion control (RFC 5681, NewReno) */
	uint32_t cwnd, ssthresh, dupacks, recover;
	bool in_recovery;
	/* RTT estimation (RFC 6298), microseconds */
	uint32_t srtt, rttvar, rto;
	bool rtt_valid, rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	uint32_t backoff, retrans;
	/* timers: absolute monotonic deadlines, 0 when off */
	uint64_t t_rexmt, t_delack, t_persist, t_keep, t_close, t_armed;
	struct fw_timer_ref timer;
	bool timer_ok;
	uint32_t keep_probes, persist_probes;
	uint64_t last_rcv_ns; /* keepalive idle time */
	/* send buffer */
	struct tsnd_ref snd;
	uint32_t snd_len; /* bytes in the ring, from snd_una */
	bool fin_queued, fin_sent;
	/* receive queues: payload packets, in order and out of order */
	struct pktq rcvq, ooo;
	uint32_t rcv_off; /* bytes of rcvq's head already read */
	uint32_t rmem;    /* truesize of both queues */
	bool fin_rcvd;
	uint32_t unacked_segs; /* segments received since our last ACK */
	bool quickack;
	/* options */
	bool nodelay, cork;
	uint32_t keepidle, keepintvl, keepcnt, syncnt;
	int32_t linger2;
	uint32_t user_timeout_ms, window_clamp;
	bool defer_accept;
	/* listening */
	uint32_t backlog;
	uint32_t synq_len; /* children in SYN_RECV */
	struct inet_ref acq_head, acq_tail;
	uint32_t acq_len;
	struct inet_ref synq_head; /* children in SYN_RECV, linked by next_acq */
	/* a child of a listener (on its SYN list, then its accept queue) */
	struct inet_ref parent;
	struct inet_ref next_acq;
	bool in_acq, in_synq;
	bool destroy_pending; /* closed orphan: freed at unlock */
	/* errors */
	int32_t soft_err;
	uint64_t last_oow_ns;      /* the last ACK for an unacceptable segment */
	uint64_t cookies_until;    /* listener: SYN cookies went out; their ACKs count until then */
};

/* tcp_sock.c */
bool tcp_is_closed(struct tcb_ref t);
uint32_t tcp_time_wait_count(void);
/* The MSS to announce towards dst (its route's MTU less the headers). */
uint32_t tcp_advmss_for(uint32_t dst);
bool tcp_has_peer(struct tcb_ref t);
int tcp_setopt_socket(struct sock_ref s, int32_t name);
/* The socket lock: take it for a call; unlock processes the backlog. */
void tcp_lock(struct tcb_ref t);
void tcp_unlock(struct tcb_ref t);
/* Wait for a change with the lock released around the sleep. */
int tcp_wait(struct tcb_ref t, uint64_t deadline);
/* A new connection from a listener (SYN_RECV), or -ENOBUFS. */
int tcp_child_new(struct inet_ref listener, struct inet_ref *out);
/* Tear a connection down completely (states CLOSED, TIME_WAIT over). */
void tcp_destroy(struct tcb_ref t);
/* Move to a state; CLOSED wakes everyone and may free an orphan. */
void tcp_set_state(struct tcb_ref t, uint32_t st);
/* A connection that failed (RST, timeout): report err and close. */
void tcp_abort(struct tcb_ref t, int32_t err);
uint32_t tcp_rcvbuf(const struct tcb *tp);
uint32_t tcp_sndbuf(const struct tcb *tp);
/* Which tcb a socket has. */
struct tcb_ref tcb_of(struct sock_ref s);

/* tcp_buf.c: the send ring */
int tsnd_append_uio(struct tcb_ref t, struct uio *u, uint32_t n);
int tsnd_append_frame(struct tcb_ref t, struct fw_frame_ref f, uint32_t off, uint32_t n);
/* Drop n acknowledged bytes from the front. */
void tsnd_ack(struct tcb_ref t, uint32_t n);
/* Add bytes [off, off+n) of the ring (off from snd_una) to packet p. */
int tsnd_to_pkt(struct tcb_ref t, uint32_t off, uint32_t n, struct pkt_ref p);
void tsnd_release(struct tcb_ref t);
uint32_t tsnd_room(const struct tcb *tp);

/* tcp_output.c */
/* Send what the windows, Nagle and cork allow. */
void tcp_output(struct tcb_ref t);
/* Send a segment with flags (SYN, FIN, RST...) and no data. */
int tcp_send_ctl(struct tcb_ref t, uint8_t flags, uint32_t seq);
void tcp_send_ack(struct tcb_ref t);
/* Retransmit the first unacknowledged segment. */
void tcp_retransmit(struct tcb_ref t);
/* Reply to a segment with no connection (RFC 9293 reset generation). */
void tcp_send_reset_for(struct pkt_ref seg, uint32_t seq, uint32_t ack, uint8_t flags);
/* The window to announce now (unscaled bytes). */
uint32_t tcp_rcv_window(const struct tcb *tp);
/* After the reader took data: announce a window that grew a lot. */
void tcp_window_update(struct tcb_ref t);
uint32_t tcp_flight(const struct tcb *tp);

/* tcp_input.c */
/* The MSS and window-scale options of a header of hl bytes into pp
 * (opt_mss 0, opt_wscale -1 when absent); a malformed list ends the
 * parse, a scale above 14 counts as 14 (RFC 7323). */
void tcp_parse_options(const struct hbuf *h, uint32_t hl, struct pkt *pp);
void tcp_rcv_established(struct tcb_ref t, struct pkt_ref p);
/* Process one segment for connection t (not owned). */
void tcp_process(struct tcb_ref t, struct pkt_ref p);

/* tcp_cookie.c: a SYN cookie for a SYN (its MSS in *mss), and checking
 * the ACK that returns one. */
uint32_t tcp_cookie_make(const struct pkt *syn, uint32_t advmss, uint32_t *mss);
bool tcp_cookie_check(const struct pkt *ack, uint32_t *mss);
/* A SYN-ACK with no connection behind it (SYN cookies). */
void tcp_send_synack_for(struct pkt_ref syn, uint32_t iss, uint16_t mss);

/* tcp_timer.c */
void tcp_timer_fire(uint64_t cookie);
/* Re-arm the framework timer for the earliest deadline. */
void tcp_timers_update(struct tcb_ref t);
void tcp_rtt_sample(struct tcb_ref t, uint64_t rtt_us);
void tcp_set_rexmt(struct tcb_ref t);
void tcp_handle_timers(struct tcb_ref t);
int tcp_timer_init(struct tcb_ref t);
void tcp_keepalive_reset(struct tcb_ref t);

/* Sequence number comparisons (mod 2^32). */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

#endif
