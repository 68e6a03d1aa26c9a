/* Virtual file system: inodes, directory entries, open files, descriptor
 * tables and path lookup. Layer: services (safe C).
 *
 * Object model (every stored reference is a pool handle):
 *   inode   — a file of any type; regular files and symlinks keep their
 *             bytes in frames listed by a chain of pagevec chunks.
 *   dentry  — a name in a directory: {name, inode, next sibling}; a
 *             directory inode lists its children from `children`.
 *   file    — an open file description (offset, flags), shared by dup and
 *             fork through its reference count.
 *   fdtable — a process's descriptors (shared under CLONE_FILES).
 * Lifetime: an inode is freed when it has no links and no open files.
 */
#ifndef SVC_VFS_VFS_H
#define SVC_VFS_VFS_H

#include "lib/klib.h"
#include <abi/abi.h>
#include <fw/frame.h>
#include <fw/pool.h>
#include <fw/user.h>
#include <fw/wait.h>

#define PAGEVEC_LEN 500
#define FD_MAX 256

struct pagevec;
FW_POOL_DECLARE(pagevec, struct pagevec);
struct pagevec {
	struct fw_frame_ref page[PAGEVEC_LEN];
	struct pagevec_ref next;
};

struct inode;
struct dentry;
FW_POOL_DECLARE(inode, struct inode);
FW_POOL_DECLARE(dentry, struct dentry);

/* Which driver handles a file's I/O. */
enum file_kind { FK_NONE, FK_REG, FK_DIR, FK_CHR, FK_PIPE, FK_KIND_MAX };
/* Character devices (rdev major/minor, Linux numbering). */
#define DEV_MEM_MAJOR 1
#define DEV_TTY_MAJOR 5
#define DEV_TTYS_MAJOR 4

struct inode {
	uint64_t ino;
	uint32_t mode, uid, gid, nlink;
	uint64_t size;
	uint32_t rdev;
	uint32_t open_count;
	int64_t atime_ns, mtime_ns, ctime_ns;
	struct pagevec_ref pages;   /* regular files, symlinks */
	struct dentry_ref children; /* directories */
	struct inode_ref parent;    /* directories: for ".." */
	uint32_t pipe_idx, pipe_gen; /* FIFOs: their pipe object */
};

struct dentry {
	struct kname name;
	struct inode_ref inode;
	struct dentry_ref next;
};

struct file;
FW_POOL_DECLARE(file, struct file);
struct file {
	uint32_t kind;   /* enum file_kind */
	uint32_t flags;  /* O_* status flags */
	uint64_t off;
	uint32_t refs;
	struct inode_ref inode;
	uint32_t pipe_idx, pipe_gen, pipe_end; /* FK_PIPE */
};

struct fdtable;
FW_POOL_DECLARE(fdtable, struct fdtable);
struct fdtable {
	struct file_ref fd[FD_MAX];
	uint8_t cloexec[FD_MAX];
	uint32_t refs;
};

/* Per-file-kind operations: a const table indexed by enum file_kind. */
struct file_ops {
	int64_t (*read)(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
	int64_t (*write)(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
	int64_t (*ioctl)(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
	void (*release)(struct file_ref f, struct file *fp);
};

/* inodes */
int vfs_init(void);
struct inode_ref vfs_root(void);
int inode_new(uint32_t mode, struct inode_ref *out);
void inode_put_if_unused(struct inode_ref r);
int inode_page(struct inode_ref r, uint64_t index, bool create, struct fw_frame_ref *out);
int inode_truncate(struct inode_ref r, uint64_t size);
int64_t inode_read_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n);
int64_t inode_write_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n);
int inode_write_initrd(struct inode_ref r, uint64_t off, uint64_t initrd_off, uint64_t n);
void inode_stat(struct inode_ref r, struct linux_stat *st);

/* directories */
int dir_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
int dir_link(struct inode_ref dir, const struct kname *name, struct inode_ref child);
int dir_unlink(struct inode_ref dir, const struct kname *name);
bool dir_is_empty(struct inode_ref dir);

/* paths: resolve relative to `start` (an absolute path ignores it) */
#define LOOKUP_FOLLOW 1
#define LOOKUP_PARENT 2
int vfs_path_of(struct inode_ref root, struct inode_ref dir, struct kpath *out);
int path_lookup(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		struct inode_ref *out, struct kname *last);

/* files and descriptors */
int file_open_inode(struct inode_ref ino, uint32_t flags, struct file_ref *out);
void file_hold(struct file_ref f);
void file_drop(struct file_ref f);
int64_t file_read(struct file_ref f, struct fw_uaddr buf, uint64_t n);
int64_t file_write(struct file_ref f, struct fw_uaddr buf, uint64_t n);
int64_t file_ioctl(struct file_ref f, uint64_t cmd, uint64_t arg);

int fdtable_new(struct fdtable_ref *out);
int fdtable_clone(struct fdtable_ref src, struct fdtable_ref *out);
void fdtable_put(struct fdtable_ref t);
int fd_install(struct fdtable_ref t, struct file_ref f, uint32_t min_fd, bool cloexec);
int fd_get(struct fdtable_ref t, int64_t fd, struct file_ref *out);
int fd_close(struct fdtable_ref t, int64_t fd);
void fd_close_on_exec(struct fdtable_ref t);

/* character devices and the console */
int64_t chr_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t chr_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t chr_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);


/* Bytes of a kernel buffer into an inode (a 512-byte chunk type). */
struct kchunk {
	uint8_t b[512];
};
int inode_write_chunk(struct inode_ref r, uint64_t off, const struct kchunk *c, uint32_t n);
int inode_read_chunk(struct inode_ref r, uint64_t off, struct kchunk *c, uint32_t n);

/* Read a plain-data object of type *objp at `off` of an inode, across page
 * boundaries. Sets rc to 0, -EIO (short file) or an error. */
#define INODE_READ_OBJ(rc, ino, off, objp)                                                                 \
	do {                                                                                               \
		uint64_t io_done_ = 0, io_n_ = sizeof(*(objp));                                            \
		(rc) = 0;                                                                                  \
		struct inode *io_ip_ = inode_get(ino);                                                     \
		if (!io_ip_ || (off) + io_n_ > io_ip_->size)                                               \
			(rc) = -EIO;                                                                       \
		while ((rc) == 0 && io_done_ < io_n_) {                                                    \
			uint64_t io_pos_ = (off) + io_done_;                                               \
			uint32_t io_poff_ = (uint32_t)(io_pos_ % 4096);                                    \
			uint32_t io_chunk_ = (uint32_t)FW_MIN(io_n_ - io_done_, 4096 - io_poff_);          \
			struct fw_frame_ref io_f_;                                                         \
			(rc) = inode_page((ino), io_pos_ / 4096, false, &io_f_);                           \
			if ((rc) == 0)                                                                     \
				(rc) = fw_frame_read_at(io_f_, io_poff_, (objp), io_done_, io_chunk_);     \
			io_done_ += io_chunk_;                                                             \
		}                                                                                          \
	} while (0)

#endif
