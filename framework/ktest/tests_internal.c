/* ktests that need the framework's internals. Layer: framework/ktest
 * (trusted). */
#include "internal/mm.h"
#include <abi/errno.h>
#include <fw/console.h>
#include <fw/frame.h>
#include <fw/ktest.h>
#include <abi/errno.h>

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
