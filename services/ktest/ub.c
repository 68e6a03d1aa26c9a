/* Hazard 12 (C's remaining undefined behaviour) from service code.
 * Layer: services (safe C). Run only by name, by tests/ktest.sh:
 *  - panic_shift: a shift by the operand's width is trapped by
 *    -fsanitize=shift and panics naming this file and line;
 *  - panic_div_zero: a division by zero is trapped by
 *    -fsanitize=integer-divide-by-zero before the instruction. It used to
 *    be left to the CPU's #DE, but the optimiser takes a division as
 *    proof that its divisor is not zero: in div_ub_write (attack round 4)
 *    that deleted the bounds check of arr[15 - d], and the division,
 *    0 / d once rd() is inlined, was folded away, so d == 0 wrote past
 *    the array without any trap (rip = 0x4141414141414141 in a caller's
 *    frame). INT64_MIN / -1 cannot be written: a signed division needs a
 *    constant divisor other than 0 and -1 (rule signed-div).
 * Neither may yield a value. */
#include <fw/ktest.h>

static uint64_t shl(uint64_t v, uint32_t n) { return v << n; }

struct div_ub {
	uint32_t arr[15];
	uint32_t victim;
	uint32_t sink;
};

static uint32_t rd(const uint32_t *p) { return *p; }

static void div_ub_write(struct div_ub *g, uint32_t x, uint32_t v)
{
	uint32_t zero = 0;
	uint32_t d = x & 15;
	uint32_t q = rd(&zero) / d;
	g->sink = q;
	g->arr[15 - d] = v;
}

FW_KTEST(panic_shift)
{
	volatile uint32_t n = 64;
	uint64_t v = shl(1, n);
	FW_EXPECT(t, v == 0xdeadbeef); /* not reached */
}

FW_KTEST(panic_div_zero)
{
	struct div_ub g = {0};
	volatile uint32_t x = 0;
	div_ub_write(&g, x, 0x41414141);
	FW_EXPECT(t, g.victim == 0x41414141); /* not reached */
}

FW_KTEST(shift_and_div_in_range_ok)
{
	volatile uint32_t n = 63;
	volatile uint32_t x = 3;
	volatile int64_t a = -INT64_MAX;
	struct div_ub g = {0};
	FW_EXPECT(t, shl(1, n) == 0x8000000000000000ULL);
	FW_EXPECT(t, a / 7 == -INT64_MAX / 7 && a % 7 == -INT64_MAX % 7);
	div_ub_write(&g, x, 0x41414141);
	FW_EXPECT(t, g.arr[12] == 0x41414141 && g.victim == 0 && g.sink == 0);
}
