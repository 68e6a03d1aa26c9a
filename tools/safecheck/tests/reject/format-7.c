// expect: format
/* issue 9, class 5: a NUL byte inside the format: clang checks up to it,
 * and what follows is nobody's business; reject it rather than argue. */
#include <fw/testapi.h>
void nul(int a)
{
	fw_printk("%d\0%s", a, "z");
}
