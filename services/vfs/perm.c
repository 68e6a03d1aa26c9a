/* Permission checks: may a caller with these credentials read, write or
 * search/execute an inode? Layer: services (safe C). Trusts the inode's
 * mode and owner; the caller supplies the credentials (the VFS does not
 * know about processes).
 *
 * Linux's generic_permission without ACLs: the owner's bits if the fs uid
 * owns the file, else the group's bits if the fs gid or a supplementary
 * group matches, else the others' bits. uid 0 stands for the
 * CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH capabilities: it may read and
 * write anything and search any directory, but may execute a file only if
 * someone may (one x bit set). */
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

int vfs_permission(struct inode_ref ino, const struct vfs_cred *c, uint32_t mask)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (c->uid == 0) {
		bool dir = (ip->mode & S_IFMT) == S_IFDIR;
		if ((mask & MAY_EXEC) && !dir && !(ip->mode & 0111))
			return -EACCES;
		return 0;
	}
	uint32_t bits = ip->mode;
	if (ip->uid == c->uid)
		bits >>= 6;
	else if (in_group(c, ip->gid))
		bits >>= 3;
	return (bits & mask) == mask ? 0 : -EACCES;
}
