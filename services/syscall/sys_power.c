/* reboot(2): power off, restart, halt, Ctrl-Alt-Del setting. Layer:
 * services (safe C). */
#include "syscall/syscall.h"
#include <fw/console.h>
#include <fw/log.h>

#define REBOOT_MAGIC1 0xfee1deadU
#define CMD_RESTART 0x01234567U
#define CMD_HALT 0xCDEF0123U
#define CMD_POWER_OFF 0x4321FEDCU
#define CMD_CAD_ON 0x89ABCDEFU
#define CMD_CAD_OFF 0U

int64_t sys_reboot(struct fw_uregs *r)
{
	uint32_t m1 = (uint32_t)a0(r), m2 = (uint32_t)a1(r), cmd = (uint32_t)a2(r);
	if (!cred_capable(CAP_SYS_BOOT))
		return -EPERM;
	if (m1 != REBOOT_MAGIC1 || (m2 != 672274793U && m2 != 85072278U && m2 != 369367448U && m2 != 537993216U))
		return -EINVAL;
	switch (cmd) {
	case CMD_CAD_ON:
	case CMD_CAD_OFF:
		return 0;
	case CMD_RESTART:
		fw_info("reboot: restarting");
		fw_reboot();
	case CMD_HALT:
	case CMD_POWER_OFF:
		fw_info("reboot: power off");
		fw_power_off(0);
	default:
		return -EINVAL;
	}
}
