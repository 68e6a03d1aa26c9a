// bounds-deleted: 27
// flags-minus:
/* Attack round 5 (the checker now refuses it, rule float; this corpus
 * file is compiled only, not checked): a constant out-of-range float to
 * integer conversion folds to poison; passed to a call (a noundef
 * parameter) it makes its path undefined, SimplifyCFG removes that edge
 * and keeps its condition as an assumption, and the bounds check of
 * g->arr[x] folds away. bounds-kept.sh must report line 27. */
#include <fw/types.h>

struct g {
	uint32_t arr[15];
	uint32_t victim;
};

__attribute__((noinline)) static void sink(struct g *g, uint32_t k) { g->victim = k; }

void fl(struct g *g, uint32_t x, uint32_t v);
void fl(struct g *g, uint32_t x, uint32_t v)
{
	uint32_t k;
	if (x >= 15)
		k = (uint8_t)1.0e20f;
	else
		k = x + 1;
	sink(g, k);
	g->arr[x] = v;
}
