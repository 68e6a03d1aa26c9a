// expect: sealed-access
/* writing one, through an embedding struct */
#include <fw/testapi.h>
struct dev { int id; struct fw_waitq wq; };
void unlink_wq(struct dev *d)
{
	d->wq.next = NULL;
}
