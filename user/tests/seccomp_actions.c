/* seccomp_actions: what installed filters do. ERRNO (with the 4095 cap
 * and data 0), argument and arch matching, TRAP (SIGSYS siginfo, the
 * handler's view of the registers, a blocked SIGSYS), KILL_PROCESS and
 * KILL_THREAD seen from the parent, TRACE without a tracer, LOG, stacked
 * filters (the most restrictive action wins, the newest among equals),
 * inheritance across fork, threads and execve, TSYNC and its failure
 * modes, and strict mode. Every filter is installed in a child. */
#include "t.h"
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define S(c, k) BPF_STMT(c, k)
#define J(c, k, t, f) BPF_JUMP(c, k, t, f)
#define NR_OFF offsetof(struct seccomp_data, nr)
#define ARCH_OFF offsetof(struct seccomp_data, arch)
#define ARG0_LO offsetof(struct seccomp_data, args[0])
#define ARG0_HI (offsetof(struct seccomp_data, args[0]) + 4)

static long install(struct sock_filter *prog, unsigned short n, unsigned flags)
{
	struct sock_fprog fp = {n, prog};
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fp);
}

/* A filter: call nr gets `action`, everything else is allowed. */
static long on_call(int nr, unsigned action, unsigned flags)
{
	struct sock_filter f[] = {
		S(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		J(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		S(BPF_RET | BPF_K, action),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	return install(f, 4, flags);
}

static void report(long r, const char *what)
{
	if (r < 0)
		SAY("%s: -1 %s\n", what, t_errname(errno));
	else
		SAY("%s: %ld\n", what, r);
}

static void child_errno(void)
{
	CHECK(on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0) == 0, "install ERRNO(EPERM) for getppid");
	report(syscall(SYS_getppid), "getppid");
	CHECK(on_call(SYS_getuid, SECCOMP_RET_ERRNO | 0xffff, 0) == 0, "install ERRNO(0xffff) for getuid");
	errno = 0;
	long r = syscall(SYS_getuid);
	SAY("getuid: r=%ld errno=%d\n", r, errno);
	CHECK(on_call(SYS_getgid, SECCOMP_RET_ERRNO | 0, 0) == 0, "install ERRNO(0) for getgid");
	report(syscall(SYS_getgid), "getgid (ERRNO 0: skipped, returns 0)");
	/* argument matching: dup(7) and dup(7 | 1<<32) fail, dup(1) works */
	struct sock_filter f[] = {
		S(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		J(BPF_JMP | BPF_JEQ | BPF_K, SYS_dup, 0, 3),
		S(BPF_LD | BPF_W | BPF_ABS, ARG0_LO),
		J(BPF_JMP | BPF_JEQ | BPF_K, 7, 0, 1),
		S(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | E2BIG),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK(install(f, 6, 0) == 0, "install dup(7) filter");
	report(syscall(SYS_dup, 7), "dup(7)");
	report(syscall(SYS_dup, 7 | (1ULL << 32)), "dup(7 + 2^32)");
	long d = syscall(SYS_dup, 1);
	CHECK(d > 2, "dup(1) works");
	close((int)d);
	/* the high word of an argument */
	struct sock_filter g[] = {
		S(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		J(BPF_JMP | BPF_JEQ | BPF_K, SYS_lseek, 0, 3),
		S(BPF_LD | BPF_W | BPF_ABS, ARG0_HI),
		J(BPF_JMP | BPF_JEQ | BPF_K, 5, 0, 1),
		S(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOTTY),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK(install(g, 6, 0) == 0, "install lseek high-word filter");
	report(syscall(SYS_lseek, 5ULL << 32, 0, SEEK_CUR), "lseek(5<<32)");
	report(syscall(SYS_lseek, 999, 0, SEEK_CUR), "lseek(999)");
	/* arch and the scratch memory, length and ALU ops */
	struct sock_filter h[] = {
		S(BPF_LD | BPF_W | BPF_ABS, ARCH_OFF),
		J(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		S(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		S(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		S(BPF_ST, 4),
		S(BPF_LD | BPF_W | BPF_LEN, 0),    /* A = 64 */
		S(BPF_ALU | BPF_RSH | BPF_K, 3),   /* 8 */
		S(BPF_ALU | BPF_MUL | BPF_K, 5),   /* 40 */
		S(BPF_ALU | BPF_ADD | BPF_K, 1),   /* 41 */
		S(BPF_MISC | BPF_TAX, 0),          /* X = 41 */
		S(BPF_LD | BPF_MEM, 4),            /* A = nr */
		J(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 1), /* nr == 41 (socket)? */
		S(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	CHECK(install(h, 14, 0) == 0, "install arch/ALU filter");
	report(syscall(SYS_socket, 1, 1, 0), "socket");
	/* a zero X divisor ends the program with 0: KILL_THREAD */
}

static volatile sig_atomic_t h_sig, h_code, h_errno, h_syscall, h_arch, h_addr_ok, h_rax;
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	ucontext_t *u = uc;
	h_sig = sig;
	h_code = si->si_code;
	h_errno = si->si_errno;
	h_syscall = si->si_syscall;
	h_arch = si->si_arch == AUDIT_ARCH_X86_64;
	h_addr_ok = si->si_call_addr != NULL;
	h_rax = (sig_atomic_t)u->uc_mcontext.gregs[REG_RAX];
	u->uc_mcontext.gregs[REG_RAX] = 4242; /* the call's result, as the handler decides */
}

static void child_trap(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSYS, &sa, NULL);
	CHECK(on_call(SYS_getppid, SECCOMP_RET_TRAP | 77, 0) == 0, "install TRAP(77) for getppid");
	long r = syscall(SYS_getppid);
	SAY("trap: result %ld sig %d code %d errno %d syscall %d arch ok %d addr ok %d rax %d\n", r, (int)h_sig,
	    (int)h_code, (int)h_errno, (int)h_syscall, (int)h_arch, (int)h_addr_ok, (int)h_rax);
	/* a blocked SIGSYS cannot be held back: the process dies */
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGSYS);
	pid_t c = fork();
	if (c == 0) {
		sigprocmask(SIG_BLOCK, &m, NULL);
		syscall(SYS_getppid);
		_exit(3);
	}
	SAY("blocked SIGSYS: %s\n", t_wait_desc(c));
	c = fork();
	if (c == 0) {
		signal(SIGSYS, SIG_IGN);
		syscall(SYS_getppid);
		_exit(3);
	}
	SAY("ignored SIGSYS: %s\n", t_wait_desc(c));
}

static void child_kill_process(void)
{
	on_call(SYS_getppid, SECCOMP_RET_KILL_PROCESS, 0);
	syscall(SYS_getppid);
	_exit(5);
}

static void child_kill_thread_single(void)
{
	on_call(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0);
	syscall(SYS_getppid);
	_exit(5);
}

static void child_unknown_action(void)
{
	on_call(SYS_getppid, 0x00010000, 0);
	syscall(SYS_getppid);
	_exit(5);
}

static void child_div_zero(void)
{
	struct sock_filter f[] = {
		S(BPF_LD | BPF_W | BPF_ABS, NR_OFF),
		J(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		S(BPF_ALU | BPF_DIV | BPF_X, 0),
		S(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	install(f, 4, 0);
	syscall(SYS_getppid);
	_exit(5);
}

static int pipefd[2];
static void *victim(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	char c;
	read(pipefd[0], &c, 1);
	long r = syscall(SYS_getppid);
	SAY("thread after TSYNC: getppid %s\n", r == -1 ? t_errname(errno) : "allowed");
	return NULL;
}

/* KILL_THREAD in a process with two threads ends only the caller. */
static void child_kill_thread_multi(void)
{
	on_call(SYS_getppid, SECCOMP_RET_KILL_THREAD, 0);
	pthread_t th;
	pthread_create(&th, NULL, victim, NULL);
	sleep(1); /* pthread_join would wait forever: the thread is killed without clearing its tid */
	SAY("main thread survives KILL_THREAD of another\n");
	_exit(6);
}

static void child_trace_log(void)
{
	CHECK(on_call(SYS_getppid, SECCOMP_RET_TRACE | 3, 0) == 0, "install TRACE for getppid");
	report(syscall(SYS_getppid), "getppid under TRACE, no tracer");
	CHECK(on_call(SYS_getuid, SECCOMP_RET_LOG, 0) == 0, "install LOG for getuid");
	CHECK(syscall(SYS_getuid) == (long)getuid(), "getuid under LOG runs");
}

static void child_stacking(void)
{
	on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0);
	on_call(SYS_getppid, SECCOMP_RET_ERRNO | EACCES, 0);
	report(syscall(SYS_getppid), "two ERRNO filters (newest wins)");
	on_call(SYS_getppid, SECCOMP_RET_LOG, 0);
	report(syscall(SYS_getppid), "LOG above ERRNO");
	on_call(SYS_getppid, SECCOMP_RET_TRACE, 0);
	report(syscall(SYS_getppid), "TRACE above ERRNO (ERRNO is stricter)");
	on_call(SYS_getuid, SECCOMP_RET_TRACE, 0);
	on_call(SYS_getuid, SECCOMP_RET_ERRNO | ENOEXEC, 0);
	report(syscall(SYS_getuid), "ERRNO newer than TRACE");
	on_call(SYS_getgid, SECCOMP_RET_ERRNO | EIO, 0);
	on_call(SYS_getgid, SECCOMP_RET_TRAP, 0);
	signal(SIGSYS, SIG_DFL);
	pid_t c = fork();
	if (c == 0) {
		syscall(SYS_getgid);
		_exit(3);
	}
	SAY("TRAP beats ERRNO: %s\n", t_wait_desc(c));
	report(syscall(SYS_getppid), "fork kept the parent's filters");
}

static void child_tsync(void)
{
	pipe(pipefd);
	pthread_t th;
	pthread_create(&th, NULL, sleeper, NULL);
	CHECK(on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC) == 0, "TSYNC install");
	write(pipefd[1], "x", 1);
	pthread_join(th, NULL);
}

static pid_t other_tid;
static void *own_filter(void *arg)
{
	(void)arg;
	other_tid = (pid_t)syscall(SYS_gettid);
	on_call(SYS_getuid, SECCOMP_RET_ERRNO | EPERM, 0);
	char c;
	read(pipefd[0], &c, 1);
	return NULL;
}

static void child_tsync_fail(void)
{
	pipe(pipefd);
	pthread_t th;
	pthread_create(&th, NULL, own_filter, NULL);
	while (!__atomic_load_n(&other_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(20000);
	long r = on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC);
	SAY("TSYNC against a diverged thread returns its tid: %s\n", r == other_tid ? "yes" : "no");
	errno = 0;
	r = on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM,
		    SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH);
	report(r, "TSYNC|TSYNC_ESRCH");
	SAY("no filter attached after a failed TSYNC: %s\n", syscall(SYS_getppid) > 0 ? "yes" : "no");
	write(pipefd[1], "x", 1);
	pthread_join(th, NULL);
}

static void child_exec(char *self)
{
	CHECK(on_call(SYS_getppid, SECCOMP_RET_ERRNO | EXDEV, 0) == 0, "install before exec");
	char *args[] = {self, "after-exec", NULL};
	execvp(self, args);
	SAY("execvp failed: %s\n", t_errname(errno));
	_exit(9);
}

static void after_exec(void)
{
	report(syscall(SYS_getppid), "after exec getppid");
	SAY("after exec NNP %d mode %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	_exit(t_failures ? 1 : 0);
}

static void child_strict(void)
{
	CHECK(prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) == 0, "enter strict mode");
	write(1, "strict: write allowed\n", 22);
	syscall(SYS_getpid);
	write(1, "strict: not reached\n", 20);
	syscall(SYS_exit, 0);
}

static void child_strict_exit(void)
{
	syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL);
	char c;
	long r = read(-1, &c, 1); /* read is allowed (and fails normally) */
	write(1, r == -1 ? "strict: read ran\n" : "strict: read odd\n", 17);
	syscall(SYS_exit, 4);
}

static void child_strict_exit_group(void)
{
	syscall(SYS_seccomp, SECCOMP_SET_MODE_STRICT, 0, NULL);
	syscall(SYS_exit_group, 4); /* not among the four allowed */
}

static void run(void (*fn)(void), const char *name)
{
	pid_t c = fork();
	if (c == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
			_exit(8);
		fn();
		_exit(t_failures ? 1 : 0);
	}
	SAY("%s: %s\n", name, t_wait_desc(c));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "after-exec"))
		after_exec();
	run(child_errno, "errno child");
	run(child_trap, "trap child");
	run(child_kill_process, "KILL_PROCESS");
	run(child_kill_thread_single, "KILL_THREAD, one thread");
	run(child_unknown_action, "unknown action");
	run(child_div_zero, "division by zero X");
	run(child_kill_thread_multi, "KILL_THREAD, two threads");
	run(child_trace_log, "trace/log child");
	run(child_stacking, "stacking child");
	run(child_tsync, "tsync child");
	run(child_tsync_fail, "tsync failure child");
	pid_t c = fork();
	if (c == 0) {
		prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		child_exec(argv[0]);
	}
	SAY("exec child: %s\n", t_wait_desc(c));
	run(child_strict, "strict, getpid");
	run(child_strict_exit, "strict, exit");
	run(child_strict_exit_group, "strict, exit_group");
	CHECK(prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 0, "parent unfiltered");
	return t_done();
}
