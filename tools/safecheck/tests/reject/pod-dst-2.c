// expect: pod-dst
/* user bytes into a bool, an enum and a sealed object */
#include <fw/testapi.h>
enum mode { M_A, M_B };
struct hold { struct fw_waitq q; };
int get_flags(bool *b, enum mode *m, struct hold *h, uaddr_t u)
{
	int rc = fw_copy_from_user(b, u);
	rc |= fw_copy_from_user(m, u);
	rc |= fw_copy_from_user(h, u);
	return rc;
}
