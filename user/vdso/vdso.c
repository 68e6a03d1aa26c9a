/*
 * user/vdso/vdso.c - Keel's vDSO: clock_gettime, gettimeofday, time and
 * getcpu without entering the kernel.
 *
 * Layer: user mode. This code runs in every process, mapped read-only and
 * executable beside a read-only data page (struct keel_vvar) that the
 * kernel fills from the framework's clock parameters (<fw/time.h>,
 * fw_time_clock_params). It trusts only that page; a clock it does not
 * know, or a page the kernel has not filled, falls back to the system call,
 * so the answers always agree with the kernel's own. Built freestanding
 * (no libc), position independent, without relocations.
 */
#include "vvar.h"

/* The data page sits one page below the image (see vdso.lds). */
extern const struct keel_vvar keel_vvar __attribute__((visibility("hidden")));

struct timespec_k {
	long tv_sec;
	long tv_nsec;
};
struct timeval_k {
	long tv_sec;
	long tv_usec;
};

#define NS_PER_SEC 1000000000UL

static inline unsigned long rdtsc(void)
{
	unsigned lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((unsigned long)hi << 32) | lo;
}

static long syscall2(long nr, long a, long b)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b) : "rcx", "r11", "memory");
	return ret;
}

/* Monotonic and realtime ns exactly as the kernel computes them; 0 if the
 * page is not filled in (the caller then asks the kernel). */
static int read_clock(int realtime, unsigned long *ns)
{
	const volatile struct keel_vvar *v = &keel_vvar;
	unsigned long seq, mult, base, d, m;
	do {
		seq = v->seq;
		__asm__ volatile("" ::: "memory");
		mult = v->tsc_mult;
		d = rdtsc() - v->tsc_boot;
		base = v->realtime_base_ns;
		__asm__ volatile("" ::: "memory");
	} while ((seq & 1) || seq != v->seq);
	if (!mult)
		return -1;
	m = (unsigned long)(((unsigned __int128)d * mult) >> 32);
	*ns = realtime ? base + m : m;
	return 0;
}

static int clock_kind(long clk)
{
	switch (clk) {
	case KEEL_CLOCK_REALTIME:
	case KEEL_CLOCK_REALTIME_COARSE:
		return 1;
	case KEEL_CLOCK_MONOTONIC:
	case KEEL_CLOCK_MONOTONIC_RAW:
	case KEEL_CLOCK_MONOTONIC_COARSE:
	case KEEL_CLOCK_BOOTTIME:
		return 0;
	default:
		return -1;
	}
}

__attribute__((visibility("default"))) int __vdso_clock_gettime(long clk, struct timespec_k *ts)
{
	unsigned long ns;
	int kind = clock_kind(clk);
	if (kind < 0 || read_clock(kind, &ns))
		return (int)syscall2(KEEL_NR_clock_gettime, clk, (long)ts);
	ts->tv_sec = (long)(ns / NS_PER_SEC);
	ts->tv_nsec = (long)(ns % NS_PER_SEC);
	return 0;
}

__attribute__((visibility("default"))) int __vdso_gettimeofday(struct timeval_k *tv, void *tz)
{
	unsigned long ns;
	if (tz || read_clock(1, &ns))
		return (int)syscall2(KEEL_NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = (long)(ns / NS_PER_SEC);
		tv->tv_usec = (long)(ns % NS_PER_SEC / 1000);
	}
	return 0;
}

__attribute__((visibility("default"))) long __vdso_time(long *t)
{
	unsigned long ns;
	if (read_clock(1, &ns))
		return syscall2(KEEL_NR_time, (long)t, 0);
	long s = (long)(ns / NS_PER_SEC);
	if (t)
		*t = s;
	return s;
}

/* Keel runs on one CPU (the kernel is uniprocessor): CPU 0, node 0. */
__attribute__((visibility("default"))) long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	(void)cache;
	if (cpu)
		*cpu = 0;
	if (node)
		*node = 0;
	return 0;
}

/* The unprefixed names, as Linux's vDSO also exports them. */
int clock_gettime(long, struct timespec_k *) __attribute__((visibility("default"), weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_k *, void *) __attribute__((visibility("default"), weak, alias("__vdso_gettimeofday")));
long time(long *) __attribute__((visibility("default"), weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((visibility("default"), weak, alias("__vdso_getcpu")));
