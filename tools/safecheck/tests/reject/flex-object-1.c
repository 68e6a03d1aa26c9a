// expect: flex-object
/* hazard 1: a length that lies, on the stack */
#include <fw/testapi.h>
uint8_t forged(void)
{
	struct fw_bytes fake = { .len = 0xffffffff };
	return fw_bytes_at(&fake, 4096);
}
