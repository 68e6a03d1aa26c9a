/* Keel framework public API — in-kernel unit tests (ktest).
 *
 * Layer: framework (trusted macro). A test is a function registered in a
 * table the framework walks when booted with `keel.mode=ktest`:
 *
 *   FW_KTEST(pool_reuses_slot) { ... FW_EXPECT(t, x == 1); ... }
 *
 * FW_KTEST expands to a function definition plus a const table entry in
 * the .ktest section; both are framework code by spelling location.
 */
#ifndef FW_KTEST_H
#define FW_KTEST_H

#include <fw/types.h>

struct fw_ktest_ctx {
	uint32_t failures;
};

/* Sealed: a table entry holds pointers (its name, file, function) and is
 * made only by FW_KTEST; services never read or copy one. */
struct FW_SEALED fw_ktest {
	const char *name;
	const char *file;
	void (*fn)(struct fw_ktest_ctx *t);
};

FW_MACRO_API void fw_ktest_fail(struct fw_ktest_ctx *t, const char *file, int line, const char *expr);

#define FW_KTEST(tname)                                                                                     \
	static void ktest_##tname(struct fw_ktest_ctx *t);                                                 \
	__attribute__((used, section(".ktest"), annotate("keel_trusted"))) static const struct fw_ktest \
		ktest_entry_##tname = {                                                                    \
		#tname, __FILE__, ktest_##tname};                                                          \
	static void ktest_##tname(struct fw_ktest_ctx *t)

#define FW_EXPECT(t, cond)                                                                                 \
	do {                                                                                               \
		if (!(cond))                                                                               \
			fw_ktest_fail((t), __FILE__, __LINE__, #cond);                                     \
	} while (0)

#endif
