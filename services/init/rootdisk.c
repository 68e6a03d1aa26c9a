/* An ext2 root from a disk (keel.root=vdX on the command line, what
 * `keel exec/run --root IMG` passes): the disk is mounted and becomes /,
 * with the initramfs moved to /initrd (its files, and keel exec's
 * /etc/keel-exec, stay there). When the disk cannot be mounted the
 * initramfs stays the root. Layer: services (safe C). */
#include "init/init.h"
#include "block/block.h"
#include <fw/console.h>
#include <fw/log.h>

static void lit(struct kname *n, const char (*s)[12])
{
	n->len = 0;
	while (n->len < 11 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

/* The value of keel.root= on the command line (empty when absent). */
static void root_name(struct kname *out)
{
	char cmd[512];
	const char key[11] = "keel.root=";
	fw_boot_cmdline(&cmd);
	out->len = 0;
	out->s[0] = 0;
	for (uint32_t i = 0; i + 10 < 512 && cmd[i]; i++) {
		if (i > 0 && cmd[i - 1] != ' ')
			continue;
		uint32_t j = 0;
		while (j < 10 && cmd[i + j] == key[j])
			j++;
		if (j < 10)
			continue;
		for (uint32_t k = i + 10; k < 512 && cmd[k] && cmd[k] != ' ' && out->len < 15; k++)
			out->s[out->len++] = cmd[k];
		out->s[out->len] = 0;
		return;
	}
}

/* The device number of the disk called `name` (vda...). */
static int disk_by_name(const struct kname *name, uint32_t *rdev)
{
	for (uint32_t i = 0; i < blk_disk_count(); i++) {
		struct blk_ref d;
		struct blkdev *bd = blk_disk(i, &d) == 0 ? blk_get(d) : NULL;
		if (!bd)
			continue;
		uint32_t k = 0;
		while (k < name->len && k < sizeof(bd->name) && bd->name[k] == name->s[k])
			k++;
		if (k == name->len && (k == sizeof(bd->name) || bd->name[k] == 0)) {
			*rdev = dev_make(bd->major, bd->minor);
			return 0;
		}
	}
	return -ENODEV;
}

/* dir/name as a directory (kept if it exists). */
static int dir_in(struct inode_ref dir, const char (*s)[12], uint32_t mode, struct inode_ref *out)
{
	struct kname n;
	lit(&n, s);
	if (dir_lookup(dir, &n, out) == 0)
		return 0;
	struct inode_new nw = {S_IFDIR | mode, 0, 0, 0};
	return vfs_mkdir(dir, &n, &nw, out);
}

static int switch_to(const struct kname *name, uint32_t rdev)
{
	char newroot[12] = "newroot", initrd[12] = "initrd", ext2[12] = "ext2", dev[12] = "dev", proc[12] = "proc";
	char tmp[12] = "tmp";
	struct inode_ref mnt, root, put_old, x;
	int e = dir_in(vfs_root(), &newroot, 0755, &mnt);
	struct kname type, source = {.s = "/dev/", .len = 5};
	lit(&type, &ext2);
	for (uint32_t i = 0; i < name->len && source.len < NAME_MAX; i++)
		source.s[source.len++] = name->s[i];
	source.s[source.len] = 0;
	if (e == 0)
		e = vfs_mount_dev(&source, &type, mnt, 0, rdev);
	if (e == 0)
		root = mount_cross(mnt);
	/* what the boot needs in the new root: made if missing */
	if (e == 0)
		e = dir_in(root, &initrd, 0755, &put_old);
	if (e == 0)
		e = dir_in(root, &dev, 0755, &x);
	if (e == 0)
		e = dir_in(root, &proc, 0555, &x);
	if (e == 0)
		e = dir_in(root, &tmp, 01777, &x);
	if (e == 0)
		e = vfs_pivot_root(vfs_root(), root, put_old);
	return e;
}

bool root_switch(void)
{
	struct kname name;
	uint32_t rdev;
	root_name(&name);
	if (name.len == 0)
		return false;
	int e = disk_by_name(&name, &rdev);
	if (e == 0)
		e = switch_to(&name, rdev);
	if (e) {
		fw_warn("boot: cannot use disk %.*s as the root (error %d): the initramfs stays /", FW_STR(name.s), e);
		return false;
	}
	fw_info("boot: / is the ext2 on %.*s; the initramfs is at /initrd", FW_STR(name.s));
	return true;
}
