// expect: implicit-pointer-conv
/* sneak-past: _Generic picking a void * branch */
#include <fw/testapi.h>
int via_generic(void *v)
{
	int *p = _Generic(v, void *: v, default: v);
	return *p;
}
