/* Keel framework public API — kernel log.
 *
 * Layer: framework (trusted). The kernel log goes to the log serial port
 * (COM2; `keel` stores it under build/) and to a ring buffer; it never mixes
 * with what user programs write to the console.
 *
 * Safety contract: the format must be a string literal (checked by the
 * safe-C checker and by -Wformat), and every conversion in it one the
 * formatter implements (framework/lib/fmtspec.h, shared with the checker):
 *   %% %c %p %.*s %[W]s %[0][W][l|ll|z]{d,i,u,x}
 * so what -Wformat checked is what the formatter reads. From services, %s
 * takes only a string literal; a char array is printed with %.*s and
 * FW_STR(array), which passes the array's size as the bound (the checker
 * requires a constant bound no larger than the array). The formatter never
 * reads more than that bound, and at a conversion it does not implement it
 * prints the rest of the format as it stands and reads no more arguments.
 */
#ifndef FW_LOG_H
#define FW_LOG_H

#include <fw/types.h>

enum fw_log_level { FW_LOG_ERR = 0, FW_LOG_WARN = 1, FW_LOG_INFO = 2, FW_LOG_DEBUG = 3 };

FW_API FW_FORMAT(2, 3) void fw_log(int level, const char *fmt, ...);
FW_API FW_FORMAT(1, 2) FW_NORETURN void fw_panic(const char *fmt, ...);

/* The two arguments of a %.*s conversion: a char array's size, then the
 * array. `fw_info("name %.*s", FW_STR(p->name));` */
#define FW_STR(arr) (int)sizeof(arr), (arr)

#define fw_info(...) fw_log(FW_LOG_INFO, __VA_ARGS__)
#define fw_warn(...) fw_log(FW_LOG_WARN, __VA_ARGS__)
#define fw_err(...) fw_log(FW_LOG_ERR, __VA_ARGS__)
#define fw_debug(...) fw_log(FW_LOG_DEBUG, __VA_ARGS__)

#endif
