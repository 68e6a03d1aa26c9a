/* proc_prctl_more: prctl's child subreaper (orphans and zombies adopted,
 * wait4 there), timer slack (per thread, reset to the creator's value),
 * PR_SET_TSC (rdtsc faults with SIGSEGV while disabled, inherited by
 * fork), THP disable, PR_GET_TID_ADDRESS and PR_SET_MM's permission and
 * size answers. */
#include "t.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED (1 << 1)
#endif

static void subreaper(void)
{
	int v = -1;
	CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0) == 0 && v == 0, "not a subreaper at first");
	CHECK_ERR(prctl(PR_GET_CHILD_SUBREAPER, (int *)8, 0, 0, 0), EFAULT, "GET_CHILD_SUBREAPER bad pointer");
	CHECK(prctl(PR_SET_CHILD_SUBREAPER, 5, 0, 0, 0) == 0, "become a subreaper");
	CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0) == 0 && v == 1, "subreaper reads back 1");
	pid_t me = getpid();
	int p[2];
	pipe(p);
	pid_t a = fork();
	if (a == 0) {
		int w = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &w, 0, 0, 0);
		SAY("child inherits subreaper: %d\n", w);
		pid_t b = fork();
		if (b == 0) {
			char c;
			close(p[1]);
			read(p[0], &c, 1); /* until the middle process is gone */
			for (int i = 0; i < 200 && getppid() != me; i++)
				usleep(5000);
			SAY("orphan's new parent is the subreaper: %s\n", getppid() == me ? "yes" : "no");
			_exit(7);
		}
		pid_t z = fork();
		if (z == 0)
			_exit(9); /* a zombie when its parent goes */
		usleep(50000);
		_exit(3);
	}
	close(p[0]);
	SAY("middle: %s\n", t_wait_desc(a));
	close(p[1]);
	int st, n = 0, sum = 0;
	pid_t w;
	while ((w = wait4(-1, &st, 0, NULL)) > 0) {
		n++;
		if (WIFEXITED(st))
			sum += WEXITSTATUS(st);
	}
	SAY("adopted children reaped: %d, exit codes sum %d, then %s\n", n, sum, t_errname(errno));
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
	CHECK(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0) == 0 && v == 0, "subreaper cleared");
}

static void *slack_thread(void *arg)
{
	(void)arg;
	SAY("thread slack %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	prctl(PR_SET_TIMERSLACK, 1234, 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
	SAY("thread slack after reset %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	return NULL;
}

static void timerslack(void)
{
	SAY("slack %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	CHECK(prctl(PR_SET_TIMERSLACK, 100000, 0, 0, 0) == 0, "set slack 100000");
	SAY("slack %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	pthread_t th;
	pthread_create(&th, NULL, slack_thread, NULL);
	pthread_join(th, NULL);
	SAY("main slack unchanged %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	pid_t c = fork();
	if (c == 0) {
		SAY("child slack %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
		prctl(PR_SET_TIMERSLACK, 777, 0, 0, 0);
		SAY("child slack %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
		prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
		SAY("child slack after reset %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
		_exit(0);
	}
	t_wait_desc(c);
	prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
	SAY("slack after reset %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
}

static sigjmp_buf jb;
static volatile int seg_code;
static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	seg_code = si->si_code;
	siglongjmp(jb, 1);
}

static int try_rdtsc(void)
{
	if (sigsetjmp(jb, 1))
		return 0;
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return 1;
}

static void tsc(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	int m = -1;
	CHECK(prctl(PR_GET_TSC, &m, 0, 0, 0) == 0 && m == PR_TSC_ENABLE, "TSC enabled at first");
	CHECK_ERR(prctl(PR_SET_TSC, 3, 0, 0, 0), EINVAL, "PR_SET_TSC 3");
	CHECK_ERR(prctl(PR_GET_TSC, (int *)8, 0, 0, 0), EFAULT, "PR_GET_TSC bad pointer");
	SAY("rdtsc works: %d\n", try_rdtsc());
	CHECK(prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) == 0, "PR_TSC_SIGSEGV");
	CHECK(prctl(PR_GET_TSC, &m, 0, 0, 0) == 0 && m == PR_TSC_SIGSEGV, "reads back SIGSEGV");
	seg_code = 0;
	int works = try_rdtsc();
	SAY("rdtsc works: %d (si_code %d)\n", works, seg_code);
	pid_t c = fork();
	if (c == 0) {
		int cm = -1;
		prctl(PR_GET_TSC, &cm, 0, 0, 0);
		SAY("child TSC mode %d, rdtsc works: %d\n", cm, try_rdtsc());
		_exit(0);
	}
	t_wait_desc(c);
	CHECK(prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0) == 0, "PR_TSC_ENABLE");
	SAY("rdtsc works: %d\n", try_rdtsc());
	signal(SIGSEGV, SIG_DFL);
}

static void thp(void)
{
	SAY("THP disable %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	CHECK_ERR(prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0), EINVAL, "GET_THP_DISABLE arg2");
	CHECK_ERR(prctl(PR_SET_THP_DISABLE, 0, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0), EINVAL, "flags when enabling");
	CHECK_ERR(prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0), EINVAL, "unknown flag");
	CHECK_ERR(prctl(PR_SET_THP_DISABLE, 1, 0, 1, 0), EINVAL, "arg4");
	CHECK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0, "disable THP");
	SAY("THP disable %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	CHECK(prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED, 0, 0) == 0, "disable except advised");
	SAY("THP disable %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	pid_t c = fork();
	if (c == 0) {
		SAY("child THP disable %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
		_exit(0);
	}
	t_wait_desc(c);
	CHECK(prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0) == 0, "enable THP");
	SAY("THP disable %d\n", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
}

static int tid_word;
static void tid_address(void)
{
	int *addr = (int *)1;
	CHECK(prctl(PR_GET_TID_ADDRESS, &addr, 0, 0, 0) == 0, "PR_GET_TID_ADDRESS");
	SAY("libc set a tid address: %s\n", addr ? "yes" : "no");
	int *old = addr;
	syscall(SYS_set_tid_address, &tid_word);
	prctl(PR_GET_TID_ADDRESS, &addr, 0, 0, 0);
	SAY("reads back what set_tid_address set: %s\n", addr == &tid_word ? "yes" : "no");
	syscall(SYS_set_tid_address, old);
	CHECK_ERR(prctl(PR_GET_TID_ADDRESS, (void *)8, 0, 0, 0), EFAULT, "PR_GET_TID_ADDRESS bad pointer");
}

static void set_mm(void)
{
	unsigned size = 0;
	CHECK(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &size, 0, 0) == 0, "PR_SET_MM_MAP_SIZE");
	SAY("prctl_mm_map size %u\n", size);
	/* a privileged caller's answers depend on CAP_SYS_RESOURCE, which a
	 * container's root may lack: only the unprivileged case is compared */
	pid_t c = fork();
	if (c == 0) {
		t_failures = 0;
		setuid(65534);
		CHECK_ERR(prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x400000, 0, 0), EPERM, "non-root PR_SET_MM");
		unsigned s2 = 0;
		CHECK(prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &s2, 0, 0) == 0 && s2 == size, "non-root MAP_SIZE");
		_exit(t_failures);
	}
	SAY("non-root child: %s\n", t_wait_desc(c));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	subreaper();
	timerslack();
	tsc();
	thp();
	tid_address();
	set_mm();
	CHECK_ERR(prctl(9999, 0, 0, 0, 0), EINVAL, "unknown option");
	return t_done();
}
