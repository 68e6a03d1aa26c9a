// expect: thread-local global-mutable
/* _Thread_local storage needs %fs set up by the framework */
#include <fw/testapi.h>
_Thread_local int tls_counter;
