/* sig_rt_queue: realtime signals queue one record per send, in order, with
 * their sigqueue values and sender; standard signals do not queue; handlers
 * see si_pid/si_value; sigtimedwait takes records one at a time. */
#include "t.h"
#include <signal.h>

static int got[16], gotv[16], gotpid_ok[16], ngot;

static void h(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (ngot < 16) {
		got[ngot] = sig;
		gotv[ngot] = si->si_value.sival_int;
		gotpid_ok[ngot] = si->si_pid == getpid();
		ngot++;
	}
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int rt = SIGRTMIN + 2;
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, rt);
	sigaddset(&m, SIGRTMIN + 3);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	for (int i = 0; i < 3; i++) {
		union sigval v = { .sival_int = 100 + i };
		sigqueue(getpid(), rt, v);
	}
	union sigval v9 = { .sival_int = 9 };
	sigqueue(getpid(), SIGRTMIN + 3, v9);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	siginfo_t si;
	struct timespec z = { 0, 0 };
	for (int i = 0; i < 3; i++) {
		int s = sigtimedwait(&m, &si, &z);
		SAY("wait %d: sig=%s code=%s value=%d pid ok=%s\n", i,
		    s == SIGUSR1 ? "USR1" : s == rt ? "RTMIN+2" : s == SIGRTMIN + 3 ? "RTMIN+3" : "?",
		    si.si_code == SI_QUEUE ? "SI_QUEUE" : si.si_code == SI_USER ? "SI_USER" : "?",
		    s == SIGUSR1 ? 0 : si.si_value.sival_int, si.si_pid == getpid() ? "yes" : "no");
	}
	sigset_t pend;
	sigpending(&pend);
	SAY("still pending: RTMIN+2=%d RTMIN+3=%d USR1=%d\n", sigismember(&pend, rt), sigismember(&pend, SIGRTMIN + 3),
	    sigismember(&pend, SIGUSR1));
	/* delivery to a handler: the rest, in order */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = h;
	sa.sa_flags = SA_SIGINFO;
	sigaction(rt, &sa, NULL);
	sigaction(SIGRTMIN + 3, &sa, NULL);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	for (int i = 0; i < ngot; i++)
		SAY("handler %d: sig=%s value=%d pid ok=%s\n", i, got[i] == rt ? "RTMIN+2" : got[i] == SIGRTMIN + 3 ? "RTMIN+3" : "?",
		    gotv[i], gotpid_ok[i] ? "yes" : "no");
	/* ignoring discards queued records */
	sigprocmask(SIG_BLOCK, &m, NULL);
	union sigval v1 = { .sival_int = 1 };
	sigqueue(getpid(), rt, v1);
	sigqueue(getpid(), rt, v1);
	signal(rt, SIG_IGN);
	sigpending(&pend);
	SAY("ignored discards: %s\n", sigismember(&pend, rt) ? "no" : "yes");
	signal(rt, SIG_DFL);
	sigqueue(getpid(), rt, v1);
	sigpending(&pend);
	SAY("pending again: %s\n", sigismember(&pend, rt) ? "yes" : "no");
	int s = sigtimedwait(&m, &si, &z);
	SAY("one record after re-queue: %s, then %s\n", s == rt ? "yes" : "no",
	    sigtimedwait(&m, &si, &z) == -1 && errno == EAGAIN ? "EAGAIN" : "more");
	/* a child's queued value */
	pid_t c = fork();
	if (c == 0) {
		union sigval cv = { .sival_int = 77 };
		sigqueue(getppid(), rt, cv);
		_exit(0);
	}
	s = sigwaitinfo(&m, &si);
	SAY("from child: sig ok=%s value=%d pid ok=%s\n", s == rt ? "yes" : "no", si.si_value.sival_int,
	    si.si_pid == c ? "yes" : "no");
	waitpid(c, NULL, 0);
	return t_done();
}
