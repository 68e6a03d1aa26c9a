// expect: thread-local
/* __thread on a const */
#include <fw/testapi.h>
static __thread const int tls_k = 3;
int getk(void) { return tls_k; }
