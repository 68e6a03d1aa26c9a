// expect: float
/* attack round 5: the kernel has no floating point (-mgeneral-regs-only,
 * no soft-float runtime), so the only float a service can write is one
 * the compiler folds, and an out-of-range conversion folds to poison.
 * Passed to a call (every scalar parameter is noundef), the poison made
 * the path it came from undefined: SimplifyCFG removed the edge with an
 * assumption of its condition, and that deleted the bounds check of
 * g->arr[x] (a write past the array; through a caller's frame, rip =
 * 0x4141414141414141). No floating type, literal or value is accepted. */
#include <fw/types.h>

struct g { uint32_t arr[15]; uint32_t victim; };
struct has_float { uint32_t n; double d[2]; };    /* field */
typedef float real;                                /* typedef */
typedef void (*takes_double)(double);              /* signature */
static uint32_t counter(double x);                 /* parameter */
static uint32_t counter(double x) { return x > 1; }
static double half(void) { return 0.5; }           /* result */

static void sink(struct g *g, uint32_t k) { g->victim = k; }

static void attack(struct g *g, uint32_t x, uint32_t v)
{
	uint32_t k;
	if (x >= 15) {
		k = (uint8_t)1.0e20f;    /* poison */
	} else {
		k = x + 1;
	}
	sink(g, k);
	g->arr[x] = v;               /* its check was deleted */
}

static uint32_t hex_and_int_only(uint32_t x)
{
	uint32_t a = (uint32_t)0x1p80;    /* hexadecimal floating literal */
	return a + x + (uint32_t)(x * 2.0) + (uint32_t)half();
}
