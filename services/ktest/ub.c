/* Hazard 12 (C's remaining undefined behaviour) from service code.
 * Layer: services (safe C). Run only by name, by tests/ktest.sh:
 *  - panic_shift: a shift by the operand's width is trapped by
 *    -fsanitize=shift and panics naming this file and line;
 *  - panic_div_overflow: INT64_MIN / -1 is left to the CPU, whose #DE
 *    stops the kernel (division by zero takes the same path).
 * Neither may yield a value. */
#include <fw/ktest.h>

static uint64_t shl(uint64_t v, uint32_t n) { return v << n; }

static int64_t sdiv(int64_t a, int64_t b) { return a / b; }

FW_KTEST(panic_shift)
{
	volatile uint32_t n = 64;
	uint64_t v = shl(1, n);
	FW_EXPECT(t, v == 0xdeadbeef); /* not reached */
}

FW_KTEST(panic_div_overflow)
{
	volatile int64_t a = -INT64_MAX - 1, b = -1;
	int64_t q = sdiv(a, b);
	FW_EXPECT(t, q == 0xdeadbeef); /* not reached */
}

FW_KTEST(shift_and_div_in_range_ok)
{
	volatile uint32_t n = 63;
	volatile int64_t a = -INT64_MAX, b = -1;
	FW_EXPECT(t, shl(1, n) == 0x8000000000000000ULL);
	FW_EXPECT(t, sdiv(a, b) == INT64_MAX);
}
