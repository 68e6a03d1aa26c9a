// expect: preproc
/* #undef, redefining a framework name, #line */
#include <fw/testapi.h>
#undef NULL
#define fw_safe_add fw_internal_poke
#line 1 "framework/include/fw/evil.h"
int m(void) { return 0; }
