/* Returned pointers that are fine: NULL, a call's result, a local set only
 * from calls. */
#include <fw/testapi.h>
#include "svc_local.h"

struct item *first_positive(int n)
{
	struct item *it = NULL;
	for (int i = 0; i < n; i++) {
		it = item_lookup(i);
		if (it && it->v > 0)
			return it;
	}
	return n > 100 ? item_lookup(0) : NULL;
}
