// expect: jump-skip
/* issue 9, class 3 (the break shown at run time): a case label inside a
 * nested block skips the block's initialisation, and the 256 bytes are
 * whatever the last frame left there (-ftrivial-auto-var-init runs at the
 * declaration, which the jump skips). */
#include <fw/testapi.h>
int leak(int n)
{
	switch (n) {
	case 0: {
		int buf[64] = {0};
	case 1:
		fw_use_ints(buf, 64);
		return buf[0];
	}
	default:
		return 0;
	}
}
