// expect: parse-error
/* a type error is a violation too */
#include <fw/testapi.h>
int broken(void) { return undeclared_thing; }
