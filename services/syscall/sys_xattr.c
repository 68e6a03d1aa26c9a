/* Extended attributes: setxattr, getxattr, listxattr, removexattr and
 * their l* (no symlink following) and f* (descriptor) forms. Layer:
 * services (safe C). Decodes the name (1..255 bytes, else ERANGE), the
 * value (at most 64 KiB, else E2BIG) and flags, finds the file, applies
 * Linux's xattr_permission (trusted.* for root only, user.* only on
 * regular files and directories and not in another user's sticky
 * directory, then read/write permission), then the namespace rules: user.*,
 * trusted.* and security.* (set by root) are kept by tmpfs (vfs/xattr.c);
 * system.* is POSIX ACLs, which Keel does not have (get: ENODATA, set:
 * EOPNOTSUPP); other prefixes are EOPNOTSUPP. */
#include "syscall/fs.h"

enum xns { NS_USER, NS_TRUSTED, NS_SECURITY, NS_SYSTEM, NS_OTHER };

/* The name's namespace; *bare when it is the prefix alone ("user."). */
static uint32_t ns_of(const struct kname *n, bool *bare)
{
	static const struct {
		char p[10];
		uint32_t len, ns;
	} prefixes[] = {{"user.", 5, NS_USER}, {"trusted.", 8, NS_TRUSTED}, {"security.", 9, NS_SECURITY},
			{"system.", 7, NS_SYSTEM}};
	for (uint32_t k = 0; k < FW_ARRAY_LEN(prefixes); k++) {
		uint32_t len = prefixes[k].len;
		bool match = n->len >= len;
		for (uint32_t i = 0; match && i < len; i++)
			match = n->s[i] == prefixes[k].p[i];
		if (match) {
			*bare = n->len == len;
			return prefixes[k].ns;
		}
	}
	*bare = false;
	return NS_OTHER;
}

static int copy_name(uint64_t uname, struct kname *n)
{
	long len = fw_strncpy_from_user(&n->s, fw_uaddr(uname));
	if (len == -ENAMETOOLONG)
		return -ERANGE; /* Linux: a name longer than XATTR_NAME_MAX */
	if (len < 0)
		return (int)len;
	if (len == 0 || len >= (long)sizeof(n->s))
		return -ERANGE;
	n->len = (uint32_t)len;
	n->s[len] = 0;
	return 0;
}

/* trusted.* and writing security.* need CAP_SYS_ADMIN */
static bool is_root(void) { return cred_capable(CAP_SYS_ADMIN); }

/* Linux's xattr_permission. */
static int xattr_perm(struct inode_ref ino, uint32_t ns, uint32_t mask)
{
	struct inode *ip = inode_get(ino);
	if (!ip)
		return -ENOENT;
	if (ns == NS_SECURITY || ns == NS_SYSTEM)
		return 0;
	if (ns == NS_TRUSTED)
		return is_root() ? 0 : (mask & MAY_WRITE) ? -EPERM : -ENODATA;
	if (ns == NS_USER) {
		uint32_t type = ip->mode & S_IFMT;
		if (type != S_IFREG && type != S_IFDIR)
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
		if (type == S_IFDIR && (ip->mode & S_ISVTX) && (mask & MAY_WRITE) && !cred_capable(CAP_FOWNER) &&
		    ip->uid != cur_proc()->fsuid)
			return -EPERM;
	}
	return may_access(ino, mask);
}

/* What a name may be: after the permission check, as Linux resolves the
 * handler. write: set or remove. */
static int ns_rules(uint32_t ns, bool bare, bool write)
{
	if (ns == NS_OTHER)
		return -EOPNOTSUPP;
	if (bare)
		return -EINVAL;
	if (ns == NS_SYSTEM)
		return write ? -EOPNOTSUPP : -ENODATA;
	if (ns == NS_SECURITY && write && !is_root())
		return -EPERM;
	return 0;
}

/* The file: a path (follow or not) or a descriptor (O_PATH ones do not
 * count). */
enum how { BY_PATH, BY_LPATH, BY_FD };

static int target(uint32_t how, uint64_t arg, struct inode_ref *ino)
{
	if (how == BY_FD) {
		struct file_ref f;
		if (fd_get(cur_proc()->files, (int32_t)arg, &f) || (file_get(f)->flags & O_PATH))
			return -EBADF;
		*ino = file_get(f)->inode;
		return inode_ref_valid(*ino) ? 0 : -EOPNOTSUPP; /* pipes, eventfds: no attributes */
	}
	struct kname last;
	return resolve_at(AT_FDCWD, arg, how == BY_PATH ? LOOKUP_FOLLOW : 0, ino, &last, false);
}

/* A descriptor without an inode of ours (pipe, socket, eventfd): Linux
 * sees an inode that is neither a regular file nor a directory, on a file
 * system without attribute handlers. */
static int no_inode(const struct kname *name, bool write)
{
	bool bare;
	uint32_t ns = ns_of(name, &bare);
	if (ns == NS_USER)
		return write ? -EPERM : -ENODATA;
	if (ns == NS_TRUSTED && !is_root())
		return write ? -EPERM : -ENODATA;
	return -EOPNOTSUPP;
}

/* The checks every named xattr call makes, in Linux's order: a read-only
 * file system (for a change), the caller's permission, the namespace's
 * own rules. */
static int xattr_access(struct inode_ref ino, const struct kname *name, bool write)
{
	if (write && vfs_readonly(ino))
		return -EROFS;
	bool bare;
	uint32_t ns = ns_of(name, &bare);
	int e = xattr_perm(ino, ns, write ? MAY_WRITE : MAY_READ);
	return e ? e : ns_rules(ns, bare, write);
}

static int64_t do_set(uint32_t how, struct fw_uregs *r)
{
	uint64_t flags = a4(r), size = a3(r);
	if (flags & ~(uint64_t)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	struct kname name;
	int e = copy_name(a1(r), &name);
	if (e)
		return e;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (size && !fw_user_range_ok(a2(r), size))
		return -EFAULT;
	struct inode_ref ino;
	e = target(how, a0(r), &ino);
	if (e == -EOPNOTSUPP)
		return no_inode(&name, true);
	if (e)
		return e;
	e = xattr_access(ino, &name, true);
	if (e == 0)
		e = vfs_setxattr(ino, &name, fw_uaddr(a2(r)), size, (uint32_t)flags);
	if (e == 0)
		notify_inode((struct inode_ref){0}, ino, IN_ATTRIB);
	return e;
}

static int64_t do_get(uint32_t how, struct fw_uregs *r)
{
	struct kname name;
	int e = copy_name(a1(r), &name);
	if (e)
		return e;
	struct inode_ref ino;
	e = target(how, a0(r), &ino);
	if (e == -EOPNOTSUPP)
		return no_inode(&name, false);
	if (e)
		return e;
	e = xattr_access(ino, &name, false);
	if (e)
		return e;
	uint64_t size = FW_MIN(a3(r), (uint64_t)XATTR_SIZE_MAX);
	return vfs_getxattr(ino, &name, fw_uaddr(a2(r)), size);
}

static int64_t do_list(uint32_t how, struct fw_uregs *r)
{
	struct inode_ref ino;
	int e = target(how, a0(r), &ino);
	if (e)
		return e == -EOPNOTSUPP ? 0 : e;
	return vfs_listxattr(ino, fw_uaddr(a1(r)), FW_MIN(a2(r), (uint64_t)XATTR_LIST_MAX), is_root());
}

static int64_t do_remove(uint32_t how, struct fw_uregs *r)
{
	struct kname name;
	int e = copy_name(a1(r), &name);
	if (e)
		return e;
	struct inode_ref ino;
	e = target(how, a0(r), &ino);
	if (e == -EOPNOTSUPP)
		return no_inode(&name, true);
	if (e)
		return e;
	e = xattr_access(ino, &name, true);
	if (e == 0)
		e = vfs_removexattr(ino, &name);
	if (e == 0)
		notify_inode((struct inode_ref){0}, ino, IN_ATTRIB);
	return e;
}

int64_t sys_setxattr(struct fw_uregs *r) { return do_set(BY_PATH, r); }
int64_t sys_lsetxattr(struct fw_uregs *r) { return do_set(BY_LPATH, r); }
int64_t sys_fsetxattr(struct fw_uregs *r) { return do_set(BY_FD, r); }
int64_t sys_getxattr(struct fw_uregs *r) { return do_get(BY_PATH, r); }
int64_t sys_lgetxattr(struct fw_uregs *r) { return do_get(BY_LPATH, r); }
int64_t sys_fgetxattr(struct fw_uregs *r) { return do_get(BY_FD, r); }
int64_t sys_listxattr(struct fw_uregs *r) { return do_list(BY_PATH, r); }
int64_t sys_llistxattr(struct fw_uregs *r) { return do_list(BY_LPATH, r); }
int64_t sys_flistxattr(struct fw_uregs *r) { return do_list(BY_FD, r); }
int64_t sys_removexattr(struct fw_uregs *r) { return do_remove(BY_PATH, r); }
int64_t sys_lremovexattr(struct fw_uregs *r) { return do_remove(BY_LPATH, r); }
int64_t sys_fremovexattr(struct fw_uregs *r) { return do_remove(BY_FD, r); }
