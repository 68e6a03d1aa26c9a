/* clock_steer: adjtimex really steers CLOCK_REALTIME (Keel only: changing
 * the clock cannot be done on the host that runs the differential tests).
 * Prints relations: ADJ_SETOFFSET steps the clock, ADJ_FREQUENCY and
 * adjtime's single shot slew it at the requested rate (measured against
 * CLOCK_MONOTONIC, in ppm, with generous bounds), everything is put back. */
#include <stdio.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static long long ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}
static long long skew(void) { return ns(CLOCK_REALTIME) - ns(CLOCK_MONOTONIC); }

/* The slew rate in ppm over about two seconds. */
static long long rate_ppm(void)
{
	long long s0 = skew(), m0 = ns(CLOCK_MONOTONIC);
	sleep(2);
	long long ds = skew() - s0, dm = ns(CLOCK_MONOTONIC) - m0;
	return ds * 1000000 / dm;
}

int main(void)
{
	struct timex t = {0};
	long long s0 = skew();
	t.modes = ADJ_SETOFFSET;
	t.time.tv_sec = 1000;
	t.time.tv_usec = 500000;
	int r = adjtimex(&t);
	long long moved = (skew() - s0) / 1000000;
	printf("setoffset: %s\n", r >= 0 && moved >= 1000490 && moved <= 1000510 ? "stepped" : "wrong");
	t = (struct timex){0};
	t.modes = ADJ_SETOFFSET | ADJ_NANO;
	t.time.tv_sec = -1001;
	t.time.tv_usec = 500000000;
	adjtimex(&t);
	moved = (skew() - s0) / 1000000;
	printf("setoffset back: %s\n", moved >= -10 && moved <= 10 ? "stepped" : "wrong");
	t = (struct timex){0};
	t.modes = ADJ_FREQUENCY;
	t.freq = 400 << 16;
	adjtimex(&t);
	long long ppm = rate_ppm();
	printf("freq +400 ppm: %s\n", ppm >= 300 && ppm <= 500 ? "slewed" : "wrong");
	t.freq = -300 << 16;
	adjtimex(&t);
	ppm = rate_ppm();
	printf("freq -300 ppm: %s\n", ppm >= -400 && ppm <= -200 ? "slewed" : "wrong");
	t.freq = 0;
	adjtimex(&t);
	t = (struct timex){0};
	t.modes = ADJ_OFFSET_SINGLESHOT;
	t.offset = 300000; /* 300 ms at 500 us/s: 500 ppm */
	adjtimex(&t);
	ppm = rate_ppm();
	printf("adjtime +300 ms: %s\n", ppm >= 400 && ppm <= 600 ? "slewed" : "wrong");
	t = (struct timex){0};
	t.modes = ADJ_OFFSET_SINGLESHOT;
	t.offset = 0;
	adjtimex(&t);
	printf("adjtime cancelled, %s left\n", t.offset > 0 && t.offset < 300000 ? "some" : "wrong");
	return 0;
}
