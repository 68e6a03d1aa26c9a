/* ktests that must end in a panic; run one at a time by name from
 * tests/ktest.sh, which checks what the panic printed. Layer:
 * framework/ktest (trusted). */
#include <fw/ktest.h>

/* A kernel bug touching unmapped memory: the handler must print the
 * registers and a backtrace that names this function. */
FW_KTEST(panic_kernel_fault)
{
	volatile uint64_t *p = (volatile uint64_t *)0xffffc90000000008UL; /* a stack guard page */
	*p = 1;
	FW_EXPECT(t, false);
}
