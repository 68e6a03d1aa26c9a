// bounds-deleted:
// flags-minus:
/* Checks the optimiser may delete from true facts: none of these is a
 * report. Loop bounds, masks, remainders, a dominating test, a check
 * dominated by an identical one, a narrow index type, a constant index. */
#include <fw/types.h>

struct t {
	uint32_t a[16];
	uint32_t b[256];
	uint32_t c[15];
};

uint32_t legit(struct t *t, uint32_t x, uint8_t y, uint32_t n);
uint32_t legit(struct t *t, uint32_t x, uint8_t y, uint32_t n)
{
	uint32_t s = 0;
	for (uint32_t i = 0; i < 16; i++)
		s += t->a[i];
	s += t->a[x & 15] + t->a[x % 16] + t->b[y] + t->c[3];
	if (x < 15)
		s += t->c[x];
	t->c[n % 15] += 1;
	t->c[n % 15] += 2;
	if (n < 15) {
		t->c[n] = s;
		t->c[n] ^= 1;
	}
	return s;
}
