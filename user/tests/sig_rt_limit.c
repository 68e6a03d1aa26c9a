/* sig_rt_limit: RLIMIT_SIGPENDING bounds the realtime signals queued for
 * a user. Past it, rt_sigqueueinfo and tgkill fail with EAGAIN, kill()
 * loses the extra signal's information silently (the signal stays
 * pending), and taking signals off the queue frees room again. Also
 * setpgid's rule for children: the parent may move a child that has not
 * run execve (0), not one that has (EACCES). */
#include "t.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static int queue_one(int sig, int val)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = val;
	return (int)syscall(SYS_rt_sigqueueinfo, getpid(), sig, &si);
}

static void pending_limit(void)
{
	int rt = SIGRTMIN + 2;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, rt);
	sigaddset(&set, rt + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct rlimit rl = {3, 3};
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "RLIMIT_SIGPENDING 3");
	int ok = 0;
	for (int i = 0; i < 3; i++)
		ok += queue_one(rt, i) == 0;
	SAY("queued within the limit: %d\n", ok);
	CHECK_ERR(queue_one(rt, 3), EAGAIN, "rt_sigqueueinfo past the limit");
	CHECK_ERR(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), rt + 1), EAGAIN, "tgkill past the limit");
	CHECK(kill(getpid(), rt + 1) == 0, "kill past the limit succeeds");
	sigset_t pend;
	sigpending(&pend);
	SAY("rt+1 pending after the lost kill: %s\n", sigismember(&pend, rt + 1) ? "yes" : "no");
	/* standard signals are not limited */
	sigset_t usr;
	sigemptyset(&usr);
	sigaddset(&usr, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr, NULL);
	CHECK(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1) == 0, "tgkill of SIGUSR1 past the limit");
	struct timespec zero = {0, 0};
	siginfo_t si;
	CHECK(sigtimedwait(&usr, &si, &zero) == SIGUSR1, "SIGUSR1 taken");
	/* take one rt record: room for one more */
	CHECK(sigtimedwait(&set, &si, &zero) == rt && si.si_value.sival_int == 0, "oldest record taken");
	CHECK(queue_one(rt, 9) == 0, "queue again after taking one");
	CHECK_ERR(queue_one(rt, 10), EAGAIN, "and then full again");
	int got = 0, last = -1;
	while (sigtimedwait(&set, &si, &zero) > 0) {
		got++;
		if (si.si_signo == rt)
			last = si.si_value.sival_int;
	}
	SAY("records left: %d, last value %d\n", got, last);
	/* a limit of 0 refuses the first one */
	rl.rlim_cur = 0;
	CHECK(setrlimit(RLIMIT_SIGPENDING, &rl) == 0, "RLIMIT_SIGPENDING 0");
	CHECK_ERR(queue_one(rt, 0), EAGAIN, "rt_sigqueueinfo with limit 0");
	/* the limit counts per user: a child of the same user sees the
	 * parent's queued signals */
	rl.rlim_cur = 2;
	setrlimit(RLIMIT_SIGPENDING, &rl);
	CHECK(queue_one(rt, 1) == 0 && queue_one(rt, 2) == 0, "two queued in the parent");
	pid_t c = fork();
	if (c == 0) {
		CHECK_ERR(queue_one(rt, 3), EAGAIN, "child of the same user: limit already reached");
		_exit(t_failures ? 1 : 0);
	}
	SAY("child: %s\n", t_wait_desc(c));
	while (sigtimedwait(&set, &si, &zero) > 0)
		;
	pid_t c2 = fork();
	if (c2 == 0) {
		CHECK(queue_one(rt, 4) == 0, "child after the parent emptied its queue");
		_exit(t_failures ? 1 : 0);
	}
	SAY("child: %s\n", t_wait_desc(c2));
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_SIGPENDING, &rl);
}

static void setpgid_exec(char *self)
{
	int p[2], q[2];
	if (pipe(p) || pipe(q))
		return;
	pid_t c = fork();
	if (c == 0) {
		close(p[1]);
		close(q[0]);
		char a[16], b[16];
		snprintf(a, sizeof a, "%d", p[0]);
		snprintf(b, sizeof b, "%d", q[1]);
		char *args[] = {self, "--wait", a, b, NULL};
		char buf;
		read(p[0], &buf, 1); /* wait for the parent's first setpgid */
		execvp(self, args);
		_exit(97);
	}
	close(p[0]);
	close(q[1]);
	CHECK(setpgid(c, c) == 0, "setpgid of a child before its execve");
	CHECK(setpgid(c, getpgrp()) == 0, "and back");
	write(p[1], "x", 1);
	char buf;
	CHECK(read(q[0], &buf, 1) == 1, "child has run execve");
	CHECK_ERR(setpgid(c, c), EACCES, "setpgid of a child after its execve");
	CHECK_ERR(setpgid(c, getpgrp()), EACCES, "even to its own group");
	close(p[1]);
	SAY("exec'd child: %s\n", t_wait_desc(c));
	close(q[0]);
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--wait")) {
		/* the exec'd child: tell the parent, wait until it closes */
		int in = atoi(argv[2]), out = atoi(argv[3]);
		char buf;
		write(out, "y", 1);
		while (read(in, &buf, 1) > 0)
			;
		return 0;
	}
	t_init(argc, argv);
	/* The count is per user over the whole system: run as a user of our
	 * own (not root, who has signals queued elsewhere on the host). */
	pid_t c = fork();
	if (c == 0) {
		uid_t u = 20000 + (uid_t)(getpid() % 20000);
		if (setgid(u) || setuid(u))
			_exit(98);
		pending_limit();
		_exit(t_failures ? 1 : 0);
	}
	SAY("as another user: %s\n", t_wait_desc(c));
	setpgid_exec(argv[0]);
	return t_done();
}
