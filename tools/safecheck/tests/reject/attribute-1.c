// expect: attribute
/* switching off the bounds trap, placing code in a section */
#include <fw/testapi.h>
__attribute__((no_sanitize("bounds"))) int raw(int i)
{
	int a[4] = {0};
	return a[i];
}
__attribute__((section(".text.fw"))) int placed(void) { return 0; }
