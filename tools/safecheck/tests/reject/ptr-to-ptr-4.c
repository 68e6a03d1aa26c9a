// expect: ptr-to-ptr
/* issue 9, class 2: a pointer to a (framework, not sealed) struct that
 * holds a pointer is an out-parameter too; and typeof / typedef spellings
 * of T ** are the same type. */
#include <fw/testapi.h>
typedef int *ip;
void name_it(struct fw_named *n, const char *s) { n->name = s; }
int via_typeof(int *p)
{
	__typeof__(int *) *pp = NULL;
	ip *qq = NULL;
	return (pp == NULL && qq == NULL && p) ? 1 : 0;
}
