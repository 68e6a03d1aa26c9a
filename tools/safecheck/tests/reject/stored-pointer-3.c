// expect: stored-pointer global-mutable
/* issue 9, class 2: a typedef'd array of pointers hides the pointers from a
 * per-declaration check; the predicate looks through the typedef. */
#include <fw/testapi.h>
typedef int *slots_t[4];
static slots_t saved;
int use(void) { return saved[0] ? 1 : 0; }
