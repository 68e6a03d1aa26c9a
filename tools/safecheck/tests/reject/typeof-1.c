// expect: cast-pointer
/* sneak-past: __typeof__ does not hide the pointer in a cast */
#include <fw/testapi.h>
int via_typeof(uint64_t a)
{
	__typeof__(&a) p = (__typeof__(&a))a;
	return (int)*p;
}
