/* adjtimex(2) and clock_adjtime(2): the kernel's NTP state and the
 * steering of CLOCK_REALTIME. Layer: services (safe C). Trusts: the
 * framework's realtime clock (fw_time_set_realtime) and timers.
 *
 * The state and the arithmetic follow Linux's NTP code (units: ns,
 * frequencies scaled by 2^32 as there). ADJ_SETOFFSET steps the clock at
 * once. A frequency (ADJ_FREQUENCY, ADJ_TICK), a PLL phase offset
 * (ADJ_OFFSET with STA_PLL) and adjtime(3)'s single-shot offset are slewed
 * by a 100 ms services timer that moves CLOCK_REALTIME by the due amount
 * (fw_time_set_realtime, which the vDSO follows); Linux changes the tick
 * length instead, so Keel's realtime moves in small steps (a slow-down can
 * step it back by up to a few hundred microseconds), which is the
 * difference. Not done: leap second insertion (STA_INS/STA_DEL only
 * change the reported state), PPS, the FLL's frequency estimate beyond
 * Linux's formula. */
#include "syscall/syscall.h"
#include "exec/exec.h"
#include <fw/time.h>
#include <fw/user.h>

#define ADJ_OFFSET 0x0001
#define ADJ_FREQUENCY 0x0002
#define ADJ_MAXERROR 0x0004
#define ADJ_ESTERROR 0x0008
#define ADJ_STATUS 0x0010
#define ADJ_TIMECONST 0x0020
#define ADJ_TAI 0x0080
#define ADJ_SETOFFSET 0x0100
#define ADJ_MICRO 0x1000
#define ADJ_NANO 0x2000
#define ADJ_TICK 0x4000
#define ADJ_ADJTIME 0x8000 /* with ADJ_OFFSET: adjtime's single shot */
#define ADJ_OFFSET_READONLY 0x2000

#define STA_PLL 0x0001
#define STA_PPSFREQ 0x0002
#define STA_PPSTIME 0x0004
#define STA_FLL 0x0008
#define STA_INS 0x0010
#define STA_DEL 0x0020
#define STA_UNSYNC 0x0040
#define STA_FREQHOLD 0x0080
#define STA_PPSSIGNAL 0x0100
#define STA_PPSJITTER 0x0200
#define STA_PPSWANDER 0x0400
#define STA_PPSERROR 0x0800
#define STA_CLOCKERR 0x1000
#define STA_NANO 0x2000
#define STA_MODE 0x4000
#define STA_RONLY 0xff00

#define TIME_OK 0
#define TIME_INS 1
#define TIME_DEL 2
#define TIME_ERROR 5

#define NS_PER_S 1000000000LL
#define USER_HZ 100
#define TICK_USEC_DEFAULT (1000000 / USER_HZ)
#define SCALE_SHIFT 32
#define PPM_SCALE (1000LL << (SCALE_SHIFT - 16))
#define MAXPHASE 500000000LL
#define MAXFREQ_SCALED (500000LL << SCALE_SHIFT)
#define PHASE_LIMIT ((MAXPHASE / 1000) << 5)
#define MAXTC 10
#define MAX_TAI_OFFSET 100000
#define SHIFT_PLL 2
#define SHIFT_FLL 2
#define MINSEC 256
#define MAXSEC 2048
#define MAX_TICKADJ_US 500
#define SLEW_PERIOD_NS 100000000ULL
#define CLOCK_REALTIME_ID 0

/* struct timex (x86-64) */
struct linux_timex {
	uint32_t modes;
	int32_t pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status, pad1;
	int64_t constant, precision, tolerance;
	int64_t time_sec, time_usec;
	int64_t tick, ppsfreq, jitter;
	int32_t shift, pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t reserved[11];
};

struct ntp_state {
	bool ready;
	int32_t status;
	int64_t freq;       /* scaled ns/s */
	int64_t offset;     /* PLL phase still to slew, ns */
	int64_t maxerror, esterror, constant;
	int64_t tick_usec;
	int64_t adjust_us;  /* adjtime's single shot still to slew, us */
	int32_t tai;
	uint64_t maxerror_set_ns; /* monotonic time maxerror was set (it grows 500 us a second) */
	uint64_t leap_set_ns;     /* STA_INS/STA_DEL set at */
	int64_t reftime_s;
	struct fw_timer_ref slew;
	bool slewing;
	uint64_t last_slew_ns;
	int64_t carry;      /* scaled ns not yet applied */
};
FW_GLOBAL(struct ntp_state, ntp_state);

static struct ntp_state *ntp(void)
{
	struct ntp_state *s = ntp_state();
	if (!s->ready) {
		s->ready = true;
		s->status = STA_UNSYNC;
		s->maxerror = PHASE_LIMIT;
		s->esterror = PHASE_LIMIT;
		s->constant = 2;
		s->tick_usec = TICK_USEC_DEFAULT;
	}
	return s;
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* Arithmetic right shift, as Linux's shift_right. */
static int64_t sra(int64_t v, uint32_t n) { return v < 0 ? -((-v) >> n) : v >> n; }

/* a / b, truncated toward zero, for b > 0 (C's signed division). */
static int64_t div_pos(int64_t a, uint64_t b)
{
	return a < 0 ? -(int64_t)((0 - (uint64_t)a) / b) : (int64_t)((uint64_t)a / b);
}

static int64_t realtime_s(void) { return (int64_t)(fw_time_realtime_ns() / NS_PER_S); }

/* The rate correction now in effect, scaled ns per second. */
static int64_t rate_scaled(const struct ntp_state *s)
{
	return s->freq + ((s->tick_usec - TICK_USEC_DEFAULT) * USER_HZ * 1000LL << SCALE_SHIFT);
}

static void slew_tick(uint64_t cookie);

static void slew_arm(struct ntp_state *s)
{
	bool want = rate_scaled(s) != 0 || s->offset != 0 || s->adjust_us != 0;
	if (want == s->slewing)
		return;
	if (!s->slew.gen && fw_timer_create(slew_tick, 0, &s->slew))
		return;
	s->slewing = want;
	s->last_slew_ns = fw_time_monotonic_ns();
	(void)fw_timer_arm(s->slew, want ? s->last_slew_ns + SLEW_PERIOD_NS : 0, want ? SLEW_PERIOD_NS : 0);
}

/* Every 100 ms while something is to slew: move CLOCK_REALTIME by the
 * frequency correction, the PLL's share of the phase offset
 * (offset >> (SHIFT_PLL + constant) per second) and adjtime's share (at
 * most 500 us per second), pro rata for the time elapsed. */
static void slew_tick(uint64_t cookie)
{
	(void)cookie;
	struct ntp_state *s = ntp();
	uint64_t now = fw_time_monotonic_ns();
	int64_t dt = (int64_t)(now - s->last_slew_ns);
	s->last_slew_ns = now;
	if (dt <= 0 || dt > NS_PER_S)
		dt = (int64_t)SLEW_PERIOD_NS;
	int64_t per_s = rate_scaled(s) >> SCALE_SHIFT; /* ns per second */
	int64_t pll = sra(s->offset, (uint32_t)(SHIFT_PLL + s->constant)) * dt / NS_PER_S;
	s->offset -= pll;
	int64_t adj_us = clamp64(s->adjust_us, -MAX_TICKADJ_US, MAX_TICKADJ_US) * dt / NS_PER_S;
	if (adj_us == 0 && s->adjust_us)
		adj_us = s->adjust_us > 0 ? 1 : -1;
	s->adjust_us -= adj_us;
	int64_t delta = per_s * dt / NS_PER_S + pll + adj_us * 1000;
	if (delta) {
		fw_time_set_realtime((uint64_t)((int64_t)fw_time_realtime_ns() + delta));
		vdso_clock_changed();
	}
	slew_arm(s);
}

/* The frequency as adjtimex reports it (ppm << 16), Linux's rounding:
 * floor(freq / 2^19) * PPM_SCALE_INV, shifted back by 32. */
static int64_t freq_out(int64_t f)
{
	int64_t q = f < 0 ? -(((-f) + (1LL << 19) - 1) >> 19) : f >> 19;
	return sra(q * ((1LL << 51) / PPM_SCALE + 1), SCALE_SHIFT);
}

static bool is_error_status(int32_t st)
{
	return (st & (STA_UNSYNC | STA_CLOCKERR)) || ((st & (STA_PPSFREQ | STA_PPSTIME)) && !(st & STA_PPSSIGNAL)) ||
	       ((st & (STA_PPSTIME | STA_PPSJITTER)) == (STA_PPSTIME | STA_PPSJITTER)) ||
	       ((st & STA_PPSFREQ) && (st & (STA_PPSWANDER | STA_PPSERROR)));
}

static bool may_set_time(void) { return cur_proc()->euid == 0; } /* CAP_SYS_TIME */

/* Linux's timekeeping_validate_timex. */
static int validate(const struct linux_timex *t)
{
	if (t->modes & ADJ_ADJTIME) {
		if (!(t->modes & ADJ_OFFSET))
			return -EINVAL;
		if (!(t->modes & ADJ_OFFSET_READONLY) && !may_set_time())
			return -EPERM;
	} else {
		if (t->modes && !may_set_time())
			return -EPERM;
		if ((t->modes & ADJ_TICK) && (t->tick < 900000 / USER_HZ || t->tick > 1100000 / USER_HZ))
			return -EINVAL;
	}
	if (t->modes & ADJ_SETOFFSET) {
		if (!may_set_time())
			return -EPERM;
		if (t->time_usec < 0 || t->time_usec >= ((t->modes & ADJ_NANO) ? NS_PER_S : 1000000))
			return -EINVAL;
	}
	if ((t->modes & ADJ_FREQUENCY) && ((-0x7fffffffffffffffLL - 1) / PPM_SCALE > t->freq || 0x7fffffffffffffffLL / PPM_SCALE < t->freq))
		return -EINVAL;
	return 0;
}

static void set_status(struct ntp_state *s, int32_t st)
{
	if ((s->status & STA_PLL) && !(st & STA_PLL))
		s->status = STA_UNSYNC;
	if (!(s->status & STA_PLL) && (st & STA_PLL))
		s->reftime_s = realtime_s();
	if ((st & (STA_INS | STA_DEL)) && !(s->status & (STA_INS | STA_DEL)))
		s->leap_set_ns = fw_time_monotonic_ns();
	s->status &= STA_RONLY;
	s->status |= st & ~STA_RONLY;
}

/* Linux's ntp_update_offset: the phase offset to slew and the PLL (or,
 * with long intervals, FLL) frequency correction it implies. */
static void update_offset(struct ntp_state *s, int64_t off)
{
	if (!(s->status & STA_PLL))
		return;
	if (!(s->status & STA_NANO))
		off = clamp64(off, -1000000, 1000000) * 1000;
	off = clamp64(off, -MAXPHASE, MAXPHASE);
	int64_t now = realtime_s();
	int64_t secs = (s->status & STA_FREQHOLD) ? 0 : now - s->reftime_s;
	s->reftime_s = now;
	int64_t fadj = 0;
	s->status &= ~STA_MODE;
	if (secs >= MINSEC && ((s->status & STA_FLL) || secs > MAXSEC)) {
		s->status |= STA_MODE;
		fadj = div_pos(off * (1LL << (SCALE_SHIFT - SHIFT_FLL)), (uint64_t)secs);
	}
	int64_t cap = 1LL << (SHIFT_PLL + 1 + s->constant);
	if (secs > cap)
		secs = cap;
	fadj += (off * secs) * (1LL << (SCALE_SHIFT - 2 * (SHIFT_PLL + 2 + s->constant)));
	s->freq = clamp64(fadj + s->freq, -MAXFREQ_SCALED, MAXFREQ_SCALED);
	s->offset = off;
}

static void apply_modes(struct ntp_state *s, const struct linux_timex *t)
{
	if (t->modes & ADJ_STATUS)
		set_status(s, t->status);
	if (t->modes & ADJ_NANO)
		s->status |= STA_NANO;
	if (t->modes & ADJ_MICRO)
		s->status &= ~STA_NANO;
	if (t->modes & ADJ_FREQUENCY)
		s->freq = clamp64(t->freq * PPM_SCALE, -MAXFREQ_SCALED, MAXFREQ_SCALED);
	if (t->modes & ADJ_MAXERROR) {
		s->maxerror = clamp64(t->maxerror, 0, PHASE_LIMIT);
		s->maxerror_set_ns = fw_time_monotonic_ns();
	}
	if (t->modes & ADJ_ESTERROR)
		s->esterror = clamp64(t->esterror, 0, PHASE_LIMIT);
	if (t->modes & ADJ_TIMECONST) {
		int64_t c = clamp64(t->constant, 0, MAXTC);
		if (!(s->status & STA_NANO))
			c += 4;
		s->constant = clamp64(c, 0, MAXTC);
	}
	if ((t->modes & ADJ_TAI) && t->constant >= 0 && t->constant <= MAX_TAI_OFFSET)
		s->tai = (int32_t)t->constant;
	if (t->modes & ADJ_OFFSET)
		update_offset(s, t->offset);
	if (t->modes & ADJ_TICK)
		s->tick_usec = t->tick;
}

/* The maximum error grows by 500 us each second since it was set; at the
 * limit the clock counts as unsynchronised (Linux's second_overflow). */
static void age(struct ntp_state *s)
{
	uint64_t now = fw_time_monotonic_ns();
	uint64_t secs = (now - s->maxerror_set_ns) / (uint64_t)NS_PER_S;
	if (secs) {
		s->maxerror += (int64_t)FW_MIN(secs, (uint64_t)PHASE_LIMIT) * 500;
		s->maxerror_set_ns += secs * (uint64_t)NS_PER_S;
	}
	if (s->maxerror > PHASE_LIMIT) {
		s->maxerror = PHASE_LIMIT;
		s->status |= STA_UNSYNC;
	}
}

static int64_t do_adjtimex(struct linux_timex *t)
{
	int e = validate(t);
	if (e)
		return e;
	if (t->modes & ADJ_SETOFFSET) {
		int64_t ns = t->time_usec * ((t->modes & ADJ_NANO) ? 1 : 1000);
		int64_t delta = t->time_sec * NS_PER_S + ns;
		int64_t now = (int64_t)fw_time_realtime_ns();
		if (now + delta < 0)
			return -EINVAL; /* before 1970 (Linux: an invalid time) */
		fw_time_set_realtime((uint64_t)(now + delta));
		vdso_clock_changed();
	}
	struct ntp_state *s = ntp();
	age(s);
	if (t->modes & ADJ_ADJTIME) {
		int64_t saved = s->adjust_us;
		if (!(t->modes & ADJ_OFFSET_READONLY))
			s->adjust_us = t->offset;
		t->offset = saved;
	} else {
		if (t->modes)
			apply_modes(s, t);
		t->offset = s->offset;
		if (!(s->status & STA_NANO))
			t->offset = (int64_t)((uint32_t)t->offset / 1000); /* Linux's (u32) conversion */
	}
	slew_arm(s);
	int64_t result = TIME_OK;
	bool leap_due = fw_time_monotonic_ns() - s->leap_set_ns >= (uint64_t)NS_PER_S;
	if ((s->status & STA_INS) && leap_due)
		result = TIME_INS;
	else if ((s->status & STA_DEL) && leap_due)
		result = TIME_DEL;
	if (is_error_status(s->status))
		result = TIME_ERROR;
	t->freq = freq_out(s->freq);
	t->maxerror = s->maxerror;
	t->esterror = s->esterror;
	t->status = s->status;
	t->constant = s->constant;
	t->precision = 1;
	t->tolerance = MAXFREQ_SCALED / PPM_SCALE;
	t->tick = s->tick_usec;
	t->tai = s->tai;
	t->ppsfreq = t->jitter = t->stabil = t->jitcnt = t->calcnt = t->errcnt = t->stbcnt = 0;
	t->shift = 0;
	uint64_t rt = fw_time_realtime_ns();
	t->time_sec = (int64_t)(rt / NS_PER_S);
	t->time_usec = (int64_t)(rt % NS_PER_S);
	if (!(s->status & STA_NANO))
		t->time_usec /= 1000;
	return result;
}

static int64_t adjtimex_user(uint64_t uptr)
{
	struct linux_timex t;
	if (fw_copy_from_user(&t, fw_uaddr(uptr)))
		return -EFAULT;
	int64_t r = do_adjtimex(&t);
	if (r < 0)
		return r;
	return fw_copy_to_user(fw_uaddr(uptr), &t) ? -EFAULT : r;
}

int64_t sys_adjtimex(struct fw_uregs *r) { return adjtimex_user(a0(r)); }

/* clock_adjtime: CLOCK_REALTIME is adjtimex; the other valid clocks
 * cannot be adjusted (-EOPNOTSUPP), anything else is -EINVAL. */
int64_t sys_clock_adjtime(struct fw_uregs *r)
{
	int32_t clk = (int32_t)a0(r);
	if (clk == CLOCK_REALTIME_ID)
		return adjtimex_user(a1(r));
	if (clk < 0 || clk > 11 || clk == 10)
		return -EINVAL;
	return -EOPNOTSUPP;
}

int32_t ntp_tai_offset(void) { return ntp()->tai; }
