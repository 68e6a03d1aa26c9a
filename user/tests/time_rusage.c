/* time_rusage: times(), getrusage() for self and children, and CPU-time
 * clocks advance while burning CPU. */
#include "t.h"
#include <sys/resource.h>
#include <sys/times.h>

static volatile unsigned long sink;

static void burn_ms(long ms)
{
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do {
		for (int i = 0; i < 100000; i++) sink += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static long tv_ms(struct timeval t) { return t.tv_sec * 1000 + t.tv_usec / 1000; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	long hz = sysconf(_SC_CLK_TCK);
	SAY("_SC_CLK_TCK: %ld\n", hz);
	struct tms t0, t1;
	clock_t c0 = times(&t0);
	CHECK(c0 != (clock_t)-1, "times() succeeds");
	burn_ms(300);
	clock_t c1 = times(&t1);
	CHECK(c1 >= c0, "times() return value non-decreasing");
	long cpu_ticks = (t1.tms_utime + t1.tms_stime) - (t0.tms_utime + t0.tms_stime);
	CHECK(cpu_ticks >= hz * 15 / 100, "300ms burn shows >=150ms in tms_utime+stime");
	struct rusage ru;
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0, "getrusage SELF");
	CHECK(tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime) >= 250, "ru_utime+ru_stime >= 250ms");
	CHECK(ru.ru_utime.tv_usec < 1000000 && ru.ru_stime.tv_usec < 1000000, "tv_usec in range");

	struct rusage rc;
	getrusage(RUSAGE_CHILDREN, &rc);
	CHECK(tv_ms(rc.ru_utime) + tv_ms(rc.ru_stime) < 100, "no children yet: child time small");
	pid_t c = fork();
	if (c == 0) { burn_ms(300); _exit(0); }
	waitpid(c, NULL, 0);
	getrusage(RUSAGE_CHILDREN, &rc);
	CHECK(tv_ms(rc.ru_utime) + tv_ms(rc.ru_stime) >= 250, "reaped child's time counted");
	times(&t1);
	CHECK(t1.tms_cutime + t1.tms_cstime >= hz / 4, "tms_cutime+cstime counted");
	CHECK(getrusage(RUSAGE_THREAD, &ru) == 0, "getrusage THREAD");
	CHECK_ERR(getrusage(12345, &ru), EINVAL, "bad who");
	return t_done();
}
