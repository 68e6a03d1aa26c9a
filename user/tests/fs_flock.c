/* fs_flock: flock(2) locks belong to the open file description (dup and
 * fork share them, a second open() does not), shared vs exclusive,
 * LOCK_NB, conversion, blocking until release, release at the last close,
 * independence from fcntl record locks; and fcntl F_SETOWN/F_GETOWN(_EX). */
#include "t.h"
#include <sys/file.h>
#include <sys/syscall.h>

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "ok"; }

struct f_owner_ex_k {
	int type, pid;
};

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	const char *p = t_path("f");
	int a = open(p, O_CREAT | O_RDWR, 0644), b = open(p, O_RDWR), d = dup(a);
	SAY("a LOCK_EX: %s\n", rc(flock(a, LOCK_EX)));
	SAY("b LOCK_EX|LOCK_NB (another open): %s\n", rc(flock(b, LOCK_EX | LOCK_NB)));
	SAY("b LOCK_SH|LOCK_NB: %s\n", rc(flock(b, LOCK_SH | LOCK_NB)));
	SAY("dup of a LOCK_EX|LOCK_NB (same description): %s\n", rc(flock(d, LOCK_EX | LOCK_NB)));
	SAY("a converts to LOCK_SH: %s\n", rc(flock(a, LOCK_SH)));
	SAY("b LOCK_SH|LOCK_NB now: %s\n", rc(flock(b, LOCK_SH | LOCK_NB)));
	SAY("b LOCK_EX|LOCK_NB with two shared: %s\n", rc(flock(b, LOCK_EX | LOCK_NB)));
	SAY("a LOCK_UN, then b converts: %s", rc(flock(a, LOCK_UN)));
	SAY(" %s\n", rc(flock(b, LOCK_EX | LOCK_NB)));
	pid_t c = fork();
	if (c == 0) {
		/* inherits a (no lock) and b (exclusive): b's lock is ours too */
		SAY("child: b LOCK_EX again (inherited description): %s\n", rc(flock(b, LOCK_EX | LOCK_NB)));
		int e = open(p, O_RDWR);
		SAY("child: a fresh open LOCK_SH|LOCK_NB: %s\n", rc(flock(e, LOCK_SH | LOCK_NB)));
		close(b); /* the parent's copy of the description still holds the lock */
		long long t0 = t_now_ms();
		SAY("child: blocking LOCK_SH waits for the parent: %s", rc(flock(e, LOCK_SH)));
		SAY(", waited: %s\n", t_now_ms() - t0 >= 100 ? "yes" : "no");
		_exit(0);
	}
	usleep(200000);
	close(b); /* last reference to the description: the lock goes */
	waitpid(c, NULL, 0);
	SAY("after the parent closed b: a LOCK_SH|LOCK_NB: %s\n", rc(flock(a, LOCK_SH | LOCK_NB)));
	flock(a, LOCK_UN);
	/* record locks are another world */
	int e = open(p, O_RDWR);
	flock(e, LOCK_EX);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	SAY("fcntl F_SETLK beside a flock: %s\n", rc(fcntl(a, F_SETLK, &fl)));
	close(e); /* last reference: lock released */
	SAY("after close, a LOCK_EX|LOCK_NB: %s\n", rc(flock(a, LOCK_EX | LOCK_NB)));
	SAY("bad operation 3: %s\n", rc(flock(a, 3)));
	SAY("operation 0: %s\n", rc(flock(a, 0)));
	SAY("LOCK_MAND (retired) is ignored: %s\n", rc(flock(a, 32 | LOCK_SH)));
	SAY("bad fd: %s\n", rc(flock(99, LOCK_SH)));
	int op = open(t_dir, O_PATH);
	SAY("O_PATH fd: %s\n", rc(flock(op, LOCK_SH)));
	int pp[2];
	pipe(pp);
	SAY("pipe read end LOCK_EX: %s", rc(flock(pp[0], LOCK_EX)));
	SAY(", write end LOCK_EX|LOCK_NB: %s\n", rc(flock(pp[1], LOCK_EX | LOCK_NB)));

	/* SIGIO owners */
	SAY("F_GETOWN initially: %d\n", fcntl(a, F_GETOWN));
	SAY("F_SETOWN me: %s", rc(fcntl(a, F_SETOWN, getpid())));
	SAY(", F_GETOWN is me: %s\n", fcntl(a, F_GETOWN) == getpid() ? "yes" : "no");
	SAY("F_SETOWN my group: %s", rc(fcntl(a, F_SETOWN, -getpgrp())));
	SAY(", F_GETOWN is -pgrp: %s\n", fcntl(a, F_GETOWN) == -getpgrp() ? "yes" : "no");
	struct f_owner_ex_k o = {0, 0};
	syscall(SYS_fcntl, a, 16 /* F_GETOWN_EX */, &o);
	SAY("F_GETOWN_EX: type %d pid is the group: %s\n", o.type, o.pid == getpgrp() ? "yes" : "no");
	o.type = 0;
	o.pid = (int)syscall(SYS_gettid);
	SAY("F_SETOWN_EX thread: %s\n", rc(syscall(SYS_fcntl, a, 15, &o)));
	o.type = 9;
	SAY("F_SETOWN_EX type 9: %s\n", rc(syscall(SYS_fcntl, a, 15, &o)));
	pid_t dead = fork();
	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	SAY("F_SETOWN a dead pid: %s\n", rc(fcntl(a, F_SETOWN, dead)));
	SAY("F_SETOWN 0: %s", rc(fcntl(a, F_SETOWN, 0)));
	SAY(", F_GETOWN %d\n", fcntl(a, F_GETOWN));
	t_cleanup();
	return t_done();
}
