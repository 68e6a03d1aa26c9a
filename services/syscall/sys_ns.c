/* setns(2) and pivot_root(2). Layer: services (safe C). Decodes and
 * checks user input; the namespaces are proc/ns.c's, the mount table the
 * VFS's (vfs/mount.c).
 *
 * setns takes a descriptor of /proc/<pid>/ns/<kind> (nstype 0 or that
 * kind's CLONE_NEW* flag, else -EINVAL) or a pidfd (nstype a non-empty
 * set of CLONE_NEW* flags: the caller joins every one of the process's
 * namespaces named). Entering needs CAP_SYS_ADMIN (a mount namespace also
 * CAP_SYS_CHROOT), else -EPERM; joining one's own user namespace is
 * -EINVAL as on Linux; a mount namespace cannot be entered while the
 * file-system context is shared (CLONE_FS), and entering it moves the
 * root and working directory to its root.
 *
 * pivot_root shares vfs_pivot_root with the boot's switch to a root disk
 * (--root); here it also moves every process of the namespace whose root
 * or working directory was the old root, as Linux does. */
#include "syscall/fs.h"
#include "syscall/syscall.h"

#define NS_FLAGS_ALL 0xfe020080ULL /* NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME */

static int may_enter(uint32_t kind)
{
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kind == NSK_MNT && !cred_capable(CAP_SYS_CHROOT))
		return -EPERM;
	return 0;
}

/* Checks first (Linux validates the whole set before installing any). */
static int check_enter(uint32_t kind, uint32_t slot)
{
	if (kind == NSK_USER && slot == ns_slot(cur_proc(), NSK_USER))
		return -EINVAL; /* a task cannot re-enter its own user namespace */
	if (kind == NSK_MNT && share_shared(cur_proc_ref(), SHARE_FS))
		return -EINVAL;
	return may_enter(kind);
}

static int enter(uint32_t kind, uint32_t slot)
{
	int e = ns_enter(kind, slot);
	if (e == 0 && kind == NSK_MNT) {
		struct proc *p = cur_proc();
		p->root = vfs_root();
		p->cwd = p->root;
	}
	return e;
}

static int64_t setns_pidfd(struct file_ref f, uint64_t flags)
{
	struct pidfd_info info;
	if (pidfd_target(f, &info))
		return -EINVAL;
	if (!flags || (flags & ~NS_FLAGS_ALL))
		return -EINVAL;
	struct proc *t = proc_get(info.proc);
	if (!t || t->state != PROC_ALIVE)
		return -ESRCH;
	uint32_t slot[NSK_KINDS];
	for (uint32_t k = 0; k < NSK_KINDS; k++) {
		slot[k] = ns_slot(t, k);
		if (!(flags & ns_clone_flag(k)))
			continue;
		int e = check_enter(k, slot[k]);
		if (e)
			return e;
	}
	for (uint32_t k = 0; k < NSK_KINDS; k++)
		if (flags & ns_clone_flag(k))
			(void)enter(k, slot[k]);
	return 0;
}

int64_t sys_setns(struct fw_uregs *r)
{
	struct file_ref f;
	uint64_t flags = (uint32_t)a1(r);
	if (a0(r) > 0x7fffffff || fd_get(cur_proc()->files, (int64_t)a0(r), &f))
		return -EBADF;
	uint32_t kind, slot;
	if (ns_of_node(file_get(f)->inode, &kind, &slot))
		return setns_pidfd(f, flags);
	if (flags && flags != ns_clone_flag(kind))
		return -EINVAL;
	if (!ns_live(kind, slot))
		return -EINVAL; /* its last process has gone */
	int e = check_enter(kind, slot);
	return e ? e : enter(kind, slot);
}

static bool same(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }

static uint32_t type_of(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip ? ip->mode & S_IFMT : 0;
}

int64_t sys_pivot_root(struct fw_uregs *r)
{
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM;
	struct inode_ref new_root, put_old;
	struct kname last;
	int e = resolve_at(AT_FDCWD, a0(r), LOOKUP_FOLLOW, &new_root, &last, false);
	if (e == 0 && type_of(new_root) != S_IFDIR)
		e = -ENOTDIR;
	if (e == 0)
		e = resolve_at(AT_FDCWD, a1(r), LOOKUP_FOLLOW, &put_old, &last, false);
	if (e == 0 && type_of(put_old) != S_IFDIR)
		e = -ENOTDIR;
	if (e)
		return e;
	struct inode_ref old_root = cur_proc()->root;
	e = vfs_pivot_root(old_root, new_root, put_old);
	if (e)
		return e;
	/* every process of this namespace rooted or working at the old root
	 * moves to the new one */
	uint32_t ns = ns_slot(cur_proc(), NSK_MNT);
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (!p || p->pid != pid || p->state != PROC_ALIVE || ns_slot(p, NSK_MNT) != ns)
			continue;
		if (same(p->root, old_root))
			p->root = new_root;
		if (same(p->cwd, old_root))
			p->cwd = new_root;
	}
	return 0;
}
