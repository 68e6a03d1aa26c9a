/* Accept: the switch shapes services use: braced cases with locals, label
 * chains, fallthrough, a nested switch inside a case's block, loops and
 * ifs inside a case (without labels), a bare-label body, and a switch on
 * an enum with its default label (rule enum-switch). */
#include <fw/testapi.h>

int classify(int n, int m)
{
	int r = 0;
	switch (n) {
	case 0:
	case 1: {
		int k = n + 1;
		for (int i = 0; i < k; i++)
			r += i;
		break;
	}
	case 2:
		if (m)
			r = 2;
		__attribute__((fallthrough));
	case 3: {
		switch (m) {
		case 7: {
			int q = 7;
			r += q;
			break;
		}
		default:
			break;
		}
		break;
	}
	default:
		r = -1;
	}
	switch (m)
	case 9:
		r++;
	return r;
}

enum colour { RED, GREEN };

static _Noreturn void stop(enum colour c)
{
	switch (c) {
	case RED:
		fw_panic("red");
	case GREEN:
		fw_panic("green");
	default:
		fw_panic("neither");
	}
}

int shade(int v)
{
	if (v < 0)
		stop(GREEN);
	/* an int condition needs no default, even holding an enum value */
	switch (v) {
	case RED:
		return 1;
	case GREEN:
		return 2;
	}
	return 0;
}
