/* Directories and symlinks kept in memory: a library for file systems
 * whose whole tree lives in memory (tmpfs, devtmpfs, /proc, devpts), like
 * Linux's libfs. Layer: services (safe C). A directory lists its entries
 * as a chain of dentries in creation order, with a handle on the last one
 * so that creating a file appends without walking the chain; each
 * entry's sequence number is its getdents64 cursor. A symlink's target is its first page. */
#include "vfs/vfs.h"
#include <abi/fs.h>
#include <fw/time.h>

FW_POOL_DEFINE(dentry, struct dentry);

static bool same(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* A hash of the name (FNV-1a), kept in each entry so that a scan
 * compares names only where the hashes match. */
static uint32_t name_hash(const struct kname *n)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < n->len && i < NAME_MAX; i++)
		h = (h ^ (uint8_t)n->s[i]) * 16777619u;
	return h;
}

int ramdir_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	uint32_t h = name_hash(name);
	/* One pool lookup per entry: dentry_get of the end's null handle
	 * ends the scan. */
	for (struct dentry *de = dentry_get(dp->children); de; de = dentry_get(de->next)) {
		if (de->hash == h && kname_eq(&de->name, name)) {
			*out = de->inode;
			return 0;
		}
	}
	return -ENOENT;
}

int ramdir_entry_from(struct inode_ref dir, uint64_t seq, struct dentry_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d);) {
		struct dentry *de = dentry_get(d);
		if (de->seq >= seq) {
			*out = d;
			return 0;
		}
		d = de->next;
	}
	return -ENOENT;
}

/* check: look for the name first (-EEXIST). Only a caller that has just
 * made sure the name is absent, with nothing in between that sleeps or
 * changes the directory, passes false: a directory of N entries costs N
 * dentry lookups per scan, and a create already paid for two. */
static int link_in(struct inode_ref dir, const struct kname *name, struct inode_ref child, bool check)
{
	struct inode_ref existing;
	if (check && ramdir_lookup(dir, name, &existing) == 0)
		return -EEXIST;
	struct dentry_ref d;
	int r = dentry_alloc(&d);
	if (r)
		return -ENOSPC;
	struct dentry *de = dentry_get(d);
	de->name = *name;
	de->hash = name_hash(name);
	de->inode = child;
	struct inode *dp = inode_get(dir);
	/* Append, so sequence numbers grow along the chain and a getdents64
	 * offset stays meaningful while entries come and go. */
	de->seq = ++dp->next_seq + 2;
	if (!dentry_ref_valid(dp->children)) {
		dp->children = d;
	} else {
		/* dp->last is kept by this file alone; walk only if it ever
		 * failed to name the end of the chain. */
		struct dentry_ref tail = dp->last;
		if (!dentry_get(tail) || dentry_ref_valid(dentry_get(tail)->next)) {
			tail = dp->children;
			while (dentry_ref_valid(dentry_get(tail)->next))
				tail = dentry_get(tail)->next;
		}
		dentry_get(tail)->next = d;
	}
	dp->last = d;
	dp->mtime_ns = (int64_t)fw_time_realtime_ns();
	dp->ctime_ns = dp->mtime_ns;
	struct inode *cp = inode_get(child);
	cp->nlink++;
	if ((cp->mode & S_IFMT) == S_IFDIR) {
		cp->parent = dir;
		dp->nlink++;
	}
	return 0;
}

/* Take the entry `name` out of `dir`: its inode loses a link (a directory
 * all of them), and `dir` its ".." link from a child directory. */
static int detach(struct inode_ref dir, const struct kname *name, struct inode_ref *child)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	struct dentry_ref prev = {0};
	uint32_t h = name_hash(name);
	for (struct dentry_ref d = dp->children;;) {
		struct dentry *de = dentry_get(d);
		if (!de)
			break;
		if (de->hash == h && kname_eq(&de->name, name)) {
			*child = de->inode;
			if (dentry_ref_valid(prev))
				dentry_get(prev)->next = de->next;
			else
				dp->children = de->next;
			if (!dentry_ref_valid(de->next))
				dp->last = prev;
			dentry_free(d);
			return 0;
		}
		prev = d;
		d = de->next;
	}
	return -ENOENT;
}

int ramdir_unlink(struct inode_ref dir, const struct kname *name)
{
	struct inode_ref child;
	int e = detach(dir, name, &child);
	if (e)
		return e;
	struct inode *dp = inode_get(dir), *cp = inode_get(child);
	int64_t now = (int64_t)fw_time_realtime_ns();
	if (cp) {
		if ((cp->mode & S_IFMT) == S_IFDIR) {
			cp->nlink = 0;
			dp->nlink--;
		} else if (cp->nlink > 0) {
			cp->nlink--;
		}
		cp->ctime_ns = now;
	}
	dp->mtime_ns = now;
	inode_put_if_unused(child);
	return 0;
}

bool ramdir_is_empty(struct inode_ref dir)
{
	struct inode *dp = inode_get(dir);
	return dp && !dentry_ref_valid(dp->children);
}

int ramdir_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d); d = dentry_get(d)->next) {
		struct dentry *de = dentry_get(d);
		if (same(de->inode, child)) {
			*out = de->name;
			return 0;
		}
	}
	return -ENOENT;
}

/* Move olddir/oldname to newdir/newname, replacing an existing target
 * (the VFS has checked the types; a non-empty directory is refused). */
int ramdir_rename(struct inode_ref olddir, const struct kname *oldname, struct inode_ref newdir,
		  const struct kname *newname)
{
	struct inode_ref child, target;
	int e = ramdir_lookup(olddir, oldname, &child);
	if (e)
		return e;
	if (ramdir_lookup(newdir, newname, &target) == 0) {
		if (same(target, child))
			return 0;
		struct inode *tp = inode_get(target);
		if (tp && (tp->mode & S_IFMT) == S_IFDIR && !ramdir_is_empty(target))
			return -ENOTEMPTY;
		e = ramdir_unlink(newdir, newname);
		if (e)
			return e;
	}
	struct inode *cp = inode_get(child);
	cp->nlink++; /* pinned while it has no name */
	e = detach(olddir, oldname, &child);
	if (e == 0) {
		cp = inode_get(child);
		if ((cp->mode & S_IFMT) == S_IFDIR)
			inode_get(olddir)->nlink--;
		cp->nlink--;
		e = ramdir_link(newdir, newname, child);
	}
	cp = inode_get(child);
	if (cp) {
		cp->nlink--;
		cp->ctime_ns = (int64_t)fw_time_realtime_ns();
	}
	return e;
}

/* Remove every entry below dir (depth-limited: memory trees are shallow;
 * anything deeper is left to leak rather than overflow the stack). */
static void clear(struct inode_ref dir, uint32_t depth)
{
	for (;;) {
		struct inode *dp = inode_get(dir);
		if (!dp || !dentry_ref_valid(dp->children))
			return;
		struct dentry *de = dentry_get(dp->children);
		struct kname name = de->name;
		struct inode_ref child = de->inode;
		struct inode *cp = inode_get(child);
		if (cp && (cp->mode & S_IFMT) == S_IFDIR && depth < 24)
			clear(child, depth + 1);
		if (ramdir_unlink(dir, &name))
			return;
	}
}

void ramdir_clear(struct inode_ref dir) { clear(dir, 0); }

int ramdir_link(struct inode_ref dir, const struct kname *name, struct inode_ref child)
{
	return link_in(dir, name, child, true);
}

static int make(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out,
		bool check)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	int e = inode_new_in(dp->sb, nw->mode, out);
	if (e)
		return -ENOSPC;
	struct inode *ip = inode_get(*out);
	ip->uid = nw->uid;
	ip->gid = nw->gid;
	ip->rdev = nw->rdev;
	if ((nw->mode & S_IFMT) == S_IFDIR)
		ip->nlink = 1; /* "." */
	e = link_in(dir, name, *out, check);
	if (e) {
		ip = inode_get(*out);
		ip->nlink = 0;
		inode_put_if_unused(*out);
	}
	return e;
}

int ramfs_make(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	return make(dir, name, nw, out, true);
}

int ramfs_create_new(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	return make(dir, name, nw, out, false);
}

int ramfs_readlink(struct inode_ref r, struct kpath *p)
{
	struct inode *ip = inode_get(r);
	struct fw_frame_ref f;
	if (!ip || ip->size == 0 || ip->size >= PATH_MAX)
		return -ENOENT;
	uint32_t n = (uint32_t)ip->size;
	if (inode_page(r, 0, false, &f))
		return -ENOENT;
	int e = fw_frame_read(f, 0, &p->s, n);
	if (e)
		return e;
	p->s[n] = 0;
	p->len = n;
	return 0;
}

int ramfs_write_target(struct inode_ref r, const struct kpath *target)
{
	struct fw_frame_ref f;
	if (target->len == 0 || target->len >= PATH_MAX)
		return -ENAMETOOLONG;
	int e = inode_page(r, 0, true, &f);
	if (e == 0)
		e = fw_frame_write(f, 0, &target->s, target->len);
	if (e)
		return e;
	inode_get(r)->size = target->len;
	return 0;
}
