/* proc_ids: the getuid family and related identity calls (relations only). */
#include "t.h"
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK(getresuid(&r, &e, &s) == 0, "getresuid");
	CHECK(getresgid(&gr, &ge, &gs) == 0, "getresgid");
	CHECK(r == getuid() && e == geteuid(), "getresuid matches getuid/geteuid");
	CHECK(gr == getgid() && ge == getegid(), "getresgid matches getgid/getegid");
	CHECK(r == e && e == s, "real==effective==saved uid");
	CHECK(gr == ge && ge == gs, "real==effective==saved gid");
	int n = getgroups(0, NULL);
	CHECK(n >= 0, "getgroups(0) count");
	gid_t g[256];
	CHECK(getgroups(256, g) == n, "getgroups returns the same count");
	CHECK(getpid() > 0 && getppid() > 0, "pid>0 and ppid>0");
	CHECK(syscall(SYS_gettid) == getpid(), "gettid==getpid in main thread");
	/* identity is inherited by children */
	pid_t c = fork();
	if (c == 0) _exit(getuid() == r && getgid() == gr && getppid() != getpid() ? 0 : 1);
	SAY("child: %s\n", t_wait_desc(c));
	/* setting ids to their current values always succeeds */
	CHECK(setuid(getuid()) == 0, "setuid(getuid())");
	CHECK(setgid(getgid()) == 0, "setgid(getgid())");
	CHECK(setreuid(-1, -1) == 0, "setreuid(-1,-1)");
	CHECK(setresuid(-1, -1, -1) == 0, "setresuid(-1,-1,-1)");
	return t_done();
}
