// expect: builtin
/* __builtin_unreachable is UB when reached; atomics on raw addresses */
#include <fw/testapi.h>
int pick(int x, int *p)
{
	__atomic_store_n(p, 1, 5);
	if (x)
		return 1;
	__builtin_unreachable();
}
