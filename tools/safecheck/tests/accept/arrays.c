/* Accept: fixed arrays indexed (trap-checked), arrays lent to calls,
 * nested arrays, struct member arrays, flexible arrays read by subscript. */
#include <fw/testapi.h>

struct ring {
	uint32_t slots[8];
	uint32_t head;
	uint8_t grid[4][4];
};

static uint32_t sum(const int *p, size_t n)
{
	(void)n;
	return p ? (uint32_t)*p : 0;
}

uint32_t ring_sum(struct ring *r, const struct fw_bytes *b)
{
	int local[4] = { 1, 2, 3, 4 };
	uint32_t total = 0;
	for (uint32_t i = 0; i < 8; i++)
		total += r->slots[i];
	total += r->grid[1][2];
	total += sum(local, 4);            /* decay as a direct call argument */
	fw_use_ints(local, 4);
	fw_fill_u32(&r->head);             /* &p->field: borrowed, fine */
	fw_fill_u32(&total);               /* &local as a direct call argument */
	if (b && b->len > 0)
		total += b->data[0];           /* counted_by trap */
	total += fw_bytes_at(b, 0);
	return total + (uint32_t)sizeof(local) + local[3];
}
