/* proc_unshare_kcmp: personality(2), host and domain names in uname(2),
 * kcmp(2), unshare(2), close_range(2) and clone3(2) with their documented
 * errors. The names are changed inside a fresh UTS namespace where the
 * kernel has one (the host), so the test never renames the machine it
 * runs on; Keel has a single namespace and its names die with the VM. */
#include "t.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/personality.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <linux/kcmp.h>

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

static const char *rc(long r)
{
	static char buf[32];
	if (r == -1)
		return t_errname(errno);
	snprintf(buf, sizeof buf, "%ld", r);
	return buf;
}

static long kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
	return syscall(SYS_kcmp, a, b, type, x, y);
}

/* "equal", "different" or the errno name. */
static const char *same(long r) { return r == 0 ? "equal" : r > 0 ? "different" : t_errname(errno); }

static void personality_names(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--uname")) {
		struct utsname u;
		uname(&u);
		SAY("  after exec: personality %#lx machine %s\n", (unsigned long)personality(0xffffffff), u.machine);
		exit(0);
	}
	SAY("personality query: %#x\n", personality(0xffffffff));
	SAY("set PER_LINUX32 returns the old: %#x\n", personality(PER_LINUX32));
	struct utsname u;
	uname(&u);
	SAY("now %#x, machine %s\n", personality(0xffffffff), u.machine);
	pid_t c = fork();
	if (c == 0) {
		execl("/proc/self/exe", argv[0], "--uname", (char *)NULL);
		_exit(127);
	}
	waitpid(c, NULL, 0);
	personality(PER_LINUX | ADDR_NO_RANDOMIZE);
	uname(&u);
	SAY("ADDR_NO_RANDOMIZE: %#x, machine %s\n", personality(0xffffffff), u.machine);
	personality(PER_LINUX);

	/* names: in a private UTS namespace where there is one */
	char oldhost[65], olddom[65];
	gethostname(oldhost, sizeof oldhost);
	getdomainname(olddom, sizeof olddom);
	(void)unshare(CLONE_NEWUTS);
	SAY("sethostname: %s\n", rc(sethostname("keel-test", 9)));
	SAY("setdomainname: %s\n", rc(setdomainname("example.org", 11)));
	uname(&u);
	SAY("uname: nodename %s domainname %s\n", u.nodename, u.domainname);
	char buf[128];
	gethostname(buf, sizeof buf);
	SAY("gethostname: %s\n", buf);
	CHECK_ERR(syscall(SYS_sethostname, "x", 65), EINVAL, "sethostname 65 bytes");
	CHECK_ERR(syscall(SYS_sethostname, "x", -1), EINVAL, "sethostname length -1");
	CHECK_ERR(syscall(SYS_setdomainname, (void *)8, 4), EFAULT, "setdomainname bad pointer");
	SAY("sethostname of length 0: %s\n", rc(sethostname("", 0)));
	uname(&u);
	SAY("nodename now '%s'\n", u.nodename);
	pid_t d = fork();
	if (d == 0) {
		setuid(1000);
		SAY("user sethostname: %s\n", rc(sethostname("x", 1)));
		SAY("user setdomainname: %s\n", rc(setdomainname("x", 1)));
		SAY("user unshare(CLONE_NEWUTS): %s\n", rc(unshare(CLONE_NEWUTS)));
		SAY("user unshare(CLONE_NEWNS|CLONE_NEWIPC): %s\n", rc(unshare(CLONE_NEWNS | CLONE_NEWIPC)));
		_exit(0);
	}
	waitpid(d, NULL, 0);
	sethostname(oldhost, strlen(oldhost));
	setdomainname(olddom, strlen(olddom));
}

static void *thread_idle(void *arg)
{
	int *p = arg;
	char ch;
	read(p[0], &ch, 1);
	return NULL;
}

static void kcmp_checks(void)
{
	pid_t me = getpid();
	int a = open("/proc/self/status", O_RDONLY), b = dup(a), c = open("/proc/self/status", O_RDONLY);
	SAY("KCMP_FILE fd, itself: %s\n", same(kcmp(me, me, KCMP_FILE, a, a)));
	SAY("KCMP_FILE fd, its dup: %s\n", same(kcmp(me, me, KCMP_FILE, a, b)));
	SAY("KCMP_FILE fd, another open: %s\n", same(kcmp(me, me, KCMP_FILE, a, c)));
	int p[2];
	pipe(p);
	pid_t child = fork();
	if (child == 0) {
		char ch;
		read(p[0], &ch, 1);
		_exit(0);
	}
	SAY("KCMP_FILE across fork: %s\n", same(kcmp(me, child, KCMP_FILE, a, a)));
	SAY("KCMP_VM with a forked child: %s\n", same(kcmp(me, child, KCMP_VM, 0, 0)));
	SAY("KCMP_FILES with a forked child: %s\n", same(kcmp(me, child, KCMP_FILES, 0, 0)));
	SAY("KCMP_SIGHAND with a forked child: %s\n", same(kcmp(me, child, KCMP_SIGHAND, 0, 0)));
	SAY("KCMP_FS with a forked child: %s\n", same(kcmp(me, child, KCMP_FS, 0, 0)));
	SAY("KCMP_VM with myself: %s\n", same(kcmp(me, me, KCMP_VM, 0, 0)));
	pthread_t t;
	int tp[2];
	pipe(tp);
	pthread_create(&t, NULL, thread_idle, tp);
	usleep(50000);
	/* the thread's id: the highest-numbered task in /proc/self/task is not
	 * portable, so compare through the process id itself */
	SAY("KCMP_VM, two threads' process: %s\n", same(kcmp(me, me, KCMP_VM, 0, 0)));
	write(tp[1], "x", 1);
	pthread_join(t, NULL);
	SAY("KCMP bad type: %s\n", same(kcmp(me, me, 99, 0, 0)));
	SAY("KCMP_FILE bad fd: %s\n", same(kcmp(me, me, KCMP_FILE, a, 999)));
	SAY("KCMP pid 0: %s\n", same(kcmp(0, me, KCMP_VM, 0, 0)));
	pid_t u = fork();
	if (u == 0) {
		setgid(1000);
		setuid(1000);
		SAY("user kcmp on root's processes: %s\n", same(kcmp(me, child, KCMP_VM, 0, 0)));
		_exit(0);
	}
	waitpid(u, NULL, 0);
	write(p[1], "x", 1);
	waitpid(child, NULL, 0);
	SAY("KCMP dead pid: %s\n", same(kcmp(me, child, KCMP_VM, 0, 0)));
	close(a);
	close(b);
	close(c);
}

static char stack[65536];
static int shared_fd;

static int files_child(void *arg)
{
	(void)arg;
	/* shares our table: unshare, then close in the copy only */
	long r = syscall(SYS_unshare, CLONE_FILES);
	close(shared_fd);
	SAY("  child: unshare(CLONE_FILES) %s, closed its copy: %s\n", rc(r),
	    fcntl(shared_fd, F_GETFD) == -1 ? "yes" : "no");
	return 0;
}

static void unshare_checks(void)
{
	SAY("unshare(0): %s\n", rc(unshare(0)));
	SAY("unshare(CLONE_THREAD|CLONE_VM|CLONE_SIGHAND) single-threaded: %s\n",
	    rc(unshare(CLONE_THREAD | CLONE_VM | CLONE_SIGHAND)));
	SAY("unshare(CLONE_FS): %s\n", rc(unshare(CLONE_FS)));
	SAY("unshare(CLONE_FILES): %s\n", rc(unshare(CLONE_FILES)));
	SAY("unshare(bit 0): %s\n", rc(unshare(1)));
	SAY("unshare(CLONE_PARENT): %s\n", rc(unshare(CLONE_PARENT)));
	pthread_t t;
	int tp[2];
	pipe(tp);
	pthread_create(&t, NULL, thread_idle, tp);
	SAY("unshare(CLONE_VM) with two threads: %s\n", rc(unshare(CLONE_VM)));
	SAY("unshare(CLONE_THREAD) with two threads: %s\n", rc(unshare(CLONE_THREAD)));
	write(tp[1], "x", 1);
	pthread_join(t, NULL);

	shared_fd = open("/proc/self/status", O_RDONLY);
	pid_t c = clone(files_child, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
	waitpid(c, NULL, 0);
	SAY("parent's descriptor still open: %s\n", fcntl(shared_fd, F_GETFD) >= 0 ? "yes" : "no");
	close(shared_fd);

	int id = semget(IPC_PRIVATE, 1, 0600);
	struct sembuf up = {0, 3, SEM_UNDO};
	semop(id, &up, 1);
	SAY("semaphore after +3 with SEM_UNDO: %d\n", semctl(id, 0, GETVAL));
	SAY("unshare(CLONE_SYSVSEM): %s\n", rc(unshare(CLONE_SYSVSEM)));
	SAY("semaphore after it (undone now): %d\n", semctl(id, 0, GETVAL));
	semctl(id, 0, IPC_RMID);
}

static int close_child(void *arg)
{
	(void)arg;
	long r = syscall(SYS_close_range, shared_fd, shared_fd, 2 /* CLOSE_RANGE_UNSHARE */);
	SAY("  child: close_range UNSHARE %s, closed for itself: %s\n", rc(r),
	    fcntl(shared_fd, F_GETFD) == -1 ? "yes" : "no");
	return 0;
}

static void close_range_checks(void)
{
	int base = open("/proc/self/status", O_RDONLY);
	for (int i = 40; i < 46; i++)
		dup2(base, i);
	SAY("close_range(41, 43): %s\n", rc(syscall(SYS_close_range, 41, 43, 0)));
	for (int i = 40; i < 46; i++)
		SAY("  fd %d %s\n", i, fcntl(i, F_GETFD) == -1 ? "closed" : fcntl(i, F_GETFD) ? "cloexec" : "open");
	SAY("close_range(44, ~0, CLOEXEC): %s\n", rc(syscall(SYS_close_range, 44, ~0U, 4)));
	for (int i = 44; i < 46; i++)
		SAY("  fd %d %s\n", i, fcntl(i, F_GETFD) == -1 ? "closed" : fcntl(i, F_GETFD) ? "cloexec" : "open");
	SAY("close_range(5, 4): %s\n", rc(syscall(SYS_close_range, 5, 4, 0)));
	SAY("close_range bad flag: %s\n", rc(syscall(SYS_close_range, 40, 40, 1)));
	SAY("close_range over nothing open: %s\n", rc(syscall(SYS_close_range, 200, 300, 0)));
	const char *r = rc(syscall(SYS_close_range, 40, ~0U, 0));
	SAY("close_range(40, ~0): %s, fd 40 %s\n", r, fcntl(40, F_GETFD) == -1 ? "closed" : "open");
	shared_fd = dup2(base, 50);
	pid_t c = clone(close_child, stack + sizeof stack, CLONE_FILES | SIGCHLD, NULL);
	waitpid(c, NULL, 0);
	SAY("parent's fd 50 after the child's UNSHARE: %s\n", fcntl(50, F_GETFD) == -1 ? "closed" : "open");
	close(50);
	close(base);
}

struct clone_args_k {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
		cgroup;
};

static long clone3(struct clone_args_k *a, size_t size) { return syscall(SYS_clone3, a, size); }

static void clone3_checks(void)
{
	struct clone_args_k a = {.exit_signal = SIGCHLD};
	long pid = clone3(&a, 64);
	if (pid == 0)
		_exit(7);
	SAY("clone3 fork-like: child %s\n", pid > 0 ? t_wait_desc((pid_t)pid) : rc(pid));
	char big[200] = {0};
	memcpy(big, &a, sizeof a);
	pid = syscall(SYS_clone3, big, 200);
	if (pid == 0)
		_exit(8);
	SAY("clone3 size 200, zero tail: %s\n", pid > 0 ? t_wait_desc((pid_t)pid) : rc(pid));
	big[150] = 1;
	SAY("clone3 size 200, nonzero tail: %s\n", rc(syscall(SYS_clone3, big, 200)));
	SAY("clone3 size 63: %s\n", rc(clone3(&a, 63)));
	SAY("clone3 size 4097: %s\n", rc(syscall(SYS_clone3, big, 4097)));
	SAY("clone3 bad pointer: %s\n", rc(syscall(SYS_clone3, (void *)8, 64)));
	a.exit_signal = 65;
	SAY("clone3 exit_signal 65: %s\n", rc(clone3(&a, 88)));
	a.exit_signal = SIGCHLD;
	a.flags = 0x11;
	SAY("clone3 signal bits in flags: %s\n", rc(clone3(&a, 88)));
	a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
	SAY("clone3 thread with an exit signal: %s\n", rc(clone3(&a, 88)));
	a.flags = 0;
	a.stack_size = 4096;
	SAY("clone3 stack size without a stack: %s\n", rc(clone3(&a, 88)));
	a.stack_size = 0;
	a.stack = (uint64_t)(uintptr_t)stack;
	SAY("clone3 stack without a size: %s\n", rc(clone3(&a, 88)));
	a.stack = 0;
	a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND;
	SAY("clone3 CLONE_SIGHAND|CLONE_CLEAR_SIGHAND: %s\n", rc(clone3(&a, 88)));
	a.flags = 1ULL << 40;
	SAY("clone3 unknown flag: %s\n", rc(clone3(&a, 88)));

	signal(SIGUSR1, (void (*)(int))personality_names);
	signal(SIGUSR2, SIG_IGN);
	int ptid = 0;
	a = (struct clone_args_k){.flags = CLONE_CLEAR_SIGHAND | CLONE_PARENT_SETTID, .exit_signal = SIGCHLD,
				  .parent_tid = (uint64_t)(uintptr_t)&ptid};
	pid = clone3(&a, 88);
	if (pid == 0) {
		struct sigaction o1, o2;
		sigaction(SIGUSR1, NULL, &o1);
		sigaction(SIGUSR2, NULL, &o2);
		_exit((o1.sa_handler == SIG_DFL ? 1 : 0) | (o2.sa_handler == SIG_IGN ? 2 : 0));
	}
	SAY("clone3 CLONE_CLEAR_SIGHAND: handled -> default, ignored stays: %s\n",
	    pid > 0 ? t_wait_desc((pid_t)pid) : rc(pid));
	SAY("CLONE_PARENT_SETTID wrote the child's id: %s\n", ptid == pid ? "yes" : "no");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	personality_names(argc, argv);
	kcmp_checks();
	unshare_checks();
	close_range_checks();
	clone3_checks();
	return t_done();
}
