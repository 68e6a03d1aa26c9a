/* ktests that need the framework's internals. Layer: framework/ktest
 * (trusted). */
#include "internal/mm.h"
#include <abi/errno.h>
#include <fw/console.h>
#include <fw/frame.h>
#include <fw/ktest.h>
#include <fw/time.h>
#include "internal/arch.h"

/* A framework-internal frame (a page table) is not reachable by handle,
 * even with the right number and generation. */
FW_KTEST(frame_handle_cannot_name_a_page_table)
{
	uint64_t pml4 = kernel_pml4();
	struct fw_frame_ref forged = {(uint32_t)(pml4 / 4096), frame_gen(pml4)};
	FW_EXPECT(t, !fw_frame_valid(forged));
	FW_EXPECT(t, fw_frame_zero(forged, 0, 8) == -EINVAL);
}

/* The console returns its count as int: a count past INT32_MAX is refused,
 * not truncated into something that reads as an errno (a direct call with
 * a capacity no service object has; the rest is services/ktest/lengths.c). */
FW_KTEST(console_count_fits_int)
{
	char buf[4] = "ok\n";
	FW_EXPECT(t, fw_console_write_raw(buf, SIZE_MAX, (size_t)INT32_MAX + 1) == -EINVAL);
	FW_EXPECT(t, fw_console_read_raw(buf, SIZE_MAX, (size_t)INT32_MAX + 1, true) == -EINVAL);
}

/* The clock parameters handed to the vDSO reproduce the kernel's clocks:
 * computed between two kernel reads they fall between them, and setting
 * the realtime clock moves the base and bumps seq. */
static uint64_t mono_from(const struct fw_clock_params *p, uint64_t tsc)
{
	uint64_t d = tsc - p->tsc_boot;
	return (uint64_t)(((unsigned __int128)d * p->tsc_mult) >> 32);
}

FW_KTEST(clock_params_reproduce_the_clocks)
{
	struct fw_clock_params p;
	fw_time_clock_params(&p);
	FW_EXPECT(t, p.tsc_mult > 0);
	uint64_t m0 = fw_time_monotonic_ns();
	uint64_t m = mono_from(&p, arch_cycles());
	uint64_t m1 = fw_time_monotonic_ns();
	FW_EXPECT(t, m0 <= m && m <= m1);
	uint64_t r0 = fw_time_realtime_ns();
	uint64_t r = p.realtime_base_ns + mono_from(&p, arch_cycles());
	uint64_t r1 = fw_time_realtime_ns();
	FW_EXPECT(t, r0 <= r && r <= r1);
	fw_time_set_realtime(r1 + 3600000000000ULL);
	struct fw_clock_params q;
	fw_time_clock_params(&q);
	FW_EXPECT(t, q.seq == p.seq + 1 && q.tsc_boot == p.tsc_boot && q.tsc_mult == p.tsc_mult);
	uint64_t r2 = q.realtime_base_ns + mono_from(&q, arch_cycles());
	FW_EXPECT(t, r2 >= r1 + 3600000000000ULL && r2 <= fw_time_realtime_ns());
	fw_time_set_realtime(fw_time_realtime_ns() - 3600000000000ULL);
}
