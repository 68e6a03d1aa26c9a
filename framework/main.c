/* Kernel entry after boot.S. Layer: framework (trusted).
 * Brings up the framework in dependency order, then hands the machine to
 * the services (their FW_SERVICES_MAIN entry, <fw/upcall.h>) or to the
 * ktest runner in a kernel task. */
#include "internal/init.h"
#include "internal/arch.h"
#include "internal/boot.h"
#include "internal/dev.h"
#include "internal/lib.h"
#include "internal/mm.h"
#include "internal/serial.h"
#include "internal/task.h"
#include <fw/log.h>
#include "internal/upcall.h"
#include <fw/console.h>


static const char *cmdline_value(const char *key)
{
	const char *s = boot_info.cmdline;
	size_t kl = strlen(key);
	for (; *s; s++) {
		if ((s == boot_info.cmdline || s[-1] == ' ') && memcmp(s, key, kl) == 0 && s[kl] == '=')
			return s + kl + 1;
	}
	return NULL;
}

static void first_task(uint64_t unused)
{
	(void)unused;
	const char *mode = cmdline_value("keel.mode");
	if (mode && memcmp(mode, "ktest", 5) == 0) {
		static char filter[64];
		const char *f = cmdline_value("keel.ktest");
		size_t i = 0;
		while (f && f[i] && f[i] != ' ' && i + 1 < sizeof(filter)) {
			filter[i] = f[i];
			i++;
		}
		ktest_run_all(filter);
	}
	void (*entry)(void) = services_main();
	if (entry)
		entry();
	else
		fw_info("no services linked");
	fw_power_off(0);
}

void kmain(uint32_t magic, uint64_t info)
{
	serial_init(COM1);
	serial_init(COM2);
	boot_parse(magic, info);
	fw_info("Keel booting via %s, cmdline '%s'", boot_info.loader, boot_info.cmdline);
	mm_init();
	arch_cpu_init();
	sched_init();
	arch_timer_init();
	random_init();
	time_init();
	console_init();
	dev_init();
	struct fw_task_ref t;
	if (fw_task_create_kernel(first_task, 0, &t) < 0)
		fw_panic("cannot create the first task");
	fw_info("framework up %lu us after reset", arch_cycles() / (arch_tsc_khz() / 1000));
	sched_idle_loop();
}
