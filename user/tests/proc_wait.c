/* proc_wait: wait4/waitpid/waitid with WNOHANG, status encoding, siginfo
 * fields, waiting by pid, by any child, and ECHILD. */
#include "t.h"
#include <signal.h>
#include <sys/resource.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int go[2];
	pipe(go);
	pid_t c = fork();
	if (c == 0) { char ch; close(go[1]); read(go[0], &ch, 1); _exit(3); }
	close(go[0]);
	int st = -1;
	struct rusage ru;
	CHECK(wait4(c, &st, WNOHANG, &ru) == 0, "wait4 WNOHANG on running child returns 0");
	siginfo_t si;
	memset(&si, 0xff, sizeof si);
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0,
	      "waitid WNOHANG on running child: si_pid==0");
	close(go[1]); /* child exits */
	CHECK(waitid(P_PID, c, &si, WEXITED | WNOWAIT) == 0, "waitid WNOWAIT");
	SAY("waitid: si_pid ok=%s si_signo==SIGCHLD=%s CLD_EXITED=%s si_status=%d\n",
	    si.si_pid == c ? "yes" : "no", si.si_signo == SIGCHLD ? "yes" : "no",
	    si.si_code == CLD_EXITED ? "yes" : "no", si.si_status);
	CHECK(wait4(c, &st, 0, &ru) == c, "wait4 reaps after WNOWAIT");
	SAY("raw status=0x%x WIFEXITED=%d WEXITSTATUS=%d\n", st, WIFEXITED(st), WEXITSTATUS(st));
	CHECK_ERR(waitpid(c, &st, WNOHANG), ECHILD, "reaped child is gone");

	c = fork();
	if (c == 0) { for (;;) pause(); }
	kill(c, SIGKILL);
	memset(&si, 0, sizeof si);
	CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0, "waitid P_ALL");
	SAY("killed: CLD_KILLED=%s si_status=%d\n", si.si_code == CLD_KILLED ? "yes" : "no", si.si_status);

	/* exit status is truncated to 8 bits */
	c = fork();
	if (c == 0) _exit(0x1ff);
	SAY("_exit(0x1ff): %s\n", t_wait_desc(c));
	c = fork();
	if (c == 0) exit(-1);
	SAY("exit(-1): %s\n", t_wait_desc(c));

	/* wait for a specific child among several, then any */
	pid_t k[3];
	for (int i = 0; i < 3; i++) if ((k[i] = fork()) == 0) _exit(10 + i);
	CHECK(waitpid(k[2], &st, 0) == k[2] && WEXITSTATUS(st) == 12, "waitpid picks the named child");
	int sum = 0;
	for (int i = 0; i < 2; i++) { pid_t r = waitpid(-1, &st, 0); if (r == k[0] || r == k[1]) sum += WEXITSTATUS(st); }
	SAY("remaining two children sum: %d\n", sum);
	CHECK_ERR(wait(&st), ECHILD, "wait with no children");
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD, "WNOHANG with no children");
	CHECK_ERR(waitid(P_ALL, 0, &si, 0), EINVAL, "waitid without options");
	return t_done();
}
