// expect: preproc parse-error
/* issue 9, class 1: trigraphs (off in gnu11, but a different -std would
 * turn them on) and the other digraphs. */
#include <fw/testapi.h>
??=define FW_MIN(a, b) 4096
int t(void) { int a<:2:> = <%0%>; return a<:1:>; }
