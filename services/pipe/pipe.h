/* Pipes and FIFOs. Layer: services (safe C).
 * A pipe is a ring of bytes kept in (lazily allocated) frames, with
 * counts of its read and write ends. Its capacity is 64 KiB when made
 * (less for an unprivileged user when /proc/sys/fs/pipe-max-size or the
 * user's pipe-user-pages-soft say so, as Linux) and F_SETPIPE_SZ changes
 * it (a power of two from 4 KiB to 1 MiB). Readers and writers have a
 * queue each: a write wakes the read side, a read the write side (so an
 * edge-triggered epoll on one end is not woken by its own side).
 * Anonymous pipes come from
 * pipe2; a FIFO inode creates its pipe on first open and drops it (with
 * any unread bytes, as Linux does) when the last end closes. */
#ifndef SVC_PIPE_PIPE_H
#define SVC_PIPE_PIPE_H

#include "vfs/vfs.h"

#define PIPE_SIZE 65536                  /* a new pipe's capacity (Linux's 16 pages) */
#define PIPE_FRAMES (PIPE_SIZE / 4096)   /* frames kept in the pipe itself */
#define PIPE_MAX_BYTES (1u << 20)        /* the largest capacity Keel's pipes take */
#define PIPE_BIG_FRAMES (PIPE_MAX_BYTES / 4096 - PIPE_FRAMES)
#define PIPE_BUF 4096

/* The frames of a pipe beyond its first PIPE_FRAMES (capacity > 64 KiB). */
struct pipe_big {
	struct fw_frame_ref buf[PIPE_BIG_FRAMES];
};
FW_POOL_DECLARE(pipe_big, struct pipe_big);

struct pipe;
FW_POOL_DECLARE(pipe, struct pipe);
struct pipe {
	struct fw_frame_ref buf[PIPE_FRAMES];
	struct pipe_big_ref big;    /* the rest, while the capacity is above 64 KiB */
	uint32_t size;              /* capacity in bytes (a power of two, 4 KiB..1 MiB) */
	uint32_t user, pages;       /* the real uid charged (pipe-user-pages) and its pages */
	uint32_t head, len;         /* bytes at [head, head + len) mod size */
	uint32_t readers, writers;  /* open ends */
	uint32_t r_opens, w_opens;  /* FIFO open rendezvous: ends ever opened */
	struct wq_ref wq;           /* readers and FIFO openers wait here */
	struct fw_waitq_ref q;      /* wq's framework queue, slept on directly */
	struct wq_ref wq_w;         /* writers wait here */
	struct fw_waitq_ref q_w;    /* wq_w's framework queue */
	bool fifo;                  /* belongs to a FIFO inode */
};

/* /proc/sys/fs/pipe-max-size (bytes), pipe-user-pages-soft and -hard
 * (pages per user; 0: none). Setting pipe-max-size rounds up to a power
 * of two of at least 4096 (-EINVAL past 2^31); the page limits take any
 * value. */
#define PIPE_LIM_MAX_SIZE 0
#define PIPE_LIM_PAGES_SOFT 1
#define PIPE_LIM_PAGES_HARD 2
uint64_t pipe_limit(uint32_t which);
int pipe_set_limit(uint32_t which, uint64_t v);

/* Register the pipe's file operations, and the FIFO's with the VFS (boot). */
int pipe_init(void);
/* Both ends of a new anonymous pipe (flags: O_NONBLOCK). */
int pipe_create_files(uint32_t flags, struct file_ref *rd, struct file_ref *wr);

/* Pipes seen from the kernel: splice, tee and vmsplice
 * (syscall/sys_splice.c). */
/* The pipe of a pipe or FIFO file; -EINVAL for any other file. */
int pipe_of_file(struct file_ref f, struct pipe_ref *out);
/* Wait for bytes: how many there are, 0 at end of file (no writers left),
 * -EAGAIN (nonblock), -ERESTARTSYS (a signal). */
int64_t pipe_wait_data(struct pipe_ref r, bool nonblock);
/* Wait for room: how many bytes fit, -EPIPE (no readers: SIGPIPE sent),
 * -EAGAIN, -ERESTARTSYS. */
int64_t pipe_wait_room(struct pipe_ref r, bool nonblock);
/* n bytes (at most a chunk) at `off` from the read side, left in place. */
int pipe_peek(struct pipe_ref r, uint32_t off, struct kchunk *c, uint32_t n);
/* Drop n bytes from the read side. */
void pipe_consume(struct pipe_ref r, uint32_t n);
/* Append n bytes (at most a chunk, and no more than fit). */
int pipe_append(struct pipe_ref r, const struct kchunk *c, uint32_t n);
/* Without waiting: append from, or take into, user memory as much as
 * fits or is there (the count, or -EFAULT). */
int64_t pipe_put_user(struct pipe_ref r, struct fw_uaddr u, uint64_t n);
int64_t pipe_get_user(struct pipe_ref r, struct fw_uaddr u, uint64_t n);

#endif
