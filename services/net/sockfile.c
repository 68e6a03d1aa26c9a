/* The VFS glue of sockets: a socket descriptor is a file of kind FK_SOCK
 * holding a socket handle; read/write/poll/ioctl/close on it go to the
 * socket layer. Everything the socket layer needs from the VFS is in this
 * file, so it moves in one piece when the VFS's provider interface
 * changes. Layer: services (safe C). */
#include "net/socket.h"
#include "proc/proc.h"

int sock_file_new(struct sock_ref s, uint32_t flags, struct file_ref *out)
{
	int e = file_new(FK_SOCK, O_RDWR | (flags & O_NONBLOCK), out);
	if (e)
		return e;
	file_get(*out)->sock = s;
	return 0;
}

int sock_from_fd(int64_t fd, struct sock_ref *out, struct file_ref *fout)
{
	struct file_ref f;
	int e = fd_get(cur_proc()->files, fd, &f);
	if (e)
		return e;
	struct file *fp = file_get(f);
	if (fp->kind != FK_SOCK || !sock_ref_valid(fp->sock))
		return -ENOTSOCK;
	*out = fp->sock;
	*fout = f;
	return 0;
}

bool sock_file_nonblock(struct file_ref f)
{
	struct file *fp = file_get(f);
	return fp && (fp->flags & O_NONBLOCK);
}

uint64_t sock_file_ino(struct file_ref f)
{
	struct file *fp = file_get(f);
	struct sock *sk = fp ? sock_get(fp->sock) : NULL;
	return sk ? sk->ino : 0;
}

static int64_t sock_rw(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, bool write)
{
	struct sock_msg m = {0};
	int e = uio_init_buf(&m.data, buf.a, n);
	if (e)
		return e;
	bool nonblock = (fp->flags & O_NONBLOCK) != 0;
	return write ? sock_sendmsg(fp->sock, &m, nonblock) : sock_recvmsg(fp->sock, &m, nonblock);
}

int64_t sock_file_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	return sock_rw(f, fp, buf, n, false);
}

int64_t sock_file_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n)
{
	return sock_rw(f, fp, buf, n, true);
}

int64_t sock_file_ioctl(struct file_ref f, struct file *fp, uint64_t cmd, uint64_t arg)
{
	return sock_ioctl(fp->sock, cmd, arg);
}

void sock_file_release(struct file_ref f, struct file *fp)
{
	struct sock_ref s = fp->sock;
	fp->sock = (struct sock_ref){0};
	sock_release(s);
}

uint32_t sock_file_poll(struct file_ref f, struct file *fp, uint64_t *gen) { return sock_poll(fp->sock, gen); }

int64_t sock_sendfile(struct file_ref out, struct inode_ref src, uint64_t off, uint64_t n)
{
	struct file *fp = file_get(out);
	if (!fp)
		return -EBADF;
	struct sock_ref s = fp->sock;
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
