/* openat2(2): open with a struct open_how { u64 flags, mode, resolve; }.
 * Layer: services (safe C). Unlike open, every argument is checked (Linux
 * 6.18's copy_struct_from_user and build_open_flags); the RESOLVE_* flags
 * become lookup restrictions the path walk applies (vfs/namei.c).
 * RESOLVE_CACHED: every lookup of Keel's in-memory file systems is
 * "cached"; creating or truncating opens are EAGAIN, as Linux. */
#include "syscall/fs.h"

struct open_how {
	uint64_t flags, mode, resolve;
};
#define OPEN_HOW_SIZE_VER0 24
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20
#define RESOLVE_ALL 0x3f
#define VALID_OPEN_FLAGS                                                                                   \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_ASYNC |     \
	 O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE)
#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)
#define S_IALLUGO 07777

/* copy_struct_from_user: a smaller struct is zero-extended, a bigger one
 * must have only zeros past ours. */
static int how_from_user(uint64_t uhow, uint64_t usize, struct open_how *how)
{
	*how = (struct open_how){0};
	if (fw_copy_from_user_n(how, fw_uaddr(uhow), FW_MIN(usize, (uint64_t)sizeof(*how))))
		return -EFAULT;
	for (uint64_t off = sizeof(*how); off < usize; off += 8) {
		uint64_t v = 0;
		if (fw_copy_from_user_n(&v, fw_uaddr(uhow + off), FW_MIN(8ULL, usize - off)))
			return -EFAULT;
		if (v)
			return -E2BIG;
	}
	return 0;
}

int64_t sys_openat2(struct fw_uregs *r)
{
	uint64_t usize = a3(r);
	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > 4096)
		return -E2BIG;
	struct open_how how;
	int e = how_from_user(a2(r), usize, &how);
	if (e)
		return e;
	uint64_t flags = how.flags & ~(uint64_t)O_CLOEXEC;
	if (flags & ~(uint64_t)VALID_OPEN_FLAGS)
		return -EINVAL;
	if (how.resolve & ~(uint64_t)RESOLVE_ALL)
		return -EINVAL;
	if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	bool creates = (flags & (O_CREAT | O_TMPFILE)) != 0; /* O_TMPFILE here is Linux's __O_TMPFILE bit */
	if (creates ? (how.mode & ~(uint64_t)S_IALLUGO) != 0 : how.mode != 0)
		return -EINVAL;
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	if ((flags & O_TMPFILE) && ((flags & (O_TMPFILE | O_DIRECTORY | O_CREAT)) != (O_TMPFILE | O_DIRECTORY) ||
				    (flags & O_ACCMODE) == O_RDONLY))
		return -EINVAL;
	if ((flags & O_PATH) && (flags & ~(uint64_t)O_PATH_FLAGS))
		return -EINVAL;
	if ((how.resolve & RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | O_TMPFILE)))
		return -EAGAIN;
	uint32_t rlk = 0;
	if (how.resolve & RESOLVE_NO_XDEV)
		rlk |= LOOKUP_NO_XDEV;
	if (how.resolve & RESOLVE_NO_MAGICLINKS)
		rlk |= LOOKUP_NO_MAGICLINKS;
	if (how.resolve & RESOLVE_NO_SYMLINKS)
		rlk |= LOOKUP_NO_SYMLINKS | LOOKUP_NO_MAGICLINKS;
	if (how.resolve & RESOLVE_BENEATH)
		rlk |= LOOKUP_BENEATH;
	if (how.resolve & RESOLVE_IN_ROOT)
		rlk |= LOOKUP_IN_ROOT;
	return open_how_do((int32_t)a0(r), a1(r), how.flags, how.mode, rlk);
}
