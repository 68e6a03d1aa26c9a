/* sig_alarm_itimer: alarm() remaining seconds, SIGALRM delivery,
 * setitimer/getitimer ITIMER_REAL one-shot and periodic, cancel. */
#include "t.h"
#include <signal.h>
#include <sys/time.h>

static volatile int alarms;
static void h(int s) { (void)s; alarms++; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	signal(SIGALRM, h);
	SAY("alarm(5) previous: %u\n", alarm(5));
	SAY("alarm(3) previous: %u\n", alarm(3));
	SAY("alarm(0) previous: %u\n", alarm(0));
	long long t0 = t_now_ms();
	alarm(1);
	pause();
	long long el = t_now_ms() - t0;
	SAY("alarm(1) delivered: %d, elapsed>=900ms: %s <3s: %s\n", alarms, el >= 900 ? "yes" : "no",
	    el < 3000 ? "yes" : "no");

	alarms = 0;
	struct itimerval it = { { 0, 100000 }, { 0, 100000 } }, cur;
	t0 = t_now_ms();
	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0, "setitimer periodic 100ms");
	while (alarms < 3) pause();
	el = t_now_ms() - t0;
	SAY("3 periodic alarms, elapsed>=290ms: %s\n", el >= 290 ? "yes" : "no");
	getitimer(ITIMER_REAL, &cur);
	CHECK(cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 100000, "getitimer interval");
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 100000, "getitimer value <= interval");
	struct itimerval zero = { { 0, 0 }, { 0, 0 } }, old;
	setitimer(ITIMER_REAL, &zero, &old);
	CHECK(old.it_interval.tv_usec == 100000, "old value returned on cancel");
	getitimer(ITIMER_REAL, &cur);
	CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0, "cancelled timer reads zero");
	int before = alarms;
	usleep(250000);
	CHECK(alarms == before, "no alarms after cancel");

	it.it_interval.tv_usec = 0;
	it.it_value.tv_sec = 10;
	it.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	SAY("alarm(0) after 10s itimer: %u\n", alarm(0));

	struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
	CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL, "tv_usec=1e6");
	/* the timer is not inherited by a child */
	alarm(10);
	pid_t c = fork();
	if (c == 0) _exit(alarm(0) == 0 ? 0 : 1);
	SAY("child has no alarm: %s\n", t_wait_desc(c));
	alarm(0);
	return t_done();
}
