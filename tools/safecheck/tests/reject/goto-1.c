// expect: goto
/* plain goto */
#include <fw/testapi.h>
int loop(int n)
{
again:
	if (n-- > 0)
		goto again;
	return n;
}
