// expect: preproc
/* issue 9, class 1: the digraph spelling of #define. sizeof turns into 4096
 * inside the trusted copy macro: a bounded user copy into a 4 KiB stack
 * overwrite. */
#include <fw/testapi.h>
%:define sizeof(x) 4096
struct small { char b[16]; };
int pull(uaddr_t u)
{
	struct small s = {0};
	return fw_copy_from_user(&s, u);
}
