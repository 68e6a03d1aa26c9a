// expect: implicit-pointer-conv
/* void * to a typed pointer, and between pointee types */
#include <fw/testapi.h>
int pun(void *v, uint32_t *u)
{
	int *p = v;
	uint16_t *h = u;
	return *p + *h;
}
