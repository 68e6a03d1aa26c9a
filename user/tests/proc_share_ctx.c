/* proc_share_ctx: contexts that clone flags share between processes.
 * CLONE_FS: working directory, root and umask change for both processes;
 * unshare(CLONE_FS) takes a private copy. CLONE_SIGHAND (with CLONE_VM):
 * signal actions are shared; unshare(CLONE_SIGHAND) then fails. CLONE_IO:
 * the I/O priority is shared. CLONE_SYSVSEM: one semaphore undo list,
 * applied when its last holder exits or unshares it. kcmp(2) KCMP_FS / KCMP_SIGHAND / KCMP_IO
 * tell the same story. */
#include "t.h"
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <linux/kcmp.h>

#ifndef CLONE_IO
#define CLONE_IO 0x80000000
#endif

static char stack[4][65536];
static pid_t parent;
static int go[2], back[2];

static const char *same(long r) { return r == 0 ? "equal" : r > 0 ? "different" : t_errname(errno); }
static long kcmp(pid_t a, pid_t b, int type) { return syscall(SYS_kcmp, a, b, type, 0, 0); }

static void wait_go(void)
{
	char c;
	(void)read(go[0], &c, 1);
}
static void say_back(void) { (void)write(back[1], "x", 1); }
static void wait_back(void)
{
	char c;
	(void)read(back[0], &c, 1);
}
static void tell_go(void) { (void)write(go[1], "x", 1); }

static void cwd_is(const char *who)
{
	char buf[256];
	const char *d = getcwd(buf, sizeof buf) ? (strstr(buf, "/sub") ? "sub" : "top") : t_errname(errno);
	SAY("%s cwd: %s\n", who, d);
}

static int fs_child(void *arg)
{
	(void)arg;
	SAY("  child: KCMP_FS with parent: %s\n", same(kcmp(parent, getpid(), KCMP_FS)));
	SAY("  child: chdir sub %d,", chdir("sub"));
	SAY(" umask(077) gave %03o\n", umask(077));
	say_back();
	wait_go();
	SAY("  child: unshare(CLONE_FS): %d\n", unshare(CLONE_FS));
	SAY("  child: KCMP_FS with parent now: %s\n", same(kcmp(parent, getpid(), KCMP_FS)));
	SAY("  child: chdir .. %d,", chdir(".."));
	SAY(" umask(022) gave %03o\n", umask(022));
	cwd_is("  child");
	say_back();
	wait_go();
	return 0;
}

static void fs_checks(void)
{
	SAY("-- CLONE_FS\n");
	mkdir(t_path("sub"), 0755);
	chdir(t_dir);
	umask(022);
	pid_t c = clone(fs_child, stack[0] + sizeof stack[0], CLONE_FS | SIGCHLD, NULL);
	wait_back();
	cwd_is("parent");
	mode_t m = umask(022);
	SAY("parent umask now %03o\n", m);
	umask(m);
	tell_go();
	wait_back();
	cwd_is("parent after the child unshared");
	m = umask(022);
	SAY("parent umask after the child unshared %03o\n", m);
	tell_go();
	SAY("child %s\n", t_wait_desc(c));
	chdir(t_dir);
	pid_t f = fork();
	if (f == 0) {
		wait_go();
		_exit(0);
	}
	SAY("KCMP_FS with a forked child: %s\n", same(kcmp(getpid(), f, KCMP_FS)));
	tell_go();
	waitpid(f, NULL, 0);
}

static volatile int hits;
static void on_usr1(int s)
{
	(void)s;
	hits++;
}

static int sighand_child(void *arg)
{
	(void)arg;
	SAY("  child: KCMP_SIGHAND with parent: %s\n", same(kcmp(parent, getpid(), KCMP_SIGHAND)));
	signal(SIGUSR1, on_usr1);
	errno = 0;
	SAY("  child: unshare(CLONE_SIGHAND) while shared: %s\n", unshare(CLONE_SIGHAND) ? t_errname(errno) : "0");
	say_back();
	wait_go();
	SAY("  child: SIGUSR2 now ignored here too: %s\n", signal(SIGUSR2, SIG_DFL) == SIG_IGN ? "yes" : "no");
	return 0;
}

static void sighand_checks(void)
{
	SAY("-- CLONE_SIGHAND\n");
	pid_t c = clone(sighand_child, stack[1] + sizeof stack[1], CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL);
	wait_back();
	struct sigaction sa;
	sigaction(SIGUSR1, NULL, &sa);
	SAY("parent sees the child's SIGUSR1 handler: %s\n", sa.sa_handler == on_usr1 ? "yes" : "no");
	raise(SIGUSR1);
	SAY("handler ran in the parent: %d\n", hits);
	signal(SIGUSR2, SIG_IGN);
	tell_go();
	SAY("child %s\n", t_wait_desc(c));
	signal(SIGUSR2, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	pid_t f = fork();
	if (f == 0) {
		wait_go();
		_exit(0);
	}
	SAY("KCMP_SIGHAND with a forked child: %s\n", same(kcmp(getpid(), f, KCMP_SIGHAND)));
	tell_go();
	waitpid(f, NULL, 0);
	SAY("unshare(CLONE_SIGHAND) alone: %s\n", unshare(CLONE_SIGHAND) ? t_errname(errno) : "0");
}

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_BE(l) ((2 << 13) | (l))

static int io_child(void *arg)
{
	(void)arg;
	SAY("  child: KCMP_IO with parent: %s\n", same(kcmp(parent, getpid(), KCMP_IO)));
	SAY("  child: ioprio_set BE 6: %ld\n", syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_BE(6)));
	return 0;
}

static void io_checks(void)
{
	SAY("-- CLONE_IO\n");
	SAY("ioprio_set BE 3: %ld\n", syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, IOPRIO_BE(3)));
	pid_t c = clone(io_child, stack[2] + sizeof stack[2], CLONE_IO | SIGCHLD, NULL);
	SAY("child %s\n", t_wait_desc(c));
	long p = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	SAY("parent's priority after the child set it: class %ld level %ld\n", p >> 13, p & 0x1fff);
	pid_t f = fork();
	if (f == 0) {
		wait_go();
		_exit(0);
	}
	SAY("KCMP_IO with a forked child: %s\n", same(kcmp(getpid(), f, KCMP_IO)));
	long q = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, f);
	SAY("forked child's priority: class %ld level %ld\n", q >> 13, q & 0x1fff);
	tell_go();
	waitpid(f, NULL, 0);
}

static int semid;

static int sem_child(void *arg)
{
	(void)arg;
	SAY("  child: KCMP_SYSVSEM with parent: %s\n", same(kcmp(parent, getpid(), KCMP_SYSVSEM)));
	struct sembuf up = {0, 1, SEM_UNDO};
	SAY("  child: semop +1 with SEM_UNDO: %d\n", semop(semid, &up, 1));
	return 0;
}

static int semval(void) { return semctl(semid, 0, GETVAL); }

static void sysvsem_checks(void)
{
	SAY("-- CLONE_SYSVSEM\n");
	semid = semget(IPC_PRIVATE, 1, 0600);
	pid_t f = fork();
	if (f == 0) {
		wait_go();
		_exit(0);
	}
	SAY("KCMP_SYSVSEM with a forked child, no undo list yet: %s\n", same(kcmp(getpid(), f, KCMP_SYSVSEM)));
	pid_t c = clone(sem_child, stack[3] + sizeof stack[3], CLONE_SYSVSEM | SIGCHLD, NULL);
	SAY("child %s\n", t_wait_desc(c));
	SAY("value after the sharing child exited: %d (the list lives on)\n", semval());
	SAY("KCMP_SYSVSEM with the forked child now: %s\n", same(kcmp(getpid(), f, KCMP_SYSVSEM)));
	tell_go();
	waitpid(f, NULL, 0);
	SAY("unshare(CLONE_SYSVSEM): %d,", unshare(CLONE_SYSVSEM));
	SAY(" value now: %d\n", semval());
	struct sembuf up = {0, 2, SEM_UNDO};
	semop(semid, &up, 1);
	f = fork();
	if (f == 0) {
		SAY("  forked child sees %d, exits\n", semval());
		_exit(0);
	}
	waitpid(f, NULL, 0);
	SAY("value after a forked child exited: %d\n", semval());
	SAY("unshare(CLONE_SYSVSEM) again: %d,", unshare(CLONE_SYSVSEM));
	SAY(" value now: %d\n", semval());
	semctl(semid, 0, IPC_RMID);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	t_scratch();
	parent = getpid();
	if (pipe(go) || pipe(back))
		return 1;
	fs_checks();
	sighand_checks();
	io_checks();
	sysvsem_checks();
	chdir("/");
	t_cleanup();
	return t_done();
}
