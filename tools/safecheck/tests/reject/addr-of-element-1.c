// expect: addr-of-element
/* &a[i] escapes the bounds check */
#include <fw/testapi.h>
struct box { int arr[8]; };
void poke(struct box *b, int i)
{
	int *p = &b->arr[i];
	*p = 1;
}
