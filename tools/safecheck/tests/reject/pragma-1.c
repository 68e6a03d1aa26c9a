// expect: pragma
/* turning a diagnostic off */
#include <fw/testapi.h>
#pragma clang diagnostic ignored "-Wint-conversion"
int quiet(void) { return 0; }
