// expect: addr-of-local
/* a local array decays outside a call; a local struct's field escapes */
#include <fw/testapi.h>
struct pair { int a, b; };
int esc(void)
{
	int buf[4] = {0};
	int *p = buf;
	struct pair s = {0};
	int *q = &s.b;
	return *p + *q;
}
