// expect: ptr-subscript
/* sneak-past: i[a] form on a true array, and a typedef'd pointer */
#include <fw/testapi.h>
typedef int *intp;
int get2(intp p, int i)
{
	int arr[4] = {0};
	return i[arr] + p[i];
}
