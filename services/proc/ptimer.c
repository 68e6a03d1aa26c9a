/* POSIX per-process timers (timer_create and friends) and the CPU-time
 * interval timers ITIMER_VIRTUAL and ITIMER_PROF. Layer: services (safe
 * C). Trusts the framework's timers (their callbacks run in the worker
 * task, in thread context) and proc/signal.c for queueing.
 *
 * A timer's expiry is absolute: monotonic ns for the wall clocks (a
 * CLOCK_REALTIME absolute time is converted when armed), CPU ns for the
 * CPU clocks. When it fires its signal is queued once (si_code SI_TIMER,
 * si_timerid, si_value); further expirations before the signal is taken
 * are overruns, counted when it is dequeued, where a periodic timer is
 * re-armed (Linux's deferred re-arm), so si_overrun and timer_getoverrun
 * say how many periods went unreported.
 *
 * CPU clocks advance only while the process runs, so they are checked on
 * its way back to user mode; while any is armed a 10 ms framework timer
 * keeps waking the worker, which makes a busy loop go through the kernel
 * (and be checked) at least that often. */
#include "proc/signal.h"
#include <fw/time.h>

#define SIGEV_SIGNAL 0
#define SIGEV_NONE 1
#define SIGEV_THREAD 2
#define SIGEV_THREAD_ID 4
#define SIGVTALRM 26
#define SIGPROF 27
#define CPU_POLL_NS 10000000ULL
#define TIMERS_MAX 4096 /* per process (Linux: RLIMIT_SIGPENDING-ish) */

struct ptimer {
	struct proc_ref owner;
	int32_t id;           /* per process, from 0 */
	uint32_t clock;
	int32_t notify;       /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD, SIGEV_THREAD_ID */
	int32_t signo;
	uint64_t value;       /* sigev_value */
	int32_t tid;          /* SIGEV_THREAD_ID */
	struct fw_timer_ref timer; /* wall clocks */
	bool armed;
	bool queued;          /* its signal is pending, not yet taken */
	uint64_t expiry;      /* monotonic ns, or CPU ns for CPU clocks */
	uint64_t interval;
	uint32_t overrun_last;
	uint64_t early_overrun; /* periods that ended before boot (an absolute start far in the past) */
	struct ptimer_ref next;
};
FW_POOL_PRIVATE(ptimer, struct ptimer);

struct cpu_poll {
	struct fw_timer_ref t;
	uint32_t armed; /* CPU timers armed in all processes */
};
FW_GLOBAL(struct cpu_poll, cpu_poll);

static bool cpu_clock(uint32_t c) { return c == CLOCK_PROCESS_CPUTIME_ID || c == CLOCK_THREAD_CPUTIME_ID; }

static uint64_t cookie_of(struct ptimer_ref r) { return ((uint64_t)r.idx << 32) | r.gen; }
static struct ptimer_ref ref_of(uint64_t c) { return (struct ptimer_ref){(uint32_t)(c >> 32), (uint32_t)c}; }

static void poll_fire(uint64_t cookie) { (void)cookie; } /* waking the worker is the point */

/* Keep the 10 ms poll running while some CPU timer is armed. */
static void cpu_armed_delta(int d)
{
	struct cpu_poll *c = cpu_poll();
	if (d < 0 && c->armed == 0)
		return;
	c->armed = (uint32_t)((int32_t)c->armed + d);
	/* the arming thread checks on its way out, then keeps asking while
	 * its process has a CPU timer armed (cpu_timers_check) */
	if (d > 0)
		fw_task_want_return_upcall();
	if (!c->t.gen && fw_timer_create(poll_fire, 0, &c->t))
		return;
	(void)fw_timer_arm(c->t, c->armed ? fw_time_monotonic_ns() + CPU_POLL_NS : 0, c->armed ? CPU_POLL_NS : 0);
}

/* The CPU time a CPU clock of process p (thread t) has now. */
static uint64_t cpu_now(uint32_t clock, const struct proc *p, const struct thread *t)
{
	if (clock == CLOCK_THREAD_CPUTIME_ID)
		return t ? t->cpu_user_ns + t->cpu_sys_ns : 0;
	return p->user_ns + p->sys_ns;
}

static struct ptimer *find(struct proc *p, int32_t id, struct ptimer_ref *out)
{
	for (struct ptimer_ref c = p->timers; ptimer_ref_valid(c); c = ptimer_get(c)->next) {
		struct ptimer *t = ptimer_get(c);
		if (t->id == id) {
			if (out)
				*out = c;
			return t;
		}
	}
	return NULL;
}

static void arm_wall(struct ptimer *t)
{
	(void)fw_timer_arm(t->timer, t->armed ? FW_MAX(t->expiry, 1ULL) : 0, 0);
}

/* The CPU time or monotonic time the timer's clock shows now, for a
 * timer of the current process. */
static uint64_t clock_now(const struct ptimer *t, const struct proc *p)
{
	return cpu_clock(t->clock) ? cpu_now(t->clock, p, cur_thread()) : fw_time_monotonic_ns();
}

/* Advance past an expiry: periodic timers to the next period after now
 * (returning the periods missed), one-shot timers disarm. */
static uint64_t advance(struct ptimer *t, uint64_t now)
{
	uint64_t overrun = 0;
	if (t->armed && t->interval) {
		if (now > t->expiry)
			overrun = (now - t->expiry) / t->interval;
		t->expiry += (overrun + 1) * t->interval;
		if (!cpu_clock(t->clock))
			arm_wall(t);
	} else if (t->armed) {
		t->armed = false;
		if (cpu_clock(t->clock))
			cpu_armed_delta(-1);
	}
	return overrun;
}

static void expired_untaken(struct ptimer_ref r)
{
	struct ptimer *t = ptimer_get(r);
	struct proc *p = proc_get(t->owner);
	uint64_t now = cpu_clock(t->clock) && p ? cpu_now(t->clock, p, NULL) : fw_time_monotonic_ns();
	(void)advance(t, now);
}

/* Queue the timer's signal (once) or count an overrun. */
static void fire(struct ptimer_ref r)
{
	struct ptimer *t = ptimer_get(r);
	if (!t || !t->armed)
		return;
	if (t->notify == SIGEV_NONE) {
		if (!t->interval)
			t->armed = false;
		return;
	}
	if (t->queued)
		return; /* counted as overruns when it is taken */
	struct sig_info_k info = {SI_TIMER, t->id, 0, 0, t->value, 0};
	int sig = t->signo;
	struct proc_ref owner = t->owner;
	struct thread_ref target = t->notify == SIGEV_THREAD_ID ? pid_lookup(t->tid) : (struct thread_ref){0};
	if (signal_cannot_queue(owner, target, sig)) {
		/* ignored, or a standard signal already pending: nothing will
		 * take this expiry; move on to the next period */
		expired_untaken(r);
		return;
	}
	t->queued = true;
	if (thread_ref_valid(target))
		(void)signal_send_thread_info(target, sig, &info);
	else
		(void)signal_send_proc_info(owner, sig, &info);
}

static void wall_fire(uint64_t cookie) { fire(ref_of(cookie)); }

bool ptimer_dequeued(struct sig_info_k *info)
{
	struct proc *p = cur_proc();
	struct ptimer_ref r;
	struct ptimer *t = p ? find(p, info->pid, &r) : NULL;
	if (!t)
		return false; /* deleted since: the signal goes with it */
	t->queued = false;
	uint64_t overrun = advance(t, clock_now(t, p));
	overrun += t->early_overrun;
	t->early_overrun = 0;
	t->overrun_last = (uint32_t)FW_MIN(overrun, (uint64_t)INT32_MAX);
	info->uid = t->overrun_last;
	return true;
}

int ptimer_create(uint32_t clock, int32_t notify, int32_t signo, uint64_t value, int32_t tid, int32_t *id)
{
	struct proc *p = cur_proc();
	if (p->ntimers >= TIMERS_MAX)
		return -EAGAIN;
	struct ptimer_ref r;
	if (ptimer_alloc(&r))
		return -EAGAIN;
	struct ptimer *t = ptimer_get(r);
	if (!cpu_clock(clock) && fw_timer_create(wall_fire, cookie_of(r), &t->timer)) {
		ptimer_free(r);
		return -EAGAIN;
	}
	p = cur_proc();
	t = ptimer_get(r);
	/* ids start at 0 and count up, skipping ones in use */
	int32_t nid = p->next_timer_id;
	while (find(p, nid, NULL))
		nid = nid == INT32_MAX ? 0 : nid + 1;
	p->next_timer_id = nid == INT32_MAX ? 0 : nid + 1;
	t = ptimer_get(r);
	t->owner = cur_proc_ref();
	t->id = nid;
	t->clock = clock;
	t->notify = notify;
	t->signo = signo;
	t->value = notify == -1 ? (uint64_t)nid : value;
	if (notify == -1) /* no sigevent: SIGEV_SIGNAL, SIGALRM, the id as value */
		t->notify = SIGEV_SIGNAL;
	t->tid = tid;
	t->next = p->timers;
	p->timers = r;
	p->ntimers++;
	*id = nid;
	return 0;
}

/* Remaining time and interval of t now. */
static void remaining(struct ptimer *t, struct proc *p, uint64_t *left, uint64_t *interval)
{
	*interval = t->interval;
	*left = 0;
	if (!t->armed)
		return;
	uint64_t now = clock_now(t, p);
	uint64_t exp = t->expiry;
	if (now >= exp && t->interval)
		exp += ((now - exp) / t->interval + 1) * t->interval; /* the next period */
	*left = exp > now ? exp - now : 1; /* an expired, unreported one-shot: Linux says 1 ns */
	if (!t->interval && now >= t->expiry)
		*left = 0;
}

int ptimer_gettime(int32_t id, uint64_t *left, uint64_t *interval)
{
	proc_account_cpu();
	struct proc *p = cur_proc();
	struct ptimer *t = find(p, id, NULL);
	if (!t)
		return -EINVAL;
	remaining(t, p, left, interval);
	return 0;
}

int ptimer_settime(int32_t id, bool abs, uint64_t value, uint64_t interval, uint64_t *old_left,
		   uint64_t *old_interval)
{
	proc_account_cpu();
	struct proc *p = cur_proc();
	struct ptimer_ref r;
	struct ptimer *t = find(p, id, &r);
	if (!t)
		return -EINVAL;
	remaining(t, p, old_left, old_interval);
	bool was_cpu_armed = cpu_clock(t->clock) && t->armed;
	t->armed = value != 0;
	t->interval = value ? interval : 0;
	t->queued = false;
	t->overrun_last = 0;
	if (t->armed) {
		if (cpu_clock(t->clock)) {
			uint64_t now = cpu_now(t->clock, p, cur_thread());
			t->expiry = abs ? value : now + value;
		} else if (abs && (t->clock == CLOCK_REALTIME || t->clock == CLOCK_REALTIME_ALARM || t->clock == CLOCK_TAI)) {
			uint64_t rt = fw_time_realtime_ns(), mono = fw_time_monotonic_ns();
			uint64_t lag = value < rt ? rt - value : 0;
			t->early_overrun = 0;
			if (value >= rt) {
				t->expiry = mono + (value - rt);
			} else if (lag <= mono) {
				t->expiry = mono - lag; /* in the past: the periods since count as overruns */
			} else if (interval && (lag - mono) / interval + 1 <= lag / interval) {
				/* before boot: whole periods up to then are overruns already */
				uint64_t skip = (lag - mono) / interval + 1;
				t->early_overrun = skip;
				t->expiry = mono - (lag - skip * interval);
			} else {
				t->expiry = 0;
			}
		} else {
			t->expiry = abs ? value : fw_time_monotonic_ns() + value;
		}
	}
	if (cpu_clock(t->clock)) {
		if (t->armed != was_cpu_armed)
			cpu_armed_delta(t->armed ? 1 : -1);
	} else {
		arm_wall(t);
	}
	return 0;
}

int ptimer_getoverrun(int32_t id)
{
	struct ptimer *t = find(cur_proc(), id, NULL);
	return t ? (int)t->overrun_last : -EINVAL;
}

static void destroy(struct proc *p, struct ptimer_ref r)
{
	struct ptimer *t = ptimer_get(r);
	/* A pending signal of the timer stays pending (sigpending shows it)
	 * and is dropped when taken (signal_dequeue asks ptimer_dequeued), as
	 * Linux 6.x does. */
	if (cpu_clock(t->clock) && t->armed)
		cpu_armed_delta(-1);
	if (!cpu_clock(t->clock))
		fw_timer_destroy(t->timer);
	struct ptimer_ref prev = {0};
	for (struct ptimer_ref c = p->timers; ptimer_ref_valid(c); c = ptimer_get(c)->next) {
		if (c.idx == r.idx && c.gen == r.gen) {
			struct ptimer_ref next = ptimer_get(c)->next;
			if (ptimer_ref_valid(prev))
				ptimer_get(prev)->next = next;
			else
				p->timers = next;
			break;
		}
		prev = c;
	}
	ptimer_free(r);
	if (p->ntimers)
		p->ntimers--;
}

int ptimer_delete(int32_t id)
{
	struct proc *p = cur_proc();
	struct ptimer_ref r;
	if (!find(p, id, &r))
		return -EINVAL;
	destroy(p, r);
	return 0;
}

void ptimer_delete_all(struct proc *p, bool itimers_too)
{
	while (ptimer_ref_valid(p->timers))
		destroy(p, p->timers);
	for (uint32_t i = 0; itimers_too && i < 2; i++) {
		if (p->cpu_itimer[i].expiry)
			cpu_armed_delta(-1);
		p->cpu_itimer[i].expiry = 0;
		p->cpu_itimer[i].interval = 0;
	}
	if (itimers_too && p->cpu_rlimit_armed) {
		p->cpu_rlimit_armed = false;
		cpu_armed_delta(-1);
	}
}

/* --- RLIMIT_CPU --------------------------------------------------------- */
#define RLIM_INF UINT64_MAX
#define SIGXCPU 24
#define NS_PER_S 1000000000ULL

void cpu_rlimit_update(struct proc *p)
{
	bool want = (p->rlim_set & 1) && p->rlim[0].cur != RLIM_INF;
	if (want == p->cpu_rlimit_armed)
		return;
	p->cpu_rlimit_armed = want;
	cpu_armed_delta(want ? 1 : -1);
}

static bool past(uint64_t now, uint64_t seconds) { return seconds < RLIM_INF / NS_PER_S && now >= seconds * NS_PER_S; }

/* Linux's rule: SIGKILL at the hard limit; SIGXCPU at the soft one, which
 * then moves up a second, so the signal comes again every CPU second.
 * True when the process was killed. */
static bool cpu_rlimit_check(struct proc *p)
{
	uint64_t now = p->user_ns + p->sys_ns;
	struct linux_rlimit l = p->rlim[0];
	if (l.max != RLIM_INF && past(now, l.max)) {
		(void)signal_send_proc(cur_proc_ref(), SIGKILL);
		return true;
	}
	if (past(now, l.cur)) {
		p->rlim[0].cur = l.cur + 1;
		struct sig_info_k info = {SI_KERNEL, 0, 0, 0, 0, 0};
		(void)signal_send_proc_info(cur_proc_ref(), SIGXCPU, &info);
	}
	return false;
}

/* --- ITIMER_VIRTUAL (user time) and ITIMER_PROF (user + system) -------- */
static uint64_t itimer_now(const struct proc *p, uint32_t which) { return which == 0 ? p->user_ns : p->user_ns + p->sys_ns; }

void cpu_itimer_get(uint32_t which, uint64_t *left, uint64_t *interval)
{
	proc_account_cpu();
	struct proc *p = cur_proc();
	uint32_t i = which & 1;
	uint64_t now = itimer_now(p, i), exp = p->cpu_itimer[i].expiry;
	*interval = p->cpu_itimer[i].interval;
	*left = exp ? (exp > now ? exp - now : 1) : 0;
}

void cpu_itimer_set(uint32_t which, uint64_t value, uint64_t interval)
{
	proc_account_cpu();
	struct proc *p = cur_proc();
	uint32_t i = which & 1;
	bool was = p->cpu_itimer[i].expiry != 0;
	p->cpu_itimer[i].expiry = value ? itimer_now(p, i) + value : 0;
	p->cpu_itimer[i].interval = value ? interval : 0;
	if (was != (value != 0))
		cpu_armed_delta(value ? 1 : -1);
}

static bool cpu_armed_in(const struct proc *p)
{
	if (p->cpu_itimer[0].expiry || p->cpu_itimer[1].expiry || p->cpu_rlimit_armed)
		return true;
	for (struct ptimer_ref c = p->timers; ptimer_ref_valid(c); c = ptimer_get(c)->next) {
		const struct ptimer *t = ptimer_get(c);
		if (t && cpu_clock(t->clock) && t->armed)
			return true;
	}
	return false;
}

void cpu_timers_check(struct proc *p)
{
	if (!cpu_poll()->armed || !p)
		return;
	proc_account_cpu();
	p = cur_proc();
	for (uint32_t i = 0; i < 2; i++) {
		uint64_t exp = p->cpu_itimer[i].expiry;
		if (!exp || itimer_now(p, i) < exp)
			continue;
		if (p->cpu_itimer[i].interval) {
			p->cpu_itimer[i].expiry = exp + p->cpu_itimer[i].interval;
		} else {
			p->cpu_itimer[i].expiry = 0;
			cpu_armed_delta(-1);
		}
		struct sig_info_k info = {SI_KERNEL, 0, 0, 0, 0, 0};
		(void)signal_send_proc_info(cur_proc_ref(), i == 0 ? SIGVTALRM : SIGPROF, &info);
		p = cur_proc();
	}
	if (p->cpu_rlimit_armed && cpu_rlimit_check(p))
		return;
	p = cur_proc();
	struct thread *me = cur_thread();
	for (struct ptimer_ref c = p->timers; ptimer_ref_valid(c);) {
		struct ptimer *t = ptimer_get(c);
		struct ptimer_ref next = t->next;
		if (cpu_clock(t->clock) && t->armed && !t->queued && cpu_now(t->clock, p, me) >= t->expiry)
			fire(c);
		c = next;
		p = cur_proc();
	}
	/* Returns run the return upcall only when asked (perf's return_work):
	 * while this process has a CPU timer armed, ask for the next return
	 * too, so a busy loop sees its timer at the next tick. Threads that
	 * never armed one check once some return of theirs is asked for. */
	if (p && cpu_armed_in(p))
		fw_task_want_return_upcall();
}
