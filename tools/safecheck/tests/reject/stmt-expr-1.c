// expect: stmt-expr
/* sneak-past: a statement expression */
#include <fw/testapi.h>
int g(int a)
{
	return ({ int t = a; t + 1; });
}
