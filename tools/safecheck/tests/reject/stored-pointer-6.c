// expect: stored-pointer
/* issue 9, class 2: a compound literal of a typedef'd pointer array (a
 * block-scope object holding pointers), and a struct typedef holding one. */
#include <fw/testapi.h>
typedef const int *pair_t[2];
typedef struct { int v; const int *p; } boxed_t;
int first(const int *x)
{
	return (pair_t){ x, x }[0] == NULL;
}
