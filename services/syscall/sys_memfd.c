/* memfd_create(2): an anonymous tmpfs file. Layer: services (safe C).
 * Decodes the flags and the name (at most 249 bytes, Linux's
 * MFD_NAME_MAX_LEN) and makes a regular file of tmpfs's internal instance
 * that no directory names: it lives while a descriptor or mapping holds
 * it. MFD_ALLOW_SEALING makes fcntl(F_ADD_SEALS) possible; without it the
 * file is sealed against sealing, as Linux's. MFD_NOEXEC_SEAL makes it
 * mode 0666 with F_SEAL_EXEC. No huge pages: MFD_HUGETLB is EINVAL. */
#include "fs/tmpfs/tmpfs.h"
#include "syscall/fs.h"

#define MFD_CLOEXEC 1
#define MFD_ALLOW_SEALING 2
#define MFD_HUGETLB 4
#define MFD_NOEXEC_SEAL 8
#define MFD_EXEC 0x10
#define MFD_NAME_MAX_LEN 249

int64_t sys_memfd_create(struct fw_uregs *r)
{
	uint64_t flags = a1(r);
	if (flags & ~(uint64_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if ((flags & MFD_EXEC) && (flags & MFD_NOEXEC_SEAL))
		return -EINVAL;
	struct kname name;
	long len = fw_strncpy_from_user(&name.s, fw_uaddr(a0(r)));
	if (len == -ENAMETOOLONG)
		return -EINVAL; /* longer than MFD_NAME_MAX_LEN */
	if (len < 0)
		return -EFAULT;
	if (len > MFD_NAME_MAX_LEN)
		return -EINVAL;
	uint32_t mode = (flags & MFD_NOEXEC_SEAL) ? 0666 : 0777;
	struct inode_ref ino;
	int e = tmpfs_anon_inode(S_IFREG | mode, &ino);
	if (e)
		return e;
	struct inode *ip = inode_get(ino);
	struct proc *p = cur_proc();
	ip->uid = p->fsuid;
	ip->gid = p->fsgid;
	if (flags & MFD_NOEXEC_SEAL)
		ip->seals = SEALS_LIVE | F_SEAL_EXEC;
	else if (flags & MFD_ALLOW_SEALING)
		ip->seals = SEALS_LIVE;
	struct file_ref f;
	e = file_open_inode(ino, O_RDWR, &f);
	if (e) {
		inode_put_if_unused(ino);
		return e;
	}
	int fd = fd_install_limited(f, 0, (flags & MFD_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}
