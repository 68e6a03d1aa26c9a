// expect: preproc
/* issue 9, class 1: a macro whose body has unbalanced brackets, used as the
 * argument of a trusted macro, re-cuts the macro's own argument list:
 * fw_copy_from_user(DST, u) expands to
 *   fw__copy_from_user((buf), (u), 4096) + ((0), (u), sizeof(...) + ((0)))
 * a 4096-byte copy into an 8-byte array, and it compiles. */
#include <fw/testapi.h>
#define DST buf), (u), 4096) + ((0
#define OPEN {
int y(uaddr_t u)
{
	char buf[8] = {0};
	return fw_copy_from_user(DST, u);
}
