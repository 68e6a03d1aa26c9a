/* Directories and path lookup. Layer: services (safe C).
 * A directory lists its entries as a chain of dentries. Path lookup walks
 * components, follows symlinks up to 40 times (-ELOOP beyond), and checks
 * search permission is left to the caller's credentials layer. */
#include "vfs/vfs.h"
#include <fw/time.h>

FW_POOL_DEFINE(dentry, struct dentry);

struct vfs_state {
	struct inode_ref root;
};
FW_GLOBAL(struct vfs_state, vfs_state);

struct inode_ref vfs_root(void) { return vfs_state()->root; }

int vfs_init(void)
{
	struct inode_ref root;
	int r = inode_new(S_IFDIR | 0755, &root);
	if (r)
		return r;
	struct inode *ip = inode_get(root);
	ip->nlink = 2;
	ip->parent = root;
	vfs_state()->root = root;
	return 0;
}

static bool is_dir(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip && (ip->mode & S_IFMT) == S_IFDIR;
}

int dir_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	if ((dp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (name->len == 0 || (name->len == 1 && name->s[0] == '.')) {
		*out = dir;
		return 0;
	}
	if (name->len == 2 && name->s[0] == '.' && name->s[1] == '.') {
		*out = dp->parent;
		return 0;
	}
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d);) {
		struct dentry *de = dentry_get(d);
		if (kname_eq(&de->name, name)) {
			*out = de->inode;
			return 0;
		}
		d = de->next;
	}
	return -ENOENT;
}

int dir_link(struct inode_ref dir, const struct kname *name, struct inode_ref child)
{
	struct inode_ref existing;
	if (dir_lookup(dir, name, &existing) == 0)
		return -EEXIST;
	struct dentry_ref d;
	int r = dentry_alloc(&d);
	if (r)
		return -ENOSPC;
	struct dentry *de = dentry_get(d);
	de->name = *name;
	de->inode = child;
	struct inode *dp = inode_get(dir);
	de->next = dp->children;
	dp->children = d;
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

int dir_unlink(struct inode_ref dir, const struct kname *name)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	struct dentry_ref prev = {0};
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d);) {
		struct dentry *de = dentry_get(d);
		if (kname_eq(&de->name, name)) {
			struct inode_ref child = de->inode;
			struct dentry_ref next = de->next;
			if (dentry_ref_valid(prev))
				dentry_get(prev)->next = next;
			else
				dp->children = next;
			dentry_free(d);
			struct inode *cp = inode_get(child);
			if (cp) {
				if ((cp->mode & S_IFMT) == S_IFDIR) {
					cp->nlink = 0;
					dp->nlink--;
				} else if (cp->nlink > 0) {
					cp->nlink--;
				}
				cp->ctime_ns = (int64_t)fw_time_realtime_ns();
			}
			dp->mtime_ns = (int64_t)fw_time_realtime_ns();
			inode_put_if_unused(child);
			return 0;
		}
		prev = d;
		d = de->next;
	}
	return -ENOENT;
}

bool dir_is_empty(struct inode_ref dir)
{
	struct inode *dp = inode_get(dir);
	return dp && !dentry_ref_valid(dp->children);
}

/* Read a symlink's target into a path buffer. */
static int read_link(struct inode_ref r, struct kpath *p)
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

struct walk {
	struct inode_ref root;
	uint32_t links;
};

static int walk_path(struct walk *w, struct inode_ref start, const struct kpath *p, uint32_t flags,
		     struct inode_ref *out, struct kname *last);

/* Resolve a symlink found at `link` inside directory `dir`. */
static int follow(struct walk *w, struct inode_ref dir, struct inode_ref link, struct inode_ref *out)
{
	if (++w->links > 40)
		return -ELOOP;
	struct kpath_ref tr;
	if (kpath_alloc(&tr))
		return -ENOMEM;
	int e = read_link(link, kpath_get(tr));
	struct kname unused;
	if (e == 0)
		e = walk_path(w, dir, kpath_get(tr), LOOKUP_FOLLOW, out, &unused);
	kpath_free(tr);
	return e;
}

static int walk_path(struct walk *w, struct inode_ref start, const struct kpath *p, uint32_t flags,
		     struct inode_ref *out, struct kname *last)
{
	struct inode_ref cur = p->len > 0 && p->s[0] == '/' ? w->root : start;
	uint32_t i = 0;
	last->len = 0;
	last->s[0] = 0;
	while (i < p->len) {
		while (i < p->len && p->s[i] == '/')
			i++;
		if (i >= p->len)
			break;
		uint32_t s = i;
		while (i < p->len && p->s[i] != '/')
			i++;
		if (i - s > NAME_MAX)
			return -ENAMETOOLONG;
		struct kname name;
		kname_set(&name, p, s, i - s);
		uint32_t rest = i;
		while (rest < p->len && p->s[rest] == '/')
			rest++;
		bool final = rest >= p->len;
		if (!is_dir(cur))
			return -ENOTDIR;
		if (final && (flags & LOOKUP_PARENT)) {
			*last = name;
			*out = cur;
			return 0;
		}
		struct inode_ref next;
		int e = dir_lookup(cur, &name, &next);
		if (e)
			return e;
		struct inode *np = inode_get(next);
		if (np && (np->mode & S_IFMT) == S_IFLNK && (!final || (flags & LOOKUP_FOLLOW) || i < p->len)) {
			e = follow(w, cur, next, &next);
			if (e)
				return e;
		}
		cur = next;
	}
	if (flags & LOOKUP_PARENT) {
		/* "/" or "dir/": no final component */
		*out = cur;
		return 0;
	}
	*out = cur;
	return 0;
}

int path_lookup(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		struct inode_ref *out, struct kname *last)
{
	if (p->len == 0)
		return -ENOENT;
	struct walk w = {root, 0};
	return walk_path(&w, start, p, flags, out, last);
}

/* Name of `child` inside directory `dir`. */
static int name_in(struct inode_ref dir, struct inode_ref child, struct kname *out)
{
	struct inode *dp = inode_get(dir);
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d); d = dentry_get(d)->next) {
		struct dentry *de = dentry_get(d);
		if (de->inode.idx == child.idx && de->inode.gen == child.gen) {
			*out = de->name;
			return 0;
		}
	}
	return -ENOENT;
}

int vfs_path_of(struct inode_ref root, struct inode_ref dir, struct kpath *out)
{
	/* Collect names leaf-first, then reverse them in place. */
	out->len = 0;
	struct inode_ref cur = dir;
	for (int depth = 0; depth < 256; depth++) {
		if (cur.idx == root.idx && cur.gen == root.gen)
			break;
		struct inode *ip = inode_get(cur);
		if (!ip)
			return -ENOENT;
		struct kname n;
		if (name_in(ip->parent, cur, &n))
			return -ENOENT;
		if (out->len + n.len + 1 >= PATH_MAX)
			return -ENAMETOOLONG;
		for (uint32_t i = 0; i < n.len; i++)
			out->s[out->len + i] = n.s[n.len - 1 - i];
		out->len += n.len;
		out->s[out->len++] = '/';
		cur = ip->parent;
	}
	if (out->len == 0)
		out->s[out->len++] = '/';
	for (uint32_t i = 0; i < out->len / 2; i++) {
		char t = out->s[i];
		out->s[i] = out->s[out->len - 1 - i];
		out->s[out->len - 1 - i] = t;
	}
	out->s[out->len] = 0;
	return 0;
}
