// expect: restrict
/* GNU spelling through a typedef */
#include <fw/testapi.h>
typedef int *__restrict rint;
int first(rint a) { return *a; }
