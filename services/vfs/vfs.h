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
#include "vfs/wait.h"
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

/* A provider's object behind a file or a special inode: a handle of the
 * provider's own pool kept as plain integers (the provider turns it back
 * into its handle type; a stale or foreign value resolves to nothing). */
struct vfs_priv {
	uint32_t idx, gen;
};

/* Device numbers as Linux encodes dev_t in stat (major 12 bits, minor 20). */
static inline uint32_t dev_make(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffu) << 12);
}
static inline uint32_t dev_major(uint32_t rdev) { return (rdev >> 8) & 0xfff; }
static inline uint32_t dev_minor(uint32_t rdev) { return (rdev & 0xff) | ((rdev >> 12) & 0xfff00); }

struct inode {
	uint64_t ino;
	uint32_t mode, uid, gid, nlink;
	uint64_t size;
	uint32_t rdev;
	uint32_t open_count;
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t fops;              /* regular files and directories: their file operations */
	struct pagevec_ref pages;   /* regular files, symlinks */
	struct dentry_ref children; /* directories */
	struct inode_ref parent;    /* directories: for ".." */
	struct vfs_priv special;    /* FIFOs: the provider's object (its pipe) */
	uint64_t next_seq;          /* directories: sequence of the next entry */
	uint32_t fs;                /* enum fs_type of the file system it lives in */
	uint32_t proc_kind;         /* procfs: what this node shows */
	int32_t proc_pid;           /* procfs: the process it is about (0: none) */
	uint32_t proc_arg;          /* procfs: e.g. the fd number of /proc/<pid>/fd/N */
	struct inode_ref mounted;   /* a directory something is mounted on: the mounted root */
	struct inode_ref covered;   /* the root of a mounted file system: the directory it covers */
	uint32_t mnt;               /* mount table index of its file system (0: the root tmpfs) */
};

struct dentry {
	struct kname name;
	struct inode_ref inode;
	struct dentry_ref next;
	uint64_t seq;               /* getdents64 cookie: increasing along the chain */
};

struct file;
FW_POOL_DECLARE(file, struct file);
struct file {
	uint32_t fops;   /* its operations (an index of the registered tables) */
	uint32_t flags;  /* O_* status flags */
	uint64_t off;
	uint32_t refs;
	struct inode_ref inode;     /* zero for files without a path (pipes, eventfds...) */
	struct inode_ref data;      /* where the bytes are when not in `inode` (generated /proc text) */
	struct vfs_priv priv;       /* the provider's object (a pipe, an event object...) */
	uint32_t priv_u32;          /* a provider's small datum (a pipe end, a pty index) */
	int32_t owner_pid;          /* record locks: the process that opened it */
};

/* File systems a node may belong to. */
enum fs_type { FS_TMPFS, FS_PROC, FS_DEVPTS, FS_TYPE_MAX };

struct fdtable;
FW_POOL_DECLARE(fdtable, struct fdtable);
struct fdtable {
	struct file_ref fd[FD_MAX];
	uint8_t cloexec[FD_MAX];
	uint32_t refs;
};

/* What getdents64 gives a directory's readdir operation: the caller's
 * buffer and the directory cursor (a file-system defined position, kept
 * in file.off between calls). */
struct dir_ctx {
	uint64_t pos;
	uint64_t ubuf, size, used;
	int err;
};
/* Put one entry in the caller's buffer; on success the cursor becomes
 * next_pos. False when it does not fit (or the copy faulted): stop. */
bool dir_emit(struct dir_ctx *ctx, const struct kname *name, uint64_t ino, uint32_t mode, uint64_t next_pos);

/* The operations of an open file, supplied by whoever makes it: a file
 * system for its regular files and directories, a device driver for its
 * device numbers, the pipe and event-object services for theirs. Copied
 * into a table when registered (file_ops_register); a file names its
 * table by index. A missing (NULL) operation has the Linux default: read,
 * write -EINVAL; llseek -ESPIPE; readdir -ENOTDIR; poll "always ready"
 * (and epoll_ctl -EPERM); ioctl -ENOTTY; mmap -ENODEV; fsync -EINVAL.
 * `pos` is the file offset (read, write) or the pread/pwrite position. */
struct file_ops {
	char name[16];   /* files without a path: /proc/<pid>/fd/N reads "name:[id]" */
	uint32_t mode;   /* files without an inode: the file type fstat reports */
	uint32_t flags;  /* FOP_* */
	int (*open)(struct file_ref f, struct file *fp);
	void (*release)(struct file_ref f, struct file *fp);
	int64_t (*read)(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
	int64_t (*write)(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
	int64_t (*llseek)(struct file_ref f, struct file *fp, int64_t off, uint32_t whence);
	int64_t (*readdir)(struct file_ref f, struct file *fp, struct dir_ctx *ctx);
	/* Readiness (POLLIN...) now; calls poll_wait(pt, q) for each queue
	 * whose wake-ups may change it (pt may be NULL). */
	uint32_t (*poll)(struct file_ref f, struct file *fp, struct poll_table *pt);
	int64_t (*ioctl)(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
	/* Commands fcntl does not know (F_GETPIPE_SZ...): -EINVAL otherwise. */
	int64_t (*fcntl)(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
	/* The inode whose pages back a mapping of the file. */
	int (*mmap)(struct file_ref f, struct file *fp, struct inode_ref *backing);
	int (*fsync)(struct file_ref f, struct file *fp, bool datasync);
};
#define FOP_PREAD 1 /* pread/pwrite allowed (else -ESPIPE) */
#define FOPS_MAX 32

/* Register a provider's operations; *id names them in file.fops and
 * inode.fops. -ENOSPC when the table is full. */
int file_ops_register(const struct file_ops *ops, uint32_t *id);
/* The operations FIFO inodes open with (registered by the pipe service). */
int file_ops_set_fifo(const struct file_ops *ops);

/* Device numbers to operations. A driver registers its operations once
 * (file_ops_register) and then ranges of minors of a major with them, for
 * character (S_IFCHR) or block (S_IFBLK) devices; opening a device node
 * looks its rdev up here (-ENXIO when nobody registered it) and then calls
 * the operations' open. Ranges may not overlap (-EBUSY); the table holds
 * 32 ranges (-ENOSPC).
 * Contract for block devices: the driver's file operations serve the raw
 * device node (read and write at byte positions, llseek, fsync, ioctl
 * BLKGETSIZE64...), with inode.rdev telling which disk; a file system
 * mounted on the node is given its rdev and reaches the disk through the
 * block layer, never through these operations. devtmpfs_node() makes the
 * node (/dev/vda...). */
int dev_register(uint32_t type, uint32_t major, uint32_t minor, uint32_t count, uint32_t fops);
int dev_lookup(uint32_t type, uint32_t rdev, uint32_t *fops);

/* The vfs's own operations for memory files and directories (tmpfs). */
int64_t generic_file_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
int64_t generic_file_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence);
int generic_file_mmap(struct file_ref f, struct file *fp, struct inode_ref *backing);
int64_t generic_dir_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
int64_t ramdir_readdir(struct file_ref f, struct file *fp, struct dir_ctx *ctx);
int vfs_memops_init(void);
uint32_t vfs_memfile_fops(void);
uint32_t vfs_memdir_fops(void);

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
int dir_lookup_raw(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
int dir_entry_from(struct inode_ref dir, uint64_t seq, struct dentry_ref *out);
struct inode_ref mount_cross(struct inode_ref r);
int dir_link(struct inode_ref dir, const struct kname *name, struct inode_ref child);
int dir_unlink(struct inode_ref dir, const struct kname *name);
bool dir_is_empty(struct inode_ref dir);
int dir_rename(struct inode_ref olddir, const struct kname *oldname, struct inode_ref newdir,
	       const struct kname *newname);

/* paths: resolve relative to `start` (an absolute path ignores it) */
#define LOOKUP_FOLLOW 1
#define LOOKUP_PARENT 2
int vfs_readlink(struct inode_ref r, struct kpath *p);
int vfs_path_of(struct inode_ref root, struct inode_ref dir, struct kpath *out);
int path_lookup(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		struct inode_ref *out, struct kname *last);

/* files and descriptors */
int file_open_inode(struct inode_ref ino, uint32_t flags, struct file_ref *out);
/* A file with no inode behind it (pipes, eventfds...), with operations fops. */
int file_new(uint32_t fops, uint32_t flags, struct file_ref *out);
uint32_t file_poll(struct file_ref f, struct poll_table *pt);
bool file_can_poll(struct file_ref f);
void file_hold(struct file_ref f);
void file_drop(struct file_ref f);
int64_t file_read(struct file_ref f, struct fw_uaddr buf, uint64_t n);
int64_t file_write(struct file_ref f, struct fw_uaddr buf, uint64_t n);
/* pread/pwrite: at pos, the file offset unchanged. */
int64_t file_pread(struct file_ref f, struct fw_uaddr buf, uint64_t n, uint64_t pos);
int64_t file_pwrite(struct file_ref f, struct fw_uaddr buf, uint64_t n, uint64_t pos);
int64_t file_llseek(struct file_ref f, int64_t off, uint32_t whence);
int64_t file_readdir(struct file_ref f, uint64_t ubuf, uint64_t size);
int64_t file_ioctl(struct file_ref f, uint64_t cmd, uint64_t arg);
int64_t file_fcntl(struct file_ref f, uint64_t cmd, uint64_t arg);
int file_mmap(struct file_ref f, struct inode_ref *backing);
int file_fsync(struct file_ref f, bool datasync);
/* The operations' name and type for files without a path. */
void file_anon_name(struct file_ref f, struct kname *name, uint32_t *mode);
/* The inode holding the file's bytes (its own, or generated text). */
struct inode_ref file_data_inode(const struct file *fp);
/* A regular file (or a symlink opened with O_PATH) with an inode. */
bool file_is_regular(const struct file *fp);

int fdtable_new(struct fdtable_ref *out);
int fdtable_clone(struct fdtable_ref src, struct fdtable_ref *out);
void fdtable_put(struct fdtable_ref t);
int fd_install(struct fdtable_ref t, struct file_ref f, uint32_t min_fd, bool cloexec);
int fd_get(struct fdtable_ref t, int64_t fd, struct file_ref *out);
int fd_close(struct fdtable_ref t, int64_t fd);

/* POSIX record locks (vfs/lock.c). Owner: the descriptor table; range
 * [start, end] inclusive, end LOCK_EOF for "to the end of the file". */
#define LOCK_EOF 0xffffffffffffffffULL
struct lock_req {
	struct inode_ref ino;
	struct fdtable_ref owner;
	int32_t pid;   /* reported by F_GETLK to others */
	uint32_t type; /* F_RDLCK, F_WRLCK, F_UNLCK */
	uint64_t start, end;
};
/* F_GETLK: rq becomes the first conflicting lock, or type F_UNLCK. */
int lock_test(struct lock_req *rq);
/* F_SETLK (-EAGAIN on conflict) / F_SETLKW (wait; -ERESTARTSYS). */
int lock_set(const struct lock_req *rq, bool wait);
/* Drop every lock of owner on ino (a close by the owner). */
void lock_release(struct inode_ref ino, struct fdtable_ref owner);
void fd_close_on_exec(struct fdtable_ref t);


/* Bytes of a kernel buffer into an inode (a 512-byte chunk type). */
struct kchunk {
	uint8_t b[512];
};
FW_POOL_DECLARE(kchunk, struct kchunk);
/* Write kernel bytes to a file at its offset (regular files; -EINVAL
 * for others: sendfile falls back). */
int64_t file_write_kernel(struct file_ref f, const struct kchunk *c, uint32_t n);
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
