/* sig_action_flags: SA_RESTART vs EINTR, SA_NODEFER, SA_RESETHAND,
 * SA_SIGINFO fields for kill/sigqueue/raise, handler mask. */
#include "t.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile int depth, maxdepth, count;
static volatile int info_code, info_pid_ok, info_val, info_signo;
static volatile int mask_has_usr2;

static void nest(int s)
{
	count++;
	depth++;
	if (depth > maxdepth) maxdepth = depth;
	if (count < 3) raise(s);
	depth--;
}

static void info(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	info_signo = si->si_signo;
	info_code = si->si_code;
	info_pid_ok = si->si_pid == getpid();
	info_val = si->si_value.sival_int;
	(void)s;
}

static void masked(int s)
{
	sigset_t cur;
	(void)s;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	mask_has_usr2 = sigismember(&cur, SIGUSR2) * 2 + sigismember(&cur, SIGUSR1);
}

static void noop(int s) { (void)s; count++; }

static void set(int sig, void (*h)(int), int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static int read_with_timer(int flags)
{
	int p[2];
	pipe(p);
	set(SIGALRM, noop, flags);
	pid_t c = fork();
	if (c == 0) { /* writes after the timer fired */
		close(p[0]);
		usleep(300000);
		write(p[1], "z", 1);
		_exit(0);
	}
	close(p[1]);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	char ch;
	errno = 0;
	int r = read(p[0], &ch, 1);
	int e = errno;
	close(p[0]);
	waitpid(c, NULL, 0);
	errno = e;
	return r;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	count = 0;
	int r = read_with_timer(0);
	SAY("without SA_RESTART: read=%d EINTR=%s\n", r, errno == EINTR ? "yes" : "no");
	r = read_with_timer(SA_RESTART);
	SAY("with SA_RESTART: read=%d\n", r);

	count = depth = maxdepth = 0;
	set(SIGUSR1, nest, 0);
	raise(SIGUSR1);
	SAY("default (deferred): count=%d maxdepth=%d\n", count, maxdepth);
	count = depth = maxdepth = 0;
	set(SIGUSR1, nest, SA_NODEFER);
	raise(SIGUSR1);
	SAY("SA_NODEFER: count=%d maxdepth=%d\n", count, maxdepth);

	count = 0;
	set(SIGUSR2, noop, SA_RESETHAND);
	raise(SIGUSR2);
	struct sigaction q;
	sigaction(SIGUSR2, NULL, &q);
	SAY("SA_RESETHAND: count=%d now SIG_DFL=%s\n", count, q.sa_handler == SIG_DFL ? "yes" : "no");
	struct sigaction rh = { 0 };
	rh.sa_sigaction = info;
	rh.sa_flags = SA_SIGINFO | SA_RESETHAND;
	sigemptyset(&rh.sa_mask);
	sigaction(SIGUSR2, &rh, NULL);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &q);
	SAY("SA_RESETHAND|SA_SIGINFO after delivery: SIG_DFL=%s, SA_SIGINFO %s\n", q.sa_handler == SIG_DFL ? "yes" : "no",
	    (q.sa_flags & SA_SIGINFO) ? "kept" : "cleared");
	SAY("tgkill tid 0: %s, tid -1: %s\n", syscall(SYS_tgkill, getpid(), 0, 0) == -1 ? t_errname(errno) : "ok",
	    syscall(SYS_tgkill, getpid(), -1, 0) == -1 ? t_errname(errno) : "ok");

	struct sigaction sa = { 0 };
	sa.sa_sigaction = info;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	kill(getpid(), SIGUSR1);
	SAY("kill: signo=%d SI_USER=%s pid ok=%s\n", info_signo, info_code == SI_USER ? "yes" : "no",
	    info_pid_ok ? "yes" : "no");
	union sigval v = { .sival_int = 4242 };
	sigqueue(getpid(), SIGUSR1, v);
	SAY("sigqueue: SI_QUEUE=%s value=%d\n", info_code == SI_QUEUE ? "yes" : "no", info_val);
	raise(SIGUSR1);
	SAY("raise: SI_TKILL=%s\n", info_code == SI_TKILL ? "yes" : "no");
	sigaction(SIGUSR1, NULL, &q);
	SAY("query keeps SA_SIGINFO: %s\n", (q.sa_flags & SA_SIGINFO) ? "yes" : "no");

	/* sa_mask and the delivered signal are blocked inside the handler */
	sa.sa_handler = masked;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	SAY("in handler: SIGUSR2 blocked=%d SIGUSR1 blocked=%d\n", mask_has_usr2 >> 1, mask_has_usr2 & 1);
	sigset_t cur;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	CHECK(!sigismember(&cur, SIGUSR1) && !sigismember(&cur, SIGUSR2), "mask restored after handler");

	/* old action returned; SIG_IGN discards */
	set(SIGUSR1, SIG_IGN, 0);
	raise(SIGUSR1);
	CHECK(1, "ignored SIGUSR1 survived");
	CHECK_ERR(sigaction(SIGKILL, &sa, NULL), EINVAL, "sigaction(SIGKILL)");
	CHECK_ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL, "sigaction(SIGSTOP)");
	CHECK_ERR(sigaction(0, &sa, NULL), EINVAL, "sigaction(0)");
	CHECK_ERR(sigaction(65, &sa, NULL), EINVAL, "sigaction(65)");
	return t_done();
}
