/* sync_futex: raw futex(2) WAIT/WAKE: value mismatch, timeout, wake of a
 * waiting thread, private flag, and a shared futex across fork. */
#include "t.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static long fx(int *u, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, u, op, val, ts, NULL, 0);
}

static int word;
static volatile int woke;

static void *waiter(void *a)
{
	(void)a;
	while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0)
		fx(&word, FUTEX_WAIT_PRIVATE, 0, NULL);
	woke = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int v = 5;
	CHECK_ERR(fx(&v, FUTEX_WAIT, 4, NULL), EAGAIN, "WAIT with stale value");
	struct timespec ts = { 0, 100000000 };
	long long t0 = t_now_ms();
	CHECK_ERR(fx(&v, FUTEX_WAIT, 5, &ts), ETIMEDOUT, "WAIT 100ms timeout");
	long long el = t_now_ms() - t0;
	SAY("elapsed>=100ms: %s <2s: %s\n", el >= 99 ? "yes" : "no", el < 2000 ? "yes" : "no");
	CHECK(fx(&v, FUTEX_WAKE, 1, NULL) == 0, "WAKE with no waiters returns 0");
	CHECK_ERR(fx((int *)1, FUTEX_WAIT, 0, NULL), EINVAL, "unaligned address");
	CHECK_ERR(fx(&v, 0x7f, 0, NULL), ENOSYS, "unknown op");

	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	long woken = 0;
	for (int i = 0; i < 200 && woken == 0; i++) {
		usleep(10000);
		if (i == 199 || i >= 5) {
			__atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
			woken = fx(&word, FUTEX_WAKE_PRIVATE, 1, NULL);
			if (woken == 0 && woke) break; /* thread saw the value itself */
		}
	}
	pthread_join(t, NULL);
	SAY("waiter woke: %s\n", woke ? "yes" : "no");
	CHECK(woken <= 1, "WAKE woke at most one");

	/* shared futex between processes */
	int *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*sh = 0;
	pid_t c = fork();
	if (c == 0) {
		struct timespec lim = { 5, 0 };
		while (__atomic_load_n(sh, __ATOMIC_SEQ_CST) == 0)
			if (fx(sh, FUTEX_WAIT, 0, &lim) == -1 && errno == ETIMEDOUT) _exit(2);
		_exit(sh[1] == 77 ? 0 : 1);
	}
	usleep(50000);
	sh[1] = 77;
	__atomic_store_n(sh, 1, __ATOMIC_SEQ_CST);
	fx(sh, FUTEX_WAKE, 1, NULL);
	SAY("cross-process waiter: %s\n", t_wait_desc(c));
	return t_done();
}
