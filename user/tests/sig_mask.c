/* sig_mask: rt_sigprocmask, rt_sigpending, rt_sigsuspend, rt_sigtimedwait,
 * unblockable signals, pending across fork/exec rules. */
#include "t.h"
#include <signal.h>

static volatile int hits;
static void h(int s) { (void)s; hits++; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	signal(SIGUSR1, h);
	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0, "block SIGUSR1");
	CHECK(!sigismember(&old, SIGUSR1), "old mask lacked SIGUSR1");
	raise(SIGUSR1);
	raise(SIGUSR1); /* standard signals do not queue */
	SAY("handler ran while blocked: %s\n", hits ? "yes" : "no");
	sigpending(&pend);
	SAY("pending SIGUSR1: %s SIGUSR2: %s\n", sigismember(&pend, SIGUSR1) ? "yes" : "no",
	    sigismember(&pend, SIGUSR2) ? "yes" : "no");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	SAY("after unblock hits=%d\n", hits);
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1), "no longer pending");

	/* realtime signals queue */
	signal(SIGRTMIN, h);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hits = 0;
	for (int i = 0; i < 3; i++) raise(SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	SAY("SIGRTMIN raised 3x while blocked, delivered %d\n", hits);

	/* SIGKILL/SIGSTOP cannot be blocked */
	sigfillset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sigprocmask(SIG_SETMASK, NULL, &old);
	SAY("fill mask: SIGKILL blocked=%d SIGSTOP blocked=%d SIGTERM blocked=%d\n",
	    sigismember(&old, SIGKILL), sigismember(&old, SIGSTOP), sigismember(&old, SIGTERM));
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	CHECK_ERR(sigprocmask(99, &set, NULL), EINVAL, "bad how");

	/* sigsuspend: child signals us while we wait with SIGUSR1 unblocked */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hits = 0;
	pid_t c = fork();
	if (c == 0) { usleep(50000); kill(getppid(), SIGUSR1); _exit(0); }
	sigset_t waitmask;
	sigemptyset(&waitmask);
	int r = sigsuspend(&waitmask);
	SAY("sigsuspend: r=%d EINTR=%s hits=%d\n", r, errno == EINTR ? "yes" : "no", hits);
	sigprocmask(SIG_BLOCK, NULL, &old);
	CHECK(sigismember(&old, SIGUSR1), "mask restored after sigsuspend");
	waitpid(c, NULL, 0);

	/* sigtimedwait takes a pending blocked signal without running the handler */
	hits = 0;
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	siginfo_t si;
	struct timespec ts = { 1, 0 };
	r = sigtimedwait(&set, &si, &ts);
	SAY("sigtimedwait: r==SIGUSR2 %s si_signo=%d SI_TKILL=%s hits=%d\n", r == SIGUSR2 ? "yes" : "no",
	    si.si_signo, si.si_code == SI_TKILL ? "yes" : "no", hits);
	ts.tv_sec = 0;
	ts.tv_nsec = 100000000;
	long long t0 = t_now_ms();
	CHECK_ERR(sigtimedwait(&set, &si, &ts), EAGAIN, "sigtimedwait timeout");
	CHECK(t_now_ms() - t0 >= 90, "waited about 100ms");
	raise(SIGUSR1);
	int sig = 0;
	CHECK(sigwait(&set, &sig) == 0 && sig == SIGUSR1, "sigwait takes SIGUSR1");

	/* the child inherits the mask but not pending signals */
	raise(SIGUSR2);
	c = fork();
	if (c == 0) {
		sigset_t m, p;
		sigprocmask(SIG_BLOCK, NULL, &m);
		sigpending(&p);
		_exit(sigismember(&m, SIGUSR2) && !sigismember(&p, SIGUSR2) ? 0 : 1);
	}
	SAY("child mask inherited, pending cleared: %s\n", t_wait_desc(c));
	return t_done();
}
