// expect: ptr-arith
/* arithmetic on a borrowed pointer */
#include <fw/testapi.h>
int walk(int *p)
{
	int *q = p + 4;
	q++;
	q -= 2;
	return *q;
}
