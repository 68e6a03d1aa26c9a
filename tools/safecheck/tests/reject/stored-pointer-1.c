// expect: stored-pointer ptr-to-ptr
/* a struct field that stores a borrowed pointer */
#include <fw/testapi.h>
struct cache { struct proc *last; int hits; };
int hits(struct cache *c) { return c->hits; }
