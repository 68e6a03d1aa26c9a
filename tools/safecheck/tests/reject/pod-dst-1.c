// expect: pod-dst
/* user bytes into a struct holding a pointer */
#include <fw/testapi.h>
struct req { int op; int (*cb)(int); };
int get_req(struct req *r, uaddr_t u)
{
	return fw_copy_from_user(r, u);
}
