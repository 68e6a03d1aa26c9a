/* Keel framework public API — the serial console, boot information, power,
 * randomness and the initramfs image.
 *
 * Layer: framework (trusted). Sizes of kernel-side buffers come from their
 * types (the macros use sizeof(*p)); a count larger than the object (or
 * than INT32_MAX, for the calls that return it) gives -EINVAL; a count of
 * zero touches nothing. fw_random_fill fills at most the object. Console input is buffered by the framework's interrupt handler;
 * fw_console_read sleeps in the framework, so no wakeup is lost.
 */
#ifndef FW_CONSOLE_H
#define FW_CONSOLE_H

#include <fw/frame.h>
#include <fw/types.h>

FW_MACRO_API int fw_console_write_raw(const void *FW_POD_SRC buf, size_t cap, size_t n);
FW_MACRO_API int fw_console_read_raw(void *FW_POD_DST buf, size_t cap, size_t n, bool nonblock);
/* Write n bytes of *bufp to the console. Returns n or -EINVAL. */
#define fw_console_write(bufp, n) fw_console_write_raw((const void *)(bufp), sizeof(*(bufp)), (n))
/* Read up to n bytes of input: sleeps (interruptibly) until at least one
 * byte is there; -EAGAIN if nonblock and none; -EINTR; -EDEADLK instead
 * of sleeping inside the fault resolver upcall. */
#define fw_console_read(bufp, n, nonblock) fw_console_read_raw((void *)(bufp), sizeof(*(bufp)), (n), (nonblock))
/* Bytes of input waiting. */
FW_API uint32_t fw_console_pending(void);

/* The kernel command line, NUL-terminated, truncated to fit. Returns its length. */
FW_MACRO_API int fw_boot_cmdline_raw(void *FW_POD_DST buf, size_t cap);
#define fw_boot_cmdline(bufp) fw_boot_cmdline_raw((void *)(bufp), sizeof(*(bufp)))

/* The boot-loader module (initramfs): its size and copies out of it. */
FW_API uint64_t fw_initrd_size(void);
FW_MACRO_API int fw_initrd_read_raw(uint64_t off, void *FW_POD_DST buf, size_t cap, size_t n);
#define fw_initrd_read(off, bufp, n) fw_initrd_read_raw((off), (void *)(bufp), sizeof(*(bufp)), (n))
/* Copy n bytes at off into frame f at foff. -EINVAL on any range error. */
FW_API FW_MUST_CHECK int fw_initrd_to_frame(uint64_t off, struct fw_frame_ref f, uint32_t foff, uint32_t n);

/* Random bytes: RDRAND when the CPU has it, else a generator seeded from
 * the TSC and RTC at boot. */
FW_MACRO_API void fw_random_raw(void *FW_POD_DST buf, size_t cap, size_t n);
#define fw_random_fill(bufp, n) fw_random_raw((void *)(bufp), sizeof(*(bufp)), (n))

/* Power off the machine; `code` is reported to QEMU's isa-debug-exit. */
FW_API FW_NORETURN void fw_power_off(int code);
/* Reset the machine. */
FW_API FW_NORETURN void fw_reboot(void);

#endif
