// expect: preproc
/* issue 9, class 1: %:undef then %:define of a framework annotation, so a
 * frame read may fill a pointer array (forged pointers). */
%:undef FW_POD_DST
%:define FW_POD_DST
#include <fw/testapi.h>
int k(void) { return 0; }
