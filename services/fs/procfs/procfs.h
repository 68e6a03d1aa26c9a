/* procfs: /proc generated from the process table. Layer: services (safe C).
 * A file system registered as "proc": nodes are ram-directory inodes of its
 * super block; inode.fs_data[PD_KIND] says what a node shows, PD_PID and
 * PD_ARG which process (and descriptor) it is about. Directories are
 * brought up to date when listed or searched; file text is generated at
 * open into a private inode (file.data); symlink targets are generated
 * whenever they are read. */
#ifndef SVC_FS_PROCFS_PROCFS_H
#define SVC_FS_PROCFS_PROCFS_H

#include "vfs/vfs.h"
#include "fs/procfs/ptext.h"
#include "proc/proc.h"

/* /proc/net: files other services register at boot, before /proc is
 * mounted (the network: unix, tcp, udp, dev...), each a name and a text
 * generator. -ENOSPC past PROC_NET_MAX. */
#define PROC_NET_MAX 12
int procfs_net_register(const char (*name)[12], void (*gen)(struct ptext *t));
/* Generate registered file i into t (procgen.c). */
void procfs_net_gen(uint32_t i, struct ptext *t);

/* inode.fs_data words */
#define PD_KIND 0
#define PD_PID 1
#define PD_ARG 2
#define PD_GEN 3 /* a pid directory: PD_ARG and PD_GEN hold its process handle */

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
	PK_LOCKS,
	PK_FILESYSTEMS,
	PK_STAT,
	PK_VERSION,
	PK_PARTITIONS,
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
	PK_SYSDIR,   /* /proc/sys and its subdirectories */
	PK_SYSCTL,   /* a /proc/sys file: PD_ARG names the knob (sysctl.c) */
	PK_PNS,      /* /proc/<pid>/ns */
	PK_PNSLINK,  /* /proc/<pid>/ns/<kind>: PD_ARG indexes ns_names */
	PK_PPAGEMAP, /* /proc/<pid>/pagemap: read directly, not generated */
	PK_SYSVIPCDIR, /* /proc/sysvipc */
	PK_SYSVIPC,  /* /proc/sysvipc/{msg,sem,shm}: PD_ARG is the ipc kind */
	PK_PTASK,    /* /proc/<pid>/task */
	PK_PTASKDIR, /* /proc/<pid>/task/<tid>: PD_ARG is the tid (as for its files) */
	PK_MOUNTINFO,
	PK_PFDINFO,    /* /proc/<pid>/fdinfo */
	PK_PFDINFOF,   /* /proc/<pid>/fdinfo/<fd>: PD_ARG is the fd */
	PK_PSMAPS,         /* /proc/<pid>/smaps (smaps.c) */
	PK_PSMAPS_ROLLUP,  /* /proc/<pid>/smaps_rollup */
	PK_PCOREFILTER,    /* /proc/<pid>/coredump_filter: readable and writable */
	PK_NETDIR,
	PK_NETFILE,                        /* the registered /proc/net files follow */
	PK_KIND_MAX = PK_NETFILE + 12
};

/* A /proc/<pid> directory (not a task's): its process and pid, for
 * pidfd_send_signal on such a descriptor (Linux accepts it as a pidfd).
 * -EBADF for any other inode. */
int procfs_pid_dir(struct inode_ref ino, struct proc_ref *proc, int32_t *pid);

/* Register "proc" and its file operations with the VFS (boot). */
int procfs_init(void);
/* Rebuild a /proc directory's entries (the process list changes). */
void procfs_refresh(struct inode_ref dir);

/* Text generators (procgen.c), writing into the inode `out`; arg is the
 * node's PD_ARG. */
struct ptext;
int procgen_file(uint32_t kind, int32_t pid, uint32_t arg, struct inode_ref out);

/* /proc/sys (sysctl.c): the files, their directory under /proc/sys
 * ("kernel", "kernel/random"...), name, knob and mode. */
struct sysctl_ent {
	char dir[16];
	char name[24];
	uint32_t knob;
	uint32_t mode;
};
/* The i-th file; false past the last. */
bool sysctl_entry(uint32_t i, struct sysctl_ent *out);
/* Set a knob from written text: 0, -EINVAL. */
int sysctl_write(uint32_t knob, const struct kchunk *c, uint32_t n);
/* Absolute path of any inode (a search from the root for non-directories). */
int procfs_path_of(struct inode_ref root, struct inode_ref ino, struct kpath *out);

#endif
