/* Kernel log and panic. Layer: framework/console (trusted).
 * The log goes to COM2 (kept by `keel` in a file under build/); panics go to
 * the console too, so a person at `make run` sees them. */
#include "internal/init.h"
#include <fw/log.h>
#include "internal/lib.h"
#include "internal/serial.h"
#include "internal/arch.h"

static const char *const level_tag[] = {"E ", "W ", "I ", "D "};
static int log_max_level = FW_LOG_INFO;

void log_set_level(int level) { log_max_level = level; }

static void log_emit(int level, const char *f, va_list ap)
{
	char buf[512];
	size_t n = vfmt(buf, sizeof(buf), f, ap);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	uint64_t ms = arch_uptime_ns() / 1000000;
	char stamp[32];
	size_t sn = fmt(stamp, sizeof(stamp), "[%5lu.%03lu] ", ms / 1000, ms % 1000);
	bool was = irq_save();
	serial_write(COM2, stamp, sn);
	serial_write(COM2, level_tag[level & 3], 2);
	serial_write(COM2, buf, n);
	if (n == 0 || buf[n - 1] != '\n')
		serial_putc(COM2, '\n');
	irq_restore(was);
}

void fw_log(int level, const char *fmt, ...)
{
	if (level > log_max_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	log_emit(level, fmt, ap);
	va_end(ap);
}

void fw_panic(const char *fmt, ...)
{
	irq_disable();
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	size_t n = vfmt(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	for (int i = 0; i < 2; i++) {
		uint16_t port = i ? COM2 : COM1;
		serial_write(port, "\nKEEL PANIC: ", 13);
		serial_write(port, buf, n);
		serial_putc(port, '\n');
	}
	arch_backtrace(__builtin_frame_address(0));
	arch_power_off(255);
}
