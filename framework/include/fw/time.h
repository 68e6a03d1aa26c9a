/* Keel framework public API — clocks and timers.
 *
 * Layer: framework (trusted). The monotonic clock counts ns since boot from
 * the TSC (calibrated against the PIT); the realtime clock is the CMOS RTC
 * read at boot plus the monotonic clock, adjustable by fw_time_set_realtime.
 *
 * Timers run their callback in a framework worker task (thread context,
 * never interrupt context: hazard 10), with the cookie given at creation.
 * Safety contract: handles are generation-checked; destroying a timer
 * cancels it: no call of its callback starts after destroy returns (one
 * that started earlier and sleeps may still be running).
 */
#ifndef FW_TIME_H
#define FW_TIME_H

#include <fw/types.h>

struct fw_timer_ref {
	uint32_t idx;
	uint32_t gen;
};

FW_API uint64_t fw_time_monotonic_ns(void);
FW_API uint64_t fw_time_realtime_ns(void);
FW_API void fw_time_set_realtime(uint64_t ns);
FW_API uint64_t fw_time_boot_realtime_ns(void);
/* Time since the machine was reset (the TSC starts at 0 then), for boot
 * time measurements. */
FW_API uint64_t fw_time_since_reset_ns(void);

/* The clocks' parameters, for user-mode code that reads the clocks without
 * a system call (the vDSO) and must agree with the functions above to the
 * nanosecond: with d = rdtsc() - tsc_boot,
 *   monotonic ns = (d * tsc_mult) >> 32   (128-bit product)
 *   realtime ns  = realtime_base_ns + monotonic ns   (mod 2^64)
 * tsc_mult is 0 until the TSC is calibrated (the clocks read 0 then).
 * realtime_base_ns changes only in fw_time_set_realtime, which bumps seq.
 * Contract: plain numbers; handing them out reveals no kernel address. */
struct fw_clock_params {
	uint64_t tsc_boot;
	uint64_t tsc_mult;
	uint64_t realtime_base_ns;
	uint64_t seq;
};
FW_API void fw_time_clock_params(struct fw_clock_params *out);

FW_API FW_MUST_CHECK int fw_timer_create(void (*fn)(uint64_t cookie), uint64_t cookie, struct fw_timer_ref *out);
/* Fire at absolute monotonic deadline_ns, then every period_ns if nonzero
 * (a next deadline past 2^64 ns saturates: the timer does not fire again).
 * deadline 0 disarms. */
FW_API int fw_timer_arm(struct fw_timer_ref t, uint64_t deadline_ns, uint64_t period_ns);
/* Time left until the next expiry (0 if disarmed) and the period. */
FW_API int fw_timer_get(struct fw_timer_ref t, uint64_t *remaining_ns, uint64_t *period_ns);
FW_API void fw_timer_destroy(struct fw_timer_ref t);

#endif
