// expect: cast-pointer
/* sneak-past: casting through an integer, and a function-pointer cast */
#include <fw/testapi.h>
static int handler(int x) { return x; }
int forge(uint64_t addr)
{
	int *p = (int *)(uintptr_t)addr;
	void (*f)(void) = (void (*)(void))handler;
	f();
	return *p;
}
