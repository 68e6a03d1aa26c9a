// expect: asm
/* inline asm in a function body */
#include <fw/testapi.h>
int read_cr3(void)
{
	unsigned long v = 0;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return (int)v;
}
