/* Directories and path lookup. Layer: services (safe C).
 * A directory lists its entries as a chain of dentries. Path lookup walks
 * components, follows symlinks up to 40 times (-ELOOP beyond), and checks
 * search permission is left to the caller's credentials layer. */
#include "vfs/vfs.h"
#include "fs/procfs.h"
#include <fw/time.h>

FW_POOL_DEFINE(dentry, struct dentry);

struct vfs_state {
	struct inode_ref root;
};
FW_GLOBAL(struct vfs_state, vfs_state);

struct inode_ref vfs_root(void) { return vfs_state()->root; }

struct io_state {
	struct fw_waitq_ref q;
	uint64_t gen;
};
FW_GLOBAL(struct io_state, io_state);

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
	return fw_waitq_create(&io_state()->q);
}

/* A directory with a file system mounted on it stands for that file
 * system's root (mounts stack: follow them all). */
struct inode_ref mount_cross(struct inode_ref r)
{
	for (int i = 0; i < 16; i++) {
		struct inode *ip = inode_get(r);
		if (!ip || !inode_ref_valid(ip->mounted))
			return r;
		r = ip->mounted;
	}
	return r;
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
	/* A removed directory (nlink 0) has no entries (Linux IS_DEADDIR). */
	bool dead = dp->fs == FS_TMPFS && dp->nlink == 0;
	if (name->len == 2 && name->s[0] == '.' && name->s[1] == '.') {
		/* ".." of a mounted root is ".." of the directory it covers. */
		struct inode_ref cur = dir;
		for (int i = 0; i < 16; i++) {
			struct inode *cp = inode_get(cur);
			if (!cp || !inode_ref_valid(cp->covered))
				break;
			cur = cp->covered;
		}
		struct inode *cp = inode_get(cur);
		*out = cp ? cp->parent : dp->parent;
		return 0;
	}
	if (dead)
		return -ENOENT;
	if (dp->fs == FS_PROC) {
		/* procfs entries appear and vanish with processes */
		procfs_lookup_prepare(dir, name);
		dp = inode_get(dir);
		if (!dp)
			return -ENOENT;
	}
	struct inode_ref found;
	int e = dir_lookup_raw(dir, name, &found);
	if (e == 0)
		*out = mount_cross(found);
	return e;
}

/* The entry named `name` itself (no mount crossing), or -ENOENT. */
int dir_lookup_raw(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
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

/* First entry whose sequence number is >= seq (getdents64). */
int dir_entry_from(struct inode_ref dir, uint64_t seq, struct dentry_ref *out)
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
	/* Append, so sequence numbers grow along the chain and a getdents64
	 * offset stays meaningful while entries come and go. */
	de->seq = ++dp->next_seq + 2;
	struct dentry_ref tail = dp->children;
	if (!dentry_ref_valid(tail)) {
		dp->children = d;
	} else {
		while (dentry_ref_valid(dentry_get(tail)->next))
			tail = dentry_get(tail)->next;
		dentry_get(tail)->next = d;
	}
	dp->mtime_ns = (int64_t)fw_time_realtime_ns();
	dp->ctime_ns = dp->mtime_ns;
	struct inode *cp = inode_get(child);
	if (cp->nlink == 0)
		cp->mnt = dp->mnt; /* a new node belongs to its directory's mount */
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
int vfs_readlink(struct inode_ref r, struct kpath *p)
{
	struct inode *ip = inode_get(r);
	struct fw_frame_ref f;
	if (ip && ip->fs == FS_PROC)
		return procfs_link_target(r, p);
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

/* Replace the walk's path by `link target` + "/" + the unwalked rest
 * (from index `rest`), so symlinks are followed without recursion. */
static int splice_link(struct kpath *work, uint32_t rest, struct inode_ref link)
{
	struct kpath_ref tr;
	if (kpath_alloc(&tr))
		return -ENOMEM;
	struct kpath *t = kpath_get(tr);
	int e = vfs_readlink(link, t);
	if (e == 0 && rest < work->len) {
		if (t->len + 1 + (work->len - rest) >= PATH_MAX) {
			e = -ENAMETOOLONG;
		} else {
			t->s[t->len++] = '/';
			for (uint32_t i = rest; i < work->len; i++)
				t->s[t->len++] = work->s[i];
			t->s[t->len] = 0;
		}
	}
	if (e == 0) {
		for (uint32_t i = 0; i <= t->len; i++)
			work->s[i] = t->s[i];
		work->len = t->len;
	}
	kpath_free(tr);
	return e;
}

/* Walk `work` (which symlink expansion rewrites in place). With
 * LOOKUP_PARENT, stop before the last component and return it in `last`;
 * with LOOKUP_PARENT|LOOKUP_FOLLOW, a last component that is a symlink is
 * followed first (creating through a dangling link creates its target). */
static int walk_path(struct inode_ref root, struct inode_ref start, struct kpath *work, uint32_t flags,
		     const struct vfs_cred *cred, struct inode_ref *out, struct kname *last)
{
	struct inode_ref cur = work->len > 0 && work->s[0] == '/' ? root : start;
	uint32_t i = 0, links = 0;
	last->len = 0;
	last->s[0] = 0;
	while (i < work->len) {
		while (i < work->len && work->s[i] == '/')
			i++;
		if (i >= work->len)
			break;
		uint32_t s = i;
		while (i < work->len && work->s[i] != '/')
			i++;
		if (i - s > NAME_MAX)
			return -ENAMETOOLONG;
		struct kname name;
		kname_set(&name, work, s, i - s);
		uint32_t rest = i;
		while (rest < work->len && work->s[rest] == '/')
			rest++;
		bool final = rest >= work->len;
		if (!inode_ref_valid(cur))
			return -ENOENT; /* a removed directory that is gone (a stale cwd) */
		if (!is_dir(cur))
			return -ENOTDIR;
		if (cred) {
			int pe = vfs_permission(cur, cred, MAY_EXEC);
			if (pe)
				return pe;
		}
		struct inode_ref next;
		int e = dir_lookup(cur, &name, &next);
		if (final && (flags & LOOKUP_PARENT)) {
			struct inode *np = e == 0 ? inode_get(next) : NULL;
			bool link = np && (np->mode & S_IFMT) == S_IFLNK;
			if (!link || !(flags & LOOKUP_FOLLOW)) {
				*last = name;
				*out = cur;
				return 0;
			}
		}
		if (e)
			return e;
		struct inode *np = inode_get(next);
		if (np && (np->mode & S_IFMT) == S_IFLNK && (!final || (flags & LOOKUP_FOLLOW) || i < work->len)) {
			if (++links > 40)
				return -ELOOP;
			e = splice_link(work, i, next);
			if (e)
				return e;
			i = 0;
			if (work->len > 0 && work->s[0] == '/')
				cur = root;
			if (work->len == 0)
				return -ENOENT;
			continue;
		}
		cur = next;
	}
	*out = cur;
	return 0;
}

int path_lookup(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		struct inode_ref *out, struct kname *last)
{
	return path_lookup_as(root, start, p, flags, NULL, out, last);
}

int path_lookup_as(struct inode_ref root, struct inode_ref start, const struct kpath *p, uint32_t flags,
		   const struct vfs_cred *cred, struct inode_ref *out, struct kname *last)
{
	if (p->len == 0)
		return -ENOENT;
	struct kpath_ref wr;
	if (kpath_alloc(&wr))
		return -ENOMEM;
	struct kpath *w = kpath_get(wr);
	for (uint32_t i = 0; i <= p->len && i < PATH_MAX; i++)
		w->s[i] = p->s[i];
	w->len = p->len;
	int e = walk_path(root, start, w, flags, cred, out, last);
	kpath_free(wr);
	return e;
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
		if (inode_ref_valid(ip->covered)) {
			/* a mounted root: continue from the directory it covers */
			cur = ip->covered;
			continue;
		}
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

/* Take the entry `name` out of `dir` without dropping its inode. */
static int detach(struct inode_ref dir, const struct kname *name, struct inode_ref *child)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	struct dentry_ref prev = {0};
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d);) {
		struct dentry *de = dentry_get(d);
		if (kname_eq(&de->name, name)) {
			*child = de->inode;
			if (dentry_ref_valid(prev))
				dentry_get(prev)->next = de->next;
			else
				dp->children = de->next;
			dentry_free(d);
			struct inode *cp = inode_get(*child);
			if (cp && (cp->mode & S_IFMT) == S_IFDIR)
				dp->nlink--;
			if (cp)
				cp->nlink--;
			return 0;
		}
		prev = d;
		d = de->next;
	}
	return -ENOENT;
}

/* Move olddir/oldname to newdir/newname, replacing an existing target
 * (the caller has checked types and emptiness). */
int dir_rename(struct inode_ref olddir, const struct kname *oldname, struct inode_ref newdir,
	       const struct kname *newname)
{
	struct inode_ref child, target;
	int e = dir_lookup_raw(olddir, oldname, &child);
	if (e)
		return e;
	if (dir_lookup_raw(newdir, newname, &target) == 0) {
		if (target.idx == child.idx && target.gen == child.gen)
			return 0;
		e = dir_unlink(newdir, newname);
		if (e)
			return e;
	}
	struct inode *cp = inode_get(child);
	cp->nlink++; /* pinned while it has no name */
	e = detach(olddir, oldname, &child);
	if (e == 0)
		e = dir_link(newdir, newname, child);
	cp = inode_get(child);
	if (cp) {
		cp->nlink--;
		cp->ctime_ns = (int64_t)fw_time_realtime_ns();
	}
	return e;
}

/* The wait queue every readiness change wakes (see vfs.h). */
int vfs_io_wait(uint64_t deadline_ns)
{
	return fw_waitq_wait(io_state()->q, deadline_ns, true);
}

void vfs_io_wake(void)
{
	struct io_state *s = io_state();
	s->gen++;
	(void)fw_waitq_wake_all(s->q);
}

uint64_t vfs_io_gen(void) { return io_state()->gen; }
