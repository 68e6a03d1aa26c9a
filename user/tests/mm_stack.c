/* mm_stack: the main stack grows on demand: 1 MiB of recursion, a large
 * frame, and deep recursion in a forked child and in a thread. */
#include "t.h"
#include <pthread.h>

static int depth_sum(int n)
{
	volatile char frame[1000];
	frame[0] = (char)n;
	frame[999] = 1;
	if (n == 0) return frame[999];
	return depth_sum(n - 1) + frame[999] + (frame[0] != (char)n);
}

static long big_frame(void)
{
	volatile char big[2 << 20]; /* 2 MiB in one frame, touched top-down */
	long s = 0;
	for (long i = sizeof big - 1; i >= 0; i -= 4096) { big[i] = 1; s += big[i]; }
	return s;
}

static void *thread_fn(void *a)
{
	(void)a;
	return (void *)(long)depth_sum(50); /* musl thread stacks are small */
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int r = depth_sum(1100); /* ~1.1 MiB of frames */
	SAY("recursion 1100 frames of 1000 bytes: %d\n", r);
	SAY("2 MiB frame pages touched: %ld\n", big_frame());
	pid_t c = fork();
	if (c == 0) _exit(depth_sum(2000) == 2001 ? 0 : 1);
	SAY("child deep recursion: %s\n", t_wait_desc(c));
	pthread_t t;
	void *ret;
	pthread_create(&t, NULL, thread_fn, NULL);
	pthread_join(t, &ret);
	SAY("thread recursion: %ld\n", (long)ret);
	return t_done();
}
