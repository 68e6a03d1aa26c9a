/* procfs: /proc generated from the process table. Layer: services (safe C).
 * Nodes are ordinary VFS inodes with fs = FS_PROC; proc_kind says what a
 * node shows and proc_pid/proc_arg which process (and descriptor) it is
 * about. Directories are brought up to date when listed or searched;
 * file text is generated at open into a private inode (file.data);
 * symlink targets are generated whenever they are read. */
#ifndef SVC_FS_PROCFS_H
#define SVC_FS_PROCFS_H

#include "vfs/vfs.h"

/* What a procfs node shows. */
enum proc_kind {
	PK_NONE,
	PK_ROOT,
	PK_SELF,
	PK_MEMINFO,
	PK_CPUINFO,
	PK_UPTIME,
	PK_LOADAVG,
	PK_MOUNTS,
	PK_FILESYSTEMS,
	PK_STAT,
	PK_VERSION,
	PK_PIDDIR,
	PK_PSTAT,
	PK_PSTATUS,
	PK_PCMDLINE,
	PK_PEXE,
	PK_PFD,
	PK_PFDLINK,
	PK_PMAPS,
	PK_PCWD,
	PK_PCOMM,
	PK_PENVIRON,
	PK_PSTATM,
	PK_PROOT,
	PK_NETDIR,
	PK_NET_UNIX,
	PK_NET_TCP,
	PK_NET_UDP,
	PK_NET_DEV,
	PK_NET_ROUTE,
	PK_NET_SNMP,
	PK_NET_TCP6,
	PK_NET_UDP6,
	PK_KIND_MAX
};

/* Rebuild a /proc directory's entries (the process list changes). */
void procfs_refresh(struct inode_ref dir);
/* Before looking `name` up in a procfs directory: make sure the entry
 * exists if (and only if) it should. */
void procfs_lookup_prepare(struct inode_ref dir, const struct kname *name);
/* Symlinks such as /proc/self, /proc/<pid>/exe and fd/N. */
int64_t procfs_readlink(struct inode_ref ino, uint64_t ubuf, uint64_t size);
int procfs_link_target(struct inode_ref ino, struct kpath *out);
/* Generate the text of a /proc file into a private inode at open. */
int procfs_open(struct file_ref f, struct file *fp);
/* A new procfs root (mount -t proc) belonging to mount `mnt`. */
int procfs_new_root(uint32_t mnt, struct inode_ref *out);
/* Free every node of a procfs or tmpfs tree below and including root
 * (umount); nodes still open live on until closed. */
void fs_tree_free(struct inode_ref root);

/* Text generators (procgen.c), writing into the inode `out`. */
struct ptext;
int procgen_file(uint32_t kind, int32_t pid, struct inode_ref out);
/* Absolute path of any inode (a search from the root for non-directories). */
int procfs_path_of(struct inode_ref root, struct inode_ref ino, struct kpath *out);

#endif
