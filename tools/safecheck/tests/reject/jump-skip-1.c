// expect: jump-skip
/* case 2 jumps over x's initializer */
#include <fw/testapi.h>
int sw(int n)
{
	switch (n) {
	case 1:;
		int x = 5;
		return x;
	case 2:
		return 0;
	}
	return -1;
}
