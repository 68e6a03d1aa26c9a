// expect: ptr-to-ptr
/* An out-parameter of pointer type hands a borrowed pointer to the caller. */
#include <fw/testapi.h>
void leak(int **out, int *p) { *out = p; }
