/* Changing the namespace: create, mkdir, symlink, link, unlink, rmdir,
 * rename, setattr. Layer: services (safe C). Each checks what the VFS
 * promises a file system (fs_type in vfs.h) — the directory is a live
 * directory of a writable mount, the name is a real name that does (or
 * does not) exist — and then calls the file system's operation. The
 * caller has checked the calling process's permissions. */
#include "vfs/internal.h"
#include <abi/fs.h>

static bool is_dot_or_dotdot(const struct kname *n)
{
	return n->len == 0 || (n->len == 1 && n->s[0] == '.') || (n->len == 2 && n->s[0] == '.' && n->s[1] == '.');
}

bool vfs_readonly(struct inode_ref ino)
{
	struct super *s = inode_super(ino);
	return s && (s->flags & MS_RDONLY);
}

/* dir is a live directory of a writable mount. */
static int dir_ok(struct inode_ref dir)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	if ((dp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (dp->nlink == 0)
		return -ENOENT; /* a removed directory */
	return vfs_readonly(dir) ? -EROFS : 0;
}

/* A new name in dir: checked, and free. */
static int new_name_ok(struct inode_ref dir, const struct kname *name)
{
	int e = dir_ok(dir);
	if (e)
		return e;
	if (is_dot_or_dotdot(name))
		return -EEXIST;
	struct inode_ref x;
	return dir_lookup_raw(dir, name, &x) == 0 ? -EEXIST : 0;
}

/* Regular files, device nodes, FIFOs and sockets. */
int vfs_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	struct inode_new n = *nw;
	uint32_t type = n.mode & S_IFMT;
	if (type == 0)
		n.mode |= S_IFREG;
	else if (type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	if (type != S_IFCHR && type != S_IFBLK)
		n.rdev = 0;
	int e = new_name_ok(dir, name);
	if (e == 0)
		e = fsop_create(dir, name, &n, out);
	if (e == 0)
		notify_name(dir, IN_CREATE, 0, name);
	return e;
}

int vfs_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	struct inode_new n = *nw;
	n.mode = S_IFDIR | (n.mode & 07777);
	n.rdev = 0;
	int e = new_name_ok(dir, name);
	if (e == 0)
		e = fsop_mkdir(dir, name, &n, out);
	if (e == 0)
		notify_name(dir, IN_CREATE | IN_ISDIR, 0, name);
	return e;
}

int vfs_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, const struct kpath *target)
{
	int e = new_name_ok(dir, name);
	if (e)
		return e;
	if (target->len == 0)
		return -ENOENT;
	struct inode_new n = *nw;
	n.mode = S_IFLNK | (n.mode & 07777);
	n.rdev = 0;
	struct inode_ref ino;
	e = fsop_symlink(dir, name, &n, target, &ino);
	if (e == 0)
		notify_name(dir, IN_CREATE, 0, name);
	return e;
}

int vfs_link(struct inode_ref dir, const struct kname *name, struct inode_ref target)
{
	int e = new_name_ok(dir, name);
	if (e)
		return e;
	struct inode *tp = inode_get(target);
	if (!tp)
		return -ENOENT;
	if ((tp->mode & S_IFMT) == S_IFDIR)
		return -EPERM;
	if (!vfs_same_fs(dir, target))
		return -EXDEV;
	e = fsop_link(dir, name, target);
	if (e == 0) {
		notify_self(target, IN_ATTRIB); /* its link count */
		notify_name(dir, IN_CREATE, 0, name);
	}
	return e;
}

/* The victim of a removal (or of a rename's replaced target) lost a link:
 * IN_ATTRIB (a file), IN_DELETE_SELF when it has none left and nobody has
 * it open (else when the last one closes it), then IN_IGNORED when it is
 * freed. A watched victim is held open meanwhile so the events come in
 * Linux's order around the caller's own. */
static void lost_link(struct inode_ref victim)
{
	struct inode *vp = inode_get(victim);
	if (!vp || vp->marks.idx == 0)
		return;
	if ((vp->mode & S_IFMT) != S_IFDIR)
		notify_self(victim, IN_ATTRIB);
	vp = inode_get(victim);
	if (vp && vp->nlink == 0 && vp->open_count <= 1 && !(vp->iflags & INODE_NOTIFIED_DELETE)) {
		notify_self(victim, IN_DELETE_SELF);
		vp = inode_get(victim);
		if (vp)
			vp->iflags |= INODE_NOTIFIED_DELETE;
	}
}

/* A watched inode about to lose a link is held (open_count) until its
 * events are out; removed_done lets it go. */
static bool hold_watched(struct inode_ref victim)
{
	struct inode *vp = inode_get(victim);
	if (!vp || vp->marks.idx == 0)
		return false;
	vp->open_count++;
	return true;
}

static void release_held(struct inode_ref victim, bool held)
{
	struct inode *vp = inode_get(victim);
	if (!held || !vp)
		return;
	vp->open_count--;
	inode_put_if_unused(victim);
}

/* After a removal's operation gave e: its events. */
static int removed_done(struct inode_ref dir, const struct kname *name, struct inode_ref victim, bool isdir, bool held,
			int e)
{
	if (e == 0)
		lost_link(victim);
	if (e == 0)
		notify_name(dir, IN_DELETE | (isdir ? IN_ISDIR : 0), 0, name);
	struct inode *vp = inode_get(victim);
	if (e == 0 && vp && vp->nlink == 0 && notify_any_watch() && inode_watched(dir))
		notify_unlinked(dir, victim, name); /* still open: its events keep the old name */
	release_held(victim, held);
	return e;
}

/* The existing entry dir/name of a removal or rename. */
static int old_name(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	int e = dir_ok(dir);
	if (e)
		return e;
	if (is_dot_or_dotdot(name))
		return -EBUSY;
	return dir_lookup_raw(dir, name, out);
}

int vfs_unlink(struct inode_ref dir, const struct kname *name)
{
	struct inode_ref victim;
	int e = old_name(dir, name, &victim);
	if (e)
		return e;
	struct inode *vp = inode_get(victim);
	if (vp && (vp->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	if (vp && inode_ref_valid(vp->mounted))
		return -EBUSY;
	bool held = hold_watched(victim);
	e = fsop_unlink(dir, name, victim);
	return removed_done(dir, name, victim, false, held, e);
}

int vfs_rmdir(struct inode_ref dir, const struct kname *name)
{
	struct inode_ref victim;
	int e = old_name(dir, name, &victim);
	if (e)
		return e;
	struct inode *vp = inode_get(victim);
	if (!vp || (vp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (inode_ref_valid(vp->mounted))
		return -EBUSY;
	bool held = hold_watched(victim);
	e = fsop_rmdir(dir, name, victim);
	return removed_done(dir, name, victim, true, held, e);
}

/* A rename's events: IN_MOVED_FROM and IN_MOVED_TO with one cookie, the
 * replaced target's, then IN_MOVE_SELF on what moved. */
static void renamed(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname,
		    struct inode_ref src, struct inode_ref dst)
{
	if (!notify_any_watch())
		return;
	struct inode *sp = inode_get(src);
	uint32_t isdir = sp && (sp->mode & S_IFMT) == S_IFDIR ? IN_ISDIR : 0;
	uint32_t cookie = notify_cookie();
	notify_name(odir, IN_MOVED_FROM | isdir, cookie, oname);
	notify_name(ndir, IN_MOVED_TO | isdir, cookie, nname);
	if (dst.idx != 0)
		lost_link(dst);
	sp = inode_get(src);
	if (sp)
		sp->notify_parent = ndir;
	notify_self(src, IN_MOVE_SELF);
}

int vfs_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname)
{
	struct inode_ref src, dst = {0};
	int e = old_name(odir, oname, &src);
	if (e == 0)
		e = dir_ok(ndir);
	if (e)
		return e;
	if (is_dot_or_dotdot(nname))
		return -EBUSY;
	if (!vfs_same_fs(odir, ndir))
		return -EXDEV;
	struct inode *sp = inode_get(src);
	if (sp && inode_ref_valid(sp->mounted))
		return -EBUSY;
	bool replaced = false;
	if (dir_lookup_raw(ndir, nname, &dst) == 0) {
		replaced = true;
		if (dst.idx == src.idx && dst.gen == src.gen)
			return 0;
		struct inode *dp = inode_get(dst);
		bool sdir = sp && (sp->mode & S_IFMT) == S_IFDIR, ddir = dp && (dp->mode & S_IFMT) == S_IFDIR;
		if (sdir && !ddir)
			return -ENOTDIR;
		if (!sdir && ddir)
			return -EISDIR;
		if (dp && inode_ref_valid(dp->mounted))
			return -EBUSY;
	}
	bool held = replaced && hold_watched(dst);
	e = fsop_rename(odir, oname, ndir, nname);
	sp = inode_get(src);
	if (e == 0 && sp && (sp->mode & S_IFMT) == S_IFDIR)
		sp->parent = ndir;
	if (e == 0)
		renamed(odir, oname, ndir, nname, src, replaced ? dst : (struct inode_ref){0});
	release_held(dst, held);
	return e;
}

/* What a change of attributes tells watchers, as Linux's notify_change:
 * both times set is a utime(s) call (IN_ATTRIB), one alone an access or
 * a modification; a new size is a modification. */
static uint32_t setattr_events(uint32_t valid)
{
	uint32_t m = 0;
	if (valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		m |= IN_ATTRIB;
	if (valid & ATTR_SIZE)
		m |= IN_MODIFY;
	if ((valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		m |= IN_ATTRIB;
	else if (valid & ATTR_ATIME)
		m |= IN_ACCESS;
	else if (valid & ATTR_MTIME)
		m |= IN_MODIFY;
	return m;
}

int vfs_setattr(struct inode_ref ino, const struct iattr *a)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (vfs_readonly(ino))
		return -EROFS;
	if ((a->valid & ATTR_SIZE) && (ip->mode & S_IFMT) != S_IFREG)
		return (ip->mode & S_IFMT) == S_IFDIR ? -EISDIR : -EINVAL;
	int e = fsop_setattr(ino, a);
	if (e == 0)
		notify_inode((struct inode_ref){0}, ino, setattr_events(a->valid));
	return e;
}

int vfs_fallocate(struct inode_ref ino, uint32_t mode, uint64_t off, uint64_t len)
{
	struct super *sb = inode_super(ino);
	if (!sb)
		return -EOPNOTSUPP;
	if (vfs_readonly(ino))
		return -EROFS;
	return fsop_fallocate(ino, mode, off, len);
}
