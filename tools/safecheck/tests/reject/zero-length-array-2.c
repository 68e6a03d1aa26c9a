// expect: zero-length-array
/* zero-length local array */
#include <fw/testapi.h>
int empty(void)
{
	int none[0];
	return sizeof(none);
}
