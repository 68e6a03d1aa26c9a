// expect: vla
/* a variable-length array can jump the stack guard */
#include <fw/testapi.h>
int big(int n)
{
	int a[n];
	return (int)sizeof(a);
}
