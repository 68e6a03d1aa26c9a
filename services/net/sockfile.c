/* The VFS glue of sockets: a socket descriptor is a file whose operations
 * the socket layer registers ("socket", S_IFSOCK) and whose file.priv is
 * the socket's handle; read/write/poll/ioctl/close go to the socket
 * layer, fstat and /proc/<pid>/fd see the socket's inode number.
 * Everything the socket layer needs from the VFS is in this file.
 * Layer: services (safe C). */
#include "net/socket.h"
#include "proc/proc.h"

struct sockfile_ids {
	uint32_t fops;
};
FW_GLOBAL(struct sockfile_ids, sockfile_ids);

static struct sock_ref sock_of(const struct file *fp) { return (struct sock_ref){fp->priv.idx, fp->priv.gen}; }

int sock_file_new(struct sock_ref s, uint32_t flags, struct file_ref *out)
{
	int e = file_new(sockfile_ids()->fops, O_RDWR | (flags & O_NONBLOCK), out);
	if (e)
		return e;
	file_get(*out)->priv = (struct vfs_priv){s.idx, s.gen};
	return 0;
}

static bool is_sock_file(const struct file *fp) { return fp && fp->fops == sockfile_ids()->fops && fp->fops; }

int sock_from_fd(int64_t fd, struct sock_ref *out, struct file_ref *fout)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, fd, &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if (!is_sock_file(fp) || !sock_ref_valid(sock_of(fp)))
		return -ENOTSOCK;
	*out = sock_of(fp);
	*fout = f;
	return 0;
}

bool sock_file_nonblock(struct file_ref f)
{
	struct file *fp = file_get(f);
	return fp && (fp->flags & O_NONBLOCK);
}

bool sock_file_is(struct file_ref f) { return is_sock_file(file_get(f)); }

static int64_t sock_rw(struct file *fp, struct fw_uaddr buf, uint64_t n, bool write)
{
	struct sock_msg m = {0};
	int e = uio_init_buf(&m.data, buf.a, n);
	if (e)
		return e;
	bool nonblock = (fp->flags & O_NONBLOCK) != 0;
	struct sock_ref s = sock_of(fp);
	return write ? sock_sendmsg(s, &m, nonblock) : sock_recvmsg(s, &m, nonblock);
}

static int64_t sf_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return sock_rw(fp, buf, n, false);
}

static int64_t sf_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	return sock_rw(fp, buf, n, true);
}

static int64_t sf_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	return sock_ioctl(sock_of(fp), cmd, arg);
}

static void sf_release(struct file_ref f, struct file *fp)
{
	struct sock_ref s = sock_of(fp);
	fp->priv = (struct vfs_priv){0, 0};
	sock_release(s);
}

static uint32_t sf_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	return sock_poll(sock_of(fp), pt);
}

static uint64_t sf_ino(struct file_ref f, struct file *fp)
{
	struct sock *sk = sock_get(sock_of(fp));
	return sk ? sk->ino : 0;
}

static const struct file_ops sock_fops = {
        .name = "socket",
        .flags = FOP_FASYNC,
        .mode = S_IFSOCK,
        .release = sf_release,
        .read = sf_read,
        .write = sf_write,
        .poll = sf_poll,
        .ioctl = sf_ioctl,
        .ino = sf_ino,
};

/* A descriptor for a file received in SCM_RIGHTS, under RLIMIT_NOFILE
 * (the rule the syscall layer applies to every new descriptor). */
int net_fd_install(struct file_ref f, bool cloexec)
{
	struct proc *p = cur_proc();
	uint64_t lim = p->rlim[7].cur; /* RLIMIT_NOFILE; 0: never set */
	if (lim == 0 || lim > FD_MAX)
		lim = FD_MAX;
	int fd = fd_install(p->files, f, 0, cloexec);
	if (fd >= 0 && (uint64_t)fd >= lim) {
		fdtable_get(p->files)->fd[fd] = (struct file_ref){0};
		return -EMFILE;
	}
	return fd;
}

/* May the caller write (and search) a file system node: the checks a
 * bind (create in dir) and a connect (write the socket inode) make. The
 * VFS decides, with the caller's file-system credentials (fsuid, fsgid,
 * supplementary groups), as for any file. */
int net_may_access(struct inode_ref ino, uint32_t mask)
{
	if (!inode_get(ino))
		return -ENOENT;
	struct vfs_cred c;
	proc_fs_cred(cur_proc(), &c);
	return vfs_permission(ino, &c, mask);
}

/* The socket inode of a path name: dir/name, mode S_IFSOCK | perm. */
int net_make_sock_node(struct inode_ref dir, const struct kname *name, uint32_t perm, struct inode_ref *out)
{
	struct inode *dp = inode_get(dir);
	if (!dp)
		return -ENOENT;
	if ((dp->mode & S_IFMT) != S_IFDIR)
		return -ENOTDIR;
	if (dp->nlink == 0)
		return -ENOENT;
	int e = net_may_access(dir, 2 | 1); /* write and search */
	if (e)
		return e;
	struct proc *p = cur_proc();
	struct inode_new nw = {S_IFSOCK | (perm & 07777), 0, p->euid, p->egid};
	return vfs_create(dir, name, &nw, out);
}

int sock_file_init(void) { return file_ops_register(&sock_fops, &sockfile_ids()->fops); }

int64_t sock_sendfile(struct file_ref out, struct inode_ref src, uint64_t off, uint64_t n)
{
	struct file *fp = file_get(out);
	if (!is_sock_file(fp))
		return -EBADF;
	struct sock_ref s = sock_of(fp);
	bool nonblock = (fp->flags & O_NONBLOCK) != 0;
	struct fw_frame_ref zero = {0};
	uint64_t total = 0;
	int64_t r = 0;
	while (total < n) {
		uint64_t pos = off + total;
		uint32_t po = (uint32_t)(pos % 4096);
		uint32_t k = (uint32_t)FW_MIN(n - total, (uint64_t)(4096 - po));
		struct fw_frame_ref f;
		int e = inode_page(src, pos / 4096, false, &f);
		if (e == -ENOENT) { /* a hole reads as zeros */
			if (!zero.pfn && fw_frame_alloc(&zero)) {
				r = -ENOMEM;
				break;
			}
			f = zero;
		} else if (e) {
			r = e;
			break;
		}
		struct sock_msg m = {0};
		uio_init_frame(&m.data, f, po, k);
		r = sock_sendmsg(s, &m, nonblock);
		if (r <= 0)
			break;
		total += (uint64_t)r;
		if ((uint64_t)r < k)
			break;
	}
	if (zero.pfn)
		fw_frame_put(zero);
	return total ? (int64_t)total : r;
}
