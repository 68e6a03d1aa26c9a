// expect: addr-of-local return-pointer
/* &local stored in a local pointer and returned */
#include <fw/testapi.h>
int *dangle(void)
{
	int x = 1;
	int *p = &x;
	return p;
}
int *dangle2(void)
{
	int y = 2;
	return &y;
}
