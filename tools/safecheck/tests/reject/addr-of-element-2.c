// expect: addr-of-element
/* array + i, and decay outside a call argument */
#include <fw/testapi.h>
struct box { int arr[8]; };
int peek(struct box *b, int i)
{
	int *p = b->arr + i;
	int *q = b->arr;
	return *p + *q;
}
