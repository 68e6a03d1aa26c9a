/*
 * user/vdso/vvar.h - the vDSO's data page, shared by the vDSO (user mode)
 * and the kernel service that fills it (services/exec/vdso.c keeps its own
 * copy of this layout: services cannot include user/; tests/vdso checks
 * they agree through the clock test).
 *
 * seq is even while the fields are stable; the kernel makes it odd around
 * an update (on one CPU a reader never sees that, but the protocol keeps
 * the vDSO correct if the kernel ever runs on more than one).
 */
#ifndef KEEL_VVAR_H
#define KEEL_VVAR_H

struct keel_vvar {
	unsigned long seq;
	unsigned long tsc_boot;         /* TSC at monotonic 0 */
	unsigned long tsc_mult;         /* ns = (ticks * mult) >> 32; 0: not filled in */
	unsigned long realtime_base_ns; /* realtime = base + monotonic */
};

#define KEEL_CLOCK_REALTIME 0
#define KEEL_CLOCK_MONOTONIC 1
#define KEEL_CLOCK_MONOTONIC_RAW 4
#define KEEL_CLOCK_REALTIME_COARSE 5
#define KEEL_CLOCK_MONOTONIC_COARSE 6
#define KEEL_CLOCK_BOOTTIME 7

#define KEEL_NR_gettimeofday 96
#define KEEL_NR_time 201
#define KEEL_NR_clock_gettime 228

#endif
