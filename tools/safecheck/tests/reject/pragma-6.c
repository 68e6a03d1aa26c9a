// expect: pragma
/* issue 9, class 1: _Pragma and MSVC's __pragma written directly, in a
 * macro that is never used. */
#include <fw/testapi.h>
#define OFF _Pragma("clang diagnostic ignored \"-Wframe-larger-than\"")
#define OFF2 __pragma(warning(disable: 4000))
int r(void) { return 0; }
