// expect: ptr-to-ptr
/* A local pointer to pointer. */
#include <fw/testapi.h>
int deref2(int *p)
{
	int **pp = NULL;
	(void)pp;
	return p ? *p : 0;
}
