/* thr_mutex: 4 threads x 100000 increments under a mutex; plus a spinning
 * atomic counter and thread return values through pthread_join. */
#include "t.h"
#include <pthread.h>

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long atomic_counter;

static void *work(void *arg)
{
	long id = (long)arg;
	for (int i = 0; i < 100000; i++) {
		pthread_mutex_lock(&m);
		counter++;
		pthread_mutex_unlock(&m);
		__atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
	}
	return (void *)(id * 10);
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	pthread_t t[4];
	for (long i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, work, (void *)i) == 0, "pthread_create");
	long rsum = 0;
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		rsum += (long)r;
	}
	SAY("counter=%ld atomic=%ld joined sum=%ld\n", counter, atomic_counter, rsum);
	CHECK(counter == 400000 && atomic_counter == 400000, "no lost increments");
	CHECK(pthread_mutex_trylock(&m) == 0, "trylock free mutex");
	CHECK(pthread_mutex_trylock(&m) != 0, "trylock held mutex fails");
	pthread_mutex_unlock(&m);
	/* threads share the pid, have distinct tids */
	return t_done();
}
