// expect: call-unsafe
/* calling a framework internal that is not FW_API */
#include <fw/testapi.h>
void poke(void)
{
	fw_internal_poke(0xb8000, 0x41);
}
