// expect: union
/* type punning through a union */
#include <fw/testapi.h>
union pun { uint64_t addr; int n; };
int punned(uint64_t a)
{
	union pun u = { a };
	return u.n;
}
