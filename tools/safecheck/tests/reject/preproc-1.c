// expect: preproc
/* sneak-past: rewrite what a trusted macro expands to, and drop const */
#define sizeof(x) 4096
#define const
#include <fw/testapi.h>
int n(void) { return 1; }
