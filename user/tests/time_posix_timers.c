/* time_posix_timers: timer_create(2) and friends (SIGEV_SIGNAL, SIGEV_NONE,
 * SIGEV_THREAD_ID, the default sigevent, absolute times, CPU-time clocks,
 * overruns, deletion with a pending signal, fork and exec) and the
 * CPU-time interval timers ITIMER_VIRTUAL and ITIMER_PROF. Times only
 * order events; checks are relations (> 0, <= the value set). */
#include "t.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

/* Raw calls: the C libraries wrap SIGEV_THREAD and ids differently. The
 * kernel's sigevent (the C libraries name the thread id differently). */
struct ksigevent {
	union sigval sigev_value;
	int sigev_signo, sigev_notify;
	int tid;
	int pad[11];
};
static long tcreate(clockid_t c, struct ksigevent *ev, int *id) { return syscall(SYS_timer_create, c, ev, id); }
static long tset(int id, int flags, const struct itimerspec *n, struct itimerspec *o)
{
	return syscall(SYS_timer_settime, id, flags, n, o);
}
static long tget(int id, struct itimerspec *c) { return syscall(SYS_timer_gettime, id, c); }
static long tdel(int id) { return syscall(SYS_timer_delete, id); }
static long tover(int id) { return syscall(SYS_timer_getoverrun, id); }

static struct itimerspec its(long vs, long vns, long is, long ins)
{
	struct itimerspec t = {{is, ins}, {vs, vns}};
	return t;
}

static volatile int got_sig, got_code, got_id, got_val;
static void on_info(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = s;
	got_code = si->si_code;
	got_id = si->si_timerid;
	got_val = si->si_value.sival_int;
}

static volatile int vt, pr;
static void on_vt(int s) { (void)s; vt++; }
static void on_prof(int s) { (void)s; pr++; }

static void basics(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGALRM, &sa, NULL);
	int id = -1;
	const char *r = rc(tcreate(CLOCK_MONOTONIC, NULL, &id));
	SAY("default sigevent: %s, first id is 0: %s\n", r, id == 0 ? "yes" : "no");
	struct itimerspec t = its(0, 50000000, 0, 0);
	SAY("arm 50 ms: %s\n", rc(tset(id, 0, &t, NULL)));
	struct itimerspec cur;
	tget(id, &cur);
	SAY("gettime: armed %s, <= 50 ms %s, interval 0 %s\n", cur.it_value.tv_nsec > 0 ? "yes" : "no",
	    cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 50000000 ? "yes" : "no",
	    cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 0 ? "yes" : "no");
	while (!got_sig)
		pause();
	SAY("SIGALRM: code SI_TIMER %s, si_timerid is the id %s, value is the id %s\n", got_code == SI_TIMER ? "yes" : "no",
	    got_id == id ? "yes" : "no", got_val == id ? "yes" : "no");
	tget(id, &cur);
	SAY("after it fired: value %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
	SAY("delete: %s", rc(tdel(id)));
	SAY(", again: %s\n", rc(tdel(id)));
	signal(SIGALRM, SIG_DFL);
}

static void queued_signals(void)
{
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigaddset(&rt, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	struct ksigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
	ev.sigev_value.sival_int = 42;
	int id;
	tcreate(CLOCK_MONOTONIC, &ev, &id);
	/* every 50 ms: the next expiry must not come between the two dequeues
	 * below even on a loaded host */
	struct itimerspec t = its(0, 50000000, 0, 50000000);
	tset(id, 0, &t, NULL);
	usleep(525000);
	siginfo_t si;
	int s = sigwaitinfo(&rt, &si);
	int ov = si.si_overrun;
	SAY("periodic, blocked for ~10 periods: signal %s, value %d, overruns > 3: %s, getoverrun agrees: %s\n",
	    s == SIGRTMIN ? "SIGRTMIN" : "other", si.si_value.sival_int, ov > 3 ? "yes" : "no",
	    tover(id) == ov ? "yes" : "no");
	struct timespec zero = {0, 0};
	s = sigtimedwait(&rt, &si, &zero);
	SAY("only one signal was queued: %s\n", s == -1 && errno == EAGAIN ? "yes" : "no");
	usleep(30000);
	s = sigwaitinfo(&rt, &si);
	SAY("it keeps running: %s\n", s == SIGRTMIN ? "yes" : "no");
	struct itimerspec old;
	t = its(0, 0, 0, 0);
	tset(id, 0, &t, &old);
	SAY("disarm returns the old interval: %ld ns\n", old.it_interval.tv_nsec);
	tdel(id);

	/* a deleted timer's pending signal still shows in sigpending (Linux
	 * drops it when it would be delivered) */
	ev.sigev_signo = SIGRTMIN + 1;
	tcreate(CLOCK_MONOTONIC, &ev, &id);
	t = its(0, 5000000, 0, 0);
	tset(id, 0, &t, NULL);
	usleep(50000);
	sigset_t p;
	sigpending(&p);
	SAY("pending before delete: %s", sigismember(&p, SIGRTMIN + 1) ? "yes" : "no");
	tdel(id);
	sigpending(&p);
	SAY(", after: %s\n", sigismember(&p, SIGRTMIN + 1) ? "yes" : "no");

	/* SIGEV_THREAD_ID to this thread, absolute CLOCK_REALTIME */
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN;
	ev.tid = (int)syscall(SYS_gettid);
	SAY("SIGEV_THREAD_ID to myself: %s\n", rc(tcreate(CLOCK_REALTIME, &ev, &id)));
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	now.tv_nsec += 30000000;
	if (now.tv_nsec >= 1000000000) {
		now.tv_sec++;
		now.tv_nsec -= 1000000000;
	}
	t = (struct itimerspec){{0, 0}, now};
	SAY("TIMER_ABSTIME: %s\n", rc(tset(id, TIMER_ABSTIME, &t, NULL)));
	s = sigwaitinfo(&rt, &si);
	SAY("fired: %s, code SI_TIMER %s\n", s == SIGRTMIN ? "yes" : "no", si.si_code == SI_TIMER ? "yes" : "no");
	tdel(id);
	sigprocmask(SIG_UNBLOCK, &rt, NULL);
}

static void none_and_errors(void)
{
	struct ksigevent ev = {.sigev_notify = SIGEV_NONE};
	int id;
	tcreate(CLOCK_MONOTONIC, &ev, &id);
	struct itimerspec t = its(0, 30000000, 0, 0), cur;
	tset(id, 0, &t, NULL);
	tget(id, &cur);
	SAY("SIGEV_NONE counting down: %s\n", cur.it_value.tv_nsec > 0 ? "yes" : "no");
	usleep(60000);
	tget(id, &cur);
	SAY("SIGEV_NONE after expiry: %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
	SAY("settime NULL: %s\n", rc(tset(id, 0, NULL, NULL)));
	t = its(0, 1000000000, 0, 0);
	SAY("settime nsec 1e9: %s\n", rc(tset(id, 0, &t, NULL)));
	t = its(-1, 0, 0, 0);
	SAY("settime negative: %s\n", rc(tset(id, 0, &t, NULL)));
	SAY("settime bad pointer: %s\n", rc(tset(id, 0, (void *)8, NULL)));
	SAY("gettime bad pointer: %s\n", rc(tget(id, (void *)8)));
	tdel(id);
	t = its(1, 0, 0, 0);
	SAY("settime deleted id: %s, gettime: %s, getoverrun: %s\n", rc(tset(id, 0, &t, NULL)), rc(tget(id, &cur)),
	    rc(tover(id)));
	SAY("create clock 99: %s\n", rc(tcreate(99, NULL, &id)));
	SAY("create CLOCK_MONOTONIC_RAW: %s\n", rc(tcreate(CLOCK_MONOTONIC_RAW, NULL, &id)));
	SAY("create CLOCK_MONOTONIC_COARSE: %s\n", rc(tcreate(CLOCK_MONOTONIC_COARSE, NULL, &id)));
	ev.sigev_notify = 99;
	SAY("create bad notify: %s\n", rc(tcreate(CLOCK_MONOTONIC, &ev, &id)));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;
	SAY("create signal 0: %s\n", rc(tcreate(CLOCK_MONOTONIC, &ev, &id)));
	ev.sigev_signo = 65;
	SAY("create signal 65: %s\n", rc(tcreate(CLOCK_MONOTONIC, &ev, &id)));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR1;
	ev.tid = 1;
	SAY("create THREAD_ID of another process: %s\n", rc(tcreate(CLOCK_MONOTONIC, &ev, &id)));
	SAY("create bad sigevent pointer: %s\n", rc(tcreate(CLOCK_MONOTONIC, (void *)8, &id)));
	SAY("create bad id pointer: %s\n", rc(tcreate(CLOCK_MONOTONIC, NULL, (void *)8)));
}

static void cpu_clocks(void)
{
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	struct ksigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN};
	int id;
	SAY("CPU-time timer: %s\n", rc(tcreate(CLOCK_PROCESS_CPUTIME_ID, &ev, &id)));
	struct itimerspec t = its(0, 50000000, 0, 0);
	tset(id, 0, &t, NULL);
	long long end = t_now_ms() + 10000;
	sigset_t p;
	int fired = 0;
	while (t_now_ms() < end && !fired) {
		for (volatile int i = 0; i < 100000; i++)
			;
		sigpending(&p);
		fired = sigismember(&p, SIGRTMIN);
	}
	SAY("it fired after CPU time was spent: %s\n", fired ? "yes" : "no");
	siginfo_t si;
	sigwaitinfo(&rt, &si);
	tdel(id);
	sigprocmask(SIG_UNBLOCK, &rt, NULL);

	signal(SIGVTALRM, on_vt);
	signal(SIGPROF, on_prof);
	struct itimerval iv = {{0, 0}, {0, 30000}}, ov;
	SAY("ITIMER_VIRTUAL 30 ms: %s", rc(setitimer(ITIMER_VIRTUAL, &iv, NULL)));
	getitimer(ITIMER_VIRTUAL, &ov);
	SAY(", reads back armed: %s\n", ov.it_value.tv_sec == 0 && ov.it_value.tv_usec > 0 ? "yes" : "no");
	end = t_now_ms() + 10000;
	while (!vt && t_now_ms() < end)
		;
	SAY("SIGVTALRM in a busy loop: %s\n", vt ? "yes" : "no");
	getitimer(ITIMER_VIRTUAL, &ov);
	SAY("disarmed after one shot: %s\n", ov.it_value.tv_sec == 0 && ov.it_value.tv_usec == 0 ? "yes" : "no");
	iv = (struct itimerval){{0, 20000}, {0, 20000}};
	setitimer(ITIMER_PROF, &iv, NULL);
	end = t_now_ms() + 10000;
	while (pr < 3 && t_now_ms() < end)
		;
	SAY("periodic ITIMER_PROF fired 3 times: %s\n", pr >= 3 ? "yes" : "no");
	iv = (struct itimerval){{0, 0}, {0, 0}};
	setitimer(ITIMER_PROF, &iv, &ov);
	SAY("disarming returns the interval: %ld us\n", (long)ov.it_interval.tv_usec);
	SAY("setitimer which 3: %s\n", rc(setitimer(3, &iv, NULL)));
}

static void fork_exec(char *self)
{
	int id;
	tcreate(CLOCK_MONOTONIC, NULL, &id);
	pid_t c = fork();
	if (c == 0) {
		struct itimerspec cur;
		SAY("child: the parent's timer is not inherited: %s\n", rc(tget(id, &cur)));
		char arg[16];
		snprintf(arg, sizeof arg, "%d", id);
		int id2;
		tcreate(CLOCK_MONOTONIC, NULL, &id2);
		snprintf(arg, sizeof arg, "%d", id2);
		execl(self, self, "--after-exec", arg, (char *)NULL);
		_exit(127);
	}
	waitpid(c, NULL, 0);
	tdel(id);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "--after-exec")) {
		struct itimerspec cur;
		SAY("after exec: the timer is gone: %s\n", rc(tget(atoi(argv[2]), &cur)));
		return 0;
	}
	t_init(argc, argv);
	basics();
	queued_signals();
	none_and_errors();
	cpu_clocks();
	fork_exec("/proc/self/exe");
	return t_done();
}
