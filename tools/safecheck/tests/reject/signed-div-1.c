// expect: signed-div
/* attack round 4: a division is the optimiser's proof that its undefined
 * cases do not happen. Division by zero is trapped (-fsanitize=
 * integer-divide-by-zero, a required flag); INT_MIN / -1 and
 * INT_MIN % -1 are not, so a signed division or remainder must have a
 * constant divisor other than 0 and -1. Every spelling of one below. */
#include <fw/types.h>

enum e { E_A = -1, E_B = 1 };

static int64_t quot(int64_t a, int64_t b) { return a / b; }
static int32_t rem(int32_t a, int32_t b) { return a % b; }
static int64_t by_minus_one(int64_t a) { return a / -1; }
static int32_t by_minus_one_rem(int32_t a) { return a % -1; }
static int64_t by_const_var(int64_t a)
{
	const int64_t m = -1;
	return a / m;
}
static int64_t wide(int64_t a, uint32_t b) { return a / b; }    /* b becomes int64_t */
static int32_t small(int8_t a, uint16_t b) { return a % b; }    /* both become int */
static int32_t by_enum(int32_t a, enum e k) { return a / k; }
static int64_t by_enum_const(int64_t a) { return a / E_A; }
static int32_t by_cast(int32_t a) { return a / (int32_t)0xffffffffu; }
static int64_t compound(int64_t a, int64_t b)
{
	a /= b;
	a %= b;
	return a;
}
static int64_t in_cond(int64_t a, int64_t b, int c) { return c ? a / b : 0; }

__attribute__((unused)) static int64_t signed_div_all(int64_t a, int64_t b)
{
	return quot(a, b) + rem((int32_t)a, (int32_t)b) + by_minus_one(a) + by_minus_one_rem((int32_t)a) +
	       by_const_var(a) + wide(a, (uint32_t)b) + small((int8_t)a, (uint16_t)b) + by_enum((int32_t)a, E_B) +
	       by_enum_const(a) + by_cast((int32_t)a) + compound(a, b) + in_cond(a, b, 1);
}
