/* Readiness system calls: poll, ppoll, select, pselect6, epoll, eventfd,
 * timerfd and signalfd. Layer: services (safe C). poll and select hook a
 * private queue onto the queues of every file they watch (first scan),
 * then sleep on it until one of them changes, the deadline passes or a
 * signal arrives; epoll_wait sleeps on the instance's own queue. */
#include "poll/poll.h"
#include "proc/signal.h"
#include "syscall/fs.h"
#include <abi/fs.h>
#include <fw/time.h>

#define EFD_SEMAPHORE 1

/* timeout in ms (<0: forever) -> absolute monotonic deadline (0: none). */
static uint64_t deadline_ms(int64_t ms)
{
	if (ms < 0)
		return 0;
	return fw_time_monotonic_ns() + (uint64_t)ms * 1000000ULL + 1;
}

static int deadline_ts(uint64_t uts, uint64_t *deadline, bool *zero)
{
	*deadline = 0;
	*zero = false;
	if (!uts)
		return 0;
	uint64_t ns;
	int e = timespec_from_user(uts, &ns);
	if (e)
		return e;
	*zero = ns == 0;
	uint64_t now = fw_time_monotonic_ns();
	*deadline = ns >= UINT64_MAX - now ? UINT64_MAX : now + ns + 1;
	return 0;
}

/* Wait for a change; 1 when the deadline passed, <0 on a signal. */
static int wait_change(struct wq_ref w, uint64_t deadline)
{
	int e = wq_wait(w, deadline);
	if (e == -ETIMEDOUT)
		return 1;
	if (e == -EINTR)
		return -EINTR;
	if (deadline && fw_time_monotonic_ns() >= deadline)
		return 1;
	return 0;
}

static int64_t scan_pollfds(uint64_t ufds, uint64_t nfds, bool write_back, struct poll_table *pt)
{
	int64_t ready = 0;
	for (uint64_t i = 0; i < nfds; i++) {
		struct linux_pollfd pf;
		if (fw_copy_from_user(&pf, fw_uaddr(ufds + i * sizeof(pf))))
			return -EFAULT;
		uint32_t rev = 0;
		if (pf.fd >= 0) {
			struct file_ref f;
			if (fd_get_io(pf.fd, &f)) {
				rev = POLLNVAL; /* not open, or O_PATH */
			} else {
				rev = file_poll(f, pt) & ((uint32_t)(uint16_t)pf.events | POLLERR | POLLHUP | POLLNVAL);
			}
		}
		if (rev)
			ready++;
		pf.revents = (int16_t)rev;
		if (write_back && fw_copy_to_user(fw_uaddr(ufds + i * sizeof(pf)), &pf))
			return -EFAULT;
	}
	return ready;
}

/* A poller's private queue and the hooks hung from it (see vfs/wait.h). */
static int poller_start(struct poll_table *pt, bool zero)
{
	*pt = (struct poll_table){0};
	if (zero)
		return 0; /* no waiting: nothing to hook */
	pt->add = true;
	return wq_create(&pt->self);
}

static void poller_end(struct poll_table *pt)
{
	poll_hooks_release(pt->hooks);
	wq_destroy(pt->self);
}

/* After a scan: hooks are in place (or the scan failed to place one). */
static int poller_scanned(struct poll_table *pt)
{
	pt->add = false;
	return pt->err;
}

static int64_t poll_loop(uint64_t ufds, uint64_t nfds, uint64_t deadline, bool zero, struct poll_table *pt)
{
	for (;;) {
		uint64_t seen = wq_gen(pt->self);
		int64_t n = scan_pollfds(ufds, nfds, false, pt);
		int e = poller_scanned(pt);
		if (n < 0 || e)
			return n < 0 ? n : e;
		if (n > 0 || zero)
			return scan_pollfds(ufds, nfds, true, NULL);
		if (wq_gen(pt->self) != seen)
			continue; /* something changed while scanning */
		int w = wait_change(pt->self, deadline);
		if (w < 0)
			return -ERESTARTSYS;
		if (w > 0)
			return scan_pollfds(ufds, nfds, true, NULL);
	}
}

static int64_t do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline, bool zero)
{
	if (nfds > FD_MAX * 4)
		return -EINVAL;
	struct poll_table pt;
	int e = poller_start(&pt, zero);
	if (e)
		return e;
	int64_t n = poll_loop(ufds, nfds, deadline, zero, &pt);
	poller_end(&pt);
	return n;
}

/* poll: a handled signal gives EINTR whatever SA_RESTART says; otherwise
 * (stop and continue) an infinite poll starts again and a timed one
 * resumes with the time left (Linux's restart block). */
static int64_t poll_until(uint64_t ufds, uint64_t nfds, uint64_t deadline, bool zero)
{
	int64_t n = do_poll(ufds, nfds, deadline, zero);
	if (n != -ERESTARTSYS)
		return n;
	if (!deadline)
		return -ERESTARTNOHAND;
	return signal_restart_block(RESTART_POLL, deadline, ufds, nfds, 0, 0);
}

int64_t poll_resume(const struct restart_block *b) { return poll_until(b->arg[0], b->arg[1], b->deadline, false); }

int64_t sys_poll(struct fw_uregs *r)
{
	int64_t ms = (int32_t)a2(r);
	return poll_until(a0(r), a1(r), deadline_ms(ms), ms == 0);
}

/* Run `fn`-style waits with a temporary signal mask (ppoll, pselect6). */
static int swap_mask(uint64_t umask, uint64_t size, uint64_t *saved, bool *swapped)
{
	*swapped = false;
	if (!umask)
		return 0;
	if (size != 8)
		return -EINVAL;
	uint64_t m;
	if (fw_copy_from_user(&m, fw_uaddr(umask)))
		return -EFAULT;
	struct thread *t = cur_thread();
	*saved = t->sig_mask;
	t->sig_mask = m & ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	*swapped = true;
	return 0;
}

/* After the wait: an interrupted call keeps the temporary mask until the
 * signal is delivered (its handler runs under it), then the old one comes
 * back; any other result restores it now (Linux
 * restore_saved_sigmask_unless). */
static void restore_mask(uint64_t saved, bool swapped, bool interrupted)
{
	if (!swapped)
		return;
	if (interrupted)
		signal_restore_mask_later(saved);
	else
		cur_thread()->sig_mask = saved;
	fw_task_want_return_upcall();
}

/* select, pselect6 and ppoll write the time left back into the caller's
 * timeout (not for a zero timeout). A timeout that cannot be written back
 * cannot be restarted: -ERESTARTNOHAND becomes -EINTR. */
static int64_t finish_timeout(uint64_t uaddr, uint64_t deadline, bool zero, bool timeval, int64_t ret)
{
	if (!uaddr || zero || !deadline)
		return ret;
	if (cur_proc()->personality & 0x4000000) /* STICKY_TIMEOUTS: left alone, so not restartable */
		return ret == -ERESTARTNOHAND ? -EINTR : ret;
	uint64_t now = fw_time_monotonic_ns(), left = deadline > now + 1 ? deadline - now - 1 : 0;
	int e;
	if (timeval) {
		struct linux_timeval tv = {(int64_t)(left / 1000000000ULL), (int64_t)(left % 1000000000ULL / 1000)};
		e = fw_copy_to_user(fw_uaddr(uaddr), &tv);
	} else {
		struct linux_timespec ts = {(int64_t)(left / 1000000000ULL), (int64_t)(left % 1000000000ULL)};
		e = fw_copy_to_user(fw_uaddr(uaddr), &ts);
	}
	if (e && ret == -ERESTARTNOHAND)
		return -EINTR;
	return ret;
}

int64_t sys_ppoll(struct fw_uregs *r)
{
	uint64_t deadline, saved = 0;
	bool zero, swapped;
	int e = deadline_ts(a2(r), &deadline, &zero);
	if (e == 0)
		e = swap_mask(a3(r), a4(r), &saved, &swapped);
	if (e)
		return e;
	int64_t ret = do_poll(a0(r), a1(r), deadline, zero);
	if (ret == -ERESTARTSYS)
		ret = -ERESTARTNOHAND;
	restore_mask(saved, swapped, ret == -ERESTARTNOHAND);
	return finish_timeout(a2(r), deadline, zero, false, ret);
}

/* select: three fd sets in, three out. */
struct sel_sets {
	struct linux_fdset in[3], out[3];
};

/* One pass over the sets, a word (64 descriptors) at a time: only the
 * descriptors named in some set are looked at, and the descriptor table
 * is found once per pass (file_poll never changes it). */
static int64_t scan_sets(struct sel_sets *s, uint64_t nfds, const bool (*present)[3], struct poll_table *pt)
{
	const uint32_t masks[3] = {POLLIN | POLLRDNORM | POLLHUP | POLLERR, POLLOUT | POLLWRNORM | POLLERR, POLLPRI};
	struct fdtable *tp = fdtable_get(cur_proc()->files);
	int64_t ready = 0;
	for (uint32_t k = 0; k < 3; k++)
		s->out[k] = (struct linux_fdset){0};
	if (!tp)
		return -EBADF;
	for (uint64_t w = 0; w < 16 && w * 64 < nfds; w++) {
		uint64_t in[3], any = 0;
		for (uint32_t k = 0; k < 3; k++) {
			in[k] = (*present)[k] ? s->in[k].bits[w] : 0;
			any |= in[k];
		}
		if (nfds - w * 64 < 64)
			any &= (1ULL << (nfds - w * 64)) - 1;
		for (uint64_t b = 0; any; b++, any >>= 1) {
			if (!(any & 1))
				continue;
			uint64_t fd = w * 64 + b, bit = 1ULL << b;
			if (fd >= FD_MAX)
				return -EBADF;
			/* file_poll finds the file (POLLNVAL if there is none):
			 * only then is the descriptor checked on its own. An
			 * O_PATH descriptor is open but never ready (file_poll
			 * gives 0). */
			uint32_t m = file_poll(tp->fd[fd], pt);
			if ((m & POLLNVAL) && !file_ref_valid(tp->fd[fd]))
				return -EBADF;
			for (uint32_t k = 0; k < 3; k++) {
				if ((in[k] & bit) && (m & masks[k])) {
					s->out[k].bits[w] |= bit;
					ready++;
				}
			}
		}
	}
	return ready;
}

static int64_t select_loop(struct sel_sets *s, uint64_t nfds, const bool (*present)[3], uint64_t deadline, bool zero,
			   struct poll_table *pt)
{
	for (;;) {
		uint64_t seen = wq_gen(pt->self);
		int64_t n = scan_sets(s, nfds, present, pt);
		int e = poller_scanned(pt);
		if (n < 0 || e)
			return n < 0 ? n : e;
		if (n > 0 || zero)
			return n;
		if (wq_gen(pt->self) != seen)
			continue;
		int w = wait_change(pt->self, deadline);
		if (w < 0)
			return -ERESTARTSYS;
		if (w > 0)
			return 0; /* the last scan found nothing: the out sets are empty */
	}
}

static int64_t do_select(uint64_t nfds, const uint64_t (*u)[3], uint64_t deadline, bool zero)
{
	if (nfds > 1024)
		return -EINVAL;
	struct sel_sets s = {0};
	bool present[3];
	uint64_t bytes = (nfds + 63) / 64 * 8;
	for (uint32_t k = 0; k < 3; k++) {
		present[k] = (*u)[k] != 0;
		struct linux_fdset tmp = {0};
		if (present[k] && fw_copy_from_user_n(&tmp, fw_uaddr((*u)[k]), bytes))
			return -EFAULT;
		s.in[k] = tmp;
	}
	struct poll_table pt;
	int64_t n = poller_start(&pt, zero);
	if (n)
		return n;
	n = select_loop(&s, nfds, &present, deadline, zero, &pt);
	poller_end(&pt);
	for (uint32_t k = 0; n >= 0 && k < 3; k++) {
		struct linux_fdset tmp = s.out[k];
		if (present[k] && fw_copy_to_user_n(fw_uaddr((*u)[k]), &tmp, bytes))
			return -EFAULT;
	}
	return n;
}

int64_t sys_select(struct fw_uregs *r)
{
	uint64_t deadline = 0;
	bool zero = false;
	if (a4(r)) {
		struct linux_timeval tv;
		if (fw_copy_from_user(&tv, fw_uaddr(a4(r))))
			return -EFAULT;
		/* Linux folds whole seconds of tv_usec into tv_sec. */
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		uint64_t sec = (uint64_t)tv.tv_sec + (uint64_t)tv.tv_usec / 1000000;
		uint64_t ns = sec > 1000000000000ULL ? UINT64_MAX / 2 : sec * 1000000000ULL + (uint64_t)tv.tv_usec % 1000000 * 1000ULL;
		zero = ns == 0;
		deadline = fw_time_monotonic_ns() + ns + 1;
	}
	uint64_t u[3] = {a1(r), a2(r), a3(r)};
	int64_t ret = do_select(a0(r), &u, deadline, zero);
	if (ret == -ERESTARTSYS)
		ret = -ERESTARTNOHAND;
	return finish_timeout(a4(r), deadline, zero, true, ret);
}

int64_t sys_pselect6(struct fw_uregs *r)
{
	uint64_t deadline, saved = 0;
	bool zero, swapped = false;
	int e = deadline_ts(a4(r), &deadline, &zero);
	if (e)
		return e;
	if (a5(r)) {
		uint64_t sm[2];
		if (fw_copy_from_user(&sm, fw_uaddr(a5(r))))
			return -EFAULT;
		e = swap_mask(sm[0], sm[1], &saved, &swapped);
		if (e)
			return e;
	}
	uint64_t u[3] = {a1(r), a2(r), a3(r)};
	int64_t ret = do_select(a0(r), &u, deadline, zero);
	if (ret == -ERESTARTSYS)
		ret = -ERESTARTNOHAND;
	restore_mask(saved, swapped, ret == -ERESTARTNOHAND);
	return finish_timeout(a4(r), deadline, zero, false, ret);
}

/* A new evobj file installed as a descriptor. */
static int64_t install_obj(struct file_ref f, uint64_t flags)
{
	int fd = fd_install(cur_proc()->files, f, 0, (flags & O_CLOEXEC) != 0);
	if (fd < 0)
		file_drop(f);
	return fd;
}

static int64_t epoll_new(uint64_t flags)
{
	if (flags & ~(uint64_t)O_CLOEXEC)
		return -EINVAL;
	struct file_ref f;
	struct evobj_ref o;
	int e = evobj_create(EV_EPOLL, 0, &f, &o);
	return e ? e : install_obj(f, flags);
}

int64_t sys_epoll_create(struct fw_uregs *r) { return (int32_t)a0(r) <= 0 ? -EINVAL : epoll_new(0); }
int64_t sys_epoll_create1(struct fw_uregs *r) { return epoll_new(a0(r)); }

static int get_evobj(int64_t fd, uint32_t type, struct evobj_ref *out)
{
	struct file_ref f;
	int e = fd_get_io(fd, &f);
	return e ? e : evobj_of_file(f, type, out);
}

int64_t sys_epoll_ctl(struct fw_uregs *r)
{
	struct evobj_ref ep;
	int e = get_evobj((int32_t)a0(r), EV_EPOLL, &ep);
	if (e)
		return e;
	struct file_ref target;
	e = fd_get_io((int32_t)a2(r), &target);
	if (e)
		return e;
	struct evobj_ref self;
	bool nested = evobj_of_file(target, EV_EPOLL, &self) == 0;
	if (nested && self.idx == ep.idx && self.gen == ep.gen)
		return -EINVAL;
	if (!file_can_poll(target))
		return -EPERM;
	struct linux_epoll_event ev = {0};
	int op = (int)a1(r);
	if (op != EPOLL_CTL_DEL && fw_copy_from_user(&ev, fw_uaddr(a3(r))))
		return -EFAULT;
	/* EPOLLEXCLUSIVE: only when adding, not for an epoll file, and only
	 * with IN, OUT, ERR, HUP, WAKEUP and ET besides (Linux's rule) */
	if (op != EPOLL_CTL_DEL && (ev.events & EPOLLEXCLUSIVE)) {
		uint32_t ok = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
		if (op == EPOLL_CTL_MOD || (op == EPOLL_CTL_ADD && (nested || (ev.events & ~ok))))
			return -EINVAL;
	}
	if (nested && op == EPOLL_CTL_ADD) {
		e = epoll_nest_check(ep, self);
		if (e)
			return e;
	}
	return epoll_ctl_do(ep, op, (int32_t)a2(r), target, ev.events, ((uint64_t)ev.data_hi << 32) | ev.data_lo);
}

/* deadline 0: none; zero: just look. */
static int64_t epoll_wait_until(int64_t epfd, uint64_t uev, int64_t max, uint64_t deadline, bool zero)
{
	struct evobj_ref ep;
	int e = get_evobj(epfd, EV_EPOLL, &ep);
	if (e)
		return e;
	if (max <= 0 || max > 1 << 20)
		return -EINVAL;
	for (;;) {
		int64_t n = epoll_collect(ep, uev, (uint32_t)max);
		if (n != 0 || zero)
			return n;
		struct evobj *o = evobj_get(ep);
		if (!o)
			return -EBADF;
		int w = wait_change(o->wq, deadline);
		if (w < 0)
			return -EINTR; /* epoll_wait is never restarted */
		if (w > 0)
			return epoll_collect(ep, uev, (uint32_t)max);
	}
}

static int64_t do_epoll_wait(int64_t epfd, uint64_t uev, int64_t max, int64_t ms)
{
	return epoll_wait_until(epfd, uev, max, deadline_ms(ms), ms == 0);
}

int64_t sys_epoll_wait(struct fw_uregs *r) { return do_epoll_wait((int32_t)a0(r), a1(r), (int32_t)a2(r), (int32_t)a3(r)); }

/* epoll_pwait2: the timeout is a timespec (NULL: none). */
int64_t sys_epoll_pwait2(struct fw_uregs *r)
{
	uint64_t deadline, saved = 0;
	bool zero, swapped;
	int e = deadline_ts(a3(r), &deadline, &zero);
	if (e)
		return e;
	e = swap_mask(a4(r), a5(r), &saved, &swapped);
	if (e)
		return e;
	int64_t ret = epoll_wait_until((int32_t)a0(r), a1(r), (int32_t)a2(r), deadline, zero);
	restore_mask(saved, swapped, ret == -EINTR);
	return ret;
}

int64_t sys_epoll_pwait(struct fw_uregs *r)
{
	uint64_t saved = 0;
	bool swapped;
	int e = swap_mask(a4(r), a5(r), &saved, &swapped);
	if (e)
		return e;
	int64_t ret = do_epoll_wait((int32_t)a0(r), a1(r), (int32_t)a2(r), (int32_t)a3(r));
	restore_mask(saved, swapped, ret == -EINTR);
	return ret;
}

static int64_t eventfd_new(uint64_t initval, uint64_t flags)
{
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	struct file_ref f;
	struct evobj_ref obj;
	int e = evobj_create(EV_EVENTFD, (uint32_t)flags, &f, &obj);
	if (e)
		return e;
	struct evobj *o = evobj_get(obj);
	o->type = EV_EVENTFD;
	o->count = (uint32_t)initval;
	o->flags = (uint32_t)flags & EFD_SEMAPHORE;
	return install_obj(f, flags);
}

int64_t sys_eventfd(struct fw_uregs *r) { return eventfd_new(a0(r), 0); }
int64_t sys_eventfd2(struct fw_uregs *r) { return eventfd_new(a0(r), a1(r)); }

int64_t sys_timerfd_create(struct fw_uregs *r)
{
	uint64_t clk = a0(r), flags = a1(r);
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME)
		return -EINVAL;
	struct file_ref f;
	struct evobj_ref obj;
	int e = evobj_create(EV_TIMERFD, (uint32_t)flags, &f, &obj);
	if (e)
		return e;
	e = timerfd_init(obj, (uint32_t)clk);
	if (e) {
		file_drop(f);
		return e;
	}
	return install_obj(f, flags);
}

int64_t sys_timerfd_settime(struct fw_uregs *r)
{
	struct evobj_ref o;
	int e = get_evobj((int32_t)a0(r), EV_TIMERFD, &o);
	if (e)
		return e;
	if (a1(r) & ~(uint64_t)(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET))
		return -EINVAL;
	struct linux_itimerspec nv, old;
	if (fw_copy_from_user(&nv, fw_uaddr(a2(r))))
		return -EFAULT;
	e = timerfd_settime_do(o, (uint32_t)a1(r), &nv, &old);
	if (e == 0 && a3(r) && fw_copy_to_user(fw_uaddr(a3(r)), &old))
		return -EFAULT;
	return e;
}

int64_t sys_timerfd_gettime(struct fw_uregs *r)
{
	struct evobj_ref o;
	int e = get_evobj((int32_t)a0(r), EV_TIMERFD, &o);
	if (e)
		return e;
	struct linux_itimerspec cur;
	timerfd_gettime_do(o, &cur);
	return fw_copy_to_user(fw_uaddr(a1(r)), &cur) ? -EFAULT : 0;
}

static int64_t signalfd_do(int64_t fd, uint64_t umask, uint64_t size, uint64_t flags)
{
	if (flags & ~(uint64_t)(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	if (size != 8)
		return -EINVAL;
	uint64_t m;
	if (fw_copy_from_user(&m, fw_uaddr(umask)))
		return -EFAULT;
	m &= ~(sig_bit(SIGKILL) | sig_bit(SIGSTOP));
	if (fd != -1) {
		struct evobj_ref o;
		int e = get_evobj(fd, EV_SIGNALFD, &o);
		if (e)
			return e;
		evobj_get(o)->sigmask = m;
		wq_wake(evobj_get(o)->wq);
		return fd;
	}
	struct file_ref f;
	struct evobj_ref obj;
	int e = evobj_create(EV_SIGNALFD, (uint32_t)flags, &f, &obj);
	if (e)
		return e;
	struct evobj *o = evobj_get(obj);
	o->type = EV_SIGNALFD;
	o->sigmask = m;
	return install_obj(f, flags);
}

int64_t sys_signalfd(struct fw_uregs *r) { return signalfd_do((int32_t)a0(r), a1(r), a2(r), 0); }
int64_t sys_signalfd4(struct fw_uregs *r) { return signalfd_do((int32_t)a0(r), a1(r), a2(r), a3(r)); }
