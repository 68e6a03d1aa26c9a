// expect: attribute extern-decl
/* weak / alias / cleanup / %gs address space */
#include <fw/testapi.h>
static void undo(int *p) { (void)p; }
__attribute__((weak)) int fw_hook(void) { return 0; }
int gs_read(void)
{
	__attribute__((cleanup(undo))) int x = 0;
	int __attribute__((address_space(256))) *gs;
	return x + (gs ? 1 : 0);
}
