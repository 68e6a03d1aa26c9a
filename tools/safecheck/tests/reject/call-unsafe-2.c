// expect: call-unsafe
/* taking the address of an internal, and reading a framework global */
#include <fw/testapi.h>
int peek(void)
{
	int (*f)(uint64_t, uint64_t) = fw_internal_poke;
	f(1, 2);
	return fw_internal_counter;
}
