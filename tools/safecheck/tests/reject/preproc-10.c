// expect: preproc reserved-ident
/* issue 9, class 1: variadic macros and __VA_OPT__ (a macro language of
 * their own); a parameter named with a reserved identifier. */
#include <fw/testapi.h>
#define CALL(f, ...) f(__VA_ARGS__ __VA_OPT__(,) 0)
#define ID(_X) _X
int w(void) { return 0; }
