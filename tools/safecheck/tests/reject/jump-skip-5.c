// expect: jump-skip
/* issue 9, class 3: a label chain whose last label carries a declaration,
 * a switch whose body is a bare label, and a label in a nested switch's
 * inner block (the inner switch is judged by its own shape). */
#include <fw/testapi.h>
int chain(int n, int m)
{
	switch (n) {
	case 1:
	case 2:;
		int y = 2;
		return y;
	}
	switch (n)
	case 3: {
		switch (m) {
		case 1: {
			int q = 1;
		case 2:
			return q;
		}
		}
	}
	return 0;
}
