/* Namespaces (proc/ns.c). Layer: services (safe C); included by
 * proc/proc.h.
 *
 * Every process belongs to one namespace of each kind; a namespace is a
 * slot of a per-kind table, slot 0 being the initial one (never freed,
 * with the inode numbers Linux gives its initial namespaces). Mount and
 * UTS namespaces can be created (unshare, clone) and entered (setns);
 * the other kinds have only their initial namespace. A namespace lives
 * while a process is in it. */
#ifndef SVC_PROC_NS_H
#define SVC_PROC_NS_H

#include <fw/types.h>

enum ns_kind { NSK_CGROUP, NSK_IPC, NSK_MNT, NSK_NET, NSK_PID, NSK_TIME, NSK_USER, NSK_UTS, NSK_KINDS };
#define NSK_SLOTS 32

struct proc;
/* The slot of p's namespace of kind k, and its inode number. */
uint32_t ns_slot(const struct proc *p, enum ns_kind k);
uint32_t ns_inum(const struct proc *p, enum ns_kind k);
/* The calling process's mount namespace slot (the VFS asks). */
uint32_t ns_cur_mnt(void);
/* The CLONE_NEW* flag of kind k. */
uint64_t ns_clone_flag(enum ns_kind k);
/* A new process joins its parent's namespaces; an exiting one leaves. */
void ns_fork(struct proc *child, const struct proc *parent);
void ns_exit(struct proc *p);
/* Move process `who` into a new namespace of kind k (a copy of its
 * current one). -ENOSPC when the table is full, -ENOMEM when the mount
 * table is, -EINVAL for kinds that cannot be created. */
int ns_make(struct proc_ref who, enum ns_kind k);
/* The inode that stands for p's namespace of kind k (what opening
 * /proc/<pid>/ns/<kind> gives); made on first use. */
int ns_node(const struct proc *p, enum ns_kind k, struct inode_ref *out);
/* Which namespace an inode stands for; -EINVAL if none. */
int ns_of_node(struct inode_ref ino, uint32_t *kind, uint32_t *slot);
/* Enter namespace slot of kind k (setns; the caller checked privilege). */
int ns_enter(enum ns_kind k, uint32_t slot);
/* Is slot a live namespace of kind k? */
bool ns_live(enum ns_kind k, uint32_t slot);
/* Boot: the initial namespaces; the VFS learns to ask for the caller's
 * mount namespace. */
void ns_init(void);
/* The UTS names of namespace slot `to` become a copy of `from`'s (uts.c). */
int uts_copy(uint32_t from, uint32_t to);

#endif
