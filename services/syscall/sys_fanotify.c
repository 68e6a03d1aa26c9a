/* fanotify_init, fanotify_mark. Layer: services (safe C). Checks the
 * arguments in Linux's order (privilege, flags, descriptor, path,
 * permission) and hands the group's work to the VFS (vfs/fanotify.c),
 * which it lends the caller's pid and descriptor table. */
#include "proc/cred.h"
#include "syscall/fs.h"

#define INIT_ADMIN_FLAGS                                                                                   \
	(FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT | FAN_REPORT_TID | FAN_REPORT_PIDFD | FAN_UNLIMITED_QUEUE | \
	 FAN_UNLIMITED_MARKS)
#define INIT_FID_FLAGS (FAN_REPORT_FID | FAN_REPORT_DIR_FID | FAN_REPORT_NAME | FAN_REPORT_TARGET_FID)
#define INIT_FLAGS (INIT_ADMIN_FLAGS | INIT_FID_FLAGS | FAN_CLOEXEC | FAN_NONBLOCK | FAN_ENABLE_AUDIT)
#define EVENT_F_FLAGS (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC | O_DSYNC | O_CLOEXEC | O_LARGEFILE | O_NOATIME)
#define MARK_FLAGS                                                                                         \
	(FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_DONT_FOLLOW | FAN_MARK_ONLYDIR | FAN_MARK_TYPES |          \
	 FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY | FAN_MARK_FLUSH | FAN_MARK_EVICTABLE | FAN_MARK_IGNORE)
/* Event bits fanotify_mark knows (the ones needing file handles are
 * refused below, as Linux does for a group without them). */
#define MARK_EVENTS_FID 0x0000f3c4u /* ATTRIB, MOVED_*, CREATE, DELETE, *_SELF, FS_ERROR, RENAME (0x10000000) */
#define MARK_VALID (FAN_FD_EVENTS | FAN_EVENT_FLAGS | MARK_EVENTS_FID | 0x10000000u)

static int32_t hook_pid(bool tid)
{
	if (tid) {
		struct thread *t = cur_thread();
		return t ? t->tid : 0;
	}
	struct proc *p = cur_proc();
	return p ? p->pid : 0;
}

static int hook_install(struct file_ref f, bool cloexec) { return fd_install_limited(f, 0, cloexec); }
static void hook_uninstall(int32_t fd) { (void)fd_close(cur_proc()->files, fd); }

int64_t sys_fanotify_init(struct fw_uregs *r)
{
	uint32_t flags = (uint32_t)a0(r), f_flags = (uint32_t)a1(r);
	if (!cred_capable(CAP_SYS_ADMIN))
		return -EPERM; /* Keel has no unprivileged (file-handle) groups */
	if (flags & ~(uint32_t)INIT_FLAGS)
		return -EINVAL;
	if ((flags & FAN_REPORT_PIDFD) && (flags & FAN_REPORT_TID))
		return -EINVAL;
	if (f_flags & ~(uint32_t)EVENT_F_FLAGS)
		return -EINVAL;
	if ((f_flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	uint32_t cls = flags & (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT);
	if (cls == (FAN_CLASS_CONTENT | FAN_CLASS_PRE_CONTENT))
		return -EINVAL;
	if ((flags & INIT_FID_FLAGS) && cls)
		return -EINVAL;
	if (flags & (INIT_FID_FLAGS | FAN_REPORT_PIDFD | FAN_ENABLE_AUDIT))
		return -EINVAL; /* not implemented: file-handle and pidfd records, audit */
	struct fan_hooks h = {hook_pid, hook_install, hook_uninstall};
	fan_set_hooks(&h);
	struct file_ref f;
	int e = fan_new(flags, f_flags | O_LARGEFILE, &f);
	if (e)
		return e;
	int fd = fd_install_limited(f, 0, (flags & FAN_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

/* The object a mark names: a path (relative to dirfd), or dirfd itself. */
static int mark_object(int64_t dirfd, uint64_t upath, uint32_t flags, struct inode_ref *ino)
{
	if (upath == 0) {
		struct file_ref f;
		int e = fd_get(cur_proc()->files, dirfd, &f);
		if (e)
			return e;
		*ino = file_get(f)->inode;
		if (!inode_ref_valid(*ino))
			return -EINVAL; /* a pipe, a socket...: no path to mark */
	} else {
		struct kname last;
		uint32_t lk = (flags & FAN_MARK_DONT_FOLLOW) ? 0 : LOOKUP_FOLLOW;
		int e = resolve_at(dirfd, upath, lk, ino, &last, false);
		if (e)
			return e;
	}
	struct inode *ip = inode_get(*ino);
	if ((flags & FAN_MARK_ONLYDIR) && (!ip || (ip->mode & S_IFMT) != S_IFDIR))
		return -ENOTDIR;
	return upath ? may_access(*ino, MAY_READ) : 0;
}

int64_t sys_fanotify_mark(struct fw_uregs *r)
{
	uint32_t flags = (uint32_t)a1(r);
	uint64_t mask64 = a2(r);
	uint32_t type = flags & FAN_MARK_TYPES;
	if (mask64 >> 32)
		return -EINVAL;
	uint32_t mask = (uint32_t)mask64;
	if (flags & ~(uint32_t)MARK_FLAGS)
		return -EINVAL;
	if (type == FAN_MARK_TYPES)
		return -EINVAL;
	uint32_t cmd = flags & (FAN_MARK_ADD | FAN_MARK_REMOVE | FAN_MARK_FLUSH);
	if (cmd == FAN_MARK_FLUSH) {
		if (flags & ~(uint32_t)(FAN_MARK_TYPES | FAN_MARK_FLUSH))
			return -EINVAL;
	} else if (cmd == FAN_MARK_ADD || cmd == FAN_MARK_REMOVE) {
		if (!mask)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (mask & ~(uint32_t)MARK_VALID)
		return -EINVAL;
	uint32_t ignore = flags & (FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORE);
	if (ignore == (FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORE))
		return -EINVAL;
	if (ignore == FAN_MARK_IGNORED_MASK)
		mask &= ~(uint32_t)FAN_EVENT_FLAGS;
	struct file_ref f;
	int e = fd_get(cur_proc()->files, (int32_t)a0(r), &f);
	if (e)
		return e;
	struct fgroup_ref g;
	e = fan_group_of(f, &g);
	if (e)
		return e;
	if ((mask & FAN_ALL_PERM_EVENTS) && fan_group_is_notif(g))
		return -EINVAL;
	if (mask & ~(uint32_t)(FAN_FD_EVENTS | FAN_EVENT_FLAGS))
		return -EINVAL; /* events without a file need file-handle reports */
	if (cmd == FAN_MARK_FLUSH)
		return fan_mark_flush(f, type);
	struct fan_object obj = {type, {0, 0}, {0, 0}};
	struct inode_ref ino;
	e = mark_object((int32_t)a3(r), a4(r), flags, &ino);
	if (e)
		return e;
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	bool dir = (ip->mode & S_IFMT) == S_IFDIR;
	if (cmd == FAN_MARK_ADD && ignore == FAN_MARK_IGNORE && !(flags & FAN_MARK_IGNORED_SURV_MODIFY)) {
		if (type != FAN_MARK_INODE)
			return -EINVAL;
		if (dir)
			return -EISDIR;
	}
	if (type != FAN_MARK_INODE || !dir)
		mask &= ~(uint32_t)FAN_EVENT_ON_CHILD;
	if (type == FAN_MARK_INODE)
		obj.ino = ino;
	else
		obj.sb = ip->sb;
	return fan_mark_change(f, &obj, flags, mask);
}
