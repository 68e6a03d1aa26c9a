/* The mount table and mount namespaces. Layer: services (safe C). Trusts
 * the super blocks super.c makes; user input reaches it only through
 * sys_mount.c and the namespace calls, which resolved the paths.
 *
 * A mount is a record: which super block, the directory it covers (none:
 * the namespace's root), its namespace, its propagation type. A super
 * block counts the records that name it (super.mounts) and is unmounted
 * for real when the last goes. unshare(CLONE_NEWNS) copies a namespace's
 * records into a new namespace; from then on mounts and umounts in either
 * touch only their own records. Propagation types are recorded and
 * reported (MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE) but nothing
 * propagates: every mount behaves as MS_PRIVATE.
 *
 * Path lookup asks which namespace the caller is in through a function the
 * process layer registers (vfs_set_ns_query), so the VFS still knows
 * nothing of processes. The inode fields `mounted` (on a covered
 * directory) and `covered` (on a mounted root) are hints kept for every
 * namespace at once: valid when some namespace mounts there, so a lookup
 * that crosses no mount point never searches the table, and rmdir/rename
 * of a mount point of any namespace is -EBUSY as on Linux. */
#include "vfs/internal.h"
#include <abi/fs.h>

#define MNT_RECS 128

struct mnt_rec {
	struct super_ref sb;
	struct inode_ref covered; /* zero: its namespace's root */
	uint32_t ns;
	uint32_t prop; /* MS_SHARED / MS_SLAVE / MS_PRIVATE / MS_UNBINDABLE as last set */
	uint8_t used;
	uint8_t pad[7];
};

struct mount_table {
	struct mnt_rec m[MNT_RECS]; /* in mount order */
	uint32_t next_dev;          /* st_dev of the next super block */
	vfs_ns_query query;         /* the caller's mount namespace (NULL: 0) */
};
FW_GLOBAL(struct mount_table, mount_table);

void vfs_set_ns_query(vfs_ns_query fn) { mount_table()->query = fn; }

static uint32_t cur_ns(void)
{
	vfs_ns_query q = mount_table()->query;
	return q ? q() : 0;
}

uint32_t mount_next_dev(void) { return ++mount_table()->next_dev; }

static bool same_sb(struct super_ref a, struct super_ref b) { return a.idx == b.idx && a.gen == b.gen; }
static bool same_ino(struct inode_ref a, struct inode_ref b) { return a.idx == b.idx && a.gen == b.gen; }

/* Record index of namespace ns's root, of the mount covering dir, of the
 * mount of super block sb; -1 if none. */
static int rec_root(uint32_t ns)
{
	struct mount_table *mt = mount_table();
	for (int i = 0; i < MNT_RECS; i++)
		if (mt->m[i].used && mt->m[i].ns == ns && !inode_ref_valid(mt->m[i].covered))
			return i;
	return -1;
}

static int rec_on(uint32_t ns, struct inode_ref dir)
{
	struct mount_table *mt = mount_table();
	for (int i = 0; i < MNT_RECS; i++)
		if (mt->m[i].used && mt->m[i].ns == ns && same_ino(mt->m[i].covered, dir))
			return i;
	return -1;
}

static int rec_of(uint32_t ns, struct super_ref sb)
{
	struct mount_table *mt = mount_table();
	for (int i = 0; i < MNT_RECS; i++)
		if (mt->m[i].used && mt->m[i].ns == ns && same_sb(mt->m[i].sb, sb))
			return i;
	return -1;
}

static int rec_free(void)
{
	struct mount_table *mt = mount_table();
	for (int i = 0; i < MNT_RECS; i++)
		if (!mt->m[i].used)
			return i;
	return -1;
}

static struct inode_ref root_of(struct super_ref sb)
{
	struct super *s = super_get(sb);
	return s ? s->root : (struct inode_ref){0};
}

/* Recompute the hints of directory dir and of super block sb's root. */
static void hint_dir(struct inode_ref dir)
{
	struct inode *ip = inode_get(dir);
	if (!ip)
		return;
	struct mount_table *mt = mount_table();
	struct inode_ref m = {0};
	for (int i = 0; i < MNT_RECS; i++)
		if (mt->m[i].used && same_ino(mt->m[i].covered, dir))
			m = root_of(mt->m[i].sb);
	inode_get(dir)->mounted = m;
}

static void hint_root(struct super_ref sb)
{
	struct inode *rp = inode_get(root_of(sb));
	if (!rp)
		return;
	struct mount_table *mt = mount_table();
	struct inode_ref c = {0};
	for (int i = 0; i < MNT_RECS; i++)
		if (mt->m[i].used && same_sb(mt->m[i].sb, sb) && inode_ref_valid(mt->m[i].covered))
			c = mt->m[i].covered;
	rp->covered = c;
	struct super *s = super_get(sb);
	if (s)
		s->covered = c;
}

struct inode_ref vfs_ns_mounted(struct inode_ref dir)
{
	struct inode *ip = inode_get(dir);
	if (!ip || !inode_ref_valid(ip->mounted))
		return (struct inode_ref){0};
	int i = rec_on(cur_ns(), dir);
	return i < 0 ? (struct inode_ref){0} : root_of(mount_table()->m[i].sb);
}

struct inode_ref vfs_ns_covered(struct inode_ref root)
{
	struct inode *ip = inode_get(root);
	if (!ip || !inode_ref_valid(ip->covered))
		return (struct inode_ref){0};
	int i = rec_of(cur_ns(), ip->sb);
	if (i < 0 || !same_ino(root_of(mount_table()->m[i].sb), root))
		return (struct inode_ref){0};
	return mount_table()->m[i].covered;
}

bool vfs_is_mount_root(struct inode_ref root)
{
	struct inode *ip = inode_get(root);
	int i = ip ? rec_of(cur_ns(), ip->sb) : -1;
	return i >= 0 && same_ino(root_of(mount_table()->m[i].sb), root);
}

struct inode_ref vfs_root(void)
{
	int i = rec_root(cur_ns());
	return i < 0 ? (struct inode_ref){0} : root_of(mount_table()->m[i].sb);
}

struct super_ref mount_root_super(void)
{
	int i = rec_root(cur_ns());
	return i < 0 ? (struct super_ref){0} : mount_table()->m[i].sb;
}

/* Add a record; the hints follow. */
static int rec_add(uint32_t ns, struct super_ref sb, struct inode_ref covered, uint32_t prop)
{
	int i = rec_free();
	struct super *s = super_get(sb);
	if (i < 0 || !s)
		return -ENOMEM;
	s->mounts++;
	mount_table()->m[i] = (struct mnt_rec){.sb = sb, .covered = covered, .ns = ns, .prop = prop, .used = 1};
	hint_root(sb);
	if (inode_ref_valid(covered))
		hint_dir(covered);
	return 0;
}

/* Remove record i; the last record of a super block unmounts it for real
 * (sync, the file system's umount, free unless FS_SINGLE). */
static int rec_remove(int i, bool final_umount)
{
	struct mount_table *mt = mount_table();
	struct mnt_rec m = mt->m[i];
	struct super *s = super_get(m.sb);
	if (s && s->mounts == 1 && final_umount) {
		int e = super_unmount(m.sb);
		if (e)
			return e;
	}
	mt->m[i] = (struct mnt_rec){0};
	s = super_get(m.sb);
	if (s && s->mounts)
		s->mounts--;
	if (inode_ref_valid(m.covered))
		hint_dir(m.covered);
	hint_root(m.sb);
	if (s && s->mounts == 0)
		super_release(m.sb);
	return 0;
}

/* Linux accepts one propagation type at a time, with MS_REC. */
static int set_propagation(struct inode_ref target, uint64_t flags)
{
	uint64_t type = flags & MS_PROPAGATION;
	if (type & (type - 1))
		return -EINVAL;
	uint32_t ns = cur_ns();
	struct inode *tp = inode_get(target);
	int i = tp ? rec_of(ns, tp->sb) : -1;
	if (i < 0 || !same_ino(root_of(mount_table()->m[i].sb), target))
		return -EINVAL; /* not a mount point */
	struct mount_table *mt = mount_table();
	mt->m[i].prop = (uint32_t)type;
	if ((flags & MS_REC) && i == rec_root(ns))
		for (int k = 0; k < MNT_RECS; k++) /* the whole tree below the root */
			if (mt->m[k].used && mt->m[k].ns == ns)
				mt->m[k].prop = (uint32_t)type;
	return 0;
}

static int remount(struct inode_ref target, uint64_t keep)
{
	struct super *s = inode_super(target);
	if (!s || s->root.idx != target.idx || s->root.gen != target.gen)
		return -EINVAL;
	s->flags = keep;
	return 0;
}

int vfs_mount_dev(const struct kname *source, const struct kname *type, struct inode_ref target, uint64_t flags,
		  uint32_t bdev)
{
	uint64_t keep = flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
	struct inode *tp = inode_get(target);
	uint32_t ns = cur_ns();
	bool first = rec_root(ns) < 0;
	if (!tp && !first)
		return -ENOENT;
	if (tp && (tp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (flags & MS_REMOUNT)
		return remount(target, keep);
	if (flags & MS_PROPAGATION)
		return set_propagation(target, flags);
	if (flags & (MS_BIND | MS_MOVE))
		return -EINVAL;
	uint32_t t;
	int e = fs_type_lookup(type, &t);
	if (e)
		return e;
	if (tp && same_ino(target, vfs_root()))
		return -EBUSY;
	if (tp && rec_on(ns, target) >= 0)
		return -EBUSY;
	if (rec_free() < 0)
		return -ENOMEM;
	struct super_ref sb = fs_single_get(t);
	struct super *s = super_get(sb);
	if (s && s->mounts)
		return -EBUSY; /* the one instance is mounted already */
	if (!s) {
		e = super_make(t, source, keep, bdev, &sb);
		if (e)
			return e;
		fs_single_set(t, sb);
		s = super_get(sb);
	}
	s->flags = keep;
	s->source = *source; /* a FS_SINGLE instance made earlier shows this mount's source */
	return rec_add(ns, sb, tp ? target : (struct inode_ref){0}, 0);
}

int vfs_mount(const struct kname *source, const struct kname *type, struct inode_ref target, uint64_t flags)
{
	return vfs_mount_dev(source, type, target, flags, 0);
}

bool vfs_super_has_mounts(struct super_ref sb)
{
	struct mount_table *mt = mount_table();
	uint32_t ns = cur_ns();
	for (uint32_t j = 0; j < MNT_RECS; j++) {
		struct inode *cp = mt->m[j].used && mt->m[j].ns == ns ? inode_get(mt->m[j].covered) : NULL;
		if (cp && same_sb(cp->sb, sb))
			return true;
	}
	return false;
}

int vfs_umount(struct inode_ref root, uint64_t flags)
{
	struct inode *rp = inode_get(root);
	uint32_t ns = cur_ns();
	int i = rp ? rec_of(ns, rp->sb) : -1;
	if (i < 0 || !same_ino(root_of(mount_table()->m[i].sb), root) || !inode_ref_valid(mount_table()->m[i].covered))
		return -EINVAL;
	if (!(flags & MNT_DETACH) && vfs_super_has_mounts(rp->sb))
		return -EBUSY;
	return rec_remove(i, true);
}

/* Is dir at or below top (through this namespace's mounts)? */
static bool reachable(struct inode_ref dir, struct inode_ref top)
{
	struct inode_ref cur = dir;
	for (int depth = 0; depth < 4096; depth++) {
		if (same_ino(cur, top))
			return true;
		struct inode_ref c = vfs_ns_covered(cur);
		struct inode *ip = inode_get(cur);
		if (!ip)
			return false;
		struct inode_ref up = inode_ref_valid(c) ? c : ip->parent;
		if (!inode_ref_valid(up) || same_ino(up, cur))
			return false;
		cur = up;
	}
	return false;
}

int vfs_pivot_root(struct inode_ref root, struct inode_ref new_root, struct inode_ref put_old)
{
	uint32_t ns = cur_ns();
	struct inode *np = inode_get(new_root), *pp = inode_get(put_old), *rp = inode_get(root);
	if (!np || !pp || !rp)
		return -ENOENT;
	if ((np->mode & S_IFMT) != S_IFDIR || (pp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	int ri = rec_of(ns, rp->sb), ni = rec_of(ns, np->sb), oi = rec_of(ns, pp->sb);
	if (ri < 0 || ni < 0 || oi < 0)
		return -EINVAL;
	struct mount_table *mt = mount_table();
	/* a shared put_old mount or a shared parent of new_root: Linux refuses */
	int pi = inode_ref_valid(mt->m[ni].covered) ? rec_of(ns, inode_get(mt->m[ni].covered)->sb) : -1;
	if (mt->m[oi].prop == MS_SHARED || (pi >= 0 && mt->m[pi].prop == MS_SHARED) || mt->m[ri].prop == MS_SHARED)
		return -EINVAL;
	if (ni == ri || oi == ri)
		return -EBUSY; /* new_root or put_old on the current root mount */
	if (!same_ino(root_of(mt->m[ri].sb), root))
		return -EINVAL; /* the caller's root is not a mount point */
	if (!same_ino(root_of(mt->m[ni].sb), new_root))
		return -EINVAL; /* new_root is not a mount point */
	if (!reachable(put_old, new_root))
		return -EINVAL; /* put_old is not at or under new_root */
	if (!reachable(new_root, root))
		return -EINVAL; /* new_root is not under the caller's root */
	if (rec_on(ns, put_old) >= 0)
		return -EBUSY;
	struct inode_ref new_cov = mt->m[ni].covered, root_cov = mt->m[ri].covered;
	struct super_ref old_sb = mt->m[ri].sb, new_sb = mt->m[ni].sb;
	/* new_root goes where the old root was mounted (the namespace's root
	 * if it was that); the old root goes on put_old */
	mt->m[ni].covered = root_cov;
	mt->m[ri].covered = put_old;
	if (!inode_ref_valid(root_cov)) { /* /proc/mounts lists the root first */
		struct mnt_rec a = mt->m[ri];
		mt->m[ri] = mt->m[ni];
		mt->m[ni] = a;
	}
	hint_dir(new_cov);
	if (inode_ref_valid(root_cov))
		hint_dir(root_cov);
	hint_dir(put_old);
	hint_root(new_sb);
	hint_root(old_sb);
	return 0;
}

int vfs_mount_info(uint32_t i, struct super_ref *sb)
{
	struct mount_table *mt = mount_table();
	uint32_t ns = cur_ns();
	for (uint32_t k = 0, seen = 0; k < MNT_RECS; k++) {
		if (!mt->m[k].used || mt->m[k].ns != ns)
			continue;
		if (seen++ == i) {
			*sb = mt->m[k].sb;
			return 0;
		}
	}
	return -ENOENT;
}

struct inode_ref vfs_mount_point(struct super_ref sb)
{
	int i = rec_of(cur_ns(), sb);
	return i < 0 ? (struct inode_ref){0} : mount_table()->m[i].covered;
}

int vfs_mount_ns_copy(uint32_t from, uint32_t to)
{
	struct mount_table *mt = mount_table();
	for (int i = 0; i < MNT_RECS; i++) {
		if (!mt->m[i].used || mt->m[i].ns != from)
			continue;
		struct mnt_rec m = mt->m[i];
		int e = rec_add(to, m.sb, m.covered, m.prop);
		if (e) {
			vfs_mount_ns_drop(to);
			return e;
		}
	}
	return 0;
}

void vfs_mount_ns_drop(uint32_t ns)
{
	/* mounts on top first: a record whose root another covers waits */
	for (int pass = 0; pass < MNT_RECS; pass++) {
		bool left = false;
		struct mount_table *mt = mount_table();
		for (int i = MNT_RECS - 1; i >= 0; i--) {
			mt = mount_table();
			if (!mt->m[i].used || mt->m[i].ns != ns)
				continue;
			left = true;
			struct super *s = super_get(mt->m[i].sb);
			bool busy = false;
			for (int k = 0; s && k < MNT_RECS && !busy; k++) {
				struct inode *cp = mt->m[k].used && mt->m[k].ns == ns && k != i ? inode_get(mt->m[k].covered) : NULL;
				busy = cp && same_sb(cp->sb, mt->m[i].sb);
			}
			if (!busy)
				(void)rec_remove(i, true); /* a file system refusing its umount keeps its record */
		}
		if (!left)
			return;
	}
}

int vfs_sync_all(void)
{
	int first = 0;
	struct mount_table *mt = mount_table();
	for (uint32_t i = 0; i < MNT_RECS; i++) {
		if (!mt->m[i].used)
			continue;
		int e = vfs_sync_fs(mt->m[i].sb);
		if (e && !first)
			first = e;
		mt = mount_table();
	}
	return first;
}
