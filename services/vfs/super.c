/* File-system types, super blocks and the mount table. Layer: services
 * (safe C). A file system registers its type by name; mount(2) makes a
 * super block of a type, asks the type for its root and hangs that root on
 * the target directory (inode.mounted / inode.covered; path lookup crosses
 * both ways). The types' operations are copied into a table here and
 * reached through the fsop_* dispatchers, so no service stores a pointer
 * and only functions a file system named are called. The mount table and
 * mount namespaces are in vfs/mount.c. */
#include "vfs/internal.h"
#include <abi/fs.h>

FW_POOL_DEFINE(super, struct super);

struct fs_registry {
	struct fs_type t[FS_TYPES_MAX]; /* entry 0 stays empty: no operations */
	uint32_t n;
	struct super_ref single[FS_TYPES_MAX]; /* FS_SINGLE types: their one instance */
};
FW_GLOBAL(struct fs_registry, fs_registry);

int fs_register(const struct fs_type *t, uint32_t *id)
{
	struct fs_registry *r = fs_registry();
	if (r->n == 0)
		r->n = 1;
	if (r->n >= FS_TYPES_MAX)
		return -ENOSPC;
	r->t[r->n] = *t;
	*id = r->n++;
	return 0;
}

/* The name of registered type t. */
static void type_name(uint32_t t, struct kname *n)
{
	struct fs_registry *r = fs_registry();
	n->len = 0;
	while (t < FS_TYPES_MAX && n->len < sizeof(r->t[t].name) && r->t[t].name[n->len]) {
		n->s[n->len] = r->t[t].name[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static int type_by_name(const struct kname *n, uint32_t *out)
{
	struct fs_registry *r = fs_registry();
	for (uint32_t i = 1; i < r->n && i < FS_TYPES_MAX; i++) {
		struct kname t;
		type_name(i, &t);
		if (kname_eq(&t, n)) {
			*out = i;
			return 0;
		}
	}
	return -ENODEV;
}

int vfs_fs_type_info(uint32_t i, struct kname *name, uint32_t *flags)
{
	struct fs_registry *r = fs_registry();
	if (i + 1 >= r->n || i + 1 >= FS_TYPES_MAX)
		return -ENOENT;
	type_name(i + 1, name);
	*flags = r->t[i + 1].flags;
	return 0;
}

int vfs_fs_type_flags(const struct kname *type, uint32_t *flags)
{
	uint32_t t;
	int e = type_by_name(type, &t);
	if (e == 0)
		*flags = fs_registry()->t[t].flags;
	return e;
}

void vfs_fs_type_name(struct super_ref sb, struct kname *name)
{
	struct super *s = super_get(sb);
	type_name(s && s->type < FS_TYPES_MAX ? s->type : 0, name);
}

struct super *inode_super(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	if (!ip)
		return NULL;
	return super_get(ip->sb);
}

/* The registry index of an inode's file system (0: none). */
static uint32_t type_of(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip && ip->fstype < FS_TYPES_MAX ? ip->fstype : 0;
}

uint32_t inode_fs_type(struct inode_ref r) { return type_of(r); }

uint32_t fs_type_flags_at(uint32_t type) { return type < FS_TYPES_MAX ? fs_registry()->t[type].flags : 0; }

bool vfs_same_fs(struct inode_ref a, struct inode_ref b)
{
	struct inode *ap = inode_get(a), *bp = inode_get(b);
	return ap && bp && ap->sb.idx == bp->sb.idx && ap->sb.gen == bp->sb.gen;
}

uint32_t inode_dev(struct inode_ref r)
{
	struct inode *ip = inode_get(r);
	return ip ? ip->dev : 1;
}

/* ---- dispatch ---- */

int fsop_lookup(uint32_t fstype, struct inode_ref dir, const struct kname *name, struct inode_ref *out)
{
	uint32_t t = fstype < FS_TYPES_MAX ? fstype : 0;
	struct fs_registry *r = fs_registry();
	return r->t[t].lookup ? r->t[t].lookup(dir, name, out) : -ENOENT;
}

int fsop_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].create ? r->t[t].create(dir, name, nw, out) : -EACCES;
}

int fsop_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].mkdir ? r->t[t].mkdir(dir, name, nw, out) : -EACCES;
}

int fsop_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, const struct kpath *target,
		 struct inode_ref *out)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].symlink ? r->t[t].symlink(dir, name, nw, target, out) : -EACCES;
}

int fsop_link(struct inode_ref dir, const struct kname *name, struct inode_ref target)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].link ? r->t[t].link(dir, name, target) : -EPERM;
}

int fsop_unlink(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].unlink ? r->t[t].unlink(dir, name, victim) : -EPERM;
}

int fsop_rmdir(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].rmdir ? r->t[t].rmdir(dir, name, victim) : -EPERM;
}

int fsop_rename(struct inode_ref odir, const struct kname *oname, struct inode_ref ndir, const struct kname *nname)
{
	uint32_t t = type_of(odir);
	struct fs_registry *r = fs_registry();
	return r->t[t].rename ? r->t[t].rename(odir, oname, ndir, nname) : -EPERM;
}

int fsop_link_target(struct inode_ref link, struct inode_ref *out)
{
	uint32_t t = type_of(link);
	struct fs_registry *r = fs_registry();
	return r->t[t].link_target ? r->t[t].link_target(link, out) : -EINVAL;
}

int fsop_readlink(struct inode_ref ino, struct kpath *out)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].readlink ? r->t[t].readlink(ino, out) : -EINVAL;
}

int fsop_setattr(struct inode_ref ino, const struct iattr *a)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	/* private memory inodes (no file system) change in memory */
	return r->t[t].setattr ? r->t[t].setattr(ino, a) : inode_setattr_mem(ino, a);
}

int fsop_fallocate(struct inode_ref ino, uint32_t mode, uint64_t off, uint64_t len)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].fallocate ? r->t[t].fallocate(ino, mode, off, len) : -EOPNOTSUPP;
}

int fsop_get_name(struct inode_ref dir, struct inode_ref child, struct kname *out)
{
	uint32_t t = type_of(dir);
	struct fs_registry *r = fs_registry();
	return r->t[t].get_name ? r->t[t].get_name(dir, child, out) : -ENOENT;
}

void fsop_evict(struct inode_ref ino)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	if (r->t[t].evict)
		r->t[t].evict(ino);
}

bool fstype_has_backing(uint32_t fstype)
{
	return fs_registry()->t[fstype < FS_TYPES_MAX ? fstype : 0].writepages != NULL;
}

bool fsop_has_backing(struct inode_ref ino) { return fstype_has_backing(type_of(ino)); }

int fsop_readpages(struct inode_ref ino, struct page_batch *b)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].readpages ? r->t[t].readpages(ino, b) : -EIO;
}

int fsop_writepages(struct inode_ref ino, const struct page_batch *b)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].writepages ? r->t[t].writepages(ino, b) : 0;
}

int fsop_write_begin(struct inode_ref ino, uint64_t pos, uint64_t len)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].write_begin ? r->t[t].write_begin(ino, pos, len) : 0;
}

int fsop_write_end(struct inode_ref ino, uint64_t pos, uint64_t len, uint64_t copied)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].write_end ? r->t[t].write_end(ino, pos, len, copied) : 0;
}

int fsop_write_inode(struct inode_ref ino)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].write_inode ? r->t[t].write_inode(ino) : 0;
}

int fsop_fsync(struct inode_ref ino, bool datasync)
{
	uint32_t t = type_of(ino);
	struct fs_registry *r = fs_registry();
	return r->t[t].fsync ? r->t[t].fsync(ino, datasync) : 0;
}

/* ---- super blocks for the mount table (vfs/mount.c) ---- */

int fs_type_lookup(const struct kname *type, uint32_t *out) { return type_by_name(type, out); }

struct super_ref fs_single_get(uint32_t t)
{
	struct fs_registry *r = fs_registry();
	return t < FS_TYPES_MAX && (r->t[t].flags & FS_SINGLE) ? r->single[t] : (struct super_ref){0};
}

void fs_single_set(uint32_t t, struct super_ref sb)
{
	struct fs_registry *r = fs_registry();
	if (t < FS_TYPES_MAX && (r->t[t].flags & FS_SINGLE))
		r->single[t] = sb;
}

/* A new super block of type t, mounted nowhere yet. */
int super_make(uint32_t t, const struct kname *source, uint64_t flags, uint32_t bdev, struct super_ref *out)
{
	if (super_alloc(out))
		return -ENOMEM;
	struct super *s = super_get(*out);
	s->type = t;
	s->dev = mount_next_dev();
	s->flags = flags;
	s->source = *source;
	s->bdev = bdev;
	struct inode_ref root;
	struct fs_registry *r = fs_registry();
	int e = t < FS_TYPES_MAX && r->t[t].mount ? r->t[t].mount(*out, &root) : -ENODEV;
	if (e) {
		super_free(*out);
		return e;
	}
	s = super_get(*out);
	s->root = root;
	struct inode *rp = inode_get(root);
	if (rp && !inode_ref_valid(rp->parent))
		rp->parent = root;
	return 0;
}

int vfs_kern_super(const struct kname *type, struct super_ref *out)
{
	uint32_t t;
	int e = type_by_name(type, &t);
	return e ? e : super_make(t, type, 0, 0, out);
}

int vfs_single_super(const struct kname *type, struct super_ref *out)
{
	uint32_t t;
	int e = type_by_name(type, &t);
	if (e)
		return e;
	if (!(fs_registry()->t[t].flags & FS_SINGLE))
		return -EINVAL;
	struct super_ref sb = fs_single_get(t);
	if (!super_get(sb)) {
		e = super_make(t, type, 0, 0, &sb);
		if (e)
			return e;
		fs_single_set(t, sb);
	}
	*out = sb;
	return 0;
}

static bool type_single(const struct super *s)
{
	uint32_t t = s->type < FS_TYPES_MAX ? s->type : 0;
	return (fs_registry()->t[t].flags & FS_SINGLE) != 0;
}

int super_unmount(struct super_ref sb)
{
	struct super *s = super_get(sb);
	if (!s || type_single(s))
		return 0; /* FS_SINGLE: the instance lives on (its nodes with it) */
	(void)vfs_sync_fs(sb);
	s = super_get(sb);
	uint32_t t = s && s->type < FS_TYPES_MAX ? s->type : 0;
	struct fs_registry *r = fs_registry();
	return r->t[t].umount ? r->t[t].umount(sb) : 0;
}

void super_release(struct super_ref sb)
{
	struct super *s = super_get(sb);
	if (!s)
		return;
	s->mounts = 0;
	s->covered = (struct inode_ref){0};
	if (!type_single(s))
		super_free(sb);
}

/* ---- statfs and sync ---- */

int vfs_statfs(struct inode_ref ino, struct linux_statfs *st)
{
	/* files without a file system (pipes...) report the root's */
	struct inode *ip = inode_get(ino);
	struct super_ref sb = ip ? ip->sb : mount_root_super();
	struct super *s = super_get(sb);
	if (!s) {
		sb = mount_root_super();
		s = super_get(sb);
	}
	*st = (struct linux_statfs){0};
	if (!s)
		return 0;
	uint32_t t = s->type < FS_TYPES_MAX ? s->type : 0;
	struct fs_registry *r = fs_registry();
	st->f_type = r->t[t].magic;
	st->f_bsize = 4096;
	st->f_frsize = 4096;
	st->f_namelen = NAME_MAX;
	if (r->t[t].statfs)
		r->t[t].statfs(sb, st);
	return 0;
}

int vfs_sync_fs(struct super_ref sb)
{
	struct super *s = super_get(sb);
	if (!s)
		return 0;
	uint32_t t = s->type < FS_TYPES_MAX ? s->type : 0;
	struct fs_registry *r = fs_registry();
	return r->t[t].sync ? r->t[t].sync(sb) : 0;
}

int vfs_init(void) { return vfs_memops_init(); }
