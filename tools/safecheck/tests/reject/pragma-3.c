// expect: preproc
/* issue 9, class 1: the digraph spelling of #pragma silencing the stack
 * frame limit; and the same split by a line continuation. */
%:pragma clang diagnostic ignored "-Wframe-larger-than"
#\
pragma clang diagnostic ignored "-Wformat"
#include <fw/testapi.h>
int big(void) { char b[65536] = {0}; return b[1]; }
