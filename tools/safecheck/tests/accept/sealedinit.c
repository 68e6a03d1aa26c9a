/* Accept: sealed members zero-initialised, also through designators. */
#include <fw/testapi.h>
struct holder { int n; struct fw_waitq q; };
int fresh(void)
{
	struct holder h = { .n = 1, .q = {0} };
	struct holder g = { .q = {}, .n = 2 };
	struct fw_waitq arr[2] = { [1] = {0} };
	(void)arr;
	return h.n + g.n;
}
