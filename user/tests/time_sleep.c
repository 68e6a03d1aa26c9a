/* time_sleep: nanosleep and clock_nanosleep (relative and TIMER_ABSTIME) for
 * 200 ms on CLOCK_MONOTONIC; prints only whether elapsed is in [200ms, 2s). */
#include "t.h"

static long long ns_now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *what, long long el_ns)
{
	SAY("%s elapsed>=200ms: %s\n", what, el_ns >= 200000000LL ? "yes" : "no");
	SAY("%s elapsed<2s: %s\n", what, el_ns < 2000000000LL ? "yes" : "no");
	if (el_ns < 200000000LL || el_ns >= 2000000000LL) t_failures++;
}

int main(int argc, char **argv)
{
	t_init(argc, argv);
	struct timespec d = { 0, 200000000 }, rem = { 9, 9 };
	long long t0 = ns_now(CLOCK_MONOTONIC);
	CHECK(nanosleep(&d, &rem) == 0, "nanosleep returns 0");
	report("nanosleep", ns_now(CLOCK_MONOTONIC) - t0);

	t0 = ns_now(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &d, NULL) == 0, "clock_nanosleep relative");
	report("clock_nanosleep relative", ns_now(CLOCK_MONOTONIC) - t0);

	struct timespec abs;
	clock_gettime(CLOCK_MONOTONIC, &abs);
	t0 = (long long)abs.tv_sec * 1000000000LL + abs.tv_nsec;
	abs.tv_nsec += 200000000;
	if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0, "clock_nanosleep absolute");
	report("clock_nanosleep absolute", ns_now(CLOCK_MONOTONIC) - t0);

	/* an absolute time in the past returns at once (1 ns after boot: a
	 * freshly booted kernel's monotonic clock may be under 10 s) */
	abs.tv_sec = 0;
	abs.tv_nsec = 1;
	t0 = ns_now(CLOCK_MONOTONIC);
	CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL) == 0, "past deadline returns 0");
	CHECK(ns_now(CLOCK_MONOTONIC) - t0 < 1000000000LL, "past deadline is immediate");

	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR(nanosleep(&bad, NULL), EINVAL, "nanosleep tv_nsec=1e9");
	bad.tv_sec = -1; bad.tv_nsec = 0;
	CHECK_ERR(nanosleep(&bad, NULL), EINVAL, "nanosleep negative");
	CHECK(clock_nanosleep(CLOCK_REALTIME, 0, &d, NULL) == 0, "clock_nanosleep REALTIME");
	CHECK(usleep(1000) == 0, "usleep 1ms");
	return t_done();
}
