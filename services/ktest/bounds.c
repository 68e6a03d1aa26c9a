/* A planted out-of-bounds index in service code. Layer: services (safe C).
 * The ktest `panic_oob` (run only by name, by tests/ktest.sh) indexes a
 * fixed array past its end: the bounds check must stop the kernel with a
 * message naming this file and line before the access happens. */
#include <fw/ktest.h>

struct bounds_box {
	uint32_t slot[4];
};

static uint32_t read_slot(const struct bounds_box *b, uint32_t i) { return b->slot[i]; }

FW_KTEST(panic_oob)
{
	struct bounds_box b = {{1, 2, 3, 4}};
	volatile uint32_t idx = 5;
	uint32_t v = read_slot(&b, idx);
	FW_EXPECT(t, v == 0xdeadbeef); /* not reached */
}

FW_KTEST(bounds_in_range_ok)
{
	struct bounds_box b = {{1, 2, 3, 4}};
	uint32_t sum = 0;
	for (uint32_t i = 0; i < 4; i++)
		sum += read_slot(&b, i);
	FW_EXPECT(t, sum == 10);
}
