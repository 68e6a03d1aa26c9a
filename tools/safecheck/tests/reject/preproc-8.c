// expect: preproc parse-error reserved-ident
/* issue 9, class 1: conditional compilation and its tricks: __has_include
 * probing, #if defined(...) on a framework guard, #elif, #else, #error. */
#include <fw/testapi.h>
#if __has_include(<fw/internal.h>)
int probe = 1;
#elif defined(FW_TESTAPI_H)
#error "framework seen"
#else
#warning "nothing"
#endif
#ifdef NULL
#endif
int u(void) { return 0; }
