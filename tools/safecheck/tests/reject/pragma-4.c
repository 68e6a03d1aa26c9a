// expect: reserved-ident preproc
/* issue 9, class 1: _Pragma assembled by token pasting, so no token reads
 * "_Pragma"; and a stringized argument. */
#include <fw/testapi.h>
#define CAT(a, b) a##b
#define STR(x) #x
#define QUIET CAT(_Pr, agma)(STR(clang diagnostic ignored "-Wall"))
int q(void) { return 0; }
