/* sig_kill_child: SIGTERM a paused child, SIGKILL a child that ignores
 * SIGTERM, SIGSTOP/SIGCONT with WUNTRACED/WCONTINUED, kill() errors. */
#include "t.h"
#include <signal.h>

static pid_t spawn_paused(int ignore_term)
{
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		if (ignore_term) signal(SIGTERM, SIG_IGN);
		close(p[0]);
		write(p[1], "r", 1);
		for (;;) pause();
	}
	char ch;
	close(p[1]);
	read(p[0], &ch, 1); /* child is (about to be) paused */
	close(p[0]);
	return c;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pid_t c = spawn_paused(0);
	CHECK(kill(c, 0) == 0, "kill(child, 0) succeeds");
	CHECK(kill(c, SIGTERM) == 0, "kill(child, SIGTERM)");
	int st;
	CHECK(waitpid(c, &st, 0) == c, "waitpid");
	SAY("WIFSIGNALED=%d WTERMSIG=%d\n", WIFSIGNALED(st), WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	SAY("status>>8==0: %s, status&0x7f==15: %s\n", (st >> 8) == 0 ? "yes" : "no",
	    (st & 0x7f) == 15 ? "yes" : "no");
	CHECK_ERR(kill(c, 0), ESRCH, "kill reaped child");

	c = spawn_paused(1);
	kill(c, SIGTERM);
	CHECK(waitpid(c, &st, WNOHANG) == 0, "SIGTERM ignored: still alive");
	kill(c, SIGKILL);
	SAY("after SIGKILL: %s\n", t_wait_desc(c));

	c = spawn_paused(0);
	kill(c, SIGSTOP);
	CHECK(waitpid(c, &st, WUNTRACED) == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP,
	      "WUNTRACED reports SIGSTOP");
	SAY("stopped status low byte: 0x%x\n", st & 0xff);
	kill(c, SIGCONT);
	CHECK(waitpid(c, &st, WCONTINUED) == c && WIFCONTINUED(st), "WCONTINUED reports continue");
	SAY("continued status: 0x%x\n", st);
	kill(c, SIGUSR1); /* default action: terminate */
	SAY("after SIGUSR1: %s\n", t_wait_desc(c));

	CHECK_ERR(kill(getpid(), 999), EINVAL, "invalid signal number");
	return t_done();
}
