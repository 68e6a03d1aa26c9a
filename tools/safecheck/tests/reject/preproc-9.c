// expect: preproc parse-error
/* issue 9, class 1: directives outside the language: #line (in both
 * spellings: it would make service code look like framework code),
 * #include_next, #import, #ident, #assert, #sccs. */
#include <fw/testapi.h>
#line 1 "framework/include/fw/evil.h"
# 7 "framework/include/fw/evil2.h"
#include_next <fw/testapi.h>
#ident "x"
#assert machine(x86)
#sccs "y"
int v(void) { return 0; }
