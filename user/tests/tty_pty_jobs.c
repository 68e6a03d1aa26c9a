/* tty_pty_jobs: job control on a pty slave as controlling terminal: a
 * session leader takes the slave with TIOCSCTTY, ^C and ^Z typed at the
 * master signal the foreground group, and a background group reading the
 * terminal is stopped with SIGTTIN (or gets EIO when it ignores it). */
#include "t.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	unlockpt(m);
	char name[64];
	snprintf(name, sizeof name, "%s", ptsname(m));
	int sync[2];
	pipe(sync);
	pid_t leader = fork();
	if (leader == 0) {
		setsid();
		int s = open(name, O_RDWR);
		if (s < 0 || ioctl(s, TIOCSCTTY, 0) != 0)
			_exit(10);
		pid_t fgpid = tcgetpgrp(s);
		if (fgpid != getpid())
			_exit(11);
		/* a background group reading the terminal stops with SIGTTIN */
		pid_t bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			char c;
			read(s, &c, 1);
			_exit(12);
		}
		setpgid(bg, bg);
		int st;
		if (waitpid(bg, &st, WUNTRACED) != bg || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTTIN)
			_exit(13);
		kill(bg, SIGKILL);
		waitpid(bg, &st, 0);
		/* ignoring SIGTTIN: the read fails with EIO instead */
		bg = fork();
		if (bg == 0) {
			setpgid(0, 0);
			signal(SIGTTIN, SIG_IGN);
			char c;
			_exit(read(s, &c, 1) == -1 && errno == EIO ? 0 : 14);
		}
		setpgid(bg, bg);
		if (waitpid(bg, &st, 0) != bg || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			_exit(15);
		/* a foreground child killed by ^C typed at the master */
		pid_t fg = fork();
		if (fg == 0) {
			/* take the terminal itself, so it never reads as a background group */
			setpgid(0, 0);
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(s, getpid());
			signal(SIGTTOU, SIG_DFL);
			write(sync[1], "g", 1);
			char c;
			read(s, &c, 1);
			_exit(16);
		}
		setpgid(fg, fg);
		signal(SIGTTOU, SIG_IGN);
		if (waitpid(fg, &st, WUNTRACED) != fg || !WIFSIGNALED(st) || WTERMSIG(st) != SIGINT)
			_exit(17);
		tcsetpgrp(s, getpid());
		_exit(0);
	}
	close(sync[1]);
	char c;
	CHECK(read(sync[0], &c, 1) == 1, "foreground child ready");
	usleep(200000);
	write(m, "\003", 1);
	int st;
	CHECK(waitpid(leader, &st, 0) == leader, "session leader finished");
	SAY("leader exit status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		t_failures++;
	close(m);
	return t_done();
}
