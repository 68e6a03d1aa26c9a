/* Advice and space management on open files: fallocate, fadvise64,
 * readahead, sync_file_range. Layer: services (safe C). Each checks its
 * arguments in Linux's order; the space itself is the file system's
 * (vfs_fallocate). Keel keeps file data in memory, so advice about caching
 * and write-back has nothing left to do once the arguments are judged. */
#include "syscall/fs.h"

#define FALLOC_FL_COLLAPSE_RANGE 8
#define FALLOC_FL_ZERO_RANGE 0x10
#define FALLOC_FL_INSERT_RANGE 0x20
#define FALLOC_FL_UNSHARE_RANGE 0x40
#define POSIX_FADV_NOREUSE 5
#define SYNC_FILE_RANGE_ALL 7
#define MAX_FILE_SIZE 0x7fffffffffffffffLL

/* The file type of an open file: its inode's, or what its provider says. */
static uint32_t file_type(struct file_ref f, const struct file *fp)
{
	struct inode *ip = inode_get(fp->inode);
	if (ip)
		return ip->mode & S_IFMT;
	struct kname name;
	uint32_t mode;
	file_anon_name(f, &name, &mode);
	return mode & S_IFMT;
}

/* Linux's vfs_fallocate (6.15 and later): range, then exactly one mode
 * (allocate, punch hole with KEEP_SIZE, zero, unshare, collapse or insert
 * without KEEP_SIZE); then write access, file type, size limit, and the
 * file system (tmpfs: allocate and punch hole). */
#define FALLOC_FL_WRITE_ZEROES 0x80
#define FALLOC_MODE_MASK                                                                                   \
	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |  \
	 FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

static int fallocate_checks(uint32_t mode, int64_t off, int64_t len)
{
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(uint32_t)(FALLOC_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_MODE_MASK) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		return 0;
	case FALLOC_FL_PUNCH_HOLE:
		return (mode & FALLOC_FL_KEEP_SIZE) ? 0 : -EOPNOTSUPP;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		return (mode & FALLOC_FL_KEEP_SIZE) ? -EOPNOTSUPP : 0;
	default:
		return -EOPNOTSUPP;
	}
}

int64_t sys_fallocate(struct fw_uregs *r)
{
	uint32_t mode = (uint32_t)a1(r);
	int64_t off = (int64_t)a2(r), len = (int64_t)a3(r);
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	e = fallocate_checks(mode, off, len);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if ((fp->flags & O_ACCMODE) == O_RDONLY || (fp->flags & O_PATH))
		return -EBADF;
	uint32_t type = file_type(f, fp);
	if (type == S_IFIFO)
		return -ESPIPE;
	if (type == S_IFDIR)
		return -EISDIR;
	if (type != S_IFREG)
		return -ENODEV;
	if (off + len < 0 || off + len > MAX_FILE_SIZE)
		return -EFBIG;
	struct inode_ref ino = fp->inode;
	struct inode *ip = inode_get(ino);
	/* RLIMIT_FSIZE, tmpfs's rule (Linux's ext2 has no fallocate): even
	 * with FALLOC_FL_KEEP_SIZE, a range past the end may not pass it */
	if (ip && (uint64_t)(off + len) > ip->size && !vfs_fsize_ok((uint64_t)(off + len)))
		return -EFBIG;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		/* mapped pages of the hole go first, in every address space */
		for (int32_t pid = 1; pid < PID_MAX; pid++) {
			struct proc *p = proc_get(proc_by_pid(pid));
			if (p && p->state == PROC_ALIVE)
				mm_file_hole(p->mm, ino, (uint64_t)off, (uint64_t)len);
		}
	}
	return vfs_fallocate(ino, mode, (uint64_t)off, (uint64_t)len);
}

/* Linux's generic_fadvise: FIFOs (pipes) -ESPIPE, a negative length or an
 * unknown advice -EINVAL. */
int64_t sys_fadvise64(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	if (file_type(f, file_get(f)) == S_IFIFO)
		return -ESPIPE;
	if ((int64_t)a2(r) < 0 || a3(r) > POSIX_FADV_NOREUSE)
		return -EINVAL;
	return 0;
}

/* readahead(2): a readable regular file, else EBADF / EINVAL. */
int64_t sys_readahead(struct fw_uregs *r)
{
	struct file_ref f;
	if (fd_get_io((int32_t)a0(r), &f))
		return -EBADF;
	struct file *fp = file_get(f);
	if ((fp->flags & O_ACCMODE) == O_WRONLY || (fp->flags & O_PATH))
		return -EBADF;
	return file_type(f, fp) == S_IFREG ? 0 : -EINVAL;
}

/* sync_file_range(2): flags and range first, then the file type. */
int64_t sys_sync_file_range(struct fw_uregs *r)
{
	struct file_ref f;
	int e = fd_get_io((int32_t)a0(r), &f);
	if (e)
		return e;
	int64_t off = (int64_t)a1(r), n = (int64_t)a2(r);
	if (a3(r) & ~(uint64_t)SYNC_FILE_RANGE_ALL)
		return -EINVAL;
	if (off < 0 || off + n < 0 || off + n < off)
		return -EINVAL;
	uint32_t type = file_type(f, file_get(f));
	if (type != S_IFREG && type != S_IFBLK && type != S_IFDIR && type != S_IFLNK)
		return -ESPIPE;
	return 0;
}
