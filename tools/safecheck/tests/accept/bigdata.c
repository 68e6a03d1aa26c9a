/* Accept: plain data may be as large as it likes (a NULL pointer plus its
 * offset reads only bits, which every integer type takes); function
 * pointers and bools stay below FW_USER_MIN (rule null-reach). */
#include <fw/testapi.h>
struct big_table {
	void (*on_change)(uint64_t);
	bool dirty;
	uint32_t slot[100000];
	uint8_t bytes[1 << 20];
};

uint32_t peek(const struct big_table *t, uint32_t i)
{
	if (t->dirty && t->on_change)
		t->on_change(i);
	return i < 100000 ? t->slot[i] : t->bytes[0];
}
