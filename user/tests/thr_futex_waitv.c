/* thr_futex_waitv: futex_waitv(2) waits on several futexes at once and
 * returns the index of the one woken; values that changed are EAGAIN;
 * absolute timeouts on CLOCK_MONOTONIC and CLOCK_REALTIME; the argument
 * checks (flags, sizes, reserved bits, alignment, counts, clock). */
#include "t.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

struct waitv {
	uint64_t val, uaddr;
	uint32_t flags, reserved;
};
#define SIZE_U32 0x02
#define PRIV 128

static const char *rc(long r)
{
	static char b[24];
	if (r < 0)
		return t_errname(errno);
	snprintf(b, sizeof b, "%ld", r);
	return b;
}
static long waitv(struct waitv *w, unsigned n, unsigned flags, struct timespec *ts, int clk)
{
	return syscall(449, w, n, flags, ts, clk);
}

static uint32_t f[3];
static void *waker(void *a)
{
	(void)a;
	usleep(100000);
	f[1] = 5;
	syscall(SYS_futex, &f[1], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	struct waitv w[3];
	for (int i = 0; i < 3; i++)
		w[i] = (struct waitv){0, (uint64_t)(uintptr_t)&f[i], SIZE_U32 | PRIV, 0};
	pthread_t th;
	pthread_create(&th, NULL, waker, NULL);
	long r = waitv(w, 3, 0, NULL, 0);
	SAY("woken by a wake of the second: %s\n", rc(r));
	pthread_join(th, NULL);
	SAY("a value that changed: %s\n", rc(waitv(w, 3, 0, NULL, 0)));
	f[1] = 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	long long t0 = t_now_ms();
	SAY("monotonic timeout: %s", rc(waitv(w, 3, 0, &ts, CLOCK_MONOTONIC)));
	SAY(", waited: %s\n", t_now_ms() - t0 >= 40 ? "yes" : "no");
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec -= 1;
	SAY("realtime timeout in the past: %s\n", rc(waitv(w, 3, 0, &ts, CLOCK_REALTIME)));
	SAY("timeout with CLOCK_BOOTTIME: %s\n", rc(waitv(w, 3, 0, &ts, CLOCK_BOOTTIME)));
	SAY("syscall flags 1: %s\n", rc(waitv(w, 3, 1, NULL, 0)));
	SAY("no waiters: %s, NULL vector: %s\n", rc(waitv(w, 0, 0, NULL, 0)), rc(waitv(NULL, 1, 0, NULL, 0)));
	static struct waitv many[129];
	for (int i = 0; i < 129; i++)
		many[i] = w[0];
	SAY("129 waiters: %s\n", rc(waitv(many, 129, 0, NULL, 0)));
	struct waitv bad = w[0];
	bad.flags = 0x03 | PRIV; /* 64-bit size */
	SAY("u64 size: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	bad.flags = PRIV; /* u8 size */
	SAY("u8 size: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	bad.flags = SIZE_U32 | 0x100;
	SAY("unknown flag: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	bad = w[0];
	bad.reserved = 1;
	SAY("reserved set: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	bad = w[0];
	bad.uaddr += 1;
	SAY("unaligned: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	bad = w[0];
	bad.val = 1ULL << 32;
	SAY("value wider than 32 bits: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	bad = w[0];
	bad.uaddr = 8;
	bad.flags = SIZE_U32;
	SAY("shared futex at an unmapped address: %s\n", rc(waitv(&bad, 1, 0, NULL, 0)));
	SAY("bad vector pointer: %s\n", rc(waitv((struct waitv *)8, 1, 0, NULL, 0)));
	SAY("bad timeout pointer: %s\n", rc(waitv(w, 1, 0, (struct timespec *)8, CLOCK_MONOTONIC)));
	return t_done();
}
