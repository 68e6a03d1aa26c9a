/* io_timerfd: one-shot and periodic timerfds on CLOCK_MONOTONIC, relative
 * and absolute, gettime, non-blocking reads, poll readiness, disarm. */
#include "t.h"
#include <poll.h>
#include <stdint.h>
#include <sys/timerfd.h>

int main(int argc, char **argv)
{
	t_init(argc, argv);
	int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	CHECK(t >= 0, "timerfd_create");
	uint64_t n;
	CHECK_ERR(read(t, &n, 8), EAGAIN, "disarmed read");
	struct itimerspec its = { { 0, 0 }, { 0, 100000000 } }, cur;
	long long t0 = t_now_ms();
	CHECK(timerfd_settime(t, 0, &its, NULL) == 0, "arm one-shot 100ms");
	timerfd_gettime(t, &cur);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec > 0 && cur.it_value.tv_nsec <= 100000000, "gettime remaining in (0,100ms]");
	CHECK_ERR(read(t, &n, 8), EAGAIN, "read before expiry");
	struct pollfd pf = { t, POLLIN, 0 };
	int r = poll(&pf, 1, 5000);
	long long el = t_now_ms() - t0;
	SAY("poll: %d revents=0x%x elapsed>=100ms: %s <2s: %s\n", r, pf.revents, el >= 99 ? "yes" : "no", el < 2000 ? "yes" : "no");
	long rn = read(t, &n, 8);
	SAY("read: %ld expirations %llu\n", rn, (unsigned long long)n);
	CHECK_ERR(read(t, &n, 8), EAGAIN, "read after consuming");
	char small[4];
	CHECK_ERR(read(t, small, 4), EINVAL, "4-byte read");

	/* periodic: 50ms, sleep ~260ms, expect about 5 */
	its.it_interval.tv_nsec = 50000000;
	its.it_value.tv_nsec = 50000000;
	timerfd_settime(t, 0, &its, NULL);
	usleep(260000);
	read(t, &n, 8);
	SAY("periodic expirations>=4: %s <=40: %s\n", n >= 4 ? "yes" : "no", n <= 40 ? "yes" : "no");
	struct itimerspec zero = { { 0, 0 }, { 0, 0 } }, old;
	timerfd_settime(t, 0, &zero, &old);
	SAY("old interval: %ld ns\n", old.it_interval.tv_nsec);
	timerfd_gettime(t, &cur);
	SAY("disarmed value zero: %s\n", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? "yes" : "no");
	close(t);

	/* absolute, blocking */
	int b = timerfd_create(CLOCK_MONOTONIC, 0);
	struct timespec now;
	t0 = t_now_ms(); /* before the reference point: elapsed then covers the full 150 ms */
	clock_gettime(CLOCK_MONOTONIC, &now);
	its.it_interval.tv_nsec = 0;
	its.it_value = now;
	its.it_value.tv_nsec += 150000000;
	if (its.it_value.tv_nsec >= 1000000000) { its.it_value.tv_sec++; its.it_value.tv_nsec -= 1000000000; }
	timerfd_settime(b, TFD_TIMER_ABSTIME, &its, NULL);
	read(b, &n, 8);
	el = t_now_ms() - t0;
	SAY("absolute blocking read: %llu elapsed>=150ms: %s\n", (unsigned long long)n, el >= 149 ? "yes" : "no");
	its.it_value.tv_sec -= 100; /* in the past: fires at once */
	timerfd_settime(b, TFD_TIMER_ABSTIME, &its, NULL);
	read(b, &n, 8);
	SAY("past absolute fires: %llu\n", (unsigned long long)n);
	close(b);
	int rt = timerfd_create(CLOCK_REALTIME, 0);
	CHECK(rt >= 0, "CLOCK_REALTIME timerfd");
	close(rt);
	CHECK_ERR(timerfd_create(12345, 0), EINVAL, "bad clock");
	its.it_value.tv_nsec = 1000000000;
	t = timerfd_create(CLOCK_MONOTONIC, 0);
	CHECK_ERR(timerfd_settime(t, 0, &its, NULL), EINVAL, "tv_nsec=1e9");
	return t_done();
}
