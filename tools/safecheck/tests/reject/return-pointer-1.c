// expect: return-pointer
/* Returning a pointer parameter lets a caller launder &local out. */
#include <fw/testapi.h>
int *pass_through(int *p) { return p; }
