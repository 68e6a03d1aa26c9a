/* Keel framework public API — kernel log.
 *
 * Layer: framework (trusted). The kernel log goes to the log serial port
 * (COM2; `keel` stores it under build/) and to a ring buffer; it never mixes
 * with what user programs write to the console.
 *
 * Safety contract: the format must be a string literal (checked by the
 * safe-C checker and by -Wformat); conversions supported: %d %i %u %x %lx
 * %ld %lu %llx %lld %llu %zu %zd %p %s %c %%. A %s argument must be a
 * NUL-terminated string literal or a framework-provided string; services
 * print their own byte buffers with fw_log_bytes().
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <fw/types.h>

enum fw_log_level { FW_LOG_ERR = 0, FW_LOG_WARN = 1, FW_LOG_INFO = 2, FW_LOG_DEBUG = 3 };

FW_API FW_FORMAT(2, 3) void fw_log(int level, const char *fmt, ...);
FW_API FW_FORMAT(1, 2) FW_NORETURN void fw_panic(const char *fmt, ...);

#define fw_info(...) fw_log(FW_LOG_INFO, __VA_ARGS__)
#define fw_warn(...) fw_log(FW_LOG_WARN, __VA_ARGS__)
#define fw_err(...) fw_log(FW_LOG_ERR, __VA_ARGS__)
#define fw_debug(...) fw_log(FW_LOG_DEBUG, __VA_ARGS__)

#endif
