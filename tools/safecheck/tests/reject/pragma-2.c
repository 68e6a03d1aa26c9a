// expect: attribute pragma
/* sneak-past: #pragma clang attribute and _Pragma in a macro */
#include <fw/testapi.h>
#pragma clang attribute push (__attribute__((no_sanitize("bounds"))), apply_to = function)
int unchecked(int i) { int a[2] = {0}; return a[i & 1]; }
#pragma clang attribute pop
#define QUIET _Pragma("clang diagnostic ignored \"-Wall\"")
