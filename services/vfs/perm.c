/* Permission checks: may a caller with these credentials read, write or
 * search/execute an inode? Layer: services (safe C). Trusts the inode's
 * mode and owner; the caller supplies the credentials (the VFS does not
 * know about processes).
 *
 * Linux's generic_permission without ACLs: the owner's bits if the fs uid
 * owns the file, else the group's bits if the fs gid or a supplementary
 * group matches, else the others' bits. When those refuse, the caller's
 * capabilities may still allow it: CAP_DAC_READ_SEARCH reads any file and
 * reads or searches any directory; CAP_DAC_OVERRIDE also writes anything
 * and executes a file when at least one x bit is set. */
#include "vfs/vfs.h"

static bool in_group(const struct vfs_cred *c, uint32_t gid)
{
	if (c->gid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < VFS_NGROUPS; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

static bool has_cap(const struct vfs_cred *c, uint32_t cap) { return (c->caps >> cap) & 1; }

/* What the capabilities allow once the mode bits refused. */
static int cap_override(const struct inode *ip, const struct vfs_cred *c, uint32_t mask)
{
	if ((ip->mode & S_IFMT) == S_IFDIR) {
		if (!(mask & MAY_WRITE) && has_cap(c, VFS_CAP_DAC_READ_SEARCH))
			return 0;
		return has_cap(c, VFS_CAP_DAC_OVERRIDE) ? 0 : -EACCES;
	}
	if (has_cap(c, VFS_CAP_DAC_OVERRIDE) && (!(mask & MAY_EXEC) || (ip->mode & 0111)))
		return 0;
	if (mask == MAY_READ && has_cap(c, VFS_CAP_DAC_READ_SEARCH))
		return 0;
	return -EACCES;
}

int vfs_permission(struct inode_ref ino, const struct vfs_cred *c, uint32_t mask)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	uint32_t bits = ip->mode;
	if (ip->uid == c->uid)
		bits >>= 6;
	else if (in_group(c, ip->gid))
		bits >>= 3;
	return (bits & mask) == mask ? 0 : cap_override(ip, c, mask);
}
