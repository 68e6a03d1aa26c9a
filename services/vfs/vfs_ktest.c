/* ktests of the VFS's mechanisms: wait-queue hooks, the device registry,
 * file-system registration, mounting and the checks made before a file
 * system's operation is called. Layer: services (safe C). They run in
 * ktest mode, where nothing else has set the VFS up: each test makes what
 * it needs (a root is mounted once, from a test file-system type). */
#include "vfs/vfs.h"
#include <abi/fs.h>
#include <fw/ktest.h>

FW_KTEST(svc_vfs_wq_hook_wakes_poller_until_released)
{
	struct wq_ref src = {0}, dst = {0};
	FW_EXPECT(t, wq_create(&src) == 0 && wq_create(&dst) == 0);
	struct poll_table pt = {.self = dst, .add = true};
	poll_wait(&pt, src);
	FW_EXPECT(t, pt.err == 0 && pt.hooks.idx != 0);
	uint64_t g = wq_gen(dst);
	wq_wake(src);
	FW_EXPECT(t, wq_gen(dst) == g + 1); /* the watched object's wake-up reached the poller */
	poll_hooks_release(pt.hooks);
	wq_wake(src);
	FW_EXPECT(t, wq_gen(dst) == g + 1); /* released: no more */
	/* a query (add false) only reads the counter */
	struct poll_table q = {.self = dst};
	poll_wait(&q, src);
	FW_EXPECT(t, q.gen == wq_gen(src) && q.hooks.idx == 0);
	wq_destroy(src);
	wq_destroy(dst);
	FW_EXPECT(t, wq_wait(src, 0) == -EIDRM);
}

FW_KTEST(svc_vfs_wq_destroyed_object_detaches_and_wakes_its_pollers)
{
	struct wq_ref src = {0}, dst = {0};
	FW_EXPECT(t, wq_create(&src) == 0 && wq_create(&dst) == 0);
	struct poll_table pt = {.self = dst, .add = true};
	poll_wait(&pt, src);
	uint64_t g = wq_gen(dst);
	wq_destroy(src);
	FW_EXPECT(t, wq_gen(dst) == g + 1); /* the poller looks again */
	poll_hooks_release(pt.hooks);        /* detached hooks free cleanly */
	wq_wake(src);                        /* a stale queue is ignored */
	FW_EXPECT(t, wq_gen(dst) == g + 1);
	wq_destroy(dst);
}

FW_KTEST(svc_vfs_wq_nested_wakeups_are_bounded)
{
	/* two pollers watching each other (an epoll cycle) must not recurse forever */
	struct wq_ref a = {0}, b = {0};
	FW_EXPECT(t, wq_create(&a) == 0 && wq_create(&b) == 0);
	struct poll_table pa = {.self = a, .add = true}, pb = {.self = b, .add = true};
	poll_wait(&pa, b);
	poll_wait(&pb, a);
	wq_wake(a);
	FW_EXPECT(t, wq_gen(a) > 1 && wq_gen(b) > 0);
	poll_hooks_release(pa.hooks);
	poll_hooks_release(pb.hooks);
	wq_destroy(a);
	wq_destroy(b);
}

static const struct file_ops kt_ops = {.name = "kt"};

FW_KTEST(svc_vfs_device_registry_ranges)
{
	uint32_t id, got;
	FW_EXPECT(t, file_ops_register(&kt_ops, &id) == 0 && id != 0);
	FW_EXPECT(t, dev_register(S_IFCHR, 4000, 10, 5, id) == 0);
	FW_EXPECT(t, dev_lookup(S_IFCHR, dev_make(4000, 12), &got) == 0 && got == id);
	FW_EXPECT(t, dev_lookup(S_IFCHR, dev_make(4000, 15), &got) == -ENXIO);
	FW_EXPECT(t, dev_lookup(S_IFCHR, dev_make(4000, 9), &got) == -ENXIO);
	FW_EXPECT(t, dev_lookup(S_IFBLK, dev_make(4000, 12), &got) == -ENXIO); /* block numbers are apart */
	FW_EXPECT(t, dev_register(S_IFCHR, 4000, 14, 1, id) == -EBUSY);        /* overlap */
	FW_EXPECT(t, dev_register(S_IFBLK, 4000, 10, 5, id) == 0);
	FW_EXPECT(t, dev_register(S_IFDIR, 4001, 0, 1, id) == -EINVAL);
	FW_EXPECT(t, dev_register(S_IFCHR, 4001, 0xfffff, 2, id) == -EINVAL);   /* past the last minor */
	/* large minors survive Linux's split encoding */
	FW_EXPECT(t, dev_register(S_IFBLK, 4002, 70000, 16, id) == 0);
	FW_EXPECT(t, dev_lookup(S_IFBLK, dev_make(4002, 70015), &got) == 0 && got == id);
	FW_EXPECT(t, dev_major(dev_make(4002, 70015)) == 4002 && dev_minor(dev_make(4002, 70015)) == 70015);
}

/* A memory file system for the tests, made of the VFS's ram library. */
static int ktfs_mount(struct super_ref sb, struct inode_ref *root)
{
	int e = inode_new_in(sb, S_IFDIR | 0755, root);
	if (e == 0)
		inode_get(*root)->nlink = 2;
	return e;
}

static int ktfs_rmdir(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	return ramdir_is_empty(victim) ? ramdir_unlink(dir, name) : -ENOTEMPTY;
}

static int ktfs_umount(struct super_ref sb)
{
	struct super *s = super_get(sb);
	if (s)
		ramdir_clear(s->root);
	return 0;
}

static const struct fs_type ktfs_type = {
	.name = "ktfs",
	.magic = 0x6b74,
	.mount = ktfs_mount,
	.umount = ktfs_umount,
	.lookup = ramdir_lookup,
	.create = ramfs_make,
	.mkdir = ramfs_make,
	.rmdir = ktfs_rmdir,
	.rename = ramdir_rename,
	.readlink = ramfs_readlink,
	.setattr = inode_setattr_mem,
	.get_name = ramdir_get_name,
};

static void lit(struct kname *n, const char (*s)[8])
{
	n->len = 0;
	while (n->len < 7 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

/* The test type, registered once, and a root mounted once. */
static int kt_setup(struct kname *type)
{
	char ty[8] = "ktfs";
	lit(type, &ty);
	uint32_t flags, id;
	if (vfs_fs_type_flags(type, &flags) != 0 && fs_register(&ktfs_type, &id) != 0)
		return -ENOSPC;
	if (inode_ref_valid(vfs_root()))
		return 0;
	(void)vfs_memops_init();
	return vfs_mount(type, type, (struct inode_ref){0}, 0);
}

FW_KTEST(svc_vfs_mount_by_name_dispatches_and_checks)
{
	struct kname type, name, other;
	FW_EXPECT(t, kt_setup(&type) == 0);
	struct inode_ref root = vfs_root(), d, f, x, mroot;
	char dn[8] = "kt_d", fn[8] = "f", on[8] = "g", bad[8] = "nofs";
	lit(&name, &dn);
	struct inode_new dir = {S_IFDIR | 0755, 0, 0, 0}, reg = {S_IFREG | 0644, 0, 0, 0};
	FW_EXPECT(t, vfs_mkdir(root, &name, &dir, &d) == 0);
	FW_EXPECT(t, vfs_mkdir(root, &name, &dir, &x) == -EEXIST);
	/* an unknown type, then a mount on d */
	lit(&other, &bad);
	FW_EXPECT(t, vfs_mount(&other, &other, d, 0) == -ENODEV);
	FW_EXPECT(t, vfs_mount(&type, &type, d, 0) == 0);
	FW_EXPECT(t, dir_lookup(root, &name, &mroot) == 0 && !(mroot.idx == d.idx && mroot.gen == d.gen));
	FW_EXPECT(t, !vfs_same_fs(root, mroot));
	FW_EXPECT(t, vfs_mount(&type, &type, d, 0) == -EBUSY); /* on a directory already covered */
	/* the file system's operations run; the VFS's checks come first */
	lit(&name, &fn);
	FW_EXPECT(t, vfs_create(mroot, &name, &reg, &f) == 0);
	FW_EXPECT(t, vfs_create(f, &name, &reg, &x) == -ENOTDIR);
	FW_EXPECT(t, vfs_unlink(mroot, &name) == -EPERM); /* the type has no unlink */
	lit(&other, &on);
	FW_EXPECT(t, vfs_rename(mroot, &name, mroot, &other) == 0);
	FW_EXPECT(t, dir_lookup(mroot, &other, &x) == 0 && x.idx == f.idx && x.gen == f.gen);
	FW_EXPECT(t, vfs_link(root, &name, f) == -EXDEV);
	/* "..": from the mounted root back to the covered directory's parent */
	char dd[8] = "..";
	lit(&name, &dd);
	FW_EXPECT(t, dir_lookup(mroot, &name, &x) == 0 && x.idx == root.idx && x.gen == root.gen);
	/* read-only: changes give -EROFS */
	FW_EXPECT(t, vfs_mount(&type, &type, mroot, MS_REMOUNT | MS_RDONLY) == 0);
	FW_EXPECT(t, vfs_readonly(f));
	lit(&name, &fn);
	FW_EXPECT(t, vfs_create(mroot, &name, &reg, &x) == -EROFS);
	struct iattr a = {.valid = ATTR_MODE, .mode = 0600};
	FW_EXPECT(t, vfs_setattr(f, &a) == -EROFS);
	FW_EXPECT(t, vfs_mount(&type, &type, mroot, MS_REMOUNT) == 0);
	FW_EXPECT(t, vfs_setattr(f, &a) == 0 && (inode_get(f)->mode & 07777) == 0600);
	/* umount: d is plain again */
	FW_EXPECT(t, vfs_umount(mroot, 0) == 0);
	lit(&name, &dn);
	FW_EXPECT(t, dir_lookup(root, &name, &x) == 0 && x.idx == d.idx && x.gen == d.gen);
	FW_EXPECT(t, vfs_rmdir(root, &name) == 0);
	FW_EXPECT(t, dir_lookup(root, &name, &x) == -ENOENT);
}
