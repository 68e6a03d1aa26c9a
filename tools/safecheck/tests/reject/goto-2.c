// expect: goto
/* computed goto and labels as values */
#include <fw/testapi.h>
int jump(int n)
{
	void *t = n ? &&a : &&b;
	goto *t;
a:
	return 1;
b:
	return 2;
}
