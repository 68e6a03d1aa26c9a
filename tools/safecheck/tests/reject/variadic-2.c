// expect: variadic
/* a variadic definition and (dormant) va_arg machinery in a macro */
#include <fw/testapi.h>
#define NEXT(ap) __builtin_va_arg(ap, int)
int vsum(int n, ...)
{
	return n;
}
