/* time_adjtimex: adjtimex(2) and clock_adjtime(2) argument checking and
 * permissions (nothing here changes the clock: every call either only
 * reads or fails validation, so the host's clock is safe). */
#include "t.h"
#include <sys/syscall.h>
#include <sys/timex.h>

static void err(const char *what, unsigned modes, void (*fill)(struct timex *), int expect)
{
	struct timex t = {0};
	t.modes = modes;
	if (fill)
		fill(&t);
	errno = 0;
	long r = syscall(SYS_adjtimex, &t);
	if (r == -1 && errno == expect)
		SAY("%s: %s\n", what, t_errname(expect));
	else {
		SAY("%s: got %ld %s\n", what, r, t_errname(errno));
		t_failures++;
	}
}

static void tick_low(struct timex *t) { t->tick = 8999; }
static void tick_high(struct timex *t) { t->tick = 11001; }
static void usec_neg(struct timex *t) { t->time.tv_usec = -1; }
static void usec_big(struct timex *t) { t->time.tv_usec = 1000000; }
static void nsec_big(struct timex *t) { t->time.tv_usec = 1000000000; }
static void freq_huge(struct timex *t) { t->freq = 0x7fffffffffffffffL / 1000; }

int main(int argc, char **argv)
{
	t_init(argc, argv);
	CHECK_ERR(syscall(SYS_adjtimex, (void *)8), EFAULT, "adjtimex bad pointer");
	struct timex t = {0};
	long r = syscall(SYS_adjtimex, &t);
	CHECK(r >= 0 && r <= 5, "read the state");
	SAY("precision %ld tolerance %ld\n", t.precision, t.tolerance);
	struct timex ss = {0};
	ss.modes = ADJ_OFFSET_SS_READ;
	CHECK(syscall(SYS_adjtimex, &ss) >= 0, "ADJ_OFFSET_SS_READ");
	err("ADJ_TICK 8999", ADJ_TICK, tick_low, EINVAL);
	err("ADJ_TICK 11001", ADJ_TICK, tick_high, EINVAL);
	err("ADJ_ADJTIME alone", 0x8000, NULL, EINVAL);
	err("ADJ_SETOFFSET negative usec", ADJ_SETOFFSET, usec_neg, EINVAL);
	err("ADJ_SETOFFSET usec 1000000", ADJ_SETOFFSET, usec_big, EINVAL);
	err("ADJ_SETOFFSET|ADJ_NANO nsec 1e9", ADJ_SETOFFSET | ADJ_NANO, nsec_big, EINVAL);
	err("ADJ_FREQUENCY overflow", ADJ_FREQUENCY, freq_huge, EINVAL);
	struct timex c = {0};
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_MONOTONIC, &c), EOPNOTSUPP, "clock_adjtime MONOTONIC");
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_BOOTTIME, &c), EOPNOTSUPP, "clock_adjtime BOOTTIME");
	CHECK_ERR(syscall(SYS_clock_adjtime, 99, &c), EINVAL, "clock_adjtime bad clock");
	CHECK_ERR(syscall(SYS_clock_adjtime, CLOCK_REALTIME, (void *)8), EFAULT, "clock_adjtime bad pointer");
	CHECK(syscall(SYS_clock_adjtime, CLOCK_REALTIME, &c) >= 0, "clock_adjtime REALTIME read");
	pid_t k = fork();
	if (k == 0) {
		t_failures = 0;
		setuid(65534);
		err("non-root ADJ_FREQUENCY", ADJ_FREQUENCY, NULL, EPERM);
		err("non-root ADJ_OFFSET_SINGLESHOT", ADJ_OFFSET_SINGLESHOT, NULL, EPERM);
		err("non-root ADJ_SETOFFSET", ADJ_SETOFFSET, NULL, EPERM);
		err("non-root ADJ_TICK out of range", ADJ_TICK, tick_low, EPERM);
		struct timex u = {0};
		CHECK(syscall(SYS_adjtimex, &u) >= 0, "non-root read");
		u.modes = ADJ_OFFSET_SS_READ;
		CHECK(syscall(SYS_adjtimex, &u) >= 0, "non-root ADJ_OFFSET_SS_READ");
		_exit(t_failures);
	}
	SAY("non-root child: %s\n", t_wait_desc(k));
	return t_done();
}
