// expect: union
/* an anonymous union inside a struct */
#include <fw/testapi.h>
struct tagged { int tag; union { uint32_t a; int b; }; };
int tag_of(struct tagged *t) { return t->tag; }
