// expect: stored-pointer
/* pointers at depth: an array of pointers in a struct, a const global
 * table of string pointers, a local array of pointers */
#include <fw/testapi.h>
struct deep { struct { const int *p[2]; } inner[3]; };
static const char *const names[] = { "a", "b" };
int f(const int *x)
{
	const int *two[2] = { x, x };
	(void)names;
	return **two ? 1 : 0;
}
