/* Socket system calls: decode and check the arguments (descriptors,
 * addresses, message headers, option buffers), then call the socket
 * layer (services/net). Layer: services (safe C). Address and option
 * copies follow Linux's move_addr_to_kernel / move_addr_to_user rules. */
#include "net/socket.h"
#include "net/unix/unix.h"
#include "syscall/fs.h"

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

static int addr_from_user(uint64_t uaddr, int64_t len, struct sockaddr_k *out)
{
	out->len = 0;
	if (len < 0 || len > SOCKADDR_MAX)
		return -EINVAL;
	if (len == 0)
		return 0;
	if (fw_copy_from_user_n(&out->b, fw_uaddr(uaddr), (size_t)len))
		return -EFAULT;
	out->len = (uint32_t)len;
	return 0;
}

/* Copy an address out: *ulen gets its full length, the buffer at most
 * what *ulen said. */
static int addr_to_user(const struct sockaddr_k *a, uint64_t uaddr, uint64_t ulen)
{
	int32_t len;
	if (fw_copy_from_user(&len, fw_uaddr(ulen)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	uint32_t n = FW_MIN((uint32_t)len, a->len);
	if (n && fw_copy_to_user_n(fw_uaddr(uaddr), &a->b, n))
		return -EFAULT;
	int32_t full = (int32_t)a->len;
	return fw_copy_to_user(fw_uaddr(ulen), &full) ? -EFAULT : 0;
}

/* Install a socket as a descriptor (flags: SOCK_NONBLOCK | SOCK_CLOEXEC);
 * on failure the socket is released. */
static int install_sock(struct sock_ref s, uint64_t flags)
{
	struct file_ref f;
	int e = sock_file_new(s, (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, &f);
	if (e) {
		sock_release(s);
		return e;
	}
	int fd = fd_install_limited(f, 0, (flags & SOCK_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

static int check_type(int64_t family, int64_t type, int32_t *base)
{
	if ((uint64_t)type & ~(uint64_t)(SOCK_TYPE_MASK | SOCK_FLAGS))
		return -EINVAL;
	if (family < 0 || family >= 46)
		return -EAFNOSUPPORT;
	*base = (int32_t)(type & SOCK_TYPE_MASK);
	if (*base < 1 || *base > 10)
		return -EINVAL;
	return 0;
}

int64_t sys_socket(struct fw_uregs *r)
{
	int64_t family = (int32_t)a0(r), type = (int32_t)a1(r);
	int32_t base;
	int e = check_type(family, type, &base);
	if (e)
		return e;
	struct sock_ref s;
	e = sock_create((int32_t)family, base, (int32_t)a2(r), &s);
	if (e)
		return e;
	return install_sock(s, (uint64_t)type);
}

int64_t sys_socketpair(struct fw_uregs *r)
{
	int64_t family = (int32_t)a0(r), type = (int32_t)a1(r);
	int32_t base;
	int e = check_type(family, type, &base);
	if (e)
		return e;
	struct sock_ref s1, s2;
	e = sock_create((int32_t)family, base, (int32_t)a2(r), &s1);
	if (e)
		return e;
	e = sock_create((int32_t)family, base, (int32_t)a2(r), &s2);
	if (e) {
		sock_release(s1);
		return e;
	}
	if (family != AF_UNIX) {
		sock_release(s1);
		sock_release(s2);
		return -EOPNOTSUPP;
	}
	(void)unix_pair(s1, s2);
	int fd1 = install_sock(s1, (uint64_t)type);
	if (fd1 < 0) {
		sock_release(s2);
		return fd1;
	}
	int fd2 = install_sock(s2, (uint64_t)type);
	if (fd2 < 0) {
		(void)fd_close(cur_proc()->files, fd1);
		return fd2;
	}
	int32_t fds[2] = {fd1, fd2};
	if (fw_copy_to_user(fw_uaddr(a3(r)), &fds)) {
		(void)fd_close(cur_proc()->files, fd1);
		(void)fd_close(cur_proc()->files, fd2);
		return -EFAULT;
	}
	return 0;
}

int64_t sys_bind(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	struct sockaddr_k a;
	if (e == 0)
		e = addr_from_user(a1(r), (int32_t)a2(r), &a);
	return e ? e : sock_bind(s, &a);
}

int64_t sys_connect(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	struct sockaddr_k a;
	if (e == 0)
		e = addr_from_user(a1(r), (int32_t)a2(r), &a);
	return e ? e : sock_connect(s, &a, sock_file_nonblock(f));
}

int64_t sys_listen(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	return e ? e : sock_listen(s, (int32_t)a1(r));
}

static int64_t do_accept(int64_t fd, uint64_t uaddr, uint64_t ulen, uint64_t flags)
{
	if (flags & ~(uint64_t)SOCK_FLAGS)
		return -EINVAL;
	struct sock_ref s, ns;
	struct file_ref f;
	int e = sock_from_fd(fd, &s, &f);
	if (e)
		return e;
	struct sockaddr_k peer = {0};
	e = sock_accept(s, sock_file_nonblock(f), &ns, &peer);
	if (e)
		return e;
	int nfd = install_sock(ns, flags);
	if (nfd < 0 || !uaddr)
		return nfd;
	e = addr_to_user(&peer, uaddr, ulen);
	if (e) {
		(void)fd_close(cur_proc()->files, nfd);
		return e;
	}
	return nfd;
}

int64_t sys_accept(struct fw_uregs *r) { return do_accept((int32_t)a0(r), a1(r), a2(r), 0); }
int64_t sys_accept4(struct fw_uregs *r) { return do_accept((int32_t)a0(r), a1(r), a2(r), a3(r)); }

static int64_t do_getname(struct fw_uregs *r, bool peer)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	struct sockaddr_k a = {0};
	e = sock_getname(s, peer, &a);
	return e ? e : addr_to_user(&a, a1(r), a2(r));
}

int64_t sys_getsockname(struct fw_uregs *r) { return do_getname(r, false); }
int64_t sys_getpeername(struct fw_uregs *r) { return do_getname(r, true); }

int64_t sys_shutdown(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	return e ? e : sock_shutdown(s, (int32_t)a1(r));
}

int64_t sys_sendto(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	struct sock_msg m = {0};
	e = uio_init_buf(&m.data, a1(r), a2(r));
	if (e == 0 && a4(r))
		e = addr_from_user(a4(r), (int32_t)a5(r), &m.addr);
	if (e)
		return e;
	m.flags = (uint32_t)a3(r);
	return sock_sendmsg(s, &m, sock_file_nonblock(f));
}

int64_t sys_recvfrom(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	struct sock_msg m = {0};
	e = uio_init_buf(&m.data, a1(r), a2(r));
	if (e)
		return e;
	m.flags = (uint32_t)a3(r);
	m.want_addr = a4(r) != 0;
	int64_t n = sock_recvmsg(s, &m, sock_file_nonblock(f));
	if (n >= 0 && a4(r)) {
		e = addr_to_user(&m.addr, a4(r), a5(r));
		if (e)
			return e;
	}
	return n;
}

/* A user msghdr into a sock_msg (the name is copied, the data walk and
 * control buffer stay in user memory). */
static int msg_from_user(uint64_t umsg, struct linux_msghdr *h, struct sock_msg *m, bool send)
{
	if (fw_copy_from_user(h, fw_uaddr(umsg)))
		return -EFAULT;
	int32_t namelen = (int32_t)h->msg_namelen;
	if (namelen < 0)
		return -EINVAL;
	if (namelen > SOCKADDR_MAX)
		namelen = SOCKADDR_MAX;
	if (!h->msg_name)
		namelen = 0;
	if (send && namelen) {
		int e = addr_from_user(h->msg_name, namelen, &m->addr);
		if (e)
			return e;
	}
	m->want_addr = h->msg_name != 0;
	if (h->msg_iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	int e = uio_init_iov(&m->data, h->msg_iov, h->msg_iovlen);
	if (e)
		return e;
	if (h->msg_controllen > INT32_MAX)
		return -ENOBUFS;
	m->ctl = h->msg_control;
	m->ctllen = h->msg_controllen;
	return 0;
}

static int64_t do_sendmsg(struct sock_ref s, struct file_ref f, uint64_t umsg, uint32_t flags)
{
	struct linux_msghdr h;
	struct sock_msg m = {0};
	int e = msg_from_user(umsg, &h, &m, true);
	if (e)
		return e;
	m.flags = flags;
	return sock_sendmsg(s, &m, sock_file_nonblock(f));
}

static int64_t do_recvmsg(struct sock_ref s, struct file_ref f, uint64_t umsg, uint32_t flags)
{
	struct linux_msghdr h;
	struct sock_msg m = {0};
	int e = msg_from_user(umsg, &h, &m, false);
	if (e)
		return e;
	m.flags = flags;
	int64_t n = sock_recvmsg(s, &m, sock_file_nonblock(f));
	if (n < 0)
		return n;
	if (h.msg_name) {
		e = addr_to_user(&m.addr, h.msg_name, umsg + 8);
		if (e)
			return e;
	}
	int32_t oflags = (int32_t)(m.oflags | (flags & MSG_CMSG_CLOEXEC));
	uint64_t used = m.ctl_used;
	if (fw_copy_to_user(fw_uaddr(umsg + 48), &oflags) || fw_copy_to_user(fw_uaddr(umsg + 40), &used))
		return -EFAULT;
	return n;
}

int64_t sys_sendmsg(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	return e ? e : do_sendmsg(s, f, a1(r), (uint32_t)a2(r));
}

int64_t sys_recvmsg(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	return e ? e : do_recvmsg(s, f, a1(r), (uint32_t)a2(r));
}

int64_t sys_sendmmsg(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	uint64_t vec = a1(r), vlen = FW_MIN((uint64_t)(uint32_t)a2(r), (uint64_t)UIO_MAXIOV);
	uint32_t n = 0;
	for (; n < vlen; n++) {
		uint64_t at = vec + (uint64_t)n * sizeof(struct linux_mmsghdr);
		int64_t k = do_sendmsg(s, f, at, (uint32_t)a3(r));
		if (k < 0)
			return n ? (int64_t)n : k;
		uint32_t len = (uint32_t)k;
		if (fw_copy_to_user(fw_uaddr(at + sizeof(struct linux_msghdr)), &len))
			return n ? (int64_t)n : -EFAULT;
	}
	return n;
}

int64_t sys_recvmmsg(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	uint64_t vec = a1(r), vlen = FW_MIN((uint64_t)(uint32_t)a2(r), (uint64_t)UIO_MAXIOV);
	uint32_t flags = (uint32_t)a3(r);
	uint64_t deadline = 0;
	if (a4(r)) {
		uint64_t ns;
		e = timespec_from_user(a4(r), &ns);
		if (e)
			return e;
		deadline = fw_time_monotonic_ns() + ns;
	}
	uint32_t n = 0;
	for (; n < vlen; n++) {
		uint64_t at = vec + (uint64_t)n * sizeof(struct linux_mmsghdr);
		int64_t k = do_recvmsg(s, f, at, flags & ~(uint32_t)MSG_WAITFORONE);
		if (k < 0)
			return n ? (int64_t)n : k;
		uint32_t len = (uint32_t)k;
		if (fw_copy_to_user(fw_uaddr(at + sizeof(struct linux_msghdr)), &len))
			return n ? (int64_t)n : -EFAULT;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		if (deadline && fw_time_monotonic_ns() >= deadline) {
			n++;
			break;
		}
	}
	return n;
}

int64_t sys_setsockopt(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	int32_t len = (int32_t)a4(r);
	if (len < 0)
		return -EINVAL;
	struct optval v = {0};
	v.len = FW_MIN((uint32_t)len, (uint32_t)sizeof(v.b));
	if (v.len && fw_copy_from_user_n(&v.b, fw_uaddr(a3(r)), v.len))
		return -EFAULT;
	return sock_setsockopt(s, (int32_t)a1(r), (int32_t)a2(r), &v);
}

int64_t sys_getsockopt(struct fw_uregs *r)
{
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd((int32_t)a0(r), &s, &f);
	if (e)
		return e;
	int32_t len;
	if (fw_copy_from_user(&len, fw_uaddr(a4(r))))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	struct optval v = {0};
	v.len = FW_MIN((uint32_t)len, (uint32_t)sizeof(v.b));
	e = sock_getsockopt(s, (int32_t)a1(r), (int32_t)a2(r), &v);
	if (e)
		return e;
	uint32_t n = FW_MIN((uint32_t)len, v.len);
	if (n && fw_copy_to_user_n(fw_uaddr(a3(r)), &v.b, n))
		return -EFAULT;
	int32_t out = (int32_t)n;
	return fw_copy_to_user(fw_uaddr(a4(r)), &out) ? -EFAULT : 0;
}
