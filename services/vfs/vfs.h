/* Virtual file system: inodes, file systems and mounts, path lookup, open
 * files and descriptor tables. Layer: services (safe C).
 *
 * The VFS knows no file system and no provider by name. File systems
 * register a `struct fs_type` (super and inode operations) and are mounted
 * by type name; whoever makes an open file supplies its `struct file_ops`
 * (file systems for their files, drivers for their device numbers, the
 * pipe and event-object services for theirs). See docs/architecture.md.
 *
 * Object model (every stored reference is a pool handle):
 *   super   — a mounted file system: its type, root, the directory it
 *             covers, its own state (super.priv).
 *   inode   — a file of any type in memory. Regular files and symlinks
 *             keep their bytes in frames, the page cache (a radix tree of
 *             handles, vfs/pagecache.c). inode.sb names its file system.
 *   dentry  — a name in a directory kept in memory (tmpfs, /proc,
 *             devpts: the ram directory library, vfs/ramfs.c).
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
#include <abi/fs.h>
#include <fw/frame.h>
#include <fw/pool.h>
#include <fw/user.h>
#include <fw/wait.h>

#define FD_MAX 256

struct inode;
struct dentry;
struct super;
FW_POOL_DECLARE(inode, struct inode);
FW_POOL_DECLARE(dentry, struct dentry);
FW_POOL_DECLARE(super, struct super);

/* A provider's object behind a file, an inode or a super block: a handle
 * of the provider's own pool kept as plain integers (the provider turns it
 * back into its handle type; a stale or foreign value resolves to nothing). */
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

FW_POOL_REF(xattr); /* the pool is private to vfs/xattr.c */
FW_POOL_REF(nmark); /* an inotify watch or fanotify mark (vfs/notify_int.h) */

struct inode {
	uint64_t ino;
	uint32_t mode, uid, gid, nlink;
	uint64_t size;
	uint64_t blocks;            /* 512-byte sectors on disk (file systems with a backing store) */
	uint32_t rdev;
	uint32_t open_count;        /* open files and file mappings */
	int32_t write_count;        /* > 0: files open for writing; < 0: programs running it (ETXTBSY) */
	uint32_t open_readers;      /* open files read-only (leases) */
	uint32_t open_writers;      /* open files for writing (leases) */
	int64_t atime_ns, mtime_ns, ctime_ns;
	struct super_ref sb;        /* its file system (zero: a private memory inode) */
	uint32_t fstype;            /* its file system's registered type (0: none); types outlive mounts */
	uint32_t dev;               /* st_dev: its file system's number (private inodes: 1, the root's) */
	uint32_t fops;              /* regular files and directories: their file operations */
	uint32_t fs_data[4];        /* the file system's own words (procfs: what it shows) */
	struct vfs_priv pages;      /* regular files, symlinks: the page cache's tree */
	uint32_t pages_depth;       /* its levels above the leaves */
	uint32_t ndirty;            /* pages not yet written back */
	uint32_t npages;            /* pages in the cache */
	bool on_lru;                /* backed files with cached pages: on the reclaim list */
	struct inode_ref lru_prev, lru_next;
	bool meta_dirty;            /* size, times, mode... not yet written back */
	struct dentry_ref children; /* ram directories: the entries */
	struct dentry_ref last;     /* ram directories: the last entry (appends are O(1)) */
	uint64_t next_seq;          /* ram directories: sequence of the next entry */
	struct inode_ref parent;    /* directories: the directory holding it ("..") */
	struct vfs_priv special;    /* FIFOs: the provider's object (its pipe) */
	struct inode_ref mounted;   /* a directory something is mounted on: the mounted root */
	struct inode_ref covered;   /* the root of a mounted file system: the directory it covers */
	struct xattr_ref xattrs;    /* FS_MEM_XATTR file systems: extended attributes (vfs/xattr.c) */
	uint32_t seals;             /* F_SEAL_* (memfd); SEALS_LIVE: sealing allowed */
	uint32_t iflags;            /* INODE_* */
	struct nmark_ref marks;     /* inotify watches on it (zero: none, the fast path's one check) */
	struct inode_ref notify_parent; /* while something is watched: the directory a path last reached it by */
};
#define INODE_MAGIC_LINK 1 /* a /proc link to an object (fd/N, exe, cwd...): openat2's "magic link" */
#define INODE_NOTIFIED_DELETE 2 /* IN_DELETE_SELF went out (watches hear it once) */
/* File seals (fcntl F_ADD_SEALS/F_GET_SEALS). A memory file that is no
 * memfd created with MFD_ALLOW_SEALING reports F_SEAL_SEAL. */
#define F_SEAL_SEAL 1
#define F_SEAL_SHRINK 2
#define F_SEAL_GROW 4
#define F_SEAL_WRITE 8
#define F_SEAL_FUTURE_WRITE 16
#define F_SEAL_EXEC 32
#define SEALS_LIVE 0x80000000u
static inline uint32_t inode_seals(const struct inode *ip)
{
	return (ip->seals & SEALS_LIVE) ? ip->seals & ~SEALS_LIVE : F_SEAL_SEAL;
}

struct dentry {
	struct kname name;
	uint32_t hash;              /* of name (ramfs.c: compared before the name) */
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
	uint32_t mode;              /* the inode's type (S_IFMT) when opened; 0 without one */
	struct inode_ref data;      /* where the bytes are when not in `inode` (generated /proc text) */
	struct vfs_priv priv;       /* the provider's object (a pipe, an event object...) */
	uint32_t priv_u32;          /* a provider's small datum (a pipe end, a pty index) */
	int32_t owner_pid;          /* record locks: the process that opened it */
	int32_t sig_owner;          /* F_SETOWN(_EX): who gets SIGIO (0: nobody) */
	uint32_t sig_owner_type;    /* F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP */
	uint32_t sig_owner_uid, sig_owner_euid; /* the setter's (may it signal the owner?) */
	int32_t sig_num;            /* F_SETSIG: the signal instead of SIGIO (0: SIGIO, no siginfo) */
	struct fasync_ref fasync;   /* O_ASYNC: its entries on the queues it reports on (vfs/fasync.c) */
	uint32_t async_live;        /* 1: O_ASYNC was switched on by F_SETFL (0: absent, or inert from open) */
	uint32_t nonotify;          /* 1: a fanotify listener's event file: no notifications (FMODE_NONOTIFY) */
	uint64_t ra_next;           /* readahead: the page a sequential read goes on with */
	struct inode_ref notify_dir; /* opened by a path in a watched directory: that directory */
};

struct fdtable;
FW_POOL_DECLARE(fdtable, struct fdtable);
struct fdtable {
	struct file_ref fd[FD_MAX];
	uint8_t cloexec[FD_MAX];
	uint32_t refs;
};

/* ---- file operations (vfs/file.c) ---- */

/* What getdents64 gives a directory's readdir operation: the caller's
 * buffer and the directory cursor (a file-system defined position, kept
 * in file.off between calls). */
struct dir_ctx {
	uint64_t pos;
	uint64_t ubuf, size, used;
	int err;
	bool old; /* getdents(2)'s struct linux_dirent (d_type last), not dirent64 */
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
	/* Files without an inode: the number fstat reports as st_ino and
	 * /proc/<pid>/fd shows in "name:[N]" (a socket's inode number, which
	 * /proc/net lists too). NULL: the VFS's own numbering. */
	uint64_t (*ino)(struct file_ref f, struct file *fp);
};
#define FOP_PREAD 1 /* pread/pwrite allowed (else -ESPIPE) */
#define FOP_FASYNC 2 /* signal-driven I/O (O_ASYNC) works on it (Linux's ->fasync) */
#define FOPS_MAX 32

/* Register a provider's operations; *id names them in file.fops and
 * inode.fops. -ENOSPC when the table is full. */
int file_ops_register(const struct file_ops *ops, uint32_t *id);
/* The operations FIFO inodes open with (registered by the pipe service). */
int file_ops_set_fifo(const struct file_ops *ops);

/* ---- devices (vfs/dev.c) ---- */

/* Device numbers to operations. A driver registers its operations once
 * (file_ops_register) and then ranges of minors of a major with them, for
 * character (S_IFCHR) or block (S_IFBLK) devices; opening a device node
 * looks its rdev up here (-ENXIO when nobody registered it) and then calls
 * the operations' open. Ranges may not overlap (-EBUSY); the table holds
 * 32 ranges (-ENOSPC).
 * Contract for block devices: the driver's file operations serve the raw
 * device node (read and write at byte positions, llseek, fsync, ioctl
 * BLKGETSIZE64...), with inode.rdev telling which disk; a file system
 * mounted on the node is given its rdev (fs_type.mount) and reaches the
 * disk through the block layer, never through these operations. The node
 * itself (/dev/vda...) is made with devtmpfs_node (services/fs/tmpfs). */
int dev_register(uint32_t type, uint32_t major, uint32_t minor, uint32_t count, uint32_t fops);
int dev_lookup(uint32_t type, uint32_t rdev, uint32_t *fops);

/* ---- file systems and mounts (vfs/super.c) ---- */

/* A new inode's identity, as the caller of create/mkdir/symlink asks. */
struct inode_new {
	uint32_t mode; /* type and permission bits (umask applied) */
	uint32_t rdev;
	uint32_t uid, gid;
};

/* setattr: the fields to change (ATTR_* in `valid`). */
struct iattr {
	uint32_t valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	int64_t atime_ns, mtime_ns, ctime_ns;
};
#define ATTR_MODE 1
#define ATTR_UID 2
#define ATTR_GID 4
#define ATTR_SIZE 8
#define ATTR_ATIME 16
#define ATTR_MTIME 32
#define ATTR_CTIME 64

/* Pages of a file, for a file system to fill or write back in one go
 * (its I/O for all of them in flight at once): page[i] is the file's page
 * index[i], indexes increasing (consecutive for reads), each a whole frame. */
#define PB_MAX 32
struct page_batch {
	uint32_t n;
	uint64_t index[PB_MAX];
	struct fw_frame_ref page[PB_MAX];
};

/* A file system type: its super operations (mount, umount, statfs, sync)
 * and inode operations, registered once by name (fs_register). Context
 * arguments are handles. The VFS checks names, types and permissions
 * before it calls an inode operation: `dir` is a directory of this file
 * system, `name` is not "." or "..", the caller may write `dir`, and for
 * create/mkdir/symlink/link the name does not exist. A missing operation
 * gives Linux's error for it (-EPERM, -EACCES for create, -EINVAL for
 * readlink; lookup and setattr are required). */
struct fs_type {
	char name[16];
	uint32_t magic; /* statfs f_type */
	uint32_t flags; /* FS_* */
	/* Make the file system of super block sb (its source, flags and, with
	 * FS_REQUIRES_DEV, its device number in sb are set) and return its
	 * root directory. */
	int (*mount)(struct super_ref sb, struct inode_ref *root);
	/* umount: write everything back and free the file system's state and
	 * its inodes (inode_forget), or refuse (-EBUSY: a file is open) before
	 * changing anything. */
	int (*umount)(struct super_ref sb);
	void (*statfs)(struct super_ref sb, struct linux_statfs *st);
	int (*sync)(struct super_ref sb);
	/* An inode of this file system is about to be freed (no links, no
	 * open files): release what the file system keeps for it. */
	void (*evict)(struct inode_ref ino);
	int (*lookup)(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
	int (*create)(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
	int (*mkdir)(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
	int (*symlink)(struct inode_ref dir, const struct kname *name, const struct inode_new *nw,
		       const struct kpath *target, struct inode_ref *out);
	int (*link)(struct inode_ref dir, const struct kname *name, struct inode_ref target);
	/* Remove the entry `name` (naming `victim`); rmdir: -ENOTEMPTY unless empty. */
	int (*unlink)(struct inode_ref dir, const struct kname *name, struct inode_ref victim);
	int (*rmdir)(struct inode_ref dir, const struct kname *name, struct inode_ref victim);
	/* Move odir/oname to ndir/nname, replacing a target of a compatible
	 * type (-ENOTEMPTY for a non-empty directory). */
	int (*rename)(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname);
	int (*readlink)(struct inode_ref ino, struct kpath *out);
	/* A magic link (INODE_MAGIC_LINK: /proc's fd/N, exe, cwd, root): the
	 * object it stands for, followed without its text (a memfd, a
	 * deleted file). Non-zero: follow the text instead. */
	int (*link_target)(struct inode_ref link, struct inode_ref *out);
	int (*setattr)(struct inode_ref ino, const struct iattr *a);
	/* fallocate(2) on a regular file: allocate [off, off+len) (growing the
	 * size unless FALLOC_FL_KEEP_SIZE) or punch a hole in it; the VFS has
	 * checked the mode's combinations. Missing: -EOPNOTSUPP. */
	int (*fallocate)(struct inode_ref ino, uint32_t mode, uint64_t off, uint64_t len);
	/* The name of `child` in `dir` (getcwd, /proc paths). */
	int (*get_name)(struct inode_ref dir, struct inode_ref child, struct kname *out);
	/* Backing store (file systems on a disk; memory file systems leave
	 * these NULL and their page cache is the file). readpages fills the
	 * batch's zeroed frames (holes and bytes past the end stay zero);
	 * writepages writes the batch's bytes that lie inside the file;
	 * write_begin makes sure [pos, pos + len) has blocks (-ENOSPC);
	 * write_inode writes the inode's metadata (size, times, mode...). */
	int (*readpages)(struct inode_ref ino, struct page_batch *b);
	int (*writepages)(struct inode_ref ino, const struct page_batch *b);
	int (*write_begin)(struct inode_ref ino, uint64_t pos, uint64_t len);
	/* After a write that began with write_begin(pos, len): `copied`
	 * bytes went in (fewer after a fault): undo what the rest needed. */
	int (*write_end)(struct inode_ref ino, uint64_t pos, uint64_t len, uint64_t copied);
	int (*write_inode)(struct inode_ref ino);
	/* fsync after the inode's pages and metadata were written back: make
	 * them durable (the file system's own metadata, the disk's cache). */
	int (*fsync)(struct inode_ref ino, bool datasync);
};
#define FS_REQUIRES_DEV 1 /* mounted on a block device node (the source) */
#define FS_SINGLE 2       /* one instance, mounted at most once at a time; it outlives umount (devtmpfs, devpts) */
#define FS_MEM_XATTR 4    /* extended attributes kept in memory by the VFS (vfs/xattr.c) */
#define FS_TYPES_MAX 16

struct super {
	uint32_t type;              /* registered fs type index */
	uint32_t dev;               /* st_dev of its files (one number per super block, never reused) */
	uint32_t bdev;              /* FS_REQUIRES_DEV: the device node's rdev */
	uint64_t flags;             /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	struct kname source;
	struct inode_ref root;
	struct inode_ref covered;   /* the directory it is mounted on (zero: /) */
	struct vfs_priv priv;       /* the file system's own state */
	uint32_t mounts;            /* 1 while mounted (FS_SINGLE instances outlive umount) */
};

/* A super block of a registered type mounted nowhere (Linux's
 * kern_mount), for a file system's own use (memfd's tmpfs). */
int vfs_kern_super(const struct kname *type, struct super_ref *out);
/* The one instance of a FS_SINGLE type, made (mounted nowhere) if it
 * does not exist yet; a later mount of the type mounts it (the mqueue
 * file system's queues exist before anyone mounts it). -EINVAL for
 * other types. */
int vfs_single_super(const struct kname *type, struct super_ref *out);
/* Register a type; file systems call it at boot. *id is its index. */
int fs_register(const struct fs_type *t, uint32_t *id);
/* mount(2) and the boot mounts: a file system of type `type` on the
 * directory `target` (an invalid target: the root). */
int vfs_mount(const struct kname *source, const struct kname *type, struct inode_ref target, uint64_t flags);
/* The same for types with FS_REQUIRES_DEV: bdev is the source node's rdev. */
int vfs_mount_dev(const struct kname *source, const struct kname *type, struct inode_ref target, uint64_t flags,
		  uint32_t bdev);
/* The flags of a registered type (-ENODEV when there is none by that name). */
int vfs_fs_type_flags(const struct kname *type, uint32_t *flags);
/* umount2(2) of the file system whose root is `root`; the caller checked
 * that no process works in it unless MNT_DETACH. */
int vfs_umount(struct inode_ref root, uint64_t flags);
/* pivot_root in the caller's mount namespace: the mount whose root is
 * new_root takes the place of the mount whose root is `root` (the
 * caller's root directory), which moves onto put_old, a directory at or
 * under new_root. Linux's errors: -EBUSY when new_root or put_old is on
 * the root's mount or put_old is a mount point, -EINVAL when root or
 * new_root is not a mount point, put_old not under new_root, new_root
 * not under root, or a mount involved is MS_SHARED; -ENOTDIR. The caller
 * moves processes' root and working directories. */
int vfs_pivot_root(struct inode_ref root, struct inode_ref new_root, struct inode_ref put_old);
/* Some mount of the caller's namespace lies inside super block sb
 * (umount: -EBUSY). */
bool vfs_super_has_mounts(struct super_ref sb);
/* The i-th mount of the caller's namespace in mount order (/proc/mounts):
 * 0, or -ENOENT past the end. */
int vfs_mount_info(uint32_t i, struct super_ref *sb);
/* Where sb is mounted in the caller's namespace (zero: its root, or not
 * mounted there). */
struct inode_ref vfs_mount_point(struct super_ref sb);
/* Is root the root of a mount of the caller's namespace? */
bool vfs_is_mount_root(struct inode_ref root);
/* Mount namespaces (vfs/mount.c). The process layer registers the
 * function that names the caller's namespace (a small number, 0 the
 * initial one); copy makes namespace `to` a copy of `from` (-ENOMEM when
 * the table is full, nothing made), drop unmounts every mount of ns. */
typedef uint32_t (*vfs_ns_query)(void);
void vfs_set_ns_query(vfs_ns_query fn);
int vfs_mount_ns_copy(uint32_t from, uint32_t to);
void vfs_mount_ns_drop(uint32_t ns);
/* Path lookup's crossings in the caller's namespace: the root mounted on
 * dir, the directory a mounted root covers (zero: none). */
struct inode_ref vfs_ns_mounted(struct inode_ref dir);
struct inode_ref vfs_ns_covered(struct inode_ref root);
/* The i-th registered type's name and flags (/proc/filesystems). */
int vfs_fs_type_info(uint32_t i, struct kname *name, uint32_t *flags);
void vfs_fs_type_name(struct super_ref sb, struct kname *name);
int vfs_statfs(struct inode_ref ino, struct linux_statfs *st);
/* sync(2), syncfs(2): write back one or every file system. */
int vfs_sync_all(void);
int vfs_sync_fs(struct super_ref sb);
/* The super block (and its type's operations) an inode belongs to. */
struct super *inode_super(struct inode_ref r);
bool vfs_same_fs(struct inode_ref a, struct inode_ref b);
/* Its file system's registered type index (0: none) and st_dev. */
uint32_t inode_fs_type(struct inode_ref r);
uint32_t inode_dev(struct inode_ref r);

/* ---- inodes and their pages (vfs/inode.c) ---- */

int vfs_init(void);
struct inode_ref vfs_root(void);
/* A new inode of file system sb (zero: a private memory inode, e.g. the
 * pages of shared anonymous memory or of exec's argument strings). */
int inode_new_in(struct super_ref sb, uint32_t mode, struct inode_ref *out);
int inode_new(uint32_t mode, struct inode_ref *out);
void inode_put_if_unused(struct inode_ref r);
/* Free an inode whatever its links (its file system goes away), unless
 * it is open. */
void inode_forget(struct inode_ref r);
/* Page `index` of the inode's data (a borrowed frame: the cache keeps the
 * reference). A miss reads it from the file system; a memory file's hole
 * is made (zeroed) when `create`, else -ENOENT. */
int inode_page(struct inode_ref r, uint64_t index, bool create, struct fw_frame_ref *out);
/* The same for a page fault: a miss on a backed file reads `ra` more
 * pages in the same batch, or with `nowait` gives -EAGAIN instead of
 * reading (a fault inside a kernel user copy cannot sleep: the copy is
 * failed and the system call rerun after the page is read, see
 * services/init/upcalls.c). */
int inode_page_fault(struct inode_ref r, uint64_t index, uint32_t ra, bool nowait, bool create,
		     struct fw_frame_ref *out);
int inode_truncate(struct inode_ref r, uint64_t size);
/* Pages the inode holds in memory. */
uint64_t inode_resident_pages(struct inode_ref r);
void inode_drop_pages(struct inode_ref r, uint64_t from);
/* Drop one cached page (a memory file's punched hole). */
void inode_drop_page(struct inode_ref r, uint64_t index);
/* Its file system has a backing store (pages must be written back). */
bool inode_has_backing(struct inode_ref r);
/* The page changed (written, or mapped writable by a shared mapping,
 * which keeps it dirty for good); the inode's metadata changed. */
void inode_page_dirty(struct inode_ref r, uint64_t index);
void inode_page_mapped_writable(struct inode_ref r, uint64_t index);
/* The page is mapped by a shared mapping (reclaim leaves it alone). */
void inode_page_mapped_shared(struct inode_ref r, uint64_t index);
/* Memory is short: drop clean pages of the least recently used files
 * (writing dirty ones back first when the caller may sleep). Called where
 * no frame of the cache is borrowed: reads, writes, page faults. */
void pc_reclaim(bool may_sleep);
/* Pages of disk files in the cache, and how many are dirty (meminfo). */
void pc_stats(uint64_t *pages, uint64_t *dirty);
void inode_mark_dirty(struct inode_ref r);
/* Write the inode's dirty pages, then its metadata, to the file system. */
int inode_writeback(struct inode_ref r, bool datasync);
/* fsync(2) of an inode: write it back and make it durable. */
int vfs_fsync_inode(struct inode_ref r, bool datasync);
int64_t inode_read_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n);
/* The same, reading up to `ra` pages ahead on a miss (sequential reads). */
int64_t inode_read_user_ra(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n, uint32_t ra);
int64_t inode_write_user(struct inode_ref r, uint64_t off, struct fw_uaddr buf, uint64_t n);
int inode_write_initrd(struct inode_ref r, uint64_t off, uint64_t initrd_off, uint64_t n);
void inode_stat(struct inode_ref r, struct linux_stat *st);
/* The generic setattr of inodes held in memory: apply every field. */
int inode_setattr_mem(struct inode_ref r, const struct iattr *a);
/* fallocate for inodes held in memory: allocation and holes (others
 * -EOPNOTSUPP, as tmpfs). */
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
int inode_fallocate_mem(struct inode_ref r, uint32_t mode, uint64_t off, uint64_t len);

/* ---- names and paths (vfs/namei.c) ---- */

/* One name in a directory: "." and "..", the file system's lookup, then
 * into what is mounted there. */
int dir_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
/* The entry itself, without crossing into a mount on it. */
int dir_lookup_raw(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
struct inode_ref mount_cross(struct inode_ref r);

/* permissions (vfs/perm.c): the credentials a check runs with */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4
#define VFS_NGROUPS 16
struct vfs_cred {
	uint32_t uid, gid;            /* fs uid/gid (or real ones for access(2)) */
	uint64_t caps;                /* effective capabilities (bit n: capability n) */
	uint32_t ngroups;
	uint32_t groups[VFS_NGROUPS]; /* supplementary groups */
};
/* The capabilities vfs_permission honours (Linux's numbers). */
#define VFS_CAP_DAC_OVERRIDE 1
#define VFS_CAP_DAC_READ_SEARCH 2
/* 0 or -EACCES (mask: MAY_*). */
int vfs_permission(struct inode_ref ino, const struct vfs_cred *c, uint32_t mask);

#define LOOKUP_FOLLOW 1
#define LOOKUP_PARENT 2
/* openat2's RESOLVE_* restrictions: no mount crossing (-EXDEV), no
 * symlinks at all or no magic links (-ELOOP), stay beneath the start
 * directory (-EXDEV), or treat the start directory as the root. */
#define LOOKUP_NO_XDEV 4
#define LOOKUP_NO_SYMLINKS 8
#define LOOKUP_NO_MAGICLINKS 16
#define LOOKUP_BENEATH 32
#define LOOKUP_IN_ROOT 64
/* Resolve relative to `start` (an absolute path ignores it): the
 * kernel's own lookups, without permission checks. */
int path_lookup(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		struct inode_ref *out, struct kname *last);
/* A lookup on behalf of `cred`: every directory searched needs search (x)
 * permission, else -EACCES. */
int path_lookup_as(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		   const struct vfs_cred *cred, struct inode_ref *out, struct kname *last);
int vfs_readlink(struct inode_ref r, struct kpath *p);
/* The path of a directory relative to root (getcwd). */
int vfs_path_of(struct inode_ref root, struct inode_ref dir, struct kpath *out);
/* The name of child in dir (the file system's get_name). */
int vfs_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out);

/* ---- changing the namespace (vfs/dirops.c) ---- */

/* Each checks what the VFS promises the file system (see fs_type), then
 * calls its operation; the caller has checked the caller's permissions. */
int vfs_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
int vfs_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
int vfs_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, const struct kpath *target);
int vfs_link(struct inode_ref dir, const struct kname *name, struct inode_ref target);
int vfs_unlink(struct inode_ref dir, const struct kname *name);
int vfs_rmdir(struct inode_ref dir, const struct kname *name);
int vfs_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname);
int vfs_setattr(struct inode_ref ino, const struct iattr *a);
/* fallocate(2): -EROFS, -EOPNOTSUPP without the file system's operation. */
int vfs_fallocate(struct inode_ref ino, uint32_t mode, uint64_t off, uint64_t len);
/* The mount of ino is read-only (-EROFS for changes). */
bool vfs_readonly(struct inode_ref ino);

/* ---- directories kept in memory: a library for file systems (vfs/ramfs.c) ---- */

int ramdir_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out);
/* Link `child` as dir/name (-EEXIST); counts links and sets "..". */
int ramdir_link(struct inode_ref dir, const struct kname *name, struct inode_ref child);
/* Remove dir/name, dropping the child's link (and freeing it if unused). */
int ramdir_unlink(struct inode_ref dir, const struct kname *name);
int ramdir_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname);
bool ramdir_is_empty(struct inode_ref dir);
int ramdir_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out);
/* First entry whose sequence number is >= seq (getdents64). */
int ramdir_entry_from(struct inode_ref dir, uint64_t seq, struct dentry_ref *out);
/* Remove every entry below dir (umount of a memory file system). */
void ramdir_clear(struct inode_ref dir);
/* A new inode of dir's file system, linked as dir/name. */
int ramfs_make(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
/* The same for a file system's create operation: vfs_create has just
 * checked that dir/name does not exist (new_name_ok) and nothing in
 * between sleeps, so the name is not looked for a second time. */
int ramfs_create_new(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out);
/* The symlink's target is its page 0 (memory file systems). */
int ramfs_readlink(struct inode_ref ino, struct kpath *out);
int ramfs_write_target(struct inode_ref ino, const struct kpath *target);

/* The VFS's own file operations for files and directories kept in memory
 * (vfs/memops.c); file systems name them in inode.fops. */
int64_t generic_file_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
int64_t generic_file_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
int generic_file_fsync(struct file_ref f, struct file *fp, bool datasync);
int64_t generic_file_llseek(struct file_ref f, struct file *fp, int64_t off, uint32_t whence);
int generic_file_mmap(struct file_ref f, struct file *fp, struct inode_ref *backing);
int64_t generic_dir_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos);
int64_t ramdir_readdir(struct file_ref f, struct file *fp, struct dir_ctx *ctx);
int vfs_memops_init(void);
uint32_t vfs_memfile_fops(void);
uint32_t vfs_memdir_fops(void);

/* ---- files and descriptors (vfs/file.c, vfs/fdtable.c) ---- */

int file_open_inode(struct inode_ref ino, uint32_t flags, struct file_ref *out);
/* A file with no inode behind it (pipes, eventfds...), with operations fops. */
int file_new(uint32_t fops, uint32_t flags, struct file_ref *out);
uint32_t file_poll(struct file_ref f, struct poll_table *pt);
bool file_can_poll(struct file_ref f);
/* Its operations support O_ASYNC (FOP_FASYNC). */
bool file_has_fasync(const struct file *fp);
void file_hold(struct file_ref f);
void file_drop(struct file_ref f);
int64_t file_read(struct file_ref f, struct fw_uaddr buf, uint64_t n);
/* The same with the file already looked up (fp = file_get(f), may be NULL). */
int64_t file_read_fp(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t file_write_fp(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n);
int64_t file_write(struct file_ref f, struct fw_uaddr buf, uint64_t n);
/* pread/pwrite: at pos, the file offset unchanged. */
int64_t file_pread(struct file_ref f, struct fw_uaddr buf, uint64_t n, uint64_t pos);
int64_t file_pwrite(struct file_ref f, struct fw_uaddr buf, uint64_t n, uint64_t pos);
int64_t file_llseek(struct file_ref f, int64_t off, uint32_t whence);
int64_t file_readdir(struct file_ref f, uint64_t ubuf, uint64_t size);
/* old: getdents(2)'s record format. */
int64_t file_readdir_fmt(struct file_ref f, uint64_t ubuf, uint64_t size, bool old);
int64_t file_ioctl(struct file_ref f, uint64_t cmd, uint64_t arg);
int64_t file_fcntl(struct file_ref f, uint64_t cmd, uint64_t arg);
int file_mmap(struct file_ref f, struct inode_ref *backing);
int file_fsync(struct file_ref f, bool datasync);
/* The operations' name and type for files without a path. */
void file_anon_name(struct file_ref f, struct kname *name, uint32_t *mode);
/* The provider's inode number for a file without an inode (0: none). */
uint64_t file_anon_ino(struct file_ref f);
/* The inode holding the file's bytes (its own, or generated text). */
struct inode_ref file_data_inode(const struct file *fp);
/* A regular file (or a symlink opened with O_PATH) with an inode. */
bool file_is_regular(const struct file *fp);
/* pread/pwrite are allowed (FOP_PREAD): the file has positions. */
bool file_has_positions(const struct file *fp);

/* /proc/sys/fs/nr_open (setrlimit(RLIMIT_NOFILE) above it: -EPERM);
 * setting it takes Linux's 64..2147483584 (-EINVAL). */
int64_t vfs_nr_open(void);
int vfs_set_nr_open(int64_t v);
int fdtable_new(struct fdtable_ref *out);
int fdtable_clone(struct fdtable_ref src, struct fdtable_ref *out);
void fdtable_put(struct fdtable_ref t);
int fd_install(struct fdtable_ref t, struct file_ref f, uint32_t min_fd, bool cloexec);
int fd_get(struct fdtable_ref t, int64_t fd, struct file_ref *out);
int fd_close(struct fdtable_ref t, int64_t fd);
void fd_close_on_exec(struct fdtable_ref t);

/* Signal-driven I/O (vfs/fasync.c). The owner of an open file
 * (F_SETOWN...) is a thread, a process or a process group; with O_ASYNC
 * switched on by fcntl(F_SETFL), a wake-up of a queue the file's poll
 * operation reports on sends the owner SIGIO, or the F_SETSIG signal with
 * si_code POLL_* (reason), si_band and si_fd. The VFS knows no process:
 * the process layer registers the sender at boot. */
#define F_OWNER_TID 0
#define F_OWNER_PID 1
#define F_OWNER_PGRP 2
#define POLL_IN 1
#define POLL_OUT 2
#define POLL_MSG 3
#define POLL_ERR 4
#define POLL_PRI 5
#define POLL_HUP 6
#define POLLMSG 0x400
struct sigio_msg {
	int32_t owner;
	uint32_t owner_type;
	uint32_t uid, euid;   /* of whoever set the owner */
	int32_t sig;          /* 0: plain SIGIO */
	int32_t reason;       /* POLL_* (si_code) */
	uint32_t band;        /* si_band */
	int32_t fd;           /* si_fd */
};
void vfs_set_sigio_sender(void (*send)(const struct sigio_msg *m));
/* Send the file's owner its signal (nothing without an owner). */
void file_send_sigio(struct file_ref f, int32_t fd, int32_t reason);
/* fcntl F_SETFL changed O_ASYNC: hang the file on (or take it off) the
 * queues its poll operation names; fd goes in si_fd. -ENOMEM. As Linux,
 * the O_ASYNC status flag follows: only files whose operations have
 * FOP_FASYNC take it, and one given to open() is inert and stays (a
 * change through F_SETFL finds nothing to take off). */
int file_set_async(struct file_ref f, int32_t fd, bool on);

/* File leases (vfs/lease.c). */
struct lease_caller {
	uint32_t fsuid, uid, euid;
	int32_t pid;
	bool cap_lease;   /* CAP_LEASE: may lease another's file */
};
/* F_SETLEASE: 0, -EINVAL (type, not a regular file), -EACCES (not the
 * owner), -EAGAIN (a conflicting open or lease; F_UNLCK with none). */
int lease_set(struct file_ref f, int32_t fd, uint32_t type, const struct lease_caller *who);
/* F_GETLEASE: the lease's type, or the one its break will leave. */
int lease_get_type(struct file_ref f);
/* An open with flags oflags (or a truncate: O_WRONLY) of ino: break the
 * leases it conflicts with and wait for them (-EWOULDBLOCK with
 * O_NONBLOCK, -ERESTARTSYS on a signal). */
int lease_break_slow(struct inode_ref ino, uint32_t oflags);
bool lease_count_any(void);
static inline int lease_break(struct inode_ref ino, uint32_t oflags)
{
	return lease_count_any() ? lease_break_slow(ino, oflags) : 0;
}
/* truncate(2): break as an open for writing. */
int lease_break_truncate(struct inode_ref ino);
/* The description's last reference is gone (file_drop). */
void lease_release_file(struct file_ref f);
/* /proc/sys/fs/lease-break-time (seconds). */
int32_t lease_break_time(void);
int lease_set_break_time(int64_t v);

/* Every lock, for /proc/locks: records of all kinds carry one sequence
 * number (lock_seq_next); vfs_lock_next gives the newest lock older than
 * `below` (Linux lists the newest first). -ENOENT: no more. */
#define LOCKV_POSIX 1
#define LOCKV_FLOCK 2
#define LOCKV_LEASE 3
struct lock_view {
	uint64_t seq;
	uint32_t kind;
	uint32_t type;      /* F_RDLCK, F_WRLCK; a lease: the type it is going to */
	uint32_t breaking;  /* a lease being broken */
	int32_t pid;
	struct inode_ref ino;
	uint64_t start, end; /* POSIX: the range (end LOCK_EOF) */
};
uint64_t lock_seq_next(void);
int vfs_lock_next(uint64_t below, struct lock_view *out);
void flock_lock_below(uint64_t below, struct lock_view *best);
void lease_lock_below(uint64_t below, struct lock_view *best);

/* POSIX record locks (vfs/lock.c). Owner: the descriptor table; range
 * [start, end] inclusive, end LOCK_EOF for "to the end of the file". */
#define LOCK_EOF 0xffffffffffffffffULL
struct lock_req {
	struct inode_ref ino;
	struct fdtable_ref owner;  /* a POSIX lock's owner: the descriptor table */
	struct file_ref ofd;       /* an OFD lock's owner: the open file (is_ofd) */
	int32_t pid;   /* reported by F_GETLK to others (-1 for an OFD lock) */
	uint32_t type; /* F_RDLCK, F_WRLCK, F_UNLCK */
	uint64_t start, end;
	bool is_ofd;
};
/* F_GETLK: rq becomes the first conflicting lock, or type F_UNLCK. */
int lock_test(struct lock_req *rq);
/* F_SETLK (-EAGAIN on conflict) / F_SETLKW (wait; -ERESTARTSYS; -EDEADLK
 * when a POSIX owner would wait for an owner that waits for it). */
int lock_set(const struct lock_req *rq, bool wait);
/* Drop every POSIX lock of owner on ino (a close by the owner). */
void lock_release(struct inode_ref ino, struct fdtable_ref owner);
/* Drop every OFD lock of the open file f (its last reference went). */
void lock_release_ofd(struct file_ref f);

/* Extended attributes (vfs/xattr.c) of FS_MEM_XATTR file systems; the
 * caller applies the namespace and permission rules. -EOPNOTSUPP
 * elsewhere (listxattr: an empty list). */
#define XATTR_CREATE 1
#define XATTR_REPLACE 2
#define XATTR_SIZE_MAX 65536
#define XATTR_LIST_MAX 65536
int vfs_setxattr(struct inode_ref ino, const struct kname *name, struct fw_uaddr val, uint64_t size, uint32_t flags);
/* size 0: the value's length; -ERANGE if it does not fit, -ENODATA. */
int64_t vfs_getxattr(struct inode_ref ino, const struct kname *name, struct fw_uaddr buf, uint64_t size);
/* NUL-separated names (trusted.* only if show_trusted); size 0: the length. */
int64_t vfs_listxattr(struct inode_ref ino, struct fw_uaddr buf, uint64_t size, bool show_trusted);
int vfs_removexattr(struct inode_ref ino, const struct kname *name);
void xattr_free_all(struct inode *ip);

/* flock(2) locks (vfs/flock.c), held by an open file description. */
#define FLOCK_SH 1
#define FLOCK_EX 2
#define FLOCK_UN 8
/* 0, -EAGAIN (would block, !wait), -ERESTARTSYS, -ENOLCK. */
int flock_file(struct file_ref f, uint32_t op, bool wait, int32_t pid);
/* The description's last reference is gone (file_drop). */
void flock_release_file(struct file_ref f);

/* Bytes of a kernel buffer into an inode (a 512-byte chunk type). */
struct kchunk {
	uint8_t b[512];
};
FW_POOL_DECLARE(kchunk, struct kchunk);
/* Write kernel bytes to a file at its offset (regular files; -EINVAL
 * for others: sendfile falls back). */
int64_t file_write_kernel(struct file_ref f, const struct kchunk *c, uint32_t n);
/* The same at *pos (advanced; the file offset unchanged), or at the file
 * offset when pos is NULL. Seals are honoured. */
int64_t file_write_kernel_at(struct file_ref f, const struct kchunk *c, uint32_t n, uint64_t *pos);
int inode_write_chunk(struct inode_ref r, uint64_t off, const struct kchunk *c, uint32_t n);
/* Bytes between an inode and a frame (n <= 4096, inside the frame):
 * a loop device's I/O on its backing file. */
int inode_write_frame(struct inode_ref r, uint64_t off, struct fw_frame_ref src, uint32_t soff, uint32_t n);
int inode_read_frame(struct inode_ref r, uint64_t off, struct fw_frame_ref dst, uint32_t doff, uint32_t n);
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

/* ---- file-change notification (vfs/notify.c) ----
 * One entry point for every VFS hook, as Linux's fsnotify: the hooks call
 * the inline functions below, whose cost when nobody watches anything is
 * one test of a global count of watches; then one test of the inode's
 * `marks` handle (and of the file's notify_dir). */
#define IN_ACCESS 0x1
#define IN_MODIFY 0x2
#define IN_ATTRIB 0x4
#define IN_CLOSE_WRITE 0x8
#define IN_CLOSE_NOWRITE 0x10
#define IN_OPEN 0x20
#define IN_MOVED_FROM 0x40
#define IN_MOVED_TO 0x80
#define IN_CREATE 0x100
#define IN_DELETE 0x200
#define IN_DELETE_SELF 0x400
#define IN_MOVE_SELF 0x800
#define IN_ALL_EVENTS 0xfff
#define IN_UNMOUNT 0x2000
#define IN_Q_OVERFLOW 0x4000
#define IN_IGNORED 0x8000
#define IN_ONLYDIR 0x1000000
#define IN_DONT_FOLLOW 0x2000000
#define IN_EXCL_UNLINK 0x4000000
#define IN_MASK_CREATE 0x10000000
#define IN_MASK_ADD 0x20000000
#define IN_ISDIR 0x40000000
#define IN_ONESHOT 0x80000000u
/* The slow paths (someone watches). */
void notify_name_slow(struct inode_ref dir, uint32_t mask, uint32_t cookie, const struct kname *name);
void notify_inode_slow(struct inode_ref dir, struct inode_ref ino, uint32_t mask);
/* The inode is being freed: IN_DELETE_SELF (once), IN_IGNORED, marks gone. */
void notify_inode_gone(struct inode_ref ino, bool unmount);
/* dir/name was unlinked while its inode stays open: events on the inode
 * still reach dir's watches under that name (Linux's unlinked dentry). */
void notify_unlinked(struct inode_ref dir, struct inode_ref ino, const struct kname *name);
/* Some watch exists anywhere (open looks up the parent directory only then). */
bool notify_any_watch(void);
/* A cookie shared by a rename's IN_MOVED_FROM and IN_MOVED_TO. */
uint32_t notify_cookie(void);
/* Register the inotify file operations (boot). */
int inotify_fops_init(void);
/* inotify_init1: a new instance's file (flags: O_NONBLOCK) for user uid
 * (-EMFILE past max_user_instances). */
int inotify_new(uint32_t flags, uint32_t uid, struct file_ref *out);
/* inotify_add_watch on an inode the caller may read: the wd (the same one
 * for an inode already watched), -EEXIST (IN_MASK_CREATE), -EINVAL (not an
 * inotify file). */
int inotify_add(struct file_ref f, struct inode_ref ino, uint32_t mask);
/* inotify_rm_watch: 0 (IN_IGNORED queued) or -EINVAL. */
int inotify_rm(struct file_ref f, int32_t wd);
/* /proc/sys/fs/inotify: an instance's queue length, instances and
 * watches per user (-ENOSPC from inotify_add past it). Setting one takes
 * 0..INT_MAX (-EINVAL) and applies to what comes next. */
#define INOTIFY_MAX_QUEUED 0
#define INOTIFY_MAX_INSTANCES 1
#define INOTIFY_MAX_WATCHES 2
uint32_t inotify_limit(uint32_t which);
int inotify_set_limit(uint32_t which, int64_t v);

static inline bool inode_watched(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip && ip->marks.idx != 0;
}
/* An entry of dir changed: name is the entry (IN_CREATE, IN_DELETE, IN_MOVED_*). */
static inline void notify_name(struct inode_ref dir, uint32_t mask, uint32_t cookie, const struct kname *name)
{
	if (notify_any_watch() && inode_watched(dir))
		notify_name_slow(dir, mask, cookie, name);
}
/* Inode ino changed; dir (maybe zero: the directory a path last reached
 * it by) is the directory it was reached by. */
static inline void notify_inode(struct inode_ref dir, struct inode_ref ino, uint32_t mask)
{
	if (!notify_any_watch())
		return;
	struct inode *ip = inode_get(ino);
	if (!ip)
		return;
	if (dir.idx == 0)
		dir = ip->notify_parent;
	if (ip->marks.idx != 0 || (dir.idx != 0 && inode_watched(dir)))
		notify_inode_slow(dir, ino, mask);
}
/* Events for the inode's own watches only (link count, IN_DELETE_SELF,
 * IN_MOVE_SELF: Linux tells no parent of these). */
static inline void notify_self(struct inode_ref ino, uint32_t mask)
{
	if (notify_any_watch() && inode_watched(ino))
		notify_inode_slow((struct inode_ref){0}, ino, mask);
}
/* ---- fanotify (vfs/fanotify.c): the second kind of listener ---- */
#define FAN_ACCESS 0x1
#define FAN_MODIFY 0x2
#define FAN_CLOSE_WRITE 0x8
#define FAN_CLOSE_NOWRITE 0x10
#define FAN_OPEN 0x20
#define FAN_OPEN_EXEC 0x1000
#define FAN_Q_OVERFLOW 0x4000
#define FAN_OPEN_PERM 0x10000
#define FAN_ACCESS_PERM 0x20000
#define FAN_OPEN_EXEC_PERM 0x40000
#define FAN_EVENT_ON_CHILD 0x08000000
#define FAN_ONDIR 0x40000000
#define FAN_EVENT_FLAGS (FAN_EVENT_ON_CHILD | FAN_ONDIR)
#define FAN_ALL_PERM_EVENTS (FAN_OPEN_PERM | FAN_ACCESS_PERM | FAN_OPEN_EXEC_PERM)
/* Events about an open file: what a group without file handles reports. */
#define FAN_FD_EVENTS                                                                                      \
	(FAN_ACCESS | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE | FAN_OPEN | FAN_OPEN_EXEC | FAN_ALL_PERM_EVENTS)
/* fanotify_init */
#define FAN_CLOEXEC 0x1
#define FAN_NONBLOCK 0x2
#define FAN_CLASS_NOTIF 0x0
#define FAN_CLASS_CONTENT 0x4
#define FAN_CLASS_PRE_CONTENT 0x8
#define FAN_UNLIMITED_QUEUE 0x10
#define FAN_UNLIMITED_MARKS 0x20
#define FAN_ENABLE_AUDIT 0x40
#define FAN_REPORT_PIDFD 0x80
#define FAN_REPORT_TID 0x100
#define FAN_REPORT_FID 0x200
#define FAN_REPORT_DIR_FID 0x400
#define FAN_REPORT_NAME 0x800
#define FAN_REPORT_TARGET_FID 0x1000
/* fanotify_mark */
#define FAN_MARK_ADD 0x1
#define FAN_MARK_REMOVE 0x2
#define FAN_MARK_DONT_FOLLOW 0x4
#define FAN_MARK_ONLYDIR 0x8
#define FAN_MARK_INODE 0x0
#define FAN_MARK_MOUNT 0x10
#define FAN_MARK_FILESYSTEM 0x100
#define FAN_MARK_TYPES (FAN_MARK_MOUNT | FAN_MARK_FILESYSTEM)
#define FAN_MARK_IGNORED_MASK 0x20
#define FAN_MARK_IGNORED_SURV_MODIFY 0x40
#define FAN_MARK_FLUSH 0x80
#define FAN_MARK_EVICTABLE 0x200
#define FAN_MARK_IGNORE 0x400
#define MARK_IGNORE_FLAGS 0x80000000u /* kept in a mark: its ignore mask has event flags (FAN_MARK_IGNORE) */
/* responses and records */
#define FAN_ALLOW 0x1
#define FAN_DENY 0x2
#define FAN_AUDIT 0x10
#define FAN_NOFD (-1)
#define FANOTIFY_METADATA_VERSION 3

/* What the process layer lends fanotify: the caller's pid (or thread id),
 * a descriptor for an event's file in the caller (fd or -errno), and
 * taking one back. Registered at boot by the syscall layer. */
struct fan_hooks {
	int32_t (*cur_pid)(bool tid);
	int (*install)(struct file_ref f, bool cloexec);
	void (*uninstall)(int32_t fd);
};
void fan_set_hooks(const struct fan_hooks *h);
int fanotify_fops_init(void);
/* fanotify_init: a new group's file (flags FAN_*, f_flags the event
 * files' open flags); -EMFILE past the groups' limit. */
int fan_new(uint32_t flags, uint32_t f_flags, struct file_ref *out);
FW_POOL_REF(fgroup);
/* The group behind a fanotify file (-EINVAL: not one). */
int fan_group_of(struct file_ref f, struct fgroup_ref *g);
/* /proc/<pid>/fdinfo of a notification descriptor: its i-th mark (inotify
 * or fanotify; -ENOENT past the last, or for other files), and a fanotify
 * group's init flags (-EINVAL: not one). */
struct notify_mark_view {
	int32_t wd;
	uint32_t mark_type;        /* fanotify: FAN_MARK_INODE, MOUNT, FILESYSTEM */
	struct inode_ref ino;
	struct super_ref sb;
	uint32_t sdev;             /* file-system marks: the kernel dev_t */
	uint32_t mask, ignored, mflags;
};
int notify_fdinfo_mark(struct file_ref f, uint32_t i, struct notify_mark_view *out);
int fan_fdinfo_flags(struct file_ref f, uint32_t *flags, uint32_t *f_flags);
/* A FAN_CLASS_NOTIF group (no permission events). */
bool fan_group_is_notif(struct fgroup_ref g);
/* What a mark is on: an inode, or the file system of a mount (FAN_MARK_MOUNT)
 * or of a file (FAN_MARK_FILESYSTEM). */
struct fan_object {
	uint32_t type;
	struct inode_ref ino;
	struct super_ref sb;
};
/* Add (FAN_MARK_ADD) or remove (FAN_MARK_REMOVE: -ENOENT without a mark)
 * events of the mark's mask, or with FAN_MARK_IGNORED_MASK/IGNORE of its
 * ignore mask; -ENOSPC past the group's marks. */
int fan_mark_change(struct file_ref f, const struct fan_object *obj, uint32_t flags, uint32_t mask);
/* FAN_MARK_FLUSH: every mark of that type. */
int fan_mark_flush(struct file_ref f, uint32_t type);
/* An open file's event (the hooks below call it). */
void fan_file_event(const struct file *fp, uint32_t mask);
/* A permission event (FAN_OPEN_PERM, FAN_ACCESS_PERM...): 0 or -EPERM. */
int fan_perm_event(const struct file *fp, uint32_t mask);

/* An open file was accessed, modified, opened or closed. */
static inline void notify_file(const struct file *fp, uint32_t mask)
{
	if (fp->inode.idx == 0 || !notify_any_watch() || fp->nonotify)
		return;
	/* the directory it was opened in, else the one a path last reached
	 * it by (a watch added after the open; Linux's d_parent) */
	struct inode_ref dir = fp->notify_dir;
	struct inode *ip = inode_get(fp->inode);
	if (dir.idx == 0 && ip)
		dir = ip->notify_parent;
	if ((dir.idx != 0 && inode_watched(dir)) || inode_watched(fp->inode))
		notify_inode_slow(dir, fp->inode, mask);
	fan_file_event(fp, mask);
}

/* RLIMIT_FSIZE of the calling process (UINT64_MAX: none) and its
 * SIGXFSZ; provided by the process layer (syscall/sys_misc.c), which owns
 * resource limits and signals. vfs_fsize_ok(size): may a file grow to
 * `size` (truncate, fallocate)? If not, SIGXFSZ has been sent. */
uint64_t vfs_fsize_limit(void);
void vfs_fsize_exceeded(void);
bool vfs_fsize_ok(uint64_t size);

/* Write access against execution (Linux's i_writecount; vfs/file.c): a
 * regular file open for writing cannot be executed and a running program's
 * file cannot be opened for writing or truncated, both -ETXTBSY.
 * inode_get_write/put_write count a writer; inode_deny_write/allow_write
 * a running program (exec holds it for the life of the address space). */
int inode_get_write(struct inode_ref ino);
void inode_put_write(struct inode_ref ino);
int inode_deny_write(struct inode_ref ino);
void inode_allow_write(struct inode_ref ino);

#endif
