// expect: jump-skip
/* declaration at the top of a switch body */
#include <fw/testapi.h>
int sw2(int n)
{
	switch (n) {
		int y = 3;
	default:
		return y;
	}
}
