/* Accept: attributes written out literally, names on the allow-list
 * (attack round 3: only this form is read). */
#include <fw/testapi.h>
struct __attribute__((packed, aligned(4))) wire {
	uint8_t kind;
	uint32_t len;
};
__attribute__((noinline, cold)) static int rare(int x) { return x + 1; }
[[maybe_unused]] static int spare(void) { return 0; }

[[gnu::hot]] static int busy2(int x) { return x; }
int busy(int x)
{
	[[maybe_unused]] int y = 0;
	switch (x) {
	case 0:
		x = rare(x);
		__attribute__((fallthrough));
	case 1:
		x++;
		[[fallthrough]];
	default:
		break;
	}
	return busy2(x) + (int)sizeof(struct wire);
}
