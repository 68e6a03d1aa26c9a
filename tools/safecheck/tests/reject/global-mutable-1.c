// expect: global-mutable
/* a mutable file-scope variable */
#include <fw/testapi.h>
int counter;
int bump(void) { return ++counter; }
