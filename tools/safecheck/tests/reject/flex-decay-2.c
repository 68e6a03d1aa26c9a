// expect: flex-decay
/* passing the flexible array to a call */
#include <fw/testapi.h>
static uint8_t take(const uint8_t *p) { return *p; }
uint8_t first2(struct fw_bytes *b)
{
	return take(b->data);
}
