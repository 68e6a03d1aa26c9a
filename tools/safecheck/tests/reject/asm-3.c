// expect: asm
/* hazard 9: port I/O from a service (here: a PCI config-space write through
 * 0xcf8/0xcfc) needs inline asm, which services never get */
#include <fw/testapi.h>
void pci_poke(uint32_t addr, uint32_t val)
{
	__asm__ volatile("outl %0, %w1" ::"a"(addr), "Nd"(0xcf8));
	__asm__ volatile("outl %0, %w1" ::"a"(val), "Nd"(0xcfc));
}
