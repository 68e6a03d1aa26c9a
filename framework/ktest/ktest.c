/* ktest runner. Layer: framework/ktest (trusted).
 * Runs every FW_KTEST in link order in one kernel task, prints a line per
 * test and the closing `N passed, N failed` on the console, then powers
 * off (exit code 0 iff all passed). */
#include "internal/init.h"
#include "internal/lib.h"
#include "internal/serial.h"
#include <fw/ktest.h>
#include <fw/log.h>
#include <fw/console.h>

extern const struct fw_ktest __ktest_start[], __ktest_end[];

static void out(const char *s) { serial_write(COM1, s, strlen(s)); }

void fw_ktest_fail(struct fw_ktest_ctx *t, const char *file, int line, const char *expr)
{
	char buf[256];
	fmt(buf, sizeof(buf), "    %s:%d: expected %s\n", file, line, expr);
	out(buf);
	t->failures++;
}

/* A filter selects one test by name, or every test whose name starts
 * with it when it ends in '*'. */
static bool selected(const char *filter, const char *name)
{
	size_t n = strlen(filter);
	if (n == 0 || filter[n - 1] != '*')
		return strcmp(filter, name) == 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (name[i] != filter[i]) /* stops at name's NUL, which differs */
			return false;
	return true;
}

void ktest_run_all(const char *filter)
{
	uint32_t passed = 0, failed = 0;
	char buf[256];
	for (const struct fw_ktest *k = __ktest_start; k < __ktest_end; k++) {
		if (filter && filter[0] && !selected(filter, k->name))
			continue;
		/* tests that must panic run only when named */
		if ((!filter || !filter[0]) && memcmp(k->name, "panic_", 6) == 0)
			continue;
		struct fw_ktest_ctx ctx = {0};
		k->fn(&ctx);
		fmt(buf, sizeof(buf), "%s %s\n", ctx.failures ? "FAIL" : "PASS", k->name);
		out(buf);
		if (ctx.failures)
			failed++;
		else
			passed++;
	}
	fmt(buf, sizeof(buf), "%u passed, %u failed\n", passed, failed);
	out(buf);
	fw_power_off(failed ? 1 : 0);
}
