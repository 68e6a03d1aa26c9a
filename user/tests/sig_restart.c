/* sig_restart: how each blocking call behaves when a signal interrupts it
 * (signal(7), "Interruption of system calls and library functions by
 * signal handlers"): calls that are never restarted give EINTR even under
 * SA_RESTART; restartable ones resume under SA_RESTART and give EINTR
 * without it; a stop and continue (no handler) is invisible to sleeps and
 * waits that Linux restarts; temporary masks of ppoll/pselect/epoll_pwait
 * stay in force while the handler runs.
 *
 * Raw syscalls throughout: musl's sigtimedwait and others retry on EINTR.
 * Timing only orders events (a signal 100-200 ms after a call blocks); no
 * check depends on how long anything took. */
#include "t.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <linux/futex.h>

static volatile int hits;
static void on_sig(int s) { (void)s; hits++; }

static void handle(int sig, int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/* SIGALRM after ms milliseconds (one shot). */
static void alarm_ms(int ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

/* Result of a raw syscall as "EINTR", "0", "ETIMEDOUT"... */
static const char *res(long r)
{
	static char buf[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

/* --- never restarted: EINTR under SA_RESTART too --------------------- */
static void never_restarted(void)
{
	handle(SIGALRM, SA_RESTART);
	struct timespec five = {5, 0}, rem = {0, 0};
	struct timeval tv5 = {5, 0};
	int fut = 0, ep = epoll_create1(0);
	struct epoll_event ev;
	sigset_t usr1, none;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
#define NEVER(label, call) do { hits = 0; alarm_ms(100); errno = 0; long r_ = (call); \
		SAY("SA_RESTART %-22s -> %s, handler %d\n", label, res(r_), hits); } while (0)
	NEVER("poll(NULL,0,-1)", syscall(SYS_poll, NULL, 0, -1));
	NEVER("poll(NULL,0,5000)", syscall(SYS_poll, NULL, 0, 5000));
	NEVER("ppoll(no timeout)", syscall(SYS_ppoll, NULL, 0, NULL, NULL, 8));
	NEVER("select(no timeout)", syscall(SYS_select, 0, NULL, NULL, NULL, NULL));
	tv5 = (struct timeval){5, 0};
	NEVER("select(5s)", syscall(SYS_select, 0, NULL, NULL, NULL, &tv5));
	SAY("  select wrote back time left: %s\n",
	    tv5.tv_sec < 5 && (tv5.tv_sec > 0 || tv5.tv_usec > 0) ? "yes" : "no");
	struct timespec ts5 = five;
	NEVER("pselect6(5s)", syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts5, NULL));
	SAY("  pselect6 wrote back time left: %s\n", ts5.tv_sec < 5 ? "yes" : "no");
	ts5 = five;
	NEVER("ppoll(5s)", syscall(SYS_ppoll, NULL, 0, &ts5, NULL, 8));
	SAY("  ppoll wrote back time left: %s\n", ts5.tv_sec < 5 ? "yes" : "no");
	NEVER("epoll_wait(-1)", syscall(SYS_epoll_wait, ep, &ev, 1, -1));
	NEVER("epoll_pwait(5000)", syscall(SYS_epoll_pwait, ep, &ev, 1, 5000, NULL, 8));
	NEVER("nanosleep(5s)", syscall(SYS_nanosleep, &five, &rem));
	SAY("  nanosleep time left in (0,5s): %s\n",
	    rem.tv_sec < 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0) ? "yes" : "no");
	NEVER("clock_nanosleep(rel)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &five, NULL));
	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_sec += 5;
	NEVER("clock_nanosleep(abs)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	NEVER("futex wait(5s)", syscall(SYS_futex, &fut, FUTEX_WAIT, 0, &five, NULL, 0));
	NEVER("pause", syscall(SYS_pause));
	NEVER("rt_sigsuspend", syscall(SYS_rt_sigsuspend, &none, 8));
	NEVER("rt_sigtimedwait(inf)", syscall(SYS_rt_sigtimedwait, &usr1, NULL, NULL, 8));
	NEVER("rt_sigtimedwait(5s)", syscall(SYS_rt_sigtimedwait, &usr1, NULL, &five, 8));
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	close(ep);
	errno = 0;
	long r = syscall(SYS_restart_syscall);
	SAY("restart_syscall with nothing to restart -> %s\n", res(r));
}

/* --- restartable calls: resumed with SA_RESTART, EINTR without -------- */
struct waiter {
	int pfd[2];     /* read end blocks until the helper writes */
	int wfd[2];     /* a full pipe: write blocks until the helper drains */
	int *futex;     /* shared word the helper wakes */
	const char *lockpath;
};

/* A helper child: after 120 ms signal the parent, after 200 ms more make
 * the call it is blocked in complete (write, drain, wake, unlock, exit). */
static pid_t helper(const char *what, struct waiter *w, int lockfd)
{
	pid_t pp = getpid();
	pid_t c = fork();
	if (c != 0)
		return c;
	int lfd = -1;
	if (!strcmp(what, "fcntl")) {
		lfd = open(w->lockpath, O_RDWR);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		fcntl(lfd, F_SETLK, &fl);
		write(w->pfd[1], "L", 1); /* tell the parent we hold it */
	}
	(void)lockfd;
	usleep(120000);
	kill(pp, SIGUSR1);
	usleep(200000);
	if (!strcmp(what, "read"))
		write(w->pfd[1], "x", 1);
	if (!strcmp(what, "write")) {
		char buf[4096];
		read(w->wfd[0], buf, sizeof buf);
	}
	if (!strcmp(what, "futex")) {
		*w->futex = 1;
		syscall(SYS_futex, w->futex, FUTEX_WAKE, 1, NULL, NULL, 0);
	}
	_exit(0); /* releases the fcntl lock; wait4 completes */
}

static void restartable(int flags)
{
	const char *mode = flags ? "SA_RESTART" : "no SA_RESTART";
	handle(SIGUSR1, flags);
	struct waiter w;
	w.futex = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	w.lockpath = t_path("lock");
	int lf = open(w.lockpath, O_RDWR | O_CREAT, 0644);
	const char *calls[] = {"read", "write", "futex", "wait4", "fcntl"};
	for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		const char *what = calls[i];
		pipe(w.pfd);
		pipe(w.wfd);
		fcntl(w.wfd[1], F_SETFL, O_NONBLOCK);
		while (write(w.wfd[1], "................................", 32) > 0)
			;
		fcntl(w.wfd[1], F_SETFL, 0);
		*w.futex = 0;
		hits = 0;
		pid_t c = helper(what, &w, lf);
		char ch;
		long r = 0;
		errno = 0;
		if (!strcmp(what, "read")) {
			r = read(w.pfd[0], &ch, 1);
		} else if (!strcmp(what, "write")) {
			r = write(w.wfd[1], "y", 1);
		} else if (!strcmp(what, "futex")) {
			r = syscall(SYS_futex, w.futex, FUTEX_WAIT, 0, NULL, NULL, 0);
		} else if (!strcmp(what, "wait4")) {
			r = syscall(SYS_wait4, c, NULL, 0, NULL);
			r = r == c ? 1 : r;
		} else {
			read(w.pfd[0], &ch, 1); /* the helper holds the lock */
			struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
			r = fcntl(lf, F_SETLKW, &fl);
			fl.l_type = F_UNLCK;
			fcntl(lf, F_SETLK, &fl);
		}
		SAY("%-13s %-6s -> %s, handler %d\n", mode, what, res(r), hits);
		waitpid(c, NULL, 0);
		close(w.pfd[0]);
		close(w.pfd[1]);
		close(w.wfd[0]);
		close(w.wfd[1]);
	}
	close(lf);
	munmap(w.futex, 4096);
}

/* --- stop and continue: invisible where Linux restarts ---------------- */
static void stop_continue(const char *what)
{
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		hits = 0;
		handle(SIGUSR1, 0);
		struct timespec t = {0, 400000000};
		int fut = 0, ep = epoll_create1(0);
		struct epoll_event ev;
		sigset_t usr2;
		sigemptyset(&usr2);
		sigaddset(&usr2, SIGUSR2);
		sigprocmask(SIG_BLOCK, &usr2, NULL);
		long r = 0;
		char ch;
		errno = 0;
		if (!strcmp(what, "nanosleep"))
			r = syscall(SYS_nanosleep, &t, NULL);
		else if (!strcmp(what, "poll(400)"))
			r = syscall(SYS_poll, NULL, 0, 400);
		else if (!strcmp(what, "futex(400ms)"))
			r = syscall(SYS_futex, &fut, FUTEX_WAIT, 0, &t, NULL, 0);
		else if (!strcmp(what, "read"))
			r = read(p[0], &ch, 1);
		else if (!strcmp(what, "pause"))
			r = syscall(SYS_pause);
		else if (!strcmp(what, "epoll_wait(400)"))
			r = syscall(SYS_epoll_wait, ep, &ev, 1, 400);
		else if (!strcmp(what, "sigtimedwait"))
			r = syscall(SYS_rt_sigtimedwait, &usr2, NULL, &t, 8);
		printf("stop+cont %-16s -> %s, handler %d\n", what, res(r), hits);
		fflush(stdout);
		_exit(0);
	}
	usleep(100000);
	kill(c, SIGSTOP);
	usleep(50000);
	kill(c, SIGCONT);
	usleep(450000);
	if (!strcmp(what, "read"))
		write(p[1], "x", 1);
	if (!strcmp(what, "pause"))
		kill(c, SIGUSR1); /* ends pause (its handler runs) */
	waitpid(c, NULL, 0);
	close(p[0]);
	close(p[1]);
}

/* --- temporary masks: the handler runs under them, then the old mask -- */
static void temp_masks(void)
{
	handle(SIGUSR1, 0);
	sigset_t usr1, none, now;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	const char *calls[] = {"ppoll", "pselect6", "epoll_pwait", "rt_sigsuspend"};
	for (unsigned i = 0; i < 4; i++) {
		sigprocmask(SIG_BLOCK, &usr1, NULL);
		hits = 0;
		pid_t pp = getpid(), c = fork();
		if (c == 0) {
			usleep(150000);
			kill(pp, SIGUSR1);
			_exit(0);
		}
		long r;
		errno = 0;
		if (i == 0) {
			r = syscall(SYS_ppoll, NULL, 0, NULL, &none, 8);
		} else if (i == 1) {
			struct { const sigset_t *s; size_t n; } sm = {&none, 8};
			r = syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, &sm);
		} else if (i == 2) {
			int ep = epoll_create1(0);
			struct epoll_event ev;
			r = syscall(SYS_epoll_pwait, ep, &ev, 1, -1, &none, 8);
			close(ep);
		} else {
			r = syscall(SYS_rt_sigsuspend, &none, 8);
		}
		int e = errno;
		sigprocmask(SIG_BLOCK, NULL, &now);
		errno = e;
		SAY("mask %-13s -> %s, handler %d, SIGUSR1 blocked again %s\n", calls[i], res(r), hits,
		    sigismember(&now, SIGUSR1) ? "yes" : "no");
		waitpid(c, NULL, 0);
		sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	}
	/* A bad sigset size is EINVAL before any waiting. */
	CHECK_ERR(syscall(SYS_ppoll, NULL, 0, NULL, &none, 4), EINVAL, "ppoll sigsetsize 4");
	CHECK_ERR(syscall(SYS_epoll_pwait, 0, NULL, 1, 0, &none, 16), EINVAL, "epoll_pwait sigsetsize 16");
}

/* --- blocked signals whose action is "ignore" are still queued -------- */
static void blocked_ignored(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaddset(&chld, SIGUSR2);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGUSR2, SIG_IGN);
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	struct timespec two = {2, 0};
	siginfo_t si;
	long r = syscall(SYS_rt_sigtimedwait, &chld, &si, &two, 8);
	SAY("blocked default-ignored SIGCHLD: sigtimedwait -> %s, code exited %s, status %d\n",
	    r == SIGCHLD ? "SIGCHLD" : res(r), si.si_code == CLD_EXITED ? "yes" : "no", si.si_status);
	waitpid(c, NULL, 0);
	kill(getpid(), SIGUSR2);
	sigset_t pend;
	sigpending(&pend);
	SAY("blocked SIG_IGN SIGUSR2 pending: %s\n", sigismember(&pend, SIGUSR2) ? "yes" : "no");
	signal(SIGUSR2, SIG_IGN); /* setting ignore again discards it */
	sigpending(&pend);
	SAY("after sigaction(SIG_IGN): pending %s\n", sigismember(&pend, SIGUSR2) ? "yes" : "no");
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
	signal(SIGUSR2, SIG_DFL);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	never_restarted();
	restartable(SA_RESTART);
	restartable(0);
	const char *sc[] = {"nanosleep", "poll(400)", "futex(400ms)", "read", "pause", "epoll_wait(400)",
			    "sigtimedwait"};
	for (unsigned i = 0; i < sizeof sc / sizeof sc[0]; i++)
		stop_continue(sc[i]);
	temp_masks();
	blocked_ignored();
	t_cleanup();
	return t_done();
}
