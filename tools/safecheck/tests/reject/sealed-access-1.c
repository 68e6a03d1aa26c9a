// expect: sealed-access
/* reading a sealed framework object's internals */
#include <fw/testapi.h>
uint32_t gen_of(struct fw_waitq *q)
{
	return q->gen;
}
