/* timerfd: a framework timer whose callback counts expirations.
 * Layer: services (safe C). The callback runs in the framework's worker
 * task; its cookie is the evobj handle, so a timer that outlives its file
 * finds a stale handle and does nothing. */
#include "poll/poll.h"

static struct evobj_ref ref_of(uint64_t cookie)
{
	return (struct evobj_ref){(uint32_t)(cookie >> 32), (uint32_t)cookie};
}

static void fire(uint64_t cookie)
{
	struct evobj *o = evobj_get(ref_of(cookie));
	if (!o || o->type != EV_TIMERFD)
		return;
	o->count++;
	wq_wake(o->wq);
}

int timerfd_init(struct evobj_ref o, uint32_t clockid)
{
	struct evobj *op = evobj_get(o);
	op->type = EV_TIMERFD;
	op->clockid = clockid;
	uint64_t cookie = ((uint64_t)o.idx << 32) | o.gen;
	return fw_timer_create(fire, cookie, &op->timer) ? -ENOMEM : 0;
}

static uint64_t ts_ns(const struct linux_timespec *t) { return (uint64_t)t->tv_sec * 1000000000ULL + (uint64_t)t->tv_nsec; }

static void ns_ts(uint64_t ns, struct linux_timespec *t)
{
	t->tv_sec = (int64_t)(ns / 1000000000ULL);
	t->tv_nsec = (int64_t)(ns % 1000000000ULL);
}

static bool ts_ok(const struct linux_timespec *t) { return t->tv_sec >= 0 && t->tv_nsec >= 0 && t->tv_nsec < 1000000000; }

void timerfd_gettime_do(struct evobj_ref o, struct linux_itimerspec *cur)
{
	struct evobj *op = evobj_get(o);
	*cur = (struct linux_itimerspec){0};
	uint64_t rem = 0, period = 0;
	if (op && fw_timer_get(op->timer, &rem, &period) == 0) {
		ns_ts(rem, &cur->value);
		ns_ts(period, &cur->interval);
	}
}

int timerfd_settime_do(struct evobj_ref o, uint32_t flags, const struct linux_itimerspec *nv,
		       struct linux_itimerspec *old)
{
	/* An absolute time before the clock's epoch is simply in the past
	 * (Keel's monotonic clock starts at boot, so "now - 100 s" can be
	 * negative where a long-running Linux host's is not). */
	bool past = (flags & TFD_TIMER_ABSTIME) && nv->value.tv_sec < 0 && nv->value.tv_nsec >= 0 &&
		    nv->value.tv_nsec < 1000000000;
	if ((!past && !ts_ok(&nv->value)) || !ts_ok(&nv->interval))
		return -EINVAL;
	timerfd_gettime_do(o, old);
	struct evobj *op = evobj_get(o);
	if (!op)
		return -EBADF;
	uint64_t v = past ? 1 : ts_ns(&nv->value), now = fw_time_monotonic_ns();
	uint64_t deadline = 0;
	if (v) {
		if (flags & TFD_TIMER_ABSTIME) {
			/* An absolute realtime deadline, moved onto the monotonic clock. */
			if (op->clockid == CLOCK_REALTIME) {
				uint64_t rt = fw_time_realtime_ns();
				v = v > rt ? now + (v - rt) : now;
			}
			deadline = v > now ? v : now + 1;
		} else {
			deadline = now + v;
		}
	}
	op->count = 0;
	wq_wake(op->wq);
	return fw_timer_arm(op->timer, deadline, deadline ? ts_ns(&nv->interval) : 0);
}
