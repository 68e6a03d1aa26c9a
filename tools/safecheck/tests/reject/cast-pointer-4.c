// expect: cast-pointer
/* hazard 9: a service forging an MMIO pointer (the local APIC's EOI
 * register) from an integer; devices are reached only through framework APIs */
#include <fw/testapi.h>
void eoi(void)
{
	volatile uint32_t *reg = (volatile uint32_t *)0xfee000b0UL;
	*reg = 0;
}
