// expect: jump-skip
/* issue 9, class 3: labels at other depths: in a loop (Duff's device), in
 * an if, in a do/while, and a default in a nested block. */
#include <fw/testapi.h>
int duff(int n, int k)
{
	int r = 0;
	switch (n & 3) {
	case 0:
		do {
			r++;
	case 3:
			r++;
	case 2:
			r++;
	case 1:
			r++;
		} while (--k > 0);
	}
	switch (n) {
	case 5:
		if (k) {
			int z = 7;
	default:
			r += z;
		}
	}
	return r;
}
