/* proc_pidfd: pidfd_open (flags, errors, a thread that does not lead its
 * process, PIDFD_THREAD), poll readiness at exit and after the reap,
 * waitid(P_PIDFD) (blocking, O_NONBLOCK EAGAIN, ECHILD), pidfd_send_signal
 * (scopes, siginfo rules, EPERM across users, ESRCH once reaped, the
 * PIDFD_SELF_* values), pidfd_getfd (shares the description, O_CLOEXEC,
 * errors), clone3 and clone with CLONE_PIDFD, and kill(2)'s permission
 * rules that pidfd_send_signal shares. */
#include "t.h"
#include <poll.h>
#include <stdint.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif
#define PIDFD_THREAD O_EXCL
#define P_PIDFD_ 3
#define CLONE_PIDFD_ 0x1000

static const char *rc(long r) { return r < 0 ? t_errname(errno) : "ok"; }
static long pidfd_open_(int pid, unsigned flags) { return syscall(434, pid, flags); }
static long send_(int fd, int sig, siginfo_t *si, unsigned flags) { return syscall(424, fd, sig, si, flags); }
static long getfd_(int pidfd, int fd, unsigned flags) { return syscall(438, pidfd, fd, flags); }

static const char *ready(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	int n = poll(&p, 1, 0);
	if (n < 0)
		return t_errname(errno);
	static char b[64];
	snprintf(b, sizeof b, "%s%s%s", n == 0 ? "not ready" : "", (p.revents & POLLIN) ? "IN" : "",
		 (p.revents & POLLHUP) ? "|HUP" : "");
	return b;
}

static volatile int got_sig, got_code;
static void on_usr(int s, siginfo_t *si, void *u)
{
	(void)u;
	got_sig = s;
	got_code = si->si_code;
}

static void *idle_thread(void *a)
{
	int *tid = a;
	*tid = (int)syscall(SYS_gettid);
	pause();
	return NULL;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	struct sigaction sa = {0};
	sa.sa_sigaction = on_usr;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);

	SAY("pidfd_open bad flags: %s\n", rc(pidfd_open_(getpid(), 1)));
	SAY("pidfd_open pid 0: %s, pid -1: %s\n", rc(pidfd_open_(0, 0)), rc(pidfd_open_(-1, 0)));
	SAY("pidfd_open no such pid: %s\n", rc(pidfd_open_(4000000, 0)));
	int self = (int)pidfd_open_(getpid(), 0);
	SAY("pidfd_open self: %s, cloexec: %s\n", rc(self), (fcntl(self, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
	SAY("self ready: %s\n", ready(self));
	char buf[8];
	SAY("read a pidfd: %s\n", rc(read(self, buf, 8)));
	SAY("write a pidfd: %s\n", rc(write(self, buf, 8)));
	SAY("lseek a pidfd: %s\n", rc(lseek(self, 0, SEEK_SET)));

	/* a second thread: not a process, unless PIDFD_THREAD */
	pthread_t th;
	volatile int tid = 0;
	pthread_create(&th, NULL, idle_thread, (void *)&tid);
	while (!tid)
		sched_yield();
	SAY("pidfd_open a non-leader thread: %s\n", rc(pidfd_open_(tid, 0)));
	int tfd = (int)pidfd_open_(tid, PIDFD_THREAD);
	SAY("with PIDFD_THREAD: %s, ready: %s\n", rc(tfd), ready(tfd));
	SAY("send SIGUSR1 to the thread pidfd: %s", rc(send_(tfd, SIGUSR1, NULL, 0)));
	usleep(20000);
	SAY(", handled: %s, code %s\n", got_sig == SIGUSR1 ? "yes" : "no", got_code == SI_TKILL ? "SI_TKILL" : "other");

	/* a child: poll, signal, wait through the pidfd */
	int pp[2];
	pipe(pp);
	pid_t c = fork();
	if (c == 0) {
		char x;
		read(pp[0], &x, 1);
		_exit(7);
	}
	int cfd = (int)pidfd_open_(c, 0);
	SAY("child pidfd: %s, ready while it runs: %s\n", rc(cfd), ready(cfd));
	siginfo_t si = {0};
	SAY("waitid P_PIDFD WNOHANG: %s, pid %d\n", rc(waitid(P_PIDFD_, cfd, &si, WEXITED | WNOHANG)), si.si_pid);
	int nb = (int)pidfd_open_(c, PIDFD_NONBLOCK);
	SAY("waitid on a PIDFD_NONBLOCK pidfd: %s\n", rc(waitid(P_PIDFD_, nb, &si, WEXITED)));
	SAY("send signal 0: %s\n", rc(send_(cfd, 0, NULL, 0)));
	SAY("bad flags: %s, two scopes: %s\n", rc(send_(cfd, 0, NULL, 8)), rc(send_(cfd, 0, NULL, 3)));
	SAY("bad signal: %s\n", rc(send_(cfd, 99, NULL, 0)));
	SAY("not a pidfd: %s, bad fd: %s\n", rc(send_(pp[0], 0, NULL, 0)), rc(send_(99, 0, NULL, 0)));
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR2;
	si.si_code = SI_QUEUE;
	SAY("siginfo whose signo differs: %s\n", rc(send_(cfd, SIGUSR1, &si, 0)));
	si.si_code = SI_USER;
	SAY("siginfo SI_USER to another process: %s\n", rc(send_(cfd, SIGUSR2, &si, 0)));
	SAY("bad siginfo pointer: %s\n", rc(send_(cfd, SIGUSR2, (siginfo_t *)8, 0)));
	/* the descriptor of the child's pipe end, through pidfd_getfd */
	int g = (int)getfd_(cfd, pp[1], 0);
	SAY("pidfd_getfd: %s, cloexec: %s\n", rc(g), (fcntl(g, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
	SAY("getfd flags 1: %s, bad target fd: %s, not a pidfd: %s\n", rc(getfd_(cfd, pp[1], 1)), rc(getfd_(cfd, 999, 0)),
	    rc(getfd_(pp[0], 0, 0)));
	close(pp[1]);
	close(pp[0]);
	write(g, "x", 1); /* through the child's copy of the pipe: it exits */
	struct pollfd pf = {cfd, POLLIN, 0};
	int n = poll(&pf, 1, 5000);
	SAY("poll until it exits: %d, revents IN: %s\n", n, (pf.revents & POLLIN) ? "yes" : "no");
	SAY("zombie: ready %s, signal 0: %s", ready(cfd), rc(send_(cfd, 0, NULL, 0)));
	SAY(", getfd: %s\n", rc(getfd_(cfd, 0, 0)));
	memset(&si, 0, sizeof si);
	SAY("waitid P_PIDFD: %s", rc(waitid(P_PIDFD_, cfd, &si, WEXITED)));
	SAY(", pid matches: %s, status %d code %s\n", si.si_pid == c ? "yes" : "no", si.si_status,
	    si.si_code == CLD_EXITED ? "CLD_EXITED" : "other");
	SAY("reaped: ready %s, signal: %s", ready(cfd), rc(send_(cfd, SIGUSR1, NULL, 0)));
	SAY(", waitid again: %s\n", rc(waitid(P_PIDFD_, cfd, &si, WEXITED)));
	SAY("waitid P_PIDFD on a non-pidfd: %s, fd -1: %s\n", rc(waitid(P_PIDFD_, g, &si, WEXITED)),
	    rc(waitid(P_PIDFD_, -1, &si, WEXITED)));

	/* PIDFD_SELF_* and the scopes */
	got_sig = 0;
	SAY("PIDFD_SELF_THREAD_GROUP SIGUSR1: %s", rc(send_(-10001, SIGUSR1, NULL, 0)));
	SAY(", handled: %s\n", got_sig == SIGUSR1 ? "yes" : "no");
	got_sig = 0;
	SAY("PIDFD_SELF_THREAD SIGUSR1: %s", rc(send_(-10000, SIGUSR1, NULL, 0)));
	SAY(", handled: %s, code %s\n", got_sig == SIGUSR1 ? "yes" : "no", got_code == SI_TKILL ? "SI_TKILL" : "other");
	SAY("pidfd_getfd PIDFD_SELF_THREAD: %s\n", rc(getfd_(-10000, 1, 0)));
	got_sig = 0;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = -42;
	SAY("own siginfo to self (thread scope): %s", rc(send_(self, SIGUSR1, &si, 1)));
	SAY(", code %d\n", got_code);

	/* clone3 with CLONE_PIDFD */
	int pfd = -5;
	struct {
		unsigned long long flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	} ca = {CLONE_PIDFD_, (unsigned long long)(uintptr_t)&pfd, 0, 0, SIGCHLD, 0, 0, 0};
	long k = syscall(435, &ca, sizeof ca);
	if (k == 0)
		_exit(3);
	SAY("clone3 CLONE_PIDFD: %s, pidfd set: %s, cloexec: %s\n", rc(k), pfd >= 0 ? "yes" : "no",
	    (fcntl(pfd, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
	memset(&si, 0, sizeof si);
	waitid(P_PIDFD_, pfd, &si, WEXITED);
	SAY("  waitid through it: status %d, right pid: %s\n", si.si_status, si.si_pid == k ? "yes" : "no");
	ca.pidfd = 8; /* unwritable */
	SAY("clone3 CLONE_PIDFD bad pointer: %s\n", rc(syscall(435, &ca, sizeof ca)));
	/* legacy clone: the pidfd goes where CLONE_PARENT_SETTID would write */
	pfd = -5;
	k = syscall(SYS_clone, CLONE_PIDFD_ | SIGCHLD, 0, &pfd, 0, 0);
	if (k == 0)
		_exit(4);
	SAY("clone CLONE_PIDFD: %s, pidfd set: %s\n", rc(k), pfd >= 0 ? "yes" : "no");
	waitpid(k, NULL, 0);
	SAY("clone CLONE_PIDFD|CLONE_PARENT_SETTID: %s\n",
	    rc(syscall(SYS_clone, CLONE_PIDFD_ | CLONE_PARENT_SETTID | SIGCHLD, 0, &pfd, 0, 0)));

	/* copy_process's flag rules before any child exists */
	ca.pidfd = 0;
	ca.flags = CLONE_FS | 0x20000 /* CLONE_NEWNS */;
	SAY("clone3 CLONE_FS|CLONE_NEWNS: %s\n", rc(syscall(435, &ca, sizeof ca)));
	ca.flags = CLONE_FS | 0x10000000 /* CLONE_NEWUSER */;
	SAY("clone3 CLONE_FS|CLONE_NEWUSER: %s\n", rc(syscall(435, &ca, sizeof ca)));
	ca.flags = CLONE_PIDFD_ | 0x400000 /* CLONE_DETACHED */;
	SAY("clone3 CLONE_PIDFD|CLONE_DETACHED: %s\n", rc(syscall(435, &ca, sizeof ca)));
	ca.flags = 0;

	/* kill(2) and pidfd_send_signal across users */
	pipe(pp);
	pid_t victim = fork();
	if (victim == 0) {
		char x;
		read(pp[0], &x, 1);
		_exit(0);
	}
	int vfd = (int)pidfd_open_(victim, 0);
	SAY("process-group scope on a process that leads no group: %s\n", rc(send_(vfd, 0, NULL, 4)));
	pid_t u = fork();
	if (u == 0) {
		setuid(1000);
		SAY("user: kill root's process: %s", rc(kill(victim, 0)));
		SAY(", SIGCONT (same session): %s\n", rc(kill(victim, SIGCONT)));
		SAY("user: kill a missing pid with a bad signal: %s\n", rc(kill(4000000, 99)));
		SAY("user: kill an own process with a bad signal: %s\n", rc(kill(getpid(), 99)));
		SAY("user: pidfd_send_signal to root's process: %s\n", rc(send_(vfd, SIGTERM, NULL, 0)));
		SAY("user: pidfd_getfd from root's process: %s\n", rc(getfd_(vfd, 0, 0)));
		SAY("user: tgkill root's thread: %s\n", rc(syscall(SYS_tgkill, victim, victim, 0)));
		SAY("user: kill(-pgid) of root's group: %s\n", rc(kill(-getpgid(victim), 0)));
		SAY("user: clone CLONE_NEWNS: %s\n", rc(syscall(SYS_clone, 0x20000 | SIGCHLD, 0, 0, 0, 0)));
		SAY("user: clone CLONE_NEWUTS|CLONE_NEWIPC: %s\n", rc(syscall(SYS_clone, 0x4000000 | 0x8000000 | SIGCHLD, 0, 0, 0, 0)));
		_exit(0);
	}
	waitpid(u, NULL, 0);
	write(pp[1], "x", 1);
	waitpid(victim, NULL, 0);
	SAY("kill a missing pid with a bad signal: %s\n", rc(kill(4000000, 99)));
	t_cleanup();
	return t_done();
}
