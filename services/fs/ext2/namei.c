/* ext2 namespace operations: lookup, create, mkdir, symlink, link,
 * unlink, rmdir, rename, get_name (the fs_type's inode operations).
 * Layer: services (safe C). The VFS has checked names, types and
 * permissions; these keep link counts, "..", the directories' sizes and
 * times, and write every inode they change to its buffer. Each takes the
 * file system's lock. */
#include "fs/ext2/ext2.h"
#include <abi/fs.h>
#include <fw/time.h>

static int64_t now_ns(void) { return (int64_t)fw_time_realtime_ns(); }

/* The directory changed: its times, and it goes to disk. */
static int touched(struct inode_ref dir)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -EIO;
	dp->mtime_ns = dp->ctime_ns = now_ns();
	return e2_write_inode(dir);
}

static uint32_t ino_of(struct inode_ref v)
{
	struct inode *ip = inode_get(v);
	return ip ? (uint32_t)ip->ino : 0;
}

int ext2_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	uint32_t ino;
	e = e2_dir_find(dir, name, &ino);
	if (e == 0)
		e = e2_iget(r, ino, out);
	/* a directory's ".." (for the VFS) is where it was found: ext2 keeps
	 * directories to one name each; a file remembers a directory that
	 * holds it (/proc/<pid>/exe, fd links) */
	struct inode *cp = e == 0 ? inode_get(*out) : NULL;
	if (cp && ino != EXT2_ROOT_INO)
		cp->parent = dir;
	e2_unlock(r);
	return e;
}

/* A new inode linked as dir/name. */
static int make(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e = e2_inew(r, ino_of(dir), nw, out);
	if (e)
		return e;
	struct inode *ip = inode_get(*out);
	ip->nlink = 1;
	e = e2_write_inode(*out);
	if (e == 0)
		e = e2_dir_add(dir, name, ino_of(*out), e2_ftype(nw->mode));
	if (e == 0)
		e = touched(dir);
	if (e) {
		ip = inode_get(*out);
		ip->nlink = 0;
		inode_put_if_unused(*out); /* freed on disk too */
	}
	return e;
}

int ext2_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	e = make(dir, name, nw, out);
	e2_unlock(r);
	return e;
}

int ext2_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	struct inode *dp = inode_get(dir);
	if (dp->nlink >= EXT2_LINK_MAX)
		e = -EMLINK;
	if (e == 0)
		e = e2_inew(r, ino_of(dir), nw, out);
	if (e == 0) {
		inode_get(*out)->nlink = 2; /* its entry and its "." */
		e = e2_dir_init(*out, ino_of(dir));
		if (e == 0)
			e = e2_write_inode(*out);
		if (e == 0)
			e = e2_dir_add(dir, name, ino_of(*out), EXT2_FT_DIR);
		if (e) {
			inode_get(*out)->nlink = 0;
			inode_put_if_unused(*out);
		}
	}
	if (e == 0) {
		inode_get(dir)->nlink++; /* the new directory's ".." */
		inode_get(*out)->parent = dir;
		e = touched(dir);
	}
	e2_unlock(r);
	return e;
}

int ext2_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, const struct kpath *target,
		 struct inode_ref *out)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	if (target->len >= e2fs_get(r)->bsize)
		return -ENAMETOOLONG;
	e2_lock(r);
	e = make(dir, name, nw, out);
	if (e == 0 && ext2_write_target(*out, target) != 0) {
		(void)e2_dir_remove(dir, name);
		inode_get(*out)->nlink = 0;
		inode_put_if_unused(*out);
		e = -ENOSPC;
	}
	e2_unlock(r);
	return e;
}

int ext2_link(struct inode_ref dir, const struct kname *name, struct inode_ref target)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	struct inode *tp = inode_get(target);
	if (tp->nlink >= EXT2_LINK_MAX)
		e = -EMLINK;
	if (e == 0)
		e = e2_dir_add(dir, name, ino_of(target), e2_ftype(tp->mode));
	if (e == 0) {
		tp = inode_get(target);
		tp->nlink++;
		tp->ctime_ns = now_ns();
		e = e2_write_inode(target);
	}
	if (e == 0)
		e = touched(dir);
	e2_unlock(r);
	return e;
}

/* The entry dir/name goes; victim loses the link (a directory: all of
 * them, and dir its ".."). Freed when no one has it open. */
static int drop(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	int e = e2_dir_remove(dir, name);
	if (e)
		return e;
	struct inode *vp = inode_get(victim);
	if ((vp->mode & S_IFMT) == S_IFDIR) {
		vp->nlink = 0;
		struct inode *dp = inode_get(dir);
		if (dp->nlink > 2)
			dp->nlink--;
	} else if (vp->nlink > 0) {
		vp->nlink--;
	}
	vp->ctime_ns = now_ns();
	e = e2_write_inode(victim);
	int t = touched(dir);
	inode_put_if_unused(victim);
	return e ? e : t;
}

int ext2_unlink(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	e = drop(dir, name, victim);
	e2_unlock(r);
	return e;
}

int ext2_rmdir(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	e = e2_dir_empty(victim);
	if (e == 0)
		e = -ENOTEMPTY;
	else if (e == 1)
		e = drop(dir, name, victim);
	e2_unlock(r);
	return e;
}

/* Moving directory `child` under a new parent: its ".." follows. */
static int reparent(struct inode_ref child, struct inode_ref odir, struct inode_ref ndir)
{
	struct kname dotdot = {.s = "..", .len = 2};
	int e = e2_dir_set(child, &dotdot, ino_of(ndir), EXT2_FT_DIR);
	if (e)
		return e;
	struct inode *op = inode_get(odir), *np = inode_get(ndir);
	if (op->nlink > 2)
		op->nlink--;
	np->nlink++;
	e = e2_write_inode(odir);
	return e ? e : e2_write_inode(ndir);
}

static int do_rename(struct e2fs_ref r, struct inode_ref odir, const struct kname *oname, struct inode_ref ndir,
		     const struct kname *nname)
{
	uint32_t sino, tino;
	int e = e2_dir_find(odir, oname, &sino);
	struct inode_ref src, target;
	if (e == 0)
		e = e2_iget(r, sino, &src);
	if (e)
		return e;
	struct inode *sp = inode_get(src);
	bool sdir = (sp->mode & S_IFMT) == S_IFDIR, cross = odir.idx != ndir.idx || odir.gen != ndir.gen;
	if (e2_dir_find(ndir, nname, &tino) == 0) {
		if (tino == sino)
			return 0;
		e = e2_iget(r, tino, &target);
		if (e)
			return e;
		if ((inode_get(target)->mode & S_IFMT) == S_IFDIR) {
			e = e2_dir_empty(target);
			if (e <= 0)
				return e == 0 ? -ENOTEMPTY : e;
		}
		/* the target's entry now names the source */
		e = e2_dir_set(ndir, nname, sino, e2_ftype(sp->mode));
		if (e)
			return e;
		struct inode *tp = inode_get(target);
		if ((tp->mode & S_IFMT) == S_IFDIR) {
			tp->nlink = 0;
			struct inode *np = inode_get(ndir);
			if (np->nlink > 2)
				np->nlink--;
		} else if (tp->nlink) {
			tp->nlink--;
		}
		tp->ctime_ns = now_ns();
		(void)e2_write_inode(target);
		inode_put_if_unused(target);
	} else {
		if (sdir && cross && inode_get(ndir)->nlink >= EXT2_LINK_MAX)
			return -EMLINK;
		e = e2_dir_add(ndir, nname, sino, e2_ftype(sp->mode));
		if (e)
			return e;
	}
	e = e2_dir_remove(odir, oname);
	if (e == 0 && sdir && cross)
		e = reparent(src, odir, ndir);
	sp = inode_get(src);
	if (sp) {
		sp->ctime_ns = now_ns();
		(void)e2_write_inode(src);
	}
	if (e == 0)
		e = touched(odir);
	if (e == 0 && cross)
		e = touched(ndir);
	return e;
}

int ext2_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname)
{
	struct e2fs_ref r;
	int e = e2_fs_of(odir, &r);
	if (e)
		return e;
	e2_lock(r);
	e = do_rename(r, odir, oname, ndir, nname);
	e2_unlock(r);
	return e;
}

int ext2_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out)
{
	struct e2fs_ref r;
	int e = e2_fs_of(dir, &r);
	if (e)
		return e;
	e2_lock(r);
	e = e2_dir_name_of(dir, ino_of(child), out);
	e2_unlock(r);
	return e;
}
