/* devpts: a memory file system holding one character device node per open
 * pseudo-terminal, named by its index. Layer: services (safe C). Only the
 * pty driver makes and removes nodes (users cannot create files here);
 * trusts the VFS for everything else. */
#include "fs/devpts/devpts.h"
#include <abi/fs.h>

#define TTY_GID 5 /* devpts is mounted with gid=5: the nodes' group is tty */

struct devpts_state {
	uint32_t type;
};
FW_GLOBAL(struct devpts_state, devpts_state);

static int devpts_mount(struct super_ref sb, struct inode_ref *root)
{
	int e = inode_new_in(sb, S_IFDIR | 0755, root);
	if (e)
		return -ENOMEM;
	struct inode *ip = inode_get(*root);
	ip->nlink = 2;
	ip->parent = *root;
	return 0;
}

static const struct fs_type devpts_type = {
	.name = "devpts",
	.magic = DEVPTS_SUPER_MAGIC,
	.flags = FS_SINGLE,
	.mount = devpts_mount,
	.lookup = ramdir_lookup,
	.setattr = inode_setattr_mem,
	.get_name = ramdir_get_name,
};

int devpts_init(void) { return fs_register(&devpts_type, &devpts_state()->type); }

static int devpts_root(struct inode_ref *out)
{
	struct super_ref sb;
	for (uint32_t i = 0; vfs_mount_info(i, &sb) == 0; i++) {
		struct super *s = super_get(sb);
		if (s && s->type == devpts_state()->type) {
			*out = s->root;
			return 0;
		}
	}
	return -ENODEV;
}

static void index_name(struct kname *n, uint32_t v)
{
	char d[12];
	uint32_t k = 0;
	do {
		d[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && k < 11);
	n->len = 0;
	while (k > 0)
		n->s[n->len++] = d[--k];
	n->s[n->len] = 0;
}

int devpts_add(uint32_t index, uint32_t rdev, uint32_t uid, struct inode_ref *out)
{
	struct inode_ref root;
	int e = devpts_root(&root);
	if (e)
		return e;
	struct kname n;
	index_name(&n, index);
	struct inode_new nw = {S_IFCHR | 0620, rdev, uid, TTY_GID};
	return ramfs_make(root, &n, &nw, out);
}

void devpts_remove(uint32_t index)
{
	struct inode_ref root;
	if (devpts_root(&root))
		return;
	struct kname n;
	index_name(&n, index);
	(void)ramdir_unlink(root, &n);
}
