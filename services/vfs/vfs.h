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
enum file_kind { FK_NONE, FK_REG, FK_DIR, FK_CHR, FK_PIPE, FK_EVOBJ, FK_KIND_MAX };

/* Objects behind non-inode files, defined by their own services
 * (services/pipe, services/poll); the VFS stores only their handles. */
FW_POOL_REF(pipe);
FW_POOL_REF(evobj);
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
	struct pipe_ref pipe;       /* FIFOs: their pipe object */
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
	uint32_t kind;   /* enum file_kind */
	uint32_t flags;  /* O_* status flags */
	uint64_t off;
	uint32_t refs;
	struct inode_ref inode;
	struct pipe_ref pipe;       /* FK_PIPE */
	uint32_t pipe_end;          /* PIPE_READ | PIPE_WRITE */
	struct evobj_ref obj;       /* FK_EVOBJ: epoll, eventfd, timerfd, signalfd */
	struct inode_ref data;      /* procfs: a private inode with the generated text */
	int32_t owner_pid;          /* record locks: the process that opened it */
	uint32_t pty;               /* /dev/ptmx: index + 1 of the pty this master opened */
};
#define PIPE_READ 1
#define PIPE_WRITE 2

/* File systems a node may belong to. */
enum fs_type { FS_TMPFS, FS_PROC, FS_DEVPTS, FS_TYPE_MAX };

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
	/* Readiness (POLLIN...) now, and a counter that moves whenever the
	 * object's state changes (edge-triggered epoll). */
	uint32_t (*poll)(struct file_ref f, struct file *fp, uint64_t *gen);
};

/* One wait queue for every I/O readiness change: pipes, ttys, eventfds,
 * timers. Sleepers re-check their condition after each wake-up; the
 * kernel is uniprocessor and non-preemptive, so no wake-up is lost
 * between a check and the wait. */
int vfs_io_wait(uint64_t deadline_ns);   /* 0, -ETIMEDOUT, -EINTR */
void vfs_io_wake(void);
uint64_t vfs_io_gen(void);

/* inodes */
int vfs_init(void);
struct inode_ref vfs_root(void);
int inode_new(uint32_t mode, struct inode_ref *out);
void inode_put_if_unused(struct inode_ref r);
int inode_page(struct inode_ref r, uint64_t index, bool create, struct fw_frame_ref *out);
int inode_truncate(struct inode_ref r, uint64_t size);
/* Pages the inode holds in memory. */
uint64_t inode_resident_pages(struct inode_ref r);
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

/* permissions (vfs/perm.c): the credentials a check runs with */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
#define VFS_NGROUPS 16
struct vfs_cred {
	uint32_t uid, gid;            /* fs uid/gid (or real ones for access(2)) */
	uint32_t ngroups;
	uint32_t groups[VFS_NGROUPS]; /* supplementary groups */
};
/* 0 or -EACCES (mask: MAY_*). */
int vfs_permission(struct inode_ref ino, const struct vfs_cred *c, uint32_t mask);

/* paths: resolve relative to `start` (an absolute path ignores it) */
#define LOOKUP_FOLLOW 1
#define LOOKUP_PARENT 2
int vfs_readlink(struct inode_ref r, struct kpath *p);
int vfs_path_of(struct inode_ref root, struct inode_ref dir, struct kpath *out);
/* The kernel's own lookups (no permission checks). */
int path_lookup(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		struct inode_ref *out, struct kname *last);
/* A lookup on behalf of `cred`: every directory searched needs search (x)
 * permission, else -EACCES. */
int path_lookup_as(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		   const struct vfs_cred *cred, struct inode_ref *out, struct kname *last);

/* files and descriptors */
int file_open_inode(struct inode_ref ino, uint32_t flags, struct file_ref *out);
int file_new(uint32_t kind, uint32_t flags, struct file_ref *out);
uint32_t file_poll(struct file_ref f, uint64_t *gen);
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

/* character devices and the console */
int64_t chr_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t chr_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t chr_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg);
int chr_open(struct file_ref f, struct file *fp);
void chr_release(struct file_ref f, struct file *fp);
uint32_t chr_poll(struct file_ref f, struct file *fp, uint64_t *gen);


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
