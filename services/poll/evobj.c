/* eventfd, timerfd and signalfd files, and epoll instances' lifetime.
 * Layer: services (safe C). Timer callbacks run in the framework's worker
 * task (never in interrupt context), so they may touch service state. */
#include "poll/poll.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include <abi/fs.h>

FW_POOL_DEFINE(evobj, struct evobj);
FW_POOL_DEFINE(epitem, struct epitem);

#define EFD_SEMAPHORE 1

struct evobj_ids {
	uint32_t fops;
};
FW_GLOBAL(struct evobj_ids, evobj_ids);

/* A file's event object (file.priv). */
static struct evobj_ref obj_of(const struct file *fp) { return (struct evobj_ref){fp->priv.idx, fp->priv.gen}; }

int evobj_of_file(struct file_ref f, uint32_t type, struct evobj_ref *out)
{
	struct file *fp = file_get(f);
	struct evobj *o = fp && fp->fops == evobj_ids()->fops ? evobj_get(obj_of(fp)) : NULL;
	if (!o || o->type != type)
		return -EINVAL;
	*out = obj_of(fp);
	return 0;
}

int evobj_create(uint32_t type, uint32_t flags, struct file_ref *out, struct evobj_ref *obj)
{
	struct evobj_ref o;
	if (evobj_alloc(&o))
		return -ENOMEM;
	struct evobj *op = evobj_get(o);
	op->type = type;
	if (wq_create(&op->wq)) {
		evobj_free(o);
		return -ENOMEM;
	}
	int e = file_new(evobj_ids()->fops, O_RDWR | (flags & O_NONBLOCK), out);
	if (e) {
		wq_destroy(evobj_get(o)->wq);
		evobj_free(o);
		return e;
	}
	file_get(*out)->priv = (struct vfs_priv){o.idx, o.gen};
	*obj = o;
	if (type == EV_EPOLL)
		epoll_track(o, true);
	return 0;
}

static void changed(struct evobj *o) { wq_wake(o->wq); }

static int wait_on(struct wq_ref w) { return wq_wait(w, 0) == -EINTR ? -ERESTARTSYS : 0; }

/* Block until the object's counter is non-zero (eventfd, timerfd). */
static int64_t read_counter(struct file_ref f, struct evobj_ref or, struct fw_uaddr buf, uint64_t n)
{
	if (n < 8)
		return -EINVAL;
	for (;;) {
		struct evobj *o = evobj_get(or);
		struct file *fp = file_get(f);
		if (!o || !fp)
			return -EBADF;
		if (o->count > 0) {
			uint64_t v = o->count;
			if (o->type == EV_EVENTFD && (o->flags & EFD_SEMAPHORE))
				v = 1;
			if (fw_copy_to_user(buf, &v))
				return -EFAULT;
			o->count -= v;
			changed(o);
			return 8;
		}
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(o->wq))
			return -ERESTARTSYS;
	}
}

/* A signalfd record from the kernel siginfo (the fields Linux fills). */
static void fill_signalfd(struct linux_signalfd_siginfo *si, int sig, const struct sig_info_k *info)
{
	*si = (struct linux_signalfd_siginfo){0};
	si->ssi_signo = (uint32_t)sig;
	si->ssi_code = info->code;
	bool fault = info->code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
					 sig == SIGTRAP);
	if (fault) {
		si->ssi_addr = info->value;
		return;
	}
	si->ssi_pid = (uint32_t)info->pid;
	si->ssi_uid = info->uid;
	if (sig == SIGCHLD && info->code > 0) {
		si->ssi_status = info->status;
		return;
	}
	si->ssi_int = (int32_t)(uint32_t)info->value;
	si->ssi_ptr = info->value;
}

static int64_t read_signals(struct file_ref f, struct evobj_ref or, struct fw_uaddr buf, uint64_t n)
{
	struct linux_signalfd_siginfo si;
	if (n < sizeof(si))
		return -EINVAL;
	uint64_t done = 0;
	for (;;) {
		struct evobj *o = evobj_get(or);
		struct file *fp = file_get(f);
		if (!o || !fp)
			return -EBADF;
		uint64_t mask = o->sigmask;
		while (done + sizeof(si) <= n) {
			struct sig_info_k info;
			int sig = signal_dequeue(mask, &info);
			if (!sig)
				break;
			fill_signalfd(&si, sig, &info);
			if (fw_copy_to_user(fw_uaddr_add(buf, done), &si))
				return done ? (int64_t)done : -EFAULT;
			done += sizeof(si);
		}
		if (done)
			return (int64_t)done;
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(signalfd_queue()))
			return -ERESTARTSYS;
	}
}

uint64_t signalfd_pending(uint64_t mask)
{
	struct thread *t = cur_thread();
	struct proc *p = cur_proc();
	if (!t || !p)
		return 0;
	return (t->sig_pending | p->sig_pending) & mask;
}

struct wq_ref signalfd_queue(void)
{
	struct proc *p = cur_proc();
	if (p && !wq_ref_valid(p->sigfd_wq) && wq_create(&p->sigfd_wq))
		return (struct wq_ref){0};
	return p ? p->sigfd_wq : (struct wq_ref){0};
}

static int64_t evobj_read(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct evobj_ref or = obj_of(fp);
	struct evobj *o = evobj_get(or);
	if (!o)
		return -EBADF;
	switch (o->type) {
	case EV_EVENTFD:
	case EV_TIMERFD:
		return read_counter(f, or, buf, n);
	case EV_SIGNALFD:
		return read_signals(f, or, buf, n);
	default:
		return -EINVAL;
	}
}

static int64_t evobj_write(struct file_ref f, struct file *fp, struct fw_uaddr buf, uint64_t n, uint64_t *pos)
{
	struct evobj_ref or = obj_of(fp);
	struct evobj *o = evobj_get(or);
	if (!o || o->type != EV_EVENTFD)
		return -EINVAL;
	uint64_t v;
	if (n < 8)
		return -EINVAL;
	if (fw_copy_from_user(&v, buf))
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	for (;;) {
		o = evobj_get(or);
		fp = file_get(f);
		if (!o || !fp)
			return -EBADF;
		if (v < 0xfffffffffffffffeULL - o->count + 1 && o->count + v <= 0xfffffffffffffffeULL) {
			o->count += v;
			changed(o);
			return 8;
		}
		if (fp->flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_on(o->wq))
			return -ERESTARTSYS;
	}
}

static void evobj_release(struct file_ref f, struct file *fp)
{
	struct evobj_ref or = obj_of(fp);
	struct evobj *o = evobj_get(or);
	if (!o)
		return;
	if (o->type == EV_TIMERFD)
		fw_timer_destroy(o->timer);
	if (o->type == EV_EPOLL)
		epoll_track(or, false);
	o = evobj_get(or);
	struct epitem_ref it = o->items;
	while (epitem_ref_valid(it)) {
		struct epitem *ip = epitem_get(it);
		struct epitem_ref next = ip->next;
		poll_hooks_release(ip->hooks);
		epitem_free(it);
		it = next;
	}
	struct wq_ref wq = evobj_get(or)->wq;
	evobj_free(or);
	wq_destroy(wq); /* pollers and epoll instances watching it look again */
}

static uint32_t evobj_poll(struct file_ref f, struct file *fp, struct poll_table *pt)
{
	struct evobj *o = evobj_get(obj_of(fp));
	if (!o)
		return POLLERR;
	poll_wait(pt, o->wq);
	switch (o->type) {
	case EV_EVENTFD: {
		uint32_t m = 0;
		if (o->count > 0)
			m |= POLLIN | POLLRDNORM;
		if (o->count < 0xfffffffffffffffeULL)
			m |= POLLOUT | POLLWRNORM;
		return m;
	}
	case EV_TIMERFD:
		return o->count > 0 ? POLLIN | POLLRDNORM : 0;
	case EV_SIGNALFD:
		poll_wait(pt, signalfd_queue());
		return signalfd_pending(o->sigmask) ? POLLIN | POLLRDNORM : 0;
	case EV_EPOLL:
		return epoll_ready_any(obj_of(fp)) ? POLLIN | POLLRDNORM : 0;
	default:
		return 0;
	}
}

static const struct file_ops evobj_ops = {
	.name = "anon_inode",
	.release = evobj_release,
	.read = evobj_read,
	.write = evobj_write,
	.poll = evobj_poll,
};

int evobj_init(void) { return file_ops_register(&evobj_ops, &evobj_ids()->fops); }
