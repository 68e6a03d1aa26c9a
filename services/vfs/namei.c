/* Names and paths: one name in a directory, path walks, symlinks, and the
 * path of a directory. Layer: services (safe C). Path lookup walks
 * components, follows symlinks up to 40 times (-ELOOP beyond) without
 * recursion, and crosses mounts both ways; permission checks are the
 * caller's. Names inside a directory are the file system's business
 * (its lookup and get_name operations). */
#include "vfs/internal.h"
#include <abi/fs.h>

/* A directory with a file system mounted on it stands for that file
 * system's root (mounts stack: follow them all). */
struct inode_ref mount_cross(struct inode_ref r)
{
	for (int i = 0; i < 16; i++) {
		struct inode *ip = inode_get(r);
		if (!ip || !inode_ref_valid(ip->mounted))
			return r; /* the fast path: no namespace mounts here */
		struct inode_ref m = vfs_ns_mounted(r);
		if (!inode_ref_valid(m))
			return r;
		r = m;
	}
	return r;
}

static bool is_dir(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip && (ip->mode & S_IFMT) == S_IFDIR;
}

static bool is_dot(const struct kname *n) { return n->len == 0 || (n->len == 1 && n->s[0] == '.'); }
static bool is_dotdot(const struct kname *n) { return n->len == 2 && n->s[0] == '.' && n->s[1] == '.'; }

/* ".." of a directory: of a mounted root, ".." of the directory it covers. */
static struct inode_ref parent_of(struct inode_ref dir)
{
	struct inode_ref cur = dir;
	for (int i = 0; i < 16; i++) {
		struct inode *cp = inode_get(cur);
		if (!cp || !inode_ref_valid(cp->covered))
			break;
		struct inode_ref c = vfs_ns_covered(cur);
		if (!inode_ref_valid(c))
			break;
		cur = c;
	}
	struct inode *cp = inode_get(cur);
	return cp ? cp->parent : (struct inode_ref){0};
}

/* 1 when name is "." or "..", which the VFS answers itself; the
 * other names are the file system's (0: found, *out set). */
static int lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	if ((dp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (is_dot(name)) {
		*out = dir;
		return 1;
	}
	if (is_dotdot(name)) {
		*out = parent_of(dir);
		return 1;
	}
	/* A removed directory (nlink 0) has no entries (Linux IS_DEADDIR). */
	if (dp->nlink == 0)
		return -ENOENT;
	return fsop_lookup(dp->fstype, dir, name, out);
}

int dir_lookup_raw(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	int e = lookup(dir, name, out);
	return e > 0 ? 0 : e;
}

int dir_lookup(struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	int e = lookup(dir, name, out);
	if (e == 0)
		*out = mount_cross(*out);
	return e > 0 ? 0 : e;
}

/* Read a symlink's target into a path buffer. */
int vfs_readlink(struct inode_ref r, struct kpath *p)
{
	struct inode *ip = inode_get(r);
	if (!ip || (ip->mode & S_IFMT) != S_IFLNK)
		return -EINVAL;
	return fsop_readlink(r, p);
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
	if (e == -EINVAL)
		e = -ENOENT;
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

/* Walk the caller's path `p`. Symlink expansion rewrites the path, so the
 * first symlink copies it into a working buffer (*wr, allocated here, freed
 * by the caller); a walk without symlinks allocates nothing. With
 * LOOKUP_PARENT, stop before the last component and return it in `last`;
 * with LOOKUP_PARENT|LOOKUP_FOLLOW, a last component that is a symlink is
 * followed first (creating through a dangling link creates its target). */
static bool same_ino(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* The restrictions of openat2's RESOLVE_* flags on one step. */
static int restrict_jump(uint32_t flags, struct inode_ref root, struct inode_ref start)
{
	/* an absolute path or symlink target */
	if (flags & LOOKUP_BENEATH)
		return -EXDEV;
	if ((flags & LOOKUP_NO_XDEV) && !vfs_same_fs(root, start))
		return -EXDEV;
	return 0;
}

static int walk_path(struct inode_ref root, struct inode_ref start, const struct kpath *p, struct kpath_ref *wr,
		     uint32_t flags, const struct vfs_cred *cred, struct inode_ref *out, struct kname *last)
{
	const struct kpath *work = p;
	bool abs = work->len > 0 && work->s[0] == '/';
	if (abs) {
		int re = restrict_jump(flags, root, start);
		if (re)
			return re;
	}
	struct inode_ref cur = abs ? root : start;
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
		int e;
		if (is_dotdot(&name) && (flags & LOOKUP_BENEATH) && same_ino(cur, start)) {
			return -EXDEV; /* would leave the start directory */
		} else if (is_dotdot(&name) && same_ino(cur, root)) {
			e = 0; /* ".." of the root (a chroot, RESOLVE_IN_ROOT) is the root */
			next = root;
		} else if (flags & LOOKUP_NO_XDEV) {
			e = dir_lookup_raw(cur, &name, &next);
			struct inode *cp = inode_get(cur);
			bool out_of_mount = is_dotdot(&name) && cp && inode_ref_valid(vfs_ns_covered(cur));
			if (e == 0 && (out_of_mount || !same_ino(mount_cross(next), next)))
				return -EXDEV;
		} else {
			e = dir_lookup(cur, &name, &next);
		}
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
			if (flags & LOOKUP_NO_SYMLINKS)
				return -ELOOP;
			if (np->iflags & INODE_MAGIC_LINK) {
				if (flags & LOOKUP_NO_MAGICLINKS)
					return -ELOOP;
				if (flags & (LOOKUP_BENEATH | LOOKUP_IN_ROOT))
					return -EXDEV;
				/* the object itself, as Linux's nd_jump_link */
				struct inode_ref target;
				int le = fsop_link_target(next, &target);
				if (le == 0) {
					cur = target;
					continue;
				}
				if (le == -EACCES)
					return le;
			}
			if (!kpath_ref_valid(*wr)) {
				if (kpath_alloc(wr))
					return -ENOMEM;
				struct kpath *copy = kpath_get(*wr);
				for (uint32_t k = 0; k <= p->len && k < PATH_MAX; k++)
					copy->s[k] = p->s[k];
				copy->len = p->len;
			}
			struct kpath *w = kpath_get(*wr);
			e = splice_link(w, i, next);
			if (e)
				return e;
			work = w;
			i = 0;
			if (work->len > 0 && work->s[0] == '/') {
				int re = restrict_jump(flags, root, start);
				if (re)
					return re;
				cur = root;
			}
			if (work->len == 0)
				return -ENOENT;
			continue;
		}
		if (final && notify_any_watch() && np)
			np->notify_parent = cur; /* its events reach a watch on cur, as Linux's d_parent */
		/* a trailing '/' names a directory: "file/" is ENOTDIR */
		if (final && i < work->len && np && (np->mode & S_IFMT) != S_IFDIR)
			return -ENOTDIR;
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
	struct kpath_ref wr = {0};
	if (flags & LOOKUP_IN_ROOT)
		root = start;
	int e = walk_path(root, start, p, &wr, flags, cred, out, last);
	if (kpath_ref_valid(wr))
		kpath_free(wr);
	return e;
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
		struct inode_ref c = inode_ref_valid(ip->covered) ? vfs_ns_covered(cur) : (struct inode_ref){0};
		if (inode_ref_valid(c)) {
			/* a mounted root: continue from the directory it covers */
			cur = c;
			continue;
		}
		struct kname n;
		if (fsop_get_name(ip->parent, cur, &n))
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

int vfs_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out) { return fsop_get_name(dir, child, out); }
