/* copy_file_range(2). Layer: services (safe C). Checks in Linux 6.18's
 * order (flags; the offsets; generic_file_rw_checks: directories EISDIR,
 * other non-regular files EINVAL, access modes and O_APPEND EBADF;
 * generic_copy_file_checks: EOVERFLOW, the input's end, overlapping
 * ranges of one file EINVAL; another file system EXDEV, as Linux for file
 * systems without their own copy method), then copies a chunk at a time
 * through the page cache. The copy is not atomic, as on Linux. */
#include "syscall/fs.h"

static int rw_checks(struct file *in, struct file *out)
{
	struct inode *ii = inode_get(in->inode), *oi = inode_get(out->inode);
	if (!ii || !oi)
		return -EINVAL; /* pipes, sockets, event files */
	if ((ii->mode & S_IFMT) == S_IFDIR || (oi->mode & S_IFMT) == S_IFDIR)
		return -EISDIR;
	if ((ii->mode & S_IFMT) != S_IFREG || (oi->mode & S_IFMT) != S_IFREG)
		return -EINVAL;
	if ((in->flags & O_ACCMODE) == O_WRONLY || (out->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (out->flags & O_APPEND)
		return -EBADF;
	return 0;
}

static int read_off(uint64_t u, int64_t *out) { return fw_copy_from_user(out, fw_uaddr(u)) ? -EFAULT : 0; }

int64_t sys_copy_file_range(struct fw_uregs *r)
{
	uint64_t uoff_in = a1(r), uoff_out = a3(r), len = a4(r);
	if (a5(r))
		return -EINVAL;
	struct file_ref in, out;
	if (fd_get_io((int32_t)a0(r), &in) || fd_get_io((int32_t)a2(r), &out))
		return -EBADF;
	int64_t pos_in = 0, pos_out = 0;
	if (uoff_in && read_off(uoff_in, &pos_in))
		return -EFAULT;
	if (uoff_out && read_off(uoff_out, &pos_out))
		return -EFAULT;
	struct file *fi = file_get(in), *fo = file_get(out);
	int e = rw_checks(fi, fo);
	if (e)
		return e;
	if (!uoff_in)
		pos_in = (int64_t)fi->off;
	if (!uoff_out)
		pos_out = (int64_t)fo->off;
	if (pos_in < 0 || pos_out < 0 || (int64_t)(pos_in + (int64_t)len) < pos_in ||
	    (int64_t)(pos_out + (int64_t)len) < pos_out)
		return -EOVERFLOW;
	struct inode *ii = inode_get(fi->inode);
	uint64_t size_in = ii->size;
	if ((uint64_t)pos_in >= size_in)
		return 0;
	len = FW_MIN(len, size_in - (uint64_t)pos_in);
	if (len == 0)
		return 0;
	bool same = fi->inode.idx == fo->inode.idx && fi->inode.gen == fo->inode.gen;
	if (same && (uint64_t)pos_out + len > (uint64_t)pos_in && (uint64_t)pos_in + len > (uint64_t)pos_out)
		return -EINVAL;
	if (inode_super(fi->inode) != inode_super(fo->inode))
		return -EXDEV;
	struct kchunk_ref cr;
	if (kchunk_alloc(&cr))
		return -ENOMEM;
	uint64_t done = 0, wpos = (uint64_t)pos_out;
	int64_t w = 0;
	while (done < len) {
		uint32_t k = (uint32_t)FW_MIN(len - done, sizeof(kchunk_get(cr)->b));
		struct file *cur_in = file_get(in);
		if (!cur_in)
			break;
		w = inode_read_chunk(cur_in->inode, (uint64_t)pos_in + done, kchunk_get(cr), k);
		if (w == 0)
			w = file_write_kernel_at(out, kchunk_get(cr), k, &wpos);
		if (w <= 0)
			break;
		done += (uint64_t)w;
	}
	kchunk_free(cr);
	if (done == 0 && w < 0)
		return w;
	/* the offsets move by what was copied: given ones in user memory,
	 * else the files' own */
	int64_t ni = pos_in + (int64_t)done, no = pos_out + (int64_t)done;
	if (uoff_in && fw_copy_to_user(fw_uaddr(uoff_in), &ni))
		return -EFAULT;
	if (uoff_out && fw_copy_to_user(fw_uaddr(uoff_out), &no))
		return -EFAULT;
	if (!uoff_in && file_get(in))
		file_get(in)->off = (uint64_t)ni;
	if (!uoff_out && file_get(out))
		file_get(out)->off = (uint64_t)no;
	return (int64_t)done;
}
