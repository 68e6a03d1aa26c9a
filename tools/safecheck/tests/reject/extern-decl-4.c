// expect: extern-decl
/* attack round 3: memcpy, memset and memmove are the compiler's runtime,
 * and the import wall admits them for the calls the compiler makes. A
 * service prototype (any signature: -ffreestanding knows no library
 * memset to compare with) called the framework's memset with any length:
 * `memset(&s, 0x41, 0x100)` on an 8-byte local, rip = 0x4141414141414141.
 * A static definition took the compiler's own calls in its TU: the
 * zeroing -ftrivial-auto-var-init emits became a no-op, and a stale
 * function pointer planted by an earlier call was called (rip =
 * 0x4242424242424242). Neither declaration is allowed, at any linkage. */
#include <fw/testapi.h>
struct small { uint64_t v; };
void *memset(struct small *d, int c, unsigned long n);
__attribute__((noinline)) static void memcpy(void) { }
static const int memmove = 0;

uint64_t smash(void)
{
	struct small s = {0};
	(void)memset(&s, 0x41, 0x100);
	memcpy();
	return s.v + (uint64_t)memmove;
}
