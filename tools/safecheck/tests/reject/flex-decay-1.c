// expect: flex-decay
/* a flexible array handed on as a bare pointer loses its length */
#include <fw/testapi.h>
uint8_t first(struct fw_bytes *b)
{
	const uint8_t *p = b->data;
	return *p;
}
