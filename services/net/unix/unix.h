/* AF_UNIX sockets: stream, datagram and seqpacket; path and abstract
 * names; SCM_RIGHTS and SCM_CREDENTIALS. Layer: services (safe C).
 *
 * Object model (stored references are pool handles):
 *   usock — the AF_UNIX part of a socket: its name, its peer, its receive
 *           queue of records, its accept queue when listening, and the
 *           bytes it has queued at receivers (send-buffer accounting).
 *   urec  — one record in a receive queue: the bytes of one send (in
 *           frames), the sender's address and credentials, and any
 *           ancillary data. Stream sockets read across records; datagram
 *           and seqpacket sockets read one record per call.
 * All AF_UNIX sockets are on one list (name lookup, /proc/net/unix).
 * Names: a path name is a socket inode in the file system (the binding
 * remembers the inode); an abstract name lives only in the list. */
#ifndef SVC_NET_UNIX_UNIX_H
#define SVC_NET_UNIX_UNIX_H

#include "net/socket.h"
#include "fs/procfs/procfs.h"

#define UREC_PAGES 64          /* a record holds at most 256 KiB (a datagram of SO_SNDBUF) */
#define UNIX_MAX_DGRAM_QLEN 10 /* net.unix.max_dgram_qlen */
#define UNIX_PATH_OFF 2        /* offsetof(struct sockaddr_un, sun_path) */
#define UNIX_ADDR_MAX 110      /* sizeof(struct sockaddr_un) */

enum unix_state { US_UNCONNECTED, US_LISTEN, US_CONNECTED };

/* A bound name as getsockname reports it (family included). */
struct unix_addr {
	uint32_t len; /* 0: unbound */
	uint8_t b[UNIX_ADDR_MAX];
};

struct urec;
FW_POOL_DECLARE(urec, struct urec);
struct urec {
	struct urec_ref next;
	uint32_t len, off; /* bytes, and bytes already read (stream) */
	uint32_t truesize; /* charged to the sender's send buffer */
	struct fw_frame_ref page[UREC_PAGES];
	struct scm_ref scm;      /* files and explicit credentials, if any */
	struct linux_ucred cred; /* the sender's credentials */
	struct usock_ref from;   /* the sender (send-buffer accounting) */
	struct unix_addr from_addr;
};

struct usock;
struct usock *usock_get(struct usock_ref r);
FW_MUST_CHECK int usock_alloc(struct usock_ref *out);
void usock_free(struct usock_ref r);
bool usock_ref_valid(struct usock_ref r);
uint32_t usock_count(void);

struct usock {
	struct sock_ref sk;
	struct usock_ref next_all, prev_all; /* every AF_UNIX socket */
	uint32_t state;                      /* enum unix_state */
	uint16_t type;                       /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	struct unix_addr addr;
	struct inode_ref inode; /* path names: the socket inode */
	struct usock_ref peer;
	/* receive queue */
	struct urec_ref rq_head, rq_tail;
	uint32_t rq_len, rq_bytes;
	/* listening: connections not yet accepted (embryos, linked by next_conn) */
	struct usock_ref aq_head, aq_tail, next_conn;
	uint32_t aq_len, backlog;
	uint32_t wmem; /* truesize of our records still queued at receivers */
	bool dead;
	bool embryo; /* in a listener's accept queue */
};

/* Register AF_UNIX with the socket layer and /proc/net/unix (boot). */
int unix_proto_init(void);

/* The sock_ops of AF_UNIX (unix.c, stream.c, dgram.c). */
int unix_init(struct sock_ref s);
void unix_release(struct sock_ref s);
int unix_bind(struct sock_ref s, const struct sockaddr_k *a);
int unix_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock);
int unix_listen(struct sock_ref s, int32_t backlog);
int unix_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer);
int64_t unix_send(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t unix_recv(struct sock_ref s, struct sock_msg *m, bool nonblock);
int unix_shutdown(struct sock_ref s, uint32_t how);
int unix_getname(struct sock_ref s, bool peer, struct sockaddr_k *out);
uint32_t unix_poll(struct sock_ref s);
int unix_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v);
int unix_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v);
int64_t unix_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg);

/* socketpair(2): two connected sockets of the same type. */
int unix_pair(struct sock_ref a, struct sock_ref b);

/* Names (addr.c). */
/* Parse a sockaddr_un: path (NUL-terminated in out) or abstract. */
int unix_addr_parse(const struct sockaddr_k *a, struct unix_addr *out);
bool unix_addr_abstract(const struct unix_addr *a);
/* Give an unbound socket an abstract "\0xxxxx" name. */
int unix_autobind(struct usock_ref u);
/* Bind u to addr: creates the socket inode for a path. */
int unix_bind_addr(struct usock_ref u, const struct unix_addr *a);
/* The socket an address names, for connect/sendto: -ENOENT,
 * -ECONNREFUSED (nothing there), -EACCES, -EPROTOTYPE (wrong type). */
int unix_find(const struct unix_addr *a, uint16_t type, struct usock_ref *out);
/* Drop u's name (release). */
void unix_unbind(struct usock_ref u);
void unix_list_add(struct usock_ref u);
void unix_list_del(struct usock_ref u);
struct usock_ref unix_list_first(void);

/* Records (queue.c). */
/* A record of n bytes from the walk (may block for buffer space is the
 * caller's business); charges the sender. */
int urec_new(struct usock_ref from, struct uio *data, uint32_t n, struct urec_ref *out);
/* Free a record (its frames and ancillary data) and uncharge its sender. */
void urec_destroy(struct urec_ref r);
void unix_queue_tail(struct usock_ref u, struct urec_ref r);
/* Unlink the head record of u's receive queue. */
struct urec_ref unix_queue_pop(struct usock_ref u);
void unix_queue_purge(struct usock_ref u);
/* Copy n bytes of record r from offset off to the walk. */
int urec_copy_out(struct urec_ref r, uint32_t off, struct uio *data, uint32_t n);
/* Bytes one record of this size costs its sender. */
uint32_t urec_truesize(uint32_t n);
struct linux_ucred unix_sender_cred(const struct sock_msg *m);
/* Wait until u's send buffer has room (both data paths): 0, -EAGAIN when
 * nonblock, -EPIPE after shutdown, a pending socket error, or the wait's. */
int unix_wait_sndbuf(struct sock_ref s, struct usock_ref u, bool nonblock, uint64_t deadline);

/* The two families of data paths. */
int64_t unix_stream_send(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t unix_stream_recv(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t unix_dgram_send(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t unix_dgram_recv(struct sock_ref s, struct sock_msg *m, bool nonblock);

/* /proc/net/unix (procnet.c). */
void unix_proc_net(struct ptext *t);

#endif
