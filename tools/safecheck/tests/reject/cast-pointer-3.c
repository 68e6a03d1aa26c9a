// expect: cast-pointer
/* pointer to integer, and (void *) laundering */
#include <fw/testapi.h>
uint64_t leak(const int *p)
{
	const void *v = (const void *)p;
	(void)v;
	return (uint64_t)p;
}
