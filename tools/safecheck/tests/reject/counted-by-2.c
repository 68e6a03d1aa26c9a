// expect: counted-by
/* a plain flexible array member */
#include <fw/testapi.h>
struct rec { int n; int items[]; };
int rn(struct rec *r) { return r->n; }
