// expect: stored-pointer reserved-ident global-mutable
/* issue 9, class 2: a pointer carried by value: a parameter of a framework
 * aggregate type holding one, a function returning such an aggregate (a
 * way round return-pointer), and an _Atomic pointer (whose canonical type
 * is not a pointer type). */
#include <fw/testapi.h>
static struct fw_named relay(struct fw_named n) { return n; }
static _Atomic(int *) cell_ptr;
int use_relay(void) { return cell_ptr != NULL || relay; }
