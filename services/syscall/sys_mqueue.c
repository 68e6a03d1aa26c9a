/* POSIX message queue system calls: decode the names, attributes,
 * timeouts and sigevents in Linux's order and hand them to
 * services/ipc/mqueue.c. Layer: services (safe C). */
#include "ipc/ipc.h"
#include "syscall/fs.h"
#include "syscall/syscall.h"
#include "net/netlink/netlink.h"
#include "net/socket.h"
#include <fw/time.h>

struct linux_sigevent_mq {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t pad[12];
};

/* A descriptor is free below RLIMIT_NOFILE. */
static bool fd_free_below_limit(void)
{
	struct fdtable *t = fdtable_get(cur_proc()->files);
	uint32_t lim = FW_MIN(fd_limit(), (uint32_t)FD_MAX);
	for (uint32_t i = 0; t && i < lim; i++)
		if (!file_ref_valid(t->fd[i]))
			return true;
	return false;
}

int64_t sys_mq_open(struct fw_uregs *r)
{
	uint32_t oflag = (uint32_t)a1(r);
	struct linux_mq_attr attr;
	bool have_attr = (oflag & O_CREAT) && a3(r);
	if (have_attr && fw_copy_from_user(&attr, fw_uaddr(a3(r))))
		return -EFAULT;
	struct kname name;
	int e = mq_name_from_user(a0(r), &name);
	if (e == -EFAULT)
		return e;
	/* Linux takes the descriptor before it looks at the name: EMFILE
	 * creates nothing */
	if (!fd_free_below_limit())
		return -EMFILE;
	if (e)
		return e;
	struct file_ref f;
	if (have_attr)
		e = mq_open_name(&name, oflag, (uint32_t)a2(r), &attr, &f);
	else
		e = mq_open_name(&name, oflag, (uint32_t)a2(r), NULL, &f);
	if (e)
		return e;
	int fd = fd_install_limited(f, 0, (oflag & O_CLOEXEC) != 0); /* RLIMIT_NOFILE: EMFILE */
	if (fd < 0)
		file_drop(f);
	return fd;
}

int64_t sys_mq_unlink(struct fw_uregs *r)
{
	struct kname name;
	int e = mq_name_from_user(a0(r), &name);
	return e ? e : mq_unlink_name(&name);
}

/* An absolute CLOCK_REALTIME timeout as a monotonic deadline (0: past). */
static int deadline_from_user(uint64_t uts, bool *timed, uint64_t *deadline)
{
	*timed = uts != 0;
	*deadline = 0;
	if (!uts)
		return 0;
	uint64_t abs;
	int e = timespec_from_user(uts, &abs);
	if (e)
		return e;
	uint64_t now = fw_time_realtime_ns();
	if (abs <= now)
		return 0;
	uint64_t mono = fw_time_monotonic_ns();
	*deadline = abs - now > UINT64_MAX - mono ? UINT64_MAX : mono + (abs - now);
	return 0;
}

/* A SIGEV_THREAD cookie due: to its netlink socket (gone: nothing). */
static void send_note(const struct mq_thread_note *note)
{
	if (!note->due)
		return;
	struct kchunk c;
	for (uint32_t i = 0; i < MQ_COOKIE_LEN; i++)
		c.b[i] = note->cookie[i];
	(void)netlink_send_bytes((struct sock_ref){note->sock_idx, note->sock_gen}, &c, MQ_COOKIE_LEN);
}

int64_t sys_mq_timedsend(struct fw_uregs *r)
{
	if (a3(r) >= MQ_PRIO_MAX)
		return -EINVAL;
	bool timed;
	uint64_t deadline;
	int e = deadline_from_user(a4(r), &timed, &deadline);
	if (e)
		return e;
	struct mq_thread_note note = {0};
	int64_t rc = mq_send((int32_t)a0(r), a1(r), a2(r), (uint32_t)a3(r), timed, deadline, &note);
	send_note(&note);
	return rc;
}

int64_t sys_mq_timedreceive(struct fw_uregs *r)
{
	bool timed;
	uint64_t deadline;
	int e = deadline_from_user(a4(r), &timed, &deadline);
	return e ? e : mq_receive((int32_t)a0(r), a1(r), a2(r), a3(r), timed, deadline);
}

/* SIGEV_THREAD: libc passes a netlink socket (sigev_signo) and a
 * 32-byte cookie (sigev_value) that the kernel sends it when the
 * notification fires, Linux's checks in Linux's order. */
static int thread_notify(const struct linux_sigevent_mq *ev, struct mq_notify_req *req)
{
	if (fw_copy_from_user(&req->cookie, fw_uaddr(ev->value)))
		return -EFAULT;
	struct sock_ref s;
	struct file_ref f;
	int e = sock_from_fd(ev->signo, &s, &f);
	if (e)
		return e;
	struct sock *sk = sock_get(s);
	if (!sk || sk->family != AF_NETLINK)
		return -EINVAL;
	req->sock_idx = s.idx;
	req->sock_gen = s.gen;
	return 0;
}

int64_t sys_mq_notify(struct fw_uregs *r)
{
	if (!a1(r)) {
		struct mq_thread_note note = {0};
		int e = mq_notify_set((int32_t)a0(r), NULL, &note);
		send_note(&note);
		return e;
	}
	struct linux_sigevent_mq ev;
	if (fw_copy_from_user(&ev, fw_uaddr(a1(r))))
		return -EFAULT;
	if (ev.notify != MQ_SIGEV_SIGNAL && ev.notify != MQ_SIGEV_NONE && ev.notify != MQ_SIGEV_THREAD)
		return -EINVAL;
	if (ev.notify == MQ_SIGEV_SIGNAL && (ev.signo < 0 || ev.signo > NSIG))
		return -EINVAL;
	struct mq_notify_req req = {ev.notify, ev.signo, ev.value, 0, 0, {0}};
	if (ev.notify == MQ_SIGEV_THREAD) {
		int e = thread_notify(&ev, &req);
		if (e)
			return e;
	}
	return mq_notify_set((int32_t)a0(r), &req, NULL);
}

int64_t sys_mq_getsetattr(struct fw_uregs *r)
{
	struct linux_mq_attr set, old;
	if (a1(r)) {
		if (fw_copy_from_user(&set, fw_uaddr(a1(r))))
			return -EFAULT;
		if (set.flags & ~(int64_t)O_NONBLOCK)
			return -EINVAL;
	}
	int e = a1(r) ? mq_getsetattr_fd((int32_t)a0(r), &set, &old) : mq_getsetattr_fd((int32_t)a0(r), NULL, &old);
	if (e)
		return e;
	return a2(r) && fw_copy_to_user(fw_uaddr(a2(r)), &old) ? -EFAULT : 0;
}
