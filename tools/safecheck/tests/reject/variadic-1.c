// expect: variadic
/* a variadic service function */
#include <fw/testapi.h>
int sum(int n, ...)
{
	return n;
}
