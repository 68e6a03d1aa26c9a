// expect: parse-error
/* syntax error */
#include <fw/testapi.h>
int broken2(void) { return 1 }
