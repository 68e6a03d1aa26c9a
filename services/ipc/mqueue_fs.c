/* The mqueue file system: the names of the POSIX message queues. Layer:
 * services (safe C). Trusts the VFS for names, types and permissions
 * (its ram directory library keeps the entries), ipc/mqueue.c for the
 * queues.
 *
 * One instance (FS_SINGLE), made by the first mq_open or mount, so
 * mq_open works whether or not it is mounted; mounting it (boot mounts
 * it on /dev/mqueue, as Linux distributions do) shows the same queues.
 * Its root is a sticky, world-writable directory whose every entry is a
 * queue: a regular file whose inode carries the queue (mq_queue_new),
 * with the queue's owner and mode (chmod and chown change them), size 80
 * as Linux reports, and the queue operations for open(2): reading shows
 * the QSIZE line, poll waits for messages, mq_send works on it. Creating
 * a file makes a queue with the default attributes, unlink is mq_unlink,
 * and an inode evicted (no name, no open file) frees its queue. There are
 * no subdirectories, links or renames (Linux's -EPERM). */
#include "ipc/mq_internal.h"
#include <abi/fs.h>

#define MQUEUE_MAGIC 0x19800202
#define MQ_FILE_SIZE 80 /* what stat reports for a queue, as Linux */

struct mqfs_state {
	uint32_t type;
	uint32_t queues; /* queues alive, named or not (queues_max) */
};
FW_GLOBAL(struct mqfs_state, mqfs_state);

static int mqfs_mount(struct super_ref sb, struct inode_ref *root)
{
	int e = inode_new_in(sb, S_IFDIR | 01777, root);
	if (e)
		return -ENOMEM;
	struct inode *ip = inode_get(*root);
	ip->nlink = 2;
	ip->parent = *root;
	return 0;
}

static int mqfs_root(struct inode_ref *out)
{
	struct kname type = {.s = "mqueue", .len = 6};
	struct super_ref sb;
	int e = vfs_single_super(&type, &sb);
	if (e)
		return e;
	struct super *s = super_get(sb);
	if (!s)
		return -ENODEV;
	*out = s->root;
	return 0;
}

/* A new queue file dir/name with attributes a (NULL: defaults). */
static int make_queue(struct inode_ref dir, const struct kname *name, const struct inode_new *nw,
		      const struct linux_mq_attr *a, struct inode_ref *out)
{
	uint32_t max = (uint32_t)mq_limit(MQ_LIM_QUEUES_MAX); /* Linux compares it unsigned */
	if (mqfs_state()->queues >= max && !cred_capable(CAP_SYS_RESOURCE))
		return -ENOSPC;
	int e = ramfs_make(dir, name, nw, out);
	if (e)
		return e;
	e = mq_queue_new(*out, a);
	if (e) {
		(void)ramdir_unlink(dir, name);
		return e;
	}
	mqfs_state()->queues++;
	inode_get(*out)->size = MQ_FILE_SIZE;
	return 0;
}

static int mqfs_create(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	if ((nw->mode & S_IFMT) != S_IFREG)
		return -EINVAL;
	return make_queue(dir, name, nw, NULL, out);
}

static int mqfs_unlink(struct inode_ref dir, const struct kname *name, struct inode_ref victim)
{
	return ramdir_unlink(dir, name);
}

/* No directories or symbolic links here (Linux: -EPERM, the VFS's
 * answer when a file system has no such operation). */
static int mqfs_mkdir(struct inode_ref dir, const struct kname *name, const struct inode_new *nw, struct inode_ref *out)
{
	return -EPERM;
}

static int mqfs_symlink(struct inode_ref dir, const struct kname *name, const struct inode_new *nw,
			const struct kpath *target, struct inode_ref *out)
{
	return -EPERM;
}

static void mqfs_evict(struct inode_ref ino)
{
	struct inode *ip = inode_get(ino);
	if (!ip || (ip->mode & S_IFMT) != S_IFREG || ip->fops != mq_fops())
		return;
	mq_queue_evict(ino);
	if (mqfs_state()->queues)
		mqfs_state()->queues--;
}

static const struct fs_type mqueue_type = {
	.name = "mqueue",
	.magic = MQUEUE_MAGIC,
	.flags = FS_SINGLE,
	.mount = mqfs_mount,
	.evict = mqfs_evict,
	.lookup = ramdir_lookup,
	.create = mqfs_create,
	.mkdir = mqfs_mkdir,
	.symlink = mqfs_symlink,
	.unlink = mqfs_unlink,
	.setattr = inode_setattr_mem,
	.get_name = ramdir_get_name,
};

int mqfs_init(void) { return fs_register(&mqueue_type, &mqfs_state()->type); }

int mqfs_lookup(const struct kname *name, struct inode_ref *out)
{
	struct inode_ref root;
	int e = mqfs_root(&root);
	return e ? e : ramdir_lookup(root, name, out);
}

int mqfs_create_queue(const struct kname *name, uint32_t mode, const struct linux_mq_attr *a, struct inode_ref *out)
{
	struct inode_ref root;
	int e = mqfs_root(&root);
	if (e)
		return e;
	struct proc *me = cur_proc();
	struct inode_new nw = {S_IFREG | (mode & 0777), 0, me->fsuid, me->fsgid};
	return make_queue(root, name, &nw, a, out);
}

int mqfs_unlink_name(const struct kname *name)
{
	struct inode_ref root;
	int e = mqfs_root(&root);
	return e ? e : ramdir_unlink(root, name);
}
