/* thr_cond_barrier: producer/consumer over a condition variable, a
 * 4-thread barrier, a timed condvar wait, and thread-shared getpid. */
#include "t.h"
#include <pthread.h>
#include <sys/syscall.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nonempty = PTHREAD_COND_INITIALIZER, nonfull = PTHREAD_COND_INITIALIZER;
static int q[8], qn, qh;
static long consumed_sum;
static pthread_barrier_t bar;
static int serial_count, pid_same, tid_diff;
static pid_t mainpid, maintid;

static void *producer(void *a)
{
	(void)a;
	for (int i = 1; i <= 5000; i++) {
		pthread_mutex_lock(&m);
		while (qn == 8) pthread_cond_wait(&nonfull, &m);
		q[(qh + qn++) % 8] = i;
		pthread_cond_signal(&nonempty);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *consumer(void *a)
{
	(void)a;
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&m);
		while (qn == 0) pthread_cond_wait(&nonempty, &m);
		consumed_sum += q[qh];
		qh = (qh + 1) % 8; qn--;
		pthread_cond_signal(&nonfull);
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *barrier_worker(void *a)
{
	(void)a;
	for (int round = 0; round < 10; round++) {
		int r = pthread_barrier_wait(&bar);
		if (r == PTHREAD_BARRIER_SERIAL_THREAD) __atomic_fetch_add(&serial_count, 1, __ATOMIC_SEQ_CST);
	}
	if (getpid() == mainpid) __atomic_fetch_add(&pid_same, 1, __ATOMIC_SEQ_CST);
	if (syscall(SYS_gettid) != maintid) __atomic_fetch_add(&tid_diff, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	mainpid = getpid();
	maintid = syscall(SYS_gettid);
	CHECK(maintid == mainpid, "main thread tid == pid");
	pthread_t p, c;
	pthread_create(&c, NULL, consumer, NULL);
	pthread_create(&p, NULL, producer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	SAY("consumed sum=%ld\n", consumed_sum);
	CHECK(consumed_sum == 5000L * 5001 / 2, "every item consumed once");

	pthread_barrier_init(&bar, NULL, 4);
	pthread_t t[4];
	for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, barrier_worker, NULL);
	for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
	SAY("barrier serial threads over 10 rounds: %d\n", serial_count);
	SAY("threads with same pid: %d, with own tid: %d\n", pid_same, tid_diff);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 100 * 1000000;
	if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
	long long t0 = t_now_ms();
	pthread_mutex_lock(&m);
	int r = pthread_cond_timedwait(&nonempty, &m, &ts);
	pthread_mutex_unlock(&m);
	long long el = t_now_ms() - t0;
	CHECK(r == ETIMEDOUT, "cond_timedwait times out");
	CHECK(el >= 90 && el < 2000, "waited about 100ms");
	return t_done();
}
