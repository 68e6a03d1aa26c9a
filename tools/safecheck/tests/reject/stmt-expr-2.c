// expect: stmt-expr addr-of-local
/* a statement expression yielding the address of its own local */
#include <fw/testapi.h>
int h(void)
{
	int *p = ({ int t = 1; &t; });
	return *p;
}
