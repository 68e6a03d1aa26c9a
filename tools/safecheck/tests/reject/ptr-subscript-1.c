// expect: ptr-subscript
/* indexing through a pointer parameter (array syntax does not help) */
#include <fw/testapi.h>
int get(int a[16], int i)
{
	return a[i];
}
