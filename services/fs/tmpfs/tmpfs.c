/* tmpfs and devtmpfs: every file, directory and symlink lives in memory
 * (the VFS's page cache with nothing behind it, and its ram directories).
 * Layer: services (safe C). devtmpfs is a tmpfs with one instance (mounted
 * on /dev at boot) in which drivers make their device nodes. Trusts the
 * VFS for names, types and permissions. */
#include "fs/tmpfs/tmpfs.h"
#include <abi/fs.h>

struct tmpfs_state {
	uint32_t devtmpfs_type;
	struct super_ref internal; /* memfd files (made on first use) */
};
FW_GLOBAL(struct tmpfs_state, tmpfs_state);

static int mount_mode(struct super_ref sb, uint32_t mode, struct inode_ref *root)
{
	int e = inode_new_in(sb, S_IFDIR | mode, root);
	if (e)
		return -ENOMEM;
	struct inode *ip = inode_get(*root);
	ip->nlink = 2;
	ip->parent = *root;
	return 0;
}

static int tmpfs_mount(struct super_ref sb, struct inode_ref *root) { return mount_mode(sb, 01777, root); }
static int devtmpfs_mount(struct super_ref sb, struct inode_ref *root) { return mount_mode(sb, 0755, root); }

static int tmpfs_umount(struct super_ref sb)
{
	struct super *s = super_get(sb);
	if (!s)
		return 0;
	struct inode_ref root = s->root;
	ramdir_clear(root);
	struct inode *ip = inode_get(root);
	if (ip) {
		ip->nlink = 0;
		inode_put_if_unused(root); /* nodes still open live on until closed */
	}
	return 0;
}

/* Every tmpfs shares the machine's free memory. */
static void tmpfs_statfs(struct super_ref sb, struct linux_statfs *s)
{
	s->f_blocks = fw_frames_total();
	s->f_bfree = fw_frames_free();
	s->f_bavail = s->f_bfree;
	s->f_files = s->f_blocks;
	s->f_ffree = s->f_bfree;
}

/* Only vfs_create calls it, right after checking the name is new. */
static int tmpfs_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	return ramfs_create_new(dir, name, nw, out);
}

static int tmpfs_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw,
			 const struct kpath *target, struct inode_ref *out)
{
	int e = ramfs_make(dir, name, nw, out);
	if (e == 0 && ramfs_write_target(*out, target) != 0) {
		(void)ramdir_unlink(dir, name);
		e = -ENOSPC;
	}
	return e;
}

static int tmpfs_link(struct inode_ref dir, const struct kname *name, struct inode_ref target)
{
	return ramdir_link(dir, name, target);
}

static int tmpfs_unlink(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	return ramdir_unlink(dir, name);
}

static int tmpfs_rmdir(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	return ramdir_is_empty(victim) ? ramdir_unlink(dir, name) : -ENOTEMPTY;
}

static const struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.magic = TMPFS_MAGIC,
	.flags = FS_MEM_XATTR,
	.mount = tmpfs_mount,
	.umount = tmpfs_umount,
	.statfs = tmpfs_statfs,
	.lookup = ramdir_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_create,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = ramdir_rename,
	.readlink = ramfs_readlink,
	.setattr = inode_setattr_mem,
	.fallocate = inode_fallocate_mem,
	.get_name = ramdir_get_name,
};

static const struct fs_type devtmpfs_type = {
	.name = "devtmpfs",
	.magic = TMPFS_MAGIC,
	.flags = FS_SINGLE | FS_MEM_XATTR,
	.mount = devtmpfs_mount,
	.umount = tmpfs_umount,
	.statfs = tmpfs_statfs,
	.lookup = ramdir_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_create,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = ramdir_rename,
	.readlink = ramfs_readlink,
	.setattr = inode_setattr_mem,
	.fallocate = inode_fallocate_mem,
	.get_name = ramdir_get_name,
};

int tmpfs_init(void)
{
	uint32_t id;
	int e = fs_register(&tmpfs_type, &id);
	return e ? e : fs_register(&devtmpfs_type, &tmpfs_state()->devtmpfs_type);
}

/* The root of the mounted devtmpfs. */
static int devtmpfs_root(struct inode_ref *out)
{
	struct super_ref sb;
	for (uint32_t i = 0; vfs_mount_info(i, &sb) == 0; i++) {
		struct super *s = super_get(sb);
		if (s && s->type == tmpfs_state()->devtmpfs_type) {
			*out = s->root;
			return 0;
		}
	}
	return -ENODEV;
}

int devtmpfs_node(const struct kname *name, uint32_t mode, uint32_t rdev)
{
	struct inode_ref root, ino;
	int e = devtmpfs_root(&root);
	if (e)
		return e;
	if (ramdir_lookup(root, name, &ino) == 0)
		return 0;
	struct inode_new nw = {mode, rdev, 0, 0};
	return vfs_create(root, name, &nw, &ino);
}

int tmpfs_anon_inode(uint32_t mode, struct inode_ref *out)
{
	struct tmpfs_state *st = tmpfs_state();
	if (!super_ref_valid(st->internal)) {
		struct kname type = {.s = "tmpfs", .len = 5};
		int e = vfs_kern_super(&type, &st->internal);
		if (e)
			return e;
	}
	return inode_new_in(tmpfs_state()->internal, mode, out) ? -ENOMEM : 0;
}
