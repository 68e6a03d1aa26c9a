// expect: compound-literal-addr
/* the address of a compound literal dangles at the end of its block */
#include <fw/testapi.h>
struct pt { int x, y; };
int norm(void)
{
	struct pt *p = &(struct pt){ 1, 2 };
	return p->x;
}
