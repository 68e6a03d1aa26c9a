/* thr_robust_pi: robust futex lists walked when a thread or process dies
 * holding a lock (EOWNERDEAD, pthread_mutex_consistent,
 * ENOTRECOVERABLE), priority-inheritance mutexes (contention, trylock,
 * error checks), and the raw FUTEX_LOCK_PI/TRYLOCK_PI/UNLOCK_PI protocol
 * with its errors; set_robust_list/get_robust_list. */
#include "t.h"
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/futex.h>

static const char *en(int e) { return e ? t_errname(e) : "0"; }

static pthread_mutex_t *m;

static void *lock_and_die(void *arg)
{
	(void)arg;
	pthread_mutex_lock(m);
	return NULL; /* exits holding it */
}

static void robust_kind(int protocol, const char *what)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setprotocol(&a, protocol);
	static pthread_mutex_t mu;
	m = &mu;
	pthread_mutex_init(m, &a);
	pthread_t t;
	pthread_create(&t, NULL, lock_and_die, NULL);
	pthread_join(t, NULL);
	SAY("%s: lock after the owner thread died: %s\n", what, en(pthread_mutex_lock(m)));
	SAY("%s: consistent: %s\n", what, en(pthread_mutex_consistent(m)));
	SAY("%s: unlock: %s", what, en(pthread_mutex_unlock(m)));
	SAY(", lock again: %s\n", en(pthread_mutex_lock(m)));
	pthread_mutex_unlock(m);
	pthread_create(&t, NULL, lock_and_die, NULL);
	pthread_join(t, NULL);
	SAY("%s: owner died again: %s\n", what, en(pthread_mutex_lock(m)));
	pthread_mutex_unlock(m); /* not made consistent */
	SAY("%s: then: %s\n", what, en(pthread_mutex_lock(m)));
	pthread_mutex_destroy(m);
}

static void robust_shared(int protocol, const char *what)
{
	pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setprotocol(&a, protocol);
	pthread_mutex_init(sm, &a);
	int p[2];
	pipe(p);
	pid_t c = fork();
	if (c == 0) {
		pthread_mutex_lock(sm);
		write(p[1], "x", 1);
		usleep(200000);
		_exit(0);
	}
	char ch;
	read(p[0], &ch, 1);
	/* blocks until the child dies holding it */
	SAY("%s, shared: lock after the owner process died: %s\n", what, en(pthread_mutex_lock(sm)));
	pthread_mutex_consistent(sm);
	pthread_mutex_unlock(sm);
	waitpid(c, NULL, 0);
	munmap(sm, 4096);
}

static pthread_mutex_t pim;
static volatile int shared_counter;

static void *pi_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&pim);
		int v = shared_counter;
		if (i % 50 == 0)
			sched_yield();
		shared_counter = v + 1;
		pthread_mutex_unlock(&pim);
	}
	return NULL;
}

static void *try_from_other(void *arg)
{
	return (void *)(intptr_t)pthread_mutex_trylock((pthread_mutex_t *)arg);
}

static void pi_mutex(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&pim, &a);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, pi_worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	SAY("PI mutex, 4 threads x 200 increments: %d\n", shared_counter);
	pthread_mutex_lock(&pim);
	SAY("PI errorcheck relock: %s\n", en(pthread_mutex_lock(&pim)));
	void *r;
	pthread_t o;
	pthread_create(&o, NULL, try_from_other, &pim);
	pthread_join(o, &r);
	SAY("PI trylock from another thread: %s\n", en((int)(intptr_t)r));
	pthread_mutex_unlock(&pim);
	SAY("PI unlock when not owner: %s\n", en(pthread_mutex_unlock(&pim)));
	pthread_mutex_destroy(&pim);
}

static uint32_t word;
static volatile int handed; /* main printed its line: the other may print */

static long fx(uint32_t *w, int op, const struct timespec *ts)
{
	return syscall(SYS_futex, w, op, 0, ts, NULL, 0);
}

static const char *rc(long r) { return r == -1 ? t_errname(errno) : "0"; }

static void *raw_other(void *arg)
{
	(void)arg;
	SAY("  other: TRYLOCK_PI on a held lock: %s\n", rc(fx(&word, FUTEX_TRYLOCK_PI, NULL)));
	SAY("  other: UNLOCK_PI it does not own: %s\n", rc(fx(&word, FUTEX_UNLOCK_PI, NULL)));
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 100000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	SAY("  other: LOCK_PI with a timeout: %s\n", rc(fx(&word, FUTEX_LOCK_PI, &ts)));
	SAY("  other: word has FUTEX_WAITERS: %s\n", (word & FUTEX_WAITERS) ? "yes" : "no");
	const char *got = rc(fx(&word, FUTEX_LOCK_PI, NULL));
	while (!handed)
		usleep(1000);
	SAY("  other: LOCK_PI blocks until it is handed over: %s\n", got);
	SAY("  other: word is my tid|FUTEX_WAITERS: %s\n",
	    word == ((uint32_t)syscall(SYS_gettid) | FUTEX_WAITERS) ? "yes" : "no");
	const char *r = rc(fx(&word, FUTEX_UNLOCK_PI, NULL));
	SAY("  other: UNLOCK_PI: %s, word %u\n", r, word);
	return NULL;
}

static void raw_pi(void)
{
	uint32_t me = (uint32_t)syscall(SYS_gettid);
	const char *r = rc(fx(&word, FUTEX_LOCK_PI, NULL));
	SAY("LOCK_PI on 0: %s, word is my tid: %s\n", r, word == me ? "yes" : "no");
	SAY("LOCK_PI again: %s\n", rc(fx(&word, FUTEX_LOCK_PI, NULL)));
	SAY("TRYLOCK_PI again: %s\n", rc(fx(&word, FUTEX_TRYLOCK_PI, NULL)));
	pthread_t t;
	pthread_create(&t, NULL, raw_other, NULL);
	usleep(400000);
	SAY("UNLOCK_PI hands it over: %s\n", rc(fx(&word, FUTEX_UNLOCK_PI, NULL)));
	handed = 1;
	pthread_join(t, NULL);
	SAY("UNLOCK_PI unowned: %s\n", rc(fx(&word, FUTEX_UNLOCK_PI, NULL)));
	word = 0x3ffffffe; /* an owner tid that does not exist */
	SAY("LOCK_PI with a dead owner: %s\n", rc(fx(&word, FUTEX_LOCK_PI, NULL)));
	word = FUTEX_OWNER_DIED;
	r = rc(fx(&word, FUTEX_LOCK_PI, NULL));
	SAY("LOCK_PI on OWNER_DIED with no owner: %s, keeps the bit: %s\n", r, word == (me | FUTEX_OWNER_DIED) ? "yes" : "no");
	r = rc(fx(&word, FUTEX_UNLOCK_PI, NULL));
	SAY("UNLOCK_PI clears it: %s, word %u\n", r, word);
	SAY("LOCK_PI unaligned: %s\n", rc(fx((uint32_t *)((char *)&word + 1), FUTEX_LOCK_PI, NULL)));
	SAY("LOCK_PI bad address: %s\n", rc(fx((uint32_t *)8, FUTEX_LOCK_PI, NULL)));
	SAY("WAIT_REQUEUE_PI on one address: %s\n", rc(syscall(SYS_futex, &word, FUTEX_WAIT_REQUEUE_PI, 0, NULL, &word, 0)));
}

static void robust_syscalls(void)
{
	void *head;
	size_t len;
	len = 0;
	head = NULL;
	const char *r = rc(syscall(SYS_get_robust_list, 0, &head, &len));
	SAY("get_robust_list(0): %s, len %zu, head set: %s\n", r, len, head ? "yes" : "no");
	SAY("set_robust_list len 23: %s\n", rc(syscall(SYS_set_robust_list, head, 23)));
	pid_t c = fork();
	if (c == 0)
		_exit(0);
	waitpid(c, NULL, 0);
	SAY("get_robust_list(dead): %s\n", rc(syscall(SYS_get_robust_list, c, &head, &len)));
	SAY("get_robust_list bad pointer: %s\n", rc(syscall(SYS_get_robust_list, 0, (void *)8, &len)));
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	robust_kind(PTHREAD_PRIO_NONE, "robust");
	robust_kind(PTHREAD_PRIO_INHERIT, "robust PI");
	robust_shared(PTHREAD_PRIO_NONE, "robust");
	robust_shared(PTHREAD_PRIO_INHERIT, "robust PI");
	pi_mutex();
	raw_pi();
	robust_syscalls();
	return t_done();
}
