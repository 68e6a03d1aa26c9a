/* Extended attributes kept in memory for the file systems that offer them
 * (FS_MEM_XATTR: tmpfs, devtmpfs). Layer: services (safe C). Trusts the
 * callers for permissions and name rules (services/syscall/sys_xattr.c
 * applies Linux's xattr_permission); this file stores, replaces, lists and
 * removes. A value lives in up to 16 frames (XATTR_SIZE_MAX 64 KiB); the
 * attributes of an inode go when the inode does. */
#include "vfs/vfs.h"
#include "vfs/internal.h"
#include <fw/time.h>

#define VALUE_PAGES 16

struct xattr {
	struct kname name;
	uint32_t size;
	struct fw_frame_ref page[VALUE_PAGES];
	struct xattr_ref next;
};
FW_POOL_PRIVATE(xattr, struct xattr);

static void free_one(struct xattr_ref r)
{
	struct xattr *x = xattr_get(r);
	if (!x)
		return;
	for (uint32_t i = 0; i < VALUE_PAGES; i++)
		if (x->page[i].pfn)
			fw_frame_put(x->page[i]);
	xattr_free(r);
}

void xattr_free_all(struct inode *ip)
{
	struct xattr_ref c = ip->xattrs;
	ip->xattrs = (struct xattr_ref){0};
	while (xattr_ref_valid(c)) {
		struct xattr_ref next = xattr_get(c)->next;
		free_one(c);
		c = next;
	}
}

static bool offered(struct inode_ref ino)
{
	struct super *sb = inode_super(ino);
	return sb && (fs_type_flags_at(sb->type) & FS_MEM_XATTR);
}

/* strcmp order of two names */
static int name_cmp(const struct kname *a, const struct kname *b)
{
	uint32_t n = FW_MIN(a->len, b->len);
	for (uint32_t i = 0; i < n; i++)
		if (a->s[i] != b->s[i])
			return (unsigned char)a->s[i] < (unsigned char)b->s[i] ? -1 : 1;
	return a->len < b->len ? -1 : a->len > b->len ? 1 : 0;
}

static struct xattr_ref find(struct inode *ip, const struct kname *name, struct xattr_ref *prev)
{
	*prev = (struct xattr_ref){0};
	for (struct xattr_ref c = ip->xattrs; xattr_ref_valid(c); c = xattr_get(c)->next) {
		if (kname_eq(&xattr_get(c)->name, name))
			return c;
		*prev = c;
	}
	return (struct xattr_ref){0};
}

int vfs_setxattr(struct inode_ref ino, const struct kname *name, struct fw_uaddr val, uint64_t size, uint32_t flags)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (!offered(ino))
		return -EOPNOTSUPP;
	if (vfs_readonly(ino))
		return -EROFS;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	struct xattr_ref prev, old = find(ip, name, &prev);
	if (xattr_ref_valid(old) && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!xattr_ref_valid(old) && (flags & XATTR_REPLACE))
		return -ENODATA;
	struct xattr_ref nr;
	if (xattr_alloc(&nr))
		return -ENOSPC;
	struct xattr *x = xattr_get(nr);
	x->name = *name;
	x->size = (uint32_t)size;
	for (uint32_t i = 0; (uint64_t)i * 4096 < size; i++) {
		uint32_t n = (uint32_t)FW_MIN(4096ULL, size - (uint64_t)i * 4096);
		struct fw_frame_ref f;
		int e = fw_frame_alloc(&f) ? -ENOSPC : 0;
		if (e == 0) {
			xattr_get(nr)->page[i] = f;
			e = fw_frame_from_user(f, 0, fw_uaddr_add(val, (uint64_t)i * 4096), n) ? -EFAULT : 0;
		}
		if (e) {
			free_one(nr);
			return e;
		}
	}
	/* the new value replaces the old one in place in the list */
	ip = inode_get(ino);
	old = find(ip, name, &prev);
	if (xattr_ref_valid(old)) {
		xattr_get(nr)->next = xattr_get(old)->next;
		if (xattr_ref_valid(prev))
			xattr_get(prev)->next = nr;
		else
			ip->xattrs = nr;
		free_one(old);
	} else {
		/* keep the list sorted by name, descending: listxattr shows them
		 * in the order of Linux's simple_xattr rbtree walk */
		struct xattr_ref before = {0};
		for (struct xattr_ref c = ip->xattrs; xattr_ref_valid(c); c = xattr_get(c)->next) {
			if (name_cmp(&xattr_get(c)->name, name) < 0)
				break;
			before = c;
		}
		if (xattr_ref_valid(before)) {
			xattr_get(nr)->next = xattr_get(before)->next;
			xattr_get(before)->next = nr;
		} else {
			xattr_get(nr)->next = ip->xattrs;
			ip->xattrs = nr;
		}
	}
	ip = inode_get(ino);
	ip->ctime_ns = (int64_t)fw_time_realtime_ns();
	return 0;
}

int64_t vfs_getxattr(struct inode_ref ino, const struct kname *name, struct fw_uaddr buf, uint64_t size)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (!offered(ino))
		return -EOPNOTSUPP;
	struct xattr_ref prev, c = find(ip, name, &prev);
	struct xattr *x = xattr_get(c);
	if (!x)
		return -ENODATA;
	if (size == 0)
		return x->size;
	if (size < x->size)
		return -ERANGE;
	for (uint32_t i = 0; (uint64_t)i * 4096 < x->size; i++) {
		uint32_t n = (uint32_t)FW_MIN(4096U, x->size - i * 4096);
		if (fw_frame_to_user(x->page[i], 0, fw_uaddr_add(buf, (uint64_t)i * 4096), n))
			return -EFAULT;
	}
	return x->size;
}

int64_t vfs_listxattr(struct inode_ref ino, struct fw_uaddr buf, uint64_t size, bool show_trusted)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (!offered(ino))
		return 0; /* nothing to list (Linux: a file system without xattrs lists none) */
	uint64_t used = 0;
	const char trusted[] = "trusted.";
	for (struct xattr_ref c = ip->xattrs; xattr_ref_valid(c); c = xattr_get(c)->next) {
		struct xattr *x = xattr_get(c);
		bool is_trusted = x->name.len >= 8;
		for (uint32_t i = 0; is_trusted && i < 8; i++)
			is_trusted = x->name.s[i] == trusted[i];
		if (is_trusted && !show_trusted)
			continue;
		uint64_t n = x->name.len + 1;
		if (size && used + n > size)
			return -ERANGE;
		if (size && fw_copy_to_user_n(fw_uaddr_add(buf, used), &x->name.s, n))
			return -EFAULT;
		used += n;
	}
	return (int64_t)used;
}

int vfs_removexattr(struct inode_ref ino, const struct kname *name)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (!offered(ino))
		return -EOPNOTSUPP;
	if (vfs_readonly(ino))
		return -EROFS;
	struct xattr_ref prev, c = find(ip, name, &prev);
	if (!xattr_ref_valid(c))
		return -ENODATA;
	if (xattr_ref_valid(prev))
		xattr_get(prev)->next = xattr_get(c)->next;
	else
		ip->xattrs = xattr_get(c)->next;
	free_one(c);
	ip = inode_get(ino);
	ip->ctime_ns = (int64_t)fw_time_realtime_ns();
	return 0;
}
