// bounds-deleted: 25
// flags-minus: integer-divide-by-zero
/* Attack round 4, compiled as the build was before its fix (without
 * -fsanitize=integer-divide-by-zero): the division is the optimiser's
 * proof that d != 0, which deletes the check of arr[15 - d]; after rd()
 * is inlined the division is 0 / d and folded away, so d == 0 writes
 * past the array without any trap. bounds-kept.sh must report line 25. */
#include <fw/types.h>

struct div_ub {
	uint32_t arr[15];
	uint32_t victim;
	uint32_t sink;
};

static uint32_t rd(const uint32_t *p) { return *p; }

void div_ub_write(struct div_ub *g, uint32_t x, uint32_t v);
void div_ub_write(struct div_ub *g, uint32_t x, uint32_t v)
{
	uint32_t zero = 0;
	uint32_t d = x & 15;
	uint32_t q = rd(&zero) / d;
	g->sink = q;
	g->arr[15 - d] = v;
}
