/* The mount table (see mount.h). Layer: services (safe C).
 * Trusts the VFS for the trees and procfs for its roots. */
#include "fs/mount.h"
#include "fs/procfs.h"
#include "proc/proc.h"

struct mount_ent {
	bool used;
	uint32_t type;  /* enum mnt_type */
	uint64_t flags; /* MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC */
	struct kname source;
	struct inode_ref root;
};

struct mount_table {
	struct mount_ent m[MNT_MAX];
};
FW_GLOBAL(struct mount_table, mount_table);

struct tname {
	char s[12];
};
static const struct tname type_names[MT_TYPE_MAX] = {{"tmpfs"}, {"proc"}, {"devtmpfs"}, {"devpts"}};

static void lit(struct kname *n, const char (*s)[12])
{
	n->len = 0;
	while (n->len < 11 && (*s)[n->len]) {
		n->s[n->len] = (*s)[n->len];
		n->len++;
	}
	n->s[n->len] = 0;
}

static void type_name(uint32_t type, struct kname *n)
{
	struct tname t = type_names[type < MT_TYPE_MAX ? type : 0];
	lit(n, &t.s);
}

static int type_of(const struct kname *n)
{
	for (uint32_t i = 0; i < MT_TYPE_MAX; i++) {
		struct kname t;
		type_name(i, &t);
		if (kname_eq(&t, n))
			return (int)i;
	}
	return -ENODEV;
}

/* Mark a tree as belonging to mount `mnt` (boot-time /dev). */
static void set_mnt(struct inode_ref dir, uint32_t mnt, uint32_t depth)
{
	struct inode *dp = inode_get(dir);
	if (!dp || depth > 8)
		return;
	dp->mnt = mnt;
	for (struct dentry_ref d = dp->children; dentry_ref_valid(d); d = dentry_get(d)->next) {
		struct inode_ref c = dentry_get(d)->inode;
		struct inode *cp = inode_get(c);
		if (!cp || inode_ref_valid(cp->mounted))
			continue;
		if ((cp->mode & S_IFMT) == S_IFDIR)
			set_mnt(c, mnt, depth + 1);
		else
			cp->mnt = mnt;
	}
}

static int slot(uint32_t *out)
{
	for (uint32_t i = 1; i < MNT_MAX; i++) {
		if (!mount_table()->m[i].used) {
			*out = i;
			return 0;
		}
	}
	return -ENOMEM;
}

static void record(uint32_t i, uint32_t type, const struct kname *source, struct inode_ref root, uint64_t flags)
{
	struct mount_table *mt = mount_table();
	mt->m[i].used = true;
	mt->m[i].type = type;
	mt->m[i].flags = flags;
	mt->m[i].source = *source;
	mt->m[i].root = root;
}

/* A new empty file system of `type` for mount slot i. */
static int new_root(uint32_t type, uint32_t i, struct inode_ref *out)
{
	if (type == MT_PROC)
		return procfs_new_root(i, out);
	if (type != MT_TMPFS && type != MT_DEVTMPFS)
		return -ENODEV;
	int e = inode_new(S_IFDIR | (type == MT_TMPFS ? 01777 : 0755), out);
	if (e)
		return -ENOMEM;
	struct inode *ip = inode_get(*out);
	ip->nlink = 2;
	ip->parent = *out;
	ip->mnt = i;
	return 0;
}

int mount_fs(const struct kname *source, const struct kname *type, struct inode_ref target, uint64_t flags)
{
	struct inode *tp = inode_get(target);
	if (!tp)
		return -ENOENT;
	if ((tp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	uint64_t keep = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	if (flags & MS_REMOUNT) {
		struct mount_table *mt = mount_table();
		uint32_t k = tp->mnt < MNT_MAX ? tp->mnt : 0;
		if (mt->m[k].root.idx != target.idx || mt->m[k].root.gen != target.gen)
			return -EINVAL;
		mt->m[k].flags = keep;
		return 0;
	}
	if (flags & MS_PROPAGATION)
		return 0; /* one namespace: propagation changes nothing */
	if (flags & (MS_BIND | MS_MOVE))
		return -EINVAL;
	int t = type_of(type);
	if (t < 0)
		return t;
	if (target.idx == vfs_root().idx && target.gen == vfs_root().gen)
		return -EBUSY;
	uint32_t i;
	struct inode_ref root;
	int e = slot(&i);
	if (e == 0)
		e = new_root((uint32_t)t, i, &root);
	if (e)
		return e;
	record(i, (uint32_t)t, source, root, keep);
	inode_get(root)->covered = target;
	inode_get(target)->mounted = root;
	return 0;
}

/* Something keeps the mount busy: a mount inside it or a process's
 * working or root directory in it. */
static bool busy(uint32_t i)
{
	for (uint32_t j = 1; j < MNT_MAX; j++) {
		struct mount_ent m = mount_table()->m[j];
		struct inode *rp = m.used ? inode_get(m.root) : NULL;
		struct inode *cp = rp ? inode_get(rp->covered) : NULL;
		if (cp && cp->mnt == i)
			return true;
	}
	for (int32_t pid = 1; pid < PID_MAX; pid++) {
		struct proc *p = proc_get(proc_by_pid(pid));
		if (!p || p->state == PROC_DEAD)
			continue;
		struct inode *cw = inode_get(p->cwd), *rt = inode_get(p->root);
		if ((cw && cw->mnt == i) || (rt && rt->mnt == i))
			return true;
	}
	return false;
}

int mount_remove(struct inode_ref root, uint64_t flags)
{
	struct inode *rp = inode_get(root);
	if (!rp || !inode_ref_valid(rp->covered) || rp->mnt == 0 || rp->mnt >= MNT_MAX)
		return -EINVAL;
	uint32_t i = rp->mnt;
	struct mount_ent m = mount_table()->m[i];
	if (!m.used || m.root.idx != root.idx || m.root.gen != root.gen)
		return -EINVAL;
	if (!(flags & MNT_DETACH) && busy(i))
		return -EBUSY;
	struct inode *cp = inode_get(rp->covered);
	if (cp)
		cp->mounted = (struct inode_ref){0};
	rp->covered = (struct inode_ref){0};
	mount_table()->m[i] = (struct mount_ent){0};
	fs_tree_free(root);
	return 0;
}

static int subdir(struct inode_ref parent, const char (*s)[12], uint32_t mode, struct inode_ref *out)
{
	struct kname n;
	lit(&n, s);
	if (dir_lookup_raw(parent, &n, out) == 0)
		return 0;
	int e = inode_new(S_IFDIR | mode, out);
	if (e)
		return e;
	inode_get(*out)->nlink = 1;
	return dir_link(parent, &n, *out);
}

int mount_boot(void)
{
	char tmpfs[12] = "tmpfs", devtmpfs[12] = "devtmpfs", proc[12] = "proc", devpts[12] = "devpts";
	char dev[12] = "dev", shm[12] = "shm", pts[12] = "pts";
	struct kname src, typ;
	struct inode_ref devdir, d;
	lit(&src, &tmpfs);
	record(0, MT_TMPFS, &src, vfs_root(), 0);
	int e = subdir(vfs_root(), &dev, 0755, &devdir);
	if (e)
		return e;
	uint32_t i = 1;
	lit(&src, &devtmpfs);
	record(i, MT_DEVTMPFS, &src, devdir, MS_NOSUID);
	set_mnt(devdir, i, 0);
	struct kname n;
	lit(&n, &pts);
	if (dir_lookup_raw(devdir, &n, &d) == 0 && inode_get(d)->fs == FS_DEVPTS && slot(&i) == 0) {
		lit(&src, &devpts);
		record(i, MT_DEVPTS, &src, d, MS_NOSUID | MS_NOEXEC);
		set_mnt(d, i, 0);
	}
	e = subdir(devdir, &shm, 01777, &d);
	lit(&src, &tmpfs);
	if (e == 0)
		e = mount_fs(&src, &src, d, MS_NOSUID | MS_NODEV);
	if (e == 0)
		e = subdir(vfs_root(), &proc, 0555, &d);
	lit(&src, &proc);
	lit(&typ, &proc);
	if (e == 0)
		e = mount_fs(&src, &typ, d, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	return e;
}

static void show_one(struct ptext *t, const struct mount_ent *m, struct kpath *path)
{
	struct kname tn;
	type_name(m->type, &tn);
	pt_kname(t, &m->source);
	pt_char(t, ' ');
	pt_kpath(t, path);
	pt_char(t, ' ');
	pt_kname(t, &tn);
	if (m->flags & MS_RDONLY)
		PT_LIT(t, " ro");
	else
		PT_LIT(t, " rw");
	if (m->flags & MS_NOSUID)
		PT_LIT(t, ",nosuid");
	if (m->flags & MS_NODEV)
		PT_LIT(t, ",nodev");
	if (m->flags & MS_NOEXEC)
		PT_LIT(t, ",noexec");
	PT_LIT(t, ",relatime 0 0\n");
}

void mount_show(struct ptext *t)
{
	struct kpath_ref pr;
	if (kpath_alloc(&pr))
		return;
	for (uint32_t i = 0; i < MNT_MAX; i++) {
		struct mount_ent m = mount_table()->m[i];
		if (!m.used)
			continue;
		struct inode *rp = inode_get(m.root);
		if (!rp)
			continue;
		struct inode_ref at = inode_ref_valid(rp->covered) ? rp->covered : m.root;
		if (vfs_path_of(vfs_root(), at, kpath_get(pr)) == 0)
			show_one(t, &m, kpath_get(pr));
	}
	kpath_free(pr);
}

void mount_statfs(uint32_t mnt, struct linux_statfs *s)
{
	struct mount_ent m = mount_table()->m[mnt < MNT_MAX ? mnt : 0];
	uint32_t type = m.used ? m.type : MT_TMPFS;
	s->f_type = type == MT_PROC ? PROC_SUPER_MAGIC : type == MT_DEVPTS ? DEVPTS_SUPER_MAGIC : TMPFS_MAGIC;
	s->f_bsize = 4096;
	s->f_frsize = 4096;
	s->f_namelen = NAME_MAX;
	if (type == MT_TMPFS || type == MT_DEVTMPFS) {
		/* every tmpfs shares the machine's free memory */
		s->f_blocks = fw_frames_total();
		s->f_bfree = fw_frames_free();
		s->f_bavail = s->f_bfree;
		s->f_files = s->f_blocks;
		s->f_ffree = s->f_bfree;
	}
}
