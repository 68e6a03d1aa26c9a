/* Hazard 11 (stack) from service code. Layer: services (safe C).
 * The ktest `panic_stack_overflow` (run only by name, by tests/ktest.sh)
 * recurses without bound, 256 bytes of locals a level: the kernel stack
 * (16 KiB) must end on its unmapped guard page, and the framework must
 * report the fault (a page fault that cannot be delivered becomes a double
 * fault on its own IST stack) and panic instead of running over the
 * neighbouring memory. Frames are capped at 3 KiB (-Wframe-larger-than), so
 * no single frame can step over the 4 KiB guard page. */
#include <fw/ktest.h>

static uint32_t descend(uint32_t depth)
{
	volatile uint8_t pad[256];
	pad[depth % 256] = (uint8_t)depth;
	if (depth == UINT32_MAX)
		return 0;
	/* The result is used after the call with pad still live, so the
	 * compiler can neither turn this into a loop nor drop the frame. */
	uint32_t below = descend(depth + 1);
	return below + pad[(depth * 7) % 256];
}

FW_KTEST(panic_stack_overflow)
{
	volatile uint32_t start = 0;
	uint32_t v = descend(start);
	FW_EXPECT(t, v == 0xdeadbeef); /* not reached */
}

FW_KTEST(stack_recursion_within_bounds_ok)
{
	/* A bounded recursion of a few KiB runs normally. */
	FW_EXPECT(t, descend(UINT32_MAX - 8) == descend(UINT32_MAX - 8));
}
