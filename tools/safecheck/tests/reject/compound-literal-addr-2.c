// expect: compound-literal-addr
/* even as a call argument */
#include <fw/testapi.h>
void f(void)
{
	fw_fill_u32(&(uint32_t){ 0 });
}
