// expect: builtin
/* builtins with undefined behaviour on some inputs (clz of 0) */
#include <fw/testapi.h>
int lead(unsigned long x)
{
	return __builtin_clzl(x) + __builtin_ctzl(x);
}
