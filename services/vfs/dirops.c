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
	return e ? e : fsop_create(dir, name, &n, out);
}

int vfs_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	struct inode_new n = *nw;
	n.mode = S_IFDIR | (n.mode & 07777);
	n.rdev = 0;
	int e = new_name_ok(dir, name);
	return e ? e : fsop_mkdir(dir, name, &n, out);
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
	return fsop_symlink(dir, name, &n, target, &ino);
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
	return fsop_link(dir, name, target);
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
	return fsop_unlink(dir, name, victim);
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
	return fsop_rmdir(dir, name, victim);
}

int vfs_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname)
{
	struct inode_ref src, dst;
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
	if (dir_lookup_raw(ndir, nname, &dst) == 0) {
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
	e = fsop_rename(odir, oname, ndir, nname);
	sp = inode_get(src);
	if (e == 0 && sp && (sp->mode & S_IFMT) == S_IFDIR)
		sp->parent = ndir;
	return e;
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
	return fsop_setattr(ino, a);
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
