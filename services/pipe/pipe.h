/* Pipes and FIFOs. Layer: services (safe C).
 * A pipe is a 64 KiB ring of bytes kept in (lazily allocated) frames, with
 * counts of its read and write ends. Anonymous pipes come from pipe2; a
 * FIFO inode creates its pipe on first open and drops it (with any unread
 * bytes, as Linux does) when the last end closes. */
#ifndef SVC_PIPE_PIPE_H
#define SVC_PIPE_PIPE_H

#include "vfs/vfs.h"

/* The pool's functions (its handle type lives in vfs.h). */
struct pipe;
FW_MUST_CHECK int pipe_alloc(struct pipe_ref *out);
struct pipe *pipe_get(struct pipe_ref r);
void pipe_free(struct pipe_ref r);
bool pipe_ref_valid(struct pipe_ref r);
uint32_t pipe_count(void);

#define PIPE_SIZE 65536
#define PIPE_FRAMES (PIPE_SIZE / 4096)
#define PIPE_BUF 4096

struct pipe {
	struct fw_frame_ref buf[PIPE_FRAMES];
	uint32_t head, len;         /* bytes at [head, head + len) mod PIPE_SIZE */
	uint32_t readers, writers;  /* open ends */
	uint32_t r_opens, w_opens;  /* FIFO open rendezvous: ends ever opened */
	uint64_t gen;               /* moves on every state change */
	bool fifo;                  /* belongs to a FIFO inode */
	struct fw_waitq_ref q;      /* its blocked readers, writers and openers */
};

/* Both ends of a new anonymous pipe (flags: O_NONBLOCK). */
int pipe_create_files(uint32_t flags, struct file_ref *rd, struct file_ref *wr);
/* A FIFO's open: find or create its pipe, apply the blocking rules. */
int fifo_open(struct file_ref f, struct file *fp);

int64_t pipe_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t pipe_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t pipe_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
void pipe_release(struct file_ref f, struct file *fp);
uint32_t pipe_poll(struct file_ref f, struct file *fp, uint64_t *gen);

#endif
