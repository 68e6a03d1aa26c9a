// expect: ptr-arith
/* ordering comparison and pointer difference */
#include <fw/testapi.h>
long dist(int *a, int *b)
{
	if (a < b)
		return b - a;
	return 0;
}
