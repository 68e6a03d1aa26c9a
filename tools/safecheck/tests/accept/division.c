/* Divisions the signed-div rule lets through (attack round 4): unsigned
 * ones (their one undefined case, a zero divisor, is trapped by
 * -fsanitize=integer-divide-by-zero) and signed ones by a constant other
 * than 0 and -1, in which no case is undefined. */
#include <fw/types.h>

__attribute__((unused)) static int64_t division_ok(int64_t a, uint64_t u, uint32_t v)
{
	uint64_t q = u / v + u % v;          /* unsigned: zero is trapped */
	int32_t s = (int32_t)v;
	int64_t r = a / 7 + a % -7 + s / 2;  /* constant, not 0 or -1 */
	uint32_t w = v;
	w /= 3;
	w %= v;                              /* unsigned compound */
	int64_t big = a / 4294967295u;       /* converted to int64_t: not -1 */
	int32_t mixed = (int32_t)(v / (uint32_t)s); /* unsigned */
	return (int64_t)q + r + w + big + mixed + (int64_t)(u / 0xffffffffffffffffULL);
}
