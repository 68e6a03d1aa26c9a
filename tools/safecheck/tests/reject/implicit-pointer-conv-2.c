// expect: implicit-pointer-conv
/* integer to pointer (0 is not NULL here) and a const drop */
#include <fw/testapi.h>
void strip(const uint32_t *cp)
{
	uint32_t *p = 0;
	p = cp;
	fw_fill_u32(p);
}
