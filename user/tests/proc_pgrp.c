/* proc_pgrp: process groups and sessions created by the test itself. */
#include "t.h"
#include <signal.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pid_t me = getpid();
	CHECK(getpgid(0) == getpgrp(), "getpgid(0)==getpgrp()");
	CHECK(getsid(0) == getsid(me), "getsid(0)==getsid(self)");
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		int ok = 1;
		pid_t self = getpid();
		ok &= getpgrp() == getpgid(getppid()); /* inherited group */
		ok &= setsid() == self;
		ok &= getsid(0) == self && getpgrp() == self;
		ok &= setsid() == -1 && errno == EPERM; /* already a leader */
		/* a grandchild in the new session makes its own group */
		pid_t g = fork();
		if (g == 0) {
			int ok2 = getsid(0) == self && getpgrp() == self;
			ok2 &= setpgid(0, 0) == 0 && getpgrp() == getpid();
			ok2 &= getsid(0) == self;
			_exit(ok2 ? 0 : 1);
		}
		int st;
		waitpid(g, &st, 0);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
		_exit(ok ? 0 : 1);
	}
	SAY("setsid child: %s\n", t_wait_desc(c));

	/* parent moves a child into a new group; kill(-pgid) reaches it */
	c = fork();
	if (c == 0) { char ch; close(p[1]); read(p[0], &ch, 1); for (;;) pause(); }
	CHECK(setpgid(c, c) == 0, "setpgid(child, child)");
	CHECK(getpgid(c) == c, "getpgid(child)==child");
	CHECK(kill(-c, SIGTERM) == 0, "kill(-pgid)");
	SAY("group member: %s\n", t_wait_desc(c));
	CHECK_ERR(kill(-c, SIGTERM), ESRCH, "kill empty group");
	CHECK_ERR(setpgid(0, -1), EINVAL, "setpgid negative pgid");
	CHECK_ERR(getpgid(0x3ffffff0), ESRCH, "getpgid unknown pid");
	CHECK_ERR(getsid(0x3ffffff0), ESRCH, "getsid unknown pid");

	/* setpgid on a child that has exec'd or is not ours fails */
	CHECK_ERR(setpgid(1, 1), ESRCH, "setpgid on non-child");
	return t_done();
}
