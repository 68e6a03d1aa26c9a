/* The boot file systems and /dev: mount the root tmpfs, then after the
 * initramfs is unpacked devtmpfs on /dev (with the device nodes), devpts
 * on /dev/pts, a tmpfs on /dev/shm and proc on /proc. Layer: services
 * (safe C). */
#include "init/init.h"
#include "drivers/loop/loop.h"
#include "fs/tmpfs/tmpfs.h"

struct devnode {
	char name[12];
	uint32_t mode;
	uint32_t rdev;
};

/* Linux's numbers (major << 8 | minor); the drivers register them. */
static const struct devnode nodes[] = {
	{"null", S_IFCHR | 0666, (1 << 8) | 3},   {"zero", S_IFCHR | 0666, (1 << 8) | 5},
	{"full", S_IFCHR | 0666, (1 << 8) | 7},   {"random", S_IFCHR | 0666, (1 << 8) | 8},
	{"urandom", S_IFCHR | 0666, (1 << 8) | 9}, {"tty", S_IFCHR | 0666, (5 << 8) | 0},
	{"console", S_IFCHR | 0600, (5 << 8) | 1}, {"ttyS0", S_IFCHR | 0660, (4 << 8) | 64},
	{"keel-out", S_IFCHR | 0666, (240 << 8) | 0},  {"ptmx", S_IFCHR | 0666, (5 << 8) | 2},
};

static void name_of(struct kname *n, const char (*s)[12])
{
	n->len = 0;
	while (n->len < 11 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

/* parent/name as a directory of the given mode (kept if it exists). */
static int subdir(struct inode_ref parent, const char (*s)[12], uint32_t mode, struct inode_ref *out)
{
	struct kname n;
	name_of(&n, s);
	if (dir_lookup(parent, &n, out) == 0)
		return 0;
	struct inode_new nw = {S_IFDIR | mode, 0, 0, 0};
	return vfs_mkdir(parent, &n, &nw, out);
}

/* Mount `type` (named `source`) on parent/dir, making the directory. */
static int mount_on(struct inode_ref parent, const char (*dir)[12], uint32_t mode, const char (*source)[12],
		    const char (*type)[12], uint64_t flags)
{
	struct inode_ref d;
	int e = subdir(parent, dir, mode, &d);
	if (e)
		return e;
	struct kname src, typ;
	name_of(&src, source);
	name_of(&typ, type);
	return vfs_mount(&src, &typ, d, flags);
}

int root_mount(void)
{
	struct kname n;
	char tmpfs[12] = "tmpfs";
	name_of(&n, &tmpfs);
	int e = vfs_mount(&n, &n, (struct inode_ref){0}, 0);
	/* the root is drwxr-xr-x (a tmpfs's own default is 1777) */
	struct iattr a = {.valid = ATTR_MODE, .mode = 0755};
	return e ? e : vfs_setattr(vfs_root(), &a);
}

int boot_mounts(void)
{
	char dev[12] = "dev", pts[12] = "pts", shm[12] = "shm", proc[12] = "proc", tmp[12] = "tmp";
	char devtmpfs[12] = "devtmpfs", devpts[12] = "devpts", tmpfs[12] = "tmpfs", mqueue[12] = "mqueue";
	struct inode_ref d;
	int e = mount_on(vfs_root(), &dev, 0755, &devtmpfs, &devtmpfs, MS_NOSUID);
	for (uint32_t i = 0; e == 0 && i < FW_ARRAY_LEN(nodes); i++) {
		struct kname nn;
		struct devnode dn = nodes[i];
		name_of(&nn, &dn.name);
		e = devtmpfs_node(&nn, dn.mode, dn.rdev);
	}
	if (e == 0)
		e = loop_nodes();
	struct inode_ref devdir = {0};
	struct kname n;
	name_of(&n, &dev);
	if (e == 0)
		e = dir_lookup(vfs_root(), &n, &devdir); /* devtmpfs's root */
	if (e == 0)
		e = mount_on(devdir, &pts, 0755, &devpts, &devpts, MS_NOSUID | MS_NOEXEC);
	if (e == 0)
		e = mount_on(devdir, &shm, 01777, &tmpfs, &tmpfs, MS_NOSUID | MS_NODEV);
	if (e == 0)
		e = mount_on(devdir, &mqueue, 0755, &mqueue, &mqueue, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (e == 0)
		e = subdir(vfs_root(), &tmp, 01777, &d);
	if (e == 0)
		e = mount_on(vfs_root(), &proc, 0555, &proc, &proc, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	return e;
}

/* The root changed (rootdisk.c): the boot mounts, now under /initrd, move
 * to the new root (devtmpfs and devpts keep their instance and nodes). */
int boot_remount(void)
{
	const char paths[5][24] = {"/initrd/dev/pts", "/initrd/dev/shm", "/initrd/dev/mqueue", "/initrd/dev",
				   "/initrd/proc"};
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return -ENOMEM;
	for (uint32_t i = 0; i < 5; i++) {
		struct kpath *p = kpath_get(pr);
		p->len = 0;
		while (p->len < 23 && paths[i][p->len]) {
			p->s[p->len] = paths[i][p->len];
			p->len++;
		}
		p->s[p->len] = 0;
		struct inode_ref root;
		struct kname last;
		if (path_lookup(vfs_root(), vfs_root(), p, LOOKUP_FOLLOW, &root, &last) == 0)
			(void)vfs_umount(root, MNT_DETACH);
	}
	kpath_free(pr);
	return boot_mounts();
}
