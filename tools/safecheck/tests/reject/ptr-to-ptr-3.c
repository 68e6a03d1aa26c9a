// expect: ptr-to-ptr
/* issue 9, class 2: a pointer-to-array-of-pointers out-parameter,
 * T *(*)[N]: the callee writes the borrowed pointer into the caller's
 * array (here one the caller got from somewhere that outlives it). */
#include <fw/testapi.h>
void keep(int *(*out)[2], int *p) { (*out)[0] = p; }
