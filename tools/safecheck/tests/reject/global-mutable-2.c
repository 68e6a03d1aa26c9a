// expect: global-mutable
/* a function-static mutable, and a table whose elements are not const */
#include <fw/testapi.h>
static int table[4] = { 1, 2, 3, 4 };
int next(void)
{
	static int calls;
	return table[calls++ & 3];
}
