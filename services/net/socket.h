/* The socket layer: protocol-independent socket objects, the operations
 * every address family implements, user I/O vectors, ancillary data and
 * waiting. Layer: services (safe C).
 *
 * Object model (stored references are pool handles):
 *   sock — one socket: family, type, generic options (SOL_SOCKET), the
 *          shutdown state, a pending error, and a handle to the protocol's
 *          own object (usock for AF_UNIX, inet for AF_INET, nlsock for
 *          netlink), and its wait queue. A socket file (sockfile.c) holds
 *          it; an embryo connection
 *          waiting in a listener's queue has no file yet.
 *   scm  — the parsed ancillary data of one message (SCM_RIGHTS files,
 *          SCM_CREDENTIALS), owned by the message that carries it.
 * A protocol is a const table of operations (struct sock_ops) chosen by
 * the socket's kind; it never calls back into the file layer.
 *
 * Guard legend: uniprocessor, non-preemptive kernel, so every field is
 * touched only from thread context between blocking points; a function
 * that sleeps re-resolves its handles afterwards. */
#ifndef SVC_NET_SOCKET_H
#define SVC_NET_SOCKET_H

#include "vfs/vfs.h"
#include <abi/fs.h>
#include <abi/net.h>
#include <fw/time.h>

/* A socket address as copied from user space (sockaddr_storage). */
struct sockaddr_k {
	uint32_t len;
	uint8_t b[SOCKADDR_MAX];
};

/* A walk over user memory described by an iovec array (or one buffer). */
struct uio {
	uint64_t iov;        /* user address of the iovec array; 0: one buffer */
	uint64_t cnt, idx;   /* iovecs, and the next one to load */
	uint64_t base, left; /* the current segment */
	uint64_t resid;      /* bytes left in all segments */
	bool kernel;         /* the source is kernel frame kf at base (sendfile) */
	struct fw_frame_ref kf;
};
#define UIO_MAXIOV 1024
#define MAX_RW_COUNT 0x7ffff000ULL

/* Check and total an iovec array (-EINVAL, -EMSGSIZE, -EFAULT). */
int uio_init_iov(struct uio *u, uint64_t uiov, uint64_t cnt);
int uio_init_buf(struct uio *u, uint64_t buf, uint64_t n);
/* A walk over n bytes of kernel frame f at off (a source only). */
void uio_init_frame(struct uio *u, struct fw_frame_ref f, uint32_t off, uint32_t n);
/* Move n bytes between the walk and a frame at off (user -> frame when
 * from_user); the walk advances. 0 or -EFAULT/-EINVAL. */
int uio_frame(struct uio *u, struct fw_frame_ref f, uint32_t off, uint32_t n, bool from_user);
/* Skip n bytes of the walk (MSG_TRUNC reads, discarded data). */
void uio_skip(struct uio *u, uint64_t n);

/* What kind of protocol object a socket has (index of its sock_ops). */
enum sock_kind { SK_NONE, SK_UNIX, SK_TCP, SK_UDP, SK_RAW, SK_PING, SK_NETLINK, SK_PACKET, SK_KIND_MAX };

struct sock;
FW_POOL_DECLARE(sock, struct sock);

/* Protocol objects (defined by their subsystems). */
FW_POOL_REF(usock);
FW_POOL_REF(inet);
FW_POOL_REF(nlsock);
FW_POOL_REF(psock);

/* Generic boolean options (sock.opts). */
#define SOF_REUSEADDR 0x1
#define SOF_KEEPALIVE 0x2
#define SOF_PASSCRED 0x4
#define SOF_BROADCAST 0x8
#define SOF_DONTROUTE 0x10
#define SOF_OOBINLINE 0x20
#define SOF_REUSEPORT 0x40
#define SOF_DEBUG 0x80

/* Shutdown bits (sock.shut), Linux's RCV_SHUTDOWN / SEND_SHUTDOWN. */
#define RCV_SHUT 1
#define SEND_SHUT 2

#define SOCK_BUF_DEFAULT 212992 /* net.core.[rw]mem_default and _max */
#define SOCK_MIN_SNDBUF 4608
#define SOCK_MIN_RCVBUF 2304

struct sock {
	uint16_t family, type, protocol;
	uint32_t kind;               /* enum sock_kind */
	uint32_t shut;               /* RCV_SHUT | SEND_SHUT */
	int32_t err;                 /* pending error (SO_ERROR), positive errno */
	uint32_t opts;               /* SOF_* */
	bool listening;              /* SO_ACCEPTCONN */
	bool sndbuf_set, rcvbuf_set; /* the user chose the size (no autotuning) */
	bool dead;                   /* released: its file is gone */
	uint32_t rcvbuf, sndbuf;
	int32_t rcvlowat;
	uint64_t rcvtimeo, sndtimeo; /* ns; 0: wait forever */
	struct linux_linger linger;
	uint32_t priority;
	uint32_t uid;       /* creator's effective uid (/proc/net files) */
	uint64_t ino;       /* socket inode number (fstat, /proc) */
	struct wq_ref wq;   /* sleepers and pollers, woken on every change */
	bool has_peer_cred; /* SO_PEERCRED */
	struct linux_ucred peer_cred;
	struct usock_ref un;  /* SK_UNIX */
	struct inet_ref in;   /* SK_TCP, SK_UDP, SK_RAW, SK_PING */
	struct nlsock_ref nl; /* SK_NETLINK */
	struct psock_ref pk;  /* SK_PACKET */
};

/* Ancillary data of one message. */
struct scm;
FW_POOL_DECLARE(scm, struct scm);
struct scm {
	struct file_ref fd[SCM_MAX_FD];
	uint32_t nfd;
	bool has_cred; /* explicit SCM_CREDENTIALS from the sender */
	struct linux_ucred cred;
	struct scm_ref next; /* scm_destroy's pending chain */
};
/* Drop the files a scm holds and free it (iteratively: a dropped file
 * may be a socket whose queue holds more; net/buf.c). */
void scm_destroy(struct scm_ref r);

/* One sendmsg/recvmsg in flight. */
struct sock_msg {
	struct uio data;
	struct sockaddr_k addr; /* send: destination (len 0: none); recv: source */
	uint64_t ctl, ctllen;   /* user control buffer */
	uint64_t ctl_used;      /* recv: bytes of control data written */
	uint32_t flags;         /* MSG_* given by the caller */
	uint32_t oflags;        /* recv: MSG_TRUNC, MSG_CTRUNC, ... to report */
	struct scm_ref scm;     /* send: parsed control data (invalid: none) */
	bool want_addr;         /* recv: the caller asked for the source */
};

/* Option values: up to 256 bytes in either direction. */
struct optval {
	uint32_t len;
	uint8_t b[256];
};

/* The operations of one protocol. Every function receives the socket's
 * handle; those that sleep re-resolve it. Unsupported operations return
 * Linux's errno for them (-EOPNOTSUPP mostly). */
struct sock_ops {
	int (*init)(struct sock_ref s);
	void (*release)(struct sock_ref s);
	int (*bind)(struct sock_ref s, const struct sockaddr_k *a);
	int (*connect)(struct sock_ref s, const struct sockaddr_k *a, bool nonblock);
	int (*listen)(struct sock_ref s, int32_t backlog);
	int (*accept)(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer);
	int64_t (*send)(struct sock_ref s, struct sock_msg *m, bool nonblock);
	int64_t (*recv)(struct sock_ref s, struct sock_msg *m, bool nonblock);
	int (*shutdown)(struct sock_ref s, uint32_t how); /* RCV_SHUT | SEND_SHUT */
	int (*getname)(struct sock_ref s, bool peer, struct sockaddr_k *out);
	uint32_t (*poll)(struct sock_ref s);
	int (*setopt)(struct sock_ref s, int32_t level, int32_t name, const struct optval *v);
	int (*getopt)(struct sock_ref s, int32_t level, int32_t name, struct optval *v);
	int64_t (*ioctl)(struct sock_ref s, uint64_t cmd, uint64_t arg);
};

/* Registration (boot): a protocol's operations for its kind, an address
 * family's choice of kind for (type, protocol) (-errno when it has none),
 * and the interface ioctls (SIOCGIF*) every socket answers. */
#define AF_MAX_K 46
int sock_proto_register(uint32_t kind, const struct sock_ops *ops);
int sock_family_register(uint32_t family, int (*kind_for)(int32_t type, int32_t *protocol));
void sock_ifioctl_register(int64_t (*fn)(uint64_t cmd, uint64_t arg));
/* SIOCGIF* and friends on any socket (-ENOTTY for other requests). */
int64_t sock_ifioctl(uint64_t cmd, uint64_t arg);

/* Socket objects (socket.c). */
int sock_create(int32_t family, int32_t type, int32_t protocol, struct sock_ref *out);
/* A connection's socket, made by the protocol (no file yet). */
int sock_new_child(struct sock_ref parent, struct sock_ref *out);
void sock_release(struct sock_ref s);
/* Free a socket object (the protocol's release calls it when done). */
void sock_destroy(struct sock_ref s);
/* A readiness change: wakes pollers and sleepers. */
void sock_changed(struct sock_ref s);
/* Its wait-queue counter (moves on every change). */
uint64_t sock_gen(struct sock_ref s);
/* Absolute deadline for a blocking call (0: none) from SO_RCVTIMEO or
 * SO_SNDTIMEO. */
uint64_t sock_deadline(struct sock_ref s, bool rcv);
/* Sleep until socket s (or `on`, another socket whose change we wait
 * for) changes: 0, -EAGAIN when the deadline passed, -ERESTARTSYS (no
 * timeout set) or -EINTR on a signal. */
int sock_wait(struct sock_ref s, uint64_t deadline);
int sock_wait_on(struct sock_ref on, uint64_t deadline);
/* Take and clear the pending error (negative errno, 0 if none). */
int sock_take_error(struct sock_ref s);
/* Raise SIGPIPE for an EPIPE unless MSG_NOSIGNAL; returns e. */
int64_t sock_epipe(int64_t e, uint32_t flags);
/* Credentials of the calling process as SO_PEERCRED reports them. */
struct linux_ucred sock_cur_cred(void);

/* Descriptors (sockfile.c: the VFS glue). Register the socket file
 * operations (boot). */
int sock_file_init(void);
bool sock_file_is(struct file_ref f);
/* What AF_UNIX and SCM_RIGHTS need from the VFS and the process: a new
 * descriptor under RLIMIT_NOFILE, permission checks (mask: 4 read,
 * 2 write, 1 search), a socket inode for a path name. */
int net_fd_install(struct file_ref f, bool cloexec);
int net_may_access(struct inode_ref ino, uint32_t mask);
int net_make_sock_node(struct inode_ref dir, const struct kname *name, uint32_t perm, struct inode_ref *out);
int sock_file_new(struct sock_ref s, uint32_t flags, struct file_ref *out);
/* The socket behind descriptor fd: -EBADF, -ENOTSOCK. */
int sock_from_fd(int64_t fd, struct sock_ref *out, struct file_ref *fout);
bool sock_file_nonblock(struct file_ref f);
/* sendfile(2) to a socket: n bytes of inode src from off (copied from
 * the file's pages). Bytes sent, or an error if none were. */
int64_t sock_sendfile(struct file_ref out, struct inode_ref src, uint64_t off, uint64_t n);

/* Calls made by the syscall layer (socket.c, sockopt.c, msg.c). */
int sock_bind(struct sock_ref s, const struct sockaddr_k *a);
int sock_connect(struct sock_ref s, const struct sockaddr_k *a, bool nonblock);
int sock_listen(struct sock_ref s, int32_t backlog);
int sock_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer);
int64_t sock_sendmsg(struct sock_ref s, struct sock_msg *m, bool nonblock);
int64_t sock_recvmsg(struct sock_ref s, struct sock_msg *m, bool nonblock);
int sock_shutdown(struct sock_ref s, int32_t how);
int sock_getname(struct sock_ref s, bool peer, struct sockaddr_k *out);
int sock_setsockopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v);
int sock_getsockopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v);
int64_t sock_ioctl(struct sock_ref s, uint64_t cmd, uint64_t arg);
uint32_t sock_poll(struct sock_ref s, struct poll_table *pt);

/* The socket layer's answers for operations a protocol does not have. */
int no_listen(struct sock_ref s, int32_t backlog);
int no_accept(struct sock_ref s, bool nonblock, struct sock_ref *out, struct sockaddr_k *peer);
/* The protocol's own options (levels other than SOL_SOCKET, and the
 * SOL_SOCKET ones it wants to see after the generic code). */
int sock_proto_setopt(struct sock_ref s, int32_t level, int32_t name, const struct optval *v);
int sock_proto_getopt(struct sock_ref s, int32_t level, int32_t name, struct optval *v);

/* Option value helpers. */
void optval_int(struct optval *v, int32_t x);
/* The int an option sets (-EINVAL if shorter than an int). */
int optval_get_int(const struct optval *v, int32_t *x);

/* Ancillary data (scm.c): parse a sender's control buffer into m->scm
 * (SCM_RIGHTS, SCM_CREDENTIALS; -EINVAL, -EBADF, -EPERM). */
int scm_from_user(struct sock_msg *m);
/* Deliver credentials / files to the receiver's control buffer; files
 * are installed as new descriptors (MSG_CMSG_CLOEXEC) and those that do
 * not fit are dropped with MSG_CTRUNC. peek: install copies, keep scm. */
void scm_put_cred(struct sock_msg *m, const struct linux_ucred *c);
void scm_put_files(struct sock_msg *m, struct scm_ref r, bool peek);
/* Write one control message (level, type, bytes of *data). */
void cmsg_put(struct sock_msg *m, int32_t level, int32_t type, const struct optval *data);

/* Frames for socket data, recycled without re-zeroing (net/buf.c). Only
 * frames the socket layer owns alone may be given back. */
int net_frame_get(struct fw_frame_ref *out);
void net_frame_put(struct fw_frame_ref f);

/* Socket inode numbers (shared with the /proc/net files). */
uint64_t net_next_ino(void);

#endif
