/* io_signalfd: signals read as signalfd_siginfo records: from kill, from a
 * child, sigqueue values, nonblocking EAGAIN, poll readiness, mask update. */
#include "t.h"
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sfd = signalfd(-1, &m, SFD_NONBLOCK | SFD_CLOEXEC);
	CHECK(sfd >= 0, "signalfd");
	struct signalfd_siginfo si;
	SAY("record size: %d\n", (int)sizeof si);
	CHECK_ERR(read(sfd, &si, sizeof si), EAGAIN, "nothing pending");
	struct pollfd pf = { sfd, POLLIN, 0 };
	SAY("poll idle: %d\n", poll(&pf, 1, 0));
	kill(getpid(), SIGUSR1);
	int pr = poll(&pf, 1, 0);
	SAY("poll pending: %d revents=0x%x\n", pr, pf.revents);
	memset(&si, 0, sizeof si);
	SAY("read: %ld\n", (long)read(sfd, &si, sizeof si));
	SAY("ssi_signo=%u SI_USER=%s pid ok=%s uid ok=%s\n", si.ssi_signo, si.ssi_code == SI_USER ? "yes" : "no",
	    si.ssi_pid == (unsigned)getpid() ? "yes" : "no", si.ssi_uid == getuid() ? "yes" : "no");
	sigset_t pend;
	sigpending(&pend);
	CHECK(!sigismember(&pend, SIGUSR1), "reading consumed the signal");

	union sigval val = { .sival_int = 99 };
	sigqueue(getpid(), SIGUSR2, val);
	kill(getpid(), SIGUSR1);
	struct signalfd_siginfo two[2];
	long r = read(sfd, two, sizeof two);
	SAY("two pending: read %ld bytes, first signo %u, second %u\n", r, two[0].ssi_signo, r == 2 * (long)sizeof si ? two[1].ssi_signo : 0);
	int q = two[0].ssi_signo == SIGUSR2 ? 0 : 1;
	SAY("sigqueue record: SI_QUEUE=%s ssi_int=%d\n", two[q].ssi_code == SI_QUEUE ? "yes" : "no", two[q].ssi_int);
	char small[16];
	CHECK_ERR(read(sfd, small, sizeof small), EINVAL, "buffer smaller than a record");

	/* from a child, blocking read */
	int b = signalfd(-1, &m, 0);
	pid_t c = fork();
	if (c == 0) { usleep(100000); kill(getppid(), SIGUSR2); _exit(0); }
	read(b, &si, sizeof si);
	SAY("blocking read: signo %u from child: %s\n", si.ssi_signo, si.ssi_pid == (unsigned)c ? "yes" : "no");
	waitpid(c, NULL, 0);
	/* update the mask of an existing signalfd */
	sigset_t only1;
	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	CHECK(signalfd(sfd, &only1, 0) == sfd, "update mask in place");
	kill(getpid(), SIGUSR2);
	CHECK_ERR(read(sfd, &si, sizeof si), EAGAIN, "SIGUSR2 no longer reported");
	sigpending(&pend);
	CHECK(sigismember(&pend, SIGUSR2), "SIGUSR2 still pending");
	CHECK_ERR(signalfd(0, &only1, 0), EINVAL, "signalfd on a non-signalfd");
	CHECK_ERR(signalfd(-1, &only1, 0x1234), EINVAL, "bad flags");
	return t_done();
}
